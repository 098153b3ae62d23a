import { describe, expect, it } from 'vitest';
import { navigationOf, type PageDefinition } from './page.js';
import { homePage, pages } from './pages/index.js';
import { hrefOf, isAuthRoute, parseRoute, type Route } from './router.js';

describe('the page list', () => {
  it('gives every page its own id and path, apart from setup and login', () => {
    const ids = pages.map((p) => p.id);
    const paths = pages.map((p) => p.path);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(paths).size).toBe(paths.length);
    expect(ids).not.toContain('setup');
    expect(paths).not.toContain('/login');
    expect(paths).not.toContain('/setup');
  });

  it('keeps the navigation of today: labels in order, the dashboard at #/', () => {
    expect(navigationOf(pages).map((p) => p.navLabel)).toEqual([
      'Dashboard',
      'Reachability',
      'DDNS',
      'Peers',
      'Services',
      'Certificates',
      'Alerts',
      'Security',
      'API tokens',
      'Audit log',
    ]);
    expect(hrefOf(homePage)).toBe('#/');
  });
});

describe('routes', () => {
  const all: Route[] = ['setup', 'login', ...pages.map((p) => p.id)];

  it.each(all)('%s survives a round trip through its href', (route) => {
    expect(parseRoute(hrefOf(route))).toBe(route);
  });

  it.each([
    ['#/alerts', 'alerts'],
    ['#/alerts/', 'alerts'],
    ['#/tokens//', 'tokens'],
    ['#/', 'dashboard'],
    ['#', 'dashboard'],
    ['', 'dashboard'],
    ['#/no-such-page', 'dashboard'],
    ['#/login', 'login'],
    ['#/setup', 'setup'],
  ])('%j is %s', (hash, route) => {
    expect(parseRoute(hash)).toBe(route);
  });

  it('tells the auth screens from the pages', () => {
    expect(all.filter(isAuthRoute)).toEqual(['setup', 'login']);
  });
});

describe('navigationOf', () => {
  const load = () => Promise.reject(new Error('not loaded in this test'));
  const list: PageDefinition[] = [
    { id: 'home', path: '/', title: 'Home', navLabel: 'Home', load },
    { id: 'ddns', path: '/ddns', title: 'DDNS', navLabel: 'DDNS', capability: 'ddns', load },
    { id: 'peers', path: '/peers', title: 'Peers', navLabel: 'Peers', capability: 'wireguard', load },
    { id: 'peer', path: '/peer', title: 'Peer', capability: 'wireguard', load },
  ];

  it('shows every page with a label while the server has not said which capabilities run', () => {
    expect(navigationOf(list).map((p) => p.id)).toEqual(['home', 'ddns', 'peers']);
  });

  it('hides the pages of capabilities the server does not run, never the core pages', () => {
    expect(navigationOf(list, new Set(['wireguard'])).map((p) => p.id)).toEqual(['home', 'peers']);
    expect(navigationOf(list, new Set()).map((p) => p.id)).toEqual(['home']);
  });
});

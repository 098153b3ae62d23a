/** @module Hash routes (#/, #/security, ...): parsing, building and a hook that follows location.hash. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  'setup' | 'login' | 'dashboard' | 'reachability' | 'alerts' | 'security' | 'tokens' | 'audit';

const paths: Record<Route, string> = {
  setup: '#/setup',
  login: '#/login',
  dashboard: '#/',
  reachability: '#/reachability',
  alerts: '#/alerts',
  security: '#/security',
  tokens: '#/tokens',
  audit: '#/audit',
};

/** Unknown or empty hashes mean the dashboard, so an old bookmark still lands somewhere useful. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  for (const [route, href] of Object.entries(paths) as [Route, string][]) {
    if (href.replace(/^#/, '') === path) return route;
  }
  return 'dashboard';
}

export function hrefOf(route: Route): string {
  return paths[route];
}

/** Moves to `route` without adding a history entry when only the auth state forced the move. */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const href = hrefOf(route);
  if (window.location.hash === href) return;
  if (options.replace) {
    window.history.replaceState(null, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseRoute(window.location.hash));
    };
    window.addEventListener('hashchange', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
    };
  }, []);
  return route;
}

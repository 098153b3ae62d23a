/** @module Hash routes (#/, #/security, ...) of the pages in pages/index.ts and of setup and login. */
import { useEffect, useState } from 'preact/hooks';
import { homePage, pages, type PageId } from './pages/index.js';

/** The screens outside the signed-in frame. */
export type AuthRoute = 'setup' | 'login';

export type Route = AuthRoute | PageId;

const authPaths: Record<AuthRoute, string> = { setup: '/setup', login: '/login' };

const routes: readonly (readonly [Route, string])[] = [
  ...(Object.entries(authPaths) as [AuthRoute, string][]),
  ...pages.map((p) => [p.id, p.path] as const),
];

/** Unknown or empty hashes mean the home page, so an old bookmark still lands somewhere useful. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  return routes.find(([, p]) => p === path)?.[0] ?? homePage;
}

export function hrefOf(route: Route): string {
  return `#${routes.find(([r]) => r === route)?.[1] ?? '/'}`;
}

export function isAuthRoute(route: Route): route is AuthRoute {
  return route === 'setup' || route === 'login';
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

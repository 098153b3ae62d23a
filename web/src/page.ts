/**
 * @module What a page of the UI is: its place in the router and the navigation, and the component drawn inside
 * the signed-in frame, loaded on first visit. The list itself is web/src/pages/index.ts.
 */
import type { FunctionComponent } from 'preact';
import type { GatehouseClient, SessionInfo } from './api.js';

/** What the frame hands every page; a page takes the parts it needs. */
export interface PageProps {
  readonly client: GatehouseClient;
  readonly session: SessionInfo;
  /** Re-reads the session, e.g. after a change to two-factor authentication. */
  readonly refreshSession: () => Promise<void>;
  /** The session ended (logged out here or elsewhere); the notice is shown on the login screen. */
  readonly onLoggedOut: (notice?: string) => void;
  /** The instance name changed: the header and the document title follow. */
  readonly onInstanceName: (name: string) => void;
}

export type PageComponent = FunctionComponent<PageProps>;

export interface PageDefinition {
  /** Stable id: the router's name for the page and what a capability lists in its `uiPages`. */
  readonly id: string;
  /** The hash path, e.g. `/alerts` for `#/alerts`. */
  readonly path: `/${string}`;
  /** For the document title: "Alerts · Home gateway". */
  readonly title: string;
  /** The link text in the main navigation; without one the page is reachable by its path only. */
  readonly navLabel?: string;
  /** The capability (server-side id) whose routes the page calls; core pages have none. */
  readonly capability?: string;
  /** The page's component; its module is a chunk of its own, fetched on the first visit. */
  readonly load: () => Promise<PageComponent>;
}

/**
 * The pages for the main navigation, in list order. `running` is the set of capability ids the server runs;
 * while it is unknown every page shows, since hiding a page the box does have is worse than a page that
 * reports its capability is off.
 */
export function navigationOf<P extends PageDefinition>(
  pages: readonly P[],
  running?: ReadonlySet<string>,
): (P & { readonly navLabel: string })[] {
  return pages.filter(
    (p): p is P & { readonly navLabel: string } =>
      p.navLabel !== undefined &&
      (p.capability === undefined || running === undefined || running.has(p.capability)),
  );
}

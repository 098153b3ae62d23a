/**
 * @module The UI's pages, in navigation order. A capability's UI is one entry here (its folder under pages/
 * holds the rest); the router, the navigation and the document title all read this list.
 */
import type { PageDefinition } from '../page.js';

export const pages = [
  {
    id: 'dashboard',
    path: '/',
    title: 'Dashboard',
    navLabel: 'Dashboard',
    load: () => import('./dashboard.js').then((m) => m.DashboardPage),
  },
  {
    id: 'reachability',
    path: '/reachability',
    title: 'Reachability',
    navLabel: 'Reachability',
    capability: 'reachability',
    load: () => import('./reachability/index.js').then((m) => m.ReachabilityPage),
  },
  {
    id: 'ddns',
    path: '/ddns',
    title: 'DDNS',
    navLabel: 'DDNS',
    capability: 'ddns',
    load: () => import('./ddns/index.js').then((m) => m.DdnsPage),
  },
  {
    id: 'peers',
    path: '/peers',
    title: 'Peers',
    navLabel: 'Peers',
    capability: 'wireguard',
    load: () => import('./peers.js').then((m) => m.PeersPage),
  },
  {
    id: 'services',
    path: '/services',
    title: 'Services',
    navLabel: 'Services',
    capability: 'wireguard',
    load: () => import('./services.js').then((m) => m.ServicesPage),
  },
  {
    id: 'certificates',
    path: '/certificates',
    title: 'Certificates',
    navLabel: 'Certificates',
    capability: 'cert',
    load: () => import('./certificates/index.js').then((m) => m.CertificatesPage),
  },
  {
    id: 'alerts',
    path: '/alerts',
    title: 'Alerts',
    navLabel: 'Alerts',
    capability: 'alerts',
    load: () => import('./alerts/index.js').then((m) => m.AlertsPage),
  },
  {
    id: 'security',
    path: '/security',
    title: 'Security',
    navLabel: 'Security',
    load: () => import('./security.js').then((m) => m.SecurityPage),
  },
  {
    id: 'tokens',
    path: '/tokens',
    title: 'API tokens',
    navLabel: 'API tokens',
    load: () => import('./tokens.js').then((m) => m.TokensPage),
  },
  {
    id: 'audit',
    path: '/audit',
    title: 'Audit log',
    navLabel: 'Audit log',
    load: () => import('./audit.js').then((m) => m.AuditPage),
  },
] as const satisfies readonly PageDefinition[];

export type PageId = (typeof pages)[number]['id'];

/** Where a signed-in visitor lands, and where unknown paths lead. */
export const homePage: PageId = 'dashboard';

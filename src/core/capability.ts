/**
 * @module What a capability (reachability, alerts, DDNS, WireGuard, certificates, …) contributes to the box. Each
 * capability folder exports one factory `createX(ports, config, deps)` returning a {@link Capability}; the
 * composition root lists them and the lifecycle registry starts them in order and stops them in reverse.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { RuleDefinition } from '../alerts/catalogue.js';
import type { KeyAndCert } from '../cert/bootstrap.js';
import type { AppEnv } from '../http/context.js';
import type { StatusCardProvider } from '../status/cards.js';
import type { ControlRoutes } from '../control/api.js';

export interface Capability {
  /** Stable id, e.g. `reachability`; also the name in logs and in the lifecycle's messages. */
  readonly id: string;
  /** JSON API routes, mounted under /api/v1 behind the same guard, CSRF check and error shape as the core's. */
  readonly routes?: OpenAPIHono<AppEnv>;
  /**
   * Routes at the root of the server, outside /api: no session guard and no CSRF check (their own authentication,
   * e.g. the inbound dyndns2 endpoint's Basic auth for routers); the Host check and client identification apply.
   */
  readonly publicRoutes?: Hono<AppEnv>;
  /**
   * Local control API routes for the `gatehouse` CLI, mounted under `/v1/<id>/` on the data directory's 0600
   * Unix socket (src/control/api.ts): the caller is the local administrator (audit actor `local`), with no
   * session or CSRF token. A CLI command reaches them through `runLocalCommand`, which does the same work
   * offline on the store when no server runs.
   */
  readonly controlRoutes?: ControlRoutes;
  /** Dashboard cards, in the order shown. */
  readonly statusCards?: readonly StatusCardProvider[];
  /** Alert rules this capability raises: the one place their severity, title and remedy are written. */
  readonly alertRules?: Readonly<Record<string, RuleDefinition>>;
  /** Audit event types this capability records (`<capability>.<what>`), each with a one-line description. */
  readonly auditTypes?: Readonly<Record<string, string>>;
  /**
   * Host names this box is reached by that the capability knows of (DDNS: the hostnames it keeps pointed here),
   * read at each request's Host check (src/http/allowed-hosts.ts) besides the box's own names and `allowedHosts`.
   */
  readonly hostNames?: () => readonly string[];
  /**
   * The TLS certificate for a name a client asks for (SNI) — the certificate capability's CA-issued one for the
   * names it covers; undefined leaves the handshake to the next capability or the self-signed default.
   */
  readonly tlsCertificate?: (servername: string) => KeyAndCert | undefined;
  /** Ids of the web UI pages this capability owns (the UI shows them when the capability is present). */
  readonly uiPages?: readonly string[];
  /** Begins background work (loops, listeners). Must return promptly; failures of later work are the capability's. */
  start?(): Promise<void> | void;
  /** Ends background work and releases what the capability holds (e.g. router mappings); bounded by the lifecycle. */
  stop?(): Promise<void> | void;
}

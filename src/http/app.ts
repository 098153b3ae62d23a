/** @module createApp(deps): the whole HTTP surface, built from one sub-app per area. */
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { routePath } from 'hono/route';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AuthService } from '../auth/service.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { StatusCardProvider } from '../status/cards.js';
import type { Store } from '../store/store.js';
import { noAssets, type StaticAssets } from './assets.js';
import type { AppEnv } from './context.js';
import { ApiProblem, apiError, errorBody } from './errors.js';
import type { HostAllowList } from './allowed-hosts.js';
import { csrfProtection } from './middleware/csrf.js';
import { hostCheck } from './middleware/host-check.js';
import { apiGuard } from './middleware/guard.js';
import { identify, sessionCookieSettings } from './middleware/identify.js';
import { securityHeaders } from './middleware/security-headers.js';
import { wellFormedJsonBody } from './middleware/well-formed-body.js';
import type { Metrics } from './metrics.js';
import { createRouter } from './openapi.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { settingsRoutes } from './routes/settings.js';
import { setupRoutes } from './routes/setup.js';
import { statusRoutes } from './routes/status.js';
import { tokenRoutes } from './routes/tokens.js';
import type { Capability } from '../core/capability.js';
import { SettingsService } from '../settings/service.js';

export interface AppDeps {
  readonly store: Store;
  readonly auth: AuthService;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly version: string;
  /** Served over HTTPS: Secure cookies, HSTS. */
  readonly tls: boolean;
  readonly trustProxy: boolean;
  /** The names and addresses this box answers to; any other Host header gets 421 (DNS rebinding). */
  readonly hosts: HostAllowList;
  /** The core's own dashboard cards (the server, admin security); capabilities' cards follow them. */
  readonly statusProviders: readonly StatusCardProvider[];
  readonly assets?: StaticAssets;
  /** Each capability's routes are mounted under /api/v1 and its status cards join the dashboard. */
  readonly capabilities: readonly Capability[];
}

/** Largest accepted request body; the API takes small JSON documents only. */
export const maxBodyBytes = 64 * 1024;

/**
 * The core's JSON API under /api/v1, typed end to end for the web UI's RPC client. Capabilities' routes are
 * mounted beside it (see createApp); the UI reaches them through clients typed by each capability's route type.
 */
export function createApiRoutes(deps: AppDeps) {
  const cookie = sessionCookieSettings(deps.tls);
  return createRouter()
    .route('/', healthRoutes())
    .route('/', setupRoutes(deps.auth, cookie))
    .route('/', authRoutes(deps.auth, cookie))
    .route('/', tokenRoutes(deps.auth))
    .route('/', auditRoutes(deps.store))
    .route('/', settingsRoutes(new SettingsService({ store: deps.store, clock: deps.clock })))
    .route(
      '/',
      statusRoutes({
        store: deps.store,
        clock: deps.clock,
        version: deps.version,
        providers: [...deps.statusProviders, ...deps.capabilities.flatMap((c) => c.statusCards ?? [])],
      }),
    );
}

export type ApiType = ReturnType<typeof createApiRoutes>;

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  const cookie = sessionCookieSettings(deps.tls);
  const assets = deps.assets ?? noAssets;

  app.use('*', async (c: Context<AppEnv>, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c);
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    deps.logger.debug(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use('*', securityHeaders(deps.tls));
  // Before anything reads the request: a page on a rebound name reaches no route, anonymous ones included.
  app.use('*', hostCheck(deps.hosts));
  // Before bodyLimit, so that even its 413 answers carry no-store.
  app.use('/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body.too-large', `request body exceeds ${maxBodyBytes} bytes`),
    }),
  );
  app.use('/api/*', wellFormedJsonBody());
  app.use('*', identify(deps.auth, cookie, deps.trustProxy, deps.logger));
  app.use('/api/*', apiGuard());
  app.use('/api/*', csrfProtection());

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  for (const capability of deps.capabilities)
    if (capability.publicRoutes) app.route('/', capability.publicRoutes);

  app.get('/metrics', async (c) => {
    const identity = c.get('identity');
    if (identity.kind === 'anonymous') {
      return apiError(c, 401, 'auth.required', 'send an API token: Authorization: Bearer …');
    }
    // A password without its second factor is not a login (the /api guard applies the same rule).
    if (identity.kind === 'session' && identity.session.stage !== 'complete') {
      return apiError(c, 401, 'auth.mfa-required', 'finish logging in with your two-factor code');
    }
    return c.body(await deps.metrics.registry.metrics(), 200, {
      'Content-Type': deps.metrics.registry.contentType,
    });
  });

  const api = createApiRoutes(deps);
  for (const capability of deps.capabilities) if (capability.routes) api.route('/', capability.routes);
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerToken', { type: 'http', scheme: 'bearer' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey',
    in: 'cookie',
    name: cookie.name,
    description: 'State-changing requests with the cookie also need the X-CSRF-Token header',
  });
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    // Paths in the document are relative to where the API is mounted.
    servers: [{ url: '/api/v1' }],
    info: {
      title: 'Gatehouse API',
      version: deps.version,
      description:
        'Every route needs a session or an API token except health, setup and login. Errors have the shape ' +
        '{ "error": { "code", "message", "details"? } }.',
    },
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
  });
  app.route('/api/v1', api);

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/'))
      return apiError(c, 404, 'not-found', `no route ${c.req.method} ${c.req.path}`);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD')
      return apiError(c, 405, 'method-not-allowed', 'not allowed');
    const asset = assets.get(c.req.path);
    if (asset) return serveAsset(c, asset);
    if (assets.index) return serveAsset(c, assets.index);
    return c.text('The web UI is not built: run `npm run build:web` (npm start does it for you).', 503);
  });

  app.onError((err, c) => {
    if (clientWentAway(c)) {
      // Not a server fault, and anyone can cause it at will: no stack, not at error level, not counted as 5xx.
      deps.logger.debug({ path: c.req.path, reason: err.message }, 'client aborted the request');
      return c.json(errorBody('http.client-closed', 'the client closed the request'), clientClosedRequest);
    }
    if (err instanceof ApiProblem) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException) {
      // Hono raises these for malformed JSON and similar request faults.
      const status = err.status;
      const message =
        status === 400 && /json/i.test(err.message) ? 'malformed JSON in request body' : err.message;
      return c.json(errorBody(status === 400 ? 'body.malformed' : 'http', message || 'bad request'), status);
    }
    deps.logger.error(
      { err: { name: err.name, message: err.message, stack: err.stack }, path: c.req.path },
      'unhandled error',
    );
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });

  return app;
}

/**
 * The status counted for a request whose client went away before it was read (nginx's 499, "client closed
 * request"); nobody receives it, it only keeps such requests apart from server errors in /metrics.
 */
const clientClosedRequest = 499 as ContentfulStatusCode;

/**
 * Whether the request failed because its client did: the connection closed or broke mid-body (an abort, a
 * malformed chunk that Node's parser refused). Only a real socket can tell; app.request() in tests has none.
 */
function clientWentAway(c: Context<AppEnv>): boolean {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  if (!(incoming instanceof Readable)) return false;
  return !incoming.readableEnded && (incoming.destroyed || incoming.errored !== null);
}

function serveAsset(
  c: Context<AppEnv>,
  asset: { body: Uint8Array; contentType: string; immutable: boolean },
) {
  c.header('Content-Type', asset.contentType);
  c.header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  return c.body(asset.body as Uint8Array<ArrayBuffer>, 200);
}

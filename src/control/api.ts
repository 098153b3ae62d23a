/**
 * @module The local control API: a Hono app, served on the data directory's Unix socket, through which the
 * `gatehouse` CLI changes a running server. Whoever can open the 0600 socket is the local administrator.
 */
import { Hono, type Context, type Schema } from 'hono';
import type { HonoBase } from 'hono/hono-base';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { ApiProblem, describeZodIssues, errorBody } from '../http/errors.js';
import { collectCards, type StatusCardProvider } from '../status/cards.js';
import type { StatusView } from './status-view.js';

/**
 * The caller on the control socket. The kernel checks the socket's mode (0600, in a 0700 directory) on connect,
 * so only the data directory's owner (or root) gets here — the same trust as editing the store file by hand.
 * Audit events recorded for a control request use `actor` and `clientAddress` from here.
 */
export interface LocalIdentity {
  readonly kind: 'local';
  readonly actor: 'local';
  readonly clientAddress: 'local';
}

const localIdentity: LocalIdentity = { kind: 'local', actor: 'local', clientAddress: 'local' };

export interface ControlEnv {
  Variables: { identity: LocalIdentity };
}

/**
 * A capability's control routes, mounted under `/v1/<capability id>/`: a `ddns` capability's
 * `new Hono<ControlEnv>().post('/update', …)` answers `POST /v1/ddns/update`. Failures leave by throwing
 * ApiProblem (e.g. through `failWithCode`); request bodies are read with {@link readJsonBody}.
 */
// HonoBase, not Hono: a chain like `new Hono().get(…)` is typed as the base class, and `app.route()` takes it.
export type ControlRoutes = HonoBase<ControlEnv, Schema, string>;

export interface ControlDeps {
  /** The answer to GET /v1/status (see {@link statusSource}). */
  readonly status: () => Promise<StatusView>;
  /** Capabilities in start order; those with `controlRoutes` get them mounted (the Capability contract). */
  readonly capabilities?: readonly { readonly id: string; readonly controlRoutes?: ControlRoutes }[];
  readonly logger: Logger;
}

/** Largest accepted request body; control requests are small JSON documents. */
export const maxControlBodyBytes = 64 * 1024;

/** Path segments the core uses itself; a capability with such an id would shadow them. */
const reservedIds = new Set(['status']);

export function createControlApi(deps: ControlDeps): Hono<ControlEnv> {
  const app = new Hono<ControlEnv>();
  app.use('*', async (c, next) => {
    c.set('identity', localIdentity);
    await next();
    c.header('Cache-Control', 'no-store');
    deps.logger.debug({ method: c.req.method, path: c.req.path, status: c.res.status }, 'control request');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: maxControlBodyBytes,
      onError: (c) =>
        c.json(errorBody('body.too-large', `request body exceeds ${maxControlBodyBytes} bytes`), 413),
    }),
  );

  app.get('/v1/status', async (c) => c.json(await deps.status()));

  const mounted = new Set<string>();
  for (const capability of deps.capabilities ?? []) {
    if (!capability.controlRoutes) continue;
    // Programming errors in the composition root: fail at start-up, not at the first request.
    if (!/^[a-z][a-z0-9-]*$/.test(capability.id) || reservedIds.has(capability.id))
      throw new Error(`capability id "${capability.id}" cannot name a control API path`);
    if (mounted.has(capability.id)) throw new Error(`two capabilities have the id "${capability.id}"`);
    mounted.add(capability.id);
    app.route(`/v1/${capability.id}`, capability.controlRoutes);
  }

  app.notFound((c) => c.json(errorBody('not-found', `no route ${c.req.method} ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof ApiProblem) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message, err.details), err.status);
    }
    if (err instanceof HTTPException)
      return c.json(errorBody('http', err.message || 'bad request'), err.status);
    deps.logger.error(
      { err: { name: err.name, message: err.message, stack: err.stack }, path: c.req.path },
      'unhandled error in the control API',
    );
    return c.json(errorBody('internal', 'internal error; see the server log'), 500);
  });
  return app;
}

/** Reads and validates a JSON request body; a malformed or invalid one ends the request with a 400. */
export async function readJsonBody<S extends z.ZodType>(
  c: Context<ControlEnv>,
  schema: S,
): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new ApiProblem(400, 'body.malformed', 'malformed JSON in request body');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new ApiProblem(400, 'validation', describeZodIssues('body', parsed.error.issues));
  return parsed.data;
}

/** GET /v1/status: the dashboard's cards from the same providers, plus version, pid and uptime. */
export function statusSource(input: {
  readonly version: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly clock: Clock;
  /** Where the public listener listens (known once it listens). */
  readonly url: () => string;
  /** The core's own cards. */
  readonly providers: readonly StatusCardProvider[];
  /** Their cards follow the core's, in list order, as on the dashboard. */
  readonly capabilities?: readonly { readonly statusCards?: readonly StatusCardProvider[] }[];
}): () => Promise<StatusView> {
  const providers = [...input.providers, ...(input.capabilities ?? []).flatMap((c) => c.statusCards ?? [])];
  return async () => {
    const cards = await collectCards(providers);
    const uptimeMs = input.clock.now().getTime() - input.startedAt.getTime();
    return {
      version: input.version,
      pid: input.pid,
      url: input.url(),
      startedAt: input.startedAt.toISOString(),
      uptimeSeconds: Math.max(0, Math.floor(uptimeMs / 1000)),
      cards,
    };
  };
}

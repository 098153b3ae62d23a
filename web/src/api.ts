/**
 * @module Typed calls to the Gatehouse API through Hono's RPC client, carrying the session's CSRF token. The core
 * routes are `client.api`; a capability's pages reach its own routes through `client.connect<XRoutes>()`.
 */
import type { Hono } from 'hono';
import { hc, type ClientResponse } from 'hono/client';
import type { SuccessStatusCode } from 'hono/utils/http-status';
import type { ApiType } from '../../src/http/app.js';

/**
 * A failed API call, with the server's message meant for the user. `fields` holds the problems the server tied
 * to a request field (its `details`: `[{ path, message }]`), keyed by the path without the body's name
 * (`target.url`), the first problem of each field only; a form shows each beside its field.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message, options);
  }
}

/** A problem the form itself found in one field, before asking the server: shown beside that field. */
export function fieldProblem(field: string, message: string): ApiError {
  return new ApiError(0, 'form', message, {}, { [field]: message });
}

/** The first problem of each field in an error's `details`, in plain words (a capital, a full stop). */
export function fieldProblemsOf(details: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!Array.isArray(details)) return fields;
  for (const issue of details as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    const { path, message } = issue as { path?: unknown; message?: unknown };
    if (!Array.isArray(path) || path.length === 0 || typeof message !== 'string') continue;
    const key = path.map(String).join('.');
    fields[key] ??= sentence(message);
  }
  return fields;
}

/** "must be an http:// URL" → "Must be an http:// URL." */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * Any set of server routes the RPC client can call: the core's `ApiType` or a capability's `XRoutes`.
 * (Hono's own bound for `hc`; its environment, schema and base path can be anything.)
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bound `hc` itself declares
export type Routes = Hono<any, any, any>;

/** The typed calls of a set of routes mounted under /api/v1, e.g. `ApiClient<AlertRoutes>`. */
export type ApiClient<R extends Routes> = ReturnType<typeof hc<R>>;

/** The core routes: health, setup, auth, tokens, audit, settings, status. */
export type Api = ApiClient<ApiType>;

/** The JSON body of the 2xx responses a route declares. */
export type OkBody<R> =
  R extends ClientResponse<infer T, infer S, infer F>
    ? S extends SuccessStatusCode
      ? F extends 'json'
        ? T
        : never
      : never
    : never;

/** Session description as the server returns it after setup, login and on GET /auth/session. */
export type SessionInfo = OkBody<Awaited<ReturnType<Api['auth']['session']['$get']>>>;

const publicAuthPaths = [
  '/api/v1/auth/login',
  '/api/v1/auth/login/totp',
  '/api/v1/setup',
  '/api/v1/auth/session',
];

/**
 * One connection to the API. Holds the CSRF token of the current session (the session cookie itself is
 * HttpOnly and travels on its own) and reports a session that ended under our feet, e.g. by idle timeout.
 * Every typed client it hands out, the core's and the capabilities', goes through this one session.
 */
export class GatehouseClient {
  private csrfToken = '';
  private sessionLostListener: (() => void) | undefined;
  private readonly sessionFetch: typeof fetch;
  readonly api: Api;

  constructor(baseFetch: typeof fetch = (input, init) => fetch(input, init)) {
    this.sessionFetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const method = (init?.method ?? 'GET').toUpperCase();
      const headers = new Headers(init?.headers);
      if (method !== 'GET' && method !== 'HEAD' && this.csrfToken !== '') {
        headers.set('X-CSRF-Token', this.csrfToken);
      }
      const res = await baseFetch(input, { ...init, headers, credentials: 'same-origin' });
      if (res.status === 401 && !publicAuthPaths.includes(pathOf(input))) this.sessionLostListener?.();
      return res;
    };
    this.api = this.connect<ApiType>();
  }

  /**
   * Typed calls to another set of routes under /api/v1 (a capability's), over this session: the same CSRF
   * token and the same session-lost report as `api`. Each call makes a new client; components keep theirs
   * (useMemo) so that it can be a hook dependency.
   */
  connect<R extends Routes>(): ApiClient<R> {
    return hc<R>('/api/v1', { fetch: this.sessionFetch });
  }

  /** Remember the CSRF token of a (new) session; an empty token means "no usable session". */
  useSession(session: { readonly csrfToken: string } | undefined): void {
    this.csrfToken = session?.csrfToken ?? '';
  }

  /** Called when an authenticated call answers 401: the session expired or was ended elsewhere. */
  onSessionLost(listener: (() => void) | undefined): void {
    this.sessionLostListener = listener;
  }
}

function pathOf(input: RequestInfo | URL): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return new URL(url, window.location.href).pathname;
}

/**
 * Awaits a call and returns its success body, or throws an ApiError carrying the server's message
 * (`{ "error": { "code", "message" } }`), so callers show `error.message` as it is.
 */
export async function expectOk<R extends ClientResponse<unknown, number>>(
  pending: Promise<R>,
): Promise<OkBody<R>> {
  let res: R;
  try {
    res = await pending;
  } catch (e) {
    throw new ApiError(
      0,
      'network',
      'Cannot reach the Gatehouse server. Check your connection and try again.',
      {
        cause: e,
      },
    );
  }
  if (res.ok) return (await res.json()) as OkBody<R>;
  throw await describeFailure(res);
}

async function describeFailure(res: ClientResponse<unknown, number>): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (isErrorBody(body)) {
    const fields = fieldProblemsOf(body.error.details);
    const first = Object.values(fields)[0];
    // With field problems, the message in general words is the first of them, without the field's path.
    return new ApiError(res.status, body.error.code, first ?? sentence(body.error.message), {}, fields);
  }
  return new ApiError(res.status, 'http', `The server answered ${res.status} ${res.statusText}.`.trim());
}

function isErrorBody(body: unknown): body is { error: { code: string; message: string; details?: unknown } } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error: unknown = body.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  );
}

/** A message for any thrown value, preferring the server's words. */
export function messageOf(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return 'Something went wrong.';
}

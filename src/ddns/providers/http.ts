/**
 * @module HTTP for DNS provider adapters: one bounded request (core/http-request.ts) whose transport failures and
 * status codes become {@link ProviderFailure}s the engine acts on; the adapter reads the body it expects.
 */
import { boundedRequest } from '../../core/http-request.js';
import { z } from 'zod';
import { fail, ok } from '../../core/outcome.js';
import type { ProviderDeps, ProviderFailure, ProviderResult } from '../provider.js';

export interface ProviderRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface ProviderAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** An API endpoint setting: an http(s) URL (http for a test double or a local proxy), `base` when not given. */
export function endpointSetting(base: string) {
  return z.url({ protocol: /^https?$/ }).default(base);
}

/** The endpoint as a base to append paths to: without its trailing slashes. */
export function apiBase(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

/** A provider's API answers within this long, or the call is a transient failure. */
export const providerTimeoutMs = 15_000;
/** Record lists are small; anything near this is not an answer we want to hold in memory. */
export const maxProviderBodyBytes = 2 * 1024 * 1024;

/**
 * The wait a `Retry-After` header asks for (seconds or an HTTP date, RFC 9110 §10.2.3), or undefined when absent or
 * not understood.
 */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * How one provider's documentation says its statuses are read; each adapter states its own (with the page it cites).
 */
export interface StatusRules {
  /**
   * The statuses the provider documents as refused credentials, whatever the body says. Default: 401 only. A 403 is
   * often narrower — a token policy or a missing scope on one zone, or a WAF's page — so unless the provider's
   * documentation says it means refused credentials, it is returned for the adapter to read like any other 4xx.
   */
  readonly auth?: readonly number[];
  /**
   * The wait a 429 asks for when the provider says it otherwise than with Retry-After (Hetzner: `RateLimit-Reset`).
   * Asked only when Retry-After is absent or not understood.
   */
  readonly retryAfter?: (headers: Headers, now: Date) => number | undefined;
}

/** Refused credentials are 401 unless an adapter's documentation says more. */
export const defaultAuthStatuses: readonly number[] = [401];

/**
 * Sends one request. Transport failures (refused, timed out, too large) are `transient`; so are 5xx answers (with
 * the wait a 503's Retry-After asks for). 429 is `rate-limited` with its Retry-After (seconds or an HTTP date) or the
 * adapter's own reading of the headers. The `auth` statuses of `rules` (401 by default) are `auth`. Any other status
 * is returned for the adapter to read (many APIs put a useful error in a 400, 403 or 404 body).
 */
export async function providerRequest(
  deps: Pick<ProviderDeps, 'fetch' | 'clock' | 'userAgent'>,
  provider: string,
  request: ProviderRequest,
  rules: StatusRules = {},
): Promise<ProviderResult<ProviderAnswer>> {
  const what = `${provider}: ${request.method} ${pathOf(request.url)}`;
  const r = await boundedRequest(
    deps.fetch,
    request.url,
    { timeoutMs: providerTimeoutMs, maxBodyBytes: maxProviderBodyBytes },
    {
      method: request.method,
      headers: { 'user-agent': deps.userAgent, ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
    },
  );
  if (!r.ok) return fail({ kind: 'transient', message: `${what}: ${r.reason}` });
  const failure = statusFailure(what, r.status, r.headers, deps.clock.now(), rules);
  return failure ? fail(failure) : ok({ status: r.status, headers: r.headers, text: r.text });
}

function statusFailure(
  what: string,
  status: number,
  headers: Headers,
  now: Date,
  rules: StatusRules,
): ProviderFailure | undefined {
  const code = `HTTP ${status}`;
  const asked = retryAfterMs(headers.get('retry-after'), now);
  if (status === 429) {
    const wait = asked ?? rules.retryAfter?.(headers, now);
    return {
      kind: 'rate-limited',
      message: `${what}: rate limited (HTTP 429)`,
      code,
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    };
  }
  if ((rules.auth ?? defaultAuthStatuses).includes(status))
    return { kind: 'auth', message: `${what}: the credentials were refused (HTTP ${status})`, code };
  if (status >= 500)
    return {
      kind: 'transient',
      message: `${what}: server error (HTTP ${status})`,
      code,
      ...(asked === undefined ? {} : { retryAfterMs: asked }),
    };
  return undefined;
}

/**
 * A request to a JSON API: the adapter's headers (its credential, `accept`), and when there is a body, the body as
 * JSON with its content type.
 */
export function jsonRequest(
  method: ProviderRequest['method'],
  url: string,
  headers: Readonly<Record<string, string>>,
  body?: unknown,
): ProviderRequest {
  if (body === undefined) return { method, url, headers };
  return {
    method,
    url,
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** The answer's body as JSON, or the transient failure that says it is not JSON (a proxy's page, a cut body). */
export function readJson(
  provider: string,
  request: ProviderRequest,
  answer: ProviderAnswer,
): ProviderResult<unknown> {
  try {
    return ok(JSON.parse(answer.text) as unknown);
  } catch {
    return fail(unexpectedAnswer(provider, request, answer, 'not JSON'));
  }
}

/** The URL without its query string (which may carry a credential, as dyndns2's and DuckDNS's do). */
export function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** A body that is not the documented one: transient (a proxy's error page, a changed API), and says what came. */
export function unexpectedAnswer(
  provider: string,
  request: ProviderRequest,
  answer: ProviderAnswer,
  why: string,
): ProviderFailure {
  const start = answer.text.replace(/\s+/g, ' ').slice(0, 120);
  return {
    kind: 'transient',
    message: `${provider}: ${request.method} ${pathOf(request.url)}: unexpected answer (HTTP ${answer.status}, ${why}): ${JSON.stringify(start)}`,
    code: `HTTP ${answer.status}`,
  };
}

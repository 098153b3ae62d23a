/**
 * @module The ACME CA adapter over npm acme-client 5.4 (loaded on first use: ~25 MB that most boxes rarely need),
 * with ACME Renewal Information (RFC 9773) which acme-client lacks: the renewalInfo GET and the `replaces` field.
 *
 * acme-client is used for what it does well — JWS signing, nonces (with its badNonce retry), External Account
 * Binding, key authorizations, keys and CSRs — through one signed-request call per ACME step. The flow itself
 * (which request, how to read its answer, how long to poll) is here, so every answer can be mapped to an
 * {@link AcmeFailure} from its status, problem document and Retry-After instead of from an error string.
 *
 * TLS trust without process-wide state: acme-client sends every request through `HttpClient.request` of its client
 * object (acme-client/src/http.js) on the axios instance it shares between clients. This adapter wraps that method
 * on its own client only and adds per-request axios options: its own `https.Agent` (the extra CA bundle, keep-alive),
 * a timeout, its own `transport` (Node's https.request, so redirects are not followed: an ACME directory does not
 * redirect), and `retryAttempt: Infinity`, which turns off acme-client's shared retry interceptor for this client's
 * requests (it would sleep 5–25 s per attempt on a 429 or 5xx, or for as long as a Retry-After says; the manager's
 * backoff decides instead). The defaults of `acme.axios` and Node's global agent are never touched. The
 * wrapped method and `client.http` are acme-client internals: acme-client is pinned to 5.4 in package.json and
 * {@link createAcmeCaFactory} checks their shape at first use (a `transient` failure naming them if they change).
 */
import { X509Certificate } from 'node:crypto';
import nodeHttp, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
// Types only: the module itself is imported on first use (`await import('acme-client')`).
import type * as Acme from 'acme-client';
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.js';
import { fail, ok } from '../core/outcome.js';
import { parseRenewalInfo, parseRetryAfter } from './ari.js';
import type {
  AcmeAuthorization,
  AcmeCa,
  AcmeCaFactory,
  AcmeChallenge,
  AcmeFailure,
  AcmeFailureKind,
  AcmeOrder,
  AcmeResult,
  CaDirectory,
  RenewalInfo,
} from './ports.js';

type AcmeClient = Acme.Client;

/** The part of acme-client's internal `HttpClient` (src/http.js) this adapter drives. */
interface AcmeHttp {
  request(url: string, method: string, options?: Record<string, unknown>): Promise<AcmeResponse>;
  signedRequest(
    url: string,
    payload: unknown,
    options: { kid?: string | null; includeExternalAccountBinding?: boolean },
  ): Promise<AcmeResponse>;
}

/** An axios response as acme-client returns it (every status resolves: acme-client sets `validateStatus: null`). */
interface AcmeResponse {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly data: unknown;
}

/** How long steps may take; the defaults keep a first certificate from pebble well under a second. */
export interface AcmeTimings {
  /** One HTTP request (connect, TLS, answer). */
  readonly requestTimeoutMs: number;
  /** Polling an authorization or an order: the first wait, doubled after each pending answer up to `pollMaxMs`. */
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  /** The whole of one wait (waitValid, or finalize's wait for the certificate); then `transient`. */
  readonly pollBudgetMs: number;
}

export const defaultAcmeTimings: AcmeTimings = {
  requestTimeoutMs: 15_000,
  // Pebble (and Let's Encrypt, usually) validates within a few hundred ms; a 250 ms start, doubling, asks a CA at
  // most ~6 times in the first 10 s, and a Retry-After the CA sends always wins.
  pollMinMs: 250,
  pollMaxMs: 5_000,
  pollBudgetMs: 90_000,
};

export interface AcmeCaDeps {
  readonly clock?: Clock;
  readonly timings?: Partial<AcmeTimings>;
}

// ---- CA answers (zod at the boundary) ---------------------------------------------------------------------------

const problemSchema = z.object({
  type: z.string(),
  detail: z.string().optional(),
  subproblems: z
    .array(
      z.object({ detail: z.string().optional(), identifier: z.object({ value: z.string() }).optional() }),
    )
    .optional(),
});
type Problem = z.infer<typeof problemSchema>;

const directorySchema = z.object({
  newNonce: z.url(),
  newAccount: z.url(),
  newOrder: z.url(),
  renewalInfo: z.url().optional(),
  meta: z
    .object({
      termsOfService: z.string().optional(),
      website: z.string().optional(),
      externalAccountRequired: z.boolean().optional(),
    })
    .optional(),
});

const orderSchema = z.object({
  status: z.string(),
  authorizations: z.array(z.string()),
  finalize: z.string(),
  certificate: z.string().optional(),
  error: problemSchema.optional(),
});
type OrderBody = z.infer<typeof orderSchema>;

const challengeSchema = z.object({
  type: z.string(),
  url: z.string(),
  token: z.string().default(''),
  status: z.string(),
  error: problemSchema.optional(),
});

const authorizationSchema = z.object({
  status: z.string(),
  identifier: z.object({ type: z.string(), value: z.string() }),
  wildcard: z.boolean().optional(),
  challenges: z.array(challengeSchema),
});

// ---- failure mapping --------------------------------------------------------------------------------------------

const acmeError = 'urn:ietf:params:acme:error:';

/** Problem types that no retry can cure: the configuration (or the names) must change. */
const configTypes = new Set(
  [
    'agreementRequired',
    'userActionRequired',
    'externalAccountRequired',
    'invalidContact',
    'unsupportedContact',
    'rejectedIdentifier',
    'unsupportedIdentifier',
    'caa',
  ].map((t) => acmeError + t),
);

const transientTypes = new Set(['serverInternal', 'badNonce'].map((t) => acmeError + t));

function header(response: AcmeResponse, name: string): string | null {
  const value = response.headers[name];
  return typeof value === 'string' ? value : null;
}

function shortType(type: string): string {
  return type.startsWith(acmeError) ? type.slice(acmeError.length) : type;
}

function problemText(problem: Problem): string {
  const sub = (problem.subproblems ?? [])
    .map((s) => [s.identifier?.value, s.detail].filter(Boolean).join(': '))
    .filter((s) => s !== '');
  const detail = problem.detail ?? '(no detail)';
  return `${detail}${sub.length > 0 ? ` [${sub.join('; ')}]` : ''} (${shortType(problem.type)})`;
}

function failure(kind: AcmeFailureKind, message: string, extra: Partial<AcmeFailure> = {}): AcmeFailure {
  return { kind, message, ...extra };
}

/**
 * An answer the step did not want, as a failure: rate limits first (by status or type), then the problem types that
 * need a configuration change (`configTypes`, plus those the step names), 5xx as transient, any other problem as
 * rejected; an answer that is no problem document is garbled (transient).
 */
function answerFailure(
  what: string,
  response: AcmeResponse,
  now: Date,
  moreConfigTypes: readonly string[] = [],
): AcmeFailure {
  const parsed = problemSchema.safeParse(response.data);
  const problem = parsed.success ? parsed.data : undefined;
  const retryAfterMs = parseRetryAfter(header(response, 'retry-after'), now);
  const retry = retryAfterMs === null ? {} : { retryAfterMs };
  const said = problem === undefined ? `HTTP ${response.status}` : problemText(problem);
  const acmeType = problem === undefined ? {} : { acmeType: problem.type };
  if (response.status === 429 || problem?.type === `${acmeError}rateLimited`) {
    return failure('rate-limited', `${what}: rate limited by the CA: ${said}`, { ...acmeType, ...retry });
  }
  if (problem !== undefined && (configTypes.has(problem.type) || moreConfigTypes.includes(problem.type))) {
    return failure('config', `${what}: ${said}`, acmeType);
  }
  // badNonce reaches here only after acme-client's own five retries with fresh nonces: a CA having a bad moment.
  if (response.status >= 500 || (problem !== undefined && transientTypes.has(problem.type))) {
    return failure('transient', `${what}: the CA failed: ${said}`, { ...acmeType, ...retry });
  }
  if (problem !== undefined) return failure('rejected', `${what}: ${said}`, acmeType);
  return failure('transient', `${what}: an answer that is no ACME problem document (${said})`);
}

/** TLS verification errors of Node's `tls` (openssl verify codes): the CA's certificate chain is not trusted. */
const untrustedCodes = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const networkWords: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'name not found',
  EAI_AGAIN: 'name lookup failed',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPROTO: 'TLS handshake failed',
};

/** A request that threw: a network or TLS error is `unreachable`; anything else is acme-client failing (transient). */
function thrownFailure(what: string, url: string, error: unknown): AcmeFailure {
  const code = (error as { code?: unknown } | null)?.code;
  const host = hostOf(url);
  if (typeof code === 'string' && untrustedCodes.has(code)) {
    return failure(
      'unreachable',
      `${what}: the TLS certificate of ${host} is not trusted (${code}); add the CA that signed it as an extra CA bundle`,
    );
  }
  // Node's system errors (errno names: ECONNREFUSED, ENETDOWN, …) and its TLS/SSL errors (ERR_SSL_…, e.g. TLS
  // spoken to a plain-HTTP port) are the CA out of reach; other ERR_ codes are Node refusing a request it was given.
  if (typeof code === 'string' && (/^E[A-Z]+$/.test(code) || /^ERR_(SSL|TLS)_/.test(code))) {
    return failure('unreachable', `${what}: cannot reach ${host}: ${networkWords[code] ?? code}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return failure('transient', `${what}: ${message}`);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

// ---- the adapter ------------------------------------------------------------------------------------------------

function pemToBase64url(pem: string): string {
  const body = pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64').toString('base64url');
}

/** The extra CA bundle's certificates, or a failure when it holds none that parse (checked once, before any request). */
function bundleCertificates(pem: string): string[] | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  try {
    for (const block of blocks) new X509Certificate(block);
  } catch {
    return undefined;
  }
  return blocks.length > 0 ? blocks : undefined;
}

/**
 * The production factory. Every CA gets its own keep-alive agent; with an extra CA bundle the agent trusts Node's
 * bundled Mozilla roots plus the bundle (`tls.rootCertificates`; NODE_EXTRA_CA_CERTS is not added then — Node 20
 * cannot list it), without one it trusts what Node trusts by default.
 */
export function createAcmeCaFactory(deps: AcmeCaDeps = {}): AcmeCaFactory {
  const clock = deps.clock ?? systemClock;
  const timings = { ...defaultAcmeTimings, ...deps.timings };
  return (input) => createAcmeCa(input, clock, timings);
}

type FactoryInput = Parameters<AcmeCaFactory>[0];

function createAcmeCa(input: FactoryInput, clock: Clock, timings: AcmeTimings): AcmeCa {
  const bundle = input.caBundlePem === null ? null : bundleCertificates(input.caBundlePem);
  const agent = new https.Agent({
    keepAlive: true,
    ...(bundle ? { ca: [...tls.rootCertificates, ...bundle] } : {}),
  });
  let accountUrl = input.accountUrl;
  let directoryCache: { parsed: CaDirectory; raw: z.infer<typeof directorySchema> } | undefined;
  let clientCache: Promise<AcmeResult<{ client: AcmeClient; http: AcmeHttp }>> | undefined;

  const requestOptions = {
    httpsAgent: agent,
    timeout: timings.requestTimeoutMs,
    // acme-client's shared response interceptor retries while `retryAttempt <= retryMaxAttempts`; Infinity never is.
    retryAttempt: Number.POSITIVE_INFINITY,
  };

  async function loadClient(): Promise<AcmeResult<{ client: AcmeClient; http: AcmeHttp }>> {
    if (!/^https?:\/\/[^/]/.test(input.directoryUrl) || !URL.canParse(input.directoryUrl)) {
      return fail(failure('config', `the directory URL ${input.directoryUrl} is no http(s) URL`));
    }
    if (bundle === undefined) {
      return fail(failure('config', 'the extra CA bundle holds no PEM certificate that can be read'));
    }
    const acme = await import('acme-client');
    const client = new acme.Client({
      directoryUrl: input.directoryUrl,
      accountKey: input.accountKeyPem,
      ...(input.externalAccountBinding === null
        ? {}
        : {
            externalAccountBinding: {
              kid: input.externalAccountBinding.kid,
              hmacKey: input.externalAccountBinding.hmacKey,
            },
          }),
    });
    const http = (client as unknown as { http?: Partial<AcmeHttp> }).http;
    if (typeof http?.request !== 'function' || typeof http.signedRequest !== 'function') {
      return fail(
        failure(
          'transient',
          'acme-client changed: its client has no http.request/signedRequest (expected 5.4)',
        ),
      );
    }
    const original = http.request.bind(http);
    http.request = async (url, method, options = {}) => {
      // acme-client's shared interceptor loses a network error it does not retry (it reads `.config` of a missing
      // response: a TypeError); a transport of this request's own keeps the error (ECONNREFUSED, a TLS verify code).
      let networkError: unknown;
      const transport = {
        request: (opts: https.RequestOptions, callback: (res: IncomingMessage) => void): ClientRequest => {
          const req = (opts.protocol === 'http:' ? nodeHttp : https).request(opts, callback);
          req.once('error', (error) => (networkError = error));
          return req;
        },
      };
      // A wall-clock bound as well: with its own transport axios's timeout may not cover a TCP connect that hangs.
      const deadline = AbortSignal.timeout(timings.requestTimeoutMs);
      try {
        return await original(url, method, { ...options, ...requestOptions, transport, signal: deadline });
      } catch (error) {
        if (deadline.aborted) throw Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
        throw networkError ?? error;
      }
    };
    return ok({ client, http: http as AcmeHttp });
  }

  function acmeHttp(): Promise<AcmeResult<{ client: AcmeClient; http: AcmeHttp }>> {
    clientCache ??= loadClient();
    return clientCache;
  }

  /** One request through acme-client; a throw (network, TLS, acme-client itself) becomes a failure value. */
  async function send(
    what: string,
    url: string,
    call: (http: AcmeHttp) => Promise<AcmeResponse>,
  ): Promise<AcmeResult<AcmeResponse>> {
    const loaded = await acmeHttp();
    if (!loaded.ok) return loaded;
    try {
      return ok(await call(loaded.value.http));
    } catch (error) {
      return fail(thrownFailure(what, url, error));
    }
  }

  function signed(
    what: string,
    url: string,
    payload: unknown,
    kid = true,
  ): Promise<AcmeResult<AcmeResponse>> {
    return send(what, url, (http) => http.signedRequest(url, payload, { kid: kid ? accountUrl : null }));
  }

  async function directory(): Promise<AcmeResult<CaDirectory>> {
    if (directoryCache) return ok(directoryCache.parsed);
    const what = `ACME directory ${input.directoryUrl}`;
    const got = await send(what, input.directoryUrl, (http) => http.request(input.directoryUrl, 'get'));
    if (!got.ok) return got;
    const response = got.value;
    if (response.status >= 500) return fail(answerFailure(what, response, clock.now()));
    if (response.status !== 200) {
      return fail(failure('config', `${what}: HTTP ${response.status}; is this the directory URL?`));
    }
    const parsed = directorySchema.safeParse(response.data);
    if (!parsed.success) {
      return fail(
        failure('config', `${what}: not an ACME directory (no newNonce, newAccount and newOrder URLs)`),
      );
    }
    const raw = parsed.data;
    const value: CaDirectory = {
      url: input.directoryUrl,
      termsOfService: raw.meta?.termsOfService ?? null,
      website: raw.meta?.website ?? null,
      externalAccountRequired: raw.meta?.externalAccountRequired ?? false,
      renewalInfo: raw.renewalInfo ?? null,
    };
    directoryCache = { parsed: value, raw };
    return ok(value);
  }

  /** The directory's resource URL for a step; reading the directory first makes its failures this adapter's own. */
  async function resource(name: 'newAccount' | 'newOrder'): Promise<AcmeResult<string>> {
    const dir = await directory();
    if (!dir.ok) return dir;
    return ok(directoryCache?.raw[name] ?? '');
  }

  async function ensureAccount(request: {
    readonly email: string | null;
    readonly termsAgreed: boolean;
  }): Promise<AcmeResult<string>> {
    if (accountUrl !== null) return ok(accountUrl);
    const url = await resource('newAccount');
    if (!url.ok) return url;
    // RFC 8555 §7.3.1: find the account of this key first, so a lost account URL never makes a second account.
    const found = await signed('account lookup', url.value, { onlyReturnExisting: true }, false);
    if (!found.ok) return found;
    const location = header(found.value, 'location');
    if (found.value.status === 200 && location !== null) {
      accountUrl = location;
      return ok(location);
    }
    const missing = problemSchema.safeParse(found.value.data);
    if (!(missing.success && missing.data.type === `${acmeError}accountDoesNotExist`)) {
      return fail(answerFailure('account lookup', found.value, clock.now()));
    }
    const payload: Record<string, unknown> = { termsOfServiceAgreed: request.termsAgreed };
    if (request.email !== null) payload.contact = [`mailto:${request.email}`];
    const created = await send('new account', url.value, (http) =>
      http.signedRequest(url.value, payload, {
        kid: null,
        includeExternalAccountBinding: input.externalAccountBinding !== null,
      }),
    );
    if (!created.ok) return created;
    const createdAt = header(created.value, 'location');
    if ((created.value.status === 201 || created.value.status === 200) && createdAt !== null) {
      accountUrl = createdAt;
      return ok(createdAt);
    }
    // Without agreement a CA's refusal is about its terms, whatever type it picks (Boulder says `malformed`); a
    // refused External Account Binding is `unauthorized`. Both need the user, not a retry.
    const more = [`${acmeError}unauthorized`, ...(request.termsAgreed ? [] : [`${acmeError}malformed`])];
    const refused = answerFailure('new account', created.value, clock.now(), more);
    return fail(
      request.termsAgreed || refused.kind !== 'config'
        ? refused
        : { ...refused, message: `${refused.message} — the CA's terms of service were not agreed` },
    );
  }

  function needAccount(what: string): AcmeResult<string> {
    return accountUrl === null
      ? fail(failure('config', `${what}: no ACME account yet (ensureAccount first)`))
      : ok(accountUrl);
  }

  function toOrder(url: string, body: OrderBody): AcmeOrder {
    return {
      url,
      status: body.status,
      authorizations: body.authorizations,
      finalize: body.finalize,
      raw: body,
    };
  }

  async function newOrder(request: {
    readonly names: readonly string[];
    readonly replaces?: string;
  }): Promise<AcmeResult<AcmeOrder>> {
    const account = needAccount('new order');
    if (!account.ok) return account;
    const url = await resource('newOrder');
    if (!url.ok) return url;
    const payload: Record<string, unknown> = {
      identifiers: request.names.map((value) => ({ type: 'dns', value })),
    };
    // RFC 9773 §5: `replaces` only to a CA that speaks ARI; another CA may refuse an unknown field.
    if (request.replaces !== undefined && directoryCache?.parsed.renewalInfo != null) {
      payload.replaces = request.replaces;
    }
    const got = await signed('new order', url.value, payload);
    if (!got.ok) return got;
    const location = header(got.value, 'location');
    if (got.value.status !== 201) return fail(answerFailure('new order', got.value, clock.now()));
    const body = orderSchema.safeParse(got.value.data);
    if (location === null || !body.success) {
      return fail(failure('transient', 'new order: the CA answered without an order or its URL'));
    }
    return ok(toOrder(location, body.data));
  }

  async function fetchAuthorization(url: string): Promise<AcmeResult<z.infer<typeof authorizationSchema>>> {
    const got = await signed('authorization', url, null);
    if (!got.ok) return got;
    if (got.value.status !== 200) return fail(answerFailure('authorization', got.value, clock.now()));
    const body = authorizationSchema.safeParse(got.value.data);
    if (!body.success) return fail(failure('transient', `authorization ${url}: not an authorization`));
    return ok(body.data);
  }

  async function authorizations(order: AcmeOrder): Promise<AcmeResult<readonly AcmeAuthorization[]>> {
    const account = needAccount('authorizations');
    if (!account.ok) return account;
    const list: AcmeAuthorization[] = [];
    for (const url of order.authorizations) {
      const got = await fetchAuthorization(url);
      if (!got.ok) return got;
      const body = got.value;
      list.push({
        url,
        name: body.identifier.value,
        wildcard: body.wildcard ?? false,
        status: body.status,
        challenges: body.challenges.map((c) => ({
          type: c.type,
          url: c.url,
          token: c.token,
          status: c.status,
        })),
      });
    }
    return ok(list);
  }

  async function challengeValue(
    _authorization: AcmeAuthorization,
    challenge: AcmeChallenge,
  ): Promise<AcmeResult<string>> {
    if (challenge.type !== 'http-01' && challenge.type !== 'dns-01') {
      return fail(failure('config', `challenge type ${challenge.type} is not supported`));
    }
    const loaded = await acmeHttp();
    if (!loaded.ok) return loaded;
    // acme-client: HTTP-01 the key authorization (RFC 8555 §8.3); DNS-01 its SHA-256, base64url (§8.4).
    const value = await loaded.value.client.getChallengeKeyAuthorization({
      type: challenge.type,
      url: challenge.url,
      token: challenge.token,
      status: challenge.status as 'pending',
    });
    return ok(value);
  }

  async function answer(challenge: AcmeChallenge): Promise<AcmeResult<void>> {
    const account = needAccount('challenge');
    if (!account.ok) return account;
    const got = await signed(`${challenge.type} challenge`, challenge.url, {});
    if (!got.ok) return got;
    if (got.value.status !== 200) {
      return fail(answerFailure(`${challenge.type} challenge`, got.value, clock.now()));
    }
    return ok(undefined);
  }

  /**
   * Polls until `check` settles: waits `pollMinMs`, doubling to `pollMaxMs`, or what Retry-After says, within
   * `pollBudgetMs`; past the budget a `transient` failure (with the CA's Retry-After when that is what ran out).
   */
  async function poll<T>(
    what: string,
    check: () => Promise<AcmeResult<{ done: T } | { wait: number | null }>>,
  ): Promise<AcmeResult<T>> {
    let waited = 0;
    let delay = timings.pollMinMs;
    for (;;) {
      const result = await check();
      if (!result.ok) return result;
      if ('done' in result.value) return ok(result.value.done);
      const asked = result.value.wait;
      const next = asked === null ? delay : Math.max(asked, timings.pollMinMs);
      if (waited + next > timings.pollBudgetMs) {
        return fail(
          failure('transient', `${what}: still pending after ${Math.round(waited / 1000)} s`, {
            ...(asked === null ? {} : { retryAfterMs: asked }),
          }),
        );
      }
      await clock.sleep(next);
      waited += next;
      delay = Math.min(delay * 2, timings.pollMaxMs);
    }
  }

  async function waitValid(authorization: AcmeAuthorization): Promise<AcmeResult<void>> {
    const account = needAccount('authorization');
    if (!account.ok) return account;
    const what = `authorization of ${authorization.name}`;
    return poll<undefined>(what, async () => {
      const got = await signed('authorization', authorization.url, null);
      if (!got.ok) return got;
      if (got.value.status !== 200) return fail(answerFailure(what, got.value, clock.now()));
      const body = authorizationSchema.safeParse(got.value.data);
      if (!body.success) return fail(failure('transient', `${what}: not an authorization`));
      const { status, challenges } = body.data;
      if (status === 'valid') return ok({ done: undefined });
      if (status === 'pending' || status === 'processing') {
        return ok({ wait: parseRetryAfter(header(got.value, 'retry-after'), clock.now()) });
      }
      const failed = challenges.find((c) => c.error !== undefined);
      if (status === 'invalid' && failed?.error) {
        return fail(
          failure('challenge', `${failed.type} for ${authorization.name}: ${problemText(failed.error)}`, {
            acmeType: failed.error.type,
          }),
        );
      }
      return fail(failure(status === 'invalid' ? 'challenge' : 'rejected', `${what} is ${status}`));
    });
  }

  async function finalize(order: AcmeOrder, csrPem: string): Promise<AcmeResult<string>> {
    const account = needAccount('finalize');
    if (!account.ok) return account;
    const sent = await signed('finalize', order.finalize, { csr: pemToBase64url(csrPem) });
    if (!sent.ok) return sent;
    if (sent.value.status !== 200) return fail(answerFailure('finalize', sent.value, clock.now()));
    const what = `order ${order.url}`;
    const ready = await poll<string>(what, async () => {
      const got = await signed('order', order.url, null);
      if (!got.ok) return got;
      if (got.value.status !== 200) return fail(answerFailure(what, got.value, clock.now()));
      const body = orderSchema.safeParse(got.value.data);
      if (!body.success) return fail(failure('transient', `${what}: not an order`));
      const { status, certificate, error } = body.data;
      if (status === 'valid' && certificate !== undefined) return ok({ done: certificate });
      if (status === 'processing' || status === 'ready' || status === 'valid') {
        return ok({ wait: parseRetryAfter(header(got.value, 'retry-after'), clock.now()) });
      }
      return fail(failure('rejected', `${what} is ${status}${error ? `: ${problemText(error)}` : ''}`));
    });
    if (!ready.ok) return ready;
    const got = await signed('certificate', ready.value, null);
    if (!got.ok) return got;
    if (got.value.status !== 200) return fail(answerFailure('certificate', got.value, clock.now()));
    const pem = typeof got.value.data === 'string' ? got.value.data : '';
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      return fail(failure('transient', 'certificate: the CA answered without a PEM chain'));
    }
    return ok(pem);
  }

  async function renewalInfo(certId: string): Promise<AcmeResult<RenewalInfo | undefined>> {
    const dir = await directory();
    if (!dir.ok) return dir;
    if (dir.value.renewalInfo === null) return ok(undefined);
    // RFC 9773 §4.1: an unauthenticated GET of <renewalInfo>/<certID>.
    const url = `${dir.value.renewalInfo.replace(/\/+$/, '')}/${certId}`;
    const what = 'renewal information';
    const got = await send(what, url, (http) => http.request(url, 'get'));
    if (!got.ok) return got;
    if (got.value.status !== 200) return fail(answerFailure(what, got.value, clock.now()));
    const window = parseRenewalInfo(got.value.data);
    if (!window.ok) return fail(failure('transient', `${what}: ${window.error}`));
    return ok({
      ...window.value,
      retryAfterMs: parseRetryAfter(header(got.value, 'retry-after'), clock.now()),
    });
  }

  return {
    directory,
    ensureAccount,
    newOrder,
    authorizations,
    challengeValue,
    answer,
    waitValid,
    finalize,
    renewalInfo,
  };
}

/**
 * A new private key and a CSR for `names` (PEM), by acme-client's crypto (loaded on first use). The common name is
 * the first name that is no wildcard and fits the 64 characters X.509 allows; every name is a SAN.
 */
export async function createCertificateKeyAndCsr(input: {
  readonly names: readonly string[];
  readonly keyType: 'ecdsa-p256' | 'rsa-2048';
}): Promise<{ readonly keyPem: string; readonly csrPem: string }> {
  const acme = await import('acme-client');
  const key =
    input.keyType === 'ecdsa-p256'
      ? await acme.crypto.createPrivateEcdsaKey('P-256')
      : await acme.crypto.createPrivateRsaKey(2048);
  const commonName = input.names.find((n) => !n.startsWith('*.') && n.length <= 64);
  const [, csr] = await acme.crypto.createCsr(
    { ...(commonName === undefined ? {} : { commonName }), altNames: [...input.names] },
    key,
  );
  return { keyPem: key.toString(), csrPem: csr.toString() };
}

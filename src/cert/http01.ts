/**
 * @module HTTP-01 (RFC 8555 §8.3) on Gatehouse's own port-80 listener: the registry of tokens being validated and
 * the pure planner that turns one request into its answer — the key authorization for a registered token, a
 * redirect to the HTTPS UI for everything else, and nothing that reads a body or reflects an unchecked Host.
 */
import { isIP } from 'node:net';
import { fail, ok, type Outcome } from '../core/outcome.js';

/** Where the CA looks for the key authorization (RFC 8555 §8.3). */
export const challengePathPrefix = '/.well-known/acme-challenge/';

/**
 * The longest request target answered; a longer one gets 414. The listener's header limit (8 KiB, which the request
 * line counts towards) stops far longer ones before they reach the planner.
 */
export const maxTargetLength = 4096;

/** The longest token accepted: CAs send 43 characters (32 random bytes); the bound keeps lookups and keys small. */
export const maxTokenLength = 256;

/** A token is base64url without padding (RFC 8555 §8.3, RFC 4648 §5): also what makes it safe in a path. */
const tokenPattern = /^[A-Za-z0-9_-]+$/;

/** Whether `text` can be an ACME token: base64url characters only, 1 to {@link maxTokenLength} of them. */
export function isChallengeToken(text: string): boolean {
  return text.length <= maxTokenLength && tokenPattern.test(text);
}

// ---- the registry -------------------------------------------------------------------------------------------------

/** What the listener needs: the key authorization of a token, undefined when none is registered. */
export interface Http01TokenLookup {
  lookup(token: string): string | undefined;
}

/**
 * The tokens the listener serves. A token registered twice (the same challenge presented twice) stays until it is
 * unregistered as often; the same token with another value is refused, as it would mean two CAs' answers collide.
 */
export interface Http01Registry extends Http01TokenLookup {
  /** Refuses a token that is not base64url, and a value that is not `<token>.<thumbprint>` (RFC 8555 §8.1). */
  register(token: string, keyAuthorization: string): Outcome<void, string>;
  /** Removes one registration; a token not registered is ignored (clean-up is called whatever happened). */
  unregister(token: string): void;
  /** How many distinct tokens are served (for status and tests). */
  size(): number;
}

export function createHttp01Registry(): Http01Registry {
  const tokens = new Map<string, { value: string; count: number }>();
  return {
    register(token, keyAuthorization) {
      if (!isChallengeToken(token)) return fail('the challenge token is not base64url (RFC 8555 §8.3)');
      const prefixed = keyAuthorization.startsWith(`${token}.`);
      // Stryker disable next-line StringLiteral: without the token's prefix any text is refused, not only ''
      const thumbprint = prefixed ? keyAuthorization.slice(token.length + 1) : '';
      // The thumbprint is a SHA-256 digest in base64url: 43 characters.
      if (!/^[A-Za-z0-9_-]{43}$/.test(thumbprint))
        return fail('the key authorization is not "<token>.<account key thumbprint>" (RFC 8555 §8.1)');
      const held = tokens.get(token);
      if (held !== undefined && held.value !== keyAuthorization)
        return fail('the challenge token is already registered with another key authorization');
      tokens.set(token, { value: keyAuthorization, count: (held?.count ?? 0) + 1 });
      return ok(undefined);
    },
    unregister(token) {
      const held = tokens.get(token);
      if (held === undefined) return;
      if (held.count > 1) tokens.set(token, { value: held.value, count: held.count - 1 });
      else tokens.delete(token);
    },
    lookup(token) {
      return tokens.get(token)?.value;
    },
    size() {
      return tokens.size;
    },
  };
}

// ---- the listener's state (shared by the adapter and the solver) ----------------------------------------------------

/** Why the listener could not start, with what to do about it (shown on the certificate page). */
export interface Http01ListenFailure {
  readonly code:
    'http01.permission-denied' | 'http01.port-in-use' | 'http01.no-such-address' | 'http01.listen-failed';
  readonly message: string;
  readonly remedy: string;
}

export type Http01ListenerStatus =
  | { readonly state: 'stopped' }
  | { readonly state: 'listening'; readonly host: string; readonly port: number }
  | { readonly state: 'failed'; readonly failure: Http01ListenFailure };

/** What the solver asks of the listener: whether it runs, and why not. */
export interface Http01Listener {
  status(): Http01ListenerStatus;
}

const setting = 'acme.http01.listen';

/** `host:port` as a person writes it: an IPv6 address in brackets (`[::]:80`). */
export function formatListen(listen: { readonly host: string; readonly port: number }): string {
  return `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
}

/**
 * Where to listen instead after a listen error (Node's `code`), or undefined. Only the dual-stack wildcard falls
 * back: `[::]` (the default, IPv6 and IPv4 on one socket, so a CA that prefers the name's AAAA record reaches the
 * box as well as one using its A record) becomes `0.0.0.0` where the kernel has no IPv6 at all (EAFNOSUPPORT:
 * booted with ipv6.disable=1, some containers). An address set by hand never changes.
 */
export function listenFallback(
  listen: { readonly host: string; readonly port: number },
  code: string | undefined,
): { host: string; port: number } | undefined {
  return listen.host === '::' && code === 'EAFNOSUPPORT' ? { host: '0.0.0.0', port: listen.port } : undefined;
}

/** The start failure for a listen error (Node's `code`), naming the setting and what to do about it. */
export function describeListenError(
  error: { readonly code?: string; readonly message: string },
  listen: { readonly host: string; readonly port: number },
): Http01ListenFailure {
  const where = formatListen(listen);
  const code = error.code ?? '';
  if (code === 'EACCES')
    return {
      code: 'http01.permission-denied',
      message: `cannot listen on ${where} for ACME HTTP-01: permission denied (${setting})`,
      remedy:
        'ports below 1024 need CAP_NET_BIND_SERVICE: the systemd unit grants it with ' +
        'AmbientCapabilities=CAP_NET_BIND_SERVICE (packaging/gatehouse.service); or use DNS-01',
    };
  if (code === 'EADDRINUSE')
    return {
      code: 'http01.port-in-use',
      message: `cannot listen on ${where} for ACME HTTP-01: another program (a web server?) uses port ${listen.port} (${setting})`,
      remedy:
        'stop that program or move it to another port (`ss -ltnp` shows which one it is), or use DNS-01; ' +
        'a reverse proxy in front of Gatehouse can instead pass /.well-known/acme-challenge/ to another port set here',
    };
  if (code === 'EADDRNOTAVAIL')
    return {
      code: 'http01.no-such-address',
      message: `cannot listen on ${where} for ACME HTTP-01: this machine has no such address (${setting})`,
      remedy: 'use one of its own addresses, 0.0.0.0 or [::]',
    };
  return {
    code: 'http01.listen-failed',
    message: `cannot listen on ${where} for ACME HTTP-01: ${code || error.message} (${setting})`,
    remedy: `check ${setting}`,
  };
}

// ---- the planner --------------------------------------------------------------------------------------------------

export interface Http01Request {
  /** As sent (methods are case-sensitive: `get` is not GET). */
  readonly method: string;
  /** The request target as sent: origin-form `/path?query`, or absolute-form `http://host/path`. */
  readonly target: string;
  /** Every Host header line's value, in order (more than one is an error, RFC 9112 §3.2). */
  readonly hosts: readonly string[];
}

export interface Http01Response {
  readonly status: 200 | 301 | 400 | 404 | 405 | 414;
  /** Lower-case names; the adapter adds Content-Length and Connection. */
  readonly headers: Readonly<Record<string, string>>;
  /** Sent for GET; HEAD gets the same headers and no body. */
  readonly body: string;
}

export interface Http01Context {
  readonly tokens: Http01TokenLookup;
  /** The port of the HTTPS UI as browsers reach it; left out of the redirect when it is 443. */
  readonly httpsPort: number;
}

function text(
  status: Http01Response['status'],
  body: string,
  extra: Record<string, string> = {},
): Http01Response {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra },
    body: `${body}\n`,
  };
}

/**
 * The answer to one request. In order:
 * 1. a method other than GET or HEAD → 405 (nothing here takes a body, and none is read);
 * 2. a target longer than {@link maxTargetLength} → 414; one in no form this server takes → 400;
 * 3. a path under `/.well-known/acme-challenge/` → 200 with the key authorization of a registered token, else 404.
 *    The Host does not matter here: the token names the challenge, and nothing of the request is echoed. Paths
 *    under the prefix that hold no token are 404 too, not redirected: the HTTPS UI has nothing to serve there;
 * 4. anything else → 301 to `https://<host>[:<httpsPort>]<target>`, the host taken from the Host header (or the
 *    absolute-form target, RFC 9112 §3.2.2) only when it is a valid name or address — else 400. 301 rather than
 *    308: only GET and HEAD get here, for which the two mean the same, and 301 is understood by every client.
 */
export function planHttp01Response(request: Http01Request, context: Http01Context): Http01Response {
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return text(405, 'only GET and HEAD are answered here', { allow: 'GET, HEAD' });
  if (request.target.length > maxTargetLength) return text(414, 'the request target is too long');
  const target = splitTarget(request.target);
  if (target === undefined) return text(400, 'the request target is not a path');
  if (target.path.startsWith(challengePathPrefix)) {
    const token = target.path.slice(challengePathPrefix.length);
    const value = isChallengeToken(token) ? context.tokens.lookup(token) : undefined;
    if (value === undefined) return text(404, 'no such ACME challenge');
    return {
      status: 200,
      headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
      body: value,
    };
  }
  if (target.authority === undefined && request.hosts.length !== 1)
    return text(400, request.hosts.length === 0 ? 'the Host header is missing' : 'more than one Host header');
  const host = parseRedirectHost(target.authority ?? String(request.hosts[0]));
  if (host === undefined) return text(400, 'the Host header is not a valid host name or address');
  const location = redirectLocation(host, target.path + target.query, context.httpsPort);
  return text(301, 'this site is served over HTTPS', { location });
}

interface Target {
  readonly path: string;
  /** `?…` or empty. */
  readonly query: string;
  /** The host[:port] of an absolute-form target. */
  readonly authority: string | undefined;
}

/** Origin-form (`/a?b`) or absolute-form (`http://host/a?b`, what a proxy sends); undefined for anything else. */
function splitTarget(raw: string): Target | undefined {
  let rest = raw;
  let authority: string | undefined;
  const absolute = /^http:\/\/([^/?#]*)(.*)/is.exec(raw);
  if (absolute !== null) {
    authority = String(absolute[1]);
    rest = String(absolute[2]);
    if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  }
  if (!rest.startsWith('/')) return undefined;
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  const query = q === -1 ? '' : rest.slice(q);
  return { path, query, authority };
}

const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const ldhLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The host of a Host header as it may stand in a URL — lower case, no trailing dot, no port, an IPv6 address in
 * brackets in its short form — or undefined when it is not a host name (letters, digits and hyphens, labels of at
 * most 63, at most 253 in all, not ending in a number, which URLs would read as an IPv4 address), a dotted-quad
 * IPv4 address or a bracketed IPv6 address (without a zone). A port, when present, must be 0–65535.
 */
export function parseRedirectHost(header: string): string | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{0,5}))?$/.exec(header);
  if (m === null) return undefined;
  const host = String(m[1]);
  // No port (NaN) and an empty one (0) pass.
  if (Number(m[2]) > 65535) return undefined;
  if (host.startsWith('[')) {
    const address = host.slice(1, -1);
    // The URL parser writes an IPv6 address in its canonical short form (RFC 5952), lower case.
    return isIP(address) === 6 ? new URL(`http://${host}/`).hostname : undefined;
  }
  if (ipv4.test(host)) return host;
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name.length > 253) return undefined;
  const labels = name.split('.');
  if (!labels.every((label) => ldhLabel.test(label))) return undefined;
  // `1.2.3`, `0x7f`, `example.123`: URLs read a last label that is a number as (part of) an IPv4 address.
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(String(labels.at(-1)))) return undefined;
  return name;
}

/**
 * `https://<host>[:port]<pathAndQuery>`: the port left out when it is 443; every character a URL may not carry as
 * it is percent-encoded, so nothing sent can end the header or change what the Location points at.
 */
export function redirectLocation(host: string, pathAndQuery: string, httpsPort: number): string {
  const port = httpsPort === 443 ? '' : `:${httpsPort}`;
  return `https://${host}${port}${encodeTarget(pathAndQuery)}`;
}

/** Keeps RFC 3986's path and query characters and valid `%XX` escapes; encodes every other character as UTF-8. */
function encodeTarget(target: string): string {
  return target.replace(/%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/gu, (c) =>
    [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

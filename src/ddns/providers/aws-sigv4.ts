/**
 * @module AWS Signature Version 4 for one HTTP request, written out with node:crypto (no SDK): the canonical request,
 * the string to sign, the derived signing key and the Authorization header, as the IAM user guide describes them
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html). Checked against the
 * published Signature Version 4 test suite (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html).
 * Pure: the time is a parameter.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary (STS) credentials carry one; it is sent as X-Amz-Security-Token and signed. */
  readonly sessionToken?: string;
}

/** Where the signature is valid: Route 53 signs with region `us-east-1`, service `route53`. */
export interface AwsScope {
  readonly region: string;
  readonly service: string;
}

export interface RequestToSign {
  readonly method: string;
  /** Absolute URL, query string included, exactly as it will be sent. */
  readonly url: string;
  /** Headers to send and sign besides Host and X-Amz-Date (which the signer adds), e.g. Content-Type. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export const algorithm = 'AWS4-HMAC-SHA256';

export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** `20150830T123600Z`: ISO 8601 basic format, UTC, whole seconds. */
export function amzDate(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/**
 * URI-encodes as SigV4 asks: every byte except the unreserved characters `A-Z a-z 0-9 - . _ ~` as `%XY` with
 * upper-case hex; `/` kept in paths.
 */
export function uriEncode(text: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes a `%XY` sequence where it is one; anything else stays as written (as AWS reads a raw path). */
function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

/** The path, each segment encoded once (`/` for an empty path); the path is not normalised (no `.`/`..` here). */
export function canonicalUri(pathname: string): string {
  if (pathname === '') return '/';
  return pathname
    .split('/')
    .map((segment) => uriEncode(decodeLoosely(segment), false))
    .join('/');
}

/** The query string's parameters encoded, sorted by name then value, joined with `&`. */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith('?') ? search.slice(1) : search;
  return raw
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      return [uriEncode(decodeLoosely(name), false), uriEncode(decodeLoosely(value), false)] as const;
    })
    .sort(([an, av], [bn, bv]) => (an === bn ? compare(av, bv) : compare(an, bn)))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

/** Code-unit order, as AWS sorts (a plain `<` on the encoded ASCII text). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface CanonicalParts {
  readonly canonicalRequest: string;
  readonly signedHeaders: string;
}

/**
 * The canonical request: method, canonical URI, canonical query, the headers (names lower-case, values trimmed with
 * inner runs of spaces made one, sorted by name, each `name:value\n`), the signed header names and the body's hash.
 */
export function canonicalRequest(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: string,
): CanonicalParts {
  const entries = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => compare(a, b));
  const signedHeaders = entries.map(([name]) => name).join(';');
  const canonicalHeaders = entries.map(([name, value]) => `${name}:${value}\n`).join('');
  return {
    canonicalRequest: [
      method.toUpperCase(),
      canonicalUri(url.pathname),
      canonicalQuery(url.search),
      canonicalHeaders,
      signedHeaders,
      sha256Hex(body),
    ].join('\n'),
    signedHeaders,
  };
}

export function credentialScope(date: string, scope: AwsScope): string {
  return `${date}/${scope.region}/${scope.service}/aws4_request`;
}

export function stringToSign(stamp: string, scope: AwsScope, canonical: string): string {
  return [algorithm, stamp, credentialScope(stamp.slice(0, 8), scope), sha256Hex(canonical)].join('\n');
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secretAccessKey: string, date: string, scope: AwsScope): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  return hmac(kService, 'aws4_request');
}

export interface SignedRequest {
  /**
   * Every header to send: the request's own, X-Amz-Date, X-Amz-Security-Token when given, Authorization. Host is
   * signed but not listed: fetch sends it from the URL (the same `host[:port]` text that was signed).
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signature: string;
}

/** Signs a request at `now`: Host and X-Amz-Date (and the session token) are signed with the request's headers. */
export function signRequest(
  request: RequestToSign,
  credentials: AwsCredentials,
  scope: AwsScope,
  now: Date,
): SignedRequest {
  const url = new URL(request.url);
  const stamp = amzDate(now);
  const toSign: Record<string, string> = {
    ...request.headers,
    host: url.host,
    'x-amz-date': stamp,
    ...(credentials.sessionToken === undefined ? {} : { 'x-amz-security-token': credentials.sessionToken }),
  };
  const parts = canonicalRequest(request.method, url, toSign, request.body ?? '');
  const sts = stringToSign(stamp, scope, parts.canonicalRequest);
  const signature = hmac(signingKey(credentials.secretAccessKey, stamp.slice(0, 8), scope), sts).toString(
    'hex',
  );
  const authorization =
    `${algorithm} Credential=${credentials.accessKeyId}/${credentialScope(stamp.slice(0, 8), scope)}, ` +
    `SignedHeaders=${parts.signedHeaders}, Signature=${signature}`;
  const { host: _host, ...send } = toSign;
  return {
    headers: { ...send, authorization },
    canonicalRequest: parts.canonicalRequest,
    stringToSign: sts,
    signature,
  };
}

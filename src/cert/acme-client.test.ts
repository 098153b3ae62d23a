// The ACME CA adapter against a scripted CA on loopback (plain HTTP): the failure mapping of every answer the bed's
// pebble cannot be made to give, polling with Retry-After, and the request bodies. The real CA is in
// test/e2e/acme-ca.test.ts.
import { createHash, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../core/clock.js';
import { createAcmeCaFactory, createCertificateKeyAndCsr } from './acme-client.js';
import type { AcmeCa, AcmeOrder } from './ports.js';

const accountKeyPem = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
interface Seen {
  method: string;
  path: string;
  payload: unknown;
  kid: string | undefined;
}
type Route = (seen: Seen) => Answer;

const problem = (type: string, detail: string, status = 400): Answer => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: { type: `urn:ietf:params:acme:error:${type}`, detail },
});

/** A scripted CA: each path answers from its route; a route given a list answers its items in turn, then the last. */
class ScriptedCa {
  readonly seen: Seen[] = [];
  private readonly routes = new Map<string, Route | Answer[]>();
  private server: http.Server | undefined;
  base = '';
  ari = true;

  constructor() {
    this.route('/dir', () => ({
      status: 200,
      body: {
        newNonce: `${this.base}/nonce`,
        newAccount: `${this.base}/new-account`,
        newOrder: `${this.base}/new-order`,
        ...(this.ari ? { renewalInfo: `${this.base}/ari/` } : {}),
        meta: { termsOfService: `${this.base}/terms`, externalAccountRequired: false },
      },
    }));
    this.route('/nonce', () => ({ status: 200 }));
    this.route('/new-account', (s) =>
      (s.payload as { onlyReturnExisting?: boolean }).onlyReturnExisting
        ? problem('accountDoesNotExist', 'no account for this key')
        : { status: 201, headers: { location: `${this.base}/acct/1` }, body: { status: 'valid' } },
    );
    this.route('/new-order', () => ({
      status: 201,
      headers: { location: `${this.base}/order/1` },
      body: this.order('pending'),
    }));
  }

  order(status: string, extra: object = {}): object {
    return {
      status,
      authorizations: [`${this.base}/authz/1`],
      finalize: `${this.base}/finalize/1`,
      ...extra,
    };
  }

  authz(status: string, extra: object = {}): object {
    return {
      status,
      identifier: { type: 'dns', value: 'home.example.test' },
      challenges: [
        { type: 'http-01', url: `${this.base}/chall/1`, token: 'tok-1', status: 'pending', ...extra },
        { type: 'dns-01', url: `${this.base}/chall/2`, token: 'tok-1', status: 'pending' },
      ],
    };
  }

  route(path: string, answer: Route | Answer[]): void {
    this.routes.set(path, answer);
  }

  paths(): string[] {
    return this.seen.map((s) => `${s.method} ${s.path}`);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        let payload: unknown = null;
        let kid: string | undefined;
        if (req.method === 'POST') {
          const jws = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            payload: string;
            protected: string;
          };
          payload =
            jws.payload === '' ? null : JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8'));
          kid = (JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')) as { kid?: string })
            .kid;
        }
        const seen = { method: req.method ?? '', path, payload, kid };
        if (req.method !== 'HEAD') this.seen.push(seen);
        const route: Route | Answer[] = this.routes.get(path) ?? (() => ({ status: 404, body: 'not found' }));
        const answer: Answer | undefined = Array.isArray(route)
          ? route.length > 1
            ? route.shift()
            : route[0]
          : route(seen);
        const body = answer?.body;
        const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
        res.writeHead(answer?.status ?? 500, {
          'replay-nonce': `n${this.seen.length}`,
          'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
          ...answer?.headers,
        });
        res.end(req.method === 'HEAD' ? undefined : text);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A clock whose sleeps end at once and are written down. */
function recordingClock(): Clock & { slept: number[] } {
  let now = Date.parse('2026-03-01T00:00:00Z');
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

let ca: ScriptedCa;
let clock: ReturnType<typeof recordingClock>;

function adapter(
  options: { accountUrl?: string; caBundlePem?: string | null; timeoutMs?: number } = {},
): AcmeCa {
  return createAcmeCaFactory({
    clock,
    timings: options.timeoutMs === undefined ? {} : { requestTimeoutMs: options.timeoutMs },
  })({
    directoryUrl: `${ca.base}/dir`,
    accountKeyPem,
    accountUrl: options.accountUrl ?? null,
    externalAccountBinding: null,
    caBundlePem: options.caBundlePem ?? null,
  });
}

async function withAccount(): Promise<AcmeCa> {
  const acme = adapter({ accountUrl: `${ca.base}/acct/1` });
  return Promise.resolve(acme);
}

const order = (): AcmeOrder => ({
  url: `${ca.base}/order/1`,
  status: 'pending',
  authorizations: [`${ca.base}/authz/1`],
  finalize: `${ca.base}/finalize/1`,
  raw: null,
});

beforeEach(async () => {
  ca = new ScriptedCa();
  clock = recordingClock();
  await ca.start();
});
afterEach(async () => {
  await ca.stop();
});

describe('directory', () => {
  it('reads the directory once, with renewalInfo and the terms', async () => {
    const acme = adapter();
    const expected = {
      ok: true,
      value: {
        url: `${ca.base}/dir`,
        termsOfService: `${ca.base}/terms`,
        website: null,
        externalAccountRequired: false,
        renewalInfo: `${ca.base}/ari/`,
      },
    };
    expect(await acme.directory()).toEqual(expected);
    expect(await acme.directory()).toEqual(expected);
    expect(ca.paths()).toEqual(['GET /dir']);
  });

  it.each([
    ['HTTP 404', { status: 404, body: 'no' }, 'config', 'HTTP 404; is this the directory URL?'],
    ['a page that is no directory', { status: 200, body: '<html>' }, 'config', 'not an ACME directory'],
    [
      'JSON without newOrder',
      { status: 200, body: { newNonce: 'http://x/n', newAccount: 'http://x/a' } },
      'config',
      'not an ACME directory',
    ],
    ['HTTP 503', { status: 503, body: 'busy' }, 'transient', 'the CA failed: HTTP 503'],
  ])('%s → %s', async (_name, answer, kind, message) => {
    ca.route('/dir', [answer]);
    const got = await adapter().directory();
    expect(got).toMatchObject({ ok: false, error: { kind } });
    if (!got.ok) expect(got.error.message).toContain(message);
  });

  it('a closed port is unreachable, with the host named', async () => {
    const base = ca.base;
    await ca.stop();
    const got = await createAcmeCaFactory({ clock })({
      directoryUrl: `${base}/dir`,
      accountKeyPem,
      accountUrl: null,
      externalAccountBinding: null,
      caBundlePem: null,
    }).directory();
    expect(got).toEqual({
      ok: false,
      error: {
        kind: 'unreachable',
        message: `ACME directory ${base}/dir: cannot reach ${base.slice('http://'.length)}: connection refused`,
      },
    });
    ca = new ScriptedCa();
    await ca.start();
  });

  it('a CA that does not answer in time is unreachable (timed out)', async () => {
    ca.route('/dir', () => ({ status: 200, body: 'never sent' }));
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const got = await createAcmeCaFactory({ clock, timings: { requestTimeoutMs: 100 } })({
        directoryUrl: `http://127.0.0.1:${port}/dir`,
        accountKeyPem,
        accountUrl: null,
        externalAccountBinding: null,
        caBundlePem: null,
      }).directory();
      expect(got).toMatchObject({
        ok: false,
        error: { kind: 'unreachable', message: expect.stringContaining('timed out') },
      });
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it.each(['acme.example.test/dir', 'ftp://acme.example.test/dir', 'https://'])(
    'a directory URL that is no http(s) URL (%s) is a configuration error before any request',
    async (directoryUrl) => {
      const got = await createAcmeCaFactory({ clock })({
        directoryUrl,
        accountKeyPem,
        accountUrl: null,
        externalAccountBinding: null,
        caBundlePem: null,
      }).directory();
      expect(got).toEqual({
        ok: false,
        error: { kind: 'config', message: `the directory URL ${directoryUrl} is no http(s) URL` },
      });
    },
  );

  it('TLS spoken to a plain-HTTP port is unreachable (a TLS error), not a crash', async () => {
    const got = await createAcmeCaFactory({ clock })({
      directoryUrl: `${ca.base.replace('http:', 'https:')}/dir`,
      accountKeyPem,
      accountUrl: null,
      externalAccountBinding: null,
      caBundlePem: null,
    }).directory();
    expect(got).toMatchObject({
      ok: false,
      error: { kind: 'unreachable', message: expect.stringMatching(/ERR_SSL_|EPROTO|TLS/) },
    });
  });

  it('an extra CA bundle without a certificate is a configuration error before any request', async () => {
    const got = await adapter({ caBundlePem: 'not a certificate' }).directory();
    expect(got).toEqual({
      ok: false,
      error: { kind: 'config', message: 'the extra CA bundle holds no PEM certificate that can be read' },
    });
    expect(ca.seen).toEqual([]);
  });
});

describe('ensureAccount', () => {
  it('looks the key up first, then creates the account with the contact and the agreement', async () => {
    const acme = adapter();
    expect(await acme.ensureAccount({ email: 'me@example.test', termsAgreed: true })).toEqual({
      ok: true,
      value: `${ca.base}/acct/1`,
    });
    expect(ca.seen.filter((s) => s.method === 'POST')).toEqual([
      { method: 'POST', path: '/new-account', payload: { onlyReturnExisting: true }, kid: undefined },
      {
        method: 'POST',
        path: '/new-account',
        payload: { termsOfServiceAgreed: true, contact: ['mailto:me@example.test'] },
        kid: undefined,
      },
    ]);
    // Known from now on: no second lookup.
    expect(await acme.ensureAccount({ email: null, termsAgreed: true })).toEqual({
      ok: true,
      value: `${ca.base}/acct/1`,
    });
    expect(ca.seen.filter((s) => s.method === 'POST')).toHaveLength(2);
  });

  it('an account the lookup finds is not created again; no contact without an email', async () => {
    ca.route('/new-account', [
      { status: 200, headers: { location: `${ca.base}/acct/7` }, body: { status: 'valid' } },
    ]);
    expect(await adapter().ensureAccount({ email: null, termsAgreed: true })).toEqual({
      ok: true,
      value: `${ca.base}/acct/7`,
    });
    expect(ca.paths()).toEqual(['GET /dir', 'GET /dir', 'POST /new-account']); // acme-client reads the directory once more itself
  });

  it('a known account URL needs no request', async () => {
    expect(
      await adapter({ accountUrl: 'http://ca/acct/9' }).ensureAccount({ email: null, termsAgreed: true }),
    ).toEqual({
      ok: true,
      value: 'http://ca/acct/9',
    });
    expect(ca.seen).toEqual([]);
  });

  it.each([
    [
      'malformed without agreement (as Boulder says it)',
      false,
      problem('malformed', 'must agree to terms'),
      'config',
      / — the CA's terms of service were not agreed$/,
    ],
    [
      'malformed with agreement',
      true,
      problem('malformed', 'bad contact'),
      'rejected',
      /^new account: bad contact \(malformed\)$/,
    ],
    [
      'unauthorized (a refused EAB)',
      true,
      problem('unauthorized', 'bad MAC', 401),
      'config',
      /bad MAC \(unauthorized\)/,
    ],
    ['invalidContact', true, problem('invalidContact', 'no such domain'), 'config', /no such domain/],
    [
      'a 201 without a Location',
      true,
      { status: 201, body: {} },
      'transient',
      /no ACME problem document \(HTTP 201\)/,
    ],
  ])('creation refused: %s → %s', async (_name, termsAgreed, answer, kind, message) => {
    ca.route('/new-account', [problem('accountDoesNotExist', 'none'), answer]);
    const got = await adapter().ensureAccount({ email: null, termsAgreed });
    expect(got).toMatchObject({ ok: false, error: { kind } });
    if (!got.ok) expect(got.error.message).toMatch(message);
  });

  it('a lookup that fails otherwise is that failure (no creation)', async () => {
    ca.route('/new-account', [problem('serverInternal', 'db down', 500)]);
    expect(await adapter().ensureAccount({ email: null, termsAgreed: true })).toMatchObject({
      ok: false,
      error: { kind: 'transient', acmeType: 'urn:ietf:params:acme:error:serverInternal' },
    });
    expect(ca.paths()).toEqual(['GET /dir', 'GET /dir', 'POST /new-account']); // acme-client reads the directory once more itself
  });
});

describe('newOrder', () => {
  it('needs the account first', async () => {
    expect(await adapter().newOrder({ names: ['a.example.test'] })).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('ensureAccount first') },
    });
  });

  it('sends the identifiers and `replaces` to a CA with renewalInfo, signed with the account URL', async () => {
    const acme = await withAccount();
    const got = await acme.newOrder({
      names: ['home.example.test', '*.home.example.test'],
      replaces: 'abc.def',
    });
    expect(got).toEqual({ ok: true, value: { ...order(), raw: ca.order('pending') } });
    expect(ca.seen.at(-1)).toEqual({
      method: 'POST',
      path: '/new-order',
      kid: `${ca.base}/acct/1`,
      payload: {
        identifiers: [
          { type: 'dns', value: 'home.example.test' },
          { type: 'dns', value: '*.home.example.test' },
        ],
        replaces: 'abc.def',
      },
    });
  });

  it('leaves `replaces` out for a CA without renewalInfo', async () => {
    ca.ari = false;
    await (await withAccount()).newOrder({ names: ['home.example.test'], replaces: 'abc.def' });
    expect(ca.seen.at(-1)?.payload).toEqual({ identifiers: [{ type: 'dns', value: 'home.example.test' }] });
  });

  it.each([
    [
      'rateLimited with Retry-After',
      {
        ...problem('rateLimited', 'slow down', 429),
        headers: { 'content-type': 'application/problem+json', 'retry-after': '3600' },
      },
      { kind: 'rate-limited', retryAfterMs: 3_600_000, acmeType: 'urn:ietf:params:acme:error:rateLimited' },
    ],
    [
      'a bare 429',
      { status: 429, body: 'busy' },
      { kind: 'rate-limited', message: 'new order: rate limited by the CA: HTTP 429' },
    ],
    ['rateLimited with another status', problem('rateLimited', 'slow down', 403), { kind: 'rate-limited' }],
    ['rejectedIdentifier', problem('rejectedIdentifier', 'no .test names'), { kind: 'config' }],
    ['caa', problem('caa', 'CAA forbids', 403), { kind: 'config' }],
    [
      'alreadyReplaced',
      problem('alreadyReplaced', 'renewed already', 409),
      { kind: 'rejected', acmeType: 'urn:ietf:params:acme:error:alreadyReplaced' },
    ],
    [
      'badNonce after acme-client’s retries',
      problem('badNonce', 'stale'),
      { kind: 'transient', acmeType: 'urn:ietf:params:acme:error:badNonce' },
    ],
    [
      'a 503 with Retry-After',
      { status: 503, headers: { 'retry-after': '30' }, body: 'down' },
      { kind: 'transient', retryAfterMs: 30_000 },
    ],
    [
      'a problem with subproblems',
      {
        status: 400,
        body: {
          type: 'urn:ietf:params:acme:error:compound',
          detail: 'two',
          subproblems: [{ detail: 'bad', identifier: { value: 'x.test' } }, {}],
        },
      },
      { kind: 'rejected', message: 'new order: two [x.test: bad] (compound)' },
    ],
    [
      'a problem of another namespace',
      { status: 400, body: { type: 'about:blank' } },
      { kind: 'rejected', message: 'new order: (no detail) (about:blank)' },
    ],
    [
      '201 without an order',
      { status: 201, headers: { location: 'http://x/o' }, body: { nope: 1 } },
      { kind: 'transient', message: 'new order: the CA answered without an order or its URL' },
    ],
  ])('%s', async (_name, answer, error) => {
    ca.route('/new-order', [answer]);
    expect(await (await withAccount()).newOrder({ names: ['x.test'] })).toMatchObject({ ok: false, error });
  });
});

describe('authorizations, challenges and waitValid', () => {
  it('lists the authorizations with their challenges; a wildcard is flagged', async () => {
    ca.route('/authz/1', [{ status: 200, body: { ...ca.authz('pending'), wildcard: true } }]);
    expect(await (await withAccount()).authorizations(order())).toEqual({
      ok: true,
      value: [
        {
          url: `${ca.base}/authz/1`,
          name: 'home.example.test',
          wildcard: true,
          status: 'pending',
          challenges: [
            { type: 'http-01', url: `${ca.base}/chall/1`, token: 'tok-1', status: 'pending' },
            { type: 'dns-01', url: `${ca.base}/chall/2`, token: 'tok-1', status: 'pending' },
          ],
        },
      ],
    });
  });

  it('a garbled authorization is transient', async () => {
    ca.route('/authz/1', [{ status: 200, body: { status: 'pending' } }]);
    expect(await (await withAccount()).authorizations(order())).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
  });

  it('challenge values: HTTP-01 the key authorization, DNS-01 its SHA-256 (base64url)', async () => {
    const acme = await withAccount();
    const authz = { url: '', name: 'home.example.test', wildcard: false, status: 'pending', challenges: [] };
    const http01 = await acme.challengeValue(authz, {
      type: 'http-01',
      url: '',
      token: 'tok-1',
      status: 'pending',
    });
    const dns01 = await acme.challengeValue(authz, {
      type: 'dns-01',
      url: '',
      token: 'tok-1',
      status: 'pending',
    });
    const { createPublicKey } = await import('node:crypto');
    const jwk = createPublicKey(accountKeyPem).export({ format: 'jwk' });
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
      .digest('base64url');
    expect(http01).toEqual({ ok: true, value: `tok-1.${thumbprint}` });
    expect(dns01).toEqual({
      ok: true,
      value: createHash('sha256').update(`tok-1.${thumbprint}`).digest('base64url'),
    });
    expect(
      await acme.challengeValue(authz, { type: 'tls-alpn-01', url: '', token: 't', status: 'pending' }),
    ).toEqual({
      ok: false,
      error: { kind: 'config', message: 'challenge type tls-alpn-01 is not supported' },
    });
  });

  it('answers a challenge with an empty object', async () => {
    ca.route('/chall/1', [{ status: 200, body: { status: 'processing' } }]);
    const acme = await withAccount();
    expect(
      await acme.answer({ type: 'http-01', url: `${ca.base}/chall/1`, token: 't', status: 'pending' }),
    ).toEqual({
      ok: true,
      value: undefined,
    });
    expect(ca.seen.at(-1)).toMatchObject({ path: '/chall/1', payload: {} });
    ca.route('/chall/2', [problem('malformed', 'no')]);
    expect(
      await acme.answer({ type: 'dns-01', url: `${ca.base}/chall/2`, token: 't', status: 'pending' }),
    ).toMatchObject({
      ok: false,
      error: { kind: 'rejected', message: 'dns-01 challenge: no (malformed)' },
    });
  });

  const authzOf = () => ({
    url: `${ca.base}/authz/1`,
    name: 'home.example.test',
    wildcard: false,
    status: 'pending',
    challenges: [],
  });

  it('polls: Retry-After when the CA sends one, otherwise a doubling backoff from 250 ms', async () => {
    ca.route('/authz/1', [
      { status: 200, headers: { 'retry-after': '3' }, body: ca.authz('pending') },
      { status: 200, body: ca.authz('processing') },
      { status: 200, body: ca.authz('pending') },
      { status: 200, headers: { 'retry-after': '0' }, body: ca.authz('pending') },
      { status: 200, body: ca.authz('valid') },
    ]);
    expect(await (await withAccount()).waitValid(authzOf())).toEqual({ ok: true, value: undefined });
    // 3 s asked; then 500 and 1000 ms of backoff (the first 250 ms step went by during the 3 s); 0 s asked → 250 ms.
    expect(clock.slept).toEqual([3000, 500, 1000, 250]);
  });

  it('stops within its budget, with the CA’s Retry-After when that is what ran out', async () => {
    ca.route('/authz/1', [{ status: 200, headers: { 'retry-after': '120' }, body: ca.authz('pending') }]);
    expect(await (await withAccount()).waitValid(authzOf())).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        message: 'authorization of home.example.test: still pending after 0 s',
        retryAfterMs: 120_000,
      },
    });
    expect(clock.slept).toEqual([]);
  });

  it('stops after the budget of backoff steps', async () => {
    ca.route('/authz/1', [{ status: 200, body: ca.authz('pending') }]);
    const got = await (await withAccount()).waitValid(authzOf());
    expect(got).toEqual({
      ok: false,
      error: { kind: 'transient', message: expect.stringMatching(/still pending after 8[0-9] s$/) },
    });
    expect(clock.slept.slice(0, 6)).toEqual([250, 500, 1000, 2000, 4000, 5000]);
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(90_000);
  });

  it.each([
    [
      'invalid, with the challenge’s error',
      ca_authzInvalid(true),
      {
        kind: 'challenge',
        message: 'http-01 for home.example.test: 404 from 203.0.113.34 (unauthorized)',
        acmeType: 'urn:ietf:params:acme:error:unauthorized',
      },
    ],
    [
      'invalid, without an error',
      ca_authzInvalid(false),
      { kind: 'challenge', message: 'authorization of home.example.test is invalid' },
    ],
    [
      'deactivated',
      () => ca.authz('deactivated'),
      { kind: 'rejected', message: 'authorization of home.example.test is deactivated' },
    ],
  ])('an authorization %s', async (_name, body, error) => {
    ca.route('/authz/1', [{ status: 200, body: body() }]);
    expect(await (await withAccount()).waitValid(authzOf())).toEqual({ ok: false, error });
  });

  function ca_authzInvalid(withError: boolean): () => object {
    return () =>
      ca.authz(
        'invalid',
        withError
          ? {
              status: 'invalid',
              error: { type: 'urn:ietf:params:acme:error:unauthorized', detail: '404 from 203.0.113.34' },
            }
          : {},
      );
  }

  it('a failing poll is that failure', async () => {
    ca.route('/authz/1', [problem('serverInternal', 'oops', 500)]);
    expect(await (await withAccount()).waitValid(authzOf())).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
  });
});

describe('finalize', () => {
  const chain = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

  it('sends the CSR (DER, base64url), waits for the order and downloads the chain', async () => {
    ca.route('/finalize/1', [{ status: 200, body: ca.order('processing') }]);
    ca.route('/order/1', [
      { status: 200, headers: { 'retry-after': '2' }, body: ca.order('processing') },
      { status: 200, body: ca.order('valid', { certificate: `${ca.base}/cert/1` }) },
    ]);
    ca.route('/cert/1', [{ status: 200, body: chain }]);
    const csrPem = '-----BEGIN CERTIFICATE REQUEST-----\nAQID+/8=\n-----END CERTIFICATE REQUEST-----\n';
    expect(await (await withAccount()).finalize(order(), csrPem)).toEqual({ ok: true, value: chain });
    expect(ca.seen.find((s) => s.path === '/finalize/1')?.payload).toEqual({ csr: 'AQID-_8' });
    expect(clock.slept).toEqual([2000]);
  });

  it.each([
    [
      'a refused CSR',
      { '/finalize/1': [problem('badCSR', 'names differ')] },
      { kind: 'rejected', message: 'finalize: names differ (badCSR)' },
    ],
    [
      'an invalid order',
      {
        '/finalize/1': [{ status: 200, body: {} }],
        '/order/1': [
          {
            status: 200,
            body: {
              status: 'invalid',
              authorizations: [],
              finalize: 'x',
              error: { type: 'urn:ietf:params:acme:error:badCSR', detail: 'key too weak' },
            },
          },
        ],
      },
      { kind: 'rejected', message: expect.stringMatching(/order .* is invalid: key too weak \(badCSR\)$/) },
    ],
    [
      'a garbled order',
      {
        '/finalize/1': [{ status: 200, body: {} }],
        '/order/1': [{ status: 200, body: { status: 'valid' } }],
      },
      { kind: 'transient', message: expect.stringMatching(/not an order$/) },
    ],
    [
      'a chain that is no PEM',
      {
        '/finalize/1': [{ status: 200, body: {} }],
        '/order/1': [
          { status: 200, body: { status: 'valid', authorizations: [], finalize: 'x', certificate: 'CERT' } },
        ],
        CERT: [],
      },
      { kind: 'transient', message: 'certificate: the CA answered without a PEM chain' },
    ],
  ])('%s', async (_name, routes, error) => {
    for (const [path, answers] of Object.entries(routes)) {
      if (path === 'CERT') continue;
      ca.route(path, answers as Answer[]);
    }
    if ('CERT' in routes) {
      ca.route('/order/1', [{ status: 200, body: ca.order('valid', { certificate: `${ca.base}/cert/1` }) }]);
      ca.route('/cert/1', [{ status: 200, body: { not: 'pem' } }]);
    }
    expect(await (await withAccount()).finalize(order(), 'CSR')).toMatchObject({ ok: false, error });
  });
});

describe('renewalInfo (RFC 9773)', () => {
  it('GETs <renewalInfo>/<certID> without signing and reads the window and Retry-After', async () => {
    ca.route('/ari/aa.bb', [
      {
        status: 200,
        headers: { 'retry-after': '21600' },
        body: { suggestedWindow: { start: '2026-04-01T00:00:00Z', end: '2026-04-02T00:00:00Z' } },
      },
    ]);
    expect(await adapter().renewalInfo('aa.bb')).toEqual({
      ok: true,
      value: {
        start: new Date('2026-04-01T00:00:00Z'),
        end: new Date('2026-04-02T00:00:00Z'),
        explanationUrl: null,
        retryAfterMs: 21_600_000,
      },
    });
    expect(ca.paths()).toEqual(['GET /dir', 'GET /ari/aa.bb']);
  });

  it('nothing to ask a CA without renewalInfo', async () => {
    ca.ari = false;
    expect(await adapter().renewalInfo('aa.bb')).toEqual({ ok: true, value: undefined });
    expect(ca.paths()).toEqual(['GET /dir']);
  });

  it.each([
    [
      'a window that ends first',
      {
        status: 200,
        body: { suggestedWindow: { start: '2026-04-02T00:00:00Z', end: '2026-04-01T00:00:00Z' } },
      },
      { kind: 'transient', message: 'renewal information: the suggested window ends before it starts' },
    ],
    [
      'an unknown certificate',
      problem('malformed', 'unknown certificate', 404),
      {
        kind: 'rejected',
        message: 'renewal information: unknown certificate (malformed)',
        acmeType: 'urn:ietf:params:acme:error:malformed',
      },
    ],
  ])('%s', async (_name, answer, error) => {
    ca.route('/ari/aa.bb', [answer]);
    expect(await adapter().renewalInfo('aa.bb')).toEqual({ ok: false, error });
  });

  it('a directory that fails is that failure', async () => {
    ca.route('/dir', [{ status: 404, body: 'x' }]);
    expect(await adapter().renewalInfo('aa.bb')).toMatchObject({ ok: false, error: { kind: 'config' } });
  });
});

describe('createCertificateKeyAndCsr', () => {
  it.each([
    ['ecdsa-p256', ['home.example.test', '*.home.example.test'], 'home.example.test', 'ec'],
    ['rsa-2048', ['*.home.example.test', 'home.example.test'], 'home.example.test', 'rsa'],
    ['ecdsa-p256', ['*.home.example.test'], null, 'ec'],
    ['ecdsa-p256', [`${'a'.repeat(60)}.example.test`, 'short.example.test'], 'short.example.test', 'ec'],
  ] as const)('%s for %j: CN %s', async (keyType, names, commonName, type) => {
    const { keyPem, csrPem } = await createCertificateKeyAndCsr({ names, keyType });
    const { createPrivateKey } = await import('node:crypto');
    const key = createPrivateKey(keyPem);
    expect(key.asymmetricKeyType).toBe(type);
    if (type === 'rsa') expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    else expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const acme = await import('acme-client');
    const domains = acme.crypto.readCsrDomains(csrPem);
    // acme-client's type says string; a CSR without a CN reads as undefined.
    expect((domains.commonName as string | undefined) ?? null).toBe(commonName);
    expect([...domains.altNames].sort()).toEqual([...names].sort());
  });
});

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { baseUrlOf, errorKind, ovhProvider, ovhSignature } from './ovh.js';

const AK = 'ovhAK0123456789ab';
const AS = 'ovhSECRET-application-secret-0123';
const CK = 'ovhSECRET-consumer-key-0123456789';
const CK_NET_ONLY = 'ovhSECRET-consumer-net-only-0123';
/** The fake's clock runs this far ahead of ours: the adapter must sign with server time. */
const SERVER_AHEAD_S = 400;

interface OvhRecord {
  id: number;
  zone: string;
  subDomain: string;
  fieldType: string;
  target: string;
  ttl: number;
}

/**
 * OVH's documented requests as a small in-memory model: `/auth/time`, signed requests checked as the first-steps
 * guide describes (SHA-1 over secret, consumer key, method, full URL, body and timestamp, recomputed here on its
 * own), zones whose record changes are staged until `POST …/refresh` publishes them. Error bodies
 * `{errorCode, httpCode, message}` / `{class, message}`. A consumer key limited to example.net gets "This call has
 * not been granted". `next` replaces the next answer.
 */
class FakeOvh {
  zones = new Map<string, { staged: OvhRecord[]; published: OvhRecord[]; refreshes: number }>();
  next: FakeApiAnswer | undefined;
  /** When set, `next` waits for a request whose method and path (`GET /domain/…`) start with this. */
  nextFor: string | undefined;
  base = '';
  private seq = 0;

  constructor(private readonly clock: FakeClock) {}

  serverTime(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + SERVER_AHEAD_S;
  }

  reset(): void {
    this.next = undefined;
    this.nextFor = undefined;
    this.seq = 5000;
    const records = [
      this.rec('example.com', '', 'A', '203.0.113.10', 0),
      this.rec('example.com', 'home', 'A', '198.51.100.7', 60),
      this.rec('example.com', 'home', 'AAAA', '2001:db8::7', 60),
      this.rec('example.com', 'nas', 'A', '198.51.100.9', 300),
      this.rec('example.com', 'nas', 'A', '198.51.100.8', 300),
      this.rec('example.com', '_acme-challenge.home', 'TXT', '"old token"', 60),
      this.rec('example.com', '', 'MX', '10 mx1.mail.ovh.net.', 0),
    ];
    this.zones = new Map([
      ['example.com', { staged: records, published: structuredClone(records), refreshes: 0 }],
      ['example.net', { staged: [], published: [], refreshes: 0 }],
    ]);
  }

  rec(zone: string, subDomain: string, fieldType: string, target: string, ttl: number): OvhRecord {
    return { id: ++this.seq, zone, subDomain, fieldType, target, ttl };
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname.replace(/^\/1\.0/, '');
    if (req.method === 'GET' && path === '/auth/time') return { body: this.serverTime() };
    const refused = this.verify(req);
    if (refused) return refused;
    if (this.next && (this.nextFor === undefined || `${req.method} ${path}`.startsWith(this.nextFor))) {
      const n = this.next;
      this.next = undefined;
      return n;
    }
    if (req.method === 'GET' && path === '/auth/currentCredential')
      return { body: { credentialId: 42, status: 'validated', applicationId: 7, rules: [] } };
    const m = /^\/domain\/zone\/([^/]+)(\/.*)?$/.exec(path);
    const zoneName = decodeURIComponent(m?.[1] ?? '');
    const zone = this.zones.get(zoneName);
    if (!m || !zone)
      return { status: 404, body: { class: 'Client::NotFound', message: 'This service does not exist' } };
    if (req.headers['x-ovh-consumer'] === CK_NET_ONLY && zoneName !== 'example.net')
      return ovhError(403, 'NOT_GRANTED_CALL', 'This call has not been granted');
    const rest = m[2] ?? '';
    const body = req.body === '' ? {} : (JSON.parse(req.body) as Record<string, unknown>);
    if (req.method === 'GET' && rest === '')
      return { body: { name: zoneName, hasDnsAnycast: false, dnssecSupported: true } };
    if (req.method === 'GET' && rest === '/record') {
      const type = url.searchParams.get('fieldType');
      const sub = url.searchParams.get('subDomain');
      return {
        body: zone.staged
          .filter((r) => (type === null || r.fieldType === type) && (sub === null || r.subDomain === sub))
          .map((r) => r.id),
      };
    }
    if (req.method === 'POST' && rest === '/record') {
      const type = String(body.fieldType);
      const target = String(body.target);
      const bad = badTarget(type, target);
      if (bad) return bad;
      const r = this.rec(
        zoneName,
        typeof body.subDomain === 'string' ? body.subDomain : '',
        type,
        target,
        Number(body.ttl ?? 0),
      );
      zone.staged.push(r);
      return { body: r };
    }
    if (req.method === 'POST' && rest === '/refresh') {
      zone.published = structuredClone(zone.staged);
      zone.refreshes++;
      return { body: null };
    }
    const id = /^\/record\/(\d+)$/.exec(rest)?.[1];
    const record = zone.staged.find((r) => String(r.id) === id);
    if (!record)
      return {
        status: 404,
        body: { class: 'Client::NotFound', message: `The requested object (id = ${id}) does not exist` },
      };
    if (req.method === 'GET') return { body: record };
    if (req.method === 'PUT') {
      if (typeof body.target === 'string') {
        const bad = badTarget(record.fieldType, body.target);
        if (bad) return bad;
        record.target = body.target;
      }
      if (typeof body.ttl === 'number') record.ttl = body.ttl;
      return { body: null };
    }
    if (req.method === 'DELETE') {
      zone.staged = zone.staged.filter((r) => r !== record);
      return { body: null };
    }
    return ovhError(405, 'METHOD_NOT_ALLOWED', 'Method not allowed');
  }

  /** The signature as OVH's first-steps guide describes it, and the timestamp against the server's clock. */
  private verify(req: FakeApiRequest): FakeApiAnswer | undefined {
    if (req.headers['x-ovh-application'] !== AK)
      return ovhError(403, 'INVALID_KEY', 'This application key is invalid');
    const ck = req.headers['x-ovh-consumer'];
    if (ck !== CK && ck !== CK_NET_ONLY)
      return ovhError(403, 'INVALID_CREDENTIAL', 'This credential does not exist');
    const ts = Number(req.headers['x-ovh-timestamp']);
    if (!Number.isInteger(ts) || Math.abs(ts - this.serverTime()) > 180)
      return ovhError(400, 'QUERY_TIME_OUT', 'Query out of time');
    const data = [AS, ck, req.method, `${this.base}${req.url}`, req.body, String(ts)].join('+');
    const expected = `$1$${createHash('sha1').update(data).digest('hex')}`;
    if (req.headers['x-ovh-signature'] !== expected)
      return ovhError(400, 'INVALID_SIGNATURE', 'Invalid signature');
    return undefined;
  }

  published(sub: string, type: string): OvhRecord[] {
    return (this.zones.get('example.com')?.published ?? []).filter(
      (r) => r.subDomain === sub && r.fieldType === type,
    );
  }
  others(sub: string, type: string): OvhRecord[] {
    return structuredClone(
      [...this.zones.values()]
        .flatMap((z) => z.published)
        .filter((r) => !(r.zone === 'example.com' && r.subDomain === sub && r.fieldType === type)),
    );
  }
}

function badTarget(type: string, target: string): FakeApiAnswer | undefined {
  if ((type === 'A' && isIP(target) !== 4) || (type === 'AAAA' && isIP(target) !== 6))
    return {
      status: 400,
      body: { class: 'Client::BadRequest', message: `Invalid target for ${type} record: ${target}` },
    };
  return undefined;
}
function ovhError(status: number, errorCode: string, message: string): FakeApiAnswer {
  return { status, body: { errorCode, httpCode: `${status}`, message } };
}

const clock = new FakeClock('2026-11-28T12:00:00Z');
const fake = new FakeOvh(clock);
const api = serveFakeApi(fake);
const deps = providerTestDeps(clock);

function client(
  secrets: Record<string, string> = { applicationKey: AK, applicationSecret: AS, consumerKey: CK },
  endpoint = `${api.baseUrl}/1.0`,
): DnsProvider {
  return ovhProvider.create(
    ovhProvider.settings.parse({ endpoint }),
    ovhProvider.secrets.parse(secrets),
    deps,
  );
}
const calls = (): string[] => api.requests.map((r) => `${r.method} ${r.url.replace('/1.0', '')}`);
const writes = (): string[] => calls().filter((c) => !c.startsWith('GET'));
const ref = (name: string, type: RecordRef['type'] = 'A', zone = 'example.com'): RecordRef => ({
  zone,
  name,
  type,
});
const targets = (sub: string, type: string): string[] =>
  fake
    .published(sub, type)
    .map((r) => r.target)
    .sort();
const noSecret = (r: unknown): void => {
  for (const s of [AS, CK, CK_NET_ONLY]) expect(JSON.stringify(r)).not.toContain(s);
};

beforeAll(() => {
  fake.base = api.baseUrl;
});

describe('OVH adapter against a fake OVH API that checks signatures', () => {
  it('asks the server time once, signs with it, lists ids and reads each record; values sorted, TTL 0 is null', async () => {
    const ovh = client();
    expect(await ovh.read?.(ref('nas.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.8', '198.51.100.9'], ttl: 300 },
    });
    expect(await ovh.read?.(ref('example.com'))).toEqual({
      ok: true,
      value: { values: ['203.0.113.10'], ttl: null },
    });
    expect(await ovh.read?.(ref('missing.example.com'))).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    expect(calls()).toEqual([
      'GET /auth/time',
      'GET /domain/zone/example.com',
      'GET /domain/zone/example.com/record?fieldType=A&subDomain=nas',
      'GET /domain/zone/example.com/record/5004',
      'GET /domain/zone/example.com/record/5005',
      'GET /domain/zone/example.com/record?fieldType=A&subDomain=',
      'GET /domain/zone/example.com/record/5001',
      'GET /domain/zone/example.com/record?fieldType=A&subDomain=missing',
    ]);
    const signed = api.requests[1];
    expect(signed?.headers['x-ovh-application']).toBe(AK);
    expect(signed?.headers['x-ovh-consumer']).toBe(CK);
    expect(signed?.headers['x-ovh-timestamp']).toBe(String(fake.serverTime()));
    expect(signed?.headers['x-ovh-signature']).toMatch(/^\$1\$[0-9a-f]{40}$/);
    expect(api.requests[0]?.headers['x-ovh-signature']).toBeUndefined();
  });

  it('keeps the server-time offset while our clock moves on', async () => {
    const ovh = client();
    await ovh.read?.(ref('home.example.com'));
    clock.advance(3_600_000);
    expect(await ovh.read?.(ref('nas.example.com'))).toMatchObject({ ok: true });
    expect(api.requests.filter((r) => r.url.endsWith('/auth/time'))).toHaveLength(1);
    expect(api.requests.at(-1)?.headers['x-ovh-timestamp']).toBe(String(fake.serverTime()));
  });

  it('reads AAAA in canonical text and TXT without its quotes', async () => {
    fake.zones.get('example.com')?.staged.push(fake.rec('example.com', 'cam', 'AAAA', '2001:DB8:0::1', 60));
    const ovh = client();
    expect(await ovh.read?.(ref('cam.example.com', 'AAAA'))).toMatchObject({
      value: { values: ['2001:db8::1'] },
    });
    expect(await ovh.read?.(ref('_acme-challenge.home.example.com', 'TXT'))).toMatchObject({
      value: { values: ['old token'], ttl: 60 },
    });
  });

  it('set creates a missing record, then refreshes the zone so it is published; nothing else changes', async () => {
    const others = fake.others('new', 'A');
    expect(await client().set(ref('new.example.com'), ['203.0.113.5'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.published('new', 'A')).toMatchObject([{ target: '203.0.113.5', ttl: 60 }]);
    expect(fake.others('new', 'A')).toEqual(others);
    expect(writes()).toEqual([
      'POST /domain/zone/example.com/record',
      'POST /domain/zone/example.com/refresh',
    ]);
    const post = api.requests.find((r) => r.method === 'POST');
    expect(JSON.parse(post?.body ?? '')).toEqual({
      fieldType: 'A',
      subDomain: 'new',
      target: '203.0.113.5',
      ttl: 60,
    });
    expect(post?.headers['content-type']).toBe('application/json;charset=utf-8');
  });

  it('set updates a record in place with PUT (its id stays), then refreshes', async () => {
    const others = fake.others('home', 'A');
    expect(await client().set(ref('home.example.com'), ['203.0.113.7'], 120)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.published('home', 'A')).toEqual([
      { id: 5002, zone: 'example.com', subDomain: 'home', fieldType: 'A', target: '203.0.113.7', ttl: 120 },
    ]);
    expect(fake.others('home', 'A')).toEqual(others);
    expect(writes()).toEqual([
      'PUT /domain/zone/example.com/record/5002',
      'POST /domain/zone/example.com/refresh',
    ]);
  });

  it('set from two values to one keeps the one in place and deletes the other', async () => {
    expect(await client().set(ref('nas.example.com'), ['198.51.100.8'], 300)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(targets('nas', 'A')).toEqual(['198.51.100.8']);
    expect(writes()).toEqual([
      'DELETE /domain/zone/example.com/record/5004',
      'POST /domain/zone/example.com/refresh',
    ]);
  });

  it('set with the values already held is changed:false: no write and no refresh', async () => {
    const ovh = client();
    expect(await ovh.set(ref('nas.example.com'), ['198.51.100.9', '198.51.100.8'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(await ovh.set(ref('home.example.com', 'AAAA'), ['2001:DB8:0:0::7'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(writes()).toEqual([]);
    expect(fake.zones.get('example.com')?.refreshes).toBe(0);
  });

  it('TXT set and delete: only that set changes, the zone is refreshed, deleting nothing writes nothing', async () => {
    const ovh = client();
    const acme = ref('_acme-challenge.home.example.com', 'TXT');
    expect(await ovh.set(acme, ['new token'], 60)).toEqual({ ok: true, value: { changed: true } });
    expect(targets('_acme-challenge.home', 'TXT')).toEqual(['new token']);
    const others = fake.others('_acme-challenge.home', 'TXT');
    expect(await ovh.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(fake.published('_acme-challenge.home', 'TXT')).toEqual([]);
    expect(fake.others('_acme-challenge.home', 'TXT')).toEqual(others);
    expect(fake.zones.get('example.com')?.refreshes).toBe(2);
    api.requests.length = 0;
    expect(await ovh.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(writes()).toEqual([]);
  });

  it('test() checks the credential, and the zone when given, without writing', async () => {
    const ovh = client();
    expect(await ovh.test()).toEqual({
      ok: true,
      value: { detail: 'the keys are accepted and the consumer key is validated' },
    });
    expect(await ovh.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the keys are accepted and may read the zone example.com' },
    });
    expect(await ovh.test('example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'HTTP 404' },
    });
    fake.next = { body: { credentialId: 42, status: 'expired' } };
    expect(await ovh.test()).toMatchObject({ ok: false, error: { kind: 'auth', code: 'expired' } });
    expect(writes()).toEqual([]);
  });

  it.each([
    [
      'an unknown application key',
      { applicationKey: 'unknownAK', applicationSecret: AS, consumerKey: CK },
      // A 403 is read from its errorCode (the provider's own word), not taken as auth for its status.
      'INVALID_KEY',
    ],
    [
      'an unknown consumer key',
      { applicationKey: AK, applicationSecret: AS, consumerKey: 'ovhSECRET-nope' },
      'INVALID_CREDENTIAL',
    ],
    [
      'a wrong application secret',
      { applicationKey: AK, applicationSecret: 'ovhSECRET-wrong', consumerKey: CK },
      'INVALID_SIGNATURE',
    ],
  ])('%s is auth and names no secret', async (_, secrets, code) => {
    const ovh = client(secrets);
    for (const r of [await ovh.test(), await ovh.set(ref('home.example.com'), ['203.0.113.1'], 60)]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code } });
      noSecret(r);
      expect(JSON.stringify(r)).not.toContain('SECRET');
    }
    expect(writes()).toEqual([]);
  });

  it('a consumer key not granted the zone is auth', async () => {
    const ovh = client({ applicationKey: AK, applicationSecret: AS, consumerKey: CK_NET_ONLY });
    const r = await ovh.set(ref('home.example.com'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'NOT_GRANTED_CALL' } });
    noSecret(r);
  });

  it('a timestamp the server refuses is transient, and the next call asks the server time again', async () => {
    const ovh = client();
    await ovh.read?.(ref('home.example.com'));
    fake.next = {
      status: 400,
      body: { errorCode: 'QUERY_TIME_OUT', httpCode: '400', message: 'Query out of time' },
    };
    expect(await ovh.read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'QUERY_TIME_OUT' },
    });
    expect(await ovh.read?.(ref('home.example.com'))).toMatchObject({ ok: true });
    expect(api.requests.filter((r) => r.url.endsWith('/auth/time'))).toHaveLength(2);
  });

  it('a name outside the zone, or a zone not in the account, is config', async () => {
    expect(await client().read?.(ref('home.example.org'))).toEqual({
      ok: false,
      error: { kind: 'config', message: 'OVHcloud: home.example.org is not in the zone example.com' },
    });
    const r = await client().set(ref('home.example.org', 'A', 'example.org'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'HTTP 404' } });
    expect(!r.ok && r.error.message).toContain('no DNS zone example.org in this account');
    expect(writes()).toEqual([]);
  });

  it('a target OVH refuses (400) is config with its message, and nothing is published', async () => {
    const r = await client().set(ref('home.example.com'), ['not-an-address'], 60);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'HTTP 400',
        message:
          'OVHcloud: PUT /1.0/domain/zone/example.com/record/5002: HTTP 400: Invalid target for A record: not-an-address',
      },
    });
    expect(fake.zones.get('example.com')?.refreshes).toBe(0);
  });

  it('429 is rate-limited with the Retry-After wait', async () => {
    fake.next = { status: 429, headers: { 'retry-after': '30' }, body: { message: 'Too many requests' } };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 30_000 },
    });
  });

  it('5xx is transient, also at the refresh', async () => {
    fake.next = { status: 503, body: 'Service Unavailable' };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
    const real = fake.handle.bind(fake);
    fake.handle = (req) => (req.url.endsWith('/refresh') ? { status: 500, body: 'oops' } : real(req));
    try {
      expect(await client().set(ref('home.example.com'), ['203.0.113.3'], 60)).toMatchObject({
        ok: false,
        error: { kind: 'transient', code: 'HTTP 500' },
      });
    } finally {
      fake.handle = real;
    }
  });

  it('a garbage body or an answer not as documented is transient', async () => {
    const ovh = client();
    await ovh.read?.(ref('home.example.com'));
    fake.next = { status: 200, body: 'not json' };
    const g = await ovh.read?.(ref('home.example.com'));
    expect(g).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(!g?.ok && g?.error.message).toContain('not as documented');
    fake.next = { status: 200, body: ['5002'] };
    expect(await ovh.read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
    fake.next = { status: 409, body: '<html>conflict</html>' };
    const odd = await ovh.read?.(ref('home.example.com'));
    expect(!odd?.ok && odd?.error.message).toContain('not an OVH error');
    // A time answer that is not a Unix time.
    const real = fake.handle.bind(fake);
    fake.handle = (req) => (req.url.endsWith('/auth/time') ? { body: 'soon' } : real(req));
    try {
      const t = await client().read?.(ref('home.example.com'));
      expect(!t?.ok && t?.error).toMatchObject({
        kind: 'transient',
        message: expect.stringContaining('not a Unix time'),
      });
    } finally {
      fake.handle = real;
    }
  });

  it('nothing listening is transient and names no secret', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(undefined, `${closed.baseUrl}/1.0`).set(
      ref('home.example.com'),
      ['203.0.113.1'],
      60,
    );
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    noSecret(r);
  });

  it('settings: ovh-eu by default, the named endpoints or a URL; all three keys required', () => {
    expect(ovhProvider.settings.parse({})).toEqual({ endpoint: 'ovh-eu' });
    expect(ovhProvider.settings.safeParse({ endpoint: 'ovh-xx' }).success).toBe(false);
    expect(ovhProvider.settings.safeParse({ endpoint: 'ftp://x' }).success).toBe(false);
    expect(ovhProvider.secrets.safeParse({ applicationKey: AK, applicationSecret: AS }).success).toBe(false);
    expect(baseUrlOf('ovh-eu')).toBe('https://eu.api.ovh.com/1.0');
    expect(baseUrlOf('ovh-ca')).toBe('https://ca.api.ovh.com/1.0');
    expect(baseUrlOf('ovh-us')).toBe('https://api.us.ovhcloud.com/1.0');
    expect(baseUrlOf('http://127.0.0.1:9/1.0/')).toBe('http://127.0.0.1:9/1.0');
  });

  it('the descriptor: kind, label, documentation, fields and abilities', () => {
    expect(ovhProvider).toMatchObject({
      kind: 'ovh',
      label: 'OVHcloud',
      docsUrl: expect.stringMatching(/^https:\/\/help\.ovhcloud\.com\//),
      can: { read: true, txt: true },
    });
    expect(ovhProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['applicationKey', true, false],
      ['applicationSecret', true, false],
      ['consumerKey', true, false],
      ['endpoint', false, true],
    ]);
    expect(ovhProvider.fields.every((f) => f.label !== '')).toBe(true);
    expect(ovhProvider.fields.filter((f) => (f.help ?? '') !== '')).toHaveLength(2);
    const o = client();
    expect([o.kind, o.can]).toEqual(['ovh', { read: true, txt: true }]);
    for (const endpoint of ['xhttp://x', 'httpsx://x'])
      expect(ovhProvider.settings.safeParse({ endpoint }).success).toBe(false);
    expect(
      ovhProvider.secrets.parse({ applicationKey: ' a ', applicationSecret: ' b ', consumerKey: ' c ' }),
    ).toEqual({ applicationKey: 'a', applicationSecret: 'b', consumerKey: 'c' });
  });
});

describe('OVH adapter: edges', () => {
  const onNext = (prefix: string, answer: FakeApiAnswer): void => {
    fake.nextFor = prefix;
    fake.next = answer;
  };

  it('headers: Accept always, Content-Type only with a body; no body on GET and DELETE', async () => {
    await client().set(ref('new.example.com'), ['203.0.113.5'], 60);
    await client().delete?.(ref('new.example.com'));
    const seen = api.requests
      .filter((r) => !r.url.endsWith('/auth/time'))
      .map((r) => [r.method, r.headers.accept, r.headers['content-type'] ?? null, r.body === '']);
    expect(seen).toContainEqual(['GET', 'application/json', null, true]);
    expect(seen).toContainEqual(['POST', 'application/json', 'application/json;charset=utf-8', false]);
    expect(seen).toContainEqual(['DELETE', 'application/json', null, true]);
    // The refresh is a POST without a body.
    expect(seen.filter((x) => x[0] === 'POST' && x[3] === true)).toHaveLength(2);
  });

  it('two records to one new value, and one to two: every step is done', async () => {
    expect(await client().set(ref('nas.example.com'), ['203.0.113.1'], 300)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(targets('nas', 'A')).toEqual(['203.0.113.1']);
    expect(await client().set(ref('home.example.com'), ['203.0.113.1', '203.0.113.2'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(targets('home', 'A')).toEqual(['203.0.113.1', '203.0.113.2']);
  });

  it.each([
    ['POST /domain/zone/example.com/record', ['198.51.100.7', '203.0.113.2'], 'home.example.com'],
    ['DELETE /domain/zone/example.com/record/', ['198.51.100.8'], 'nas.example.com'],
  ])('a failing %s stops the change before the refresh', async (prefix, wanted, name) => {
    onNext(prefix, { status: 400, body: { message: 'Refused here.' } });
    expect(await client().set(ref(name), wanted, 60)).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('HTTP 400: Refused here.') },
    });
    expect(writes().filter((w) => w.endsWith('/refresh'))).toEqual([]);
  });

  it('delete: a failing DELETE is returned, a name outside the zone is config', async () => {
    onNext('DELETE', { status: 400, body: { message: 'Refused here.' } });
    expect(await client().delete?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'config' },
    });
    expect(writes().filter((w) => w.endsWith('/refresh'))).toEqual([]);
    expect(await client().delete?.(ref('home.example.org'))).toMatchObject({
      ok: false,
      error: { kind: 'config' },
    });
  });

  it('records of another name or type behind the ids are not taken; a failing record read is returned', async () => {
    onNext('GET /domain/zone/example.com/record?', { body: [5002, 5003, 5004] });
    expect(await client().read?.(ref('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: 60 },
    });
    onNext('GET /domain/zone/example.com/record/', { status: 503, body: 'down' });
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { code: 'HTTP 503' },
    });
  });

  it('a TTL of null is the zone default', async () => {
    onNext('GET /domain/zone/example.com/record/', {
      body: {
        id: 5002,
        zone: 'example.com',
        subDomain: 'home',
        fieldType: 'A',
        target: '198.51.100.7',
        ttl: null,
      },
    });
    expect(await client().read?.(ref('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: null },
    });
  });

  it('zone answers: NOT_FOUND is config, a zone without its name is transient', async () => {
    onNext('GET /domain/zone/example.com', {
      status: 404,
      body: { errorCode: 'NOT_FOUND', message: 'nope' },
    });
    const r = await client().read?.(ref('home.example.com'));
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'NOT_FOUND' } });
    expect(!r?.ok && r?.error.message).toBe(
      'OVHcloud: no DNS zone example.com in this account (OVHcloud: GET /1.0/domain/zone/example.com: HTTP 404 NOT_FOUND: nope)',
    );
    onNext('GET /domain/zone/example.com', { body: { hasDnsAnycast: false } });
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
  });

  it('only a refused timestamp makes the client ask the time again; messages are cut and say what OVH said', async () => {
    const o = client();
    await o.read?.(ref('home.example.com'));
    onNext('GET', { status: 400, body: { message: 'z'.repeat(1000) } });
    const r = await o.read?.(ref('home.example.com'));
    expect(!r?.ok && r?.error).toEqual({
      kind: 'config',
      code: 'HTTP 400',
      message: `OVHcloud: GET /1.0/domain/zone/example.com/record: HTTP 400: ${'z'.repeat(300)}`,
    });
    onNext('GET', { status: 400, body: { class: 'Client::BadRequest' } });
    const e = await o.read?.(ref('home.example.com'));
    expect(!e?.ok && e?.error.message).toBe('OVHcloud: GET /1.0/domain/zone/example.com/record: HTTP 400: ');
    await o.read?.(ref('home.example.com'));
    expect(api.requests.filter((x) => x.url.endsWith('/auth/time'))).toHaveLength(1);
  });

  it('a time answer with another status is not a time; a consumer key not validated is named', async () => {
    const real = fake.handle.bind(fake);
    fake.handle = (req) =>
      req.url.endsWith('/auth/time') ? { status: 201, body: fake.serverTime() } : real(req);
    try {
      expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'transient' } });
    } finally {
      fake.handle = real;
    }
    onNext('GET /auth/currentCredential', { body: { status: 'pendingValidation' } });
    expect(await client().test()).toEqual({
      ok: false,
      error: {
        kind: 'auth',
        code: 'pendingValidation',
        message: 'OVHcloud: the consumer key is pendingValidation, not validated',
      },
    });
  });

  it('the named endpoints parse as themselves', () => {
    for (const endpoint of ['ovh-eu', 'ovh-ca', 'ovh-us'])
      expect(ovhProvider.settings.parse({ endpoint })).toEqual({ endpoint });
    expect(baseUrlOf('http://127.0.0.1:9/1.0//')).toBe('http://127.0.0.1:9/1.0');
  });
});

describe('OVH pieces', () => {
  it('the signature is $1$ and the SHA-1 of the six parts joined with +', () => {
    // sha1("AS+CK+GET+https://eu.api.ovh.com/1.0/auth/currentCredential++1700000000"), computed independently.
    const data = 'AS+CK+GET+https://eu.api.ovh.com/1.0/auth/currentCredential++1700000000';
    expect(
      ovhSignature('AS', 'CK', 'GET', 'https://eu.api.ovh.com/1.0/auth/currentCredential', '', 1700000000),
    ).toBe(`$1$${createHash('sha1').update(data).digest('hex')}`);
    expect(ovhSignature('a', 'b', 'POST', 'u', '{"x":1}', 1)).toBe(
      '$1$' + createHash('sha1').update('a+b+POST+u+{"x":1}+1').digest('hex'),
    );
    expect(ovhSignature('a', 'b', 'POST', 'u', '{"x":1}', 1)).not.toBe(
      ovhSignature('a', 'b', 'POST', 'u', '{"x":2}', 1),
    );
  });

  it.each([
    [400, 'INVALID_SIGNATURE', '', 'auth'],
    [403, 'INVALID_CREDENTIAL', '', 'auth'],
    [403, 'NOT_GRANTED_CALL', '', 'auth'],
    [403, 'INVALID_KEY', '', 'auth'],
    [400, '', 'Invalid signature', 'auth'],
    [403, '', 'This call has not been granted', 'auth'],
    [400, 'QUERY_TIME_OUT', '', 'transient'],
    [400, '', 'Query out of time', 'transient'],
    [429, '', 'slow', 'rate-limited'],
    [404, '', 'This service does not exist', 'config'],
    [400, '', 'Invalid target', 'config'],
    [409, '', 'conflict', 'config'],
    [302, '', '', 'transient'],
    [500, '', '', 'transient'],
    [400, 'XINVALID_KEY', '', 'config'],
    [400, 'INVALID_KEYX', '', 'config'],
  ] as const)('errorKind(%i, %j, %j) = %s', (status, code, message, kind) => {
    expect(errorKind(status, code, message)).toBe(kind);
  });
});

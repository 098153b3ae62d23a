import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { cloudflareProvider } from './cloudflare.js';

const TOKEN = 'cf-SECRET-token-0123456789';
const EXPIRED = 'cf-EXPIRED-token-0123456789';

interface CfRecord {
  id: string;
  zone_id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
  comment: string | null;
}

/**
 * Cloudflare's documented requests as a small in-memory model: zones and records, the `{success, errors, result}`
 * envelope, 403 code 10000 for a token it does not know, 404 code 7003 for an unknown zone id, 9005 for an A record
 * whose content is not an IPv4 address, 81058 for an identical record. `next` replaces the next answer (429, 500,
 * garbage).
 */
class FakeCloudflare {
  zones = [
    { id: 'zone-example', name: 'example.com' },
    { id: 'zone-deep', name: 'lab.example.net' },
  ];
  records: CfRecord[] = [];
  /** Answers for the next requests, in order; `'model'` lets the model answer that one. */
  queue: (FakeApiAnswer | 'model')[] = [];
  /** Replaces the answer to the next write (POST, PATCH, DELETE). */
  nextWrite: FakeApiAnswer | undefined;
  /** An API that ignores the name and type filters and lists zones in another order: the adapter must still check. */
  sloppy = false;
  private seq = 0;

  set next(answer: FakeApiAnswer) {
    this.queue = [answer];
  }

  reset(): void {
    this.queue = [];
    this.nextWrite = undefined;
    this.sloppy = false;
    this.seq = 0;
    this.records = [
      this.record('zone-example', 'home.example.com', 'A', '198.51.100.7', {
        proxied: true,
        ttl: 1,
        comment: 'router',
      }),
      this.record('zone-example', 'home.example.com', 'AAAA', '2001:db8::7', {}),
      this.record('zone-example', 'nas.example.com', 'A', '198.51.100.8', {}),
      this.record('zone-example', '_acme-challenge.home.example.com', 'TXT', '"old token"', { ttl: 120 }),
      this.record('zone-deep', 'pi.lab.example.net', 'A', '203.0.113.9', {}),
    ];
  }

  record(
    zone_id: string,
    name: string,
    type: string,
    content: string,
    o: { proxied?: boolean; ttl?: number; comment?: string },
  ): CfRecord {
    return {
      id: `rec-${++this.seq}`,
      zone_id,
      name,
      type,
      content,
      proxied: o.proxied ?? false,
      ttl: o.ttl ?? 300,
      comment: o.comment ?? null,
    };
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    const scripted = this.queue.shift();
    if (scripted !== undefined && scripted !== 'model') return scripted;
    if (this.nextWrite && req.method !== 'GET') {
      const n = this.nextWrite;
      this.nextWrite = undefined;
      return n;
    }
    if (req.body !== '' && req.headers['content-type'] !== 'application/json')
      return error(400, 6003, 'Invalid request headers');
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname.replace(/^\/client\/v4/, '');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token !== TOKEN && !(token === EXPIRED && path === '/user/tokens/verify'))
      return error(403, 10000, 'Authentication error');
    if (path === '/user/tokens/verify')
      return success({ id: 'tok1', status: token === TOKEN ? 'active' : 'expired' });
    if (path === '/zones' && req.method === 'GET') {
      const name = this.sloppy ? null : url.searchParams.get('name');
      const zones = this.zones
        .filter((z) => name === null || z.name === name)
        .map((z) => ({ ...z, status: 'active' }));
      return success(this.sloppy ? zones.reverse() : zones);
    }
    const m = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(path);
    const zone = this.zones.find((z) => z.id === m?.[1]);
    if (!m || !zone)
      return error(404, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`);
    const id = m[2];
    if (id === undefined && req.method === 'GET') {
      const type = this.sloppy ? null : url.searchParams.get('type');
      const name = this.sloppy ? null : url.searchParams.get('name');
      const perPage = Number(url.searchParams.get('per_page') ?? '100');
      const page = Number(url.searchParams.get('page') ?? '1');
      const all = this.records.filter(
        (r) =>
          r.zone_id === zone.id && (type === null || r.type === type) && (name === null || r.name === name),
      );
      return success(all.slice((page - 1) * perPage, page * perPage), {
        page,
        per_page: perPage,
        count: Math.min(perPage, all.length),
        total_count: all.length,
        total_pages: Math.max(1, Math.ceil(all.length / perPage)),
      });
    }
    if (id === undefined && req.method === 'POST') {
      const b = JSON.parse(req.body) as Partial<CfRecord>;
      if (!b.type || !b.name || b.content === undefined)
        return error(400, 9000, 'DNS record type, name and content required');
      const check = this.checkContent(b.type, b.content);
      if (check) return check;
      if (b.name !== zone.name && !b.name.endsWith(`.${zone.name}`))
        return error(400, 9007, 'Name is not in the zone');
      if (
        this.records.some(
          (r) => r.zone_id === zone.id && r.name === b.name && r.type === b.type && r.content === b.content,
        )
      )
        return error(400, 81058, 'An identical record already exists.');
      const created = this.record(zone.id, b.name, b.type, b.content, {
        ...(b.proxied === undefined ? {} : { proxied: b.proxied }),
        ...(b.ttl === undefined ? {} : { ttl: b.ttl }),
      });
      this.records.push(created);
      return success(created);
    }
    const found = this.records.find((r) => r.zone_id === zone.id && r.id === id);
    if (!found) return error(404, 81044, 'Record does not exist.');
    if (req.method === 'PATCH') {
      const b = JSON.parse(req.body) as Partial<CfRecord>;
      if (b.content !== undefined) {
        const check = this.checkContent(found.type, b.content);
        if (check) return check;
      }
      Object.assign(found, b);
      return success(found);
    }
    if (req.method === 'DELETE') {
      this.records = this.records.filter((r) => r !== found);
      return success({ id: found.id });
    }
    return error(405, 10405, 'Method not allowed');
  }

  private checkContent(type: string, content: string): FakeApiAnswer | undefined {
    if (type === 'A' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(content))
      return error(400, 9005, 'Content for A record must be a valid IPv4 address.');
    if (type === 'TXT' && !content.startsWith('"'))
      return error(400, 9999, 'fake: TXT content must be quoted');
    return undefined;
  }

  /** Everything except the records of one name and type, to check that nothing else was touched. */
  others(name: string, type: string): CfRecord[] {
    return structuredClone(this.records.filter((r) => !(r.name === name && r.type === type)));
  }
  of(name: string, type: string): CfRecord[] {
    return this.records.filter((r) => r.name === name && r.type === type);
  }
}

function success(result: unknown, result_info?: unknown): FakeApiAnswer {
  return {
    body: { success: true, errors: [], messages: [], result, ...(result_info ? { result_info } : {}) },
  };
}
function error(status: number, code: number, message: string): FakeApiAnswer {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

const fake = new FakeCloudflare();
const api = serveFakeApi(fake);
const clock = new FakeClock('2026-11-28T12:00:00Z');
const deps = providerTestDeps(clock);

function client(token = TOKEN, endpoint = `${api.baseUrl}/client/v4`): DnsProvider {
  const settings = cloudflareProvider.settings.parse({ endpoint });
  const secrets = cloudflareProvider.secrets.parse({ token });
  return cloudflareProvider.create(settings, secrets, deps);
}
const writes = (): FakeApiRequest[] => api.requests.filter((r) => r.method !== 'GET');
const A = (name: string, zone = 'example.com'): RecordRef => ({ zone, name, type: 'A' });

describe('Cloudflare adapter against a fake Cloudflare API', () => {
  it('reads a record set: values sorted, TTL 1 (automatic) as null; a missing set is empty', async () => {
    fake.records.push(fake.record('zone-example', 'home.example.com', 'A', '198.51.100.3', { ttl: 1 }));
    const cf = client();
    expect(await cf.read?.(A('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.3', '198.51.100.7'], ttl: null },
    });
    expect(await cf.read?.(A('nas.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.8'], ttl: 300 },
    });
    expect(await cf.read?.(A('missing.example.com'))).toEqual({ ok: true, value: { values: [], ttl: null } });
    const first = api.requests[0];
    expect(first?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(first?.headers['user-agent']).toBe('Gatehouse/test');
  });

  it('reads AAAA in canonical text and TXT without its quotes', async () => {
    fake.records.push(fake.record('zone-example', 'cam.example.com', 'AAAA', '2001:0DB8:0:0::0001', {}));
    const cf = client();
    expect(await cf.read?.({ zone: 'example.com', name: 'cam.example.com', type: 'AAAA' })).toMatchObject({
      value: { values: ['2001:db8::1'] },
    });
    expect(
      await cf.read?.({ zone: 'example.com', name: '_acme-challenge.home.example.com', type: 'TXT' }),
    ).toMatchObject({ value: { values: ['old token'], ttl: 120 } });
  });

  it('reads every page of a long record list', async () => {
    for (let i = 0; i < 150; i++)
      fake.records.push(fake.record('zone-example', 'many.example.com', 'TXT', `"v${i}"`, {}));
    const r = await client().read?.({ zone: 'example.com', name: 'many.example.com', type: 'TXT' });
    expect(r?.ok && r.value.values).toHaveLength(150);
    expect(
      api.requests
        .filter((q) => q.url.includes('/dns_records?'))
        .map((q) => new URL(q.url, 'http://x').searchParams.get('page')),
    ).toEqual(['1', '2']);
  });

  it('finds the zone by walking up the labels, once per name', async () => {
    const cf = client();
    expect(await cf.read?.(A('pi.lab.example.net', 'lab.example.net'))).toMatchObject({
      value: { values: ['203.0.113.9'] },
    });
    const zoneQueries = api.requests.filter((r) => r.url.includes('/zones?')).map((r) => r.url);
    expect(zoneQueries).toEqual([
      '/client/v4/zones?name=pi.lab.example.net',
      '/client/v4/zones?name=lab.example.net',
    ]);
    await cf.read?.(A('pi.lab.example.net', 'lab.example.net'));
    expect(api.requests.filter((r) => r.url.includes('/zones?'))).toHaveLength(2);
  });

  it('set creates a missing record with the TTL asked and no proxied choice of ours', async () => {
    const others = fake.others('new.example.com', 'A');
    const r = await client().set(A('new.example.com'), ['203.0.113.5'], 60);
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of('new.example.com', 'A')).toMatchObject([
      { content: '203.0.113.5', ttl: 60, proxied: false },
    ]);
    const post = writes();
    expect(post).toHaveLength(1);
    expect(post[0]?.method).toBe('POST');
    expect(JSON.parse(post[0]?.body ?? '')).toEqual({
      type: 'A',
      name: 'new.example.com',
      content: '203.0.113.5',
      ttl: 60,
    });
    expect(fake.others('new.example.com', 'A')).toEqual(others);
  });

  it('set updates with PATCH of the content only: proxied, TTL and comment stay, nothing else changes', async () => {
    const others = fake.others('home.example.com', 'A');
    const r = await client().set(A('home.example.com'), ['203.0.113.44'], 60);
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of('home.example.com', 'A')).toMatchObject([
      { content: '203.0.113.44', proxied: true, ttl: 1, comment: 'router' },
    ]);
    expect(writes().map((w) => [w.method, JSON.parse(w.body) as unknown])).toEqual([
      ['PATCH', { content: '203.0.113.44' }],
    ]);
    expect(fake.others('home.example.com', 'A')).toEqual(others);
  });

  it('set with the values already held is changed:false and writes nothing', async () => {
    const r = await client().set(A('home.example.com'), ['198.51.100.7'], 60);
    expect(r).toEqual({ ok: true, value: { changed: false } });
    expect(writes()).toEqual([]);
  });

  it('set to two values from one: the record is kept, one is added with the set’s proxied flag; then back to one deletes the extra', async () => {
    const cf = client();
    expect(await cf.set(A('home.example.com'), ['203.0.113.2', '198.51.100.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(writes().map((w) => w.method)).toEqual(['POST']);
    expect(fake.of('home.example.com', 'A').map((r) => [r.content, r.proxied])).toEqual([
      ['198.51.100.7', true],
      ['203.0.113.2', true],
    ]);
    expect(await cf.set(A('home.example.com'), ['203.0.113.2'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('home.example.com', 'A').map((r) => r.content)).toEqual(['203.0.113.2']);
    expect(writes().map((w) => w.method)).toEqual(['POST', 'DELETE']);
  });

  it('TXT values are written quoted and read back as written; delete removes only that set', async () => {
    const cf = client();
    const ref: RecordRef = { zone: 'example.com', name: '_acme-challenge.home.example.com', type: 'TXT' };
    const others = fake.others(ref.name, 'TXT');
    expect(await cf.set(ref, ['tok "1"', 'tok2'], 60)).toEqual({ ok: true, value: { changed: true } });
    expect(
      fake
        .of(ref.name, 'TXT')
        .map((r) => r.content)
        .sort(),
    ).toEqual(['"tok \\"1\\""', '"tok2"']);
    expect(await cf.read?.(ref)).toMatchObject({ value: { values: ['tok "1"', 'tok2'] } });
    expect(await cf.delete?.(ref)).toEqual({ ok: true, value: undefined });
    expect(fake.of(ref.name, 'TXT')).toEqual([]);
    expect(fake.others(ref.name, 'TXT')).toEqual(others);
    // Deleting what is not there is a success and writes nothing.
    api.requests.length = 0;
    expect(await cf.delete?.(ref)).toEqual({ ok: true, value: undefined });
    expect(writes()).toEqual([]);
  });

  it('test() checks the token, and the zone when given, without writing', async () => {
    const cf = client();
    expect(await cf.test()).toEqual({ ok: true, value: { detail: 'the API token is active' } });
    expect(await cf.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the API token is active and sees the zone example.com' },
    });
    expect(await cf.test('example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'no-zone' },
    });
    expect(await client(EXPIRED).test()).toMatchObject({
      ok: false,
      error: { kind: 'auth', code: 'expired' },
    });
    expect(writes()).toEqual([]);
  });

  it('a token Cloudflare refuses is an auth failure that never shows the token', async () => {
    const bad = 'cf-WRONG-token-9876543210';
    for (const r of [
      await client(bad).test(),
      await client(bad).read?.(A('home.example.com')),
      await client(bad).set(A('home.example.com'), ['203.0.113.1'], 60),
    ]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth' } });
      expect(JSON.stringify(r)).not.toContain(bad);
    }
    expect(fake.of('home.example.com', 'A')[0]?.content).toBe('198.51.100.7');
  });

  it('HTTP 200 with success:false and code 10000 is auth too', async () => {
    fake.next = {
      status: 200,
      body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], result: null },
    };
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'auth', code: '10000' } });
  });

  it('a name in no zone of the account is config, after asking for each parent', async () => {
    const r = await client().set(A('host.nowhere.org', 'nowhere.org'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'no-zone' } });
    expect(!r.ok && r.error.message).toBe(
      'Cloudflare: no zone of this account (that the token may read) holds host.nowhere.org',
    );
    expect(api.requests.map((q) => q.url)).toEqual([
      '/client/v4/zones?name=host.nowhere.org',
      '/client/v4/zones?name=nowhere.org',
    ]);
  });

  it('a value Cloudflare refuses (9005) is config with its message', async () => {
    const r = await client().set(A('home.example.com'), ['not-an-ip'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: '9005' } });
    expect(!r.ok && r.error.message).toMatch(
      /^Cloudflare: PATCH \/client\/v4\/zones\/zone-example\/dns_records\/rec-1: HTTP 400: Content for A record must be a valid IPv4 address\. \(9005\)$/,
    );
  });

  it('429 is rate-limited with the Retry-After wait', async () => {
    fake.next = {
      status: 429,
      headers: { 'retry-after': '30' },
      body: {
        success: false,
        errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }],
      },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 30_000 },
    });
  });

  it('a 403 is read from its envelope: 10000 is the credentials, another code stops only the record', async () => {
    fake.next = {
      status: 403,
      body: { success: false, errors: [{ code: 10000, message: 'Forbidden' }], result: null },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'auth', code: '10000' },
    });
    fake.next = {
      status: 403,
      body: {
        success: false,
        errors: [{ code: 9109, message: 'Unauthorized to access requested resource' }],
        result: null,
      },
    };
    const scoped = await client().read?.(A('home.example.com'));
    expect(scoped).toMatchObject({ ok: false, error: { kind: 'config', code: '9109' } });
    expect(!scoped?.ok && scoped?.error.message).toContain(
      'Unauthorized to access requested resource (9109)',
    );
    // A 403 page that is not the API's (a firewall's) is no verdict on the token.
    fake.next = { status: 403, body: '<html>Access denied</html>' };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 403' },
    });
  });

  it('5xx is transient, and the zone is looked up again afterwards', async () => {
    const cf = client();
    await cf.read?.(A('home.example.com'));
    fake.next = { status: 502, body: '<html>Bad gateway</html>' };
    expect(await cf.read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 502' },
    });
    api.requests.length = 0;
    expect(await cf.read?.(A('home.example.com'))).toMatchObject({ ok: true });
    expect(api.requests[0]?.url).toBe('/client/v4/zones?name=home.example.com');
  });

  it('a garbage body or a result not as documented is transient', async () => {
    fake.next = { status: 200, body: 'this is not json' };
    const g = await client().read?.(A('home.example.com'));
    expect(g).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(!g?.ok && g?.error.message).toContain('not JSON');
    fake.next = {
      status: 200,
      body: { success: true, errors: [], result: [{ id: 5, name: 'example.com' }] },
    };
    const s = await client().read?.(A('home.example.com'));
    expect(!s?.ok && s?.error.message).toContain('result not as documented');
  });

  it('nothing listening is transient and names no token', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(TOKEN, `${closed.baseUrl}/client/v4`).set(
      A('home.example.com'),
      ['203.0.113.1'],
      60,
    );
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('settings default to the official endpoint and refuse a non-HTTP one; the token must not be empty', () => {
    expect(cloudflareProvider.settings.parse({})).toEqual({
      endpoint: 'https://api.cloudflare.com/client/v4',
    });
    expect(cloudflareProvider.settings.safeParse({ endpoint: 'ftp://x' }).success).toBe(false);
    expect(cloudflareProvider.secrets.safeParse({ token: ' ' }).success).toBe(false);
  });
});

describe('Cloudflare adapter: what it checks for itself', () => {
  it('declares itself as the descriptor says, and its client agrees', () => {
    expect(cloudflareProvider.kind).toBe('cloudflare');
    expect(cloudflareProvider.label).toBe('Cloudflare');
    expect(cloudflareProvider.docsUrl).toMatch(/^https:\/\/developers\.cloudflare\.com\//);
    expect(cloudflareProvider.can).toEqual({ read: true, txt: true });
    expect(cloudflareProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['token', true, false],
      ['endpoint', false, true],
    ]);
    for (const f of cloudflareProvider.fields) expect([f.label, f.help ?? '']).not.toContain('');
    const c = client();
    expect(c.kind).toBe('cloudflare');
    expect(c.can).toEqual({ read: true, txt: true });
  });

  it('an endpoint with a trailing slash makes the same requests', async () => {
    const r = await client(TOKEN, `${api.baseUrl}/client/v4//`).read?.(A('home.example.com'));
    expect(r).toMatchObject({ ok: true, value: { values: ['198.51.100.7'] } });
    expect(api.requests[0]?.url).toBe('/client/v4/zones?name=home.example.com');
  });

  it('lists records with the name and type filters, and writes JSON with its content type', async () => {
    await client().set(A('home.example.com'), ['203.0.113.9'], 60);
    const list = api.requests.find((q) => q.url.includes('/dns_records?'));
    const query = new URL(list?.url ?? '', 'http://x').searchParams;
    expect([query.get('type'), query.get('name')]).toEqual(['A', 'home.example.com']);
    expect(list?.headers['content-type']).toBeUndefined();
    expect(list?.headers.accept).toBe('application/json');
    expect(writes()[0]?.headers['content-type']).toBe('application/json');
  });

  it('an API that ignores the filters still yields only the zone and records asked for', async () => {
    fake.sloppy = true;
    const cf = client();
    expect(await cf.read?.(A('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: null },
    });
    expect(await cf.test('example.org')).toMatchObject({ ok: false, error: { kind: 'config' } });
  });

  it('test() says what is wrong: a token that is not active, a zone it does not see, a zone lookup that fails', async () => {
    const expired = await client(EXPIRED).test();
    expect(!expired.ok && expired.error.message).toBe('Cloudflare: the API token is expired, not active');
    const noZone = await client().test('example.org');
    expect(!noZone.ok && noZone.error.message).toBe(
      'Cloudflare: the token is active but sees no zone example.org',
    );
    fake.queue = [
      'model',
      { status: 429, headers: { 'retry-after': '3' }, body: { success: false, errors: [] } },
    ];
    expect(await client().test('example.com')).toMatchObject({ ok: false, error: { kind: 'rate-limited' } });
  });

  it('a body that is JSON but not the envelope is transient', async () => {
    fake.next = { status: 200, body: [1, 2] };
    const r = await client().test();
    expect(!r.ok && r.error).toMatchObject({ kind: 'transient' });
    expect(!r.ok && r.error.message).toContain('not the Cloudflare envelope');
  });

  it('a 4xx is a failure even with a body that claims success', async () => {
    fake.next = { status: 404, body: { success: true, errors: [], result: { id: 'x', status: 'active' } } };
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'config', code: 'HTTP 404' } });
  });

  it('a 400 without an error list says so, with the HTTP status as its code', async () => {
    fake.next = { status: 400, body: { success: false, result: null } };
    const r = await client().test();
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'HTTP 400',
        message: 'Cloudflare: GET /client/v4/user/tokens/verify: HTTP 400: no error given',
      },
    });
  });

  it('HTTP 200 with success:false and another code is transient, with every error named', async () => {
    fake.next = {
      status: 200,
      body: {
        success: false,
        errors: [
          { code: 1000, message: 'Internal' },
          { code: 1001, message: 'Again' },
        ],
        result: null,
      },
    };
    const r = await client().test();
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: '1000',
        message: 'Cloudflare: GET /client/v4/user/tokens/verify: HTTP 200: Internal (1000); Again (1001)',
      },
    });
  });

  it('a create that Cloudflare refuses stops the set (config), and so does a failed delete (transient)', async () => {
    const bad = await client().set(A('new.example.com'), ['not-an-ip'], 60);
    expect(bad).toMatchObject({ ok: false, error: { kind: 'config', code: '9005' } });
    expect(fake.of('new.example.com', 'A')).toEqual([]);
    fake.records.push(fake.record('zone-example', 'nas.example.com', 'A', '198.51.100.9', {}));
    fake.nextWrite = { status: 503, body: 'unavailable' };
    expect(await client().set(A('nas.example.com'), ['198.51.100.9'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
    fake.nextWrite = { status: 503, body: 'unavailable' };
    expect(await client().delete?.(A('nas.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
    expect(fake.of('nas.example.com', 'A')).toHaveLength(2);
    expect(await client('cf-WRONG').delete?.(A('nas.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'auth' },
    });
  });

  it('settings accept only http and https endpoints', () => {
    for (const endpoint of ['xhttps://api.example', 'httpsx://api.example', 'ftp://api.example'])
      expect(cloudflareProvider.settings.safeParse({ endpoint }).success).toBe(false);
    expect(cloudflareProvider.settings.safeParse({ endpoint: 'http://127.0.0.1:8080/v4' }).success).toBe(
      true,
    );
  });
});

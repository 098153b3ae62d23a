import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { digitalOceanProvider, relativeName } from './digitalocean.js';

const TOKEN = 'dop_v1_SECRETsecret0123456789';

interface DoRecord {
  id: number;
  domain: string;
  type: string;
  name: string;
  data: string;
  priority: null;
  port: null;
  ttl: number;
  weight: null;
  flags: null;
  tag: null;
}

/**
 * DigitalOcean's documented Domains / Domain Records requests as an in-memory model: 401 `unauthorized` for a token
 * it does not know, 404 `not_found` for a domain or record not in the account, 422 for an A record whose data is not
 * an IPv4 address, 201 on create and 204 on delete, `links.pages.next` paging. `next` replaces the next answer.
 */
class FakeDigitalOcean {
  domains = ['example.com', 'lab.example.net'];
  records: DoRecord[] = [];
  next: FakeApiAnswer | undefined;
  /** Replaces the answer to the next write (POST, PATCH, DELETE). */
  nextWrite: FakeApiAnswer | undefined;
  /** An API that ignores the name and type filters: the adapter must still check. */
  sloppy = false;
  private seq = 100;

  reset(): void {
    this.next = undefined;
    this.nextWrite = undefined;
    this.sloppy = false;
    this.seq = 100;
    this.records = [
      this.record('example.com', 'A', 'home', '198.51.100.7', 1800),
      this.record('example.com', 'AAAA', 'home', '2001:db8::7', 1800),
      this.record('example.com', 'A', 'nas', '198.51.100.8', 3600),
      this.record('example.com', 'A', '@', '198.51.100.1', 3600),
      this.record('example.com', 'TXT', '_acme-challenge', 'old token', 120),
      this.record('lab.example.net', 'A', 'pi', '203.0.113.9', 60),
    ];
  }

  record(domain: string, type: string, name: string, data: string, ttl: number): DoRecord {
    return {
      id: ++this.seq,
      domain,
      type,
      name,
      data,
      priority: null,
      port: null,
      ttl,
      weight: null,
      flags: null,
      tag: null,
    };
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    if (this.next) {
      const n = this.next;
      this.next = undefined;
      return n;
    }
    if (this.nextWrite && req.method !== 'GET') {
      const n = this.nextWrite;
      this.nextWrite = undefined;
      return n;
    }
    if (req.body !== '' && req.headers['content-type'] !== 'application/json')
      return error(415, 'unsupported_media_type', 'Content-Type must be application/json');
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return error(401, 'unauthorized', 'Unable to authenticate you');
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname.replace(/^\/v2/, '');
    if (path === '/domains' && req.method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? '20');
      return {
        body: {
          domains: this.domains.slice(0, perPage).map((name) => ({ name, ttl: 1800, zone_file: '' })),
          links: {},
          meta: { total: this.domains.length },
        },
      };
    }
    const m = /^\/domains\/([^/]+)(\/records(?:\/(\d+))?)?$/.exec(path);
    const domain = this.domains.find((d) => d === m?.[1]);
    if (!m || !domain) return error(404, 'not_found', 'The resource you were accessing could not be found.');
    if (m[2] === undefined) return { body: { domain: { name: domain, ttl: 1800, zone_file: '' } } };
    const id = m[3];
    const rel = (fqdn: string): string => (fqdn === domain ? '@' : fqdn.slice(0, -(domain.length + 1)));
    if (id === undefined && req.method === 'GET') {
      const type = this.sloppy ? null : url.searchParams.get('type');
      const name = this.sloppy ? null : url.searchParams.get('name');
      const perPage = Number(url.searchParams.get('per_page') ?? '20');
      const page = Number(url.searchParams.get('page') ?? '1');
      const all = this.records.filter(
        (r) =>
          r.domain === domain &&
          (type === null || r.type === type) &&
          (name === null || r.name === rel(name)),
      );
      const more = page * perPage < all.length;
      return {
        body: {
          domain_records: all.slice((page - 1) * perPage, page * perPage),
          links: more ? { pages: { next: `https://api.digitalocean.com/v2${path}?page=${page + 1}` } } : {},
          meta: { total: all.length },
        },
      };
    }
    if (id === undefined && req.method === 'POST') {
      const b = JSON.parse(req.body) as Partial<DoRecord>;
      if (!b.type || b.name === undefined || b.data === undefined)
        return error(422, 'unprocessable_entity', 'Name, type and data are required');
      const invalid = this.checkData(b.type, b.data);
      if (invalid) return invalid;
      const created = this.record(domain, b.type, b.name, b.data, b.ttl ?? 1800);
      this.records.push(created);
      return { status: 201, body: { domain_record: created } };
    }
    const found = this.records.find((r) => r.domain === domain && r.id === Number(id));
    if (!found) return error(404, 'not_found', 'The resource you were accessing could not be found.');
    if (req.method === 'PATCH') {
      const b = JSON.parse(req.body) as Partial<DoRecord>;
      if (b.data !== undefined) {
        const invalid = this.checkData(found.type, b.data);
        if (invalid) return invalid;
      }
      Object.assign(found, b);
      return { body: { domain_record: found } };
    }
    if (req.method === 'DELETE') {
      this.records = this.records.filter((r) => r !== found);
      return { status: 204 };
    }
    return error(405, 'method_not_allowed', 'Method not allowed');
  }

  private checkData(type: string, data: string): FakeApiAnswer | undefined {
    if (type === 'A' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(data))
      return error(422, 'unprocessable_entity', 'Data needs to be a valid IPv4 address');
    return undefined;
  }

  others(domain: string, name: string, type: string): DoRecord[] {
    return structuredClone(
      this.records.filter((r) => !(r.domain === domain && r.name === name && r.type === type)),
    );
  }
  of(domain: string, name: string, type: string): DoRecord[] {
    return this.records.filter((r) => r.domain === domain && r.name === name && r.type === type);
  }
}

function error(status: number, id: string, message: string): FakeApiAnswer {
  return { status, body: { id, message, request_id: 'req-1' } };
}

const fake = new FakeDigitalOcean();
const api = serveFakeApi(fake);
const clock = new FakeClock('2026-11-28T12:00:00Z');
const deps = providerTestDeps(clock);

function client(token = TOKEN, endpoint = `${api.baseUrl}/v2`): DnsProvider {
  return digitalOceanProvider.create(
    digitalOceanProvider.settings.parse({ endpoint }),
    digitalOceanProvider.secrets.parse({ token }),
    deps,
  );
}
const writes = (): FakeApiRequest[] => api.requests.filter((r) => r.method !== 'GET');
const A = (name: string, zone = 'example.com'): RecordRef => ({ zone, name, type: 'A' });

describe('DigitalOcean adapter against a fake DigitalOcean API', () => {
  it('reads a record set by its fully qualified name; a missing set is empty', async () => {
    fake.records.push(fake.record('example.com', 'A', 'home', '198.51.100.3', 1800));
    const d = client();
    expect(await d.read?.(A('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.3', '198.51.100.7'], ttl: 1800 },
    });
    expect(await d.read?.(A('example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.1'], ttl: 3600 },
    });
    expect(await d.read?.(A('missing.example.com'))).toEqual({ ok: true, value: { values: [], ttl: null } });
    expect(api.requests.filter((r) => r.url.includes('/records?'))).toHaveLength(3);
    const list = api.requests.find((r) => r.url.includes('/records?'));
    expect(new URL(list?.url ?? '', 'http://x').searchParams.get('name')).toBe('home.example.com');
    expect(list?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('finds the domain by walking up the labels (404 for the others), once per name', async () => {
    const d = client();
    expect(await d.read?.(A('pi.lab.example.net', 'lab.example.net'))).toMatchObject({
      value: { values: ['203.0.113.9'] },
    });
    expect(api.requests.filter((r) => !r.url.includes('/records')).map((r) => r.url)).toEqual([
      '/v2/domains/pi.lab.example.net',
      '/v2/domains/lab.example.net',
    ]);
    await d.read?.(A('pi.lab.example.net', 'lab.example.net'));
    expect(api.requests.filter((r) => !r.url.includes('/records'))).toHaveLength(2);
  });

  it('follows links.pages.next', async () => {
    for (let i = 0; i < 205; i++) fake.records.push(fake.record('example.com', 'TXT', 'many', `v${i}`, 60));
    const r = await client().read?.({ zone: 'example.com', name: 'many.example.com', type: 'TXT' });
    expect(r?.ok && r.value.values).toHaveLength(205);
  });

  it('set creates a missing record with a relative name (@ at the apex) and the TTL asked', async () => {
    const others = fake.others('example.com', 'new', 'A');
    expect(await client().set(A('new.example.com'), ['203.0.113.5'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('example.com', 'new', 'A')).toMatchObject([{ data: '203.0.113.5', ttl: 60 }]);
    expect(writes().map((w) => [w.method, JSON.parse(w.body) as unknown])).toEqual([
      ['POST', { type: 'A', name: 'new', data: '203.0.113.5', ttl: 60 }],
    ]);
    expect(fake.others('example.com', 'new', 'A')).toEqual(others);
    api.requests.length = 0;
    await client().set({ zone: 'example.com', name: 'example.com', type: 'AAAA' }, ['2001:db8::1'], 60);
    expect(JSON.parse(writes()[0]?.body ?? '')).toMatchObject({ name: '@' });
  });

  it('set updates the record in place (PATCH) and touches nothing else', async () => {
    const others = fake.others('example.com', 'home', 'A');
    const id = fake.of('example.com', 'home', 'A')[0]?.id;
    expect(await client().set(A('home.example.com'), ['203.0.113.44'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('example.com', 'home', 'A')).toMatchObject([{ id, data: '203.0.113.44', ttl: 60 }]);
    expect(writes().map((w) => [w.method, w.url, JSON.parse(w.body) as unknown])).toEqual([
      ['PATCH', `/v2/domains/example.com/records/${id}`, { data: '203.0.113.44', ttl: 60 }],
    ]);
    expect(fake.others('example.com', 'home', 'A')).toEqual(others);
  });

  it('set with the values already held is changed:false and writes nothing', async () => {
    fake.records.push(fake.record('example.com', 'AAAA', 'cam', '2001:0db8:0000::0001', 60));
    const d = client();
    expect(await d.set(A('home.example.com'), ['198.51.100.7'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(
      await d.set({ zone: 'example.com', name: 'cam.example.com', type: 'AAAA' }, ['2001:db8::1'], 60),
    ).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(writes()).toEqual([]);
  });

  it('TXT: data is sent as the text itself; delete removes only that set (204), and again is a success', async () => {
    const ref: RecordRef = { zone: 'example.com', name: '_acme-challenge.example.com', type: 'TXT' };
    const d = client();
    const others = fake.others('example.com', '_acme-challenge', 'TXT');
    expect(await d.set(ref, ['tok1', 'tok2'], 60)).toEqual({ ok: true, value: { changed: true } });
    expect(
      fake
        .of('example.com', '_acme-challenge', 'TXT')
        .map((r) => r.data)
        .sort(),
    ).toEqual(['tok1', 'tok2']);
    expect(await d.read?.(ref)).toMatchObject({ value: { values: ['tok1', 'tok2'] } });
    expect(await d.delete?.(ref)).toEqual({ ok: true, value: undefined });
    expect(fake.of('example.com', '_acme-challenge', 'TXT')).toEqual([]);
    expect(fake.others('example.com', '_acme-challenge', 'TXT')).toEqual(others);
    api.requests.length = 0;
    expect(await d.delete?.(ref)).toEqual({ ok: true, value: undefined });
    expect(writes()).toEqual([]);
  });

  it('a record deleted by someone else meanwhile (404 on DELETE) is gone as asked', async () => {
    const d = client();
    const ref: RecordRef = { zone: 'example.com', name: 'nas.example.com', type: 'A' };
    await d.read?.(ref);
    fake.next = {
      status: 200,
      body: { domain_records: fake.of('example.com', 'nas', 'A'), links: {}, meta: { total: 1 } },
    };
    fake.records = fake.records.filter((r) => r.name !== 'nas');
    expect(await d.delete?.(ref)).toEqual({ ok: true, value: undefined });
  });

  it('test() reads the domains (and the one given) without writing', async () => {
    const d = client();
    expect(await d.test()).toEqual({
      ok: true,
      value: { detail: 'the token may read the domains of this account' },
    });
    expect(await d.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the token may read the domain example.com' },
    });
    expect(await d.test('example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'no-zone' },
    });
    expect(writes()).toEqual([]);
  });

  it('a token DigitalOcean refuses is auth and never shown', async () => {
    const bad = 'dop_v1_WRONGwrong9876543210';
    for (const r of [
      await client(bad).test(),
      await client(bad).read?.(A('home.example.com')),
      await client(bad).set(A('home.example.com'), ['203.0.113.1'], 60),
    ]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 401' } });
      expect(JSON.stringify(r)).not.toContain(bad);
    }
    expect(fake.of('example.com', 'home', 'A')[0]?.data).toBe('198.51.100.7');
  });

  it('a name in no domain of the account is config', async () => {
    const r = await client().set(A('host.nowhere.org', 'nowhere.org'), ['203.0.113.1'], 60);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'no-zone',
        message: 'DigitalOcean: no domain of this account holds host.nowhere.org',
      },
    });
    expect(writes()).toEqual([]);
  });

  it('a value DigitalOcean refuses (422) is config with its message', async () => {
    const r = await client().set(A('home.example.com'), ['not-an-ip'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'unprocessable_entity' } });
    expect(!r.ok && r.error.message).toMatch(
      /^DigitalOcean: PATCH \/v2\/domains\/example\.com\/records\/101: HTTP 422: Data needs to be a valid IPv4 address \(unprocessable_entity\)$/,
    );
  });

  it('a domain removed after it was found is config, and is looked up again next time', async () => {
    const d = client();
    await d.read?.(A('home.example.com'));
    fake.domains = ['lab.example.net'];
    expect(await d.read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'not_found' },
    });
    api.requests.length = 0;
    expect(await d.read?.(A('home.example.com'))).toMatchObject({ ok: false, error: { code: 'no-zone' } });
    expect(api.requests[0]?.url).toBe('/v2/domains/home.example.com');
    fake.domains = ['example.com', 'lab.example.net'];
  });

  it('429 is rate-limited with the Retry-After wait', async () => {
    fake.next = {
      status: 429,
      headers: { 'retry-after': '42' },
      body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 42_000 },
    });
  });

  it('5xx is transient', async () => {
    fake.next = { status: 500, body: { id: 'server_error', message: 'Unexpected server-side error' } };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 500' },
    });
  });

  it('a garbage body, a body not as documented, or an unknown error shape is transient', async () => {
    fake.next = { status: 200, body: '<html>oops</html>' };
    const g = await client().read?.(A('home.example.com'));
    expect(!g?.ok && g?.error).toMatchObject({ kind: 'transient' });
    expect(!g?.ok && g?.error.message).toContain('not JSON');
    fake.next = { status: 200, body: { domain: { name: 5 } } };
    const s = await client().read?.(A('home.example.com'));
    expect(!s?.ok && s?.error.message).toContain('not as documented');
    fake.next = { status: 400, body: { error: 'x' } };
    const e = await client().read?.(A('home.example.com'));
    expect(!e?.ok && e?.error.message).toContain('not a DigitalOcean error');
  });

  it('nothing listening is transient and names no token', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(TOKEN, `${closed.baseUrl}/v2`).set(A('home.example.com'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('settings default to the official endpoint', () => {
    expect(digitalOceanProvider.settings.parse({})).toEqual({ endpoint: 'https://api.digitalocean.com/v2' });
    expect(digitalOceanProvider.secrets.safeParse({ token: '' }).success).toBe(false);
  });
});

describe('DigitalOcean adapter: what it checks for itself', () => {
  it('declares itself as the descriptor says, and its client agrees', () => {
    expect(digitalOceanProvider.kind).toBe('digitalocean');
    expect(digitalOceanProvider.label).toBe('DigitalOcean');
    expect(digitalOceanProvider.docsUrl).toMatch(/^https:\/\/docs\.digitalocean\.com\//);
    expect(digitalOceanProvider.can).toEqual({ read: true, txt: true });
    expect(digitalOceanProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['token', true, false],
      ['endpoint', false, true],
    ]);
    for (const f of digitalOceanProvider.fields) expect([f.label, f.help ?? '']).not.toContain('');
    expect(client().kind).toBe('digitalocean');
    expect(client().can).toEqual({ read: true, txt: true });
  });

  it('an endpoint with a trailing slash makes the same requests; writes are JSON', async () => {
    await client(TOKEN, `${api.baseUrl}/v2//`).set(A('home.example.com'), ['203.0.113.9'], 60);
    expect(api.requests[0]?.url).toBe('/v2/domains/home.example.com');
    expect(api.requests[0]?.headers.accept).toBe('application/json');
    expect(api.requests[0]?.headers['content-type']).toBeUndefined();
    expect(writes()[0]?.headers['content-type']).toBe('application/json');
    expect(fake.of('example.com', 'home', 'A')[0]?.data).toBe('203.0.113.9');
  });

  it('an API that ignores the filters still yields only the records asked for', async () => {
    fake.sloppy = true;
    expect(await client().read?.(A('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: 1800 },
    });
  });

  it('test() passes a refused token on, and names a domain that is missing', async () => {
    expect(await client('dop_v1_WRONG').test('example.com')).toMatchObject({
      ok: false,
      error: { kind: 'auth' },
    });
    const r = await client().test('example.org');
    expect(!r.ok && r.error.message).toBe(
      'DigitalOcean: the token works but this account has no domain example.org',
    );
  });

  it('a 403 (a token whose scopes do not cover the write) is the credentials, as DigitalOcean documents', async () => {
    fake.nextWrite = {
      status: 403,
      body: { id: 'forbidden', message: 'You are not authorized to perform this operation' },
    };
    expect(await client().set(A('home.example.com'), ['203.0.113.9'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'auth', code: 'HTTP 403' },
    });
  });

  it('a create DigitalOcean refuses stops the set (config); a failed delete is transient; a record gone before its edit is config', async () => {
    expect(await client().set(A('new.example.com'), ['not-an-ip'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'unprocessable_entity' },
    });
    expect(fake.of('example.com', 'new', 'A')).toEqual([]);
    fake.records.push(fake.record('example.com', 'A', 'nas', '198.51.100.9', 60));
    fake.nextWrite = { status: 503, body: { id: 'service_unavailable', message: 'down' } };
    expect(await client().set(A('nas.example.com'), ['198.51.100.9'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
    fake.nextWrite = { status: 503, body: { id: 'service_unavailable', message: 'down' } };
    expect(await client().delete?.(A('nas.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
    expect(fake.of('example.com', 'nas', 'A')).toHaveLength(2);
    expect(await client('dop_v1_WRONG').delete?.(A('nas.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'auth' },
    });
    fake.nextWrite = {
      status: 404,
      body: { id: 'not_found', message: 'The resource you were accessing could not be found.' },
    };
    const gone = await client().set(A('home.example.com'), ['203.0.113.1'], 60);
    expect(gone).toMatchObject({ ok: false, error: { kind: 'config', code: 'not_found' } });
    expect(!gone.ok && gone.error.message).toMatch(
      /^DigitalOcean: PATCH \/domains\/example\.com\/records\/101: not found/,
    );
  });

  it('an answer with no body where one is documented is transient', async () => {
    fake.nextWrite = { status: 204 };
    const r = await client().set(A('home.example.com'), ['203.0.113.1'], 60);
    expect(!r.ok && r.error).toMatchObject({ kind: 'transient' });
    expect(!r.ok && r.error.message).toContain('no body');
  });

  it('shrinking a set to one value deletes the extra record and says changed', async () => {
    fake.records.push(fake.record('example.com', 'A', 'home', '198.51.100.3', 1800));
    expect(await client().set(A('home.example.com'), ['198.51.100.3'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('example.com', 'home', 'A').map((r) => r.data)).toEqual(['198.51.100.3']);
    expect(writes().map((w) => [w.method, w.url])).toEqual([
      ['DELETE', '/v2/domains/example.com/records/101'],
    ]);
  });

  it('TXT data is taken as it is, quotes included', async () => {
    fake.records.push(fake.record('example.com', 'TXT', 'q', '"quoted" text', 60));
    expect(await client().read?.({ zone: 'example.com', name: 'q.example.com', type: 'TXT' })).toMatchObject({
      value: { values: ['"quoted" text'] },
    });
  });

  it('a domain answered under another name is not taken; a list without links is one page', async () => {
    fake.next = { body: { domain: { name: 'other.example', ttl: 1800, zone_file: '' } } };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: true,
      value: { values: ['198.51.100.7'] },
    });
    expect(api.requests.map((r) => r.url).slice(0, 2)).toEqual([
      '/v2/domains/home.example.com',
      '/v2/domains/example.com',
    ]);
    const d = client();
    await d.read?.(A('nas.example.com'));
    api.requests.length = 0;
    fake.next = { body: { domain_records: fake.of('example.com', 'nas', 'A') } };
    expect(await d.read?.(A('nas.example.com'))).toMatchObject({ value: { values: ['198.51.100.8'] } });
    expect(api.requests).toHaveLength(1);
  });

  it('a record list that fails after the domain was found is that failure, and the domain is asked for again', async () => {
    const d = client();
    await d.read?.(A('home.example.com'));
    fake.next = { status: 500, body: { id: 'server_error', message: 'Unexpected server-side error' } };
    expect(await d.read?.(A('home.example.com'))).toMatchObject({ ok: false, error: { kind: 'transient' } });
    api.requests.length = 0;
    await d.read?.(A('home.example.com'));
    expect(api.requests[0]?.url).toBe('/v2/domains/home.example.com');
    fake.next = error(404, 'not_found', 'The resource you were accessing could not be found.');
    const gone = await d.read?.(A('home.example.com'));
    expect(!gone?.ok && gone?.error.message).toMatch(
      /^DigitalOcean: GET \/domains\/example\.com\/records\?type=A&name=home\.example\.com&per_page=200&page=1: not found/,
    );
  });

  it('answers not as documented: the domain list, an edited record; a 404 for the domain list is config', async () => {
    fake.next = { body: { domains: [{}] } };
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'transient' } });
    fake.nextWrite = { body: { domain_record: {} } };
    const w = await client().set(A('home.example.com'), ['203.0.113.1'], 60);
    expect(!w.ok && w.error.message).toContain('not as documented');
    fake.next = error(404, 'not_found', 'nope');
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'config', code: 'not_found' } });
    expect(digitalOceanProvider.secrets.safeParse({ token: '  ' }).success).toBe(false);
  });

  it('settings accept only http and https endpoints', () => {
    for (const endpoint of ['xhttps://api.example', 'httpsx://api.example'])
      expect(digitalOceanProvider.settings.safeParse({ endpoint }).success).toBe(false);
  });
});

describe('DigitalOcean names', () => {
  it.each([
    ['home.example.com', 'example.com', 'home'],
    ['a.b.example.com', 'example.com', 'a.b'],
    ['example.com', 'example.com', '@'],
  ])('relativeName(%s, %s) = %s', (name, domain, rel) => {
    expect(relativeName(name, domain)).toBe(rel);
  });
});

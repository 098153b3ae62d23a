import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { describeErrors, desecProvider, subnameOf } from './desec.js';

const TOKEN = 'desec-SECRET-token-0123456789';

interface DsRRSet {
  domain: string;
  subname: string;
  type: string;
  ttl: number;
  records: string[];
}

/**
 * deSEC's documented domain and RRset requests as an in-memory model: `Token` auth (401 `{"detail":"Invalid
 * token."}` otherwise), `owns_qname` answering the longest owned domain or `[]`, RRsets addressed by subname (`@` at
 * the apex) and type, 404 for a missing RRset or a domain not owned, 400 with DRF field errors for a TTL below the
 * domain's `minimum_ttl`, an A record that is not IPv4, an unquoted TXT record or an RRset that already exists;
 * AAAA canonicalised as the server does; DELETE 204 whether or not it existed. `next` replaces the next answer.
 */
class FakeDesec {
  domains = [
    { name: 'example.com', minimum_ttl: 3600 },
    { name: 'dev.example.com', minimum_ttl: 60 },
  ];
  rrsets: DsRRSet[] = [];
  next: FakeApiAnswer | undefined;
  /** Replaces the answer to the next write (POST, PATCH, DELETE). */
  nextWrite: FakeApiAnswer | undefined;

  reset(): void {
    this.next = undefined;
    this.nextWrite = undefined;
    this.rrsets = [
      { domain: 'example.com', subname: 'home', type: 'A', ttl: 3600, records: ['198.51.100.7'] },
      { domain: 'example.com', subname: 'home', type: 'AAAA', ttl: 3600, records: ['2001:db8::7'] },
      { domain: 'example.com', subname: '', type: 'A', ttl: 7200, records: ['198.51.100.1'] },
      {
        domain: 'example.com',
        subname: '_acme-challenge',
        type: 'TXT',
        ttl: 3600,
        records: ['"old" "token"'],
      },
      { domain: 'dev.example.com', subname: 'pi', type: 'A', ttl: 60, records: ['203.0.113.9'] },
    ];
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
      return { status: 415, body: { detail: 'Unsupported media type.' } };
    if (req.headers.authorization !== `Token ${TOKEN}`)
      return { status: 401, body: { detail: 'Invalid token.' } };
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname.replace(/^\/api\/v1/, '');
    if (path === '/domains/' && req.method === 'GET') {
      const qname = url.searchParams.get('owns_qname');
      if (qname === null) return { body: this.domains.map((d) => this.domainJson(d)) };
      const owner = this.domains
        .filter((d) => qname === d.name || qname.endsWith(`.${d.name}`))
        .sort((a, b) => b.name.length - a.name.length)[0];
      return { body: owner ? [this.domainJson(owner)] : [] };
    }
    const m = /^\/domains\/([^/]+)\/(?:rrsets\/(?:([^/]+)\/([A-Z]+)\/)?)?$/.exec(path);
    const domain = this.domains.find((d) => d.name === m?.[1]);
    if (!m || !domain) return { status: 404, body: { detail: 'Not found.' } };
    if (!path.includes('/rrsets/')) return { body: this.domainJson(domain) };
    if (m[2] === undefined) {
      if (req.method !== 'POST') return { status: 405, body: { detail: 'Method not allowed.' } };
      const b = JSON.parse(req.body) as Partial<DsRRSet>;
      const sub = b.subname ?? '';
      if (this.rrsets.some((r) => r.domain === domain.name && r.subname === sub && r.type === b.type))
        return {
          status: 400,
          body: {
            non_field_errors: ['Another RRset with the same subdomain and type exists for this domain.'],
          },
        };
      const invalid = this.check(domain, b.type ?? '', b.ttl, b.records ?? []);
      if (invalid) return invalid;
      const rrset = {
        domain: domain.name,
        subname: sub,
        type: b.type ?? '',
        ttl: b.ttl ?? 0,
        records: this.canonical(b.type ?? '', b.records ?? []),
      };
      this.rrsets.push(rrset);
      return { status: 201, body: this.rrsetJson(rrset) };
    }
    const sub = decodeURIComponent(m[2]) === '@' ? '' : decodeURIComponent(m[2]);
    const found = this.rrsets.find((r) => r.domain === domain.name && r.subname === sub && r.type === m[3]);
    if (req.method === 'DELETE') {
      this.rrsets = this.rrsets.filter((r) => r !== found);
      return { status: 204 };
    }
    if (!found) return { status: 404, body: { detail: 'Not found.' } };
    if (req.method === 'GET') return { body: this.rrsetJson(found) };
    if (req.method === 'PATCH') {
      const b = JSON.parse(req.body) as Partial<DsRRSet>;
      const invalid = this.check(domain, found.type, b.ttl ?? found.ttl, b.records ?? found.records);
      if (invalid) return invalid;
      if (b.records !== undefined) found.records = this.canonical(found.type, b.records);
      if (b.ttl !== undefined) found.ttl = b.ttl;
      return { body: this.rrsetJson(found) };
    }
    return { status: 405, body: { detail: 'Method not allowed.' } };
  }

  private check(
    domain: { minimum_ttl: number },
    type: string,
    ttl: number | undefined,
    records: readonly string[],
  ): FakeApiAnswer | undefined {
    if (ttl === undefined || ttl < domain.minimum_ttl)
      return {
        status: 400,
        body: { ttl: [`Ensure this value is greater than or equal to ${domain.minimum_ttl}.`] },
      };
    for (const r of records) {
      if (type === 'A' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(r))
        return { status: 400, body: { records: [`Record content for type A malformed: ${r}`] } };
      if (type === 'TXT' && !r.startsWith('"'))
        return { status: 400, body: { records: ['Record content for type TXT malformed.'] } };
    }
    return undefined;
  }

  private canonical(type: string, records: readonly string[]): string[] {
    return records.map((r) => (type === 'AAAA' ? new URL(`http://[${r}]/`).hostname.slice(1, -1) : r));
  }

  private domainJson(d: { name: string; minimum_ttl: number }): unknown {
    return {
      created: '2026-01-01T00:00:00Z',
      minimum_ttl: d.minimum_ttl,
      name: d.name,
      published: null,
      touched: null,
    };
  }

  private rrsetJson(r: DsRRSet): unknown {
    return {
      created: '2026-01-01T00:00:00Z',
      domain: r.domain,
      subname: r.subname,
      name: r.subname === '' ? `${r.domain}.` : `${r.subname}.${r.domain}.`,
      type: r.type,
      records: r.records,
      ttl: r.ttl,
      touched: '2026-01-01T00:00:00Z',
    };
  }

  others(domain: string, subname: string, type: string): DsRRSet[] {
    return structuredClone(
      this.rrsets.filter((r) => !(r.domain === domain && r.subname === subname && r.type === type)),
    );
  }
  of(domain: string, subname: string, type: string): DsRRSet | undefined {
    return this.rrsets.find((r) => r.domain === domain && r.subname === subname && r.type === type);
  }
}

const fake = new FakeDesec();
const api = serveFakeApi(fake);
const clock = new FakeClock('2026-11-28T12:00:00Z');
const deps = providerTestDeps(clock);

function client(token = TOKEN, endpoint = `${api.baseUrl}/api/v1`): DnsProvider {
  return desecProvider.create(
    desecProvider.settings.parse({ endpoint }),
    desecProvider.secrets.parse({ token }),
    deps,
  );
}
const writes = (): FakeApiRequest[] => api.requests.filter((r) => r.method !== 'GET');
const A = (name: string, zone = 'example.com'): RecordRef => ({ zone, name, type: 'A' });

describe('deSEC adapter against a fake deSEC API', () => {
  it('reads an RRset (the apex through @); a missing one is empty', async () => {
    const d = client();
    expect(await d.read?.(A('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: 3600 },
    });
    expect(await d.read?.(A('example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.1'], ttl: 7200 },
    });
    expect(await d.read?.(A('missing.example.com'))).toEqual({ ok: true, value: { values: [], ttl: null } });
    expect(api.requests.map((r) => r.url)).toEqual([
      '/api/v1/domains/?owns_qname=home.example.com',
      '/api/v1/domains/example.com/rrsets/home/A/',
      '/api/v1/domains/?owns_qname=example.com',
      '/api/v1/domains/example.com/rrsets/@/A/',
      '/api/v1/domains/?owns_qname=missing.example.com',
      '/api/v1/domains/example.com/rrsets/missing/A/',
    ]);
    expect(api.requests[0]?.headers.authorization).toBe(`Token ${TOKEN}`);
  });

  it('asks deSEC for the responsible domain (owns_qname), once per name', async () => {
    const d = client();
    expect(await d.read?.(A('pi.dev.example.com', 'dev.example.com'))).toMatchObject({
      value: { values: ['203.0.113.9'] },
    });
    expect(api.requests[1]?.url).toBe('/api/v1/domains/dev.example.com/rrsets/pi/A/');
    await d.read?.(A('pi.dev.example.com', 'dev.example.com'));
    expect(api.requests.filter((r) => r.url.includes('owns_qname'))).toHaveLength(1);
  });

  it('reads TXT strings joined and unquoted', async () => {
    expect(
      await client().read?.({ zone: 'example.com', name: '_acme-challenge.example.com', type: 'TXT' }),
    ).toMatchObject({
      value: { values: ['oldtoken'] },
    });
  });

  it('set creates a missing RRset in one POST with the TTL asked when the domain allows it', async () => {
    const others = fake.others('dev.example.com', 'nas', 'A');
    const r = await client().set(
      A('nas.dev.example.com', 'dev.example.com'),
      ['203.0.113.6', '203.0.113.5'],
      60,
    );
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of('dev.example.com', 'nas', 'A')).toEqual({
      domain: 'dev.example.com',
      subname: 'nas',
      type: 'A',
      ttl: 60,
      records: ['203.0.113.5', '203.0.113.6'],
    });
    expect(writes().map((w) => [w.method, w.url, JSON.parse(w.body) as unknown])).toEqual([
      [
        'POST',
        '/api/v1/domains/dev.example.com/rrsets/',
        { subname: 'nas', type: 'A', ttl: 60, records: ['203.0.113.5', '203.0.113.6'] },
      ],
    ]);
    expect(fake.others('dev.example.com', 'nas', 'A')).toEqual(others);
  });

  it("a TTL below the domain's minimum becomes the minimum, and the answer says so", async () => {
    const r = await client().set(A('new.example.com'), ['203.0.113.5'], 60);
    expect(r).toEqual({
      ok: true,
      value: { changed: true, detail: 'TTL 3600 s, the minimum deSEC allows for example.com (60 s asked)' },
    });
    expect(fake.of('example.com', 'new', 'A')?.ttl).toBe(3600);
    // At the apex the subname is empty in the body.
    api.requests.length = 0;
    await client().set({ zone: 'example.com', name: 'example.com', type: 'AAAA' }, ['2001:db8::1'], 60);
    expect(JSON.parse(writes()[0]?.body ?? '')).toMatchObject({ subname: '', ttl: 3600 });
  });

  it('set changes an existing RRset with one PATCH of its records: TTL and other RRsets stay', async () => {
    const others = fake.others('example.com', 'home', 'A');
    expect(await client().set(A('home.example.com'), ['203.0.113.44'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('example.com', 'home', 'A')).toMatchObject({ ttl: 3600, records: ['203.0.113.44'] });
    expect(writes().map((w) => [w.method, w.url, JSON.parse(w.body) as unknown])).toEqual([
      ['PATCH', '/api/v1/domains/example.com/rrsets/home/A/', { records: ['203.0.113.44'] }],
    ]);
    expect(fake.others('example.com', 'home', 'A')).toEqual(others);
  });

  it('set with the values already held (AAAA compared canonically) is changed:false and writes nothing', async () => {
    fake.rrsets.push({
      domain: 'example.com',
      subname: 'cam',
      type: 'AAAA',
      ttl: 3600,
      records: ['2001:DB8:0::1'],
    });
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

  it('TXT records are sent quoted; delete removes only that RRset, and again is a success (204)', async () => {
    const d = client();
    const ref: RecordRef = { zone: 'example.com', name: '_acme-challenge.home.example.com', type: 'TXT' };
    const others = fake.others('example.com', '_acme-challenge.home', 'TXT');
    expect(await d.set(ref, ['tok "1"', 'tok2'], 3600)).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of('example.com', '_acme-challenge.home', 'TXT')?.records).toEqual([
      '"tok \\"1\\""',
      '"tok2"',
    ]);
    expect(await d.read?.(ref)).toMatchObject({ value: { values: ['tok "1"', 'tok2'] } });
    expect(await d.delete?.(ref)).toEqual({ ok: true, value: undefined });
    expect(fake.of('example.com', '_acme-challenge.home', 'TXT')).toBeUndefined();
    expect(fake.others('example.com', '_acme-challenge.home', 'TXT')).toEqual(others);
    expect(await d.delete?.(ref)).toEqual({ ok: true, value: undefined });
  });

  it('set to no values deletes the RRset', async () => {
    expect(await client().set(A('home.example.com'), [], 60)).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of('example.com', 'home', 'A')).toBeUndefined();
    expect(writes().map((w) => [w.method, w.url])).toEqual([
      ['DELETE', '/api/v1/domains/example.com/rrsets/home/A/'],
    ]);
  });

  it('test() reads the domains (and the one given, with its minimum TTL) without writing', async () => {
    const d = client();
    expect(await d.test()).toEqual({
      ok: true,
      value: { detail: 'the token may read the domains of this account' },
    });
    expect(await d.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the token may read the domain example.com; its minimum TTL is 3600 s' },
    });
    expect(await d.test('example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'no-zone' },
    });
    expect(writes()).toEqual([]);
  });

  it('a token deSEC refuses (401) is auth and never shown', async () => {
    const bad = 'desec-WRONG-9876543210';
    for (const r of [
      await client(bad).test(),
      await client(bad).read?.(A('home.example.com')),
      await client(bad).set(A('home.example.com'), ['203.0.113.1'], 3600),
      await client(bad).delete?.(A('home.example.com')),
    ]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 401' } });
      expect(JSON.stringify(r)).not.toContain(bad);
    }
    expect(fake.of('example.com', 'home', 'A')?.records).toEqual(['198.51.100.7']);
  });

  it('a name in no domain of the account is config', async () => {
    const r = await client().set(A('host.nowhere.org', 'nowhere.org'), ['203.0.113.1'], 3600);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'no-zone',
        message: 'deSEC: no domain of this account holds host.nowhere.org',
      },
    });
    expect(writes()).toEqual([]);
  });

  it('content deSEC refuses (400) is config with its field messages', async () => {
    const r = await client().set(A('home.example.com'), ['not-an-ip'], 3600);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'HTTP 400',
        message:
          'deSEC: PATCH /api/v1/domains/example.com/rrsets/home/A/: HTTP 400: records: Record content for type A malformed: not-an-ip',
      },
    });
  });

  it('a domain removed after it was found is config on the write, and is asked for again next time', async () => {
    const d = client();
    await d.read?.(A('home.example.com'));
    fake.domains = fake.domains.filter((x) => x.name !== 'example.com');
    fake.next = { body: { subname: 'home', type: 'A', ttl: 3600, records: ['198.51.100.7'] } };
    expect(await d.set(A('home.example.com'), ['203.0.113.3'], 3600)).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'not-found' },
    });
    api.requests.length = 0;
    expect(await d.read?.(A('home.example.com'))).toMatchObject({ ok: false, error: { code: 'no-zone' } });
    expect(api.requests[0]?.url).toBe('/api/v1/domains/?owns_qname=home.example.com');
    fake.domains = [
      { name: 'example.com', minimum_ttl: 3600 },
      { name: 'dev.example.com', minimum_ttl: 60 },
    ];
  });

  it('429 on a write (the per-domain write limits) is rate-limited with the Retry-After wait, however long', async () => {
    fake.nextWrite = {
      status: 429,
      headers: { 'retry-after': '50000' },
      body: { detail: 'Request was throttled. Expected available in 50000 seconds.' },
    };
    const r = await client().set(A('home.example.com'), ['203.0.113.3'], 3600);
    expect(r).toMatchObject({ ok: false, error: { kind: 'rate-limited', retryAfterMs: 50_000_000 } });
    expect(fake.of('example.com', 'home', 'A')?.records).toEqual(['198.51.100.7']);
  });

  it('5xx is transient', async () => {
    fake.next = { status: 502, body: '<html>Bad gateway</html>' };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 502' },
    });
  });

  it('a garbage body, a body not as documented, or an unknown error shape is transient', async () => {
    fake.next = { status: 200, body: 'garbage' };
    const g = await client().read?.(A('home.example.com'));
    expect(!g?.ok && g?.error).toMatchObject({ kind: 'transient' });
    expect(!g?.ok && g?.error.message).toContain('not JSON');
    fake.next = { status: 200, body: [{ name: 'example.com' }] };
    const s = await client().read?.(A('home.example.com'));
    expect(!s?.ok && s?.error.message).toContain('not as documented');
    fake.next = { status: 400, body: [{}, { records: ['x'] }] };
    const e = await client().read?.(A('home.example.com'));
    expect(!e?.ok && e?.error.message).toContain('not a deSEC error');
  });

  it('nothing listening is transient and names no token', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(TOKEN, `${closed.baseUrl}/api/v1`).set(
      A('home.example.com'),
      ['203.0.113.1'],
      3600,
    );
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('settings default to desec.io', () => {
    expect(desecProvider.settings.parse({})).toEqual({ endpoint: 'https://desec.io/api/v1' });
  });
});

describe('deSEC adapter: what it checks for itself', () => {
  it('declares itself as the descriptor says, and its client agrees', () => {
    expect(desecProvider.kind).toBe('desec');
    expect(desecProvider.label).toBe('deSEC');
    expect(desecProvider.docsUrl).toMatch(/^https:\/\/desec\.readthedocs\.io\//);
    expect(desecProvider.can).toEqual({ read: true, txt: true });
    expect(desecProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['token', true, false],
      ['endpoint', false, true],
    ]);
    for (const f of desecProvider.fields) expect([f.label, f.help ?? '']).not.toContain('');
    expect(client().kind).toBe('desec');
    expect(client().can).toEqual({ read: true, txt: true });
    expect(desecProvider.settings.safeParse({ endpoint: 'xhttps://x' }).success).toBe(false);
    expect(desecProvider.settings.safeParse({ endpoint: 'httpsx://x' }).success).toBe(false);
    expect(desecProvider.secrets.safeParse({ token: '' }).success).toBe(false);
  });

  it('an endpoint with a trailing slash makes the same requests; writes are JSON', async () => {
    await client(TOKEN, `${api.baseUrl}/api/v1//`).set(A('home.example.com'), ['203.0.113.9'], 3600);
    expect(api.requests[0]?.url).toBe('/api/v1/domains/?owns_qname=home.example.com');
    expect(api.requests[0]?.headers.accept).toBe('application/json');
    expect(api.requests[0]?.headers['content-type']).toBeUndefined();
    expect(writes()[0]?.headers['content-type']).toBe('application/json');
    expect(fake.of('example.com', 'home', 'A')?.records).toEqual(['203.0.113.9']);
  });

  it('a domain answered for owns_qname that does not hold the name is not taken', async () => {
    fake.next = {
      body: [{ created: 'x', minimum_ttl: 3600, name: 'other.example', published: null, touched: null }],
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { code: 'no-zone' },
    });
    fake.next = {
      body: [{ created: 'x', minimum_ttl: 3600, name: 'me.example.com', published: null, touched: null }],
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { code: 'no-zone' },
    });
  });

  it('test() passes a refused token on and names a missing domain', async () => {
    expect(await client('desec-WRONG').test('example.com')).toMatchObject({
      ok: false,
      error: { kind: 'auth' },
    });
    const r = await client().test('example.org');
    expect(!r.ok && r.error.message).toBe(
      'deSEC: the token works but this account has no domain example.org',
    );
  });

  it('a create deSEC refuses is config; a failed delete is transient; a domain gone before a delete is config', async () => {
    expect(await client().set(A('new.dev.example.com', 'dev.example.com'), ['not-an-ip'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'HTTP 400' },
    });
    expect(fake.of('dev.example.com', 'new', 'A')).toBeUndefined();
    fake.nextWrite = { status: 503, body: { detail: 'down' } };
    expect(await client().set(A('home.example.com'), [], 3600)).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
    fake.nextWrite = { status: 503, body: { detail: 'down' } };
    expect(await client().delete?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient' },
    });
    expect(fake.of('example.com', 'home', 'A')?.records).toEqual(['198.51.100.7']);
    fake.nextWrite = { status: 404, body: { detail: 'Not found.' } };
    const gone = await client().delete?.(A('home.example.com'));
    expect(gone).toMatchObject({ ok: false, error: { kind: 'config', code: 'not-found' } });
    expect(!gone?.ok && gone?.error.message).toBe(
      'deSEC: DELETE /domains/example.com/rrsets/home/A/: not found (the domain is no longer in this account, or the token may not use it)',
    );
  });

  it('reads values sorted; a set differing in one of two values is a change', async () => {
    fake.rrsets.push({
      domain: 'example.com',
      subname: 'two',
      type: 'A',
      ttl: 3600,
      records: ['203.0.113.9', '198.51.100.2'],
    });
    const d = client();
    expect(await d.read?.(A('two.example.com'))).toMatchObject({
      value: { values: ['198.51.100.2', '203.0.113.9'] },
    });
    expect(await d.set(A('two.example.com'), ['198.51.100.2', '203.0.113.10'], 3600)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('example.com', 'two', 'A')?.records).toEqual(['198.51.100.2', '203.0.113.10']);
  });

  it('a read that fails after the domain was found is that failure, and the domain is asked for again', async () => {
    const d = client();
    await d.read?.(A('home.example.com'));
    fake.next = { status: 500, body: 'oops' };
    expect(await d.read?.(A('home.example.com'))).toMatchObject({ ok: false, error: { kind: 'transient' } });
    api.requests.length = 0;
    await d.read?.(A('home.example.com'));
    expect(api.requests[0]?.url).toBe('/api/v1/domains/?owns_qname=home.example.com');
  });

  it('a 404 for owns_qname is no domain; test() lists the domains', async () => {
    fake.next = { status: 404, body: { detail: 'Not found.' } };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { code: 'no-zone' },
    });
    api.requests.length = 0;
    await client().test();
    expect(api.requests.map((r) => r.url)).toEqual(['/api/v1/domains/']);
    expect(desecProvider.secrets.safeParse({ token: '  ' }).success).toBe(false);
  });

  it('a 403 (the token’s policy refuses the write) stops the record, not the account', async () => {
    fake.nextWrite = { status: 403, body: { detail: 'Insufficient token permissions.' } };
    const r = await client().set(A('home.example.com'), ['203.0.113.9'], 3600);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'HTTP 403' } });
    expect(!r.ok && r.error.message).toContain('Insufficient token permissions.');
  });

  it('an answer with no body where one is documented is transient', async () => {
    fake.next = { status: 204 };
    const r = await client().read?.(A('home.example.com'));
    expect(!r?.ok && r?.error.message).toContain('no body');
    fake.nextWrite = { status: 204 };
    const w = await client().set(A('home.example.com'), ['203.0.113.1'], 3600);
    expect(!w.ok && w.error.message).toContain('no body');
  });
});

describe('deSEC names and errors', () => {
  it.each([
    ['home.example.com', 'example.com', 'home'],
    ['_acme-challenge.www.dev.example.com', 'example.com', '_acme-challenge.www.dev'],
    ['example.com', 'example.com', ''],
  ])('subnameOf(%s, %s) = %j', (name, domain, sub) => {
    expect(subnameOf(name, domain)).toBe(sub);
  });

  it.each([
    [{ detail: 'Not found.' }, 'Not found.'],
    [
      { ttl: ['Ensure this value is greater than or equal to 3600.'] },
      'ttl: Ensure this value is greater than or equal to 3600.',
    ],
    [{ records: ['a', 'b'], subname: 'c' }, 'records: a b; subname: c'],
  ])('describeErrors(%j)', (body, text) => {
    expect(describeErrors(body)).toBe(text);
  });
});

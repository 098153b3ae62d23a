import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { errorKind, porkbunMinTtl, porkbunProvider } from './porkbun.js';

const APIKEY = 'pk1_SECRET-apikey-0123456789';
const SECRET = 'sk1_SECRET-secretapikey-0123456789';

interface PbRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: string;
  prio: string;
  notes: string;
}

/**
 * Porkbun's documented requests as a small in-memory model: every request is a POST with the keys in the JSON body,
 * every answer `{status: "SUCCESS", …}` or `{status: "ERROR", message}`. Domains hold records (numbers as strings,
 * `name` the full name); a domain may have its API access off. A wrong key gets HTTP 400 "Invalid API key. (002)".
 * `next` replaces the next answer.
 */
class FakePorkbun {
  domains = new Map<string, { api: boolean; records: PbRecord[] }>();
  next: FakeApiAnswer | undefined;
  /** When set, `next` waits for a request whose path contains this. */
  nextPath: string | undefined;
  private seq = 0;

  reset(): void {
    this.next = undefined;
    this.nextPath = undefined;
    this.seq = 100;
    this.domains = new Map([
      [
        'example.com',
        {
          api: true,
          records: [
            this.rec('example.com', 'NS', 'curitiba.ns.porkbun.com', '86400'),
            this.rec('example.com', 'ALIAS', 'pixie.porkbun.com', '600'),
            this.rec('home.example.com', 'A', '198.51.100.7', '600', 'router'),
            this.rec('home.example.com', 'AAAA', '2001:db8::7', '600'),
            this.rec('nas.example.com', 'A', '198.51.100.9', '900', 'left'),
            this.rec('nas.example.com', 'A', '198.51.100.8', '900', 'right'),
            this.rec('_acme-challenge.home.example.com', 'TXT', 'old token', '600'),
          ],
        },
      ],
      ['example.net', { api: false, records: [this.rec('example.net', 'NS', 'ns.porkbun.com', '86400')] }],
    ]);
  }

  rec(name: string, type: string, content: string, ttl: string, notes = ''): PbRecord {
    return { id: String(++this.seq), name, type, content, ttl, prio: '0', notes };
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    if (req.method !== 'POST') return pbError(405, 'All API calls use POST.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return pbError(400, 'Invalid JSON.');
    }
    if (body.apikey !== APIKEY || body.secretapikey !== SECRET) return pbError(400, 'Invalid API key. (002)');
    if (this.next && (this.nextPath === undefined || req.url.includes(this.nextPath))) {
      const n = this.next;
      this.next = undefined;
      return n;
    }
    const parts = new URL(req.url, 'http://fake').pathname
      .replace(/^\/api\/json\/v3\//, '')
      .split('/')
      .map(decodeURIComponent);
    if (parts[0] === 'ping') return { body: { status: 'SUCCESS', yourIp: '203.0.113.50' } };
    if (parts[0] !== 'dns') return pbError(404, 'Unknown endpoint.');
    const [, op = '', domainName = '', a, b] = parts;
    const domain = this.domains.get(domainName);
    if (!domain) return pbError(400, 'Invalid domain.');
    if (!domain.api) return pbError(400, `Domain is not opted in to API access.`);
    const fqdn = (sub: string | undefined): string => (sub ? `${sub}.${domainName}` : domainName);
    const byNameType = (r: PbRecord): boolean => r.type === a && r.name === fqdn(b);
    const ttl = (): string | FakeApiAnswer => {
      const t = str(body.ttl ?? '600');
      return Number(t) < 600 ? pbError(400, 'TTL must be at least 600.') : t;
    };
    const badContent = (type: string, content: unknown): FakeApiAnswer | undefined =>
      typeof content !== 'string' ||
      (type === 'A' && isIP(content) !== 4) ||
      (type === 'AAAA' && isIP(content) !== 6)
        ? pbError(400, 'Invalid record content.')
        : undefined;
    switch (op) {
      case 'retrieveByNameType':
        return {
          body: { status: 'SUCCESS', cloudflare: 'enabled', records: domain.records.filter(byNameType) },
        };
      case 'editByNameType': {
        const t = ttl();
        if (typeof t !== 'string') return t;
        const bad = badContent(a ?? '', body.content);
        if (bad) return bad;
        const hit = domain.records.filter(byNameType);
        if (hit.length === 0) return pbError(400, 'Edit error: No records found.');
        for (const r of hit) Object.assign(r, { content: body.content, ttl: t });
        return { body: { status: 'SUCCESS' } };
      }
      case 'deleteByNameType':
        domain.records = domain.records.filter((r) => !byNameType(r));
        return { body: { status: 'SUCCESS' } };
      case 'create': {
        const t = ttl();
        if (typeof t !== 'string') return t;
        const type = str(body.type);
        const bad = badContent(type, body.content);
        if (bad) return bad;
        const r = this.rec(fqdn(str(body.name)), type, str(body.content), t);
        domain.records.push(r);
        return { body: { status: 'SUCCESS', id: Number(r.id) } };
      }
      case 'edit': {
        const r = domain.records.find((x) => x.id === a);
        if (!r) return pbError(400, 'Edit error: Invalid record ID.');
        const t = ttl();
        if (typeof t !== 'string') return t;
        const bad = badContent(str(body.type), body.content);
        if (bad) return bad;
        Object.assign(r, {
          name: fqdn(str(body.name)),
          type: str(body.type),
          content: body.content,
          ttl: t,
          // A full replace: notes not sent are cleared.
          notes: typeof body.notes === 'string' ? body.notes : '',
        });
        return { body: { status: 'SUCCESS' } };
      }
      case 'delete': {
        const before = domain.records.length;
        domain.records = domain.records.filter((x) => x.id !== a);
        return domain.records.length < before
          ? { body: { status: 'SUCCESS' } }
          : pbError(400, 'Delete error: Invalid record ID.');
      }
      default:
        return pbError(404, 'Unknown endpoint.');
    }
  }

  of(name: string, type: string): PbRecord[] {
    return (this.domains.get('example.com')?.records ?? []).filter((r) => r.name === name && r.type === type);
  }
  others(name: string, type: string): PbRecord[] {
    return structuredClone(
      [...this.domains.values()]
        .flatMap((d) => d.records)
        .filter((r) => !(r.name === name && r.type === type)),
    );
  }
}

/** A body field as text (strings and numbers as sent; anything else empty). */
function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
function pbError(status: number, message: string): FakeApiAnswer {
  return { status, body: { status: 'ERROR', message } };
}

const fake = new FakePorkbun();
const api = serveFakeApi(fake);
const clock = new FakeClock('2026-11-28T12:00:00Z');
const deps = providerTestDeps(clock);

function client(
  keys = { apiKey: APIKEY, secretApiKey: SECRET },
  endpoint = `${api.baseUrl}/api/json/v3`,
): DnsProvider {
  return porkbunProvider.create(
    porkbunProvider.settings.parse({ endpoint }),
    porkbunProvider.secrets.parse(keys),
    deps,
  );
}
const ops = (): string[] => api.requests.map((r) => r.url.replace('/api/json/v3', ''));
const writeOps = (): string[] => ops().filter((u) => !/^\/(ping|dns\/retrieve)/.test(u));
const ref = (name: string, type: RecordRef['type'] = 'A', zone = 'example.com'): RecordRef => ({
  zone,
  name,
  type,
});
const values = (name: string, type: string): string[] =>
  fake
    .of(name, type)
    .map((r) => r.content)
    .sort();
const noSecret = (r: unknown): void => {
  expect(JSON.stringify(r)).not.toContain(APIKEY);
  expect(JSON.stringify(r)).not.toContain(SECRET);
};

describe('Porkbun adapter against a fake Porkbun API', () => {
  it('reads by name and type (values sorted, TTL as a number); a missing set is empty; the apex has no subdomain', async () => {
    const pb = client();
    expect(await pb.read?.(ref('nas.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.8', '198.51.100.9'], ttl: 900 },
    });
    expect(await pb.read?.(ref('missing.example.com'))).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    expect(await pb.read?.({ zone: 'example.com', name: 'example.com', type: 'A' })).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    expect(ops()).toEqual([
      '/dns/retrieveByNameType/example.com/A/nas',
      '/dns/retrieveByNameType/example.com/A/missing',
      '/dns/retrieveByNameType/example.com/A',
    ]);
    const first = api.requests[0];
    expect(first?.method).toBe('POST');
    expect(first?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(first?.body ?? '')).toEqual({ apikey: APIKEY, secretapikey: SECRET });
  });

  it('reads AAAA in canonical text and TXT as it is', async () => {
    fake.domains
      .get('example.com')
      ?.records.push(fake.rec('cam.example.com', 'AAAA', '2001:DB8:0::1', '600'));
    const pb = client();
    expect(await pb.read?.(ref('cam.example.com', 'AAAA'))).toMatchObject({
      value: { values: ['2001:db8::1'] },
    });
    expect(await pb.read?.(ref('_acme-challenge.home.example.com', 'TXT'))).toMatchObject({
      value: { values: ['old token'], ttl: 600 },
    });
  });

  it('set creates a missing record (TTL raised to 600) and touches nothing else', async () => {
    const others = fake.others('new.example.com', 'A');
    expect(await client().set(ref('new.example.com'), ['203.0.113.5'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('new.example.com', 'A')).toMatchObject([
      { content: '203.0.113.5', ttl: String(porkbunMinTtl) },
    ]);
    expect(fake.others('new.example.com', 'A')).toEqual(others);
    expect(writeOps()).toEqual(['/dns/create/example.com']);
    expect(JSON.parse(api.requests.at(-1)?.body ?? '')).toMatchObject({
      name: 'new',
      type: 'A',
      content: '203.0.113.5',
      ttl: '600',
    });
  });

  it('set moves a single record with one editByNameType: its notes stay, nothing else changes', async () => {
    const others = fake.others('home.example.com', 'A');
    expect(await client().set(ref('home.example.com'), ['203.0.113.7'], 600)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('home.example.com', 'A')).toMatchObject([{ content: '203.0.113.7', notes: 'router' }]);
    expect(fake.others('home.example.com', 'A')).toEqual(others);
    expect(writeOps()).toEqual(['/dns/editByNameType/example.com/A/home']);
  });

  it('set of several values keeps the one in place, edits a spare by id, creates or deletes the rest', async () => {
    const pb = client();
    expect(await pb.set(ref('nas.example.com'), ['198.51.100.8', '203.0.113.1', '203.0.113.2'], 900)).toEqual(
      {
        ok: true,
        value: { changed: true },
      },
    );
    expect(values('nas.example.com', 'A')).toEqual(['198.51.100.8', '203.0.113.1', '203.0.113.2']);
    const kept = fake.of('nas.example.com', 'A').find((r) => r.content === '198.51.100.8');
    expect(writeOps()).toEqual(['/dns/edit/example.com/105', '/dns/create/example.com']);
    api.requests.length = 0;
    expect(await pb.set(ref('nas.example.com'), ['198.51.100.8'], 900)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('nas.example.com', 'A')).toEqual([kept]);
    expect(writeOps()).toEqual(['/dns/delete/example.com/105', '/dns/delete/example.com/109']);
  });

  it('set with the values already held is changed:false and writes nothing', async () => {
    const pb = client();
    expect(await pb.set(ref('nas.example.com'), ['198.51.100.9', '198.51.100.8'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(await pb.set(ref('home.example.com', 'AAAA'), ['2001:DB8::7'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(writeOps()).toHaveLength(0);
  });

  it('TXT is written raw and read back; delete removes only that set and succeeds when absent', async () => {
    const pb = client();
    const acme = ref('_acme-challenge.home.example.com', 'TXT');
    expect(await pb.set(acme, ['new "token"'], 600)).toEqual({ ok: true, value: { changed: true } });
    expect(values('_acme-challenge.home.example.com', 'TXT')).toEqual(['new "token"']);
    expect(await pb.read?.(acme)).toMatchObject({ value: { values: ['new "token"'] } });
    const others = fake.others('_acme-challenge.home.example.com', 'TXT');
    expect(await pb.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(fake.of('_acme-challenge.home.example.com', 'TXT')).toEqual([]);
    expect(fake.others('_acme-challenge.home.example.com', 'TXT')).toEqual(others);
    api.requests.length = 0;
    expect(await pb.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(writeOps()).toEqual([]);
  });

  it('set to no values deletes the set by name and type', async () => {
    expect(await client().set(ref('nas.example.com'), [], 600)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('nas.example.com', 'A')).toEqual([]);
    expect(writeOps()).toEqual(['/dns/deleteByNameType/example.com/A/nas']);
  });

  it('test() pings with the keys, and reads the domain when given, without writing', async () => {
    const pb = client();
    expect(await pb.test()).toEqual({ ok: true, value: { detail: 'the API keys are accepted' } });
    expect(await pb.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the API keys are accepted and may manage example.com' },
    });
    const off = await pb.test('example.net');
    expect(off).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'ERROR',
        message:
          'Porkbun: POST /api/json/v3/dns/retrieveByNameType/example.net/NS: HTTP 400 ERROR: Domain is not opted in to API access.',
      },
    });
    expect(writeOps()).toHaveLength(0);
  });

  it('wrong keys are auth and never shown', async () => {
    const pb = client({ apiKey: 'pk1_wrong-SECRET', secretApiKey: 'sk1_wrong-SECRET' });
    for (const r of [await pb.test(), await pb.set(ref('home.example.com'), ['203.0.113.1'], 600)]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'ERROR' } });
      expect(!r.ok && r.error.message).toContain('Invalid API key. (002)');
      expect(JSON.stringify(r)).not.toContain('wrong-SECRET');
    }
    expect(writeOps()).toHaveLength(0);
    // Porkbun does not document its statuses: a 403 is read from its message like any other ERROR answer.
    fake.next = { status: 403, body: { status: 'ERROR', message: 'Invalid API key. (002)' } };
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'auth', code: 'ERROR' } });
    fake.next = { status: 403, body: { status: 'ERROR', message: 'Domain is not opted in to API access.' } };
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'config', code: 'ERROR' } });
    // 401 is the credentials whatever the body says.
    fake.next = { status: 401, body: 'Unauthorized' };
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 401' } });
  });

  it('a name outside the zone, or a domain not in the account, is config', async () => {
    expect(await client().read?.(ref('home.example.org'))).toEqual({
      ok: false,
      error: { kind: 'config', message: 'Porkbun: home.example.org is not in the zone example.com' },
    });
    expect(
      await client().set(ref('home.example.org', 'A', 'example.org'), ['203.0.113.1'], 600),
    ).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('Invalid domain.') },
    });
    expect(writeOps()).toHaveLength(0);
  });

  it('a value Porkbun refuses is config with its message', async () => {
    const r = await client().set(ref('home.example.com'), ['not-an-address'], 600);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'ERROR' } });
    expect(!r.ok && r.error.message).toContain('Invalid record content.');
    expect(values('home.example.com', 'A')).toEqual(['198.51.100.7']);
  });

  it('ERROR with HTTP 200 is a failure all the same', async () => {
    fake.next = { status: 200, body: { status: 'ERROR', message: 'Something went wrong.' } };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'ERROR' },
    });
  });

  it('429 is rate-limited with the Retry-After wait; a rate-limit sentence is rate-limited too', async () => {
    fake.next = {
      status: 429,
      headers: { 'retry-after': '120' },
      body: { status: 'ERROR', message: 'Too many' },
    };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 120_000 },
    });
    fake.next = { status: 400, body: { status: 'ERROR', message: 'Rate limit exceeded, try again later.' } };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited' },
    });
  });

  it('5xx is transient', async () => {
    fake.next = { status: 503, body: '<html>maintenance</html>' };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
  });

  it('a garbage body, a body not as documented, or SUCCESS with a 4xx is transient', async () => {
    fake.next = { status: 200, body: 'not json' };
    const g = await client().read?.(ref('home.example.com'));
    expect(g).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(!g?.ok && g?.error.message).toContain('not JSON');
    fake.next = { status: 200, body: { records: [] } };
    expect(!(await client().read?.(ref('home.example.com')))?.ok).toBe(true);
    fake.next = {
      status: 200,
      body: { status: 'SUCCESS', records: [{ id: '1', name: 'home.example.com' }] },
    };
    const s = await client().read?.(ref('home.example.com'));
    expect(!s?.ok && s?.error.message).toContain('not as documented');
    fake.next = { status: 404, body: { status: 'SUCCESS', records: [] } };
    const odd = await client().read?.(ref('home.example.com'));
    expect(!odd?.ok && odd?.error).toMatchObject({ kind: 'transient', code: 'HTTP 404' });
  });

  it('nothing listening is transient and names no key', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(undefined, closed.baseUrl).set(ref('home.example.com'), ['203.0.113.1'], 600);
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    noSecret(r);
  });

  it('settings default to the official endpoint; both keys are required', () => {
    expect(porkbunProvider.settings.parse({})).toEqual({ endpoint: 'https://api.porkbun.com/api/json/v3' });
    expect(porkbunProvider.settings.safeParse({ endpoint: 'ftp://x' }).success).toBe(false);
    expect(porkbunProvider.secrets.safeParse({ apiKey: APIKEY }).success).toBe(false);
    expect(porkbunProvider.secrets.safeParse({ apiKey: APIKEY, secretApiKey: ' ' }).success).toBe(false);
  });
});

describe('Porkbun adapter: edges', () => {
  const onNext = (path: string, answer: FakeApiAnswer): void => {
    fake.nextPath = path;
    fake.next = answer;
  };

  it('a record edited by id keeps its own notes', async () => {
    expect(await client().set(ref('nas.example.com'), ['198.51.100.9', '203.0.113.1'], 900)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('nas.example.com', 'A').map((r) => [r.id, r.content, r.notes])).toEqual([
      ['105', '198.51.100.9', 'left'],
      ['106', '203.0.113.1', 'right'],
    ]);
    expect(writeOps()).toEqual(['/dns/edit/example.com/106']);
  });

  it('two records to one new value: one edited, the other deleted', async () => {
    expect(await client().set(ref('nas.example.com'), ['203.0.113.1'], 900)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(values('nas.example.com', 'A')).toEqual(['203.0.113.1']);
    expect(writeOps()).toEqual(['/dns/edit/example.com/105', '/dns/delete/example.com/106']);
  });

  it('one record to two values: edited by id and one created', async () => {
    expect(await client().set(ref('home.example.com'), ['203.0.113.1', '203.0.113.2'], 600)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(values('home.example.com', 'A')).toEqual(['203.0.113.1', '203.0.113.2']);
    expect(writeOps()).toEqual(['/dns/edit/example.com/103', '/dns/create/example.com']);
  });

  it.each([
    ['/dns/edit/', ['203.0.113.1', '203.0.113.2'], 'home.example.com'],
    ['/dns/create/', ['198.51.100.7', '203.0.113.2'], 'home.example.com'],
    ['/dns/delete/', ['203.0.113.1'], 'nas.example.com'],
  ])('a failing %s stops the change with its failure', async (path, wanted, name) => {
    onNext(path, { status: 400, body: { status: 'ERROR', message: 'Refused here.' } });
    const r = await client().set(ref(name), wanted, 600);
    expect(r).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('Refused here.') },
    });
    expect(writeOps().filter((w) => w.includes(path))).toHaveLength(1);
    expect(writeOps()).toHaveLength(path === '/dns/delete/' ? 2 : 1);
  });

  it('records of another name or type in an answer are not taken for the set', async () => {
    onNext('/dns/retrieveByNameType/', {
      body: {
        status: 'SUCCESS',
        records: [
          { id: '1', name: 'home.example.com', type: 'A', content: '198.51.100.7', ttl: '600' },
          { id: '2', name: 'other.example.com', type: 'A', content: '198.51.100.1', ttl: '600' },
          { id: '3', name: 'home.example.com', type: 'AAAA', content: '2001:db8::1', ttl: '600' },
        ],
      },
    });
    expect(await client().read?.(ref('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: 600 },
    });
  });

  it('answers without the documented fields are transient and say why', async () => {
    onNext('/ping', { body: { status: 'SUCCESS', yourIp: 5 } });
    expect(await client().test()).toMatchObject({ ok: false, error: { kind: 'transient' } });
    onNext('/dns/retrieveByNameType/example.com/NS', { body: { status: 'SUCCESS' } });
    expect(await client().test('example.com')).toMatchObject({ ok: false, error: { kind: 'transient' } });
    for (const ttl of ['x600', '600x']) {
      onNext('/dns/retrieveByNameType/', {
        body: {
          status: 'SUCCESS',
          records: [{ id: '1', name: 'home.example.com', type: 'A', content: 'x', ttl }],
        },
      });
      expect(await client().read?.(ref('home.example.com'))).toMatchObject({
        ok: false,
        error: { kind: 'transient', message: expect.stringContaining('not as documented') },
      });
    }
    onNext('/dns/', { body: { records: [] } });
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', message: expect.stringContaining('no status') },
    });
    onNext('/dns/', { status: 300, body: { status: 'SUCCESS', records: [] } });
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: {
        kind: 'transient',
        code: 'HTTP 300',
        message: expect.stringContaining('SUCCESS with a non-2xx status'),
      },
    });
  });

  it('an ERROR without a message says so; a long one is cut', async () => {
    onNext('/dns/', { status: 400, body: { status: 'ERROR' } });
    expect(await client().read?.(ref('home.example.com'))).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'ERROR',
        message:
          'Porkbun: POST /api/json/v3/dns/retrieveByNameType/example.com/A/home: HTTP 400 ERROR: no message',
      },
    });
    onNext('/dns/', { status: 400, body: { status: 'ERROR', message: 'y'.repeat(1000) } });
    const r = await client().read?.(ref('home.example.com'));
    expect(!r?.ok && r?.error.message).toBe(
      `Porkbun: POST /api/json/v3/dns/retrieveByNameType/example.com/A/home: HTTP 400 ERROR: ${'y'.repeat(300)}`,
    );
  });

  it('an AAAA value that is not an address is sent as it is (and refused); delete outside the zone is config', async () => {
    expect(await client().set(ref('home.example.com', 'AAAA'), ['not-an-address'], 600)).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('Invalid record content.') },
    });
    expect(await client().delete?.(ref('home.example.org'))).toMatchObject({
      ok: false,
      error: { kind: 'config' },
    });
  });

  it('the descriptor: kind, label, documentation, fields and abilities', () => {
    expect(porkbunProvider).toMatchObject({
      kind: 'porkbun',
      label: 'Porkbun',
      docsUrl: 'https://porkbun.com/api/json/v3/documentation',
      can: { read: true, txt: true },
    });
    expect(porkbunProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['apiKey', true, false],
      ['secretApiKey', true, false],
      ['endpoint', false, true],
    ]);
    expect(porkbunProvider.fields.every((f) => f.label !== '' && (f.help ?? '') !== '')).toBe(true);
    const pb = client();
    expect([pb.kind, pb.can]).toEqual(['porkbun', { read: true, txt: true }]);
    for (const endpoint of ['xhttp://x', 'httpsx://x'])
      expect(porkbunProvider.settings.safeParse({ endpoint }).success).toBe(false);
    expect(porkbunProvider.secrets.parse({ apiKey: ' pk1_a ', secretApiKey: ' sk1_b ' })).toEqual({
      apiKey: 'pk1_a',
      secretApiKey: 'sk1_b',
    });
  });

  it('headers and endpoint: JSON both ways, trailing slashes trimmed', async () => {
    await client(undefined, `${api.baseUrl}/api/json/v3//`).read?.(ref('home.example.com'));
    expect(api.requests[0]?.url).toBe('/api/json/v3/dns/retrieveByNameType/example.com/A/home');
    expect(api.requests[0]?.headers.accept).toBe('application/json');
  });
});

describe('Porkbun pieces', () => {
  it.each([
    ['Invalid API key. (002)', 'auth'],
    ['Invalid apikey', 'auth'],
    ['Authentication failed', 'auth'],
    ['Rate limit exceeded', 'rate-limited'],
    ['Too many requests', 'rate-limited'],
    ['Please slow down', 'rate-limited'],
    ['Please try again later', 'rate-limited'],
    ['Domain is not opted in to API access.', 'config'],
    ['Invalid domain.', 'config'],
  ] as const)('errorKind(%j) = %s', (message, kind) => {
    expect(errorKind(message)).toBe(kind);
  });
});

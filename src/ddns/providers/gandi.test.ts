import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { gandiMinTtl, gandiProvider } from './gandi.js';

const TOKEN = 'pat_SECRET-gandi-0123456789';
const OTHER = 'pat_SECRET-other-domain-only';

interface GandiSet {
  rrset_name: string;
  rrset_type: string;
  rrset_ttl: number;
  rrset_values: string[];
}

/**
 * LiveDNS's documented requests as a small in-memory model: domains holding record sets (one per name and type),
 * `{code, message, object, cause}` errors, 401 for a token it does not know, 403 for a token not allowed on that
 * domain, 400 for a TTL under 300 or an A value that is not IPv4. `next` replaces the next answer.
 */
class FakeGandi {
  domains = new Map<string, GandiSet[]>();
  next: FakeApiAnswer | undefined;
  /** When set, `next` waits for a request with this method. */
  nextMethod: string | undefined;

  reset(): void {
    this.next = undefined;
    this.nextMethod = undefined;
    this.domains = new Map([
      [
        'example.com',
        [
          { rrset_name: '@', rrset_type: 'A', rrset_ttl: 10800, rrset_values: ['203.0.113.10'] },
          { rrset_name: 'home', rrset_type: 'A', rrset_ttl: 300, rrset_values: ['198.51.100.7'] },
          { rrset_name: 'home', rrset_type: 'AAAA', rrset_ttl: 300, rrset_values: ['2001:db8::7'] },
          {
            rrset_name: 'nas',
            rrset_type: 'A',
            rrset_ttl: 1800,
            rrset_values: ['198.51.100.9', '198.51.100.8'],
          },
          {
            rrset_name: '_acme-challenge.home',
            rrset_type: 'TXT',
            rrset_ttl: 300,
            rrset_values: ['"old token"'],
          },
          { rrset_name: '@', rrset_type: 'MX', rrset_ttl: 10800, rrset_values: ['10 spool.mail.gandi.net.'] },
        ],
      ],
      ['example.net', []],
    ]);
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token !== TOKEN && token !== OTHER)
      return gandiError(
        401,
        'HTTPUnauthorized',
        'Unauthorized',
        'The server could not verify that you authorized to access the document you requested.',
      );
    if (this.next && (this.nextMethod === undefined || this.nextMethod === req.method)) {
      const n = this.next;
      this.next = undefined;
      return n;
    }
    const url = new URL(req.url, 'http://fake');
    const parts = url.pathname
      .replace(/^\/v5\/livedns/, '')
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    const [root, fqdn, records, name, type] = parts;
    if (root !== 'domains')
      return gandiError(404, 'HTTPNotFound', 'Not Found', 'The resource could not be found.');
    if (fqdn === undefined && req.method === 'GET')
      return {
        body: [...this.domains.keys()]
          .filter((d) => token === TOKEN || d === 'example.net')
          .map((d) => ({ fqdn: d, domain_href: `https://api.gandi.net/v5/livedns/domains/${d}` })),
      };
    const sets = fqdn === undefined ? undefined : this.domains.get(fqdn);
    if (!sets || fqdn === undefined)
      return gandiError(404, 'HTTPNotFound', 'Not Found', 'The resource could not be found.');
    if (token === OTHER && fqdn !== 'example.net')
      return gandiError(403, 'HTTPForbidden', 'Forbidden', 'Access was denied to this resource.');
    if (records === undefined && req.method === 'GET')
      return { body: { fqdn, automatic_snapshots: true, domain_records_href: `…/${fqdn}/records` } };
    if (records !== 'records' || name === undefined || type === undefined)
      return gandiError(404, 'HTTPNotFound', 'Not Found', 'The resource could not be found.');
    const at = sets.findIndex((s) => s.rrset_name === name && s.rrset_type === type);
    if (req.method === 'GET') {
      const set = sets[at];
      return set
        ? {
            body: {
              ...set,
              rrset_href: `https://api.gandi.net/v5/livedns/domains/${fqdn}/records/${name}/${type}`,
            },
          }
        : gandiError(404, 'HTTPNotFound', 'Not Found', "Can't find the DNS record");
    }
    if (req.method === 'PUT') {
      const body = JSON.parse(req.body) as { rrset_values?: unknown; rrset_ttl?: unknown };
      if (!Array.isArray(body.rrset_values) || body.rrset_values.length === 0)
        return badRequest('rrset_values', 'Required');
      const ttl = body.rrset_ttl ?? 10800;
      if (typeof ttl !== 'number' || ttl < 300 || ttl > 2592000)
        return badRequest('rrset_ttl', 'Must be between 300 and 2592000.');
      const values = body.rrset_values.map(String);
      if (type === 'A' && values.some((v) => isIP(v) !== 4))
        return badRequest('rrset_values', 'Invalid IPv4 address');
      const set = { rrset_name: name, rrset_type: type, rrset_ttl: ttl, rrset_values: values };
      if (at >= 0) sets[at] = set;
      else sets.push(set);
      return { status: 201, body: { message: 'DNS Record Created' } };
    }
    if (req.method === 'DELETE') {
      if (at < 0) return gandiError(404, 'HTTPNotFound', 'Not Found', "Can't find the DNS record");
      sets.splice(at, 1);
      return { status: 204 };
    }
    return gandiError(405, 'HTTPMethodNotAllowed', 'Method Not Allowed', 'The method is not allowed.');
  }

  of(name: string, type: string): GandiSet | undefined {
    return this.domains.get('example.com')?.find((s) => s.rrset_name === name && s.rrset_type === type);
  }
  others(name: string, type: string): unknown {
    return structuredClone(
      [...this.domains.entries()].map(([d, sets]) => [
        d,
        sets.filter((s) => !(d === 'example.com' && s.rrset_name === name && s.rrset_type === type)),
      ]),
    );
  }
}

function gandiError(status: number, object: string, cause: string, message: string): FakeApiAnswer {
  return { status, body: { code: status, message, object, cause } };
}
function badRequest(name: string, description: string): FakeApiAnswer {
  return {
    status: 400,
    body: {
      code: 400,
      message: 'Bad Request',
      object: 'HTTPBadRequest',
      cause: 'Bad Request',
      errors: [{ location: 'body', name, description }],
    },
  };
}

const fake = new FakeGandi();
const api = serveFakeApi(fake);
const clock = new FakeClock('2026-11-28T12:00:00Z');
const deps = providerTestDeps(clock);

function client(token = TOKEN, endpoint = `${api.baseUrl}/v5/livedns`): DnsProvider {
  return gandiProvider.create(
    gandiProvider.settings.parse({ endpoint }),
    gandiProvider.secrets.parse({ token }),
    deps,
  );
}
const writes = (): FakeApiRequest[] => api.requests.filter((r) => r.method !== 'GET');
const ref = (name: string, type: RecordRef['type'] = 'A', zone = 'example.com'): RecordRef => ({
  zone,
  name,
  type,
});
const noSecret = (r: unknown): void => {
  expect(JSON.stringify(r)).not.toContain(TOKEN);
  expect(JSON.stringify(r)).not.toContain(OTHER);
};

describe('Gandi LiveDNS adapter against a fake LiveDNS', () => {
  it('reads a set by relative name (values sorted, TTL); a missing set is empty; the apex is @', async () => {
    const g = client();
    expect(await g.read?.(ref('nas.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.8', '198.51.100.9'], ttl: 1800 },
    });
    expect(await g.read?.(ref('example.com'))).toEqual({
      ok: true,
      value: { values: ['203.0.113.10'], ttl: 10800 },
    });
    expect(await g.read?.(ref('missing.example.com'))).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v5/livedns/domains/example.com',
      'GET /v5/livedns/domains/example.com/records/nas/A',
      'GET /v5/livedns/domains/example.com/records/%40/A',
      'GET /v5/livedns/domains/example.com/records/missing/A',
    ]);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(api.requests[0]?.headers['user-agent']).toBe('Gatehouse/test');
  });

  it('reads AAAA in canonical text and TXT without its quotes', async () => {
    fake.domains.get('example.com')?.push({
      rrset_name: 'cam',
      rrset_type: 'AAAA',
      rrset_ttl: 300,
      rrset_values: ['2001:DB8:0:0::1'],
    });
    const g = client();
    expect(await g.read?.(ref('cam.example.com', 'AAAA'))).toMatchObject({
      value: { values: ['2001:db8::1'] },
    });
    expect(await g.read?.(ref('_acme-challenge.home.example.com', 'TXT'))).toMatchObject({
      value: { values: ['old token'], ttl: 300 },
    });
  });

  it('set creates a missing set with one PUT (TTL raised to LiveDNS’s minimum) and touches nothing else', async () => {
    const others = fake.others('new', 'A');
    expect(await client().set(ref('new.example.com'), ['203.0.113.5'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('new', 'A')).toEqual({
      rrset_name: 'new',
      rrset_type: 'A',
      rrset_ttl: gandiMinTtl,
      rrset_values: ['203.0.113.5'],
    });
    expect(fake.others('new', 'A')).toEqual(others);
    expect(writes().map((w) => `${w.method} ${w.url} ${w.body}`)).toEqual([
      'PUT /v5/livedns/domains/example.com/records/new/A {"rrset_values":["203.0.113.5"],"rrset_ttl":300}',
    ]);
    expect(writes()[0]?.headers['content-type']).toBe('application/json');
  });

  it('set replaces the values of an existing set, other names and types untouched', async () => {
    const others = fake.others('nas', 'A');
    expect(await client().set(ref('nas.example.com'), ['203.0.113.7'], 600)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('nas', 'A')).toMatchObject({ rrset_ttl: 600, rrset_values: ['203.0.113.7'] });
    expect(fake.others('nas', 'A')).toEqual(others);
  });

  it('set with the values already held is changed:false and writes nothing', async () => {
    const g = client();
    expect(await g.set(ref('nas.example.com'), ['198.51.100.9', '198.51.100.8'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(await g.set(ref('home.example.com', 'AAAA'), ['2001:0db8::7'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(writes()).toHaveLength(0);
    // The domain was checked once for both.
    expect(api.requests.filter((r) => r.url === '/v5/livedns/domains/example.com')).toHaveLength(1);
  });

  it('TXT is written quoted and read back as written; delete removes only that set and succeeds when absent', async () => {
    const g = client();
    const acme = ref('_acme-challenge.home.example.com', 'TXT');
    expect(await g.set(acme, ['tok "x"'], 300)).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of('_acme-challenge.home', 'TXT')?.rrset_values).toEqual(['"tok \\"x\\""']);
    expect(await g.read?.(acme)).toMatchObject({ value: { values: ['tok "x"'] } });
    const others = fake.others('_acme-challenge.home', 'TXT');
    expect(await g.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(fake.of('_acme-challenge.home', 'TXT')).toBeUndefined();
    expect(fake.others('_acme-challenge.home', 'TXT')).toEqual(others);
    expect(await g.delete?.(acme)).toEqual({ ok: true, value: undefined });
  });

  it('set to no values deletes the set', async () => {
    expect(await client().set(ref('home.example.com'), [], 300)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('home', 'A')).toBeUndefined();
  });

  it('test() checks the token, and the domain when given, without writing', async () => {
    const g = client();
    expect(await g.test()).toEqual({
      ok: true,
      value: { detail: 'the token is accepted and sees 2 LiveDNS domain(s)' },
    });
    expect(await g.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the token is accepted and may manage example.com at LiveDNS' },
    });
    expect(await g.test('example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'HTTP 404' },
    });
    expect(writes()).toHaveLength(0);
  });

  it('a token LiveDNS does not know is auth (401) and never shown', async () => {
    const g = client('pat_wrong-SECRET');
    for (const r of [await g.test(), await g.set(ref('home.example.com'), ['203.0.113.1'], 300)]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 401' } });
      expect(JSON.stringify(r)).not.toContain('pat_wrong-SECRET');
    }
    expect(writes()).toHaveLength(0);
  });

  it('a token without rights on the domain is auth (403)', async () => {
    const r = await client(OTHER).set(ref('home.example.com'), ['203.0.113.1'], 300);
    expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 403' } });
    noSecret(r);
    expect(await client(OTHER).test('example.net')).toMatchObject({ ok: true });
  });

  it('a name outside the zone, or a domain not at LiveDNS, is config', async () => {
    expect(await client().read?.(ref('home.example.org'))).toEqual({
      ok: false,
      error: { kind: 'config', message: 'Gandi LiveDNS: home.example.org is not in the zone example.com' },
    });
    expect(await client().set(ref('home.example.org', 'A', 'example.org'), ['203.0.113.1'], 300)).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'HTTP 404',
        message: 'Gandi LiveDNS: example.org is not a LiveDNS domain of this account (HTTP 404)',
      },
    });
    expect(writes()).toHaveLength(0);
  });

  it('a value LiveDNS refuses (400) is config with its field message', async () => {
    const r = await client().set(ref('home.example.com'), ['not-an-address'], 300);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'HTTP 400',
        message:
          'Gandi LiveDNS: PUT /v5/livedns/domains/example.com/records/home/A: HTTP 400: Bad Request — rrset_values: Invalid IPv4 address',
      },
    });
    expect(fake.of('home', 'A')?.rrset_values).toEqual(['198.51.100.7']);
  });

  it('429 is rate-limited with the Retry-After wait', async () => {
    fake.next = {
      status: 429,
      headers: { 'retry-after': '60' },
      body: { code: 429, message: 'Too Many Requests' },
    };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 60_000 },
    });
  });

  it('5xx is transient', async () => {
    fake.next = { status: 502, body: '<html>Bad gateway</html>' };
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 502' },
    });
  });

  it('a garbage body, a set not as documented or an odd status is transient', async () => {
    fake.next = { status: 200, body: 'this is not json' };
    const g = await client().read?.(ref('home.example.com'));
    expect(g).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(!g?.ok && g?.error.message).toContain('not JSON');
    const c = client();
    await c.read?.(ref('home.example.com'));
    fake.next = { status: 200, body: { rrset_name: 'home', rrset_values: '198.51.100.7' } };
    const s = await c.read?.(ref('home.example.com'));
    expect(!s?.ok && s?.error.message).toContain('not as documented');
    fake.next = { status: 409, body: { code: 409, message: 'Conflict' } };
    expect(await c.read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 409' },
    });
  });

  it('nothing listening is transient and names no token', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(TOKEN, closed.baseUrl).set(ref('home.example.com'), ['203.0.113.1'], 300);
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    noSecret(r);
  });

  it('settings default to the official endpoint; the token must not be empty', () => {
    expect(gandiProvider.settings.parse({})).toEqual({ endpoint: 'https://api.gandi.net/v5/livedns' });
    expect(gandiProvider.settings.safeParse({ endpoint: 'ftp://x' }).success).toBe(false);
    expect(gandiProvider.secrets.safeParse({ token: ' ' }).success).toBe(false);
  });
});

describe('Gandi LiveDNS adapter: edges', () => {
  const onNext = (method: string, answer: FakeApiAnswer): void => {
    fake.nextMethod = method;
    fake.next = answer;
  };

  it('headers: Accept always, Content-Type only with a body; an endpoint with trailing slashes works', async () => {
    const g = client(TOKEN, `${api.baseUrl}/v5/livedns//`);
    await g.set(ref('home.example.com'), ['203.0.113.1'], 300);
    await g.delete?.(ref('home.example.com'));
    expect(api.requests.map((r) => [r.method, r.headers.accept, r.headers['content-type'] ?? null])).toEqual([
      ['GET', 'application/json', null],
      ['GET', 'application/json', null],
      ['PUT', 'application/json', 'application/json'],
      ['DELETE', 'application/json', null],
    ]);
    expect(api.requests.every((r) => r.url.startsWith('/v5/livedns/domains/'))).toBe(true);
  });

  it('set to values that only partly overlap what is held writes them', async () => {
    expect(await client().set(ref('nas.example.com'), ['198.51.100.8', '203.0.113.7'], 1800)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of('nas', 'A')?.rrset_values).toEqual(['198.51.100.8', '203.0.113.7']);
  });

  it.each([
    [200, { message: 'DNS Record Created' }, { ok: true, value: { changed: true } }],
    [
      404,
      { code: 404, message: 'Unknown domain' },
      {
        ok: false,
        error: {
          kind: 'config',
          code: 'HTTP 404',
          message:
            'Gandi LiveDNS: PUT /v5/livedns/domains/example.com/records/home/A: HTTP 404: Unknown domain',
        },
      },
    ],
    [
      409,
      { code: 409, cause: 'Conflict' },
      {
        ok: false,
        error: {
          kind: 'config',
          code: 'HTTP 409',
          message: 'Gandi LiveDNS: PUT /v5/livedns/domains/example.com/records/home/A: HTTP 409: Conflict',
        },
      },
    ],
    [
      400,
      { code: 400, errors: [{ description: 'too short' }, { name: 'rrset_ttl' }] },
      {
        ok: false,
        error: {
          kind: 'config',
          code: 'HTTP 400',
          message:
            'Gandi LiveDNS: PUT /v5/livedns/domains/example.com/records/home/A: HTTP 400: ?: too short; rrset_ttl: ',
        },
      },
    ],
    [
      400,
      'oops',
      {
        ok: false,
        error: {
          kind: 'config',
          code: 'HTTP 400',
          message: 'Gandi LiveDNS: PUT /v5/livedns/domains/example.com/records/home/A: HTTP 400',
        },
      },
    ],
    [
      300,
      { message: 'Multiple Choices' },
      {
        ok: false,
        error: {
          kind: 'transient',
          code: 'HTTP 300',
          message:
            'Gandi LiveDNS: PUT /v5/livedns/domains/example.com/records/home/A: HTTP 300: Multiple Choices',
        },
      },
    ],
  ])('a PUT answered %i', async (status, body, expected) => {
    onNext('PUT', { status, body });
    expect(await client().set(ref('home.example.com'), ['203.0.113.1'], 300)).toEqual(expected);
  });

  it('a PUT that fails in transport or with 5xx is transient', async () => {
    onNext('PUT', { status: 503, body: 'down' });
    expect(await client().set(ref('home.example.com'), ['203.0.113.1'], 300)).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
  });

  it('delete: 404 is done, 400 is config, 5xx is transient, outside the zone is config', async () => {
    onNext('DELETE', { status: 400, body: { code: 400, message: 'Bad Request' } });
    expect(await client().delete?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'HTTP 400' },
    });
    onNext('DELETE', { status: 503, body: 'down' });
    expect(await client().delete?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
    expect(await client().delete?.(ref('home.example.org'))).toMatchObject({
      ok: false,
      error: { kind: 'config' },
    });
    expect(fake.of('home', 'A')).toBeDefined();
  });

  it('odd answers to the domain check, the record read and the domain list are transient and say so', async () => {
    onNext('GET', { status: 409, body: { code: 409, message: 'Conflict' } });
    expect(await client().read?.(ref('home.example.com'))).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: 'HTTP 409',
        message: 'Gandi LiveDNS: GET /v5/livedns/domains/example.com: HTTP 409: Conflict',
      },
    });
    onNext('GET', { status: 200, body: { name: 'example.com' } });
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', message: expect.stringContaining('not as documented') },
    });
    const g = client();
    await g.read?.(ref('home.example.com'));
    onNext('GET', { status: 409, body: { code: 409, message: 'Conflict' } });
    expect(await g.read?.(ref('home.example.com'))).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: 'HTTP 409',
        message: 'Gandi LiveDNS: GET /v5/livedns/domains/example.com/records/home/A: HTTP 409: Conflict',
      },
    });
    onNext('GET', { status: 503, body: 'down' });
    expect(await g.read?.(ref('home.example.com'))).toMatchObject({ ok: false, error: { code: 'HTTP 503' } });
    onNext('GET', { status: 409, body: { code: 409, message: 'Conflict' } });
    expect(await g.test()).toMatchObject({
      ok: false,
      error: { kind: 'transient', message: expect.stringContaining('HTTP 409: Conflict') },
    });
    onNext('GET', { status: 200, body: { domains: [] } });
    expect(await g.test()).toMatchObject({
      ok: false,
      error: { kind: 'transient', message: expect.stringContaining('not as documented') },
    });
  });

  it('the descriptor: kind, label, documentation, fields and abilities', () => {
    expect(gandiProvider).toMatchObject({
      kind: 'gandi',
      label: 'Gandi LiveDNS',
      docsUrl: 'https://api.gandi.net/docs/livedns/',
      can: { read: true, txt: true },
    });
    expect(gandiProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['token', true, false],
      ['endpoint', false, true],
    ]);
    expect(gandiProvider.fields.every((f) => f.label !== '' && (f.help ?? '') !== '')).toBe(true);
    const g = client();
    expect([g.kind, g.can]).toEqual(['gandi', { read: true, txt: true }]);
    for (const endpoint of ['xhttp://x', 'httpsx://x'])
      expect(gandiProvider.settings.safeParse({ endpoint }).success).toBe(false);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeApi,
  type FakeApi,
  type FakeApiAnswer,
  type FakeApiRequest,
} from '../../../test/fakes/fake-api.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import type { DnsProvider, ProviderDeps, ProviderFailure, RecordRef, RecordType } from '../provider.js';
import { classifyNamecheapError, namecheapProvider, parseNamecheapAnswer } from './namecheap.js';

const password = '7a0354e9ae547b9d30ab0ea4ff0a30f7';
const ref = (name: string, type: RecordType = 'A'): RecordRef => ({ zone: 'example.com', name, type });

function interfaceResponse(parts: { ip?: string; errors?: readonly string[] }): string {
  const errors = parts.errors ?? [];
  return [
    '<?xml version="1.0" encoding="utf-16"?>',
    '<interface-response>',
    '<Command>SETDNSHOST</Command>',
    '<Language>eng</Language>',
    ...(parts.ip === undefined ? [] : [`<IP>${parts.ip}</IP>`]),
    `<ErrCount>${errors.length}</ErrCount>`,
    ...(errors.length === 0
      ? []
      : ['<errors>', ...errors.map((e, i) => `<Err${i + 1}>${e}</Err${i + 1}>`), '</errors>']),
    `<ResponseCount>${errors.length}</ResponseCount>`,
    '<Done>true</Done>',
    '<debug><![CDATA[]]></debug>',
    '</interface-response>',
  ].join('\r\n');
}

describe('parseNamecheapAnswer', () => {
  it('reads a success', () => {
    expect(parseNamecheapAnswer(interfaceResponse({ ip: '203.0.113.7' }))).toEqual({
      errCount: 0,
      errors: [],
      ip: '203.0.113.7',
    });
  });
  it('reads every error, entities and CDATA decoded', () => {
    expect(
      parseNamecheapAnswer(
        interfaceResponse({
          errors: ['Passwords do not match', 'a &amp; b &lt;c&gt; &quot;d&apos;', '<![CDATA[in <cdata>]]>'],
        }),
      ),
    ).toEqual({ errCount: 3, errors: ['Passwords do not match', `a & b <c> "d'`, 'in <cdata>'] });
  });
  it.each([
    [
      'lower-case tags, a root with attributes, Err12',
      '<interface-response xmlns="x"><ip>203.0.113.7</ip><errcount>1</errcount><errors><Err12>x</Err12></errors></interface-response>',
      { errCount: 1, errors: ['x'], ip: '203.0.113.7' },
    ],
    [
      'an IP with spaces',
      '<interface-response><IP> 203.0.113.7 </IP><ErrCount>0</ErrCount></interface-response>',
      { errCount: 0, errors: [], ip: '203.0.113.7' },
    ],
    [
      'an error with spaces around it',
      '<interface-response><ErrCount>1</ErrCount><errors><Err1>  Domain name not found  </Err1></errors></interface-response>',
      { errCount: 1, errors: ['Domain name not found'] },
    ],
    [
      'a blank IP',
      '<interface-response><IP> </IP><ErrCount>0</ErrCount></interface-response>',
      { errCount: 0, errors: [] },
    ],
    [
      'exactly the size limit',
      `<interface-response><ErrCount>0</ErrCount>${' '.repeat(16_384 - 63)}</interface-response>`,
      { errCount: 0, errors: [] },
    ],
  ])('reads %s', (_what, text, expected) => {
    expect(parseNamecheapAnswer(text)).toEqual(expected);
  });
  it.each([
    ['JSON', '{"ok":true}'],
    ['HTML', '<html><body>502</body></html>'],
    ['no ErrCount', '<interface-response><IP>1.2.3.4</IP></interface-response>'],
    ['a non-number ErrCount', '<interface-response><ErrCount>x</ErrCount></interface-response>'],
    ['another root', '<interface-responses><ErrCount>0</ErrCount></interface-responses>'],
    ['a huge body', `<interface-response><ErrCount>0</ErrCount>${' '.repeat(20_000)}</interface-response>`],
  ])('%s is not the answer', (_what, text) => {
    expect(parseNamecheapAnswer(text)).toBeUndefined();
  });
});

describe('classifyNamecheapError and hostOf', () => {
  it.each([
    ['Passwords do not match', 'auth'],
    ['Domain name not found', 'config'],
    ['No Records updated. A record not Found;', 'config'],
    ['Something odd happened', 'transient'],
  ] as const)('%s → %s', (text, kind) => {
    expect(classifyNamecheapError(text)).toBe(kind);
  });
});

/** Namecheap's dynamic DNS endpoint: per-domain passwords, "A + Dynamic DNS" hosts, HTTP 200 XML answers. */
class NamecheapModel {
  readonly domains = new Map<
    string,
    { password: string; hosts: Map<string, { dynamic: boolean; ip: string }> }
  >();
  readonly forced: FakeApiAnswer[] = [];

  handle(r: FakeApiRequest): FakeApiAnswer {
    const forced = this.forced.shift();
    if (forced) return forced;
    const url = new URL(r.url, 'http://fake');
    if (url.pathname !== '/update') return { status: 404, body: 'not found' };
    const q = url.searchParams;
    const xml = (parts: { ip?: string; errors?: readonly string[] }): FakeApiAnswer => ({
      headers: { 'content-type': 'text/html' },
      body: interfaceResponse(parts),
    });
    const domain = this.domains.get(q.get('domain') ?? '');
    if (!domain) return xml({ errors: ['Domain name not found'] });
    if (q.get('password') !== domain.password) return xml({ errors: ['Passwords do not match'] });
    const host = domain.hosts.get(q.get('host') ?? '');
    if (!host?.dynamic) return xml({ errors: ['No Records updated. A record not Found;'] });
    host.ip = q.get('ip') ?? '127.0.0.1';
    return xml({ ip: host.ip });
  }
}

describe('Namecheap against a fake dynamic DNS endpoint', () => {
  let api: FakeApi;
  let model: NamecheapModel;
  let client: DnsProvider;
  const messages: string[] = [];

  function failureOf(r: { ok: boolean; error?: ProviderFailure }): ProviderFailure {
    if (r.ok || r.error === undefined) throw new Error('expected a failure');
    messages.push(r.error.message);
    return r.error;
  }
  function clientWith(p: string, endpoint = `${api.baseUrl}/update`, domain = 'example.com'): DnsProvider {
    const deps: ProviderDeps = {
      fetch,
      clock: new FakeClock('2026-05-01T00:00:00Z'),
      userAgent: 'Gatehouse/test',
      udp: {} as ProviderDeps['udp'],
    };
    return namecheapProvider.create(
      namecheapProvider.settings.parse({ domain, endpoint }),
      { password: p },
      deps,
    );
  }

  beforeAll(async () => {
    api = await startFakeApi((r) => model.handle(r));
  });
  afterAll(async () => {
    await api.close();
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(m).not.toContain(password);
  });
  beforeEach(() => {
    model = new NamecheapModel();
    model.domains.set('example.com', {
      password,
      hosts: new Map([
        ['@', { dynamic: true, ip: '198.51.100.1' }],
        ['home', { dynamic: true, ip: '198.51.100.2' }],
        ['static', { dynamic: false, ip: '198.51.100.3' }],
      ]),
    });
    api.requests.length = 0;
    client = clientWith(password);
  });

  it('declares IPv4 only, no read, no TXT; the password is a secret', () => {
    expect(client.can).toEqual({ read: false, txt: false });
    expect(namecheapProvider.can).toEqual(client.can);
    expect(namecheapProvider.fields.find((f) => f.name === 'password')?.secret).toBe(true);
    expect(namecheapProvider.settings.parse({ domain: 'Example.COM' })).toEqual({
      domain: 'example.com',
      endpoint: 'https://dynamicdns.park-your-domain.com/update',
    });
    for (const domain of ['not a domain', 'example', 'example.com!', '!example.com', '-a.com'])
      expect(namecheapProvider.settings.safeParse({ domain }).success).toBe(false);
    expect(namecheapProvider.settings.parse({ domain: ' example.com ' })).toMatchObject({
      domain: 'example.com',
    });
    const refused = namecheapProvider.settings.safeParse({ domain: 'example' });
    expect(refused.success ? [] : refused.error.issues.map((i) => i.message)).toEqual([
      'a domain name such as example.com',
    ]);
    for (const domain of ['x.com', 'example.co.uk'])
      expect(namecheapProvider.settings.safeParse({ domain }).success).toBe(true);
    for (const endpoint of ['ftp://n.example/update', 'httpx://n.example/update', 'xhttp://n.example/update'])
      expect(namecheapProvider.settings.safeParse({ domain: 'example.com', endpoint }).success).toBe(false);
    expect(namecheapProvider.secrets.safeParse({ password: '  ' }).success).toBe(false);
    expect(namecheapProvider.secrets.parse({ password: ` ${password} ` })).toEqual({ password });
    expect(namecheapProvider).toMatchObject({
      kind: 'namecheap',
      label: 'Namecheap (Dynamic DNS)',
      docsUrl:
        'https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/',
    });
    expect(client.kind).toBe('namecheap');
    expect(namecheapProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['domain', false, false],
      ['password', true, false],
      ['endpoint', false, true],
    ]);
    for (const f of namecheapProvider.fields) {
      expect(f.label).not.toBe('');
      expect(f.help).toMatch(/\w/);
    }
  });

  it('updates a host with host=, domain=, password=, ip=; other hosts stay', async () => {
    expect(await client.set(ref('home.example.com'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(model.domains.get('example.com')?.hosts.get('home')?.ip).toBe('203.0.113.7');
    expect(model.domains.get('example.com')?.hosts.get('@')?.ip).toBe('198.51.100.1');
    expect(api.requests.map((r) => r.url)).toEqual([
      `/update?host=home&domain=example.com&password=${password}&ip=203.0.113.7`,
    ]);
    expect(api.requests[0]?.headers['user-agent']).toBe('Gatehouse/test');
  });

  it('the domain itself is host @', async () => {
    expect((await client.set(ref('example.com'), ['203.0.113.9'], 60)).ok).toBe(true);
    expect(model.domains.get('example.com')?.hosts.get('@')?.ip).toBe('203.0.113.9');
    expect(new URL(api.requests[0]?.url ?? '', 'http://x').searchParams.get('host')).toBe('@');
  });

  it('a wrong password is auth (HTTP 200 with an error), without the password in the message', async () => {
    const f = failureOf(await clientWith('wrong-password').set(ref('home.example.com'), ['203.0.113.7'], 60));
    expect(f).toEqual({
      kind: 'auth',
      code: 'ErrCount 1',
      message: `Namecheap: GET ${api.baseUrl}/update for home.example.com: Passwords do not match (the Dynamic DNS password of example.com was refused)`,
    });
    expect(f.message).not.toContain('wrong-password');
    expect(model.domains.get('example.com')?.hosts.get('home')?.ip).toBe('198.51.100.2');
  });

  it('a host that is not an "A + Dynamic DNS" record is config; nothing changes', async () => {
    const f = failureOf(await client.set(ref('static.example.com'), ['203.0.113.7'], 60));
    expect(f.kind).toBe('config');
    expect(f.message).toContain(
      'No Records updated. A record not Found; (is there an "A + Dynamic DNS" record',
    );
    expect(model.domains.get('example.com')?.hosts.get('static')?.ip).toBe('198.51.100.3');
  });

  it('a domain Namecheap does not know is config', async () => {
    const other = clientWith(password, `${api.baseUrl}/update`, 'example.net');
    const f = failureOf(
      await other.set({ zone: 'example.net', name: 'a.example.net', type: 'A' }, ['203.0.113.7'], 60),
    );
    expect(f).toMatchObject({ kind: 'config' });
    expect(f.message).toContain('Domain name not found');
  });

  it('an unknown error text is transient, said as it came (two joined, long ones cut)', async () => {
    const long = 'x'.repeat(400);
    model.forced.push(
      { body: interfaceResponse({ errors: ['Service busy', 'try later'] }) },
      { body: interfaceResponse({ errors: [long] }) },
    );
    expect(failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60))).toEqual({
      kind: 'transient',
      code: 'ErrCount 2',
      message: `Namecheap: GET ${api.baseUrl}/update for home.example.com: Service busy; try later`,
    });
    expect(failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60)).message).toBe(
      `Namecheap: GET ${api.baseUrl}/update for home.example.com: ${'x'.repeat(300)}`,
    );
  });

  it('an error count without text, or error text with a zero count, is a failure', async () => {
    model.forced.push(
      { body: '<interface-response><ErrCount>1</ErrCount><Done>true</Done></interface-response>' },
      {
        body: '<interface-response><ErrCount>0</ErrCount><errors><Err1>Domain name not found</Err1></errors></interface-response>',
      },
    );
    expect(failureOf(await client.set(ref('example.com'), ['203.0.113.7'], 60))).toEqual({
      kind: 'transient',
      code: 'ErrCount 1',
      message: `Namecheap: GET ${api.baseUrl}/update for example.com: 1 error(s) without text`,
    });
    expect(failureOf(await client.set(ref('example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind: 'config',
      code: 'ErrCount 0',
    });
  });

  it('a success without an IP element is a success', async () => {
    model.forced.push({ body: interfaceResponse({}) });
    expect(await client.set(ref('home.example.com'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
  });

  it.each([404, 300])('no error but HTTP %i is unexpected', async (status) => {
    model.forced.push({ status, body: interfaceResponse({ ip: '203.0.113.7' }) });
    expect(failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60)).message).toContain(
      `unexpected answer (HTTP ${status}, no error but HTTP ${status})`,
    );
  });

  it.each([
    [
      ref('home.example.com', 'AAAA'),
      ['2001:db8::1'],
      'ipv4-only',
      'the dynamic DNS endpoint updates only A records (IPv4), not AAAA (home.example.com)',
    ],
    [
      ref('_acme-challenge.example.com', 'TXT'),
      ['x'],
      'ipv4-only',
      'the dynamic DNS endpoint updates only A records (IPv4), not TXT (_acme-challenge.example.com)',
    ],
    [
      ref('home.example.org'),
      ['203.0.113.7'],
      'other-domain',
      'home.example.org is not in example.com, the domain of this password',
    ],
    [
      ref('home.example.com'),
      ['203.0.113.7', '203.0.113.8'],
      'one-address',
      'a dynamic host holds exactly one address, not 2 (home.example.com)',
    ],
    [
      ref('home.example.com'),
      [],
      'one-address',
      'a dynamic host holds exactly one address, not 0 (home.example.com)',
    ],
    [
      ref('home.example.com'),
      ['2001:db8::1'],
      'bad-address',
      '2001:db8::1 is not an IPv4 address (home.example.com)',
    ],
  ])('%j %j is refused as config without a request', async (r, values, code, why) => {
    expect(failureOf(await client.set(r, values, 60))).toEqual({
      kind: 'config',
      code,
      message: `Namecheap: ${why}`,
    });
    expect(api.requests).toHaveLength(0);
  });

  it('the AAAA refusal says why', async () => {
    expect(failureOf(await client.set(ref('home.example.com', 'AAAA'), ['2001:db8::1'], 60)).message).toBe(
      'Namecheap: the dynamic DNS endpoint updates only A records (IPv4), not AAAA (home.example.com)',
    );
  });

  it('an IP in the answer other than the one sent is transient', async () => {
    model.forced.push({ body: interfaceResponse({ ip: '198.51.100.99' }) });
    const f = failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60));
    expect(f).toMatchObject({ kind: 'transient', code: 'IP' });
    expect(f.message).toContain('Namecheap set 198.51.100.99, not 203.0.113.7');
  });

  it.each([
    ['an HTML page', { body: '<html><body>Bad gateway</body></html>' }],
    ['an empty body', { body: '' }],
    ['JSON', { body: { ok: true } }],
  ])('%s is a transient unexpected answer', async (_what, answer) => {
    model.forced.push(answer);
    const f = failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60));
    expect(f.kind).toBe('transient');
    expect(f.message).toContain('unexpected answer (HTTP 200, not an <interface-response> with <ErrCount>)');
  });

  it('429 rate-limited, 5xx transient', async () => {
    model.forced.push({ status: 429, headers: { 'retry-after': '30' } }, { status: 500, body: 'oops' });
    expect(failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 30_000,
    });
    expect(failureOf(await client.set(ref('home.example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind: 'transient',
      code: 'HTTP 500',
    });
  });

  it('nothing listening is transient', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const f = failureOf(
      await clientWith(password, `${closed.baseUrl}/update`).set(
        ref('home.example.com'),
        ['203.0.113.7'],
        60,
      ),
    );
    expect(f.kind).toBe('transient');
    expect(f.message).toMatch(/ECONNREFUSED/);
  });

  it('test() sends nothing and checks the zone is the password’s domain', async () => {
    expect(await client.test()).toEqual({
      ok: true,
      value: { detail: 'Namecheap has no read-only request: the password is checked by the first update' },
    });
    expect((await client.test('example.com')).ok).toBe(true);
    expect(failureOf(await client.test('example.org'))).toEqual({
      kind: 'config',
      code: 'other-domain',
      message: 'Namecheap: this Dynamic DNS password is for example.com, not example.org',
    });
    expect(api.requests).toHaveLength(0);
  });
});

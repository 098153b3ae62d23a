import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeApi,
  type FakeApi,
  type FakeApiAnswer,
  type FakeApiRequest,
} from '../../../test/fakes/fake-api.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import type { DnsProvider, ProviderDeps, ProviderFailure, RecordRef, RecordType } from '../provider.js';
import { duckdnsProvider, subNameOf } from './duckdns.js';

const token = 'a7c4d0ad-114e-40ef-ba1d-d217904a50f2';
const ref = (name: string, type: RecordType): RecordRef => ({ zone: 'duckdns.org', name, type });

describe('subNameOf', () => {
  it.each([
    ['home.duckdns.org', 'A', 'home'],
    ['home.duckdns.org', 'AAAA', 'home'],
    ['HOME.duckdns.org', 'A', 'home'],
    ['x.home.duckdns.org', 'A', undefined],
    ['home.example.com', 'A', undefined],
    ['duckdns.org', 'A', undefined],
    ['-bad.duckdns.org', 'A', undefined],
    ['home!.duckdns.org', 'A', undefined],
    ['a.duckdns.org', 'A', 'a'],
    ['home.duckdns.org', 'TXT', 'home'],
    ['_acme-challenge.home.duckdns.org', 'TXT', 'home'],
    ['_acme-challenge.duckdns.org', 'TXT', undefined],
  ] as const)('%s %s → %s', (name, type, sub) => {
    expect(subNameOf({ name, type })).toBe(sub);
  });
});

/** DuckDNS as its spec page describes it: tokens own domains; each domain holds one A, one AAAA and one TXT. */
class DuckModel {
  readonly domains = new Map<string, { token: string; a: string; aaaa: string; txt: string }>();
  readonly forced: FakeApiAnswer[] = [];

  handle(r: FakeApiRequest): FakeApiAnswer {
    const forced = this.forced.shift();
    if (forced) return forced;
    const url = new URL(r.url, 'http://fake');
    if (url.pathname !== '/update') return { status: 404, body: 'not found' };
    const q = url.searchParams;
    const subs = (q.get('domains') ?? '').split(',');
    const held = subs.map((s) => this.domains.get(s));
    if (subs.length === 0 || held.some((d) => d?.token !== q.get('token'))) return { body: 'KO' };
    let changed = false;
    for (const d of held) {
      if (d === undefined) continue;
      const before = JSON.stringify(d);
      if (q.has('txt')) {
        d.txt = q.get('clear') === 'true' ? '' : (q.get('txt') ?? '');
      } else if (q.get('clear') === 'true') {
        d.a = '';
        d.aaaa = '';
      } else {
        const ip = q.get('ip');
        const ipv6 = q.get('ipv6');
        // "If you do not specify the IP address, then it will be detected" — unless ipv6 is given.
        const v4 = ip ?? (ipv6 === null ? '127.0.0.1' : undefined);
        if (v4 !== undefined) {
          if (v4.includes(':')) d.aaaa = v4;
          else d.a = v4;
        }
        if (ipv6 !== null) d.aaaa = ipv6;
      }
      changed ||= JSON.stringify(d) !== before;
    }
    const state = changed ? 'UPDATED' : 'NOCHANGE';
    const first = held[0];
    if (q.get('verbose') !== 'true' || first === undefined) return { body: 'OK' };
    return { body: q.has('txt') ? `OK\n${first.txt}\n${state}` : `OK\n${first.a}\n${first.aaaa}\n${state}` };
  }
}

describe('DuckDNS against a fake DuckDNS', () => {
  let api: FakeApi;
  let model: DuckModel;
  let client: DnsProvider;
  const messages: string[] = [];

  function failureOf(r: { ok: boolean; error?: ProviderFailure }): ProviderFailure {
    if (r.ok || r.error === undefined) throw new Error('expected a failure');
    messages.push(r.error.message);
    return r.error;
  }
  function clientWith(t: string, endpoint = `${api.baseUrl}/update`): DnsProvider {
    const deps: ProviderDeps = {
      fetch,
      clock: new FakeClock('2026-05-01T00:00:00Z'),
      userAgent: 'Gatehouse/test',
      udp: {} as ProviderDeps['udp'],
    };
    return duckdnsProvider.create(duckdnsProvider.settings.parse({ endpoint }), { token: t }, deps);
  }

  beforeAll(async () => {
    api = await startFakeApi((r) => model.handle(r));
  });
  afterAll(async () => {
    await api.close();
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(m).not.toContain(token);
  });
  beforeEach(() => {
    model = new DuckModel();
    model.domains.set('home', { token, a: '198.51.100.1', aaaa: '2001:db8::1', txt: '' });
    model.domains.set('other', { token, a: '198.51.100.9', aaaa: '', txt: 'keep' });
    model.domains.set('theirs', { token: 'someone-else', a: '198.51.100.2', aaaa: '', txt: '' });
    api.requests.length = 0;
    client = clientWith(token);
  });

  it('declares what DuckDNS can do, and its form', () => {
    expect(client.kind).toBe('duckdns');
    expect(client.can).toEqual({ read: false, txt: true });
    expect(duckdnsProvider).toMatchObject({
      kind: 'duckdns',
      label: 'DuckDNS',
      docsUrl: 'https://www.duckdns.org/spec.jsp',
    });
    expect(duckdnsProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['token', true, false],
      ['endpoint', false, true],
    ]);
    for (const f of duckdnsProvider.fields) {
      expect(f.label).not.toBe('');
      expect(f.help).toMatch(/\w/);
    }
    expect(duckdnsProvider.secrets.safeParse({ token: '  ' }).success).toBe(false);
    expect(duckdnsProvider.secrets.parse({ token: ` ${token} ` })).toEqual({ token });
    for (const endpoint of ['ftp://d.example/update', 'httpx://d.example/update', 'xhttp://d.example/update'])
      expect(duckdnsProvider.settings.safeParse({ endpoint }).success).toBe(false);
    expect(duckdnsProvider.can).toEqual(client.can);
    expect(duckdnsProvider.fields.find((f) => f.name === 'token')?.secret).toBe(true);
    expect(duckdnsProvider.settings.parse({})).toEqual({ endpoint: 'https://www.duckdns.org/update' });
  });

  it('sets the A record with ip=, leaves the AAAA and the other domains alone', async () => {
    expect(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(model.domains.get('home')).toMatchObject({ a: '203.0.113.7', aaaa: '2001:db8::1' });
    expect(model.domains.get('other')).toMatchObject({ a: '198.51.100.9', txt: 'keep' });
    expect(api.requests.map((r) => r.url)).toEqual([
      `/update?domains=home&token=${token}&ip=203.0.113.7&verbose=true`,
    ]);
    expect(api.requests[0]?.headers['user-agent']).toBe('Gatehouse/test');
  });

  it('sets the AAAA record with ipv6= only, so the A record is not auto-detected', async () => {
    expect(await client.set(ref('home.duckdns.org', 'AAAA'), ['2001:db8::7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(model.domains.get('home')).toMatchObject({ a: '198.51.100.1', aaaa: '2001:db8::7' });
    expect(new URL(api.requests[0]?.url ?? '', 'http://x').searchParams.has('ip')).toBe(false);
  });

  it('the same value is NOCHANGE: changed false', async () => {
    expect(await client.set(ref('home.duckdns.org', 'A'), ['198.51.100.1'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it('a wrong token is KO → auth, naming both possible causes, without the token', async () => {
    const f = failureOf(
      await clientWith('wrong-token').set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60),
    );
    expect(f).toEqual({
      kind: 'auth',
      code: 'KO',
      message: `DuckDNS: GET ${api.baseUrl}/update for home.duckdns.org: KO — the token was refused, or home.duckdns.org is not a domain of this account (DuckDNS does not say which)`,
    });
    expect(f.message).not.toContain('wrong-token');
    expect(model.domains.get('home')?.a).toBe('198.51.100.1');
  });

  it('a domain of another account is KO as well; nothing changes', async () => {
    expect(failureOf(await client.set(ref('theirs.duckdns.org', 'A'), ['203.0.113.7'], 60)).code).toBe('KO');
    expect(model.domains.get('theirs')?.a).toBe('198.51.100.2');
  });

  it('TXT: set with txt=, delete with clear=true; the addresses stay', async () => {
    expect(await client.set(ref('_acme-challenge.home.duckdns.org', 'TXT'), ['tok-123'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(model.domains.get('home')).toMatchObject({
      txt: 'tok-123',
      a: '198.51.100.1',
      aaaa: '2001:db8::1',
    });
    expect(await client.delete?.(ref('_acme-challenge.home.duckdns.org', 'TXT'))).toEqual({
      ok: true,
      value: undefined,
    });
    expect(model.domains.get('home')).toMatchObject({ txt: '', a: '198.51.100.1', aaaa: '2001:db8::1' });
    expect(api.requests.map((r) => r.url)).toEqual([
      `/update?domains=home&token=${token}&txt=tok-123&verbose=true`,
      `/update?domains=home&token=${token}&txt=&clear=true&verbose=true`,
    ]);
  });

  it('TXT with the same value is NOCHANGE', async () => {
    model.domains.set('home', { token, a: '198.51.100.1', aaaa: '', txt: 'same' });
    expect(await client.set(ref('home.duckdns.org', 'TXT'), ['same'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it('a TXT answer with another value, or a delete that leaves one, is transient', async () => {
    model.forced.push({ body: 'OK\nold\nUPDATED' }, { body: 'OK\nstill\nUPDATED' });
    const f = failureOf(await client.set(ref('home.duckdns.org', 'TXT'), ['new'], 60));
    expect(f).toMatchObject({ kind: 'transient', code: 'OK' });
    expect(f.message).toBe(
      `DuckDNS: GET ${api.baseUrl}/update for home.duckdns.org: DuckDNS now holds the TXT "old", not the one sent`,
    );
    const g = failureOf((await client.delete?.(ref('home.duckdns.org', 'TXT'))) ?? { ok: true });
    expect(g.message).toBe(
      `DuckDNS: GET ${api.baseUrl}/update for home.duckdns.org: the TXT record is still there`,
    );
  });

  it('a TXT delete outside DuckDNS is config, without a request', async () => {
    expect(
      failureOf((await client.delete?.(ref('_acme-challenge.example.com', 'TXT'))) ?? { ok: true }),
    ).toEqual({
      kind: 'config',
      code: 'not-duckdns',
      message: 'DuckDNS: _acme-challenge.example.com is not under a DuckDNS domain',
    });
    expect(api.requests).toHaveLength(0);
  });

  it('a TXT value with & and = stays one parameter', async () => {
    expect((await client.set(ref('home.duckdns.org', 'TXT'), ['a&ip=198.51.100.66=b'], 60)).ok).toBe(true);
    expect(model.domains.get('home')).toMatchObject({ txt: 'a&ip=198.51.100.66=b', a: '198.51.100.1' });
  });

  it('deleting an address record is refused (DuckDNS clears both at once)', async () => {
    expect(failureOf((await client.delete?.(ref('home.duckdns.org', 'A'))) ?? { ok: true })).toEqual({
      kind: 'config',
      code: 'no-delete',
      message:
        'DuckDNS: DuckDNS can only clear the A and AAAA records together, so A home.duckdns.org is left as it is',
    });
    expect(api.requests).toHaveLength(0);
  });

  it.each([
    [
      ref('home.example.com', 'A'),
      ['203.0.113.7'],
      'not-duckdns',
      'home.example.com is not a DuckDNS domain: exactly <name>.duckdns.org',
    ],
    [
      ref('x.home.duckdns.org', 'AAAA'),
      ['2001:db8::1'],
      'not-duckdns',
      'x.home.duckdns.org is not a DuckDNS domain: exactly <name>.duckdns.org',
    ],
    [
      ref('_acme-challenge.example.com', 'TXT'),
      ['t'],
      'not-duckdns',
      '_acme-challenge.example.com is not a DuckDNS domain: a name ending in <name>.duckdns.org',
    ],
    [
      ref('home.duckdns.org', 'A'),
      ['203.0.113.7', '203.0.113.8'],
      'one-value',
      'a DuckDNS domain holds exactly one A record, not 2 (home.duckdns.org)',
    ],
    [
      ref('home.duckdns.org', 'AAAA'),
      [],
      'one-value',
      'a DuckDNS domain holds exactly one AAAA record, not 0 (home.duckdns.org)',
    ],
    [
      ref('home.duckdns.org', 'TXT'),
      ['a', 'b'],
      'one-value',
      'a DuckDNS domain holds exactly one TXT record, not 2 (home.duckdns.org)',
    ],
    [
      ref('home.duckdns.org', 'A'),
      ['2001:db8::1'],
      'bad-address',
      '2001:db8::1 is not an IPv4 address (home.duckdns.org)',
    ],
    [
      ref('home.duckdns.org', 'AAAA'),
      ['203.0.113.7'],
      'bad-address',
      '203.0.113.7 is not an IPv6 address (home.duckdns.org)',
    ],
  ])('%j %j is config, without a request', async (r, values, code, why) => {
    expect(failureOf(await client.set(r, values, 60))).toEqual({
      kind: 'config',
      code,
      message: `DuckDNS: ${why}`,
    });
    expect(api.requests).toHaveLength(0);
  });

  it('an OK whose address is not the one sent is transient', async () => {
    model.forced.push({ body: 'OK\n198.51.100.50\n\nUPDATED' });
    const f = failureOf(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60));
    expect(f).toMatchObject({ kind: 'transient', code: 'OK' });
    expect(f.message).toContain('DuckDNS now holds "198.51.100.50", not 203.0.113.7');
  });

  it.each([
    [
      'an AAAA line holding an IPv4 address',
      ref('home.duckdns.org', 'AAAA'),
      '::cb00:7107',
      'OK\n\n203.0.113.7\nUPDATED',
    ],
    [
      'three lines for an address update',
      ref('home.duckdns.org', 'A'),
      '203.0.113.7',
      'OK\n203.0.113.7\nUPDATED',
    ],
  ])('%s is transient', async (_what, r, value, body) => {
    model.forced.push({ body });
    expect(failureOf(await client.set(r, [value], 60))).toMatchObject({ kind: 'transient', code: 'OK' });
  });

  it('blank lines after the answer, CRLF and spaces are read through', async () => {
    model.forced.push({ body: ' OK \r\n203.0.113.7\r\n\r\n NOCHANGE\r\n\r\n' });
    expect(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it.each([404, 300])('OK with HTTP %i is unexpected', async (status) => {
    model.forced.push({ status, body: 'OK' });
    expect(failureOf(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60)).message).toContain(
      `unexpected answer (HTTP ${status}, OK with HTTP ${status})`,
    );
  });

  it('a plain OK to a TXT set or delete is success', async () => {
    model.forced.push({ body: 'OK' }, { body: 'OK' });
    expect(await client.set(ref('home.duckdns.org', 'TXT'), ['v'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(await client.delete?.(ref('home.duckdns.org', 'TXT'))).toEqual({ ok: true, value: undefined });
  });

  it('three lines for an address update say what is missing', async () => {
    model.forced.push({ body: 'OK\n203.0.113.7\nUPDATED' });
    expect(failureOf(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60)).message).toBe(
      `DuckDNS: GET ${api.baseUrl}/update for home.duckdns.org: the answer has no address lines`,
    );
  });

  it('a plain OK (no verbose lines) is a change', async () => {
    model.forced.push({ body: 'OK' });
    expect(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
  });

  it.each([
    ['an HTML page', '<html>Bad gateway</html>'],
    ['an empty body', ''],
    ['OK with a strange status word', 'OK\n203.0.113.7\n\nDONE'],
  ])('%s is a transient unexpected answer', async (_what, body) => {
    model.forced.push({ body });
    const f = failureOf(await client.set(ref('home.duckdns.org', 'A'), ['203.0.113.7'], 60));
    expect(f.kind).toBe('transient');
    expect(f.message).toContain('unexpected answer (HTTP 200, not OK or KO)');
  });

  it('429 is rate-limited, 5xx transient, 401 auth', async () => {
    model.forced.push(
      { status: 429, headers: { 'retry-after': '60' } },
      { status: 502, body: 'bad gateway' },
      { status: 401, body: 'KO' },
    );
    const name = ref('home.duckdns.org', 'A');
    expect(failureOf(await client.set(name, ['203.0.113.7'], 60))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 60_000,
    });
    expect(failureOf(await client.set(name, ['203.0.113.7'], 60)).kind).toBe('transient');
    expect(failureOf(await client.set(name, ['203.0.113.7'], 60)).kind).toBe('auth');
  });

  it('nothing listening is transient, and the message has no token', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const f = failureOf(
      await clientWith(token, `${closed.baseUrl}/update`).set(
        ref('home.duckdns.org', 'A'),
        ['203.0.113.7'],
        60,
      ),
    );
    expect(f.kind).toBe('transient');
    expect(f.message).toMatch(/ECONNREFUSED/);
  });

  it('test() sends nothing, and refuses a zone that is not a DuckDNS domain', async () => {
    expect(await client.test()).toEqual({
      ok: true,
      value: { detail: 'DuckDNS has no read-only request: the token is checked by the first update' },
    });
    expect((await client.test('home.duckdns.org')).ok).toBe(true);
    expect(failureOf(await client.test('example.com'))).toEqual({
      kind: 'config',
      code: 'not-duckdns',
      message: 'DuckDNS: example.com is not a DuckDNS domain (<name>.duckdns.org)',
    });
    expect(api.requests).toHaveLength(0);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startFakeApi,
  type FakeApi,
  type FakeApiAnswer,
  type FakeApiRequest,
} from '../../../test/fakes/fake-api.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import type { DnsProvider, ProviderDeps, ProviderFailure, RecordRef } from '../provider.js';
import {
  canSetAddresses,
  dyndns2Provider,
  readAnswer,
  serverTroubleWaitMs,
  updateUrl,
  userAgentFor,
  type Dyndns2Preset,
  type Dyndns2Provider,
} from './dyndns2.js';

const password = 'Pa55:w0rd-not-in-any-message';
const username = 'alice';
const gatehouseUa = 'Gatehouse/0.1.0 (+https://github.com/example/gatehouse)';

const a = (name: string): RecordRef => ({ zone: name, name, type: 'A' });
const aaaa = (name: string): RecordRef => ({ zone: name, name, type: 'AAAA' });

describe('updateUrl', () => {
  it.each([
    ['myip-list', { ipv4: '203.0.113.7' }, 'hostname=home.example.com&myip=203.0.113.7'],
    ['myip-list', { ipv6: '2001:db8::7' }, 'hostname=home.example.com&myip=2001%3Adb8%3A%3A7'],
    [
      'myip-list',
      { ipv4: '203.0.113.7', ipv6: '2001:db8::7' },
      'hostname=home.example.com&myip=203.0.113.7%2C2001%3Adb8%3A%3A7',
    ],
    ['myipv6', { ipv4: '203.0.113.7' }, 'hostname=home.example.com&myip=203.0.113.7&myipv6=no'],
    ['myipv6', { ipv6: '2001:db8::7' }, 'hostname=home.example.com&myip=no&myipv6=2001%3Adb8%3A%3A7'],
  ] as const)('%s %j', (style, pair, query) => {
    expect(updateUrl('https://dyn.example/nic/update', style, 'home.example.com', pair)).toBe(
      `https://dyn.example/nic/update?${query}`,
    );
  });

  it('a hostname cannot add a parameter', () => {
    const url = new URL(
      updateUrl('https://dyn.example/nic/update', 'myip-list', 'a.example.com&myip=198.51.100.1', {
        ipv4: '203.0.113.7',
      }),
    );
    expect(url.searchParams.getAll('myip')).toEqual(['203.0.113.7']);
    expect(url.searchParams.get('hostname')).toBe('a.example.com&myip=198.51.100.1');
  });
});

describe('readAnswer (the dyndns2 return codes)', () => {
  it.each([
    ['good 203.0.113.7', { ok: true, code: 'good', changed: true, echoed: ['203.0.113.7'] }],
    ['nochg 203.0.113.7', { ok: true, code: 'nochg', changed: false, echoed: ['203.0.113.7'] }],
    [
      'good 203.0.113.7,2001:db8::7',
      { ok: true, code: 'good', changed: true, echoed: ['203.0.113.7', '2001:db8::7'] },
    ],
    [
      'good 203.0.113.7 2001:db8::7',
      { ok: true, code: 'good', changed: true, echoed: ['203.0.113.7', '2001:db8::7'] },
    ],
    ['nochg', { ok: true, code: 'nochg', changed: false, echoed: [] }],
  ])('%s is success', (line, expected) => {
    expect(readAnswer(line)).toEqual(expected);
  });

  it.each([
    ['badauth', 'auth', 'the username or password was refused'],
    ['!donator', 'account-stopped', 'the update asked for a feature of paid accounts only'],
    ['badagent', 'account-stopped', "the server refused this client's User-Agent"],
    ['abuse', 'account-stopped', 'the host is blocked for update abuse'],
    ['notfqdn', 'config', 'the hostname is not a fully qualified domain name'],
    ['nohost', 'config', 'the hostname is not a host of this account'],
    ['numhost', 'config', 'too many hosts, or a round-robin host the protocol cannot update'],
  ] as const)('%s stops with kind %s', (line, kind, says) => {
    // Strict: no retryAfterMs key at all for these.
    expect(readAnswer(line)).toStrictEqual({ ok: false, failure: { kind, code: line }, says });
  });

  it.each(['911', 'dnserr', 'dnserr 12345'])('%s is transient and waits 30 minutes at least', (line) => {
    expect(readAnswer(line)).toEqual({
      ok: false,
      failure: { kind: 'transient', code: line.split(' ')[0], retryAfterMs: serverTroubleWaitMs },
      says: 'the server has a problem or is in maintenance; the next try waits 30 minutes',
    });
    expect(serverTroubleWaitMs).toBeGreaterThanOrEqual(30 * 60_000);
  });

  it.each(['<html>', 'OK', 'goodbye 1.2.3.4', '', 'servererror'])('%j is not a dyndns2 answer', (line) => {
    expect(readAnswer(line)).toBeUndefined();
  });
});

describe('userAgentFor', () => {
  it.each([
    ['dyn', gatehouseUa, 'Gatehouse - Gatehouse - 0.1.0'],
    ['noip', gatehouseUa, 'Gatehouse Gatehouse/0.1.0 https://github.com/example/gatehouse'],
    ['noip', 'Gatehouse/0.1.0', 'Gatehouse Gatehouse/0.1.0'],
    ['noip', 'Gatehouse/0.1.0 ops@example.com', 'Gatehouse Gatehouse/0.1.0 ops@example.com'],
    ['noip', 'Gatehouse/0.1.0 (ops@example.com)', 'Gatehouse Gatehouse/0.1.0 ops@example.com'],
    ['noip', '  Gatehouse/0.1.0 (+https://x.example )  ', 'Gatehouse Gatehouse/0.1.0 https://x.example'],
    ['noip', 'Gatehouse/0.1.0 a(b)', 'Gatehouse Gatehouse/0.1.0 a(b)'],
    ['noip', 'Gatehouse/0.1.0 (a) b', 'Gatehouse Gatehouse/0.1.0 (a) b'],
    ['dyn', 'My Router/1.0', 'My Router/1.0'],
    ['dynu', gatehouseUa, gatehouseUa],
    ['custom', gatehouseUa, gatehouseUa],
    ['dyn', 'no version here', 'no version here'],
  ] as const)('%s from %j', (preset, base, expected) => {
    expect(userAgentFor(preset, base)).toBe(expected);
  });
});

describe('settings', () => {
  const parse = (s: unknown) => dyndns2Provider.settings.safeParse(s);
  it('a preset needs only the username; custom needs its URL', () => {
    expect(parse({ preset: 'noip', username }).success).toBe(true);
    expect(parse({ preset: 'custom', username }).success).toBe(false);
    expect(parse({ preset: 'custom', username, serverUrl: 'https://ddns.example/nic/update' }).success).toBe(
      true,
    );
  });
  it.each([
    'https://ddns.example/nic/update?password=x',
    'https://ddns.example/nic/update#x',
    'https://bob:secret@ddns.example/nic/update',
    'https://bob@ddns.example/nic/update',
    'https://:secret@ddns.example/nic/update',
    'ftp://ddns.example/nic/update',
    'httpx://ddns.example/nic/update',
    'xhttp://ddns.example/nic/update',
    'not a url',
  ])('refuses the server URL %s', (serverUrl) => {
    expect(parse({ preset: 'custom', username, serverUrl }).success).toBe(false);
  });
  it('trims the username', () => {
    expect(parse({ preset: 'dyn', username: ` ${username} ` })).toMatchObject({ data: { username } });
  });
  it.each(['', 'a:b', 'a\nb'])('refuses the username %j', (name) => {
    expect(parse({ preset: 'dyn', username: name }).success).toBe(false);
  });
  it('says what is wrong', () => {
    const issues = (s: unknown) => {
      const r = parse(s);
      return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
    };
    expect(issues({ preset: 'custom', username })).toEqual([
      ['serverUrl', 'a custom dyndns2 server needs its update URL'],
    ]);
    expect(issues({ preset: 'custom', username, serverUrl: 'https://d.example/u?x=1' })).toEqual([
      ['serverUrl', 'a URL without query, fragment or credentials (the password goes in its own field)'],
    ]);
    expect(issues({ preset: 'dyn', username: 'a:b' })).toEqual([
      ['username', 'no colon and no control characters'],
    ]);
  });

  it('the form: service, update URL (optional), username, and the password as the one secret', () => {
    expect(dyndns2Provider).toMatchObject({
      kind: 'dyndns2',
      label: 'dyndns2 (Dyn, No-IP, Dynu, custom)',
      docsUrl: 'https://help.dyn.com/remote-access-api/perform-update/',
    });
    expect(dyndns2Provider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['preset', false, false],
      ['serverUrl', false, true],
      ['username', false, false],
      ['password', true, false],
    ]);
    for (const f of dyndns2Provider.fields) {
      expect(f.label).not.toBe('');
      expect(f.help).toMatch(/\w/);
    }
  });

  it('the password is a non-empty secret', () => {
    expect(dyndns2Provider.secrets.safeParse({ password: '' }).success).toBe(false);
    expect(dyndns2Provider.fields.find((f) => f.name === 'password')?.secret).toBe(true);
    expect(dyndns2Provider.can).toEqual({ read: false, txt: false });
  });
});

/**
 * A dyndns2 server as documented (and, for what one family does to the other, as observed): accounts, hosts with one
 * A and one AAAA, the return codes. `style` picks how myip/myipv6 are read.
 */
class DyndnsModel {
  readonly hosts = new Map<string, { owner: string; a?: string; aaaa?: string }>();
  /** Answers the next requests with this instead (rate limits, outages, garbage, odd codes). */
  readonly forced: FakeApiAnswer[] = [];
  constructor(
    private readonly style: Exclude<Dyndns2Preset, 'custom'>,
    private readonly path = '/nic/update',
  ) {}

  handle(r: FakeApiRequest): FakeApiAnswer {
    const forced = this.forced.shift();
    if (forced) return forced;
    const url = new URL(r.url, 'http://fake');
    if (url.pathname !== this.path) return { status: 404, body: 'not found' };
    if (r.method !== 'GET') return { body: 'badagent' };
    const ua = r.headers['user-agent'] ?? '';
    // Dyn: "Company - Device - Version"; No-IP: "Company Program/Version contact".
    if (this.style === 'dyn' && !/^.+ - .+ - .+$/.test(ua)) return { body: 'badagent' };
    if (this.style === 'noip' && !/^\S+ \S+\/\S+/.test(ua)) return { body: 'badagent' };
    const basic = /^Basic (.+)$/.exec(r.headers.authorization ?? '')?.[1];
    const decoded = basic === undefined ? '' : Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (decoded.slice(0, colon) !== username || decoded.slice(colon + 1) !== password)
      return { body: 'badauth' };
    const hostname = url.searchParams.get('hostname') ?? '';
    if (!hostname.includes('.')) return { body: 'notfqdn' };
    const host = this.hosts.get(hostname);
    if (host?.owner !== username) return { body: 'nohost' };
    const source = '127.0.0.1';
    const before = { a: host.a, aaaa: host.aaaa };
    const myip = url.searchParams.get('myip');
    if (this.style === 'dynu') {
      const v4 = myip ?? source;
      const v6 = url.searchParams.get('myipv6') ?? 'no';
      if (v4 !== 'no') host.a = v4;
      if (v6 !== 'no') host.aaaa = v6;
    } else {
      const list = (myip ?? source).split(',');
      const v4 = list.find((x) => x.includes('.'));
      const v6 = list.find((x) => x.includes(':'));
      // Dyn replaces both records with what myip lists; No-IP takes a missing IPv4 from the source address.
      host.a = v4 ?? (this.style === 'noip' ? source : undefined);
      host.aaaa = v6 ?? (this.style === 'noip' ? host.aaaa : undefined);
    }
    const now = [host.a, host.aaaa].filter((x) => x !== undefined).join(',');
    const same = before.a === host.a && before.aaaa === host.aaaa;
    return { body: `${same ? 'nochg' : 'good'} ${now}\n` };
  }
}

function depsFor(ua = gatehouseUa): ProviderDeps {
  return {
    fetch,
    clock: new FakeClock('2026-05-01T00:00:00Z'),
    userAgent: ua,
    udp: {} as ProviderDeps['udp'],
  };
}

const messages: string[] = [];
function failureOf(r: { ok: boolean; error?: ProviderFailure }): ProviderFailure {
  if (r.ok || r.error === undefined) throw new Error('expected a failure');
  messages.push(r.error.message);
  return r.error;
}

describe('dyndns2 against a fake Dyn server', () => {
  let api: FakeApi;
  let model: DyndnsModel;
  let client: Dyndns2Provider;

  beforeAll(async () => {
    api = await startFakeApi((r) => model.handle(r));
  });
  afterAll(async () => {
    await api.close();
    // The password never reaches a message, whatever failed.
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(m).not.toContain(password);
  });
  beforeEach(() => {
    model = new DyndnsModel('dyn');
    model.hosts.set('home.example.com', { owner: username, a: '198.51.100.1' });
    model.hosts.set('other.example.com', { owner: username, a: '198.51.100.9', aaaa: '2001:db8::9' });
    model.hosts.set('theirs.example.com', { owner: 'bob', a: '198.51.100.2' });
    api.requests.length = 0;
    client = dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset: 'dyn', username, serverUrl: `${api.baseUrl}/nic/update` }),
      { password },
      depsFor(),
    ) as Dyndns2Provider;
  });

  it('is a dyndns2 client that cannot read or write TXT, and can set both families', () => {
    expect(client.kind).toBe('dyndns2');
    expect(client.can).toEqual({ read: false, txt: false });
    expect(canSetAddresses(client)).toBe(true);
    const plain: DnsProvider = {
      kind: 'x',
      can: client.can,
      test: () => client.test(),
      set: (ref, values, ttl) => client.set(ref, values, ttl),
    };
    expect(canSetAddresses(plain)).toBe(false);
  });

  it('updates the A record with one GET, Basic auth and the Dyn User-Agent; nothing else changes', async () => {
    const r = await client.set(a('home.example.com'), ['203.0.113.7'], 60);
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(model.hosts.get('home.example.com')).toMatchObject({ a: '203.0.113.7' });
    expect(model.hosts.get('other.example.com')).toEqual({
      owner: username,
      a: '198.51.100.9',
      aaaa: '2001:db8::9',
    });
    expect(api.requests).toHaveLength(1);
    const req = api.requests[0];
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe('/nic/update?hostname=home.example.com&myip=203.0.113.7');
    expect(req?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    );
    expect(req?.headers['user-agent']).toBe('Gatehouse - Gatehouse - 0.1.0');
    expect(req?.url).not.toContain(encodeURIComponent(password));
  });

  it('the same value again is nochg: success with changed false', async () => {
    const r = await client.set(a('home.example.com'), ['198.51.100.1'], 60);
    expect(r).toEqual({ ok: true, value: { changed: false } });
    expect(model.hosts.get('home.example.com')?.a).toBe('198.51.100.1');
  });

  it('set of one family resends the other this client set, so Dyn keeps both', async () => {
    expect((await client.set(a('home.example.com'), ['203.0.113.7'], 60)).ok).toBe(true);
    expect((await client.set(aaaa('home.example.com'), ['2001:db8::7'], 60)).ok).toBe(true);
    expect(model.hosts.get('home.example.com')).toMatchObject({ a: '203.0.113.7', aaaa: '2001:db8::7' });
    expect((await client.set(a('home.example.com'), ['203.0.113.8'], 60)).ok).toBe(true);
    expect(model.hosts.get('home.example.com')).toMatchObject({ a: '203.0.113.8', aaaa: '2001:db8::7' });
    expect(api.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('myip'))).toEqual([
      '203.0.113.7',
      '203.0.113.7,2001:db8::7',
      '203.0.113.8,2001:db8::7',
    ]);
  });

  it('setAddresses sends both families in one update and keeps both', async () => {
    expect(canSetAddresses(client)).toBe(true);
    const r = await client.setAddresses('other.example.com', { ipv4: '203.0.113.5', ipv6: '2001:db8::5' });
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(model.hosts.get('other.example.com')).toMatchObject({ a: '203.0.113.5', aaaa: '2001:db8::5' });
    expect(api.requests).toHaveLength(1);
    // And a later set of only the AAAA keeps the A that was sent.
    expect((await client.set(aaaa('other.example.com'), ['2001:db8::6'], 60)).ok).toBe(true);
    expect(model.hosts.get('other.example.com')).toMatchObject({ a: '203.0.113.5', aaaa: '2001:db8::6' });
  });

  it('a wrong password is auth (badauth), and says so without the password', async () => {
    const wrong = dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset: 'dyn', username, serverUrl: `${api.baseUrl}/nic/update` }),
      { password: 'not-the-password' },
      depsFor(),
    );
    const f = failureOf(await wrong.set(a('home.example.com'), ['203.0.113.7'], 60));
    expect(f).toEqual({
      kind: 'auth',
      code: 'badauth',
      message: `dyndns2 (Dyn): GET ${api.baseUrl}/nic/update for home.example.com: the username or password was refused (badauth)`,
    });
    expect(f.message).not.toContain('not-the-password');
    expect(model.hosts.get('home.example.com')?.a).toBe('198.51.100.1');
  });

  it('a host of another account is config (nohost); nothing changes', async () => {
    const f = failureOf(await client.set(a('theirs.example.com'), ['203.0.113.7'], 60));
    expect(f).toMatchObject({ kind: 'config', code: 'nohost' });
    expect(f.message).toContain('theirs.example.com: the hostname is not a host of this account (nohost)');
    expect(model.hosts.get('theirs.example.com')?.a).toBe('198.51.100.2');
  });

  it('a User-Agent not in the Dyn form is badagent: the account stops', async () => {
    const plain = dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset: 'dyn', username, serverUrl: `${api.baseUrl}/nic/update` }),
      { password },
      depsFor('curl'),
    );
    expect(failureOf(await plain.set(a('home.example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind: 'account-stopped',
      code: 'badagent',
    });
  });

  it.each([
    ['abuse', 'account-stopped'],
    ['!donator', 'account-stopped'],
    ['notfqdn', 'config'],
    ['numhost', 'config'],
  ] as const)('%s → %s', async (code, kind) => {
    model.forced.push({ body: `${code}\n` });
    expect(failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind,
      code,
    });
  });

  it.each(['911', 'dnserr'])('%s is transient and asks for 30 minutes', async (code) => {
    model.forced.push({ body: code });
    const f = failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60));
    expect(f).toMatchObject({ kind: 'transient', code, retryAfterMs: 30 * 60_000 });
  });

  it('a badauth sent with HTTP 401 is still auth', async () => {
    model.forced.push({ status: 401, body: 'badauth' });
    expect(failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60)).kind).toBe('auth');
  });

  it('429 with Retry-After is rate-limited', async () => {
    model.forced.push({ status: 429, headers: { 'retry-after': '120' }, body: '' });
    expect(failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind: 'rate-limited',
      retryAfterMs: 120_000,
    });
  });

  it('5xx is transient', async () => {
    model.forced.push({ status: 503, body: 'down' });
    expect(failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60))).toMatchObject({
      kind: 'transient',
      code: 'HTTP 503',
    });
  });

  it.each([
    ['an HTML page', '<html><body>Proxy error</body></html>'],
    ['two answer lines for one host', 'good 203.0.113.7\ngood 203.0.113.7'],
    ['an empty body', ''],
    ['an unknown word', 'servererror'],
  ])('%s is a transient unexpected answer', async (_what, body) => {
    model.forced.push({ body });
    const f = failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60));
    expect(f.kind).toBe('transient');
    expect(f.message).toContain('unexpected answer (HTTP 200, not one dyndns2 answer line)');
  });

  it('good for an address other than the one sent is transient (the server ignored myip)', async () => {
    model.forced.push({ body: 'nochg 198.51.100.77,198.51.100.78' });
    const f = failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60));
    expect(f).toEqual({
      kind: 'transient',
      code: 'nochg',
      message: `dyndns2 (Dyn): GET ${api.baseUrl}/nic/update for home.example.com: the server set 198.51.100.77, 198.51.100.78, not 203.0.113.7`,
    });
  });

  it('an echo that holds the address sent (among others, or only one family of two) is success', async () => {
    model.forced.push({ body: 'good 198.51.100.1,203.0.113.7' }, { body: '  nochg 203.0.113.7  \r\n' });
    expect((await client.set(a('home.example.com'), ['203.0.113.7'], 60)).ok).toBe(true);
    expect(
      await client.setAddresses('home.example.com', { ipv4: '203.0.113.7', ipv6: '2001:db8::7' }),
    ).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it('an echo in another IPv6 spelling is the same address', async () => {
    model.forced.push({ body: 'good 2001:0db8:0:0:0:0:0:7' });
    expect(await client.set(aaaa('home.example.com'), ['2001:db8::7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
  });

  it.each([404, 300])('a word of success with HTTP %i is unexpected', async (status) => {
    model.forced.push({ status, body: 'good 203.0.113.7' });
    const f = failureOf(await client.set(a('home.example.com'), ['203.0.113.7'], 60));
    expect(f.kind).toBe('transient');
    expect(f.message).toContain(`unexpected answer (HTTP ${status}, success word with HTTP ${status})`);
  });

  it('nothing listening is transient', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const c = dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset: 'dyn', username, serverUrl: `${closed.baseUrl}/nic/update` }),
      { password },
      depsFor(),
    );
    const f = failureOf(await c.set(a('home.example.com'), ['203.0.113.7'], 60));
    expect(f.kind).toBe('transient');
    expect(f.message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    [
      { zone: 'example.com', name: 'home.example.com', type: 'TXT' as const },
      ['x'],
      'no-txt',
      'dyndns2 updates only A and AAAA records, not TXT',
    ],
    [
      a('home.example.com'),
      ['203.0.113.7', '203.0.113.8'],
      'one-address',
      'dyndns2 holds exactly one address per family for home.example.com, not 2',
    ],
    [
      a('home.example.com'),
      [],
      'one-address',
      'dyndns2 holds exactly one address per family for home.example.com, not 0',
    ],
    [
      a('home.example.com'),
      ['2001:db8::1'],
      'bad-address',
      'A home.example.com: 2001:db8::1 is not an IPv4 address',
    ],
    [
      aaaa('home.example.com'),
      ['203.0.113.7'],
      'bad-address',
      'AAAA home.example.com: 203.0.113.7 is not an IPv6 address',
    ],
  ])('%j %j is refused as config without a request', async (ref, values, code, why) => {
    expect(failureOf(await client.set(ref, values, 60))).toEqual({
      kind: 'config',
      code,
      message: `dyndns2 (Dyn): ${why}`,
    });
    expect(api.requests).toHaveLength(0);
  });

  it('setAddresses refuses an empty pair or a wrong family without a request', async () => {
    expect(failureOf(await client.setAddresses('home.example.com', {}))).toEqual({
      kind: 'config',
      code: 'bad-address',
      message: 'dyndns2 (Dyn): home.example.com: no address to send',
    });
    expect(failureOf(await client.setAddresses('home.example.com', { ipv6: '203.0.113.7' })).kind).toBe(
      'config',
    );
    expect(api.requests).toHaveLength(0);
  });

  it('test() sends nothing (every dyndns2 request is an update) and says so', async () => {
    const r = await client.test();
    expect(r).toEqual({
      ok: true,
      value: {
        detail: 'dyndns2 has no read-only request: the username and password are checked by the first update',
      },
    });
    expect(api.requests).toHaveLength(0);
  });
});

describe('dyndns2 presets', () => {
  let api: FakeApi;
  let model: DyndnsModel;
  beforeAll(async () => {
    api = await startFakeApi((r) => model.handle(r));
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
  });

  function clientFor(preset: Dyndns2Preset, path = '/nic/update'): Dyndns2Provider {
    return dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset, username, serverUrl: `${api.baseUrl}${path}` }),
      { password },
      depsFor(),
    ) as Dyndns2Provider;
  }

  it.each([
    ['dyn', 'https://members.dyndns.org/nic/update?hostname=h.example.com&myip=203.0.113.7'],
    ['noip', 'https://dynupdate.no-ip.com/nic/update?hostname=h.example.com&myip=203.0.113.7'],
    ['dynu', 'https://api.dynu.com/nic/update?hostname=h.example.com&myip=203.0.113.7&myipv6=no'],
  ] as const)('the %s preset calls its documented server', async (preset, expected) => {
    const called: string[] = [];
    const c = dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset, username }),
      { password },
      {
        ...depsFor(),
        fetch: (input) => {
          called.push(input instanceof Request ? input.url : input.toString());
          return Promise.resolve(new Response('good 203.0.113.7'));
        },
      },
    );
    expect(await c.set(a('h.example.com'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(called).toEqual([expected]);
  });

  it.each([
    ['dyn', 'dyndns2 (Dyn): GET https://members.dyndns.org/nic/update'],
    ['noip', 'dyndns2 (No-IP): GET https://dynupdate.no-ip.com/nic/update'],
    ['dynu', 'dyndns2 (Dynu): GET https://api.dynu.com/nic/update'],
  ] as const)('a %s failure names the service and its URL', async (preset, start) => {
    const c = dyndns2Provider.create(
      dyndns2Provider.settings.parse({ preset, username }),
      { password },
      {
        ...depsFor(),
        fetch: () => Promise.resolve(new Response('nohost')),
      },
    );
    expect(failureOf(await c.set(a('h.example.com'), ['203.0.113.7'], 60)).message).toBe(
      `${start} for h.example.com: the hostname is not a host of this account (nohost)`,
    );
  });

  it('No-IP: the No-IP User-Agent, both families in myip, so an A update keeps the AAAA', async () => {
    model = new DyndnsModel('noip');
    model.hosts.set('cam.ddns.net', { owner: username, a: '198.51.100.1', aaaa: '2001:db8::1' });
    const c = clientFor('noip');
    expect(await c.setAddresses('cam.ddns.net', { ipv4: '203.0.113.7', ipv6: '2001:db8::7' })).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(await c.set(a('cam.ddns.net'), ['203.0.113.8'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(model.hosts.get('cam.ddns.net')).toMatchObject({ a: '203.0.113.8', aaaa: '2001:db8::7' });
    expect(api.requests[0]?.headers['user-agent']).toBe(
      'Gatehouse Gatehouse/0.1.0 https://github.com/example/gatehouse',
    );
    expect(new URL(api.requests[1]?.url ?? '', 'http://x').searchParams.get('myip')).toBe(
      '203.0.113.8,2001:db8::7',
    );
  });

  it('Dynu: myipv6=no on an A update and myip=no on an AAAA update leave the other family alone', async () => {
    model = new DyndnsModel('dynu');
    model.hosts.set('nas.dynu.net', { owner: username, a: '198.51.100.1', aaaa: '2001:db8::1' });
    const c = clientFor('dynu');
    expect((await c.set(a('nas.dynu.net'), ['203.0.113.7'], 60)).ok).toBe(true);
    expect(model.hosts.get('nas.dynu.net')).toMatchObject({ a: '203.0.113.7', aaaa: '2001:db8::1' });
    expect((await c.set(aaaa('nas.dynu.net'), ['2001:db8::7'], 60)).ok).toBe(true);
    expect(model.hosts.get('nas.dynu.net')).toMatchObject({ a: '203.0.113.7', aaaa: '2001:db8::7' });
    expect(api.requests.map((r) => r.url)).toEqual([
      '/nic/update?hostname=nas.dynu.net&myip=203.0.113.7&myipv6=no',
      '/nic/update?hostname=nas.dynu.net&myip=no&myipv6=2001%3Adb8%3A%3A7',
    ]);
    expect(api.requests[0]?.headers['user-agent']).toBe(gatehouseUa);
  });

  it('custom: the server URL with its own path, the User-Agent as given', async () => {
    model = new DyndnsModel('dynu', '/dyndns/v2/update');
    model.hosts.set('box.example.org', { owner: username });
    const c = clientFor('custom', '/dyndns/v2/update');
    expect(await c.set(a('box.example.org'), ['203.0.113.7'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    // Custom servers take both families in myip (as Dyn and ddclient do), so no myipv6 parameter.
    expect(api.requests[0]?.url).toBe('/dyndns/v2/update?hostname=box.example.org&myip=203.0.113.7');
    expect(api.requests[0]?.headers['user-agent']).toBe(gatehouseUa);
    model.forced.push({ body: 'nohost' });
    expect(failureOf(await c.set(a('box.example.org'), ['203.0.113.8'], 60)).message).toBe(
      `dyndns2 server: GET ${api.baseUrl}/dyndns/v2/update for box.example.org: the hostname is not a host of this account (nohost)`,
    );
  });
});

afterAll(() => {
  // Every failure message of this file, whatever failed: the password is never in one.
  for (const m of messages) expect(m).not.toContain(password);
});

import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { alertsAuditTypes } from '../../alerts/capability.js';
import { coreAuditTypes } from '../../audit/core-types.js';
import { createEventBus } from '../../core/events.js';
import type { AppEnv } from '../../http/context.js';
import type { State } from '../../store/schema.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import { MemoryStore } from '../../../test/fakes/store.js';
import { createHarness, type Harness } from '../../../test/support/app-harness.js';
import type { Capability } from '../../core/capability.js';
import type { Store } from '../../store/store.js';
import { createDdnsInbound, type DdnsInbound } from './index.js';
import { createInboundDyndnsApp, readBasicAuth, type InboundWanPush } from './app.js';
import { ddnsInboundAuditTypes } from './audit-types.js';
import { DdnsClients } from './clients.js';

const publicRanges = ['203.0.113.0/24', '2001:db8::/32'];
const local = { actor: 'local', clientAddress: 'local' };
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Setup {
  readonly registerTypes?: boolean;
  readonly store?: MemoryStore;
  readonly clock?: FakeClock;
}

function setup(options: Setup = {}) {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('alerts', alertsAuditTypes);
  if (options.registerTypes !== false) registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
  // The clients are added through a store that knows the types; the endpoint may get one that does not.
  const store = options.store ?? new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
  const clock = options.clock ?? new FakeClock('2026-03-01T12:00:00.000Z');
  const logger = new MemoryLogger();
  const bus = createEventBus(logger);
  const pushed: InboundWanPush[] = [];
  bus.subscribe('reach.wan-pushed', (p) => {
    pushed.push(p as InboundWanPush);
  });
  const inbound = createInboundDyndnsApp({ store, clock, bus, logger, publicRanges: () => publicRanges });
  // Stands in for the main app's identify middleware: the test names the peer address.
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('requestContext', { clientAddress: c.req.header('x-test-peer') ?? '10.10.0.1', userAgent: '' });
    await next();
  });
  app.route('/', inbound);
  const get = (path: string, auth?: string, peer = '10.10.0.1', method = 'GET'): Promise<Response> =>
    Promise.resolve(
      app.request(`http://10.10.0.2${path}`, {
        method,
        headers: { 'x-test-peer': peer, ...(auth === undefined ? {} : { authorization: auth }) },
      }),
    );
  return { store, clock, logger, pushed, get, registry };
}

async function addClient(store: Store, clock: FakeClock, name: string, hostnames: string[], trusted = false) {
  const r = await new DdnsClients({ store, clock }).add({ name, hostnames, trusted }, local);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.password;
}

async function withClient(options: Setup & { trusted?: boolean } = {}) {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('alerts', alertsAuditTypes);
  registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
  const store = options.store ?? new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
  const clock = options.clock ?? new FakeClock('2026-03-01T12:00:00.000Z');
  const password = await addClient(
    store,
    clock,
    'fritzbox',
    ['home.example.test', 'nas.example.test'],
    options.trusted,
  );
  const s = setup({ ...options, store, clock });
  return { ...s, password, auth: basic('fritzbox', password) };
}

const audits = (store: MemoryStore) =>
  (store.appended.get('audit') ?? []) as {
    type: string;
    actor: string;
    clientAddress: string;
    details: Record<string, unknown>;
  }[];

describe('readBasicAuth', () => {
  it.each([
    [basic('fritzbox', 'pw:with:colons'), { user: 'fritzbox', password: 'pw:with:colons' }],
    [`basic ${Buffer.from('a:').toString('base64')}`, { user: 'a', password: '' }],
    [`Basic ${Buffer.from(':pw').toString('base64')}`, undefined],
    [`Basic ${Buffer.from('nocolon').toString('base64')}`, undefined],
    ['Bearer abc', undefined],
    ['Basic', undefined],
    ['Basic !!!', undefined],
    [undefined, undefined],
  ])('%j → %j', (header, expected) => {
    expect(readBasicAuth(header)).toEqual(expected);
  });
});

describe('inbound dyndns2 endpoint', () => {
  it('accepts a push: good <ip>, one reach.wan-pushed event, lastUsedAt and an audit record', async () => {
    const t = await withClient();
    const res = await t.get('/nic/update?system=dyndns&hostname=home.example.test&myip=203.0.113.7', t.auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('good 203.0.113.7');
    expect(t.pushed).toEqual([{ address: '203.0.113.7', from: 'dyndns2:fritzbox', trusted: false }]);
    expect(t.store.read().ddns.clients[0]?.lastUsedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(audits(t.store).at(-1)).toMatchObject({
      type: 'ddns.client-push',
      actor: 'dyndns2:fritzbox',
      clientAddress: '10.10.0.1',
      details: { address: '203.0.113.7', answers: 'good 203.0.113.7', trusted: false },
    });
  });

  it('answers nochg for the address pushed last, and still publishes it (a fresh observation)', async () => {
    const t = await withClient();
    await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7', t.auth);
    const again = await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7', t.auth);
    expect(await again.text()).toBe('nochg 203.0.113.7');
    expect(t.pushed.map((p) => p.address)).toEqual(['203.0.113.7', '203.0.113.7']);
    const changed = await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.8', t.auth);
    expect(await changed.text()).toBe('good 203.0.113.8');
  });

  it('publishes each family of myip=v4,v6 (and myipv6), on /v3/update too, one line per hostname', async () => {
    const t = await withClient({ trusted: true });
    const res = await t.get(
      '/v3/update?hostname=home.example.test,nas.example.test&myip=203.0.113.7,2001:db8::7',
      t.auth,
    );
    expect(await res.text()).toBe('good 203.0.113.7,2001:db8::7\ngood 203.0.113.7,2001:db8::7');
    expect(t.pushed).toEqual([
      { address: '203.0.113.7', from: 'dyndns2:fritzbox', trusted: true },
      { address: '2001:db8::7', from: 'dyndns2:fritzbox', trusted: true },
    ]);
    const v6 = await t.get('/nic/update?hostname=home.example.test&myipv6=2001:db8::8', t.auth);
    expect(await v6.text()).toBe('good 2001:db8::8');
  });

  it('takes the source address when myip is missing, if it is public', async () => {
    const t = await withClient();
    const res = await t.get('/nic/update?hostname=home.example.test', t.auth, '203.0.113.9');
    expect(await res.text()).toBe('good 203.0.113.9');
    expect(t.pushed.map((p) => p.address)).toEqual(['203.0.113.9']);
  });

  it.each([
    [
      'a hostname outside the scope',
      '/nic/update?hostname=other.example.test&myip=203.0.113.7',
      'nohost',
      /other\.example\.test: nohost/,
    ],
    ['no FQDN', '/nic/update?hostname=home&myip=203.0.113.7', 'notfqdn', /home: notfqdn/],
    ['no hostname', '/nic/update?myip=203.0.113.7', 'notfqdn', /no hostname/],
    [
      'a private myip',
      '/nic/update?hostname=home.example.test&myip=10.0.0.1',
      'badagent',
      /myip 10\.0\.0\.1 is private/,
    ],
    [
      'garbage myip',
      '/nic/update?hostname=home.example.test&myip=%3Cipaddr%3E',
      'badagent',
      /not an IP address/,
    ],
    [
      'no myip from a LAN address',
      '/nic/update?hostname=home.example.test',
      'badagent',
      /source address .*10\.10\.0\.1 is private/,
    ],
    [
      '21 hostnames',
      `/nic/update?hostname=${Array.from({ length: 21 }, (_, i) => `h${i}.example.test`).join(',')}&myip=203.0.113.7`,
      'numhost',
      /21 hostnames/,
    ],
  ])('refuses %s with %s (200), changing nothing', async (_what, path, body, reason) => {
    const t = await withClient();
    const res = await t.get(path, t.auth);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
    expect(t.pushed).toEqual([]);
    expect(t.store.read().ddns.clients[0]?.lastUsedAt).toBeNull();
    const last = audits(t.store).at(-1);
    expect(last).toMatchObject({
      type: 'ddns.client-refused',
      actor: 'dyndns2:fritzbox',
      clientAddress: '10.10.0.1',
    });
    expect(String(last?.details.reason)).toMatch(reason);
  });

  it('challenges a request without credentials (401, Basic realm, badauth) without counting a failure', async () => {
    const t = await withClient();
    const res = await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="Gatehouse DDNS"/);
    expect(await res.text()).toBe('badauth');
    expect(t.store.read().lockouts).toEqual([]);
    expect(t.pushed).toEqual([]);
  });

  it.each([
    ['a wrong password', basic('fritzbox', 'wrong-password-123')],
    ['an unknown user', basic('nobody', 'wrong-password-123')],
    ['a user name in another case with a wrong password', basic('FritzBox', 'x')],
  ])('refuses %s: 401 badauth, counted per user name and address, audited', async (_what, auth) => {
    const t = await withClient();
    const res = await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7', auth);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await res.text()).toBe('badauth');
    expect(t.pushed).toEqual([]);
    expect(
      t.store
        .read()
        .lockouts.map((l) => l.key)
        .sort(),
    ).toEqual(['dyndns2-addr:10.10.0.1', `dyndns2-user:${readBasicAuth(auth)?.user.toLowerCase() ?? ''}`]);
    expect(audits(t.store).at(-1)).toMatchObject({
      type: 'ddns.client-refused',
      details: { reason: 'wrong user name or password' },
    });
  });

  it('locks out after five failures like the login: 429 + Retry-After + 911, even with the right password, until it ends', async () => {
    const t = await withClient();
    const path = '/nic/update?hostname=home.example.test&myip=203.0.113.7';
    for (let i = 0; i < 5; i++)
      expect((await t.get(path, basic('fritzbox', `guess-${i}`), '203.0.113.66')).status).toBe(401);
    expect(audits(t.store).filter((a) => a.type === 'ddns.client-lockout')).toHaveLength(2);
    // The user name is locked from any address, and the address for any user name.
    const locked = await t.get(path, t.auth, '203.0.113.99');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('30');
    expect(await locked.text()).toBe('911');
    expect((await t.get(path, basic('other', 'x'), '203.0.113.66')).status).toBe(429);
    expect(t.pushed).toEqual([]);
    // A restart keeps the lockout (the lockouts slice).
    const restarted = setup({ store: t.store, clock: t.clock });
    expect((await restarted.get(path, t.auth, '203.0.113.99')).status).toBe(429);
    t.clock.advance(30_000);
    const after = await t.get(path, t.auth, '203.0.113.99');
    expect(await after.text()).toBe('good 203.0.113.7');
    // Success clears the user name's failures.
    expect(t.store.read().lockouts.map((l) => l.key)).not.toContain('dyndns2-user:fritzbox');
  });

  it('lets no more parallel guesses through than the free attempts (5 × 401, the rest 429)', async () => {
    const t = await withClient();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7', basic('fritzbox', `guess-${i}`)),
      ),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    // Five failures: the lockout holds now, for the right password too.
    expect((await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7', t.auth)).status).toBe(429);
    expect(t.pushed).toEqual([]);
  });

  it.each(['POST', 'PUT', 'DELETE', 'HEAD'])(
    'answers %s with 405 (Allow: GET) and changes nothing',
    async (method) => {
      const t = await withClient();
      const res = await t.get(
        '/nic/update?hostname=home.example.test&myip=203.0.113.7',
        t.auth,
        '10.10.0.1',
        method,
      );
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(t.pushed).toEqual([]);
      expect(t.store.read().ddns.clients[0]?.lastUsedAt).toBeNull();
    },
  );

  it('answers 911 and publishes nothing when the push cannot be recorded', async () => {
    const registry = coreAuditTypes();
    registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
    const seeded = new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
    const clock = new FakeClock('2026-03-01T12:00:00.000Z');
    const password = await addClient(seeded, clock, 'fritzbox', ['home.example.test']);
    // The same document in a store whose audit registry lacks the endpoint's types: every record fails.
    const store = new MemoryStore<State>(structuredClone(seeded.read()));
    const t = setup({ store, clock });
    const res = await t.get(
      '/nic/update?hostname=home.example.test&myip=203.0.113.7',
      basic('fritzbox', password),
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('911');
    expect(t.pushed).toEqual([]);
    expect(t.logger.lines.some((l) => l.level === 'error' && /nothing published/.test(l.msg))).toBe(true);
  });

  it('never logs or records the password or the Authorization header', async () => {
    const t = await withClient();
    await t.get('/nic/update?hostname=home.example.test&myip=203.0.113.7', t.auth);
    await t.get(
      '/nic/update?hostname=home.example.test&myip=203.0.113.7',
      basic('fritzbox', 'wrong-guess-xyz'),
    );
    for (let i = 0; i < 6; i++)
      await t.get(
        '/nic/update?hostname=home.example.test&myip=203.0.113.7',
        basic('fritzbox', `wrong-guess-${i}`),
      );
    const written = JSON.stringify([t.logger.lines, t.store.appended.get('audit'), t.store.read()]);
    expect(written).not.toContain(t.password);
    expect(written).not.toContain('wrong-guess');
    expect(written).not.toContain(t.auth.slice('Basic '.length));
    expect(written).not.toMatch(/authorization/i);
  });
});

describe('inbound dyndns2 endpoint mounted in the real app', () => {
  let h: Harness | undefined;
  afterEach(() => {
    h?.cleanup();
  });

  it("is reached by the box's names and its clients' hostnames without session or CSRF token, takes the client address from identify, and 421s other hosts", async () => {
    const logger = new MemoryLogger();
    const bus = createEventBus(logger);
    let inbound: DdnsInbound | undefined;
    h = await createHarness({
      // The DDNS capability as it will carry the endpoint (Capability.publicRoutes, asked of the lead).
      replace: ({ store, clock, logger: log }) => {
        inbound = createDdnsInbound({ store, clock, bus, logger: log, publicRanges: () => publicRanges });
        const capability: Capability = {
          id: 'ddns',
          auditTypes: inbound.auditTypes,
          hostNames: inbound.hostNames,
        };
        return [Object.assign(capability, { publicRoutes: inbound.app })];
      },
    });
    // Until createApp mounts Capability.publicRoutes, mount the sub-app where it will be: after the core's
    // middleware, at the root.
    if (inbound && !h.app.routes.some((r) => r.path === '/nic/update')) h.app.route('/', inbound.app);
    // The list's own DDNS capability registered the DDNS audit types; the stand-in adds the endpoint's as it will.
    h.auditTypes.registerAuditTypes('ddns', ddnsInboundAuditTypes);
    const password = await addClient(h.store, h.clock, 'openwrt', ['home.example.test']);
    const pushed: unknown[] = [];
    bus.subscribe('reach.wan-pushed', (p) => {
      pushed.push(p);
    });
    const auth = { authorization: basic('openwrt', password) };
    // The harness's notional proxy sets X-Forwarded-For: 203.0.113.50 (trustProxy on), the push's source.
    const ok = await h.request('GET', '/nic/update?hostname=home.example.test', { headers: auth });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('good 203.0.113.50');
    expect(pushed).toEqual([{ address: '203.0.113.50', from: 'dyndns2:openwrt', trusted: false }]);
    // A router may call the box by a hostname it pushes for: the capability's hostNames let it through.
    const byName = await h.request('GET', '/v3/update?hostname=home.example.test&myip=203.0.113.51', {
      headers: { ...auth, host: 'home.example.test:8080' },
    });
    expect(await byName.text()).toBe('good 203.0.113.51');
    const rebound = await h.request('GET', '/nic/update?hostname=home.example.test', {
      headers: { ...auth, host: 'evil.example' },
    });
    expect(rebound.status).toBe(421);
    expect(pushed).toHaveLength(2);
    expect(h.store.log('audit').newest(1)[0]).toMatchObject({
      type: 'ddns.client-push',
      clientAddress: '203.0.113.50',
    });
  });
});

/**
 * @module The DDNS API over HTTP with the real capability around an in-memory provider and authoritative servers:
 * accounts with write-only credentials (session only), test before save, records, update now, the card, the
 * history, and clear 4xx answers that change nothing.
 */
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/core/events.js';
import { createDdns, type DdnsCapability } from '../../src/ddns/capability.js';
import { FakeZone } from '../fakes/dns-zone.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { harnessPerTest } from '../support/api-helpers.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import type { FakeClock } from '../fakes/clock.js';
import type { MemoryLogger } from '../fakes/logger.js';
import type { Store } from '../../src/store/store.js';

const createHarness = harnessPerTest();

async function setup() {
  let zone: FakeZone | undefined;
  let secrets: FakeSecrets | undefined;
  const build = ({ store, clock, logger }: { store: Store; clock: FakeClock; logger: MemoryLogger }) => {
    zone = new FakeZone(clock);
    secrets = new FakeSecrets(clock);
    const ddns = createDdns(
      {
        clock,
        logger,
        fetch: globalThis.fetch,
        bus: createEventBus(logger),
        secrets,
        runner: new FakeRunner(),
        files: nodePrivateFiles,
      },
      { enabled: true, resolver: null, authoritativeServers: [], verifySeconds: 10, recheckSeconds: 300 },
      {
        store,
        alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
        providers: new Map([['fake', zone.descriptor()]]),
        adapters: { udp: undefined as never, resolvConf: () => undefined },
        userAgent: 'Gatehouse/test',
        served: zone.lookup(),
        reachability: { publicRanges: ['203.0.113.0/24'] },
      },
    );
    return [ddns];
  };
  const h = await createHarness({ replace: build });
  if (!zone || !secrets) throw new Error('not built');
  const session = await h.setupAdmin();
  const call = (method: string, path: string, body?: unknown) =>
    h.request(method, `/api/v1${path}`, {
      cookie: session.cookie,
      csrf: session.csrf,
      ...(body === undefined ? {} : { body }),
    });
  return { h, zone, secrets, session, call };
}

describe('DDNS over HTTP', () => {
  it('adds an account whose credential is stored only in the secrets port and never comes back', async () => {
    const t = await setup();
    const res = await t.call('POST', '/ddns/accounts', {
      kind: 'fake',
      name: 'My DNS',
      secrets: { token: 'right-and-secret' },
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).not.toContain('right-and-secret');
    const account = JSON.parse(text) as { id: string; credentials: unknown[] };
    expect(account.credentials).toEqual([
      { field: 'token', set: true, updatedAt: t.h.clock.now().toISOString() },
    ]);
    expect((await t.secrets.get(`ddns/${account.id}.token`)).ok).toBe(true);
    const overview = await (await t.call('GET', '/ddns')).text();
    expect(overview).not.toContain('right-and-secret');
    expect(JSON.stringify(t.h.store.read())).not.toContain('right-and-secret');
    // Audited, without the secret.
    const audit = await (await t.call('GET', '/audit?type=ddns.account-added')).text();
    expect(audit).toContain('My DNS');
    expect(audit).not.toContain('right-and-secret');
  });

  it('refuses bad input with a 4xx naming the field, and changes nothing', async () => {
    const t = await setup();
    const before = JSON.stringify(t.h.store.read().ddns);
    const cases: [unknown, number, string][] = [
      [{ kind: 'nope', name: 'x', secrets: {} }, 400, 'ddns.unknown-provider'],
      [{ kind: 'fake', name: 'x', secrets: {} }, 400, 'ddns.invalid'],
      [{ kind: 'fake', name: 'x', secrets: { token: 't', other: 'y' } }, 400, 'ddns.invalid'],
      [{ kind: 'fake', name: '', secrets: { token: 't' } }, 400, 'ddns.invalid'],
    ];
    for (const [body, status, code] of cases) {
      const res = await t.call('POST', '/ddns/accounts', body);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const badRecord = await t.call('POST', '/ddns/records', {
      hostname: 'not a host',
      type: 'A',
      accountId: 'x',
    });
    expect(badRecord.status).toBe(400);
    expect(await badRecord.json()).toMatchObject({
      error: { code: 'ddns.invalid', details: [{ path: ['hostname'] }] },
    });
    const noAccount = await t.call('POST', '/ddns/records', {
      hostname: 'home.example.test',
      type: 'A',
      accountId: 'x',
    });
    expect(noAccount.status).toBe(404);
    expect(JSON.stringify(t.h.store.read().ddns)).toBe(before);
  });

  it('tests credentials before saving them, saving nothing', async () => {
    const t = await setup();
    const res = await t.call('POST', '/ddns/accounts/test', {
      kind: 'fake',
      name: 'x',
      secrets: { token: 'right' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ detail: 'fine' });
    expect(t.h.store.read().ddns.accounts).toEqual([]);
    expect(await t.secrets.list()).toEqual([]);
  });

  it('a write token cannot manage accounts (session only)', async () => {
    const t = await setup();
    const token = await t.call('POST', '/tokens', { name: 'script', scope: 'write' });
    const { token: secret } = (await token.json()) as { token: string };
    const res = await t.h.request('POST', '/api/v1/ddns/accounts', {
      headers: { authorization: `Bearer ${secret}` },
      body: { kind: 'fake', name: 'x', secrets: { token: 'right' } },
    });
    expect(res.status).toBe(403);
  });

  it('adds a record, updates it now, and shows the result on the page data, the card and the history', async () => {
    const t = await setup();
    await t.h.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.7';
    });
    const account = (await (
      await t.call('POST', '/ddns/accounts', { kind: 'fake', name: 'DNS', secrets: { token: 'right' } })
    ).json()) as { id: string };
    const added = await t.call('POST', '/ddns/records', {
      hostname: 'Home.Example.Test.',
      type: 'A',
      accountId: account.id,
    });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({
      hostname: 'home.example.test',
      zone: 'example.test',
      ttl: 60,
      value: { kind: 'public' },
    });
    const dup = await t.call('POST', '/ddns/records', {
      hostname: 'home.example.test',
      type: 'A',
      accountId: account.id,
    });
    expect(dup.status).toBe(409);
    const updated = await t.call('POST', '/ddns/update');
    expect(updated.status).toBe(200);
    const runs = (await updated.json()) as { result: string | null; action: { kind: string } }[];
    // The record may have been set already by the run its creation started; either way it is served now.
    expect(runs.map((r) => r.action.kind)).toEqual([expect.stringMatching(/^(update|in-sync)$/)]);
    expect(t.zone.servedNow('home.example.test', 'A')).toEqual(['203.0.113.7']);
    const overview = (await (await t.call('GET', '/ddns')).json()) as {
      records: { state: { applied: string; verifiedAt: string | null } }[];
    };
    expect(overview.records[0]?.state).toMatchObject({ applied: '203.0.113.7' });
    const history = (await (await t.call('GET', '/ddns/history')).json()) as { value: string; ok: boolean }[];
    expect(history).toMatchObject([{ value: '203.0.113.7', ok: true }]);
    const status = (await (await t.call('GET', '/status')).json()) as {
      cards: { id: string; state: string; facts: { value: string }[] }[];
    };
    const card = status.cards.find((c) => c.id === 'ddns');
    expect(card?.state).toBe('ok');
    expect(card?.facts[0]?.value).toMatch(/^→ 203\.0\.113\.7, served by the authoritative servers/);
  });

  it('an account with records cannot be removed; a record can', async () => {
    const t = await setup();
    const account = (await (
      await t.call('POST', '/ddns/accounts', { kind: 'fake', name: 'DNS', secrets: { token: 'right' } })
    ).json()) as { id: string };
    const record = (await (
      await t.call('POST', '/ddns/records', {
        hostname: 'nas.example.test',
        type: 'AAAA',
        accountId: account.id,
        value: { kind: 'ipv6-host', suffix: '::1:2:3:4' },
      })
    ).json()) as { id: string };
    const refused = await t.call('DELETE', `/ddns/accounts/${account.id}`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'nas.example.test AAAA',
    );
    expect((await t.call('DELETE', `/ddns/records/${record.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/ddns/accounts/${account.id}`)).status).toBe(200);
    expect(await t.secrets.list()).toEqual([]);
  });
});

describe('the inbound dyndns2 endpoint in the real app', () => {
  it('answers a router at /nic/update with its own credentials, outside /api and its guards', async () => {
    const h = await createHarness();
    const ddns = h.capabilities.find((c) => c.id === 'ddns') as DdnsCapability | undefined;
    if (!ddns) throw new Error('no ddns capability');
    const added = await ddns.inbound.clients.add(
      { name: 'fritzbox', hostnames: ['home.example.test'] },
      { actor: 'admin', clientAddress: 'local' },
    );
    if (!added.ok) throw new Error(added.error.message);
    const pushed: unknown[] = [];
    h.bus.subscribe('reach.wan-pushed', (e) => void pushed.push(e));
    const basic = (password: string) => `Basic ${Buffer.from(`fritzbox:${password}`).toString('base64')}`;
    const res = await h.request('GET', '/nic/update?hostname=home.example.test&myip=203.0.113.9', {
      headers: { authorization: basic(added.value.password) },
    });
    // A documentation address is no WAN address outside a test bed (reachability.publicRanges is empty here):
    // refused once as the client's mistake, nothing published. (Accepted pushes: src/ddns/inbound, e2e.)
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('badagent');
    await h.bus.idle();
    expect(pushed).toEqual([]);
    const wrong = await h.request('GET', '/nic/update?hostname=home.example.test&myip=203.0.113.9', {
      headers: { authorization: basic('not-the-password') },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe('badauth');
    // The client's hostname is one the box may be reached by.
    expect(ddns.hostNames?.()).toContain('home.example.test');
  });
});

describe('the dyndns2 clients over HTTP (/api/v1/ddns/credentials)', () => {
  const basic = (name: string, password: string) =>
    `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

  it('adds one (201, the password only in this answer), lists it without a hash, removes it: its password then gets badauth', async () => {
    const t = await setup();
    const added = await t.call('POST', '/ddns/credentials', {
      name: 'fritzbox',
      hostnames: ['Home.Example.Test'],
    });
    expect(added.status).toBe(201);
    const body = (await added.json()) as { client: Record<string, unknown>; password: string };
    expect(body.client).toMatchObject({
      name: 'fritzbox',
      hostnames: ['home.example.test'],
      trusted: false,
      lastUsedAt: null,
    });
    expect(body.client).not.toHaveProperty('passwordHash');
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const push = () =>
      t.h.request('GET', '/nic/update?hostname=home.example.test&myip=203.0.113.9', {
        headers: { authorization: basic('fritzbox', body.password) },
      });
    const pushed = await push();
    expect([pushed.status, await pushed.text()]).toEqual([200, 'good 203.0.113.9']);

    const listed = await t.call('GET', '/ddns/credentials');
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(JSON.parse(text)).toMatchObject({
      clients: [
        { name: 'fritzbox', hostnames: ['home.example.test'], lastUsedAt: expect.any(String) as unknown },
      ],
    });
    expect(text).not.toMatch(/scrypt|passwordHash/);
    expect(text).not.toContain(body.password);

    const removed = await t.call('DELETE', '/ddns/credentials/fritzbox');
    expect(removed.status).toBe(200);
    expect(await removed.json()).toMatchObject({ client: { name: 'fritzbox' } });
    expect(await (await t.call('GET', '/ddns/credentials')).json()).toEqual({ clients: [] });
    const refused = await push();
    expect([refused.status, await refused.text()]).toEqual([401, 'badauth']);

    const audit =
      (await (await t.call('GET', '/audit?type=ddns.client-added')).text()) +
      (await (await t.call('GET', '/audit?type=ddns.client-removed')).text());
    expect(audit).toContain('fritzbox');
    expect(audit).toContain('"actor":"admin"');
    expect(audit).not.toContain(body.password);
  });

  it('refuses bad input (400), a name taken (409) and an unknown client (404), changing nothing', async () => {
    const t = await setup();
    expect(
      (await t.call('POST', '/ddns/credentials', { name: 'fritzbox', hostnames: ['home.example.test'] }))
        .status,
    ).toBe(201);
    const before = JSON.stringify(t.h.store.read().ddns);
    const cases: [unknown, number, string][] = [
      [{ name: 'Fritz Box', hostnames: ['home.example.test'] }, 400, 'ddns.client-invalid'],
      [{ name: 'nas', hostnames: ['home'] }, 400, 'ddns.client-invalid'],
      [{ name: 'nas', hostnames: [] }, 400, 'ddns.client-invalid'],
      [{ name: 'nas', hostnames: ['home.example.test'], passwordHash: 'x' }, 400, 'validation'],
      [{ name: 'fritzbox', hostnames: ['other.example.test'] }, 409, 'ddns.client-exists'],
    ];
    for (const [input, status, code] of cases) {
      const res = await t.call('POST', '/ddns/credentials', input);
      expect([JSON.stringify(input), res.status]).toEqual([JSON.stringify(input), status]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const missing = await t.call('DELETE', '/ddns/credentials/nobody');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ddns.client-not-found');
    expect(JSON.stringify(t.h.store.read().ddns)).toBe(before);
  });

  it('needs a login (401); a write token may list but neither add nor remove one (403, session only)', async () => {
    const t = await setup();
    await t.call('POST', '/ddns/credentials', { name: 'fritzbox', hostnames: ['home.example.test'] });
    const anonymous = await t.h.request('GET', '/api/v1/ddns/credentials');
    expect(anonymous.status).toBe(401);
    const token = await t.call('POST', '/tokens', { name: 'script', scope: 'write' });
    const { token: secret } = (await token.json()) as { token: string };
    const bearer = { authorization: `Bearer ${secret}` };
    const before = JSON.stringify(t.h.store.read().ddns);
    const add = await t.h.request('POST', '/api/v1/ddns/credentials', {
      headers: bearer,
      body: { name: 'nas', hostnames: ['nas.example.test'] },
    });
    expect(add.status).toBe(403);
    expect(((await add.json()) as { error: { code: string } }).error.code).toBe('auth.session-required');
    const remove = await t.h.request('DELETE', '/api/v1/ddns/credentials/fritzbox', { headers: bearer });
    expect(remove.status).toBe(403);
    expect(JSON.stringify(t.h.store.read().ddns)).toBe(before);
    const list = await t.h.request('GET', '/api/v1/ddns/credentials', { headers: bearer });
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(JSON.parse(text)).toMatchObject({ clients: [{ name: 'fritzbox' }] });
    expect(text).not.toMatch(/scrypt|passwordHash/);
  });
});

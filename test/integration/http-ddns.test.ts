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

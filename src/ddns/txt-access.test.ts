import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ok } from '../core/outcome.js';
import { initialState, type State } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { ddnsAccount, ddnsRecord, fixtureTime } from '../../test/fakes/ddns-fixtures.js';
import { FakeZone } from '../../test/fakes/dns-zone.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { createEventBus } from '../core/events.js';
import { nodePrivateFiles } from '../core/node-fs.js';
import { createDdns } from './capability.js';
import { secretName, type ServedLookup } from './engine.js';
import type { DnsProvider, ProviderDeps } from './provider.js';
import type { ProviderDescriptor } from './providers/descriptor.js';
import { providerRegistry } from './providers/index.js';
import type { DdnsAccount, DdnsRecord } from './slice.js';
import {
  baseName,
  chooseTxtAccount,
  createTxtAccess,
  txtCandidates,
  txtCapableLabels,
  txtLookupOf,
  zoneCovers,
} from './txt-access.js';

/** A provider descriptor of a kind, TXT-capable or not, whose client records what it was made with. */
function descriptor(kind: string, label: string, txt: boolean, made: unknown[] = []): ProviderDescriptor {
  return {
    kind,
    label,
    docsUrl: 'https://example.test/docs',
    fields: [
      { name: 'token', label: 'Token', secret: true },
      { name: 'zone', label: 'Zone', secret: false, optional: true },
    ],
    settings: z.object({ zone: z.string().optional() }).strict(),
    secrets: z.object({ token: z.string().min(1) }).strict(),
    can: { read: true, txt },
    create: (settings, secrets) => {
      made.push({ settings, secrets });
      return { kind, can: { read: true, txt } } as unknown as DnsProvider;
    },
  };
}

const providers = new Map<string, ProviderDescriptor>([
  ['rfc', descriptor('rfc', 'RFC 2136 (TSIG)', true)],
  ['cf', descriptor('cf', 'Cloudflare', true)],
  ['dyn', descriptor('dyn', 'dyndns2', false)],
]);

const acc = (id: string, kind: string, over: Partial<DdnsAccount> = {}) =>
  ddnsAccount({ id, kind, name: `acc ${id}`, ...over });
const rec = (id: string, hostname: string, zone: string, accountId: string, over: Partial<DdnsRecord> = {}) =>
  ddnsRecord({ id, hostname, zone, accountId, ...over });

describe('baseName and zoneCovers', () => {
  it.each([
    ['Home.Example.COM.', 'home.example.com'],
    ['*.home.example.com', 'home.example.com'],
    [' *.a.b. ', 'a.b'],
    ['a.*.b', 'a.*.b'],
  ])('baseName(%j) = %j', (input, want) => {
    expect(baseName(input)).toBe(want);
  });

  it.each([
    ['example.com', 'example.com', true],
    ['example.com', 'home.example.com', true],
    ['Example.com.', 'home.example.com', true],
    ['example.com', 'homeexample.com', false],
    ['home.example.com', 'example.com', false],
    ['', 'example.com', false],
  ])('zoneCovers(%j, %j) = %j', (zone, name, want) => {
    expect(zoneCovers(zone, name)).toBe(want);
  });
});

describe('txtCandidates', () => {
  const accounts = [acc('a', 'dyn'), acc('b', 'rfc'), acc('c', 'cf', { settings: { zone: 'example.com' } })];

  it('puts the accounts of records of the name first, enabled ones before disabled', () => {
    const records = [
      rec('r1', 'home.example.com', 'example.com', 'b', { enabled: false }),
      rec('r2', 'home.example.com', 'example.com', 'a'),
    ];
    const got = txtCandidates({ accounts, records }, '*.Home.example.com.');
    expect(got.map((c) => [c.account.id, c.zone, c.exact])).toEqual([
      ['a', 'example.com', true],
      ['b', 'example.com', true],
      ['c', 'example.com', false],
    ]);
  });

  it('finds accounts by a covering zone, the longest zone first; unrelated zones and unknown accounts are left out', () => {
    const records = [
      rec('r1', 'other.example.com', 'example.com', 'a'),
      rec('r2', 'x.home.example.com', 'home.example.com', 'b'),
      rec('r3', 'home.example.org', 'example.org', 'b'),
      rec('r4', 'y.example.com', 'example.com', 'gone'),
    ];
    const got = txtCandidates({ accounts, records }, 'home.example.com');
    expect(got.map((c) => [c.account.id, c.zone, c.exact])).toEqual([
      ['b', 'home.example.com', false],
      ['a', 'example.com', false],
      ['c', 'example.com', false],
    ]);
  });

  it('an account zone setting that is not a string is ignored; nothing covers: empty', () => {
    const odd = [acc('d', 'rfc', { settings: { zone: 42 } })];
    expect(txtCandidates({ accounts: odd, records: [] }, 'example.com')).toEqual([]);
    expect(txtCandidates({ accounts, records: [] }, 'home.example.net')).toEqual([]);
  });

  it('the same account and zone found twice is listed once (the first way it was found)', () => {
    const records = [
      rec('r1', 'a.example.com', 'example.com', 'b'),
      rec('r2', 'b.example.com', 'example.com', 'b', { type: 'AAAA' }),
    ];
    const got = txtCandidates({ accounts, records }, 'home.example.com');
    expect(got.map((c) => [c.account.id, c.exact])).toEqual([
      ['b', false],
      ['c', false],
    ]);
  });
});

describe('chooseTxtAccount', () => {
  const c = (id: string, kind: string, over: Partial<DdnsAccount> = {}, exact = true) => ({
    account: acc(id, kind, over),
    zone: 'example.com',
    exact,
  });
  const stopped = { at: fixtureTime, code: 'BADSIG', message: 'the key was refused' };

  it('takes the first TXT-capable account that is not stopped', () => {
    const r = chooseTxtAccount(
      [c('a', 'dyn'), c('x', 'nope'), c('b', 'rfc', { stopped }), c('c', 'cf'), c('d', 'rfc')],
      'home.example.com',
      providers,
    );
    expect(r.ok && [r.value.account.id, r.value.descriptor.kind]).toEqual(['c', 'cf']);
  });

  it('a provider that cannot write TXT: config, naming the account, its provider and what to do', () => {
    const r = chooseTxtAccount([c('a', 'dyn')], '*.home.example.com', providers);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'home.example.com is at the DDNS account "acc a" (dyndns2), which cannot write TXT records, so DNS-01 cannot prove it: add a DDNS account that can write TXT records (RFC 2136 (TSIG), Cloudflare) for the zone of home.example.com, or use HTTP-01',
      },
    });
  });

  it('of several that cannot, or several stopped, the first is named', () => {
    const cannot = chooseTxtAccount([c('a', 'dyn'), c('x', 'nope')], 'home.example.com', providers);
    expect(!cannot.ok && cannot.error.message).toContain('"acc a" (dyndns2)');
    const other = { ...stopped, message: 'another reason' };
    const two = chooseTxtAccount(
      [c('b', 'rfc', { stopped }), c('e', 'cf', { stopped: other })],
      'home.example.com',
      providers,
    );
    expect(!two.ok && two.error.message).toContain(
      '"acc b" (RFC 2136 (TSIG)) that holds example.com is stopped (the key was refused)',
    );
  });

  it('an unknown provider kind is named as such', () => {
    const r = chooseTxtAccount([c('x', 'nope')], 'home.example.com', providers);
    expect(!r.ok && r.error.message).toContain('"acc x" (unknown provider "nope")');
  });

  it('a stopped TXT-capable account is named before one that cannot write TXT', () => {
    const r = chooseTxtAccount([c('a', 'dyn'), c('b', 'rfc', { stopped })], 'home.example.com', providers);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'the DDNS account "acc b" (RFC 2136 (TSIG)) that holds example.com is stopped (the key was refused): fix its credentials in DDNS so it can write the DNS-01 TXT record for home.example.com',
      },
    });
  });

  it('no account at all: config with the providers that can', () => {
    expect(chooseTxtAccount([], 'home.example.com', providers)).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'no DDNS account holds home.example.com, so DNS-01 cannot prove it: add a DDNS account that can write TXT records (RFC 2136 (TSIG), Cloudflare) for the zone of home.example.com, or use HTTP-01',
      },
    });
  });

  it('the real registry: dyndns2 and Namecheap cannot, RFC 2136 and Cloudflare can', () => {
    const labels = txtCapableLabels(providerRegistry);
    expect(labels).toContain('RFC 2136 (TSIG)');
    expect(labels).toContain('Cloudflare');
    expect(labels).toContain('DuckDNS');
    expect(labels.some((l) => /dyndns2/i.test(l))).toBe(false);
    expect(labels.some((l) => /namecheap/i.test(l))).toBe(false);
  });
});

describe('createTxtAccess', () => {
  async function setup(accounts: DdnsAccount[], records: DdnsRecord[], token: string | null = 'right') {
    const clock = new FakeClock(fixtureTime);
    const base: State = initialState(clock.now(), 'x');
    const store = new MemoryStore({ ...base, ddns: { ...base.ddns, accounts, records } });
    const secrets = new FakeSecrets(clock);
    if (token !== null) await secrets.set(secretName('b', 'token'), token);
    // Not a credential field: never read as one.
    await secrets.set(secretName('b', 'zone'), 'not-a-secret');
    const made: unknown[] = [];
    const zone = new FakeZone(clock);
    const registry = new Map(providers);
    registry.set('rfc', descriptor('rfc', 'RFC 2136 (TSIG)', true, made));
    const providerDeps = { userAgent: 'test' } as unknown as ProviderDeps;
    const access = createTxtAccess({
      store,
      secrets,
      providers: registry,
      providerDeps,
      served: zone.lookup(),
    });
    return { access, made, zone };
  }

  it('builds the provider of the chosen account with its settings and credentials; the lookup asks for TXT', async () => {
    const { access, made, zone } = await setup(
      [acc('a', 'dyn'), acc('b', 'rfc', { settings: { zone: 'example.com' } })],
      [rec('r1', 'home.example.com', 'example.com', 'a')],
    );
    const r = await access('*.home.example.com');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.account).toEqual({ id: 'b', name: 'acc b', kind: 'rfc', label: 'RFC 2136 (TSIG)' });
    expect(r.value.zone).toBe('example.com');
    expect(r.value.provider.kind).toBe('rfc');
    expect(made).toEqual([{ settings: { zone: 'example.com' }, secrets: { token: 'right' } }]);
    zone.edit('_acme-challenge.home.example.com', 'TXT', ['v1']);
    expect(await r.value.served('_acme-challenge.home.example.com', 'example.com')).toEqual(
      ok([
        { server: 'ns1', values: ['v1'] },
        { server: 'ns2', values: ['v1'] },
      ]),
    );
  });

  it('missing credentials: config naming the account, never building a provider', async () => {
    const { access, made } = await setup(
      [acc('b', 'rfc')],
      [rec('r1', 'home.example.com', 'example.com', 'b')],
      null,
    );
    expect(await access('home.example.com')).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message: 'the DDNS account "acc b" (RFC 2136 (TSIG)): its credentials are missing or incomplete',
      },
    });
    expect(made).toEqual([]);
  });

  it('a secrets port that refuses the read: config naming the account', async () => {
    const clock = new FakeClock(fixtureTime);
    const base: State = initialState(clock.now(), 'x');
    const store = new MemoryStore({
      ...base,
      ddns: {
        ...base.ddns,
        accounts: [acc('b', 'rfc')],
        records: [rec('r1', 'home.example.com', 'example.com', 'b')],
      },
    });
    const secrets = new FakeSecrets(clock);
    secrets.get = () =>
      Promise.resolve({
        ok: false,
        error: { code: 'secrets.invalid-name', message: 'the name is not valid' },
      } as const);
    const access = createTxtAccess({
      store,
      secrets,
      providers,
      providerDeps: {} as ProviderDeps,
      served: new FakeZone(clock).lookup(),
    });
    expect(await access('home.example.com')).toEqual({
      ok: false,
      error: { kind: 'config', message: 'the DDNS account "acc b" (RFC 2136 (TSIG)): the name is not valid' },
    });
  });

  it('settings the provider refuses: config', async () => {
    const { access } = await setup(
      [acc('b', 'rfc', { settings: { zone: 'example.com', extra: 1 } })],
      [rec('r1', 'home.example.com', 'example.com', 'b')],
    );
    const r = await access('home.example.com');
    expect(!r.ok && r.error.kind).toBe('config');
    expect(!r.ok && r.error.message).toMatch(
      /^the DDNS account "acc b" \(RFC 2136 \(TSIG\)\): its settings are not valid/,
    );
  });

  it('no account for the name: the chooser’s failure', async () => {
    const { access } = await setup([acc('a', 'dyn')], [rec('r1', 'home.example.com', 'example.com', 'a')]);
    const r = await access('home.example.com');
    expect(!r.ok && r.error.message).toContain('"acc a" (dyndns2), which cannot write TXT records');
  });

  it('txtLookupOf passes the name, zone and TXT to the lookup', async () => {
    const asked: unknown[] = [];
    const served: ServedLookup = (ref) => {
      asked.push(ref);
      return Promise.resolve(ok([]));
    };
    await txtLookupOf(served)('_acme-challenge.a.example.com', 'example.com');
    expect(asked).toEqual([{ zone: 'example.com', name: '_acme-challenge.a.example.com', type: 'TXT' }]);
  });
});

describe('the DDNS capability', () => {
  it('offers txtAccess over its store, providers, secrets and authoritative lookup', async () => {
    const clock = new FakeClock(fixtureTime);
    const base: State = initialState(clock.now(), 'x');
    const store = new MemoryStore({
      ...base,
      ddns: {
        ...base.ddns,
        accounts: [acc('b', 'rfc'), acc('a', 'dyn')],
        records: [
          rec('r1', 'home.example.com', 'example.com', 'b'),
          rec('r2', 'home.example.org', 'example.org', 'a'),
        ],
      },
    });
    const secrets = new FakeSecrets(clock);
    await secrets.set(secretName('b', 'token'), 'right');
    const logger = new MemoryLogger();
    const zone = new FakeZone(clock);
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
      { enabled: false, resolver: null, authoritativeServers: [], verifySeconds: 10, recheckSeconds: 300 },
      {
        store,
        alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
        providers,
        adapters: { udp: undefined as never, resolvConf: () => undefined },
        served: zone.lookup(),
        reachability: { publicRanges: ['203.0.113.0/24'] },
      },
    );
    const r = await ddns.txtAccess('*.home.example.com');
    if (!r.ok) throw new Error(r.error.message);
    expect([r.value.account.id, r.value.zone]).toEqual(['b', 'example.com']);
    zone.edit('_acme-challenge.home.example.com', 'TXT', ['v']);
    expect(await r.value.served('_acme-challenge.home.example.com', 'example.com')).toEqual(
      ok([
        { server: 'ns1', values: ['v'] },
        { server: 'ns2', values: ['v'] },
      ]),
    );
    const no = await ddns.txtAccess('home.example.org');
    expect(!no.ok && no.error.message).toContain('"acc a" (dyndns2), which cannot write TXT records');
  });
});

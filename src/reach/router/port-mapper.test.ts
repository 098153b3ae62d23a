import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import { createEventBus } from '../../core/events.js';
import type {
  GrantedMapping,
  MappingProtocol,
  MappingRequest,
  PortMappingClient,
  RouterResult,
} from './mapping.js';
import {
  PortMapper,
  planPortMapping,
  type HeldMapping,
  type MappingLostEvent,
  type PortMapperState,
  type PortMappingSettings,
} from './port-mapper.js';

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const settings: PortMappingSettings = { enabled: true, port: 51820, leaseSeconds: 3600 };
const request: MappingRequest = {
  internalPort: 51820,
  externalPort: 51820,
  lifetimeSeconds: 3600,
  description: 'Gatehouse WireGuard',
};
const held: HeldMapping = {
  protocol: 'pcp',
  internalPort: 51820,
  externalPort: 51820,
  externalAddress: '203.0.113.2',
  lifetimeSeconds: 3600,
  grantedAt: t0,
  leaseEndsAt: at(3600),
};
const idle: PortMapperState = { stopping: false };

describe('planPortMapping', () => {
  it.each<[string, PortMapperState, Date, PortMappingSettings, unknown]>([
    ['disabled, nothing held: idle', idle, t0, { ...settings, enabled: false }, { kind: 'idle' }],
    [
      'disabled while held: remove',
      { ...idle, held },
      t0,
      { ...settings, enabled: false },
      { kind: 'remove', mapping: held, why: 'disabled' },
    ],
    [
      'stopping while held: remove',
      { stopping: true, held },
      t0,
      settings,
      { kind: 'remove', mapping: held, why: 'stopping' },
    ],
    ['stopping with nothing held: idle', { stopping: true }, t0, settings, { kind: 'idle' }],
    [
      'nothing held: map, PCP first',
      idle,
      t0,
      settings,
      { kind: 'map', protocols: ['pcp', 'natpmp', 'upnp'], request },
    ],
    [
      'the protocol that held it last goes first',
      { ...idle, preferred: 'upnp' },
      t0,
      settings,
      { kind: 'map', protocols: ['upnp', 'pcp', 'natpmp'], request },
    ],
    [
      'held, before half the lease: wait for it',
      { ...idle, held },
      at(1799),
      settings,
      { kind: 'wait', until: at(1800) },
    ],
    [
      'held, at half the lease: renew',
      { ...idle, held },
      at(1800),
      settings,
      { kind: 'renew', mapping: held, request },
    ],
    [
      'held on another external port: renew keeps that port',
      { ...idle, held: { ...held, externalPort: 40000 } },
      at(2000),
      settings,
      {
        kind: 'renew',
        mapping: { ...held, externalPort: 40000 },
        request: { ...request, externalPort: 40000 },
      },
    ],
    [
      'held for another internal port: remove first',
      { ...idle, held },
      t0,
      { ...settings, port: 51821 },
      { kind: 'remove', mapping: held, why: 'port-changed' },
    ],
    [
      'nothing answered 1 min ago: wait 5 min in all',
      { ...idle, lastFailure: { at: t0, kind: 'unsupported', reason: 'x', consecutive: 1 } },
      at(60),
      settings,
      { kind: 'wait', until: at(300) },
    ],
    [
      'nothing answered 5 min ago: try again',
      { ...idle, lastFailure: { at: t0, kind: 'unsupported', reason: 'x', consecutive: 1 } },
      at(300),
      settings,
      { kind: 'map', protocols: ['pcp', 'natpmp', 'upnp'], request },
    ],
    [
      'refused three times: back off 4 min',
      { ...idle, lastFailure: { at: t0, kind: 'refused', reason: 'x', consecutive: 3 } },
      t0,
      settings,
      { kind: 'wait', until: at(240) },
    ],
    [
      'backoff stops growing at 30 min',
      { ...idle, lastFailure: { at: t0, kind: 'unsupported', reason: 'x', consecutive: 9 } },
      t0,
      settings,
      { kind: 'wait', until: at(1800) },
    ],
    [
      'just lost: map again at once',
      { ...idle, lastFailure: { at: t0, kind: 'lost', reason: 'x', consecutive: 1 } },
      t0,
      settings,
      { kind: 'map', protocols: ['pcp', 'natpmp', 'upnp'], request },
    ],
  ])('%s', (_name, state, now, s, action) => {
    expect(planPortMapping(state, now, s)).toEqual(action);
  });
});

/** A scripted protocol client: answers from a queue (the last answer repeats), records every call. */
class ScriptedClient implements PortMappingClient {
  readonly calls: { op: 'map' | 'unmap'; port: number }[] = [];
  constructor(
    readonly protocol: MappingProtocol,
    private readonly answers: RouterResult<GrantedMapping>[],
  ) {}
  map(req: MappingRequest): Promise<RouterResult<GrantedMapping>> {
    this.calls.push({ op: 'map', port: req.internalPort });
    const answer = this.answers.length > 1 ? this.answers.shift() : this.answers[0];
    return Promise.resolve(answer ?? { ok: false, failure: { kind: 'unsupported', reason: 'no script' } });
  }
  unmap(mapping: GrantedMapping): Promise<RouterResult<void>> {
    this.calls.push({ op: 'unmap', port: mapping.internalPort });
    return Promise.resolve({ ok: true, value: undefined });
  }
}

const grant = (protocol: MappingProtocol, lifetimeSeconds = 3600): RouterResult<GrantedMapping> => ({
  ok: true,
  value: {
    protocol,
    internalPort: 51820,
    externalPort: 51820,
    externalAddress: '203.0.113.2',
    lifetimeSeconds,
  },
});
const silent = (protocol: string): RouterResult<GrantedMapping> => ({
  ok: false,
  failure: { kind: 'unsupported', reason: `no ${protocol} answer from 10.10.0.1 within 2 s` },
});
const refusedReason = 'PCP at 10.10.0.1 refused to map UDP 51820: result 2 (NOT_AUTHORIZED)';
const refusal: RouterResult<GrantedMapping> = {
  ok: false,
  failure: {
    kind: 'refused',
    reason: refusedReason,
  },
};

function setup(
  answers: Partial<Record<MappingProtocol, RouterResult<GrantedMapping>[]>>,
  s: PortMappingSettings = settings,
) {
  const clock = new FakeClock(t0);
  const logger = new MemoryLogger();
  const clients = {
    pcp: new ScriptedClient('pcp', answers.pcp ?? [silent('PCP')]),
    natpmp: new ScriptedClient('natpmp', answers.natpmp ?? [silent('NAT-PMP')]),
    upnp: new ScriptedClient('upnp', answers.upnp ?? [silent('UPnP')]),
  };
  const bus = createEventBus(logger);
  const mapper = new PortMapper({ clients: Object.values(clients), clock, logger, bus, settings: s });
  const lost: MappingLostEvent[] = [];
  bus.subscribe('portmap.lost', (e) => {
    lost.push(e);
  });
  return { clock, logger, clients, mapper, lost, bus };
}

describe('PortMapper', () => {
  it('steps through a lease: map via PCP, renew at half time, remove on stop', async () => {
    const { clock, clients, mapper } = setup({ pcp: [grant('pcp')] });
    expect(mapper.status()).toEqual({ state: 'pending', internalPort: 51820 });
    const steps: [number, string, string][] = [
      // seconds after start, action expected, status after
      [0, 'map', 'mapped'],
      [1, 'wait', 'mapped'],
      [1800, 'renew', 'mapped'],
      [2000, 'wait', 'mapped'],
      [3600, 'renew', 'mapped'],
    ];
    for (const [seconds, action, state] of steps) {
      clock.advance(at(seconds).getTime() - clock.now().getTime());
      expect((await mapper.reconcile()).kind).toBe(action);
      expect(mapper.status().state).toBe(state);
    }
    expect(mapper.status()).toEqual({
      state: 'mapped',
      protocol: 'pcp',
      externalAddress: '203.0.113.2',
      externalPort: 51820,
      internalPort: 51820,
      leaseEndsAt: at(7200).toISOString(),
    });
    await mapper.stop();
    expect(clients.pcp.calls.map((c) => c.op)).toEqual(['map', 'map', 'map', 'unmap']);
    expect(mapper.status().state).toBe('disabled');
    expect(clients.natpmp.calls).toEqual([]);
  });

  it('renews at half of the lease the router granted, not the one asked for', async () => {
    const { clock, mapper } = setup({ natpmp: [grant('natpmp', 600)] });
    await mapper.reconcile();
    expect(mapper.status()).toMatchObject({ protocol: 'natpmp', leaseEndsAt: at(600).toISOString() });
    clock.advance(299_000);
    expect((await mapper.reconcile()).kind).toBe('wait');
    clock.advance(1000);
    expect((await mapper.reconcile()).kind).toBe('renew');
  });

  it('falls through PCP and NAT-PMP to UPnP, and asks UPnP first next time', async () => {
    const { clients, mapper } = setup({ upnp: [grant('upnp')] });
    expect(await mapper.reconcile()).toMatchObject({ kind: 'map', protocols: ['pcp', 'natpmp', 'upnp'] });
    expect(mapper.status()).toMatchObject({ state: 'mapped', protocol: 'upnp' });
    expect([clients.pcp.calls.length, clients.natpmp.calls.length, clients.upnp.calls.length]).toEqual([
      1, 1, 1,
    ]);
  });

  it('nothing answers: "unsupported" naming every protocol, retried after 5 min', async () => {
    const { clock, clients, mapper } = setup({});
    await mapper.reconcile();
    expect(mapper.status()).toEqual({
      state: 'unsupported',
      internalPort: 51820,
      error:
        'no PCP answer from 10.10.0.1 within 2 s; no NAT-PMP answer from 10.10.0.1 within 2 s; ' +
        'no UPnP answer from 10.10.0.1 within 2 s',
    });
    clock.advance(299_000);
    expect((await mapper.reconcile()).kind).toBe('wait');
    clock.advance(1000);
    expect((await mapper.reconcile()).kind).toBe('map');
    expect(clients.pcp.calls).toHaveLength(2);
  });

  it('a refusal is "refused" with the router\'s reason', async () => {
    const { mapper } = setup({ pcp: [refusal] });
    await mapper.reconcile();
    expect(mapper.status()).toMatchObject({
      state: 'refused',
      error: refusedReason,
    });
  });

  it('a failed renewal loses the mapping: portmap.lost is published once, then it maps again at once', async () => {
    const { clock, mapper, lost, clients } = setup({
      pcp: [grant('pcp'), silent('PCP')],
      natpmp: [grant('natpmp')],
    });
    await mapper.reconcile();
    clock.advance(1800_000);
    expect((await mapper.reconcile()).kind).toBe('renew');
    expect(mapper.status()).toMatchObject({
      state: 'lost',
      error: 'renewal via PCP failed: no PCP answer from 10.10.0.1 within 2 s',
    });
    expect(lost).toEqual([
      {
        protocol: 'pcp',
        externalPort: 51820,
        externalAddress: '203.0.113.2',
        reason: 'renewal via PCP failed: no PCP answer from 10.10.0.1 within 2 s',
        at: at(1800),
      },
    ]);
    // The next step maps again, PCP (the last holder) first, then NAT-PMP which works.
    expect(await mapper.reconcile()).toMatchObject({ kind: 'map', protocols: ['pcp', 'natpmp', 'upnp'] });
    expect(mapper.status()).toMatchObject({ state: 'mapped', protocol: 'natpmp' });
    expect(lost).toHaveLength(1);
    expect(clients.pcp.calls.map((c) => c.op)).toEqual(['map', 'map', 'map']);
  });

  it('publishes each new status on portmap.changed; a failing subscriber does not stop the mapper', async () => {
    const { mapper, bus, logger } = setup({ pcp: [refusal], natpmp: [refusal], upnp: [refusal] });
    bus.subscribe('portmap.changed', () => {
      throw new Error('subscriber bug');
    });
    await mapper.reconcile();
    expect(bus.last('portmap.changed')).toEqual({
      state: 'refused',
      internalPort: 51820,
      error: [refusedReason, refusedReason, refusedReason].join('; '),
    });
    expect(bus.last('portmap.changed')).toEqual(mapper.status());
    expect(logger.lines.filter((l) => l.fields.err === 'subscriber bug')).toHaveLength(1);
    expect(bus.last('portmap.lost')).toBeUndefined();
  });

  it('disabled: no router is asked and the loop ends at once', async () => {
    const { clients, mapper } = setup({ pcp: [grant('pcp')] }, { ...settings, enabled: false });
    mapper.start();
    await mapper.stop();
    expect(mapper.status()).toEqual({ state: 'disabled', internalPort: 51820 });
    expect(clients.pcp.calls).toEqual([]);
  });

  it('the loop maps, sleeps on the clock until half the lease, renews, and stop() removes the mapping', async () => {
    const { clock, clients, mapper, bus } = setup({ pcp: [grant('pcp')] });
    const statuses: string[] = [];
    bus.subscribe('portmap.changed', (s) => {
      statuses.push(`${s.state}:${s.leaseEndsAt ?? ''}`);
    });
    mapper.start();
    // Mapped, and asleep until half the lease.
    await clock.sleeping();
    expect(mapper.status().state).toBe('mapped');
    expect(clock.pendingWakeups()).toEqual([1_800_000]);
    clock.advance(1_799_999);
    await clock.settle();
    expect(clients.pcp.calls).toHaveLength(1);
    clock.advance(1);
    await clock.sleeping(); // renewed, and asleep again until half the new lease
    expect(clients.pcp.calls).toHaveLength(2);
    expect(clock.pendingWakeups()).toEqual([1_800_000]);
    await mapper.stop();
    expect(clients.pcp.calls.map((c) => c.op)).toEqual(['map', 'map', 'unmap']);
    expect(statuses).toEqual([
      `mapped:${at(3600).toISOString()}`,
      `mapped:${at(5400).toISOString()}`,
      'disabled:',
    ]);
  });

  it('steps asked for at the same time run one after the other: one mapping, not two', async () => {
    const { clients, mapper } = setup({ pcp: [grant('pcp')] });
    const [a, b] = await Promise.all([mapper.reconcile(), mapper.reconcile()]);
    expect([a.kind, b.kind]).toEqual(['map', 'wait']);
    await Promise.all([mapper.stop(), mapper.stop()]);
    expect(clients.pcp.calls.map((c) => c.op)).toEqual(['map', 'unmap']);
  });

  it('stop() before start() removes nothing when nothing is held', async () => {
    const { clients, mapper } = setup({ pcp: [grant('pcp')] });
    await mapper.stop();
    expect(clients.pcp.calls).toEqual([]);
  });
});

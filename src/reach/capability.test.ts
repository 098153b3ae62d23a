/** @module The reachability capability as the composition root builds it: what it contributes and how it talks. */
import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeFetch } from '../../test/fakes/fetch.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { FakeUdp } from '../../test/fakes/udp.js';
import { reachabilitySettingsSchema, type ReachabilitySettings } from '../config/schema.js';
import { createEventBus } from '../core/events.js';
import { nodePrivateFiles } from '../core/node-fs.js';
import type { Ports } from '../core/ports.js';
import { initialState } from '../store/schema.js';
import type { AlertInput } from './alerts-port.js';
import { createReachability } from './capability.js';

function setup(enabled: boolean, over: Partial<ReachabilitySettings> = {}) {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  const logger = new MemoryLogger();
  const runner = new FakeRunner({ clock });
  const ports: Ports = {
    clock,
    logger,
    runner,
    fetch: new FakeFetch().fetch,
    files: nodePrivateFiles,
    bus: createEventBus(logger),
    secrets: new FakeSecrets(clock),
  };
  const raised: AlertInput[] = [];
  const cleared: string[] = [];
  const udp = new FakeUdp(clock);
  const store = new MemoryStore(initialState(clock.now(), 'x'));
  const capability = createReachability(
    ports,
    { ...reachabilitySettingsSchema.parse({}), enabled, ...over },
    {
      store,
      alerts: {
        raise: (a) => {
          raised.push(a);
          return Promise.resolve();
        },
        clear: (rule, key) => {
          cleared.push(`${rule}/${key}`);
          return Promise.resolve();
        },
      },
      adapters: {
        udp,
        stun: { query: () => Promise.reject(new Error('no STUN in this test')) },
        launcher: {
          launch: () => {
            throw new Error('no process in this test');
          },
        },
        genaListener: {
          listen: () => Promise.reject(new Error('no GENA in this test')),
          close: () => Promise.resolve(),
        },
      },
    },
  );
  return { ports, capability, raised, cleared, udp, logger, store, runner };
}

describe('the reachability capability', () => {
  it('contributes its routes, card, rules and page; turned off, it starts nothing and touches no network', async () => {
    const t = setup(false);
    expect(t.capability.id).toBe('reachability');
    expect(t.capability.routes).toBeDefined();
    expect(t.capability.statusCards?.map((c) => c.id)).toEqual(['reachability']);
    expect(Object.keys(t.capability.alertRules ?? {})).toEqual(
      expect.arrayContaining(['reach.cgnat', 'reach.udp-blocked', 'reach.port-mapping-lost']),
    );
    expect(t.capability.uiPages).toEqual(['reachability']);
    // The dashboard says the checks are off instead of waiting for a first probe that never comes.
    expect(await t.capability.statusCards?.[0]?.card()).toMatchObject({
      state: 'unknown',
      summary: expect.stringContaining('Reachability checks are turned off') as unknown,
    });
    await t.capability.start?.();
    await t.capability.stop?.();
    expect(t.udp.opened).toEqual([]);
    expect(t.logger.lines.map((l) => l.msg)).toContain(
      'reachability checks and port mapping are off (reachability.enabled / GATEHOUSE_REACHABILITY)',
    );
  });

  it('a WAN address pushed on the bus becomes the push source’s answer; a non-address is refused', async () => {
    const t = setup(false);
    t.ports.bus.publish('reach.wan-pushed', { address: 'not-an-ip', from: '10.0.0.1' });
    expect(await t.capability.pushSource.probe('ipv4')).toMatchObject([{ kind: 'unavailable' }]);
    expect(t.logger.lines.map((l) => l.msg)).toContain('ignored a pushed WAN address that is no IP address');
    t.ports.bus.publish('reach.wan-pushed', { address: '198.51.100.4', from: '10.0.0.1' });
    expect(await t.capability.pushSource.probe('ipv4')).toMatchObject([
      { kind: 'known', address: '198.51.100.4', detail: { from: '10.0.0.1' } },
    ]);
    // A trusted client's push carries its trust to the consensus.
    t.ports.bus.publish('reach.wan-pushed', {
      address: '198.51.100.5',
      from: 'dyndns2:fritzbox',
      trusted: true,
    });
    expect(await t.capability.pushSource.probe('ipv4')).toMatchObject([
      { kind: 'known', address: '198.51.100.5', detail: { from: 'dyndns2:fritzbox', trusted: true } },
    ]);
  });

  it('the port mapping’s alerts follow the mapper: lost from its event, refused replaces lost, a new mapping ends both', async () => {
    const t = setup(false);
    t.ports.bus.publish('portmap.lost', {
      protocol: 'natpmp',
      externalPort: 51820,
      reason: 'renewal refused',
      at: t.ports.clock.now(),
    });
    await t.ports.bus.idle();
    expect(t.raised).toEqual([
      {
        rule: 'reach.port-mapping-lost',
        key: '51820',
        message: 'The router dropped the mapping of UDP 51820 (natpmp): renewal refused.',
        details: { protocol: 'natpmp', port: 51820 },
      },
    ]);
    expect(t.cleared).toEqual(['reach.port-mapping-refused/51820']);
    t.raised.length = 0;
    t.cleared.length = 0;
    // The next attempt is refused: one problem, so one alert — refused, with the router's answer.
    t.ports.bus.publish('portmap.changed', {
      state: 'refused',
      protocol: 'upnp',
      internalPort: 51820,
      error: 'AddPortMapping answered 501 ActionFailed',
    });
    await t.ports.bus.idle();
    expect(t.cleared).toEqual(['reach.port-mapping-lost/51820']);
    expect(t.raised).toEqual([
      {
        rule: 'reach.port-mapping-refused',
        key: '51820',
        message:
          'The router refused to forward UDP 51820 to this box (upnp): AddPortMapping answered 501 ActionFailed.',
        details: { port: 51820, protocol: 'upnp' },
      },
    ]);
    t.raised.length = 0;
    t.cleared.length = 0;
    // A refusal without a protocol or a reason still says what happened.
    t.ports.bus.publish('portmap.changed', { state: 'refused', internalPort: 51820 });
    await t.ports.bus.idle();
    expect(t.raised).toEqual([
      {
        rule: 'reach.port-mapping-refused',
        key: '51820',
        message: 'The router refused to forward UDP 51820 to this box: no reason given.',
        details: { port: 51820 },
      },
    ]);
    t.raised.length = 0;
    t.cleared.length = 0;
    // "pending" says nothing yet; mapping turned off, or no router answering any more, ends both conditions.
    t.ports.bus.publish('portmap.changed', { state: 'pending', internalPort: 51820 });
    await t.ports.bus.idle();
    expect([t.raised, t.cleared]).toEqual([[], []]);
    for (const state of ['unsupported', 'disabled'] as const) {
      t.ports.bus.publish('portmap.changed', { state, internalPort: 51820 });
      await t.ports.bus.idle();
      expect([t.raised, t.cleared.splice(0)], state).toEqual([
        [],
        ['reach.port-mapping-lost/51820', 'reach.port-mapping-refused/51820'],
      ]);
    }
    expect(t.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    t.ports.bus.publish('portmap.changed', {
      state: 'mapped',
      protocol: 'natpmp',
      externalPort: 51820,
      internalPort: 51820,
    });
    await t.ports.bus.idle();
    expect(t.cleared).toEqual(['reach.port-mapping-lost/51820', 'reach.port-mapping-refused/51820']);
    expect(t.raised).toEqual([]);
  });

  it('turned off, it clears at start the conditions an earlier run left active (nobody else would)', async () => {
    const t = setup(false);
    const alert = (rule: string, key: string, clearedAt: string | null) => ({
      id: `${rule}/${key}`,
      rule,
      key,
      severity: 'critical' as const,
      title: rule,
      message: 'm',
      remedy: null,
      raisedAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:00:00.000Z',
      occurrences: 1,
      clearedAt,
      acknowledgedAt: null,
      details: {},
      notifiedChannelIds: [],
    });
    await t.store.update((d) => {
      d.alerts.items.push(
        alert('reach.offline', 'ipv4', null),
        alert('reach.cgnat', 'ipv4', '2026-01-02T00:00:00.000Z'),
        alert('security.two-factor-off', '', null),
      );
    });
    await t.capability.start?.();
    expect(t.cleared).toEqual(['reach.offline/ipv4']);
    await t.capability.stop?.();
  });

  it('decides again when the port mapper’s state changes (not for "pending", not for the same state)', async () => {
    // No monitor, no router events, no mapper of its own: the test publishes the mapper's states.
    const t = setup(true, {
      watchInterfaces: false,
      routerEvents: false,
      portMapping: { ...reachabilitySettingsSchema.parse({}).portMapping, enabled: false },
    });
    t.runner.on(['ip'], { exitCode: 0, stdout: '[]', stderr: '' });
    const probes = vi
      .spyOn(t.capability.service, 'probeNow')
      .mockImplementation(() => Promise.reject(new Error('no probe in this test')));
    await t.capability.start?.();
    await t.ports.bus.idle();
    probes.mockClear();
    const publish = (state: 'pending' | 'refused' | 'mapped') =>
      t.ports.bus.publish('portmap.changed', { state, internalPort: 51820 });
    publish('pending');
    expect(probes).toHaveBeenCalledTimes(0);
    publish('refused');
    publish('refused');
    expect(probes).toHaveBeenCalledTimes(1);
    publish('mapped');
    expect(probes).toHaveBeenCalledTimes(2);
    await t.capability.stop?.();
    publish('refused');
    expect(probes).toHaveBeenCalledTimes(2);
  });

  it('after stop it no longer listens on the bus', async () => {
    const t = setup(false);
    await t.capability.start?.();
    await t.capability.stop?.();
    t.ports.bus.publish('portmap.lost', {
      protocol: 'upnp',
      externalPort: 51820,
      reason: 'gone',
      at: t.ports.clock.now(),
    });
    t.ports.bus.publish('reach.wan-pushed', { address: '198.51.100.4', from: '10.0.0.1' });
    expect(t.raised).toEqual([]);
    expect(await t.capability.pushSource.probe('ipv4')).toMatchObject([{ kind: 'unavailable' }]);
  });

  it('turned on, its card waits for the first probe', async () => {
    const t = setup(true);
    expect(await t.capability.statusCards?.[0]?.card()).toMatchObject({
      state: 'unknown',
      summary: 'The first probe is running.',
    });
  });
});

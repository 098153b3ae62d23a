import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import type {
  GrantedMapping,
  MappingProtocol,
  MappingRequest,
  PortMappingClient,
  RouterResult,
} from './mapping.js';
import {
  explainUnavailable,
  planTemporaryMapping,
  RouterPortOpener,
  temporaryLeaseBounds,
  type TemporaryMappingAttempt,
} from './temporary-mapping.js';

const http01 = { internalPort: 80, externalPort: 80, lifetimeSeconds: 120, description: 'Gatehouse HTTP-01' };
const all: readonly MappingProtocol[] = ['pcp', 'natpmp', 'upnp'];

describe('planTemporaryMapping', () => {
  it('asks for TCP, never a permanent mapping, with the description', () => {
    expect(planTemporaryMapping(http01, all)).toEqual({
      kind: 'map',
      protocols: ['pcp', 'natpmp', 'upnp'],
      request: {
        transport: 'tcp',
        internalPort: 80,
        externalPort: 80,
        lifetimeSeconds: 120,
        description: 'Gatehouse HTTP-01',
        permanentAllowed: false,
      },
    });
  });

  it.each([
    // available, preferred, order
    [all, undefined, ['pcp', 'natpmp', 'upnp']],
    [all, 'upnp', ['upnp', 'pcp', 'natpmp']],
    [all, 'natpmp', ['natpmp', 'pcp', 'upnp']],
    [all, 'pcp', ['pcp', 'natpmp', 'upnp']],
    [['upnp', 'natpmp'], undefined, ['natpmp', 'upnp']],
    [['upnp', 'natpmp'], 'pcp', ['natpmp', 'upnp']],
    [['upnp', 'natpmp'], 'upnp', ['upnp', 'natpmp']],
    [[], 'upnp', []],
  ] as const)('protocols %j with %s preferred are asked in the order %j', (available, preferred, order) => {
    const plan = planTemporaryMapping(http01, available, preferred);
    expect(plan.kind === 'map' && plan.protocols).toEqual(order);
  });

  it.each([
    [1, temporaryLeaseBounds.minSeconds],
    [29, 30],
    [30, 30],
    [120, 120],
    [120.2, 121],
    [3600, 3600],
    [3601, 3600],
    [86_400, 3600],
  ])('bounds a lifetime of %s s to %i s', (lifetimeSeconds, bounded) => {
    const plan = planTemporaryMapping({ ...http01, lifetimeSeconds }, all);
    expect(plan.kind === 'map' && plan.request.lifetimeSeconds).toBe(bounded);
  });

  it.each([
    [{ internalPort: 0 }, 'the internal port 0 is not a port number (1-65535)'],
    [{ internalPort: 65536 }, 'the internal port 65536 is not a port number (1-65535)'],
    [{ internalPort: 80.5 }, 'the internal port 80.5 is not a port number (1-65535)'],
    [{ externalPort: 0 }, 'the external port 0 is not a port number (1-65535)'],
    [{ externalPort: 65536 }, 'the external port 65536 is not a port number (1-65535)'],
    [{ lifetimeSeconds: 0 }, 'a mapping must last some seconds, not 0'],
    [{ lifetimeSeconds: -5 }, 'a mapping must last some seconds, not -5'],
    [{ lifetimeSeconds: Number.NaN }, 'a mapping must last some seconds, not NaN'],
    [{ lifetimeSeconds: Infinity }, 'a mapping must last some seconds, not Infinity'],
  ])('refuses %j', (over, reason) => {
    expect(planTemporaryMapping({ ...http01, ...over }, all)).toEqual({ kind: 'invalid', reason });
  });

  it.each([
    [1, 1],
    [65535, 65535],
  ])('accepts the edge ports %i → %i', (internalPort, externalPort) => {
    expect(planTemporaryMapping({ ...http01, internalPort, externalPort }, all).kind).toBe('map');
  });
});

describe('explainUnavailable', () => {
  const request: MappingRequest = { ...http01, transport: 'tcp' };
  const silent = (protocol: MappingProtocol, reason: string): TemporaryMappingAttempt => ({
    protocol,
    failure: { kind: 'unsupported', reason },
  });
  const refused = (protocol: MappingProtocol, reason: string): TemporaryMappingAttempt => ({
    protocol,
    failure: { kind: 'refused', reason },
  });

  it.each([
    [[], 'no router port mapping protocol is available to open TCP port 80'],
    [
      [silent('pcp', 'no PCP answer'), silent('natpmp', 'no NAT-PMP answer'), silent('upnp', 'no IGD')],
      'the router offers no port mapping (no answer over PCP, NAT-PMP, UPnP IGD), so TCP port 80 cannot be opened automatically (PCP: no PCP answer; NAT-PMP: no NAT-PMP answer; UPnP IGD: no IGD)',
    ],
    [
      [silent('pcp', 'no PCP answer'), refused('natpmp', 'result 2'), refused('upnp', 'error 718')],
      'the router refused to open TCP port 80 to this box (NAT-PMP: result 2; UPnP IGD: error 718)',
    ],
    [
      [refused('upnp', 'offered port 1024 instead of 80')],
      'the router refused to open TCP port 80 to this box (UPnP IGD: offered port 1024 instead of 80)',
    ],
  ])('%# says why', (attempts, reason) => {
    expect(explainUnavailable(request, attempts)).toBe(reason);
  });

  it('names UDP for a request without a transport', () => {
    expect(explainUnavailable({ ...http01 }, [])).toBe(
      'no router port mapping protocol is available to open UDP port 80',
    );
  });
});

type Answer<T> = RouterResult<T> | 'throw';

/** A scripted protocol client: answers from queues (the last answer repeats), records every request. */
class ScriptedClient implements PortMappingClient {
  readonly calls: { op: 'map' | 'unmap'; request?: MappingRequest; mapping?: GrantedMapping }[] = [];
  constructor(
    readonly protocol: MappingProtocol,
    private readonly maps: Answer<GrantedMapping>[],
    private readonly unmaps: Answer<void>[] = [{ ok: true, value: undefined }],
  ) {}
  map(request: MappingRequest): Promise<RouterResult<GrantedMapping>> {
    this.calls.push({ op: 'map', request });
    return answer(this.maps);
  }
  unmap(mapping: GrantedMapping): Promise<RouterResult<void>> {
    this.calls.push({ op: 'unmap', mapping });
    return answer(this.unmaps);
  }
  get ops(): string[] {
    return this.calls.map((c) => c.op);
  }
}

function answer<T>(queue: Answer<T>[]): Promise<RouterResult<T>> {
  const next = queue.length > 1 ? queue.shift() : queue[0];
  if (next === 'throw') return Promise.reject(new Error('socket exploded'));
  return Promise.resolve(next ?? { ok: false, failure: { kind: 'unsupported', reason: 'no script' } });
}

const grant = (
  protocol: MappingProtocol,
  externalPort = 80,
  lifetimeSeconds = 120,
): Answer<GrantedMapping> => ({
  ok: true,
  value: {
    protocol,
    transport: 'tcp',
    internalPort: 80,
    externalPort,
    externalAddress: '203.0.113.2',
    lifetimeSeconds,
  },
});
const silentAnswer = (protocol: string): Answer<GrantedMapping> => ({
  ok: false,
  failure: { kind: 'unsupported', reason: `no ${protocol} answer from 10.10.0.1 within 2 s` },
});
const refusal = (reason: string): Answer<GrantedMapping> => ({
  ok: false,
  failure: { kind: 'refused', reason },
});

function setup(
  answers: Partial<Record<MappingProtocol, Answer<GrantedMapping>[]>>,
  options: {
    preferred?: MappingProtocol | (() => MappingProtocol);
    unmaps?: Answer<void>[];
    disabledReason?: string;
  } = {},
) {
  const clock = new FakeClock('2026-11-28T20:00:00.000Z');
  const logger = new MemoryLogger();
  const clients = {
    pcp: new ScriptedClient('pcp', answers.pcp ?? [silentAnswer('PCP')], options.unmaps),
    natpmp: new ScriptedClient('natpmp', answers.natpmp ?? [silentAnswer('NAT-PMP')], options.unmaps),
    upnp: new ScriptedClient('upnp', answers.upnp ?? [silentAnswer('UPnP')], options.unmaps),
  };
  const opener = new RouterPortOpener({
    clients: Object.values(clients),
    ...(options.preferred === undefined
      ? {}
      : {
          preferred:
            typeof options.preferred === 'function'
              ? options.preferred
              : () => options.preferred as MappingProtocol,
        }),
    clock,
    logger,
    ...(options.disabledReason === undefined ? {} : { disabledReason: options.disabledReason }),
  });
  const ops = () => ({ pcp: clients.pcp.ops, natpmp: clients.natpmp.ops, upnp: clients.upnp.ops });
  return { clock, logger, clients, opener, ops };
}

describe('RouterPortOpener', () => {
  it('tries the protocols in order until one maps, and close() removes the mapping with that one', async () => {
    const { opener, clients, ops, logger } = setup({ natpmp: [grant('natpmp')] });
    const opened = await opener.open(http01);
    expect(opened).toMatchObject({ state: 'mapped', externalPort: 80 });
    expect(ops()).toEqual({ pcp: ['map'], natpmp: ['map'], upnp: [] });
    expect(clients.natpmp.calls[0]?.request).toEqual({
      transport: 'tcp',
      internalPort: 80,
      externalPort: 80,
      lifetimeSeconds: 120,
      description: 'Gatehouse HTTP-01',
      permanentAllowed: false,
    });
    if (opened.state !== 'mapped') return;
    await opened.close();
    expect(ops()).toEqual({ pcp: ['map'], natpmp: ['map', 'unmap'], upnp: [] });
    expect(clients.natpmp.calls[1]?.mapping).toMatchObject({
      protocol: 'natpmp',
      transport: 'tcp',
      externalPort: 80,
    });
    expect(logger.lines).toEqual([
      {
        level: 'info',
        msg: 'TCP port 80 mapped on the router via NAT-PMP for 120 s',
        fields: {
          component: 'temporary-port-mapping',
          protocol: 'natpmp',
          externalAddress: '203.0.113.2',
          externalPort: 80,
          internalPort: 80,
          lifetimeSeconds: 120,
        },
      },
      {
        level: 'info',
        msg: 'TCP port 80 unmapped on the router',
        fields: {
          component: 'temporary-port-mapping',
          protocol: 'natpmp',
          externalPort: 80,
          why: 'the challenge is over',
        },
      },
    ]);
  });

  it('asks the protocol that holds the WireGuard mapping first', async () => {
    const { opener, ops } = setup({ pcp: [grant('pcp')], upnp: [grant('upnp')] }, { preferred: 'upnp' });
    expect(await opener.open(http01)).toMatchObject({ state: 'mapped' });
    expect(ops()).toEqual({ pcp: [], natpmp: [], upnp: ['map'] });
  });

  it('a `preferred` that throws: unavailable, logged, and the next open works', async () => {
    let calls = 0;
    const { opener, logger, ops } = setup(
      { pcp: [grant('pcp')] },
      {
        preferred: () => {
          calls += 1;
          if (calls === 1) throw new Error('status exploded');
          return 'pcp';
        },
      },
    );
    expect(await opener.open(http01)).toEqual({
      state: 'unavailable',
      reason: 'the router mapping failed unexpectedly (see the log)',
    });
    expect(logger.lines).toEqual([
      {
        level: 'error',
        msg: 'temporary port mapping step failed',
        fields: { component: 'temporary-port-mapping', err: 'status exploded' },
      },
    ]);
    expect(await opener.open(http01)).toMatchObject({ state: 'mapped' });
    expect(ops().pcp).toEqual(['map']);
  });

  it('a second close() is the first one: one removal', async () => {
    const { opener, ops } = setup({ pcp: [grant('pcp')] });
    const opened = await opener.open(http01);
    if (opened.state !== 'mapped') throw new Error('not mapped');
    await Promise.all([opened.close(), opened.close()]);
    await opened.close();
    expect(ops().pcp).toEqual(['map', 'unmap']);
  });

  it('nothing answers: unavailable, saying the router offers no port mapping', async () => {
    const { opener, ops, logger } = setup({});
    expect(await opener.open(http01)).toEqual({
      state: 'unavailable',
      reason:
        'the router offers no port mapping (no answer over PCP, NAT-PMP, UPnP IGD), so TCP port 80 cannot be opened automatically (PCP: no PCP answer from 10.10.0.1 within 2 s; NAT-PMP: no NAT-PMP answer from 10.10.0.1 within 2 s; UPnP IGD: no UPnP answer from 10.10.0.1 within 2 s)',
    });
    expect(ops()).toEqual({ pcp: ['map'], natpmp: ['map'], upnp: ['map'] });
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'TCP port 80 could not be mapped on the router',
    });
  });

  it('a refusal is what the user reads, not the silence of the other protocols', async () => {
    const { opener } = setup({
      natpmp: [refusal('NAT-PMP at 10.10.0.1 refused to map TCP 80: result 2 (not authorized / refused)')],
    });
    expect(await opener.open(http01)).toEqual({
      state: 'unavailable',
      reason:
        'the router refused to open TCP port 80 to this box (NAT-PMP: NAT-PMP at 10.10.0.1 refused to map TCP 80: result 2 (not authorized / refused))',
    });
  });

  it('another external port is no use to the CA: removed at once, the next protocol asked', async () => {
    const { opener, ops, clients, logger } = setup({
      pcp: [grant('pcp', 1024)],
      natpmp: [grant('natpmp', 1025)],
    });
    expect(await opener.open(http01)).toEqual({
      state: 'unavailable',
      reason:
        'the router refused to open TCP port 80 to this box (PCP: offered port 1024 instead of 80; NAT-PMP: offered port 1025 instead of 80)',
    });
    expect(ops()).toEqual({ pcp: ['map', 'unmap'], natpmp: ['map', 'unmap'], upnp: ['map'] });
    expect(clients.pcp.calls[1]?.mapping).toMatchObject({ externalPort: 1024 });
    expect(logger.lines.filter((l) => l.level === 'info').map((l) => l.fields)).toEqual([
      {
        component: 'temporary-port-mapping',
        protocol: 'pcp',
        externalPort: 1024,
        why: 'the router offered another port',
      },
      {
        component: 'temporary-port-mapping',
        protocol: 'natpmp',
        externalPort: 1025,
        why: 'the router offered another port',
      },
    ]);
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'TCP port 80 could not be mapped on the router',
      fields: { reason: expect.stringMatching(/^the router refused to open TCP port 80/) as unknown },
    });
  });

  it('a client that throws counts as not answering, and the next one maps', async () => {
    const { opener, ops } = setup({ pcp: ['throw'], natpmp: [grant('natpmp')] });
    expect(await opener.open(http01)).toMatchObject({ state: 'mapped' });
    expect(ops()).toEqual({ pcp: ['map'], natpmp: ['map'], upnp: [] });
  });

  it('clients that all throw: unavailable, with what they threw', async () => {
    const { opener } = setup({ pcp: ['throw'], natpmp: ['throw'], upnp: ['throw'] });
    expect(await opener.open(http01)).toEqual({
      state: 'unavailable',
      reason:
        'the router offers no port mapping (no answer over PCP, NAT-PMP, UPnP IGD), so TCP port 80 cannot be opened automatically (PCP: socket exploded; NAT-PMP: socket exploded; UPnP IGD: socket exploded)',
    });
  });

  it('without a preferred protocol: PCP, NAT-PMP, UPnP IGD', async () => {
    const { opener, ops } = setup({ upnp: [grant('upnp')] });
    expect(await opener.open(http01)).toMatchObject({ state: 'mapped' });
    expect(ops()).toEqual({ pcp: ['map'], natpmp: ['map'], upnp: ['map'] });
  });

  it.each([
    ['refuses', { ok: false, failure: { kind: 'refused', reason: 'result 2' } } as const],
    ['throws', 'throw' as const],
  ])('close() resolves when the router %s the removal, and says the lease ends it', async (_what, unmap) => {
    const { opener, logger } = setup({ pcp: [grant('pcp')] }, { unmaps: [unmap] });
    const opened = await opener.open(http01);
    if (opened.state !== 'mapped') throw new Error('not mapped');
    await expect(opened.close()).resolves.toBeUndefined();
    expect(logger.lines.at(-1)).toEqual({
      level: 'warn',
      msg: 'TCP port 80 not unmapped on the router; its lease of 120 s ends it',
      fields: {
        component: 'temporary-port-mapping',
        protocol: 'pcp',
        externalPort: 80,
        why: 'the challenge is over',
        reason: unmap === 'throw' ? 'socket exploded' : 'result 2',
      },
    });
  });

  it('switched off: unavailable with the reason, and the router is not asked', async () => {
    const reason = 'router port mapping is off (reachability.enabled)';
    const { opener, ops } = setup({ pcp: [grant('pcp')] }, { disabledReason: reason });
    expect(await opener.open(http01)).toEqual({ state: 'unavailable', reason });
    expect(ops()).toEqual({ pcp: [], natpmp: [], upnp: [] });
  });

  it('an impossible request is unavailable without asking the router', async () => {
    const { opener, ops } = setup({ pcp: [grant('pcp')] });
    expect(await opener.open({ ...http01, externalPort: 0 })).toEqual({
      state: 'unavailable',
      reason: 'the external port 0 is not a port number (1-65535)',
    });
    expect(ops().pcp).toEqual([]);
  });

  it('overlapping challenges share one mapping; it goes when the last one closes', async () => {
    const { opener, ops } = setup({ upnp: [grant('upnp')] }, { preferred: 'upnp' });
    // Started together: the second waits for the first and then shares its mapping.
    const [a, b] = await Promise.all([opener.open(http01), opener.open(http01)]);
    if (a.state !== 'mapped' || b.state !== 'mapped') throw new Error('not mapped');
    expect(ops().upnp).toEqual(['map']);
    await a.close();
    await a.close();
    expect(ops().upnp).toEqual(['map']);
    await b.close();
    expect(ops().upnp).toEqual(['map', 'unmap']);
    // Gone: the next open maps afresh.
    const c = await opener.open(http01);
    expect(c.state).toBe('mapped');
    expect(ops().upnp).toEqual(['map', 'unmap', 'map']);
  });

  it('a later open that needs the port longer than the held lease renews it with the same protocol', async () => {
    const { opener, ops, clock, clients } = setup(
      { natpmp: [grant('natpmp', 80, 60), grant('natpmp', 80, 120), grant('natpmp', 80, 120)] },
      { preferred: 'natpmp' },
    );
    const a = await opener.open({ ...http01, lifetimeSeconds: 60 });
    clock.advance(10_000);
    // Needs until +70 s; the lease ends at +60 s.
    const b = await opener.open({ ...http01, lifetimeSeconds: 60 });
    expect(ops().natpmp).toEqual(['map', 'map']);
    // Needs until +90 s, beyond the first lease; the renewed one ends at +130 s: shared as is.
    clock.advance(20_000);
    const c = await opener.open({ ...http01, lifetimeSeconds: 60 });
    expect(ops().natpmp).toEqual(['map', 'map']);
    expect([a.state, b.state, c.state]).toEqual(['mapped', 'mapped', 'mapped']);
    expect(clients.natpmp.calls[1]?.request?.lifetimeSeconds).toBe(60);
  });

  it('a renewal that fails keeps the held mapping until its lease ends, with a warning', async () => {
    const { opener, ops, clock, logger } = setup(
      { pcp: [grant('pcp', 80, 60), refusal('no more')] },
      { preferred: 'pcp' },
    );
    const a = await opener.open({ ...http01, lifetimeSeconds: 60 });
    clock.advance(30_000);
    const b = await opener.open({ ...http01, lifetimeSeconds: 60 });
    expect([a.state, b.state]).toEqual(['mapped', 'mapped']);
    expect(ops().pcp).toEqual(['map', 'map']);
    expect(logger.lines.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'the temporary mapping could not be extended; it holds until its lease ends',
      fields: { reason: 'no more' },
    });
  });

  it('a renewal that lands on another port keeps the held mapping until its lease ends, with a warning', async () => {
    const { opener, ops, clock, logger } = setup(
      { pcp: [grant('pcp', 80, 60), grant('pcp', 1024, 120), grant('pcp', 80, 120)] },
      { preferred: 'pcp' },
    );
    await opener.open({ ...http01, lifetimeSeconds: 60 });
    clock.advance(30_000);
    await opener.open({ ...http01, lifetimeSeconds: 60 });
    expect(logger.lines.at(-1)).toEqual({
      level: 'warn',
      msg: 'the temporary mapping could not be extended; it holds until its lease ends',
      fields: {
        component: 'temporary-port-mapping',
        protocol: 'pcp',
        reason: 'the router moved it to port 1024',
      },
    });
    // Not extended: the next open that needs past +60 s asks again.
    await opener.open({ ...http01, lifetimeSeconds: 31 });
    expect(ops().pcp).toEqual(['map', 'map', 'map']);
  });

  it('different ports are different mappings', async () => {
    const { opener, clients } = setup({ pcp: [grant('pcp')] });
    const a = await opener.open(http01);
    const b = await opener.open({ ...http01, internalPort: 8080 });
    expect([a.state, b.state]).toEqual(['mapped', 'mapped']);
    expect(clients.pcp.calls.map((c) => c.request?.internalPort)).toEqual([80, 8080]);
  });
});

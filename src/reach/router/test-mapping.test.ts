import { describe, expect, it } from 'vitest';
import type { GrantedMapping, MappingRequest, PortMappingClient, RouterResult } from './mapping.js';
import { failedTestMapping, testMappingPort, tryTestMapping } from './test-mapping.js';

/** A client that answers map and unmap from a script and records what it was asked. */
function client(
  protocol: PortMappingClient['protocol'],
  map: RouterResult<GrantedMapping> | Error,
  unmap: RouterResult<void> = { ok: true, value: undefined },
) {
  const calls: { op: 'map' | 'unmap'; request?: MappingRequest; mapping?: GrantedMapping }[] = [];
  const c: PortMappingClient = {
    protocol,
    map(request) {
      calls.push({ op: 'map', request });
      return map instanceof Error ? Promise.reject(map) : Promise.resolve(map);
    },
    unmap(mapping) {
      calls.push({ op: 'unmap', mapping });
      return Promise.resolve(unmap);
    },
  };
  return Object.assign(c, { calls });
}

const grant = (
  protocol: PortMappingClient['protocol'],
  externalAddress?: string,
): RouterResult<GrantedMapping> => ({
  ok: true,
  value: {
    protocol,
    internalPort: 51821,
    externalPort: 51821,
    lifetimeSeconds: 60,
    ...(externalAddress ? { externalAddress } : {}),
  },
});
const refused = (reason: string): RouterResult<GrantedMapping> => ({
  ok: false,
  failure: { kind: 'refused', reason },
});
const silent = (reason: string): RouterResult<GrantedMapping> => ({
  ok: false,
  failure: { kind: 'unsupported', reason },
});

describe("the doctor's test mapping", () => {
  it('maps the port next to the WireGuard port, never beyond 65535', () => {
    expect(testMappingPort(51820)).toBe(51821);
    expect(testMappingPort(65535)).toBe(65534);
  });

  it('asks every protocol at once, removes every grant, and reports the first in the order PCP, NAT-PMP, UPnP', async () => {
    const pcp = client('pcp', silent('no PCP answer'));
    const natpmp = client('natpmp', grant('natpmp', '203.0.113.2'));
    const upnp = client('upnp', grant('upnp'));
    const facts = await tryTestMapping([upnp, natpmp, pcp], 51821);
    expect(facts).toEqual({
      state: 'mapped',
      protocol: 'natpmp',
      externalPort: 51821,
      externalAddress: '203.0.113.2',
      test: true,
    });
    expect(pcp.calls.map((c) => c.op)).toEqual(['map']);
    expect(natpmp.calls).toEqual([
      {
        op: 'map',
        request: {
          internalPort: 51821,
          externalPort: 51821,
          lifetimeSeconds: 60,
          description: 'Gatehouse doctor test',
        },
      },
      {
        op: 'unmap',
        mapping: {
          protocol: 'natpmp',
          internalPort: 51821,
          externalPort: 51821,
          lifetimeSeconds: 60,
          externalAddress: '203.0.113.2',
        },
      },
    ]);
    expect(upnp.calls.map((c) => c.op)).toEqual(['map', 'unmap']);
  });

  it('a protocol that did not grant is not asked to remove anything', async () => {
    const pcp = client('pcp', refused('PCP: not authorised'));
    const upnp = client('upnp', grant('upnp', '203.0.113.2'));
    expect(await tryTestMapping([pcp, upnp], 51821)).toMatchObject({ state: 'mapped', protocol: 'upnp' });
    expect(pcp.calls.map((c) => c.op)).toEqual(['map']);
  });

  it('a grant without an address, and a removal that fails, say so', async () => {
    const upnp = client('upnp', grant('upnp'), {
      ok: false,
      failure: { kind: 'unsupported', reason: 'no answer' },
    });
    expect(await tryTestMapping([upnp], 51821)).toEqual({
      state: 'mapped',
      protocol: 'upnp',
      externalPort: 51821,
      error: 'the test mapping was not removed (no answer); it ends within 60 s',
      test: true,
    });
  });

  it('every protocol refusing is "refused" with every refusal, silence left out', async () => {
    const facts = await tryTestMapping(
      [
        client('pcp', silent('no PCP answer')),
        client('natpmp', refused('NAT-PMP: 3 (network failure)')),
        client('upnp', refused('UPnP IGD: 501 (Action Failed)')),
      ],
      51821,
    );
    expect(facts).toEqual({
      state: 'refused',
      externalPort: 51821,
      error: 'NAT-PMP: 3 (network failure); UPnP IGD: 501 (Action Failed)',
      test: true,
    });
  });

  it('no answer at all is "unsupported"; a client that throws is one more failure', async () => {
    const facts = await tryTestMapping(
      [client('pcp', silent('no PCP answer')), client('natpmp', new Error('socket closed'))],
      51821,
    );
    expect(facts).toEqual({
      state: 'unsupported',
      externalPort: 51821,
      error: 'no PCP answer; NAT-PMP: socket closed',
      test: true,
    });
  });

  it('a client that throws counts as silence, never as a refusal', async () => {
    expect(
      await tryTestMapping(
        [client('pcp', new Error('socket closed')), client('upnp', refused('UPnP IGD: 501 (Action Failed)'))],
        51821,
      ),
    ).toEqual({ state: 'refused', externalPort: 51821, error: 'UPnP IGD: 501 (Action Failed)', test: true });
  });

  it('every removal that fails is named', async () => {
    const broken = { ok: false as const, failure: { kind: 'unsupported' as const, reason: 'no answer' } };
    const gone = { ok: false as const, failure: { kind: 'refused' as const, reason: 'not yours' } };
    expect(
      await tryTestMapping(
        [client('natpmp', grant('natpmp'), broken), client('upnp', grant('upnp'), gone)],
        51821,
      ),
    ).toMatchObject({
      protocol: 'natpmp',
      error: 'the test mapping was not removed (no answer; not yours); it ends within 60 s',
    });
  });

  it('without clients nothing is tried', async () => {
    expect(await tryTestMapping([], 51821)).toEqual(failedTestMapping([], 51821));
    expect(failedTestMapping([], 51821)).toEqual({
      state: 'unsupported',
      externalPort: 51821,
      error: 'no port mapping protocol is configured',
      test: true,
    });
  });
});

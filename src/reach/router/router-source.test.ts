import { describe, expect, it } from 'vitest';
import type { ExternalAddressClient, MappingProtocol, RouterResult } from './mapping.js';
import { declined, known, unavailable } from '../types.js';
import { RouterSource, createRouterSources, routerObservations } from './router-source.js';

const signal = new AbortController().signal;

function client(protocol: MappingProtocol, answer: RouterResult<string> | Error): ExternalAddressClient {
  return {
    protocol,
    externalAddress: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)),
  };
}

describe('RouterSource', () => {
  it('a known address carries the protocol', async () => {
    const source = new RouterSource(client('upnp', { ok: true, value: '203.0.113.2' }));
    expect(source.id).toBe('upnp');
    expect(await source.probe('ipv4', signal)).toEqual([
      { kind: 'known', source: 'upnp', family: 'ipv4', address: '203.0.113.2', detail: { via: 'UPnP IGD' } },
    ]);
  });

  it('a silent router is unavailable with its reason, never empty', async () => {
    const source = new RouterSource(
      client('natpmp', {
        ok: false,
        failure: { kind: 'unsupported', reason: 'no NAT-PMP answer from 10.10.0.1 within 2 s' },
      }),
    );
    expect(await source.probe('ipv4', signal)).toEqual([
      {
        kind: 'unavailable',
        source: 'natpmp',
        family: 'ipv4',
        reason: 'no NAT-PMP answer from 10.10.0.1 within 2 s',
      },
    ]);
  });

  it('a router that answers and declines to say its address is "declined", not silent', async () => {
    const source = new RouterSource(
      client('natpmp', {
        ok: false,
        failure: { kind: 'refused', reason: 'NAT-PMP at 10.10.0.1 refused: 3 (network failure)' },
      }),
    );
    expect(await source.probe('ipv4', signal)).toEqual([
      {
        kind: 'unavailable',
        source: 'natpmp',
        family: 'ipv4',
        reason: 'NAT-PMP at 10.10.0.1 refused: 3 (network failure)',
        declined: true,
      },
    ]);
  });

  it('IPv6 is unavailable without asking the router', async () => {
    const source = new RouterSource(client('pcp', new Error('must not be called')));
    expect(await source.probe('ipv6', signal)).toEqual([
      {
        kind: 'unavailable',
        source: 'pcp',
        family: 'ipv6',
        reason: "PCP reports only the router's IPv4 address",
      },
    ]);
  });

  it('a client that throws against its contract still gives a value', async () => {
    const source = new RouterSource(client('pcp', new Error('boom')));
    expect(await source.probe('ipv4', signal)).toEqual([
      { kind: 'unavailable', source: 'pcp', family: 'ipv4', reason: 'PCP client failed: boom' },
    ]);
  });

  it('createRouterSources: one source per protocol, PCP first', () => {
    const ok: RouterResult<string> = { ok: true, value: '203.0.113.2' };
    const sources = createRouterSources({
      pcp: client('pcp', ok),
      natpmp: client('natpmp', ok),
      upnp: client('upnp', ok),
    });
    expect(sources.map((s) => s.id)).toEqual(['pcp', 'natpmp', 'upnp']);
  });
});

describe('routerObservations', () => {
  it('keeps the router protocols only: an address, silence with its reason, or a refusal to say', () => {
    expect(
      routerObservations([
        known('upnp', 'ipv4', '203.0.113.2'),
        unavailable('pcp', 'ipv4', 'no PCP answer'),
        declined('natpmp', 'ipv4', 'result 3'),
        known('stun:a:3478', 'ipv4', '203.0.113.2'),
        known('upnp-push', 'ipv4', '203.0.113.2'),
        unavailable('interface', 'ipv4', 'no public address'),
      ]),
    ).toEqual([
      { source: 'upnp', externalAddress: '203.0.113.2' },
      { source: 'pcp', externalAddress: null, reason: 'no PCP answer' },
      { source: 'natpmp', externalAddress: null, reason: 'result 3', declined: true },
    ]);
  });
});

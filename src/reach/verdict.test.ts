import { describe, expect, it } from 'vitest';
import { decideAddress } from './consensus.js';
import { known, unavailable, type SourceResult } from './types.js';
import { classifyReachability, type FamilyFacts, type ProbeFacts, type StunObservation } from './verdict.js';

const policy = { quorum: 2, trustedSource: null, publicRanges: ['203.0.113.0/24', '2001:db8::/32'] };

function v4(over: Partial<Omit<FamilyFacts, 'consensus'>> & { sources?: SourceResult[] } = {}): FamilyFacts {
  const stun = over.stun ?? null;
  const sources =
    over.sources ??
    (stun?.results ?? [])
      .filter((r) => r.mapped)
      .map((r) => known(`stun:${r.server}`, 'ipv4', r.mapped?.address ?? ''));
  return {
    localAddresses: over.localAddresses ?? ['10.10.0.2'],
    stun,
    router: over.router ?? [],
    path: over.path ?? null,
    tcpWorks: over.tcpWorks ?? true,
    consensus: decideAddress('ipv4', sources, policy),
  };
}

const noV6: FamilyFacts = {
  localAddresses: [],
  stun: null,
  router: [],
  path: null,
  tcpWorks: true,
  consensus: decideAddress('ipv6', [], policy),
};

const stunSeen = (...mapped: [string, number][]): { localPort: number; results: StunObservation[] } => ({
  localPort: 40000,
  results: mapped.map(([address, port], i) => ({ server: `s${i}`, mapped: { address, port } })),
});
const stunSilent = {
  localPort: 40000,
  results: [
    { server: 's0', mapped: null, error: 'timeout' },
    { server: 's1', mapped: null, error: 'timeout' },
  ],
};

const facts = (over: Partial<ProbeFacts>): ProbeFacts => ({
  ipv4: v4(),
  ipv6: noV6,
  portMapping: null,
  wireguardPort: 51820,
  ...over,
});

describe('classifyReachability', () => {
  it.each<[string, Partial<ProbeFacts>, Record<string, unknown>]>([
    [
      'public: the box holds the address the internet sees',
      {
        ipv4: v4({
          localAddresses: ['203.0.113.34'],
          stun: stunSeen(['203.0.113.34', 40000], ['203.0.113.34', 40000]),
        }),
      },
      { kind: 'public', inbound: 'yes', publicAddress: '203.0.113.34', mapping: 'endpoint-independent' },
    ],
    [
      'nat without port mapping: needs a forward',
      {
        ipv4: v4({ stun: stunSeen(['203.0.113.2', 40000], ['203.0.113.2', 40000]) }),
        portMapping: { state: 'unsupported' },
      },
      { kind: 'nat', inbound: 'needs-port-forward', portMapping: 'unavailable' },
    ],
    [
      'nat with UPnP: mapped automatically',
      {
        ipv4: v4({
          stun: stunSeen(['203.0.113.2', 40000], ['203.0.113.2', 40000]),
          router: [{ source: 'upnp', externalAddress: '203.0.113.2' }],
        }),
        portMapping: { state: 'mapped', protocol: 'upnp', externalPort: 51820 },
      },
      { kind: 'nat', inbound: 'via-port-mapping', portMapping: 'available' },
    ],
    [
      'cgnat: the hop after the router is in 100.64.0.0/10',
      {
        ipv4: v4({
          stun: stunSeen(['203.0.113.18', 40000], ['203.0.113.18', 40000]),
          path: ['10.10.0.1', '100.64.0.1', '203.0.113.17'],
        }),
      },
      { kind: 'cgnat', inbound: 'no' },
    ],
    [
      'cgnat: the router reports a 100.64 WAN address',
      {
        ipv4: v4({
          stun: stunSeen(['198.51.100.7', 1], ['198.51.100.7', 1]),
          router: [{ source: 'natpmp', externalAddress: '100.64.0.2' }],
        }),
      },
      { kind: 'cgnat' },
    ],
    [
      'cgnat: the router public address differs from what STUN sees',
      {
        ipv4: v4({
          stun: stunSeen(['203.0.113.18', 1], ['203.0.113.18', 1]),
          router: [{ source: 'upnp', externalAddress: '203.0.113.99' }],
        }),
      },
      { kind: 'cgnat' },
    ],
    [
      'double NAT: the hop after the router is private',
      {
        ipv4: v4({
          stun: stunSeen(['203.0.113.18', 1], ['203.0.113.18', 1]),
          path: ['10.10.0.1', '10.20.0.1', '203.0.113.17'],
        }),
      },
      { kind: 'double-nat', inbound: 'no' },
    ],
    [
      'symmetric: ports differ per server',
      { ipv4: v4({ stun: stunSeen(['203.0.113.2', 1111], ['203.0.113.2', 2222]) }) },
      { kind: 'nat', mapping: 'endpoint-dependent' },
    ],
    [
      'udp blocked: STUN silent, TCP fine',
      {
        ipv4: v4({
          stun: stunSilent,
          tcpWorks: true,
          sources: [known('http:echo', 'ipv4', '203.0.113.2'), known('dns:echo', 'ipv4', '203.0.113.2')],
        }),
      },
      { udp: 'blocked', inbound: 'no' },
    ],
    [
      'offline: nothing answers',
      {
        ipv4: v4({
          stun: stunSilent,
          tcpWorks: false,
          sources: [unavailable('http:echo', 'ipv4', 'timeout')],
        }),
      },
      { kind: 'offline', inbound: 'no' },
    ],
  ])('%s', (_name, over, expected) => {
    const v = classifyReachability(facts(over));
    expect({ ...v.ipv4, inbound: v.inbound }).toMatchObject(expected);
    expect(v.evidence.length).toBeGreaterThan(0);
    expect(v.headline.length).toBeGreaterThan(10);
  });

  it('a NAT without mapping says exactly which port to forward to which address', () => {
    const v = classifyReachability(
      facts({
        ipv4: v4({ stun: stunSeen(['203.0.113.2', 1], ['203.0.113.2', 1]) }),
        portMapping: { state: 'unsupported' },
      }),
    );
    expect(v.remedies[0]).toBe('Forward UDP port 51820 on your router to this box at 10.10.0.2.');
  });

  it('CGNAT with a global IPv6 address is reachable over IPv6 only, and says so', () => {
    const v = classifyReachability(
      facts({
        ipv4: v4({
          stun: stunSeen(['203.0.113.18', 1], ['203.0.113.18', 1]),
          path: ['10.10.0.1', '100.64.0.1'],
        }),
        ipv6: {
          localAddresses: ['2001:db8:10::2'],
          stun: stunSeen(['2001:db8:10::2', 1]),
          router: [],
          path: null,
          tcpWorks: true,
          consensus: decideAddress(
            'ipv6',
            [known('stun:a', 'ipv6', '2001:db8:10::2'), known('http:b', 'ipv6', '2001:db8:10::2')],
            policy,
          ),
        },
      }),
    );
    expect(v.inbound).toBe('ipv6-only');
    expect(v.ipv6).toEqual({ publicAddress: '2001:db8:10::2', globalReachable: true });
    expect(v.remedies.join(' ')).toMatch(/ask your provider for a public IPv4 address/);
    expect(v.remedies.join(' ')).toMatch(/\[2001:db8:10::2\]:51820/);
    expect(v.remedies.join(' ')).toMatch(/DNS-01/);
  });
});

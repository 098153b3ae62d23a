import { describe, expect, it } from 'vitest';
import { decideAddress } from './consensus.js';
import { known, unavailable, type SourceResult } from './types.js';
import {
  classifyReachability,
  type FamilyFacts,
  type ProbeFacts,
  type StunObservation,
  type Verdict,
} from './verdict.js';

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

const seen = stunSeen(['203.0.113.2', 40000], ['203.0.113.2', 40000]);
const seen18 = stunSeen(['203.0.113.18', 1], ['203.0.113.18', 1]);
const echo = [known('http:echo', 'ipv4', '203.0.113.2'), known('dns:echo', 'ipv4', '203.0.113.2')];
const v6: FamilyFacts = {
  localAddresses: ['2001:db8:10::2'],
  stun: null,
  router: [],
  path: null,
  tcpWorks: true,
  consensus: decideAddress(
    'ipv6',
    [known('stun:a', 'ipv6', '2001:db8:10::2'), known('http:b', 'ipv6', '2001:db8:10::2')],
    policy,
  ),
};

// The whole verdict, word for word: evidence and remedies are what people act on.
describe('classifyReachability, the whole verdict', () => {
  it.each<[string, Partial<ProbeFacts>, Verdict]>([
    [
      'public: the box holds the address STUN sees',
      { ipv4: v4({ localAddresses: ['203.0.113.2'], stun: seen }) },
      {
        ipv4: {
          kind: 'public',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'yes',
        headline: 'Public address 203.0.113.2 on the box itself: reachable.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the box itself holds the public address 203.0.113.2',
        ],
        remedies: [],
      },
    ],
    [
      'public address on the box, but UDP blocked: no way in',
      { ipv4: v4({ localAddresses: ['203.0.113.2'], stun: stunSilent, sources: echo }) },
      {
        ipv4: {
          kind: 'public',
          publicAddress: '203.0.113.2',
          mapping: 'unknown',
          udp: 'blocked',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'UDP is blocked: WireGuard cannot work from this network.',
        evidence: [
          'none of 2 STUN servers answered over UDP, while TCP connections to the internet work',
          'the box itself holds the public address 203.0.113.2',
        ],
        remedies: [
          'UDP is blocked on this network, and WireGuard needs UDP: allow outgoing UDP in the firewall, or run Gatehouse on a network that passes UDP.',
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'NAT, the mapper failed: forward the port, or turn on UPnP (with the error)',
      { ipv4: v4({ stun: seen }), portMapping: { state: 'failed', error: 'the router refused' } },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unavailable',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'the router offers no working UPnP, NAT-PMP or PCP (the router refused)',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'NAT, port mapping disabled: forward the port, no UPnP advice',
      { ipv4: v4({ stun: seen }), portMapping: { state: 'disabled' } },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'disabled',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
        ],
        remedies: ['Forward UDP port 51820 on your router to this box at 10.10.0.2.'],
      },
    ],
    [
      'NAT, the port is mapped by PCP',
      {
        ipv4: v4({ stun: seen, router: [{ source: 'pcp', externalAddress: '203.0.113.2' }] }),
        portMapping: { state: 'mapped', protocol: 'pcp', externalPort: 51820 },
      },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'via-port-mapping',
        headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'UDP port 51820 is mapped on the router by pcp',
        ],
        remedies: [],
      },
    ],
    [
      'NAT, mapped by a protocol that did not say its name',
      { ipv4: v4({ stun: seen }), portMapping: { state: 'mapped' } },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'via-port-mapping',
        headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'UDP port 51820 is mapped on the router by a port-mapping protocol',
        ],
        remedies: [],
      },
    ],
    [
      'NAT, no mapper ran (doctor) but the router answers: Gatehouse can map the port',
      {
        ipv4: v4({
          stun: seen,
          router: [
            { source: 'upnp', externalAddress: '203.0.113.2' },
            { source: 'natpmp', externalAddress: '203.0.113.2' },
            { source: 'pcp', externalAddress: null, reason: 'no answer' },
          ],
        }),
      },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'via-port-mapping',
        headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'the router answers upnp, natpmp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [],
      },
    ],
    [
      'NAT seen by echo sources only: the public address is not on the box',
      { ipv4: v4({ sources: echo }), portMapping: { state: 'unsupported' } },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'unknown',
          udp: 'unknown',
          portMapping: 'unavailable',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          'the public address 203.0.113.2 is not on the box',
          'the router offers no working UPnP, NAT-PMP or PCP',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'NAT, the box has no IPv4 address of its own',
      {
        ipv4: v4({ localAddresses: [], stun: stunSeen(['203.0.113.2', 1], ['203.0.113.2', 1]) }),
        portMapping: { state: 'unsupported' },
      },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unavailable',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:1',
          'the internet sees 203.0.113.2 while the box has no public address',
          'the router offers no working UPnP, NAT-PMP or PCP',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at its LAN address.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'CGNAT: the router WAN address is in 100.64.0.0/10',
      { ipv4: v4({ stun: seen18, router: [{ source: 'natpmp', externalAddress: '100.64.0.2' }] }) },
      {
        ipv4: {
          kind: 'cgnat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Behind carrier-grade NAT: not reachable from the internet.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          "the router's WAN address (natpmp) is 100.64.0.2, in the carrier-grade NAT range 100.64.0.0/10",
          'the router answers natpmp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [
          'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'CGNAT: the router WAN address differs from what STUN sees',
      { ipv4: v4({ stun: seen18, router: [{ source: 'upnp', externalAddress: '198.51.100.7' }] }) },
      {
        ipv4: {
          kind: 'cgnat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Behind carrier-grade NAT: not reachable from the internet.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          'the router says its public address is 198.51.100.7 (upnp) but the internet sees 203.0.113.18',
          'the router answers upnp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [
          'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'CGNAT: the hop after the router is in 100.64.0.0/10',
      { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '100.64.0.1', '203.0.113.17'] }) },
      {
        ipv4: {
          kind: 'cgnat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Behind carrier-grade NAT: not reachable from the internet.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
        ],
        remedies: [
          'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'double NAT: the router WAN address is private (a second router, e.g. the provider modem)',
      { ipv4: v4({ stun: seen18, router: [{ source: 'upnp', externalAddress: '192.168.178.20' }] }) },
      {
        ipv4: {
          kind: 'double-nat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Behind two NATs: not reachable without forwards on both routers.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          "the router's WAN address (upnp) is 192.168.178.20, a private address",
          'the router answers upnp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [
          "Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port 51820 on both (modem → your router → 10.10.0.2).",
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'double NAT: the hop after the router is private',
      { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '192.168.1.1'] }) },
      {
        ipv4: {
          kind: 'double-nat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Behind two NATs: not reachable without forwards on both routers.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          'the hop after your router (192.168.1.1) is a private address: a second router translates',
        ],
        remedies: [
          "Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port 51820 on both (modem → your router → 10.10.0.2).",
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'CGNAT wins over double NAT when both show',
      {
        ipv4: v4({
          stun: seen18,
          router: [{ source: 'upnp', externalAddress: '10.0.0.2' }],
          path: ['10.10.0.1', '100.64.0.1'],
        }),
      },
      {
        ipv4: {
          kind: 'cgnat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Behind carrier-grade NAT: not reachable from the internet.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
          'the router answers upnp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [
          'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'double NAT with global IPv6: reachable over IPv6 only',
      { ipv4: v4({ stun: seen18, router: [{ source: 'upnp', externalAddress: '172.16.0.2' }] }), ipv6: v6 },
      {
        ipv4: {
          kind: 'double-nat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: '2001:db8:10::2', globalReachable: true },
        inbound: 'ipv6-only',
        headline: 'Behind two NATs: reachable over IPv6 only.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          "the router's WAN address (upnp) is 172.16.0.2, a private address",
          'the router answers upnp: Gatehouse can map UDP port 51820 itself',
          "IPv6: the box's global address 2001:db8:10::2 is what the internet sees",
        ],
        remedies: [
          "Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port 51820 on both (modem → your router → 10.10.0.2).",
          "Use IPv6: peers with IPv6 can connect to [2001:db8:10::2]:51820 (allow UDP 51820 to this box in the router's IPv6 firewall).",
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'CGNAT with global IPv6: reachable over IPv6 only',
      { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '100.64.0.1'] }), ipv6: v6 },
      {
        ipv4: {
          kind: 'cgnat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: '2001:db8:10::2', globalReachable: true },
        inbound: 'ipv6-only',
        headline: 'Behind carrier-grade NAT: reachable over IPv6 only.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
          "IPv6: the box's global address 2001:db8:10::2 is what the internet sees",
        ],
        remedies: [
          'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
          "Use IPv6: peers with IPv6 can connect to [2001:db8:10::2]:51820 (allow UDP 51820 to this box in the router's IPv6 firewall).",
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'symmetric NAT: one local port mapped differently per server',
      {
        ipv4: v4({ stun: stunSeen(['203.0.113.2', 1111], ['203.0.113.2', 2222]) }),
        portMapping: { state: 'unsupported' },
      },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-dependent',
          udp: 'ok',
          portMapping: 'unavailable',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          'one local port was mapped differently per STUN server (s0 saw 203.0.113.2:1111, s1 saw 203.0.113.2:2222)',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'the router offers no working UPnP, NAT-PMP or PCP',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
          'The NAT picks a new port for every destination (symmetric NAT): forward the port or use a relay; hole punching will not work.',
        ],
      },
    ],
    [
      'offline: no STUN answer and no TCP source',
      { ipv4: v4({ stun: stunSilent, tcpWorks: false, sources: [] }) },
      {
        ipv4: {
          kind: 'offline',
          publicAddress: null,
          mapping: 'unknown',
          udp: 'unknown',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Offline: no source on the internet answered.',
        evidence: ['no STUN server answered and no TCP source got through: the box seems offline'],
        remedies: [
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'unknown: no source answered',
      { ipv4: v4({ sources: [] }) },
      {
        ipv4: {
          kind: 'unknown',
          publicAddress: null,
          mapping: 'unknown',
          udp: 'unknown',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Reachability unknown: not enough sources answered.',
        evidence: [],
        remedies: [
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'unknown over IPv4, global IPv6: reachable over IPv6 only',
      { ipv4: v4({ sources: [] }), ipv6: v6 },
      {
        ipv4: {
          kind: 'unknown',
          publicAddress: null,
          mapping: 'unknown',
          udp: 'unknown',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: '2001:db8:10::2', globalReachable: true },
        inbound: 'ipv6-only',
        headline: 'Reachability unknown: not enough sources answered.',
        evidence: ["IPv6: the box's global address 2001:db8:10::2 is what the internet sees"],
        remedies: [
          "Use IPv6: peers with IPv6 can connect to [2001:db8:10::2]:51820 (allow UDP 51820 to this box in the router's IPv6 firewall).",
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'a path of the gateway alone says nothing about the next hop',
      { ipv4: v4({ stun: seen18, path: ['100.64.0.1'] }) },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.18',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.18); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.18:1',
          'the internet sees 203.0.113.18 while the box has 10.10.0.2',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'the address on the box wins over a router WAN hint',
      {
        ipv4: v4({
          localAddresses: ['203.0.113.2'],
          stun: seen,
          router: [{ source: 'upnp', externalAddress: '100.64.0.9' }],
        }),
      },
      {
        ipv4: {
          kind: 'public',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'yes',
        headline: 'Public address 203.0.113.2 on the box itself: reachable.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the box itself holds the public address 203.0.113.2',
          'the router answers upnp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [],
      },
    ],
    [
      'one STUN answer says nothing about the mapping',
      { ipv4: v4({ stun: stunSeen(['203.0.113.2', 1]), sources: echo }) },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'unknown',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: ['the internet sees 203.0.113.2 while the box has 10.10.0.2'],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'offline stays offline even when the LAN router answers with a CGNAT WAN address',
      {
        ipv4: v4({
          stun: stunSilent,
          tcpWorks: false,
          sources: [],
          router: [{ source: 'natpmp', externalAddress: '100.64.0.2' }],
          path: ['10.10.0.1', '192.168.1.1'],
        }),
      },
      {
        ipv4: {
          kind: 'offline',
          publicAddress: null,
          mapping: 'unknown',
          udp: 'unknown',
          portMapping: 'available',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'no',
        headline: 'Offline: no source on the internet answered.',
        evidence: [
          'no STUN server answered and no TCP source got through: the box seems offline',
          'the router answers natpmp: Gatehouse can map UDP port 51820 itself',
        ],
        remedies: [
          'Use a relay: a small VPS running WireGuard that this box connects out to.',
          'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        ],
      },
    ],
    [
      'a public hop after the router is plain NAT',
      { ipv4: v4({ stun: seen, path: ['10.10.0.1', '198.51.100.1'] }) },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unknown',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'NAT evidence lists every local address',
      {
        ipv4: v4({ localAddresses: ['10.10.0.2', '192.168.5.2'], stun: seen }),
        portMapping: { state: 'unsupported' },
      },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unavailable',
        },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2, 192.168.5.2',
          'the router offers no working UPnP, NAT-PMP or PCP',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'a public IPv6 address that is not on the box is not reachable',
      {
        ipv4: v4({ stun: seen }),
        portMapping: { state: 'unsupported' },
        ipv6: { ...v6, localAddresses: ['2001:db8:10::99'] },
      },
      {
        ipv4: {
          kind: 'nat',
          publicAddress: '203.0.113.2',
          mapping: 'endpoint-independent',
          udp: 'ok',
          portMapping: 'unavailable',
        },
        ipv6: { publicAddress: '2001:db8:10::2', globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (203.0.113.2); a port forward is needed.',
        evidence: [
          '2 STUN servers saw the same mapping 203.0.113.2:40000',
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'the router offers no working UPnP, NAT-PMP or PCP',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'NAT seen by one STUN server only: the public address is unknown, a forward is needed',
      { ipv4: v4({ stun: stunSeen(['203.0.113.2', 1]) }), portMapping: { state: 'unsupported' } },
      {
        ipv4: { kind: 'nat', publicAddress: null, mapping: 'unknown', udp: 'ok', portMapping: 'unavailable' },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'needs-port-forward',
        headline: 'Behind a router (public address unknown); a port forward is needed.',
        evidence: [
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'the router offers no working UPnP, NAT-PMP or PCP',
        ],
        remedies: [
          'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
          'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
        ],
      },
    ],
    [
      'NAT seen by one STUN server only, the port mapped',
      {
        ipv4: v4({ stun: stunSeen(['203.0.113.2', 1]) }),
        portMapping: { state: 'mapped', protocol: 'upnp' },
      },
      {
        ipv4: { kind: 'nat', publicAddress: null, mapping: 'unknown', udp: 'ok', portMapping: 'available' },
        ipv6: { publicAddress: null, globalReachable: false },
        inbound: 'via-port-mapping',
        headline: 'Behind a router (public address unknown); the WireGuard port is mapped automatically.',
        evidence: [
          'the internet sees 203.0.113.2 while the box has 10.10.0.2',
          'UDP port 51820 is mapped on the router by upnp',
        ],
        remedies: [],
      },
    ],
  ])('%s', (_name, over, expected) => {
    expect(classifyReachability(facts(over))).toEqual(expected);
  });
});

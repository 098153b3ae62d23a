import { describe, expect, it } from 'vitest';
import { decideAddress } from './consensus.js';
import { known, unavailable, type SourceResult } from './types.js';
import {
  classifyReachability,
  stunPort,
  udpAnswers,
  type FamilyFacts,
  type ProbeFacts,
  type RouterObservation,
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
    path: over.path === undefined ? ['10.10.0.1', '203.0.113.1', '203.0.113.65'] : over.path,
    tcpWorks: over.tcpWorks ?? true,
    ...(over.udpAnswered ? { udpAnswered: over.udpAnswered } : {}),
    consensus: decideAddress('ipv4', sources, policy),
  };
}

const noV6: FamilyFacts = {
  localAddresses: [],
  stun: null,
  router: [],
  path: null,
  tcpWorks: false,
  consensus: decideAddress('ipv6', [], policy),
};

const servers = ['a:3478', 'b:19302', 'c:3479'];
const stunSeen = (...mapped: [string, number][]): { localPort: number; results: StunObservation[] } => ({
  localPort: 40000,
  results: mapped.map(([address, port], i) => ({ server: servers[i] ?? `s${i}`, mapped: { address, port } })),
});
/** Two STUN servers on two ports (3478, 19302), both silent. */
const stunSilent = {
  localPort: 40000,
  results: [
    { server: 'a:3478', mapped: null, error: 'no answer within 2.5 s' },
    { server: 'b:19302', mapped: null, error: 'no answer within 2.5 s' },
  ],
};
/** Two STUN servers on the same port (3478), both silent. */
const stunSilentOnePort = {
  localPort: 40000,
  results: [
    { server: 'a:3478', mapped: null, error: 'no answer within 2.5 s' },
    { server: 'd:3478', mapped: null, error: 'no answer within 2.5 s' },
  ],
};

const facts = (over: Partial<ProbeFacts>): ProbeFacts => ({
  ipv4: v4(),
  ipv6: noV6,
  portMapping: null,
  wireguardPort: 51820,
  ...over,
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
/** The CGNAT router of issue 9: miniupnpd learnt 203.0.113.18 by STUN and answers with it. */
const stunLearnt: RouterObservation[] = [
  { source: 'upnp', externalAddress: '203.0.113.18' },
  { source: 'natpmp', externalAddress: '203.0.113.18' },
  { source: 'pcp', externalAddress: null, reason: 'no PCP answer from 10.10.0.1 within 2 s' },
];
const refusedByRouter = {
  state: 'refused' as const,
  externalPort: 51821,
  error:
    'NAT-PMP at 10.10.0.1 refused to map UDP 51821: 3 (network failure); UPnP IGD: AddPortMapping failed with 501 (Action Failed)',
  test: true,
};
const silentHop = ['10.10.0.1', null, '203.0.113.65'];

describe('classifyReachability: what each case of issue 9 (A) comes to', () => {
  it.each<[string, Partial<ProbeFacts>, Partial<Verdict['ipv4']> & { inbound?: string; level?: string }]>([
    [
      'A1: CGNAT behind a silent hop, a router that answers with its STUN address and refuses every mapping',
      { ipv4: v4({ stun: seen18, router: stunLearnt, path: silentHop }), portMapping: refusedByRouter },
      {
        kind: 'nat',
        cgnat: 'not-ruled-out',
        portMapping: 'refused',
        inbound: 'needs-port-forward',
        level: 'unlikely',
      },
    ],
    [
      'A1: CGNAT with a visible hop: the refusing router is not "available"',
      {
        ipv4: v4({ stun: seen18, router: stunLearnt, path: ['10.10.0.1', '100.64.0.1', '203.0.113.17'] }),
        portMapping: refusedByRouter,
      },
      { kind: 'cgnat', cgnat: 'found', portMapping: 'refused', inbound: 'no', level: 'impossible' },
    ],
    [
      'A1: a router that answers the address queries but was not asked to map is "not-tried", not "available"',
      { ipv4: v4({ stun: seen, router: [{ source: 'upnp', externalAddress: '203.0.113.2' }] }) },
      {
        kind: 'nat',
        cgnat: 'ruled-out',
        portMapping: 'not-tried',
        inbound: 'needs-port-forward',
        level: 'unlikely',
      },
    ],
    [
      'A1: a granted mapping on the public address counts as mapped',
      {
        ipv4: v4({ stun: seen }),
        portMapping: {
          state: 'mapped',
          protocol: 'upnp',
          externalAddress: '203.0.113.2',
          externalPort: 51820,
        },
      },
      { kind: 'nat', portMapping: 'mapped', inbound: 'via-port-mapping', level: 'likely' },
    ],
    [
      'A1: a mapping lost on renewal',
      { ipv4: v4({ stun: seen }), portMapping: { state: 'lost', protocol: 'pcp', error: 'renewal failed' } },
      { kind: 'nat', portMapping: 'lost', inbound: 'needs-port-forward', level: 'unlikely' },
    ],
    [
      'A2: the hop after the router is silent: CGNAT not ruled out',
      { ipv4: v4({ stun: seen18, path: silentHop }) },
      { kind: 'nat', cgnat: 'not-ruled-out', inbound: 'needs-port-forward', level: 'unlikely' },
    ],
    [
      'A2: a 100.64 address further on the path is CGNAT',
      { ipv4: v4({ stun: seen18, path: ['10.10.0.1', null, '100.64.7.1'] }) },
      { kind: 'cgnat', cgnat: 'found', inbound: 'no', level: 'impossible' },
    ],
    [
      'A3: a router that declines to say its address',
      {
        ipv4: v4({
          stun: seen,
          router: [
            { source: 'natpmp', externalAddress: null, reason: 'result 3', declined: true },
            { source: 'upnp', externalAddress: null, reason: 'empty', declined: true },
          ],
        }),
      },
      { kind: 'nat', cgnat: 'not-ruled-out', level: 'unlikely' },
    ],
    [
      'A4: only port 3478 was tried and it is silent: not "UDP blocked"',
      { ipv4: v4({ stun: stunSilentOnePort, sources: echo }) },
      { udp: 'unknown', inbound: 'needs-port-forward' },
    ],
    [
      'A4: silent on two ports but the DNS echo answered over UDP',
      { ipv4: v4({ stun: stunSilent, sources: echo, udpAnswered: ['dns:echo'] }) },
      { udp: 'ok', inbound: 'needs-port-forward' },
    ],
    [
      'A4: silent on two ports, nothing else over UDP, TCP works: blocked',
      { ipv4: v4({ stun: stunSilent, sources: echo }) },
      { udp: 'blocked', inbound: 'no', level: 'impossible' },
    ],
    [
      'A5: an inbound handshake from outside proves it',
      {
        ipv4: v4({ stun: seen }),
        inboundSeen: {
          from: '198.51.100.10:40404',
          at: '2026-11-28T10:00:00.000Z',
          via: 'WireGuard handshake',
        },
      },
      { kind: 'nat', inbound: 'yes', level: 'proven' },
    ],
    [
      'A8: offline',
      {
        ipv4: v4({
          stun: stunSilent,
          tcpWorks: false,
          sources: [unavailable('http:echo', 'ipv4', 'getaddrinfo ENOTFOUND echo.example')],
        }),
      },
      { kind: 'offline', inbound: 'no', level: 'impossible', udp: 'unknown' },
    ],
  ])('%s', (_name, over, expected) => {
    const v = classifyReachability(facts(over));
    expect({ ...v.ipv4, inbound: v.inbound, level: v.level }).toMatchObject(expected);
  });

  it('A8: offline with some lookups failing names how many', () => {
    const v = classifyReachability(
      facts({
        ipv4: v4({
          stun: {
            localPort: 0,
            results: [
              {
                server: 'stun.example.net:3478',
                mapped: null,
                error: 'cannot resolve stun.example.net: EAI_AGAIN',
              },
              { server: '203.0.113.65:19302', mapped: null, error: 'no answer within 2.5 s' },
            ],
          },
          tcpWorks: false,
          sources: [
            unavailable('http:echo.example', 'ipv4', 'fetch failed: getaddrinfo ENOTFOUND echo.example'),
            unavailable('dns:resolver.example', 'ipv4', 'querySrv ESERVFAIL'),
            unavailable('stun:stun.example.net:3478', 'ipv4', 'counted once, from the STUN results'),
            unavailable('natpmp', 'ipv4', 'no NAT-PMP answer'),
          ],
        }),
      }),
    );
    expect(v.evidence[0]).toBe(
      'no source on the internet answered, and 2 of 4 name lookups failed (e.g. cannot resolve stun.example.net: EAI_AGAIN): DNS does not work from this box',
    );
    expect(v.remedies).toEqual([
      "Check this box's internet connection and DNS: its network cable or Wi-Fi, the router's internet link, and the DNS server in /etc/resolv.conf.",
    ]);
  });
});

const lyingEcho = [
  known('stun:a:3478', 'ipv4', '203.0.113.2'),
  known('stun:b:19302', 'ipv4', '203.0.113.2'),
  known('http:liar', 'ipv4', '203.0.113.99'),
];
const twoOpinions = [known('stun:a:3478', 'ipv4', '203.0.113.2'), known('http:liar', 'ipv4', '203.0.113.99')];

/** Inputs of the word-for-word table below: evidence and remedies are what people act on. */
const wholeCases: [string, Partial<ProbeFacts>][] = [
  [
    'public: the box holds the address STUN sees',
    { ipv4: v4({ localAddresses: ['203.0.113.2'], stun: seen }) },
  ],
  [
    'public address on the box, but UDP blocked on both ports tried',
    { ipv4: v4({ localAddresses: ['203.0.113.2'], stun: stunSilent, sources: echo }) },
  ],
  ['UDP: one port tried and silent', { ipv4: v4({ stun: stunSilentOnePort, sources: echo }) }],
  [
    'UDP: port 3478 silent while 19302 answers',
    {
      ipv4: v4({
        stun: {
          localPort: 40000,
          results: [
            { server: 'a:3478', mapped: null, error: 'no answer within 2.5 s' },
            { server: 'b:19302', mapped: { address: '203.0.113.2', port: 40000 } },
          ],
        },
        sources: [known('stun:b:19302', 'ipv4', '203.0.113.2'), known('http:echo', 'ipv4', '203.0.113.2')],
      }),
    },
  ],
  [
    'UDP: STUN silent on two ports, the DNS echo answered',
    { ipv4: v4({ stun: stunSilent, sources: echo, udpAnswered: ['dns:echo'] }) },
  ],
  [
    'NAT behind a public hop, the mapper was refused',
    {
      ipv4: v4({ stun: seen }),
      portMapping: { state: 'refused', protocol: 'natpmp', error: 'not authorised' },
    },
  ],
  [
    'NAT behind a public hop, port mapping disabled',
    { ipv4: v4({ stun: seen }), portMapping: { state: 'disabled' } },
  ],
  [
    'NAT behind a public hop, no protocol answers',
    {
      ipv4: v4({ stun: seen }),
      portMapping: { state: 'unsupported', error: 'no PCP, NAT-PMP or UPnP answer' },
    },
  ],
  [
    'NAT, the port is mapped by PCP on the address the router reports',
    {
      ipv4: v4({ stun: seen, router: [{ source: 'pcp', externalAddress: '203.0.113.2' }] }),
      portMapping: { state: 'mapped', protocol: 'pcp', externalPort: 51820 },
    },
  ],
  [
    'NAT, mapped by a protocol that did not say its name or address',
    { ipv4: v4({ stun: seen, path: silentHop }), portMapping: { state: 'mapped' } },
  ],
  [
    'doctor: the router granted the test mapping and it was removed',
    {
      ipv4: v4({ stun: seen, path: silentHop, router: [{ source: 'upnp', externalAddress: '203.0.113.2' }] }),
      portMapping: {
        state: 'mapped',
        protocol: 'upnp',
        externalPort: 51821,
        externalAddress: '203.0.113.2',
        test: true,
      },
    },
  ],
  [
    'doctor: the test mapping was granted but not removed',
    {
      ipv4: v4({ stun: seen }),
      portMapping: {
        state: 'mapped',
        protocol: 'natpmp',
        externalPort: 51821,
        externalAddress: '203.0.113.2',
        error: 'the test mapping was not removed (no answer); it ends within 60 s',
        test: true,
      },
    },
  ],
  [
    'a mapping on another external address is unconfirmed',
    {
      ipv4: v4({ stun: seen18, path: null }),
      portMapping: { state: 'mapped', protocol: 'natpmp', externalAddress: '203.0.113.99' },
    },
  ],
  [
    'issue 9 A1: CGNAT behind a silent hop, the router refuses every mapping',
    { ipv4: v4({ stun: seen18, router: stunLearnt, path: silentHop }), portMapping: refusedByRouter },
  ],
  [
    'issue 9 A1: CGNAT with a visible hop, the router refuses',
    {
      ipv4: v4({ stun: seen18, router: stunLearnt, path: ['10.10.0.1', '100.64.0.1', '203.0.113.17'] }),
      portMapping: refusedByRouter,
    },
  ],
  [
    'NAT behind a public hop, UDP blocked on two ports',
    { ipv4: v4({ stun: stunSilent, sources: echo }), ipv6: v6 },
  ],
  ['issue 9 A2: the hop after the router is silent', { ipv4: v4({ stun: seen18, path: silentHop }) }],
  ['a path of the gateway alone', { ipv4: v4({ stun: seen18, path: ['10.10.0.1'] }) }],
  ['the path was not traced', { ipv4: v4({ stun: seen18, path: null }) }],
  ['CGNAT further on the path', { ipv4: v4({ stun: seen18, path: ['10.10.0.1', null, '100.64.7.1'] }) }],
  [
    'a private address further on the path',
    { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '203.0.113.17', '10.1.1.1'] }) },
  ],
  [
    'issue 9 A3: the router answers NAT-PMP and UPnP but declines to say its address',
    {
      ipv4: v4({
        stun: seen,
        router: [
          {
            source: 'natpmp',
            externalAddress: null,
            reason: 'NAT-PMP at 10.10.0.1 refused: 3 (network failure)',
            declined: true,
          },
          {
            source: 'upnp',
            externalAddress: null,
            reason: 'UPnP IGD: the router has no external address (GetExternalIPAddress answered empty)',
            declined: true,
          },
        ],
      }),
    },
  ],
  [
    'CGNAT: the router WAN address is in 100.64.0.0/10',
    { ipv4: v4({ stun: seen18, router: [{ source: 'natpmp', externalAddress: '100.64.0.2' }] }) },
  ],
  [
    'CGNAT: the router WAN address differs from what the internet sees',
    { ipv4: v4({ stun: seen18, router: [{ source: 'upnp', externalAddress: '203.0.113.99' }] }) },
  ],
  [
    'CGNAT wins over double NAT when both show',
    {
      ipv4: v4({
        stun: seen18,
        router: [{ source: 'upnp', externalAddress: '192.168.1.2' }],
        path: ['10.10.0.1', '100.64.0.1'],
      }),
    },
  ],
  [
    'double NAT: the router WAN address is private',
    { ipv4: v4({ stun: seen18, router: [{ source: 'upnp', externalAddress: '192.168.1.2' }] }) },
  ],
  [
    'double NAT: the hop after the router is private, global IPv6',
    { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '10.20.0.1', '203.0.113.17'] }), ipv6: v6 },
  ],
  [
    'CGNAT with global IPv6: reachable over IPv6 only',
    { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '100.64.0.1'] }), ipv6: v6 },
  ],
  ['symmetric NAT', { ipv4: v4({ stun: stunSeen(['203.0.113.2', 1111], ['203.0.113.2', 2222]) }) }],
  ['issue 9 A7: a lying echo is outvoted and named', { ipv4: v4({ stun: seen, sources: lyingEcho }) }],
  [
    'issue 9 A7: no quorum, two opinions: neither is a fact',
    { ipv4: v4({ stun: stunSeen(['203.0.113.2', 40000]), sources: twoOpinions }) },
  ],
  [
    'an echo answering with a documentation address is ignored, and says so',
    {
      ipv4: v4({
        stun: seen,
        sources: [
          known('stun:a:3478', 'ipv4', '203.0.113.2'),
          known('stun:b:19302', 'ipv4', '203.0.113.2'),
          known('http:bogus', 'ipv4', '198.51.100.99'),
          known('interface:eth0', 'ipv4', '10.10.0.2'),
        ],
      }),
    },
  ],
  [
    'IPv6: the sources disagree',
    {
      ipv4: v4({ stun: seen }),
      ipv6: {
        ...v6,
        consensus: decideAddress(
          'ipv6',
          [known('stun:a', 'ipv6', '2001:db8:10::2'), known('http:b', 'ipv6', '2001:db8:10::9')],
          policy,
        ),
      },
    },
  ],
  [
    'one STUN answer, on the box, too few agree: not called NAT',
    { ipv4: v4({ localAddresses: ['203.0.113.2'], stun: stunSeen(['203.0.113.2', 1]) }) },
  ],
  ['one STUN answer only: too few agree', { ipv4: v4({ stun: stunSeen(['203.0.113.2', 1]) }) }],
  [
    'issue 9 A8: offline, every lookup failed',
    {
      ipv4: v4({
        stun: {
          localPort: 0,
          results: [
            {
              server: 'stun.example.net:3478',
              mapped: null,
              error: 'getaddrinfo ENOTFOUND stun.example.net',
            },
            {
              server: 'stun.example.org:19302',
              mapped: null,
              error: 'getaddrinfo ENOTFOUND stun.example.org',
            },
          ],
        },
        tcpWorks: false,
        sources: [unavailable('http:https://echo.example', 'ipv4', 'getaddrinfo ENOTFOUND echo.example')],
      }),
    },
  ],
  [
    'offline, timeouts: the LAN router still answers',
    {
      ipv4: v4({
        stun: stunSilent,
        tcpWorks: false,
        router: [{ source: 'natpmp', externalAddress: '100.64.0.2' }],
        sources: [known('natpmp', 'ipv4', '100.64.0.2')],
      }),
    },
  ],
  [
    'unknown: nothing answered, no STUN configured',
    { ipv4: v4({ stun: null, tcpWorks: false, path: null }) },
  ],
  ['unknown over IPv4, global IPv6', { ipv4: v4({ stun: null, tcpWorks: false, path: null }), ipv6: v6 }],
  [
    'proven: a handshake from the internet arrived',
    {
      ipv4: v4({ stun: seen }),
      inboundSeen: {
        from: '198.51.100.10:40404',
        at: '2026-11-28T10:00:00.000Z',
        via: 'WireGuard handshake',
      },
    },
  ],
  [
    'a public IPv6 address that is not on the box',
    {
      ipv4: v4({ stun: seen, path: ['10.10.0.1', '100.64.0.1'] }),
      ipv6: { ...v6, localAddresses: ['2001:db8:10::3'] },
    },
  ],
];

describe('classifyReachability, the whole verdict', () => {
  it.each(wholeCases)('%s', (name, over) => {
    expect(classifyReachability(facts(over))).toEqual(wholeExpected[name]);
  });
});

describe('stunPort and udpAnswers', () => {
  it.each([
    ['stun.example.net:3478', 3478],
    ['stun.l.google.com:19302', 19302],
    ['[2001:db8::1]:3479', 3479],
    ['stun.example.net', 3478],
    ['s0', 3478],
  ])('%s → %i', (server, port) => {
    expect(stunPort(server)).toBe(port);
  });

  it('UDP answers are the DNS echoes that answered, nothing else', () => {
    expect(
      udpAnswers([
        known('dns:resolver1.example:53', 'ipv4', '203.0.113.2'),
        unavailable('dns:resolver2.example:53', 'ipv4', 'timeout'),
        known('http:echo', 'ipv4', '203.0.113.2'),
        known('stun:a:3478', 'ipv4', '203.0.113.2'),
        known('interface:eth0', 'ipv4', '10.10.0.2'),
      ]),
    ).toEqual(['dns:resolver1.example:53']);
  });
});

/** Cases that pin down each branch (mutation testing finds the ones nothing else checks). */
const branchCases: [string, Partial<ProbeFacts>][] = [
  [
    'online over DNS only: two DNS echoes agree, STUN and TCP silent',
    {
      ipv4: v4({
        stun: stunSilent,
        tcpWorks: false,
        sources: [known('dns:a', 'ipv4', '203.0.113.2'), known('dns:b', 'ipv4', '203.0.113.2')],
      }),
    },
  ],
  [
    'a DNS echo answering a bogus address shows the box is online, but is no evidence of NAT',
    {
      ipv4: v4({ stun: stunSilent, tcpWorks: false, sources: [known('dns:a', 'ipv4', '198.51.100.99')] }),
    },
  ],
  [
    'disagreement, two sources for each address',
    {
      ipv4: v4({
        stun: seen,
        sources: [
          known('stun:a:3478', 'ipv4', '203.0.113.2'),
          known('stun:b:19302', 'ipv4', '203.0.113.2'),
          known('http:x', 'ipv4', '203.0.113.99'),
          known('dns:y', 'ipv4', '203.0.113.99'),
        ],
      }),
    },
  ],
  [
    'IPv6: one answer is too few',
    {
      ipv4: v4({ stun: seen }),
      ipv6: { ...v6, consensus: decideAddress('ipv6', [known('stun:a', 'ipv6', '2001:db8:10::2')], policy) },
    },
  ],
  [
    'UDP blocked: the silent ports are listed in order',
    {
      ipv4: v4({
        stun: {
          localPort: 40000,
          results: [
            { server: 'b:19302', mapped: null, error: 'no answer within 2.5 s' },
            { server: 'a:3478', mapped: null, error: 'no answer within 2.5 s' },
          ],
        },
        sources: echo,
      }),
    },
  ],
  [
    'one server of a port answers, another of the same port is silent: no port is filtered',
    {
      ipv4: v4({
        stun: {
          localPort: 40000,
          results: [
            { server: 'a:3478', mapped: { address: '203.0.113.2', port: 40000 } },
            { server: 'd:3478', mapped: null, error: 'no answer within 2.5 s' },
          ],
        },
        sources: [known('stun:a:3478', 'ipv4', '203.0.113.2'), known('http:echo', 'ipv4', '203.0.113.2')],
      }),
    },
  ],
  [
    'STUN silent on two ports, two DNS echoes answered',
    {
      ipv4: v4({
        stun: stunSilent,
        sources: [known('dns:a', 'ipv4', '203.0.113.2'), known('dns:b', 'ipv4', '203.0.113.2')],
        udpAnswered: ['dns:a', 'dns:b'],
      }),
    },
  ],
  [
    'no STUN configured, TCP works: nothing said about UDP',
    {
      ipv4: v4({
        stun: null,
        sources: [known('http:a', 'ipv4', '203.0.113.2'), known('http:b', 'ipv4', '203.0.113.2')],
      }),
    },
  ],
  [
    'IPv4 silent, IPv6 works: not offline, UDP over IPv4 unknown',
    { ipv4: v4({ stun: stunSilent, tcpWorks: false, sources: [], path: null }), ipv6: v6 },
  ],
  [
    'the router dropped the mapping, with its reason',
    {
      ipv4: v4({ stun: seen }),
      portMapping: { state: 'lost', protocol: 'pcp', error: 'renewal via PCP failed' },
    },
  ],
  ['the router dropped the mapping, no reason', { ipv4: v4({ stun: seen }), portMapping: { state: 'lost' } }],
  ['the router refused, no reason', { ipv4: v4({ stun: seen }), portMapping: { state: 'refused' } }],
  [
    'no mapping protocol answered, no reason',
    { ipv4: v4({ stun: seen }), portMapping: { state: 'unsupported' } },
  ],
  [
    'mapped: the address comes from the router source that has the public one',
    {
      ipv4: v4({
        stun: seen,
        router: [
          { source: 'pcp', externalAddress: null, reason: 'no PCP answer' },
          { source: 'upnp', externalAddress: '203.0.113.2' },
        ],
      }),
      portMapping: { state: 'mapped', protocol: 'upnp' },
    },
  ],
  [
    'mapped on an address, without a quorum to compare it with',
    {
      ipv4: v4({ stun: stunSeen(['203.0.113.2', 1]), path: null }),
      portMapping: { state: 'mapped', protocol: 'natpmp', externalAddress: '203.0.113.99' },
    },
  ],
  [
    'a router that declines without a reason',
    { ipv4: v4({ stun: seen, router: [{ source: 'natpmp', externalAddress: null, declined: true }] }) },
  ],
  [
    'no quorum: a router with a public address is not compared with anything',
    {
      ipv4: v4({
        stun: stunSeen(['203.0.113.2', 1]),
        router: [{ source: 'upnp', externalAddress: '203.0.113.99' }],
      }),
    },
  ],
  [
    'double NAT, and a private hop further on',
    { ipv4: v4({ stun: seen18, path: ['10.10.0.1', '10.20.0.1', '10.1.1.1'] }) },
  ],
  [
    'unknown, and a router that declines to say its address',
    {
      ipv4: v4({
        stun: null,
        tcpWorks: false,
        path: null,
        router: [{ source: 'natpmp', externalAddress: null, reason: 'result 3', declined: true }],
      }),
    },
  ],
  [
    "no quorum: the box's interface has a public address, the internet sees another",
    {
      ipv4: v4({
        localAddresses: ['203.0.113.5'],
        stun: stunSeen(['203.0.113.2', 1]),
        sources: [
          known('stun:a:3478', 'ipv4', '203.0.113.2'),
          known('interface:eth0', 'ipv4', '203.0.113.5'),
        ],
      }),
    },
  ],
  ['NAT, a box with two addresses', { ipv4: v4({ localAddresses: ['10.10.0.2', '10.10.0.3'], stun: seen }) }],
  ['NAT, a box without an IPv4 address of its own', { ipv4: v4({ localAddresses: [], stun: seen }) }],
  [
    'NAT, the router answers with its address: no advice to turn UPnP on',
    { ipv4: v4({ stun: seen, router: [{ source: 'upnp', externalAddress: '203.0.113.2' }] }) },
  ],
  [
    'NAT, the router protocols are silent: turn UPnP on',
    { ipv4: v4({ stun: seen, router: [{ source: 'pcp', externalAddress: null, reason: 'no PCP answer' }] }) },
  ],
  ['no quorum, CGNAT not ruled out', { ipv4: v4({ stun: stunSeen(['203.0.113.2', 1]), path: null }) }],
  [
    'proven, through the port mapping',
    {
      ipv4: v4({ stun: seen }),
      portMapping: { state: 'mapped', protocol: 'upnp', externalAddress: '203.0.113.2' },
      inboundSeen: {
        from: '198.51.100.10:40404',
        at: '2026-11-28T10:00:00.000Z',
        via: 'WireGuard handshake',
      },
    },
  ],
  [
    'proven, although the path shows CGNAT',
    {
      ipv4: v4({ stun: seen18, path: ['10.10.0.1', '100.64.0.1'] }),
      inboundSeen: {
        from: '198.51.100.10:40404',
        at: '2026-11-28T10:00:00.000Z',
        via: 'WireGuard handshake',
      },
    },
  ],
  [
    "unknown: the sources disagree and one of them reports the box's own address",
    {
      ipv4: v4({
        localAddresses: ['203.0.113.2'],
        stun: stunSeen(['203.0.113.2', 1]),
        sources: [known('stun:a:3478', 'ipv4', '203.0.113.2'), known('http:x', 'ipv4', '203.0.113.99')],
      }),
    },
  ],
];

describe('classifyReachability, branch by branch', () => {
  it.each(branchCases)('%s', (name, over) => {
    expect(classifyReachability(facts(over))).toEqual(branchExpected[name]);
  });
});

const branchExpected: Record<string, Verdict> = {
  "no quorum: the box's interface has a public address, the internet sees another": {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: { publicAddress: null, globalReachable: false },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (public address not agreed): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'the sources disagree on the public IPv4 address and none has a quorum (203.0.113.2 from stun:a:3478; 203.0.113.5 from interface:eth0): no answer is taken as fact',
      'no answer from the internet is an address of the box (203.0.113.5): it is behind NAT',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 203.0.113.5.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'online over DNS only: two DNS echoes agree, STUN and TCP silent': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'a DNS echo answering a bogus address shows the box is online, but is no evidence of NAT': {
    level: 'unlikely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Reachability unknown: not enough sources answered.',
    evidence: [
      'dns:a answered 198.51.100.99, a documentation (TEST-NET-2) address: ignored',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'disagreement, two sources for each address': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (public address not agreed): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the sources disagree on the public IPv4 address and none has a quorum (203.0.113.2 from stun:a:3478, stun:b:19302; 203.0.113.99 from http:x, dns:y): no answer is taken as fact',
      'no answer from the internet is an address of the box (10.10.0.2): it is behind NAT',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'IPv6: one answer is too few': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'too few sources agree on the public IPv6 address (1 of 2 needed: 2001:db8:10::2 from stun:a): not taken as fact',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'UDP blocked: the silent ports are listed in order': {
    level: 'impossible',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'blocked',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'UDP is blocked: WireGuard cannot work from this network.',
    evidence: [
      'none of 2 STUN servers answered over UDP (ports 3478, 19302), and no other UDP source answered, while TCP connections to the internet work',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'UDP is blocked on this network, and WireGuard needs UDP: allow outgoing UDP in the firewall, or run Gatehouse on a network that passes UDP.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'one server of a port answers, another of the same port is silent: no port is filtered': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'STUN silent on two ports, two DNS echoes answered': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'no STUN server answered on UDP ports 3478, 19302, while the DNS echo (dns:a, dns:b) answered: UDP itself passes, only those ports are filtered',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'no STUN configured, TCP works: nothing said about UDP': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'IPv4 silent, IPv6 works: not offline, UDP over IPv4 unknown': {
    level: 'likely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: '2001:db8:10::2',
      globalReachable: true,
    },
    inbound: 'ipv6-only',
    headline: 'Reachability unknown: not enough sources answered.',
    evidence: ["IPv6: the box's global address 2001:db8:10::2 is what the internet sees"],
    remedies: [
      "Use IPv6: peers with IPv6 can connect to [2001:db8:10::2]:51820 (allow UDP 51820 to this box in the router's IPv6 firewall).",
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'the router dropped the mapping, with its reason': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'lost',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the router dropped the mapping of UDP port 51820: renewal via PCP failed',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'the router dropped the mapping, no reason': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'lost',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the router dropped the mapping of UDP port 51820',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'the router refused, no reason': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'refused',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2) that refused to map UDP port 51820: a manual forward cannot be verified from inside.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the router refused the mapping of UDP port 51820',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'The router refused to map the port: allow this box in its UPnP / NAT-PMP settings, or keep the manual forward.',
    ],
  },
  'no mapping protocol answered, no reason': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'unsupported',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the router offers no working UPnP, NAT-PMP or PCP',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'mapped: the address comes from the router source that has the public one': {
    level: 'likely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'mapped',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'via-port-mapping',
    headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'UDP port 51820 is mapped on the router by upnp, on the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'mapped on an address, without a quorum to compare it with': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'unconfirmed',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (public address not agreed), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      'too few sources agree on the public IPv4 address (1 of 2 needed: 203.0.113.2 from stun:a:3478): not taken as fact',
      'no answer from the internet is an address of the box (10.10.0.2): it is behind NAT',
      'the path beyond the router was not traced, so carrier-grade NAT cannot be ruled out',
      'UDP port 51820 is mapped on the router by natpmp, but on 203.0.113.99, not on an agreed public address: another NAT may sit in front of the router',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not the address the internet sees, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'a router that declines without a reason': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.2), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the router answers natpmp but declines to say its external address: its WAN side may not be public',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.2, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'no quorum: a router with a public address is not compared with anything': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (public address not agreed): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'too few sources agree on the public IPv4 address (1 of 2 needed: 203.0.113.2 from stun:a:3478): not taken as fact',
      'no answer from the internet is an address of the box (10.10.0.2): it is behind NAT',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: ['Forward UDP port 51820 on your router to this box at 10.10.0.2.'],
  },
  'double NAT, and a private hop further on': {
    level: 'unlikely',
    ipv4: {
      kind: 'double-nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind two NATs: not reachable without forwards on both routers.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the hop after your router (10.20.0.1) is a private address: a second router translates',
      "hop 3 on the path (10.1.1.1) is a private address: the provider's network uses private addresses",
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port 51820 on both (modem → your router → 10.10.0.2).",
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'unknown, and a router that declines to say its address': {
    level: 'unlikely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Reachability unknown: not enough sources answered.',
    evidence: [
      'the router answers natpmp but declines to say its external address (result 3): its WAN side may not be public',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'NAT, a box with two addresses': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2, 10.10.0.3',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'NAT, a box without an IPv4 address of its own': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has no IPv4 address',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at its LAN address.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'NAT, the router answers with its address: no advice to turn UPnP on': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: ['Forward UDP port 51820 on your router to this box at 10.10.0.2.'],
  },
  'NAT, the router protocols are silent: turn UPnP on': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'no quorum, CGNAT not ruled out': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (public address not agreed), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      'too few sources agree on the public IPv4 address (1 of 2 needed: 203.0.113.2 from stun:a:3478): not taken as fact',
      'no answer from the internet is an address of the box (10.10.0.2): it is behind NAT',
      'the path beyond the router was not traced, so carrier-grade NAT cannot be ruled out',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not the address the internet sees, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'proven, through the port mapping': {
    level: 'proven',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'mapped',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'via-port-mapping',
    headline: 'Reachable: WireGuard handshake from 198.51.100.10:40404 arrived from the internet.',
    evidence: [
      'WireGuard handshake from 198.51.100.10:40404 at 2026-11-28T10:00:00.000Z: a peer on the internet reached this box',
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'UDP port 51820 is mapped on the router by upnp, on the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'proven, although the path shows CGNAT': {
    level: 'proven',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'yes',
    headline: 'Reachable: WireGuard handshake from 198.51.100.10:40404 arrived from the internet.',
    evidence: [
      'WireGuard handshake from 198.51.100.10:40404 at 2026-11-28T10:00:00.000Z: a peer on the internet reached this box',
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  "unknown: the sources disagree and one of them reports the box's own address": {
    level: 'unlikely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Reachability unknown: the sources disagree on the public address.',
    evidence: [
      'the sources disagree on the public IPv4 address and none has a quorum (203.0.113.2 from stun:a:3478; 203.0.113.99 from http:x): no answer is taken as fact',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
};

const wholeExpected: Record<string, Verdict> = {
  'one STUN answer, on the box, too few agree: not called NAT': {
    level: 'unlikely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: { publicAddress: null, globalReachable: false },
    inbound: 'no',
    headline: 'Reachability unknown: not enough sources answered.',
    evidence: [
      'too few sources agree on the public IPv4 address (1 of 2 needed: 203.0.113.2 from stun:a:3478): not taken as fact',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'public: the box holds the address STUN sees': {
    level: 'likely',
    ipv4: {
      kind: 'public',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'yes',
    headline: 'Public address 203.0.113.2 on the box itself: reachable.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the box itself holds the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'public address on the box, but UDP blocked on both ports tried': {
    level: 'impossible',
    ipv4: {
      kind: 'public',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'blocked',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'UDP is blocked: WireGuard cannot work from this network.',
    evidence: [
      'none of 2 STUN servers answered over UDP (ports 3478, 19302), and no other UDP source answered, while TCP connections to the internet work',
      'the box itself holds the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'UDP is blocked on this network, and WireGuard needs UDP: allow outgoing UDP in the firewall, or run Gatehouse on a network that passes UDP.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'UDP: one port tried and silent': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'no STUN server answered on UDP port 3478 while TCP works; only that one port was tried, so it may be that port alone that is filtered',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'UDP: port 3478 silent while 19302 answers': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'no STUN server answered on UDP port 3478, while port 19302 answered: UDP itself passes, only that port is filtered',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'UDP: STUN silent on two ports, the DNS echo answered': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'no STUN server answered on UDP ports 3478, 19302, while the DNS echo (dns:echo) answered: UDP itself passes, only those ports are filtered',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'NAT behind a public hop, the mapper was refused': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'refused',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2) that refused to map UDP port 51820: a manual forward cannot be verified from inside.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the router refused the mapping of UDP port 51820: not authorised',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'The router refused to map the port: allow this box in its UPnP / NAT-PMP settings, or keep the manual forward.',
    ],
  },
  'NAT behind a public hop, port mapping disabled': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'disabled',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: ['Forward UDP port 51820 on your router to this box at 10.10.0.2.'],
  },
  'NAT behind a public hop, no protocol answers': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'unsupported',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the router offers no working UPnP, NAT-PMP or PCP (no PCP, NAT-PMP or UPnP answer)',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'NAT, the port is mapped by PCP on the address the router reports': {
    level: 'likely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'mapped',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'via-port-mapping',
    headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'UDP port 51820 is mapped on the router by pcp, on the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'NAT, mapped by a protocol that did not say its name or address': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'unconfirmed',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.2), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router did not answer the path probe (carrier-grade NAT often stays silent there)',
      'UDP port 51820 is mapped on the router by a port-mapping protocol, but on an external address it did not say, not on 203.0.113.2: another NAT may sit in front of the router',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.2, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'doctor: the router granted the test mapping and it was removed': {
    level: 'likely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'mapped',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'via-port-mapping',
    headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the router granted a test mapping (UDP port 51821, for one minute) by upnp, removed again, on the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'doctor: the test mapping was granted but not removed': {
    level: 'likely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'mapped',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'via-port-mapping',
    headline: 'Behind a router (203.0.113.2); the WireGuard port is mapped automatically.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the router granted a test mapping (UDP port 51821, for one minute) by natpmp (the test mapping was not removed (no answer); it ends within 60 s), on the public address 203.0.113.2',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'a mapping on another external address is unconfirmed': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'unconfirmed',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the internet sees 203.0.113.18 while the box has 10.10.0.2',
      'the path beyond the router was not traced, so carrier-grade NAT cannot be ruled out',
      'UDP port 51820 is mapped on the router by natpmp, but on 203.0.113.99, not on 203.0.113.18: another NAT may sit in front of the router',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'issue 9 A1: CGNAT behind a silent hop, the router refuses every mapping': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'refused',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out; the router refused to map UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the internet sees 203.0.113.18 while the box has 10.10.0.2',
      'the hop after your router did not answer the path probe (carrier-grade NAT often stays silent there)',
      'the router refused a test mapping (UDP port 51821, for one minute): NAT-PMP at 10.10.0.1 refused to map UDP 51821: 3 (network failure); UPnP IGD: AddPortMapping failed with 501 (Action Failed)',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'The router refused to map the port, as routers behind carrier-grade NAT do; if its WAN address is public, allow this box in its UPnP / NAT-PMP settings.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'issue 9 A1: CGNAT with a visible hop, the router refuses': {
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'refused',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind carrier-grade NAT: not reachable from the internet.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
      'the router refused a test mapping (UDP port 51821, for one minute): NAT-PMP at 10.10.0.1 refused to map UDP 51821: 3 (network failure); UPnP IGD: AddPortMapping failed with 501 (Action Failed)',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'NAT behind a public hop, UDP blocked on two ports': {
    level: 'impossible',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'unknown',
      udp: 'blocked',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: '2001:db8:10::2',
      globalReachable: true,
    },
    inbound: 'no',
    headline: 'UDP is blocked: WireGuard cannot work from this network.',
    evidence: [
      'none of 2 STUN servers answered over UDP (ports 3478, 19302), and no other UDP source answered, while TCP connections to the internet work',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      "IPv6: the box's global address 2001:db8:10::2 is what the internet sees",
    ],
    remedies: [
      'UDP is blocked on this network, and WireGuard needs UDP: allow outgoing UDP in the firewall, or run Gatehouse on a network that passes UDP.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'issue 9 A2: the hop after the router is silent': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the internet sees 203.0.113.18 while the box has 10.10.0.2',
      'the hop after your router did not answer the path probe (carrier-grade NAT often stays silent there)',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'a path of the gateway alone': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the internet sees 203.0.113.18 while the box has 10.10.0.2',
      'no hop beyond the router answered the path probe, so carrier-grade NAT cannot be ruled out',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'the path was not traced': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the internet sees 203.0.113.18 while the box has 10.10.0.2',
      'the path beyond the router was not traced, so carrier-grade NAT cannot be ruled out',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'CGNAT further on the path': {
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind carrier-grade NAT: not reachable from the internet.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'hop 3 on the path (100.64.7.1) is in the carrier-grade NAT range 100.64.0.0/10',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'a private address further on the path': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the internet sees 203.0.113.18 while the box has 10.10.0.2',
      "hop 3 on the path (10.1.1.1) is a private address: the provider's network uses private addresses",
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'issue 9 A3: the router answers NAT-PMP and UPnP but declines to say its address': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind NAT (203.0.113.2), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port 51820.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the router answers natpmp but declines to say its external address (NAT-PMP at 10.10.0.1 refused: 3 (network failure)): its WAN side may not be public',
      'the router answers upnp but declines to say its external address (UPnP IGD: the router has no external address (GetExternalIPAddress answered empty)): its WAN side may not be public',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.2, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
      'If it is the same, forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'CGNAT: the router WAN address is in 100.64.0.0/10': {
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind carrier-grade NAT: not reachable from the internet.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      "the router's WAN address (natpmp) is 100.64.0.2, in the carrier-grade NAT range 100.64.0.0/10",
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'CGNAT: the router WAN address differs from what the internet sees': {
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind carrier-grade NAT: not reachable from the internet.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the router says its public address is 203.0.113.99 (upnp) but the internet sees 203.0.113.18',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'CGNAT wins over double NAT when both show': {
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind carrier-grade NAT: not reachable from the internet.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'double NAT: the router WAN address is private': {
    level: 'unlikely',
    ipv4: {
      kind: 'double-nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind two NATs: not reachable without forwards on both routers.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      "the router's WAN address (upnp) is 192.168.1.2, a private address",
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port 51820 on both (modem → your router → 10.10.0.2).",
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'double NAT: the hop after the router is private, global IPv6': {
    level: 'likely',
    ipv4: {
      kind: 'double-nat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: '2001:db8:10::2',
      globalReachable: true,
    },
    inbound: 'ipv6-only',
    headline: 'Behind two NATs: reachable over IPv6 only.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.18:1',
      'the hop after your router (10.20.0.1) is a private address: a second router translates',
      "IPv6: the box's global address 2001:db8:10::2 is what the internet sees",
    ],
    remedies: [
      "Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port 51820 on both (modem → your router → 10.10.0.2).",
      "Use IPv6: peers with IPv6 can connect to [2001:db8:10::2]:51820 (allow UDP 51820 to this box in the router's IPv6 firewall).",
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'CGNAT with global IPv6: reachable over IPv6 only': {
    level: 'likely',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.18',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: '2001:db8:10::2',
      globalReachable: true,
    },
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
  'symmetric NAT': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-dependent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'one local port was mapped differently per STUN server (a:3478 saw 203.0.113.2:1111, b:19302 saw 203.0.113.2:2222)',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
      'The NAT picks a new port for every destination (symmetric NAT): forward the port or use a relay; hole punching will not work.',
    ],
  },
  'issue 9 A7: a lying echo is outvoted and named': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'http:liar said 203.0.113.99, outvoted by stun:a:3478, stun:b:19302 (203.0.113.2): http:liar is wrong or stale',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'issue 9 A7: no quorum, two opinions: neither is a fact': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (public address not agreed): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'the sources disagree on the public IPv4 address and none has a quorum (203.0.113.2 from stun:a:3478; 203.0.113.99 from http:liar): no answer is taken as fact',
      'no answer from the internet is an address of the box (10.10.0.2): it is behind NAT',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'an echo answering with a documentation address is ignored, and says so': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'http:bogus answered 198.51.100.99, a documentation (TEST-NET-2) address: ignored',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'IPv6: the sources disagree': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (203.0.113.2): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'the sources disagree on the public IPv6 address and none has a quorum (2001:db8:10::2 from stun:a; 2001:db8:10::9 from http:b): no answer is taken as fact',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'one STUN answer only: too few agree': {
    level: 'unlikely',
    ipv4: {
      kind: 'nat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'needs-port-forward',
    headline:
      'Behind a router (public address not agreed): cannot verify from inside whether UDP port 51820 is forwarded to this box.',
    evidence: [
      'too few sources agree on the public IPv4 address (1 of 2 needed: 203.0.113.2 from stun:a:3478): not taken as fact',
      'no answer from the internet is an address of the box (10.10.0.2): it is behind NAT',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      'Forward UDP port 51820 on your router to this box at 10.10.0.2.',
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    ],
  },
  'issue 9 A8: offline, every lookup failed': {
    level: 'impossible',
    ipv4: {
      kind: 'offline',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: "Offline: no source on the internet answered. Check this box's internet connection and DNS.",
    evidence: [
      'no source on the internet answered, and every name lookup failed (e.g. getaddrinfo ENOTFOUND stun.example.net): DNS does not work from this box',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Check this box's internet connection and DNS: its network cable or Wi-Fi, the router's internet link, and the DNS server in /etc/resolv.conf.",
    ],
  },
  'offline, timeouts: the LAN router still answers': {
    level: 'impossible',
    ipv4: {
      kind: 'offline',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: "Offline: no source on the internet answered. Check this box's internet connection and DNS.",
    evidence: [
      'no source on the internet answered over UDP or TCP (2 tried): the box seems offline',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [
      "Check this box's internet connection and DNS: its network cable or Wi-Fi, the router's internet link, and the DNS server in /etc/resolv.conf.",
    ],
  },
  'unknown: nothing answered, no STUN configured': {
    level: 'unlikely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Reachability unknown: not enough sources answered.',
    evidence: ['IPv6: the box has no global IPv6 address'],
    remedies: [
      'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'unknown over IPv4, global IPv6': {
    level: 'likely',
    ipv4: {
      kind: 'unknown',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'unknown',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: '2001:db8:10::2',
      globalReachable: true,
    },
    inbound: 'ipv6-only',
    headline: 'Reachability unknown: not enough sources answered.',
    evidence: ["IPv6: the box's global address 2001:db8:10::2 is what the internet sees"],
    remedies: [
      "Use IPv6: peers with IPv6 can connect to [2001:db8:10::2]:51820 (allow UDP 51820 to this box in the router's IPv6 firewall).",
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
  'proven: a handshake from the internet arrived': {
    level: 'proven',
    ipv4: {
      kind: 'nat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: null,
      globalReachable: false,
    },
    inbound: 'yes',
    headline: 'Reachable: WireGuard handshake from 198.51.100.10:40404 arrived from the internet.',
    evidence: [
      'WireGuard handshake from 198.51.100.10:40404 at 2026-11-28T10:00:00.000Z: a peer on the internet reached this box',
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the internet sees 203.0.113.2 while the box has 10.10.0.2',
      'the hop after your router (203.0.113.1) is a public address',
      'IPv6: the box has no global IPv6 address',
    ],
    remedies: [],
  },
  'a public IPv6 address that is not on the box': {
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: '203.0.113.2',
      mapping: 'endpoint-independent',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: {
      publicAddress: '2001:db8:10::2',
      globalReachable: false,
    },
    inbound: 'no',
    headline: 'Behind carrier-grade NAT: not reachable from the internet.',
    evidence: [
      '2 STUN servers saw the same mapping 203.0.113.2:40000',
      'the hop after your router (100.64.0.1) is in the carrier-grade NAT range 100.64.0.0/10',
    ],
    remedies: [
      'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      'Use a relay: a small VPS running WireGuard that this box connects out to.',
      'Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
    ],
  },
};

describe('a port mapping without an agreed public address (review)', () => {
  it('is never "mapped": a router answer without an address does not match the missing public one', () => {
    const policy = { quorum: 2, trustedSource: null, publicRanges: ['198.51.100.0/24', '203.0.113.0/24'] };
    const results = [
      known('stun:a:3478', 'ipv4', '203.0.113.9'),
      unavailable('stun:b:19302', 'ipv4', 'timeout'),
      unavailable('http:echo', 'ipv4', 'timeout'),
    ];
    const v = classifyReachability({
      ipv4: {
        localAddresses: ['10.0.0.20'],
        tcpWorks: false,
        udpAnswered: [],
        path: null,
        stun: {
          localPort: 1,
          results: [
            { server: 'a:3478', mapped: { address: '203.0.113.9', port: 1 } },
            { server: 'b:19302', mapped: null },
          ],
        },
        router: [{ source: 'natpmp', externalAddress: null, declined: true, reason: 'result 3' }],
        consensus: decideAddress('ipv4', results, policy),
      },
      ipv6: {
        localAddresses: [],
        tcpWorks: false,
        stun: null,
        router: [],
        path: null,
        consensus: decideAddress('ipv6', [], policy),
      },
      wireguardPort: 51820,
      portMapping: { state: 'mapped', protocol: 'upnp', externalPort: 51820 },
    });
    expect(v.ipv4.publicAddress).toBeNull();
    expect(v.ipv4.portMapping).toBe('unconfirmed');
    expect(v.inbound).not.toBe('via-port-mapping');
    expect(v.ipv4.cgnat).not.toBe('ruled-out');
    expect(v.evidence.join(' ')).not.toMatch(/public address null/);
  });
});

describe('an inbound packet seen earlier (review)', () => {
  const policy = { quorum: 2, trustedSource: null, publicRanges: ['198.51.100.0/24', '203.0.113.0/24'] };
  const family = (
    results: SourceResult[],
    fam: 'ipv4' | 'ipv6',
    stunResults: { server: string; mapped: { address: string; port: number } | null }[],
  ) => ({
    localAddresses: fam === 'ipv4' ? ['10.0.0.20'] : [],
    tcpWorks: false,
    path: null,
    stun: fam === 'ipv4' ? { localPort: 1, results: stunResults } : null,
    router: [],
    consensus: decideAddress(fam, results, policy),
  });
  const seenBefore = {
    from: '198.51.100.10:40404',
    at: '2026-11-28T10:00:00.000Z',
    via: 'WireGuard handshake',
  };

  it('proves nothing while the box is offline or UDP is blocked now', () => {
    const silent = [
      unavailable('stun:a:3478', 'ipv4', 'ENOTFOUND'),
      unavailable('stun:b:19302', 'ipv4', 'ENOTFOUND'),
    ];
    const offline = classifyReachability({
      ipv4: family(silent, 'ipv4', [
        { server: 'a:3478', mapped: null },
        { server: 'b:19302', mapped: null },
      ]),
      ipv6: family([], 'ipv6', []),
      portMapping: null,
      wireguardPort: 51820,
      inboundSeen: seenBefore,
    });
    expect(offline.ipv4.kind).toBe('offline');
    expect(offline.level).toBe('impossible');
    expect(offline.headline).not.toMatch(/^Reachable/);
  });

  it('proves nothing while UDP is blocked now (STUN silent on two ports, TCP answering)', () => {
    const results = [
      unavailable('stun:a:3478', 'ipv4', 'no answer'),
      unavailable('stun:b:19302', 'ipv4', 'no answer'),
      known('http:echo', 'ipv4', '203.0.113.9'),
    ];
    const blocked = classifyReachability({
      ipv4: {
        ...family(results, 'ipv4', [
          { server: 'a:3478', mapped: null },
          { server: 'b:19302', mapped: null },
        ]),
        tcpWorks: true,
      },
      ipv6: family([], 'ipv6', []),
      portMapping: null,
      wireguardPort: 51820,
      inboundSeen: seenBefore,
    });
    expect(blocked.ipv4.udp).toBe('blocked');
    expect(blocked.level).toBe('impossible');
    expect(blocked.evidence.join(' ')).not.toContain('WireGuard handshake');
  });

  it('says since when the way in is proven when the handshakes go back further than the latest', () => {
    const results = [
      known('stun:a:3478', 'ipv4', '203.0.113.2'),
      known('stun:b:19302', 'ipv4', '203.0.113.2'),
    ];
    const facts = (since: string | undefined) =>
      classifyReachability({
        ipv4: family(results, 'ipv4', [
          { server: 'a:3478', mapped: { address: '203.0.113.2', port: 40000 } },
          { server: 'b:19302', mapped: { address: '203.0.113.2', port: 40000 } },
        ]),
        ipv6: family([], 'ipv6', []),
        portMapping: null,
        wireguardPort: 51820,
        inboundSeen: { ...seenBefore, ...(since === undefined ? {} : { since }) },
      });
    expect(facts('2026-11-28T08:00:00.000Z').evidence[0]).toBe(
      'WireGuard handshake from 198.51.100.10:40404 at 2026-11-28T10:00:00.000Z (proven since ' +
        '2026-11-28T08:00:00.000Z): a peer on the internet reached this box',
    );
    expect(facts('2026-11-28T10:00:00.000Z').evidence[0]).toBe(
      'WireGuard handshake from 198.51.100.10:40404 at 2026-11-28T10:00:00.000Z: a peer on the internet reached this box',
    );
    expect(facts(undefined).level).toBe('proven');
  });
});

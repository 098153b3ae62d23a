import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { testConfig } from '../../test/support/config.js';
import { probeReachability } from './probe.js';
import { scriptedReport } from '../../test/fakes/reach-report.js';
import { withPortMapping } from './doctor.js';
import { failureGroups, failureKind, reportJson, reportText, sourceLines } from './report-format.js';
import { known, unavailable } from './types.js';
import type { StunClient } from './stun-client.js';

const settings = {
  ...testConfig({ dataDir: '/nonexistent' }).reachability,
  stunServers: ['203.0.113.65:3478', '203.0.113.66:3478'],
  httpEcho: [],
  dnsEcho: [],
  publicRanges: ['203.0.113.0/24'],
};
/** Both servers see the box behind one NAT at 203.0.113.7:4000. */
const stun: StunClient = {
  query: (servers, family) =>
    Promise.resolve({
      localPort: 40000,
      results:
        family === 'ipv4'
          ? servers.map((server) => ({ server, mapped: { address: '203.0.113.7', port: 4000 } }))
          : servers.map((server) => ({ server, mapped: null, error: 'no IPv6' })),
    }),
};

function probeWith(runner: FakeRunner) {
  return probeReachability(
    {
      runner,
      fetch: () => Promise.reject(new Error('no HTTP in this test')),
      stun,
      clock: new FakeClock('2026-11-28T10:00:00.000Z'),
    },
    settings,
  );
}

describe('the report says why the path was not traced (README: "without it the report says so")', () => {
  it('traceroute missing: JSON, doctor text and the evidence name it', async () => {
    const report = await probeWith(new FakeRunner().missing('ip').missing('traceroute'));
    const json = reportJson(report);
    expect(json.ipv4.path).toBeNull();
    expect(json.ipv4.pathError).toBe('traceroute is not installed (apt-get install traceroute)');
    expect(reportText(report)).toContain(
      "\n\nPath not traced: traceroute is not installed (apt-get install traceroute); the verdict relies on the router's answers.\n",
    );
    // The probe asked for the path towards the first STUN server.
    expect(report.facts.ipv4.stun?.results).toHaveLength(2);
  });

  it('traceroute present: the hops are there and no path error is printed', async () => {
    const runner = new FakeRunner()
      .missing('ip')
      .on(['traceroute', '-n', '-q', '1', '-w', '1', '-m', '3', '203.0.113.65'], {
        exitCode: 0,
        stdout:
          'traceroute to 203.0.113.65 (203.0.113.65), 3 hops max, 60 byte packets\n 1  10.10.0.1  0.1 ms\n 2  *\n 3  203.0.113.65  0.3 ms\n',
        stderr: '',
      })
      // The silent hop 2 is asked again, and stays silent.
      .on(['traceroute', '-n', '-q', '3', '-w', '1', '-f', '2', '-m', '3', '203.0.113.65'], {
        exitCode: 0,
        stdout: 'traceroute to 203.0.113.65\n 2  * * *\n 3  203.0.113.65  0.3 ms  0.2 ms  0.2 ms\n',
        stderr: '',
      });
    const report = await probeWith(runner);
    const json = reportJson(report);
    expect(json.ipv4.path).toEqual(['10.10.0.1', null, '203.0.113.65']);
    expect(json.ipv4.pathError).toBeNull();
    expect(reportText(report)).not.toContain('Path not traced');
  });
});

describe('doctor text: level, disagreement and the sources table', () => {
  const now = new Date('2026-11-28T10:00:00.000Z');
  const publicRanges = ['203.0.113.0/24'];

  it('names the verdict level and CGNAT finding, and shows an outvoted source under Disagreement', () => {
    const report = scriptedReport(
      [
        known('stun:203.0.113.65:3478', 'ipv4', '203.0.113.2'),
        known('stun:203.0.113.66:3479', 'ipv4', '203.0.113.2'),
        known('http:liar', 'ipv4', '203.0.113.99'),
      ],
      { now, publicRanges, path: ['10.0.0.1', '203.0.113.1'] },
    );
    const text = reportText(report);
    expect(text).toContain('\nVerdict: unlikely\n');
    expect(text).toContain('CGNAT ruled-out  port mapping not-tried');
    expect(text).toContain(
      '\nDisagreement:\n  IPv4: 203.0.113.2 (stun:203.0.113.65:3478, stun:203.0.113.66:3479) — outvoted:\n    http:liar said 203.0.113.99\n',
    );
    expect(reportJson(report)).toMatchObject({ level: 'unlikely', ipv4: { cgnat: 'ruled-out' } });
  });

  it('without a quorum every answer is listed and none is presented as the address', () => {
    const report = scriptedReport(
      [known('stun:203.0.113.65:3478', 'ipv4', '203.0.113.2'), known('http:liar', 'ipv4', '203.0.113.99')],
      { now, publicRanges },
    );
    const text = reportText(report);
    expect(text).toContain(
      '\nDisagreement:\n  IPv4: no quorum, the sources disagree:\n    stun:203.0.113.65:3478 said 203.0.113.2\n    http:liar said 203.0.113.99\n',
    );
    expect(text).toContain('IPv4  nat        public -  mapping');
    expect(text).not.toMatch(/the internet sees \d/);
  });

  it('agreement prints no Disagreement section; answering sources are listed one per line', () => {
    const report = scriptedReport(
      [
        known('stun:a:3478', 'ipv4', '203.0.113.2'),
        unavailable('stun:b:19302', 'ipv4', 'no answer within 2.5 s'),
      ],
      { now, publicRanges },
    );
    const text = reportText(report);
    expect(text).not.toContain('Disagreement');
    expect(text).toContain(`  ipv4  ${'stun:a:3478'.padEnd(36)} 203.0.113.2\n`);
    expect(text).toContain(`  ipv4  ${'stun:b:19302'.padEnd(36)} unavailable: no answer within 2.5 s\n`);
  });

  it('offline: the sources collapse to a summary by kind of failure, with one example each', () => {
    const report = scriptedReport(
      [
        unavailable('stun:stun.example.net:3478', 'ipv4', 'getaddrinfo ENOTFOUND stun.example.net'),
        unavailable('stun:stun.example.org:19302', 'ipv4', 'getaddrinfo ENOTFOUND stun.example.org'),
        unavailable('http:https://echo.example', 'ipv4', 'fetch failed: getaddrinfo ENOTFOUND echo.example'),
        unavailable('natpmp', 'ipv4', 'no NAT-PMP answer from 10.0.0.1 within 2 s'),
      ],
      { now, tcpWorks: false },
    );
    const text = reportText(report);
    expect(text).toContain(
      [
        'Sources:',
        '  4 sources, none answered:',
        '    3 × ENOTFOUND (e.g. stun:stun.example.net:3478: getaddrinfo ENOTFOUND stun.example.net)',
        '    1 × no answer in time (e.g. natpmp: no NAT-PMP answer from 10.0.0.1 within 2 s)',
        '',
      ].join('\n'),
    );
    expect(text).toContain("Check this box's internet connection and DNS");
    expect(text).not.toContain('relay');
  });

  it.each([
    ['getaddrinfo ENOTFOUND stun.example.net', 'ENOTFOUND'],
    ['connect ENETUNREACH 203.0.113.65:8088', 'ENETUNREACH'],
    ['no answer within 2.5 s', 'no answer in time'],
    ['request timed out', 'no answer in time'],
    ['timeout', 'no answer in time'],
    ['NAT-PMP at 10.0.0.1 refused: 3 (network failure)', 'NAT-PMP at 10.0.0.1 refused: 3 (network failure)'],
    ["UPnP IGD reports only the router's IPv4 address", "IPv4 only (the router's protocols)"],
    ['no global ipv6 address on this box', 'no global IPv6 address on this box'],
    ['no global ipv6 address on the box', 'no global IPv6 address on this box'],
    ['no global IPv4 address on this box', 'no global IPv4 address on this box'],
    ['interface: no global ipv4 address on the box', 'no global IPv4 address on this box'],
    ['only non-public ipv4 addresses on the box (10.0.0.2)', "no public address on the box's interfaces"],
  ])('failureKind(%s) = %s', (reason, kind) => {
    expect(failureKind(reason)).toBe(kind);
  });

  it('the table stays when any source answered (no summary in the JSON)', () => {
    const sources = [
      {
        source: 'stun:a:3478',
        family: 'ipv4' as const,
        status: 'known' as const,
        address: '203.0.113.2',
        reason: null,
      },
      {
        source: 'http:b',
        family: 'ipv6' as const,
        status: 'unavailable' as const,
        address: null,
        reason: 'timeout',
      },
    ];
    expect(failureGroups(sources)).toBeNull();
    expect(failureGroups([])).toBeNull();
    expect(sourceLines({ sources, sourcesSummary: null })).toEqual([
      `ipv4  ${'stun:a:3478'.padEnd(36)} 203.0.113.2`,
      `ipv6  ${'http:b'.padEnd(36)} unavailable: timeout`,
    ]);
  });

  it('failures are grouped by kind with one example each, most frequent first', () => {
    expect(
      failureGroups([
        { source: 'natpmp', status: 'unavailable', reason: 'no NAT-PMP answer from 10.0.0.1 within 2 s' },
        { source: 'stun:a', status: 'unavailable', reason: 'cannot resolve a.example: EAI_AGAIN' },
        { source: 'stun:b', status: 'unavailable', reason: 'cannot resolve b.example: EAI_AGAIN' },
        { source: 'http:c', status: 'unavailable', reason: null },
      ]),
    ).toEqual([
      {
        kind: 'EAI_AGAIN',
        count: 2,
        example: { source: 'stun:a', reason: 'cannot resolve a.example: EAI_AGAIN' },
      },
      {
        kind: 'no answer in time',
        count: 1,
        example: { source: 'natpmp', reason: 'no NAT-PMP answer from 10.0.0.1 within 2 s' },
      },
      { kind: 'no reason given', count: 1, example: { source: 'http:c', reason: 'no reason given' } },
    ]);
  });
});

describe('JSON: the port mapping status says what the router did', () => {
  it('a doctor test mapping: state, protocol, external address and port, test flag', async () => {
    const report = withPortMapping(
      await probeWith(new FakeRunner().missing('ip').missing('traceroute')),
      { state: 'mapped', protocol: 'upnp', externalPort: 51821, externalAddress: '203.0.113.7', test: true },
      51820,
    );
    expect(reportJson(report).portMappingStatus).toEqual({
      state: 'mapped',
      protocol: 'upnp',
      externalPort: 51821,
      externalAddress: '203.0.113.7',
      error: null,
      test: true,
    });
    expect(reportJson(report).ipv4.portMapping).toBe('mapped');
    expect(report.verdict.inbound).toBe('via-port-mapping');
  });

  it('the server mapper refused: no test flag, the router answer as error', async () => {
    const report = withPortMapping(
      await probeWith(new FakeRunner().missing('ip').missing('traceroute')),
      { state: 'refused', error: 'UPnP IGD: 501 (Action Failed)' },
      51820,
    );
    expect(reportJson(report).portMappingStatus).toEqual({
      state: 'refused',
      protocol: null,
      externalPort: null,
      externalAddress: null,
      error: 'UPnP IGD: 501 (Action Failed)',
      test: false,
    });
    expect(reportJson(report).ipv4.portMapping).toBe('refused');
  });

  it('no mapping tried: null', async () => {
    const report = await probeWith(new FakeRunner().missing('ip').missing('traceroute'));
    expect(reportJson(report).portMappingStatus).toBeNull();
    expect(reportJson(report).ipv4.portMapping).toBe('not-tried');
  });
});

describe('the whole doctor text and JSON, word for word', () => {
  const now = new Date('2026-11-28T10:00:00.000Z');
  /** Issue 9 A1 as the doctor reports it: a refusing router behind a silent hop. */
  const refused = () =>
    withPortMapping(
      scriptedReport(
        [
          known('stun:203.0.113.65:3478', 'ipv4', '203.0.113.18'),
          known('http:203.0.113.65:8088', 'ipv4', '203.0.113.18'),
          known('natpmp', 'ipv4', '203.0.113.18'),
        ],
        {
          now,
          publicRanges: ['203.0.113.0/24'],
          path: ['10.0.0.1', null, '203.0.113.65'],
          router: [{ source: 'natpmp', externalAddress: '203.0.113.18' }],
        },
      ),
      { state: 'refused', externalPort: 51821, error: 'NAT-PMP: result 3 (network failure)', test: true },
      51820,
    );

  it('text', () => {
    expect(reportText(refused())).toBe(
      [
        'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out; the router refused to map UDP port 51820.',
        '',
        'Verdict: unlikely',
        'IPv4  nat        public 203.0.113.18  mapping unknown  UDP ok  CGNAT not-ruled-out  port mapping refused',
        'IPv6  no         public -',
        '',
        'Evidence:',
        '  - the internet sees 203.0.113.18 while the box has 10.0.0.2',
        '  - the hop after your router did not answer the path probe (carrier-grade NAT often stays silent there)',
        '  - the router refused a test mapping (UDP port 51821, for one minute): NAT-PMP: result 3 (network failure)',
        '  - IPv6: the box has no global IPv6 address',
        '',
        'What to do:',
        "  1. Look up your router's WAN (internet) address on its status page. If it is not 203.0.113.18, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.",
        '  2. If it is the same, forward UDP port 51820 on your router to this box at 10.0.0.2.',
        '  3. The router refused to map the port, as routers behind carrier-grade NAT do; if its WAN address is public, allow this box in its UPnP / NAT-PMP settings.',
        '  4. Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
        '  5. Use a relay: a small VPS running WireGuard that this box connects out to.',
        '  6. Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.',
        '',
        'Sources:',
        `  ipv4  ${'stun:203.0.113.65:3478'.padEnd(36)} 203.0.113.18`,
        `  ipv4  ${'http:203.0.113.65:8088'.padEnd(36)} 203.0.113.18`,
        `  ipv4  ${'natpmp'.padEnd(36)} 203.0.113.18`,
        '',
      ].join('\n'),
    );
  });

  it('JSON', () => {
    expect(reportJson(refused())).toEqual({
      at: '2026-11-28T10:00:00.000Z',
      headline:
        'Behind NAT (203.0.113.18), carrier-grade NAT not ruled out; the router refused to map UDP port 51820.',
      level: 'unlikely',
      inbound: 'needs-port-forward',
      ipv4: {
        kind: 'nat',
        publicAddress: '203.0.113.18',
        mapping: 'unknown',
        udp: 'ok',
        cgnat: 'not-ruled-out',
        portMapping: 'refused',
        consensus: 'accepted',
        localAddresses: ['10.0.0.2'],
        path: ['10.0.0.1', null, '203.0.113.65'],
        pathError: null,
      },
      ipv6: { publicAddress: null, globalReachable: false, consensus: 'insufficient', localAddresses: [] },
      portMappingStatus: {
        state: 'refused',
        protocol: null,
        externalPort: 51821,
        externalAddress: null,
        error: 'NAT-PMP: result 3 (network failure)',
        test: true,
      },
      evidence: refused().verdict.evidence,
      remedies: refused().verdict.remedies,
      sources: [
        {
          source: 'stun:203.0.113.65:3478',
          family: 'ipv4',
          status: 'known',
          address: '203.0.113.18',
          reason: null,
        },
        {
          source: 'http:203.0.113.65:8088',
          family: 'ipv4',
          status: 'known',
          address: '203.0.113.18',
          reason: null,
        },
        { source: 'natpmp', family: 'ipv4', status: 'known', address: '203.0.113.18', reason: null },
      ],
      sourcesSummary: null,
    });
    expect(reportJson(refused()).evidence).toHaveLength(4);
    expect(reportJson(refused()).remedies).toHaveLength(6);
  });

  it('IPv6 reachable, no evidence, an IPv6 disagreement and an accepted IPv4 without dissent', () => {
    const base = scriptedReport(
      [known('stun:a:3478', 'ipv4', '203.0.113.2'), known('http:b', 'ipv4', '203.0.113.2')],
      {
        now,
        publicRanges: ['203.0.113.0/24'],
      },
    );
    const report = {
      ...base,
      verdict: {
        ...base.verdict,
        ipv6: { publicAddress: '2001:db8::2', globalReachable: true },
        evidence: [],
        remedies: [],
      },
      facts: { ...base.facts, ipv6: { ...base.facts.ipv6, localAddresses: ['2001:db8::2'] } },
      consensus: {
        ...base.consensus,
        ipv6: {
          kind: 'disagreement' as const,
          family: 'ipv6' as const,
          answers: [
            { source: 'stun:v6', address: '2001:db8::2' },
            { source: 'http:v6', address: '2001:db8::9' },
          ],
          rejected: [],
        },
      },
    };
    const text = reportText(report);
    expect(text).toContain('\nIPv6  reachable  public 2001:db8::2\n\nEvidence:\n  (none)\n\nDisagreement:\n');
    expect(text).toContain(
      '\nDisagreement:\n  IPv6: no quorum, the sources disagree:\n    stun:v6 said 2001:db8::2\n    http:v6 said 2001:db8::9\n\n',
    );
    expect(text).not.toContain('IPv4: 203.0.113.2');
    expect(text).not.toContain('What to do:');
    expect(reportJson(report).ipv6.localAddresses).toEqual(['2001:db8::2']);
  });
});

/**
 * @module `gatehouse doctor` through the CLI entry with the probe's answers scripted (no network): exit 0 when
 * peers can reach the box, 1 when not, 2 for a usage error; the text and JSON reports; the settings it probes with.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliDeps, type CliIo } from '../../src/cli.js';
import type { AppConfig } from '../../src/config/index.js';
import type { ReachabilityReport } from '../../src/reach/probe.js';
import { withPortMapping } from '../../src/reach/doctor.js';
import { reportJson } from '../../src/reach/report-format.js';
import { known, unavailable } from '../../src/reach/types.js';
import { scriptedReport } from '../fakes/reach-report.js';

const now = new Date('2026-05-01T00:00:00.000Z');
const publicRanges = ['203.0.113.0/24'];
const agreeing = [
  known('stun:stun1.test:3478', 'ipv4', '203.0.113.7'),
  known('http:echo.test', 'ipv4', '203.0.113.7'),
];

/** The hop after the router answers with a public address: no carrier-grade NAT. */
const publicPath = ['10.0.0.1', '203.0.113.1'];
const reports = {
  /** Behind a router that granted the doctor's test mapping on the public address. */
  mappable: () =>
    withPortMapping(
      scriptedReport(agreeing, {
        now,
        publicRanges,
        path: publicPath,
        router: [{ source: 'upnp', externalAddress: '203.0.113.7' }],
      }),
      { state: 'mapped', protocol: 'upnp', externalPort: 51821, externalAddress: '203.0.113.7', test: true },
      51820,
    ),
  /** Behind a router that maps nothing: a manual port forward is needed. */
  needsForward: () => scriptedReport(agreeing, { now, publicRanges, path: publicPath }),
  /**
   * Issue 9 A1: the router answers UPnP and NAT-PMP with the address it learnt by STUN, refuses the test mapping,
   * and the hop after it is silent.
   */
  refusingRouter: () =>
    withPortMapping(
      scriptedReport(agreeing, {
        now,
        publicRanges,
        path: ['10.0.0.1', null, '203.0.113.65'],
        router: [
          { source: 'upnp', externalAddress: '203.0.113.7' },
          { source: 'natpmp', externalAddress: '203.0.113.7' },
        ],
      }),
      {
        state: 'refused',
        externalPort: 51821,
        error: 'UPnP IGD: AddPortMapping failed with 501 (Action Failed)',
        test: true,
      },
      51820,
    ),
  /** STUN silent on two ports while HTTP gets through: UDP is blocked. */
  udpBlocked: () =>
    scriptedReport(
      [
        unavailable('stun:stun1.test:3478', 'ipv4', 'no answer within 2 s'),
        unavailable('stun:stun2.test:19302', 'ipv4', 'no answer within 2 s'),
        known('http:echo.test', 'ipv4', '203.0.113.7'),
      ],
      { now, publicRanges },
    ),
  /** Issue 9 A8: every lookup fails. */
  offline: () =>
    scriptedReport(
      [
        unavailable('stun:stun1.test:3478', 'ipv4', 'getaddrinfo ENOTFOUND stun1.test'),
        unavailable('stun:stun2.test:19302', 'ipv4', 'getaddrinfo ENOTFOUND stun2.test'),
        unavailable('http:echo.test', 'ipv4', 'fetch failed: getaddrinfo ENOTFOUND echo.test'),
      ],
      { now, publicRanges, tcpWorks: false },
    ),
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-doctor-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `gatehouse <argv>` with a probe that answers `report` and records the settings it was given. */
async function doctor(argv: string[], report: () => ReachabilityReport, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const probed: AppConfig[] = [];
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env,
    cwd: dir,
    readStdin: () => Promise.resolve(''),
    untilStopped: () => Promise.resolve(),
    fetch: () => Promise.reject(new Error('no network in this test')),
  };
  const deps: CliDeps = {
    probeReachability: (config) => {
      probed.push(config);
      return Promise.resolve(report());
    },
  };
  const code = await runCli(argv, io, deps);
  return { code, out, err, probed };
}

describe('gatehouse doctor', () => {
  it('exits 0 when peers can reach the box (the router maps the port), with the verdict and every source', async () => {
    const r = await doctor(['doctor'], reports.mappable);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(reports.mappable().verdict.headline);
    expect(lines[0]).toMatch(/mapped automatically/);
    expect(lines).toContain('Evidence:');
    expect(lines).not.toContain('What to do:');
    expect(lines.slice(lines.indexOf('Sources:') + 1, -1)).toEqual([
      `  ipv4  ${'stun:stun1.test:3478'.padEnd(36)} 203.0.113.7`,
      `  ipv4  ${'http:echo.test'.padEnd(36)} 203.0.113.7`,
    ]);
    expect(r.out.endsWith('\n')).toBe(true);
  });

  it('exits 1 when a port forward is needed, and says which one', async () => {
    const r = await doctor(['doctor'], reports.needsForward);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      'What to do:\n  1. Forward UDP port 51820 on your router to this box at 10.0.0.2.\n',
    );
  });

  it.each([
    ['yes', 0],
    ['via-port-mapping', 0],
    ['needs-port-forward', 1],
    // README: a phone on an IPv4-only network cannot connect, so IPv6-only is not "peers can reach it".
    ['ipv6-only', 1],
    ['no', 1],
  ] as const)('inbound %s → exit %i', async (inbound, code) => {
    const report = () => {
      const r = reports.needsForward();
      return { ...r, verdict: { ...r.verdict, inbound } };
    };
    expect((await doctor(['doctor'], report)).code).toBe(code);
  });

  it('issue 9 A1: a router that refuses the test mapping is never "mapped automatically"; exit 1', async () => {
    const r = await doctor(['doctor'], reports.refusingRouter);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe(
      'Behind NAT (203.0.113.7), carrier-grade NAT not ruled out; the router refused to map UDP port 51820.',
    );
    expect(r.out).not.toMatch(/mapped automatically|can map/);
    expect(lines).toContain('Verdict: unlikely');
    expect(lines).toContain(
      '  - the router refused a test mapping (UDP port 51821, for one minute): UPnP IGD: AddPortMapping failed with 501 (Action Failed)',
    );
    expect(r.out).toMatch(/What to do:\n {2}1\. Look up your router's WAN \(internet\) address/);
    expect(r.out).not.toMatch(/turn on UPnP/);
    const json = await doctor(['doctor', '--json'], reports.refusingRouter);
    expect(JSON.parse(json.out)).toMatchObject({
      level: 'unlikely',
      inbound: 'needs-port-forward',
      ipv4: { kind: 'nat', cgnat: 'not-ruled-out', portMapping: 'refused' },
      portMappingStatus: { state: 'refused', test: true },
    });
  });

  it('issue 9 A8: offline, every lookup failed: check the connection and DNS, no relay, sources summarised', async () => {
    const r = await doctor(['doctor'], reports.offline);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe(
      "Offline: no source on the internet answered. Check this box's internet connection and DNS.",
    );
    expect(r.out).toContain("What to do:\n  1. Check this box's internet connection and DNS");
    expect(r.out).not.toMatch(/relay/i);
    expect(r.out).toContain(
      'Sources:\n  3 sources, none answered:\n    3 × ENOTFOUND (e.g. stun:stun1.test:3478: getaddrinfo ENOTFOUND stun1.test)\n',
    );
  });

  it('exits 1 when UDP is blocked, naming the silent source and its reason', async () => {
    const r = await doctor(['doctor'], reports.udpBlocked);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe('UDP is blocked: WireGuard cannot work from this network.');
    expect(r.out).toContain(
      `  ipv4  ${'stun:stun1.test:3478'.padEnd(36)} unavailable: no answer within 2 s\n`,
    );
  });

  it('--json prints the stable report and keeps the exit code', async () => {
    const yes = await doctor(['doctor', '--json'], reports.mappable);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.out)).toEqual(JSON.parse(JSON.stringify(reportJson(reports.mappable()))));
    expect(JSON.parse(yes.out)).toMatchObject({ inbound: 'via-port-mapping', at: now.toISOString() });
    const no = await doctor(['doctor', '--json'], reports.udpBlocked);
    expect(no.code).toBe(1);
    expect(JSON.parse(no.out)).toMatchObject({ inbound: 'no' });
  });

  it.each([
    [['doctor', '--bogus'], /unknown option '--bogus'/],
    [['doctor', '--listen', 'nowhere'], /--listen: expected host:port/],
    [['doctor', 'extra'], /too many arguments/],
  ])('%j is a usage error (exit 2) and probes nothing', async (argv, message) => {
    const r = await doctor(argv, reports.mappable);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.probed).toEqual([]);
  });

  it('probes with the resolved settings: the config file and the environment', async () => {
    const file = path.join(dir, 'gatehouse.json');
    fs.writeFileSync(file, JSON.stringify({ reachability: { stunServers: ['127.0.0.1:3478'], quorum: 3 } }));
    const r = await doctor(['doctor', '--config', file], reports.mappable, { GATEHOUSE_REACHABILITY: 'off' });
    expect(r.code).toBe(0);
    expect(r.probed).toHaveLength(1);
    expect(r.probed[0]?.reachability).toMatchObject({
      stunServers: ['127.0.0.1:3478'],
      quorum: 3,
      enabled: false,
    });
  });

  it('a bad setting in the environment is a failure (exit 1) naming it, before any probe', async () => {
    const r = await doctor(['doctor'], reports.mappable, { GATEHOUSE_LISTEN: 'x' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('GATEHOUSE_LISTEN');
    expect(r.probed).toEqual([]);
  });
});

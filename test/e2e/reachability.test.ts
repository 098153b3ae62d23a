// `gatehouse doctor` on the network test bed: the verdict is right in every scenario, with evidence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportJson } from '../../src/reach/report-format.js';
import { addr, gatehouseReachabilityConfig, type Scenario } from '../testbed/plan.js';
import { Testbed } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('reachability');
const cliEntry = path.resolve(import.meta.dirname, '../support/cli-entry.ts');

describe.skipIf(skip !== undefined)('reachability verdict on the test bed', () => {
  let bed = undefined as unknown as Testbed;
  let dir = '';

  beforeAll(async () => {
    bed = await Testbed.up('nat');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-reach-'));
    fs.writeFileSync(path.join(dir, 'config.json'), gatehouseReachabilityConfig());
    fs.writeFileSync(path.join(dir, 'liar.json'), gatehouseReachabilityConfig({ lyingEcho: true }));
    fs.writeFileSync(path.join(dir, 'by-name.json'), gatehouseReachabilityConfig({ hostnames: true }));
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function doctorRun(scenario: Scenario, configFile: string, json: boolean) {
    await bed.setScenario(scenario);
    const r = await bed.exec(
      'gw',
      [
        process.execPath,
        '--import',
        'tsx',
        cliEntry,
        'doctor',
        ...(json ? ['--json'] : []),
        '--config',
        path.join(dir, configFile),
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.stderr).toBe('');
    return r;
  }

  async function doctor(
    scenario: Scenario,
    configFile = 'config.json',
  ): Promise<{ code: number; report: ReportJson }> {
    const r = await doctorRun(scenario, configFile, true);
    return { code: r.exitCode, report: JSON.parse(r.stdout) as ReportJson };
  }

  /** The plain-text report, as a person reads it. */
  async function doctorText(
    scenario: Scenario,
    configFile = 'config.json',
  ): Promise<{ code: number; text: string }> {
    const r = await doctorRun(scenario, configFile, false);
    return { code: r.exitCode, text: r.stdout };
  }

  /** The doctor's test mapping is next to the WireGuard port and must be gone from the router afterwards. */
  const testPort = 51821;

  it('public: the box holds its public address and is reachable', async () => {
    const { code, report } = await doctor('public');
    expect(report.ipv4).toMatchObject({ kind: 'public', publicAddress: addr.gwPublic, udp: 'ok' });
    expect(report.inbound).toBe('yes');
    expect(code).toBe(0);
  });

  it('nat: behind a router, a forward is needed, and the remedy names port and LAN address', async () => {
    const { code, report } = await doctor('nat');
    expect(report.ipv4).toMatchObject({
      kind: 'nat',
      publicAddress: addr.routerWan,
      mapping: 'endpoint-independent',
    });
    expect(report.inbound).toBe('needs-port-forward');
    expect(report.remedies[0]).toBe(`Forward UDP port 51820 on your router to this box at ${addr.gwLan}.`);
    expect(code).toBe(1);
  });

  it('A5 nat-forward: a manual forward cannot be seen from inside, and the headline says so', async () => {
    const { report } = await doctor('nat-forward');
    expect(report.ipv4).toMatchObject({
      kind: 'nat',
      publicAddress: addr.routerWan,
      cgnat: 'ruled-out',
      portMapping: 'unsupported',
    });
    expect(report.inbound).toBe('needs-port-forward');
    expect(report.level).toBe('unlikely');
    expect(report.headline).toBe(
      `Behind a router (${addr.routerWan}): cannot verify from inside whether UDP port 51820 is forwarded to this box.`,
    );
    expect(report.headline).not.toMatch(/forward is needed/);
  });

  it('A1 nat-upnp: the doctor maps a test port on the router, counts it as mapped, and removes it', async () => {
    const { code, report } = await doctor('nat-upnp');
    expect(report.ipv4).toMatchObject({
      kind: 'nat',
      publicAddress: addr.routerWan,
      cgnat: 'ruled-out',
      portMapping: 'mapped',
    });
    expect(report.portMappingStatus).toMatchObject({
      state: 'mapped',
      externalPort: testPort,
      externalAddress: addr.routerWan,
      error: null,
      test: true,
    });
    expect(report.inbound).toBe('via-port-mapping');
    expect(report.level).toBe('likely');
    expect(report.sources).toContainEqual(
      expect.objectContaining({ source: 'natpmp', address: addr.routerWan }),
    );
    expect(await bed.routerMappings()).not.toContain(String(testPort));
    expect(code).toBe(0);
  });

  it('A1 cgnat-silent-upnp: a silent ISP hop and a router that answers with its STUN address but refuses every mapping', async () => {
    const { code, report } = await doctor('cgnat-silent-upnp');
    expect(report.ipv4.path?.slice(0, 2)).toEqual([addr.routerLan, null]);
    // The router reports the pool address it learnt by STUN: it looks public, yet it maps nothing.
    expect(report.sources).toContainEqual(
      expect.objectContaining({ source: 'natpmp', address: addr.ispPublic }),
    );
    expect(report.ipv4).toMatchObject({
      kind: 'nat',
      publicAddress: addr.ispPublic,
      cgnat: 'not-ruled-out',
      portMapping: 'refused',
    });
    expect(report.portMappingStatus).toMatchObject({ state: 'refused', test: true });
    expect(report.portMappingStatus?.error).toMatch(/network failure|501/);
    expect(report.inbound).toBe('needs-port-forward');
    expect(report.level).toBe('unlikely');
    expect(report.headline).toBe(
      `Behind NAT (${addr.ispPublic}), carrier-grade NAT not ruled out; the router refused to map UDP port 51820.`,
    );
    expect(JSON.stringify(report)).not.toMatch(/mapped automatically|can map/);
    expect(report.remedies[0]).toMatch(/^Look up your router's WAN \(internet\) address/);
    expect(report.remedies.join('\n')).not.toMatch(/turn on UPnP/i);
    expect(await bed.routerMappings()).not.toContain(String(testPort));
    expect(code).toBe(1);
  });

  it('A1 cgnat-upnp: with the CGNAT hop visible, the refusing router is "refused", never "available"', async () => {
    const { code, report } = await doctor('cgnat-upnp');
    expect(report.ipv4).toMatchObject({ kind: 'cgnat', cgnat: 'found', portMapping: 'refused' });
    expect(report.level).toBe('impossible');
    expect(code).toBe(1);
  });

  it('A2 cgnat-silent: the hop after the router does not answer: NAT, carrier-grade NAT not ruled out', async () => {
    const { code, report } = await doctor('cgnat-silent');
    expect(report.ipv4.path?.slice(0, 2)).toEqual([addr.routerLan, null]);
    expect(report.ipv4).toMatchObject({ kind: 'nat', cgnat: 'not-ruled-out', publicAddress: addr.ispPublic });
    expect(report.headline).toMatch(/carrier-grade NAT not ruled out/);
    expect(report.evidence).toContain(
      'the hop after your router did not answer the path probe (carrier-grade NAT often stays silent there)',
    );
    expect(report.remedies[0]).toMatch(/^Look up your router's WAN \(internet\) address/);
    expect(report.remedies[1]).toBe(
      `If it is the same, forward UDP port 51820 on your router to this box at ${addr.gwLan}.`,
    );
    // A6: no global IPv6 address on the box: turning IPv6 on is a remedy.
    expect(report.remedies.join('\n')).toMatch(/Turn on IPv6 in the router/);
    expect(code).toBe(1);
  });

  it('A3 router-declines: the router answers NAT-PMP and UPnP but will not say its address', async () => {
    const { report } = await doctor('router-declines');
    expect(report.sources).toContainEqual(
      expect.objectContaining({
        source: 'natpmp',
        status: 'unavailable',
        reason: expect.stringMatching(/network failure/),
      }),
    );
    expect(report.evidence.join('\n')).toMatch(
      /the router answers natpmp but declines to say its external address .*its WAN side may not be public/,
    );
    expect(report.ipv4).toMatchObject({ kind: 'nat', cgnat: 'not-ruled-out' });
    expect(report.remedies.join('\n')).not.toMatch(/turn on UPnP/i);
  });

  it('A4 stun-port-blocked: only UDP 3478 is dropped; STUN on 3479 answers, so UDP is not "blocked"', async () => {
    const { report } = await doctor('stun-port-blocked');
    expect(report.ipv4.udp).toBe('ok');
    expect(report.headline).not.toMatch(/UDP is blocked/);
    expect(report.evidence).toContain(
      'no STUN server answered on UDP port 3478, while port 3479 answered: UDP itself passes, only that port is filtered',
    );
    expect(report.ipv4.kind).toBe('nat');
  });

  it('double-nat: a private hop after the router', async () => {
    const { report } = await doctor('double-nat');
    expect(report.ipv4).toMatchObject({ kind: 'double-nat', publicAddress: addr.ispPublic });
    expect(report.ipv4.path?.[1]).toBe(addr.ispDoubleNat);
    expect(report.evidence.join('\n')).toMatch(/10\.20\.0\.1/);
  });

  it('cgnat: the hop after the router is in 100.64.0.0/10; not reachable', async () => {
    const { code, report } = await doctor('cgnat');
    expect(report.ipv4).toMatchObject({ kind: 'cgnat', cgnat: 'found', publicAddress: addr.ispPublic });
    expect(report.inbound).toBe('no');
    expect(report.level).toBe('impossible');
    expect(report.remedies.join('\n')).toMatch(/public IPv4 address/);
    // A6: IPv6 as a way out, although the box has no global IPv6 address yet.
    expect(report.remedies.join('\n')).toMatch(/Turn on IPv6 in the router/);
    expect(code).toBe(1);
  });

  it('cgnat-v6: CGNAT for IPv4, but IPv6 is globally reachable', async () => {
    const { report } = await doctor('cgnat-v6');
    expect(report.ipv4.kind).toBe('cgnat');
    expect(report.ipv6).toMatchObject({ publicAddress: addr.gwLan6, globalReachable: true });
    expect(report.inbound).toBe('ipv6-only');
  });

  it('symmetric: endpoint-dependent mapping', async () => {
    const { report } = await doctor('symmetric');
    expect(report.ipv4).toMatchObject({ kind: 'nat', mapping: 'endpoint-dependent' });
    expect(report.remedies.join('\n')).toMatch(/symmetric NAT/);
  });

  it('udp-blocked: STUN is silent on both ports while TCP works', async () => {
    const { code, report } = await doctor('udp-blocked');
    expect(report.evidence.join('\n')).toMatch(/ports 3478, 3479/);
    expect(report.ipv4.udp).toBe('blocked');
    expect(report.inbound).toBe('no');
    expect(report.headline).toMatch(/UDP is blocked/);
    expect(code).toBe(1);
  });

  it('A7 a lying HTTP echo does not win, and is named: in the evidence and in the doctor text', async () => {
    const { report } = await doctor('nat', 'liar.json');
    expect(report.ipv4.publicAddress).toBe(addr.routerWan);
    expect(report.sources).toContainEqual(
      expect.objectContaining({ source: 'http:203.0.113.66:8089', address: '198.51.100.99' }),
    );
    expect(report.evidence.join('\n')).toMatch(
      /http:203\.0\.113\.66:8089 said 198\.51\.100\.99, outvoted by .*\(203\.0\.113\.2\)/,
    );
    const { text } = await doctorText('nat', 'liar.json');
    expect(text).toMatch(
      /\nDisagreement:\n {2}IPv4: 203\.0\.113\.2 \(.*\) — outvoted:\n {4}http:203\.0\.113\.66:8089 said 198\.51\.100\.99\n/,
    );
  });

  it('A8 offline: every lookup fails; check the connection and DNS, no relay, the sources summarised', async () => {
    const { code, report } = await doctor('offline', 'by-name.json');
    expect(report.ipv4.kind).toBe('offline');
    expect(report.level).toBe('impossible');
    expect(report.sources.every((s) => s.status === 'unavailable')).toBe(true);
    expect(report.remedies[0]).toMatch(/^Check this box's internet connection and DNS/);
    expect(report.remedies.join('\n')).not.toMatch(/relay/i);
    expect(code).toBe(1);
    const { text } = await doctorText('offline', 'by-name.json');
    expect(text).toMatch(new RegExp(`\\nSources:\\n {2}${report.sources.length} sources, none answered:\\n`));
    expect(text.split('\n').length).toBeLessThan(40);
  });
});

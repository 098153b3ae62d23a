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
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function doctor(
    scenario: Scenario,
    configFile = 'config.json',
  ): Promise<{ code: number; report: ReportJson }> {
    await bed.setScenario(scenario);
    const r = await bed.exec(
      'gw',
      [
        process.execPath,
        '--import',
        'tsx',
        cliEntry,
        'doctor',
        '--json',
        '--config',
        path.join(dir, configFile),
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.stderr).toBe('');
    return { code: r.exitCode, report: JSON.parse(r.stdout) as ReportJson };
  }

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

  it('nat-forward: behind the router with a manual forward the verdict is NAT (a forward cannot be seen from inside)', async () => {
    const { report } = await doctor('nat-forward');
    expect(report.ipv4).toMatchObject({ kind: 'nat', publicAddress: addr.routerWan, portMapping: 'unknown' });
    expect(report.inbound).toBe('needs-port-forward');
  });

  it('nat-upnp: the router speaks UPnP / NAT-PMP / PCP, so the port can be mapped automatically', async () => {
    const { code, report } = await doctor('nat-upnp');
    expect(report.ipv4).toMatchObject({
      kind: 'nat',
      publicAddress: addr.routerWan,
      portMapping: 'available',
    });
    expect(report.inbound).toBe('via-port-mapping');
    expect(report.sources).toContainEqual(
      expect.objectContaining({ source: 'natpmp', address: addr.routerWan }),
    );
    expect(code).toBe(0);
  });

  it('double-nat: a private hop after the router', async () => {
    const { report } = await doctor('double-nat');
    expect(report.ipv4).toMatchObject({ kind: 'double-nat', publicAddress: addr.ispPublic });
    expect(report.ipv4.path?.[1]).toBe(addr.ispDoubleNat);
    expect(report.evidence.join('\n')).toMatch(/10\.20\.0\.1/);
  });

  it('cgnat: the hop after the router is in 100.64.0.0/10; not reachable', async () => {
    const { code, report } = await doctor('cgnat');
    expect(report.ipv4).toMatchObject({ kind: 'cgnat', publicAddress: addr.ispPublic });
    expect(report.inbound).toBe('no');
    expect(report.remedies.join('\n')).toMatch(/public IPv4 address/);
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

  it('udp-blocked: STUN is silent while TCP works', async () => {
    const { code, report } = await doctor('udp-blocked');
    expect(report.ipv4.udp).toBe('blocked');
    expect(report.inbound).toBe('no');
    expect(report.headline).toMatch(/UDP is blocked/);
    expect(code).toBe(1);
  });

  it('a lying HTTP echo does not win: the STUN servers and the honest echo outvote it', async () => {
    const { report } = await doctor('nat', 'liar.json');
    expect(report.ipv4.publicAddress).toBe(addr.routerWan);
    expect(report.sources).toContainEqual(
      expect.objectContaining({ source: 'http:203.0.113.66:8089', address: '198.51.100.99' }),
    );
  });
});

// The reachability page and dashboard card in Chromium, fed by a real probe in the test bed (nat-upnp): the
// verdict, the public address, how changes are noticed, and a WAN renumbering showing up in the history. The
// server and the browser run together inside gw (test/testbed/reachability-ui-driver.ts), since nothing in the
// bed is linked to the root namespace; this test renumbers the router and reads what the page showed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsRoot, builtWebRoot, chromiumMissing, repoRoot, tempDir } from '../browser/support.js';
import { addr, gatehouseReachabilityConfig, type Scenario } from '../testbed/plan.js';
import { Testbed, alive, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('reachability UI', chromiumMissing);

describe.skipIf(skip !== undefined)('reachability page and card in Chromium, on the test bed', () => {
  let bed = undefined as unknown as Testbed;
  let work = '';
  const artifacts = path.join(artifactsRoot, 'e2e-reachability-ui');

  beforeAll(async () => {
    bed = await Testbed.up('nat-upnp');
    work = tempDir('gatehouse-reach-ui-');
    fs.chmodSync(work, 0o755);
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (work) {
      fs.rmSync(artifacts, { recursive: true, force: true });
      if (fs.existsSync(path.join(work, 'shots')))
        fs.cpSync(path.join(work, 'shots'), artifacts, { recursive: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  it('shows the verdict, the address, the change channels, and a renumbering in the history', async () => {
    const webRoot = await builtWebRoot(path.join(work, 'web'));
    fs.writeFileSync(path.join(work, 'config.json'), gatehouseReachabilityConfig({ backstopSeconds: 3600 }));
    const driver = bed.spawn('gw', 'reach-ui', [
      process.execPath,
      '--import',
      'tsx',
      path.join(repoRoot, 'test/testbed/reachability-ui-driver.ts'),
      path.join(work, 'config.json'),
      work,
      webRoot,
    ]);
    const step = (name: string) =>
      waitFor(
        `the driver's ${name}`,
        () => {
          const log = bed.log('reach-ui');
          const m = new RegExp(`^${name} (.*)\n`, 'm').exec(log);
          if (m?.[1]) return Promise.resolve(JSON.parse(m[1]) as Record<string, string>);
          if (/^Error|Unhandled|TypeError/m.test(log) || !alive(driver.pid))
            throw new Error(`the driver failed:\n${log}`);
          return Promise.resolve(undefined);
        },
        90_000,
      );

    const first = await step('STEP1');
    expect(first.ipv4).toContain(addr.routerWan);
    expect(first.ipv4).toContain('NAT (one router)');
    // The server's mapper really mapped the port, on the public address; CGNAT is ruled out by that.
    expect(first.ipv4).toContain('Mapped on the router');
    expect(first.ipv4).toContain('Through the port mapping on the router');
    expect(first.ipv4).toContain('Carrier-grade NAT Ruled out');
    expect(first.headline).toMatch(/^Likely reachable/);
    expect(first.headline).toContain('the WireGuard port is mapped automatically');
    expect(first.detection).toContain('Watching (ip monitor address)');
    expect(first.detection).toContain('Subscribed to the router’s events');
    expect(first.detection).toContain('Listening on UDP 5350');
    expect(first.detection).toContain('every 3600 s');
    expect(first.history).toContain(addr.routerWan);
    expect(first.dashboard).toContain(addr.routerWan);
    // Times read as people say them, not as ISO strings.
    expect(first.dashboard).toMatch(
      new RegExp(`Last change (just now|\\d+ min ago) → ${addr.routerWan.replaceAll('.', '\\.')}`),
    );
    expect(first.dashboard).not.toMatch(/\d{4}-\d\d-\d\dT/);

    await bed.renumberRouterWan('203.0.113.3');
    fs.writeFileSync(path.join(work, 'renumbered'), '203.0.113.3\n');
    const second = await step('STEP2');
    expect(second.ipv4).toContain('203.0.113.3');
    expect(second.history).toContain('203.0.113.3');
    expect(second.history).toContain(addr.routerWan);
    await waitFor(
      'the driver to finish',
      () => Promise.resolve(/^DONE$/m.test(bed.log('reach-ui')) ? true : undefined),
      30_000,
    );
    expect(fs.readdirSync(path.join(work, 'shots')).sort()).toEqual([
      '01-reachability.png',
      '02-dashboard.png',
      '03-reachability-after-change.png',
    ]);
    await bed.renumberRouterWan(addr.routerWan);
  }, 180_000);

  /** A server in `scenario` and one look at its pages (the driver's 'once' mode): what the page showed. */
  async function firstLook(scenario: Scenario, config: string): Promise<Record<string, string>> {
    await bed.setScenario(scenario);
    const run = path.join(work, scenario);
    fs.mkdirSync(run, { mode: 0o755 });
    const webRoot = await builtWebRoot(path.join(work, 'web'));
    fs.writeFileSync(path.join(run, 'config.json'), config);
    const name = `reach-ui-${scenario}`;
    const driver = bed.spawn('gw', name, [
      process.execPath,
      '--import',
      'tsx',
      path.join(repoRoot, 'test/testbed/reachability-ui-driver.ts'),
      path.join(run, 'config.json'),
      run,
      webRoot,
      'once',
    ]);
    const first = await waitFor(
      "the driver's STEP1",
      () => {
        const log = bed.log(name);
        const m = /^STEP1 (.*)\n/m.exec(log);
        if (m?.[1]) return Promise.resolve(JSON.parse(m[1]) as Record<string, string>);
        if (/^Error|Unhandled|TypeError/m.test(log) || !alive(driver.pid))
          throw new Error(`the driver failed:\n${log}`);
        return Promise.resolve(undefined);
      },
      150_000,
    );
    await waitFor(
      'the driver to finish',
      () => Promise.resolve(/^DONE$/m.test(bed.log(name)) ? true : undefined),
      30_000,
    );
    return first;
  }

  it("issue 9 A1: behind CGNAT with a refusing router and a silent hop, the page says what the server's mapper met", async () => {
    const first = await firstLook(
      'cgnat-silent-upnp',
      gatehouseReachabilityConfig({ backstopSeconds: 3600 }),
    );
    expect(first.headline).toMatch(/^Unlikely reachable \(cannot verify from inside\)/);
    expect(first.headline).toContain(
      `Behind NAT (${addr.ispPublic}), carrier-grade NAT not ruled out; the router refused to map UDP port 51820.`,
    );
    expect(first.ipv4).toContain('Carrier-grade NAT Not ruled out');
    expect(first.ipv4).toMatch(/Port mapping Refused by the router \(.*network failure.*\)/);
    expect(first.remedies).toMatch(/^What to do 1?\s?Look up your router's WAN \(internet\) address/);
    expect(first.remedies).not.toMatch(/turn on UPnP/i);
    expect(first.evidence).toContain('the hop after your router did not answer the path probe');
    expect(first.dashboard).not.toMatch(/mapped automatically/);
  }, 180_000);

  it('issue 9 A8: offline, the page says to check the connection and DNS, and the sources collapse to a summary', async () => {
    const first = await firstLook(
      'offline',
      gatehouseReachabilityConfig({ backstopSeconds: 3600, hostnames: true }),
    );
    expect(first.headline).toMatch(/^Not reachable/);
    expect(first.headline).toContain(
      "Offline: no source on the internet answered. Check this box's internet connection and DNS.",
    );
    expect(first.remedies).toMatch(/Check this box's internet connection and DNS/);
    expect(first.remedies).not.toMatch(/relay/i);
    expect(first.sources).toMatch(/\d+ sources, none answered\./);
    expect(first.sources).toMatch(/\d+ × (EAI_AGAIN|ENOTFOUND|ENETUNREACH)/);
    // The full table is one click away, folded.
    expect(first.sources).toContain('Every source');
  }, 240_000);
});

// The reachability switches of the config file are obeyed by the running server (README, "Settings live in the
// config file's reachability section"): watchInterfaces, routerEvents, portMapping.enabled and enabled. Each case
// is compared with a server on the defaults in the same bed, so the checks are shown to see what they look for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addr, gatehouseReachabilityConfig } from '../testbed/plan.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('reachability settings');

/** What a running server does that the switches govern, read from the outside. */
interface Observed {
  /** `ip monitor address` runs as its child (watchInterfaces). */
  readonly interfaceMonitor: boolean;
  /** A UDP socket on 5350 for NAT-PMP / PCP announcements (routerEvents). */
  readonly announcementSocket: boolean;
  /** TCP listeners of the process: the web server, plus the GENA callback when routerEvents is on. */
  readonly tcpListeners: number;
  /** The WireGuard port mapped on miniupnpd (portMapping.enabled). */
  readonly mapped: boolean;
}

describe.skipIf(skip !== undefined)('reachability settings in the running server', () => {
  let bed = undefined as unknown as Testbed;
  let dir = '';
  let serial = 0;
  beforeAll(async () => {
    bed = await Testbed.up('nat-upnp');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-settings-'));
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const storeOf = (dataDir: string) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')) as {
        reachability: { current: { ipv4: string | null } };
      };
    } catch {
      return undefined;
    }
  };

  /** Starts a server with the bed's sources and `over` merged into its reachability section. */
  async function serve(over: Record<string, unknown>) {
    serial += 1;
    const base = JSON.parse(gatehouseReachabilityConfig({ backstopSeconds: 3600 })) as {
      reachability: Record<string, unknown>;
    };
    const configFile = path.join(dir, `config-${serial}.json`);
    const dataDir = path.join(dir, `data-${serial}`);
    fs.writeFileSync(configFile, JSON.stringify({ reachability: { ...base.reachability, ...over } }));
    const logBefore = bed.log('gatehouse').length;
    const server = bed.spawnGatehouse(configFile, dataDir);
    await waitFor('the server listening', () =>
      Promise.resolve(
        bed.log('gatehouse').slice(logBefore).includes('Gatehouse is listening') ? true : undefined,
      ),
    );
    return {
      dataDir,
      log: () => bed.log('gatehouse').slice(logBefore),
      async observe(): Promise<Observed> {
        const children = await bed.exec('gw', ['ps', '-o', 'args=', '--ppid', String(server.pid)]);
        const udp = await bed.exec('gw', ['ss', '-H', '-lunp']);
        const tcp = await bed.exec('gw', ['ss', '-H', '-ltnp']);
        const ours = (out: string) => out.split('\n').filter((l) => l.includes(`pid=${server.pid},`));
        const rules = await bed.routerMappings();
        return {
          interfaceMonitor: /^ip monitor address$/m.test(children.stdout),
          announcementSocket: ours(udp.stdout).some((l) => /:5350\s/.test(l)),
          tcpListeners: ours(tcp.stdout).length,
          mapped: /dport 51820 dnat ip to 10\.10\.0\.2:51820/.test(rules),
        };
      },
      async stop() {
        process.kill(server.pid, 'SIGTERM');
        await waitFor('the server to exit', () =>
          Promise.resolve(fs.existsSync(path.join(dataDir, 'gatehouse.lock')) ? undefined : true),
        );
      },
    };
  }

  it('on the defaults: interface monitor, announcement socket, GENA callback and the port mapping are all there', async () => {
    const server = await serve({});
    await waitFor(
      'the WireGuard port mapped and the address accepted',
      async () => {
        const seen = await server.observe();
        return seen.mapped && storeOf(server.dataDir)?.reachability.current.ipv4 === addr.routerWan
          ? seen
          : undefined;
      },
      30_000,
    );
    const seen = await waitFor(
      'the GENA callback and the announcement socket',
      async () => {
        const s = await server.observe();
        return s.tcpListeners === 2 && s.announcementSocket ? s : undefined;
      },
      30_000,
    );
    expect(seen).toEqual({ interfaceMonitor: true, announcementSocket: true, tcpListeners: 2, mapped: true });
    await server.stop();
  });

  it('watchInterfaces, routerEvents and portMapping.enabled off: none of them runs, the address is still found', async () => {
    const server = await serve({
      watchInterfaces: false,
      routerEvents: false,
      portMapping: { enabled: false, port: 51820, leaseSeconds: 3600 },
    });
    // The first probe has run (it asks the router too, the slowest source): anything started at start-up is up.
    await waitFor(
      'the address accepted',
      () =>
        Promise.resolve(
          storeOf(server.dataDir)?.reachability.current.ipv4 === addr.routerWan ? true : undefined,
        ),
      30_000,
    );
    expect(await server.observe()).toEqual({
      interfaceMonitor: false,
      announcementSocket: false,
      tcpListeners: 1,
      mapped: false,
    });
    await server.stop();
  });

  it('enabled off: no probe, no monitor, no router traffic, and the log says so', async () => {
    const server = await serve({ enabled: false });
    expect(server.log()).toContain('reachability checks and port mapping are off');
    expect(await server.observe()).toEqual({
      interfaceMonitor: false,
      announcementSocket: false,
      tcpListeners: 1,
      mapped: false,
    });
    expect(storeOf(server.dataDir)?.reachability.current.ipv4 ?? null).toBeNull();
    await server.stop();
  });
});

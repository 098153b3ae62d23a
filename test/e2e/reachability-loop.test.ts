// The running server inside gw: it detects a WAN address change (STUN backstop), reacts to address events on
// its own interfaces at once, and maps the WireGuard port on miniupnpd while it runs (removed on shutdown).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addr, gatehouseReachabilityConfig } from '../testbed/plan.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('reachability loop');

interface StoreFile {
  alerts: { items: { rule: string; key: string; message: string; clearedAt: string | null }[] };
  reachability: {
    current: { ipv4: string | null };
  };
}

type AddressChange = { address: string | null; previous: string | null; sources: string[] };

/** A record of the server's log (pino writes one JSON object a line). */
interface LogRecord {
  msg: string;
  family?: string;
  address?: string;
  sources?: string[];
  pending?: string[];
  late?: string[];
}

describe.skipIf(skip !== undefined)('reachability loop in the server', () => {
  let bed = undefined as unknown as Testbed;
  let dir = '';
  const readStore = (): StoreFile | undefined => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, 'data', 'gatehouse.json'), 'utf8')) as StoreFile;
    } catch {
      return undefined;
    }
  };
  const currentIpv4 = () => readStore()?.reachability.current.ipv4 ?? null;
  /** The address history: the store's reach.history log, JSON lines in segment files, oldest first. */
  const readHistory = (): AddressChange[] => {
    const logDir = path.join(dir, 'data', 'logs', 'reach.history');
    if (!fs.existsSync(logDir)) return [];
    return fs
      .readdirSync(logDir)
      .sort()
      .flatMap((f) => fs.readFileSync(path.join(logDir, f), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as AddressChange);
  };

  beforeAll(async () => {
    bed = await Testbed.up('nat-upnp');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-loop-'));
    fs.writeFileSync(path.join(dir, 'config.json'), gatehouseReachabilityConfig({ backstopSeconds: 5 }));
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * True once `address` is accepted as seen from outside the process: the document holds it and the history log
   * has its record. The store writes the document before it appends the records of the same update, so a reader of
   * the files can see the first without the second for a moment; waiting for both is the settled state.
   */
  const accepted = (address: string) =>
    Promise.resolve(
      currentIpv4() === address && readHistory().at(-1)?.address === address ? true : undefined,
    );

  let running: { pid: number } | undefined;
  const startServer = () => {
    running = bed.spawnGatehouse(path.join(dir, 'config.json'), path.join(dir, 'data'));
    return running;
  };
  /** SIGTERM and wait until the lock is gone; also run after a failed test, so the next one can take the lock. */
  const stopServer = async () => {
    const server = running;
    running = undefined;
    if (!server) return;
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    await waitFor('the server to exit', () =>
      Promise.resolve(fs.existsSync(path.join(dir, 'data', 'gatehouse.lock')) ? undefined : true),
    );
  };
  afterEach(stopServer);

  const miniupnpdRules = async () => bed.routerMappings();
  /** The server's log records written after `from` (a length of the log), in order. */
  const logRecords = (from: number): LogRecord[] =>
    bed
      .log('gatehouse')
      .slice(from)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogRecord);

  it('maps the WireGuard port on the router while it runs, accepts the public address, and unmaps on shutdown', async () => {
    startServer();
    await waitFor('the WireGuard port mapped on miniupnpd', async () =>
      /dport 51820 dnat ip to 10\.10\.0\.2:51820/.test(await miniupnpdRules()) ? true : undefined,
    );
    await waitFor('the public address accepted', () => accepted(addr.routerWan));
    const first = readHistory()[0];
    expect(first?.sources.length).toBeGreaterThanOrEqual(2);

    // A WAN address change at the router (like an ISP reconnect) is found by the STUN backstop.
    await bed.setPublicAddress('203.0.113.3');
    // Bounds a hang only (the backstop is 5 s); how long detection takes is measured by npm run bench:reachability.
    await waitFor('the new public address accepted', () => accepted('203.0.113.3'), 20_000);
    expect(readHistory().at(-1)).toMatchObject({
      address: '203.0.113.3',
      previous: addr.routerWan,
    });

    await stopServer();
    expect(await miniupnpdRules()).not.toMatch(/dport 51820/);
    await bed.setPublicAddress(addr.routerWan);
  });

  it('public: an address change on its own interface is seen through the address monitor, before any backstop', async () => {
    await bed.setScenario('public');
    fs.writeFileSync(path.join(dir, 'config.json'), gatehouseReachabilityConfig({ backstopSeconds: 3600 }));
    startServer();
    await waitFor('the public address accepted', () => accepted(addr.gwPublic));
    // The provider hands the box a new address (on its own interface): the monitor fires, no backstop is due.
    const logFrom = bed.log('gatehouse').length;
    await bed.setPublicAddress('203.0.113.35');
    await waitFor('the interface address change accepted', () => accepted('203.0.113.35'), 15_000);
    // The address is accepted at quorum, before the router protocols (nothing in 'public' speaks them) have given
    // up: the acceptance names them as pending, and their answers are logged after it, from the same probe.
    const [acceptance, late] = await waitFor('the slow sources of that probe', () => {
      const records = logRecords(logFrom);
      const i = records.findIndex((r) => r.msg === 'public address accepted' && r.address === '203.0.113.35');
      const j = records.findIndex(
        (r) =>
          r.msg === 'slow sources answered after the address was accepted' && r.address === '203.0.113.35',
      );
      return Promise.resolve(i >= 0 && j >= 0 ? ([i, j] as const) : undefined);
    });
    expect(acceptance).toBeLessThan(late);
    const records = logRecords(logFrom);
    expect(records[acceptance]?.pending).toEqual(expect.arrayContaining(['pcp', 'natpmp', 'upnp']));
    expect(records[late]?.late).toEqual(
      expect.arrayContaining([expect.stringMatching(/^pcp: /), expect.stringMatching(/^natpmp: /)]),
    );
    // The history record names the sources that agreed at acceptance: none of the late ones.
    expect(readHistory().at(-1)?.sources).not.toEqual(expect.arrayContaining(['pcp']));
    expect(readHistory().filter((h) => h.address === '203.0.113.35')).toHaveLength(1);
    await stopServer();
    await bed.setPublicAddress(addr.gwPublic);
  });

  it('a lying HTTP echo is outvoted, and the running server raises the disagreement alert listing every answer', async () => {
    await bed.setScenario('nat');
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      gatehouseReachabilityConfig({ lyingEcho: true, backstopSeconds: 3600 }),
    );
    startServer();
    const alert = await waitFor('the sources-disagree alert', () =>
      Promise.resolve(
        readStore()?.alerts.items.find((a) => a.rule === 'reach.sources-disagree' && a.clearedAt === null),
      ),
    );
    expect(alert.message).toMatch(/http:203\.0\.113\.66:8089: 198\.51\.100\.99/);
    expect(currentIpv4()).toBe(addr.routerWan);
    await stopServer();
  });
});

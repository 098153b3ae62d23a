// The DDNS capability in the running server (nat-upnp: the router announces a renumbered WAN, so the server hears
// it at once): a WAN address change ends with the bed's BIND serving the new A record, verified by the engine at
// BIND itself; BIND down during a change leaves the update pending and retried until BIND is back; a restart of
// the server while an update is pending finishes it; with no server running, `gatehouse ddns update --once`
// probes first and publishes the address the box has now. The account and the record go in over the control socket,
// the TSIG secret through the secrets port, as `gatehouse ddns provider add` / `record add` do.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedIpv4 } from '../testbed/server-evidence.js';
import { ddnsControl, readDdnsHistory, readRecordState } from '../testbed/ddns-e2e-evidence.js';
import { startNamed, stopNamed } from '../testbed/ddns-named.js';
import { addr, gatehouseReachabilityConfig, ports } from '../testbed/plan.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('DDNS engine in the server');
const hostname = 'home.example.test';

/** The server's pino log records (one JSON object a line) with their time. */
function logRecords(text: string): { time: number; msg: string; fields: Record<string, unknown> }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        const fields = JSON.parse(line) as Record<string, unknown>;
        return typeof fields.msg === 'string' && typeof fields.time === 'string'
          ? [{ time: Date.parse(fields.time), msg: fields.msg, fields }]
          : [];
      } catch {
        return []; // a line still being written
      }
    });
}

describe.skipIf(skip !== undefined)('DDNS engine in the running server, against the bed BIND', () => {
  let bed = undefined as unknown as Testbed;
  let dir = '';
  let dataDir = '';
  let recordId = '';
  let running: { pid: number } | undefined;
  const figures: Record<string, number> = {};

  const storeIpv4 = (): string | null => {
    try {
      return (
        JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')) as {
          reachability: { current: { ipv4: string | null } };
        }
      ).reachability.current.ipv4;
    } catch {
      return null;
    }
  };
  const state = () => readRecordState(dataDir, recordId);

  /** What BIND serves for the name, asked from the phone (another namespace, outside the box's LAN). */
  async function dig(): Promise<string[]> {
    const r = await bed.exec('phone', [
      'dig',
      '+short',
      '+time=1',
      '+tries=1',
      `@${addr.dns}`,
      hostname,
      'A',
    ]);
    return r.stdout
      .split('\n')
      .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
      .sort();
  }
  const digServes = (value: string) => async () => ((await dig()).join() === value ? true : undefined);

  const startServer = () => {
    running = bed.spawnGatehouse(path.join(dir, 'config.json'), dataDir);
    return running;
  };
  /** SIGTERM by PID, then wait until its lock is gone (the store is flushed and closed). */
  const stopServer = async () => {
    const server = running;
    running = undefined;
    if (server) await bed.stopGatehouse(server, dataDir);
  };

  /** The record's state once the engine has set `value` and seen BIND serve it. */
  const verified = (value: string, timeoutMs = 30_000) =>
    waitFor(
      `${hostname} A ${value} verified by the engine`,
      () => {
        const s = state();
        return Promise.resolve(
          s?.applied === value && s.verifiedAt !== null && s.pending === null ? s : undefined,
        );
      },
      timeoutMs,
    );

  /** The record's state once an update to `value` has failed and waits to be retried. */
  const pending = (value: string) =>
    waitFor(
      `an update to ${value} pending`,
      () => {
        const s = state();
        return Promise.resolve(s?.pending?.value === value && s.pending.attempts >= 1 ? s : undefined);
      },
      30_000,
    );

  /**
   * The history entries for `value` once the newest is a success: the store writes the document (the state) before
   * it appends the log records of the same update, so a reader can see the state a moment before its history.
   */
  const historyUntilOk = (value: string) =>
    waitFor(`the history entry of ${value}`, () => {
      const entries = readDdnsHistory(dataDir).filter((h) => h.value === value);
      return Promise.resolve(entries.at(-1)?.ok === true ? entries : undefined);
    });

  /** The server's "record updated" log record for `value`, written after `from` (logged after the store update). */
  const updateLogged = (from: number, value: string) =>
    waitFor(`the server logging ${value} updated`, () =>
      Promise.resolve(
        logRecords(bed.log('gatehouse').slice(from)).find(
          (r) => r.msg === 'ddns: record updated' && r.fields.value === value,
        ),
      ),
    );

  beforeAll(async () => {
    bed = await Testbed.up('nat-upnp');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ddns-'));
    dataDir = path.join(dir, 'data');
    // No STUN backstop within the test: a detection is the router's event (or the start-up probe).
    const config = JSON.parse(gatehouseReachabilityConfig({ backstopSeconds: 3600 })) as Record<
      string,
      unknown
    >;
    config.ddns = {
      resolver: addr.dns,
      authoritativeServers: [`${addr.dns}:${ports.dns}`],
      verifySeconds: 30,
      // The shortest allowed: due retries are looked at this often.
      recheckSeconds: 10,
    };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
    startServer();
    const control = ddnsControl(dataDir);
    await control.ready();
    await waitFor('the public address accepted', () =>
      Promise.resolve(storeIpv4() === addr.routerWan ? true : undefined),
    );
    const account = await control.addAccount({
      kind: 'rfc2136',
      name: 'bed BIND',
      settings: { server: addr.dns, zone: bed.zone, keyName: bed.tsigKeyName, algorithm: 'hmac-sha256' },
      secrets: { secret: bed.tsigSecret },
    });
    recordId = (await control.addRecord({ hostname, type: 'A', accountId: account.id, ttl: 60 })).id;
    await verified(addr.routerWan);
    expect(await dig()).toEqual([addr.routerWan]);
  }, 60_000);

  afterAll(async () => {
    if (Object.keys(figures).length > 0) console.log(`ddns e2e figures: ${JSON.stringify(figures)}`);
    await stopServer().catch(() => undefined);
    await (bed as Testbed | undefined)?.down();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a WAN renumbering at the router ends with BIND serving the new A record, verified by the engine', async () => {
    const logFrom = bed.log('gatehouse').length;
    const before = state();
    const renumberedAt = Date.now();
    await bed.renumberRouterWan('203.0.113.3');
    // Polls BIND from outside (dig from the phone, ~0.1 s apart): the figure is what the world sees.
    await waitFor('BIND serving 203.0.113.3', digServes('203.0.113.3'), 30_000);
    const servedAt = Date.now();
    const s = await verified('203.0.113.3');
    expect(s.verifiedAt).not.toBe(before?.verifiedAt);
    expect(s.propagationMs).toEqual(expect.any(Number));
    expect(Date.parse(s.verifiedAt ?? '')).toBeGreaterThanOrEqual(renumberedAt);
    expect(s.lastAttempt).toMatchObject({ ok: true });
    const history = await historyUntilOk('203.0.113.3');
    expect(history).toEqual([
      expect.objectContaining({ recordId, ok: true, previous: addr.routerWan, hostname, type: 'A' }),
    ]);
    // What the engine did, from its own log: the accepted address, then the update.
    const updated = await updateLogged(logFrom, '203.0.113.3');
    expect(acceptedIpv4(bed.log('gatehouse').slice(logFrom))).toEqual(['203.0.113.3']);
    const accepted = logRecords(bed.log('gatehouse').slice(logFrom)).find(
      (r) => r.msg === 'public address accepted',
    );
    expect(updated.fields).toMatchObject({ hostname, previous: addr.routerWan });
    figures.renumberToServedMs = servedAt - renumberedAt;
    figures.renumberToAcceptedMs = (accepted?.time ?? NaN) - renumberedAt;
    figures.acceptedToUpdatedMs = updated.time - (accepted?.time ?? NaN);
    figures.enginePropagationMs = s.propagationMs ?? NaN;
    console.log(
      `ddns: WAN renumbered → BIND serves the new A record: ${figures.renumberToServedMs} ms ` +
        `(accepted after ${figures.renumberToAcceptedMs} ms, updated ${figures.acceptedToUpdatedMs} ms later; ` +
        `engine's propagation ${figures.enginePropagationMs} ms)`,
    );
  });

  it('BIND down during a change: the update stays pending and is retried; it lands once BIND is back', async () => {
    await stopNamed(bed);
    await bed.renumberRouterWan('203.0.113.4');
    const down = await pending('203.0.113.4');
    expect(down.lastAttempt).toMatchObject({ ok: false, kind: 'transient' });
    // Nothing blanked or half-set: the record still holds the value last verified.
    expect(down.applied).toBe('203.0.113.3');
    expect(await dig()).toEqual([]);

    await startNamed(bed);
    const backAt = Date.now();
    await waitFor('BIND serving 203.0.113.4', digServes('203.0.113.4'), 40_000);
    figures.bindBackToServedMs = Date.now() - backAt;
    const s = await verified('203.0.113.4');
    expect(s.lastAttempt).toMatchObject({ ok: true });
    const history = await historyUntilOk('203.0.113.4');
    expect(history.at(0)).toMatchObject({ ok: false });
    expect(history.at(-1)).toMatchObject({ ok: true, previous: '203.0.113.3' });
    console.log(
      `ddns: BIND back → served after ${figures.bindBackToServedMs} ms (${down.pending?.attempts ?? 0} attempt(s) while down)`,
    );
  }, 90_000);

  it('a restart during a pending update finishes it', async () => {
    await stopNamed(bed);
    await bed.renumberRouterWan('203.0.113.5');
    await pending('203.0.113.5');
    await stopServer();
    // The pending update is in the store the next server reads.
    expect(state()?.pending).toMatchObject({ value: '203.0.113.5' });
    expect(state()?.applied).toBe('203.0.113.4');

    await startNamed(bed);
    const logFrom = bed.log('gatehouse').length;
    const restartedAt = Date.now();
    startServer();
    await waitFor('BIND serving 203.0.113.5', digServes('203.0.113.5'), 40_000);
    figures.restartToServedMs = Date.now() - restartedAt;
    await verified('203.0.113.5');
    // Set by the new process (the old one was gone before BIND came back).
    const updated = await updateLogged(logFrom, '203.0.113.5');
    expect(updated.fields).toMatchObject({ hostname, previous: '203.0.113.4' });
    const history = await historyUntilOk('203.0.113.5');
    expect(history.at(0)).toMatchObject({ ok: false });
    expect(history.at(-1)).toMatchObject({ ok: true });
    console.log(`ddns: restarted with an update pending → served after ${figures.restartToServedMs} ms`);
  }, 90_000);

  it('no server running: `ddns update --once` probes first, then publishes the address the box has now', async () => {
    await stopServer();
    await bed.renumberRouterWan('203.0.113.6');
    // The store still holds what the server last accepted: publishing that would be wrong now.
    expect(storeIpv4()).toBe('203.0.113.5');
    const ranAt = Date.now();
    const r = await bed.node(
      'gw',
      'test/support/cli-entry.ts',
      [
        'ddns',
        'update',
        '--once',
        '--json',
        '--config',
        path.join(dir, 'config.json'),
        '--data-dir',
        dataDir,
      ],
      { timeoutMs: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const runs = JSON.parse(r.stdout) as { hostname: string; result?: string; action: { value?: string } }[];
    expect(runs).toEqual([
      expect.objectContaining({
        hostname,
        result: 'updated',
        action: expect.objectContaining({ value: '203.0.113.6' }),
      }),
    ]);
    expect(storeIpv4()).toBe('203.0.113.6');
    expect(await dig()).toEqual(['203.0.113.6']);
    const s = await verified('203.0.113.6');
    expect(Date.parse(s.verifiedAt ?? '')).toBeGreaterThanOrEqual(ranAt);
    const history = await historyUntilOk('203.0.113.6');
    expect(history.at(-1)).toMatchObject({ ok: true, previous: '203.0.113.5' });
    // No server was started for it: the command ran offline under the data directory's lock and let it go.
    expect(fs.existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(false);
    console.log(`ddns: offline update --once (probe + update + verify) took ${Date.now() - ranAt} ms`);
  }, 90_000);
});

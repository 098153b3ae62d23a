// DDNS over IPv6 in the running server, in cgnat-v6 (IPv4 behind carrier-grade NAT, a global IPv6 prefix routed to
// the LAN): `home` A + AAAA follow the box's accepted public addresses, `cam` AAAA is a LAN device behind the
// prefix (the box's /64 + the camera's interface identifier). Then the ISP changes the prefix: the box's address
// in the old /64 goes and one in the new /64 comes on its interface; the interface watcher hears it, reachability
// accepts the new IPv6 address, the engine rewrites both AAAA records at the bed's BIND and verifies them there.
// BIND's journal (every update it applied), the engine's history and reachability's history show that no other
// value was ever written or accepted. No STUN backstop and no DDNS recheck within the test: the event path only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ddnsControl, readDdnsHistory, readRecordState } from '../testbed/ddns-e2e-evidence.js';
import {
  addRecordWithValue,
  blankings,
  valuesAdded,
  zoneJournal,
  type RecordValue,
} from '../testbed/ddns-journal.js';
import { addr, gatehouseReachabilityConfig, hostInPrefix6, ports } from '../testbed/plan.js';
import { readAddressHistory } from '../testbed/server-evidence.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('DDNS over IPv6 with a prefix change');
const home = 'home.example.test';
const cam = 'cam.example.test';
/** The camera's interface identifier (EUI-64 of MAC 00:11:32:12:34:56): fixed, whatever the prefix. */
const camIid = '211:32ff:fe12:3456';
const camSuffix = `::${camIid}`;
const newPrefix = '2001:db8:11::/64';
/**
 * An IPv6 address in its one canonical text (RFC 5952, as DNS answers and the store hold it: a single zero group
 * is written out), by the WHATWG URL serializer, independently of the product's own formatting.
 */
const v6 = (address: string) => new URL(`http://[${address}]/`).hostname.slice(1, -1);
const camIn = (prefix: string) => v6(hostInPrefix6(prefix, camIid));
const boxIn = (prefix: string) => v6(hostInPrefix6(prefix, '2'));

describe.skipIf(skip !== undefined)('DDNS AAAA in cgnat-v6, through an ISP prefix change', () => {
  let bed = undefined as unknown as Testbed;
  let dir = '';
  let dataDir = '';
  const ids = { homeA: '', homeAAAA: '', cam: '' };
  const figures: Record<string, number> = {};

  const current = (): { ipv4: string | null; ipv6: string | null } | undefined => {
    try {
      return (
        JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')) as {
          reachability: { current: { ipv4: string | null; ipv6: string | null } };
        }
      ).reachability.current;
    } catch {
      return undefined; // not written yet, or being replaced
    }
  };
  const state = (id: string) => readRecordState(dataDir, id);
  /** Whether the phone (outside the site) gets an answer from an IPv6 address. */
  const phoneReaches = async (address: string) =>
    (await bed.exec('phone', ['ping', '-6', '-n', '-c', '1', '-W', '1', address])).exitCode === 0;

  /** What BIND serves for a name and type, asked from the phone (outside the site). */
  async function dig(name: string, type: 'A' | 'AAAA'): Promise<string[]> {
    const r = await bed.exec('phone', ['dig', '+short', '+time=1', '+tries=1', `@${addr.dns}`, name, type]);
    return r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => (type === 'A' ? /^\d+\.\d+\.\d+\.\d+$/ : /^[0-9a-f:]+:[0-9a-f:]*$/).test(l))
      .map((l) => (type === 'A' ? l : v6(l)))
      .sort();
  }
  /** Waits for `check`; a timeout says what was seen last, so a wrong value shows as such. */
  async function waitSeeing<T>(
    what: string,
    check: () => Promise<{ value: T | undefined; seen: unknown }>,
    timeoutMs: number,
  ): Promise<T> {
    let seen: unknown;
    try {
      return await waitFor(
        what,
        async () => {
          const r = await check();
          seen = r.seen;
          return r.value;
        },
        timeoutMs,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last seen: ${JSON.stringify(seen)}`, { cause: e });
    }
  }

  /** Until BIND serves exactly `value` for the name and type. */
  const serves = (name: string, type: 'A' | 'AAAA', value: string, timeoutMs: number) =>
    waitSeeing(
      `BIND serving ${name} ${type} ${value}`,
      async () => {
        const got = await dig(name, type);
        return { value: got.join() === value ? true : undefined, seen: got };
      },
      timeoutMs,
    );

  /** The record's state once the engine has set `value` and seen BIND serve it. */
  const verified = (id: string, value: string, timeoutMs = 30_000) =>
    waitSeeing(
      `record ${id} = ${value} verified by the engine`,
      () => {
        const s = state(id);
        const ok = s?.applied === value && s.verifiedAt !== null && s.pending === null;
        return Promise.resolve({ value: ok ? s : undefined, seen: s });
      },
      timeoutMs,
    );

  /** The record's history values once the newest entry is the success for `value` (the log follows the state). */
  const historyUntil = (id: string, value: string) =>
    waitFor(`the history entry of ${value}`, () => {
      const entries = readDdnsHistory(dataDir).filter((h) => h.recordId === id);
      const last = entries.at(-1);
      return Promise.resolve(last?.value === value && last.ok ? entries : undefined);
    });

  beforeAll(async () => {
    bed = await Testbed.up('cgnat-v6');
    // The camera on the LAN (the bed's lan host) takes its address in the prefix, as SLAAC gives it.
    await bed.addLanHostIpv6(camIid);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ddns-v6-'));
    dataDir = path.join(dir, 'data');
    const config = JSON.parse(gatehouseReachabilityConfig({ backstopSeconds: 3600 })) as {
      reachability: Record<string, unknown>;
      ddns?: unknown;
    };
    // Nothing else probes within the test (the router here maps nothing and sends no events; the backstop is an
    // hour away): the prefix change must be heard by the interface watcher, or it is not heard at all.
    config.reachability.portMapping = { enabled: false };
    config.reachability.routerEvents = false;
    config.ddns = {
      resolver: addr.dns,
      authoritativeServers: [`${addr.dns}:${ports.dns}`],
      verifySeconds: 30,
      // No timer within the test: an engine that missed reach.address-accepted would not catch up by itself.
      recheckSeconds: 3600,
    };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
    bed.spawnGatehouse(path.join(dir, 'config.json'), dataDir);
    const control = ddnsControl(dataDir);
    await control.ready();
    await waitFor(
      'the public IPv6 address accepted',
      () => Promise.resolve(current()?.ipv6 === addr.gwLan6 ? true : undefined),
      30_000,
    );
    const account = await control.addAccount({
      kind: 'rfc2136',
      name: 'bed BIND',
      settings: { server: addr.dns, zone: bed.zone, keyName: bed.tsigKeyName, algorithm: 'hmac-sha256' },
      secrets: { secret: bed.tsigSecret },
    });
    const add = (hostname: string, type: 'A' | 'AAAA', value: RecordValue) =>
      addRecordWithValue(dataDir, { hostname, type, accountId: account.id, value, ttl: 60 });
    ids.homeA = await add(home, 'A', { kind: 'public' });
    ids.homeAAAA = await add(home, 'AAAA', { kind: 'public' });
    ids.cam = await add(cam, 'AAAA', { kind: 'ipv6-host', suffix: camSuffix });
  }, 90_000);

  afterAll(async () => {
    try {
      if (Object.keys(figures).length > 0) console.log(`ddns v6 e2e figures: ${JSON.stringify(figures)}`);
    } finally {
      // The bed ends the server with every process it started (by PID), then removes its namespaces.
      await (bed as Testbed | undefined)?.down();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('publishes the box’s IPv6 address for home, prefix + the camera’s identifier for cam', async () => {
    expect(bed.expectedPublicIpv6).toBe(addr.gwLan6);
    await verified(ids.homeAAAA, addr.gwLan6);
    await verified(ids.cam, camIn('2001:db8:10::/64'));
    expect(camIn('2001:db8:10::/64')).toBe('2001:db8:10:0:211:32ff:fe12:3456');
    expect(await dig(home, 'AAAA')).toEqual([addr.gwLan6]);
    expect(await dig(cam, 'AAAA')).toEqual(['2001:db8:10:0:211:32ff:fe12:3456']);
    // The name leads to the camera itself: what BIND serves for cam answers from the LAN host.
    expect(bed.lanHostIpv6 === undefined ? undefined : v6(bed.lanHostIpv6)).toBe(camIn('2001:db8:10::/64'));
    const [served] = await dig(cam, 'AAAA');
    expect(served !== undefined && (await phoneReaches(served))).toBe(true);
    // Each written once, with its value: nothing else went to BIND first.
    const journal = await zoneJournal(bed);
    expect(valuesAdded(journal, home, 'AAAA').map(v6)).toEqual([addr.gwLan6]);
    expect(valuesAdded(journal, cam, 'AAAA').map(v6)).toEqual([camIn('2001:db8:10::/64')]);
  });

  it('home A behind CGNAT: the accepted public IPv4, which is the CGNAT pool address', async () => {
    // Reachability accepts what STUN and the HTTP echo agree the internet sees: the ISP's pool address, not the
    // router's 100.64.0.2 (never public) and not the box's 10.10.0.2. The engine publishes the accepted address of
    // the family, so A = 203.0.113.18. It is true (outgoing connections come from it) but gives no way in: the
    // verdict says CGNAT and the way in is IPv6 (the AAAA records) or later the relay.
    await waitFor('the public IPv4 address accepted', () =>
      Promise.resolve(current()?.ipv4 === bed.expectedPublicAddress ? true : undefined),
    );
    expect(bed.expectedPublicAddress).toBe(addr.ispPublic);
    await verified(ids.homeA, addr.ispPublic);
    expect(await dig(home, 'A')).toEqual([addr.ispPublic]);
  });

  it('an ISP prefix change ends with BIND serving both AAAA records in the new prefix, verified; nothing else written', async () => {
    const newBox = boxIn(newPrefix);
    const newCam = camIn(newPrefix);
    const homeABefore = await verified(ids.homeA, addr.ispPublic);
    const changedAt = Date.now();
    await bed.renumberV6Prefix(newPrefix);
    figures.prefixChangeCommandsMs = Date.now() - changedAt;
    expect(bed.expectedPublicIpv6).toBe(newBox);

    // Polls BIND from outside (dig from the phone): the figure is what the world sees.
    await serves(cam, 'AAAA', newCam, 45_000);
    figures.prefixChangeToCamServedMs = Date.now() - changedAt;

    // The engine's own verdict: both set and seen served at BIND after the change, with the time it took.
    const camState = await verified(ids.cam, newCam);
    const homeState = await verified(ids.homeAAAA, newBox);
    for (const s of [camState, homeState]) {
      expect(s.propagationMs).toEqual(expect.any(Number));
      expect(Date.parse(s.verifiedAt ?? '')).toBeGreaterThanOrEqual(changedAt);
      expect(s.lastAttempt).toMatchObject({ ok: true });
    }
    figures.camEnginePropagationMs = camState.propagationMs ?? NaN;
    figures.homeEnginePropagationMs = homeState.propagationMs ?? NaN;

    // BIND serves the new values only; the old prefix is nowhere in the zone.
    expect(await dig(home, 'AAAA')).toEqual([newBox]);
    expect(await dig(cam, 'AAAA')).toEqual([newCam]);
    const zone = await bed.zoneRecords();
    expect(zone.filter((r) => r.value.startsWith('2001:db8:10:'))).toEqual([]);

    // IPv4 is untouched by an IPv6 change: same value, no new update of the A record.
    expect(await dig(home, 'A')).toEqual([addr.ispPublic]);
    expect(state(ids.homeA)?.appliedAt).toBe(homeABefore.appliedAt);

    // No wrong value at any time: every value BIND was ever given (its journal), every update the engine made (its
    // history) and every IPv6 address reachability accepted, in order.
    const journal = await zoneJournal(bed);
    expect(valuesAdded(journal, cam, 'AAAA').map(v6)).toEqual([camIn('2001:db8:10::/64'), newCam]);
    expect(valuesAdded(journal, home, 'AAAA').map(v6)).toEqual([addr.gwLan6, newBox]);
    expect(valuesAdded(journal, home, 'A')).toEqual([addr.ispPublic]);
    // Each change replaced the value in one update: no moment without an AAAA record.
    expect(blankings(journal, cam, 'AAAA')).toEqual([]);
    expect(blankings(journal, home, 'AAAA')).toEqual([]);
    const camHistory = await historyUntil(ids.cam, newCam);
    const homeHistory = await historyUntil(ids.homeAAAA, newBox);
    expect(camHistory.map((h) => [h.value, h.previous, h.ok])).toEqual([
      [camIn('2001:db8:10::/64'), null, true],
      [newCam, camIn('2001:db8:10::/64'), true],
    ]);
    expect(homeHistory.map((h) => [h.value, h.previous, h.ok])).toEqual([
      [addr.gwLan6, null, true],
      [newBox, addr.gwLan6, true],
    ]);
    const accepted6 = readAddressHistory(dataDir).filter((h) => h.family === 'ipv6');
    expect(accepted6.map((h) => h.address)).toEqual([addr.gwLan6, newBox]);
    // Seen from outside too (STUN or the HTTP echo over IPv6), not only on the box's own interface.
    expect(accepted6.at(-1)?.sources.some((src) => /^(stun|http):/.test(src))).toBe(true);
    const acceptedAt = Date.parse(accepted6.at(-1)?.at ?? '');
    figures.prefixChangeToAcceptedMs = acceptedAt - changedAt;
    figures.acceptedToCamVerifiedMs = Date.parse(camState.verifiedAt ?? '') - acceptedAt;

    // The names lead to the box and to the camera at their new addresses; the old camera address is gone.
    expect(await phoneReaches(newBox)).toBe(true);
    expect(await phoneReaches(newCam)).toBe(true);
    expect(await phoneReaches(camIn('2001:db8:10::/64'))).toBe(false);

    console.log(
      `ddns v6: ISP prefix change → BIND serves the new cam AAAA after ${figures.prefixChangeToCamServedMs} ms ` +
        `(accepted after ${figures.prefixChangeToAcceptedMs} ms, cam verified ${figures.acceptedToCamVerifiedMs} ms ` +
        `later; engine's propagation: cam ${figures.camEnginePropagationMs} ms, home ${figures.homeEnginePropagationMs} ms)`,
    );
  }, 90_000);

  it('a scenario switch puts the original prefix back (the bed), and the records follow it back', async () => {
    await bed.setScenario('cgnat-v6');
    expect(bed.lanPrefix6).toBe('2001:db8:10::/64');
    expect(bed.expectedPublicIpv6).toBe(addr.gwLan6);
    expect(bed.lanHostIpv6).toBeUndefined();
    const held = await bed.exec('gw', ['ip', '-6', '-j', 'addr', 'show', 'dev', 'eth0', 'scope', 'global']);
    // iproute2 prints an empty object for each address the filter left out.
    const globals = (JSON.parse(held.stdout) as { addr_info: { local?: string }[] }[]).flatMap((l) =>
      l.addr_info.flatMap((a) => (a.local === undefined ? [] : [a.local])),
    );
    expect(globals).toEqual([addr.gwLan6]);
    await verified(ids.homeAAAA, addr.gwLan6);
    await verified(ids.cam, camIn('2001:db8:10::/64'));
    expect(await dig(home, 'AAAA')).toEqual([addr.gwLan6]);
    expect(await dig(cam, 'AAAA')).toEqual([camIn('2001:db8:10::/64')]);
  }, 60_000);
});

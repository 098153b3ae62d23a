/**
 * @module What a running `gatehouse serve` in the bed did, read from outside it: the addresses it accepted (its
 * store's `reach.history` log), the router events it acted on (its log), when its newest probe report ended (its
 * reachability card over the control socket) and the probes it ran as the router saw them (miniupnpd's log).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import { statusViewSchema } from '../../src/control/status-view.js';
import { logsDirName } from '../../src/store/lowdb-store.js';
import {
  addressChangeSchema,
  reachHistoryLog,
  type AddressChange,
} from '../../src/store/slices/reachability.js';

const segmentName = /^\d{12}\.jsonl$/;

/**
 * Every accepted address change in the data directory, oldest first. The segment files are read as they are, not
 * through the log's adapter (opening it would cut off a line the running server is still writing); a line that
 * is complete but no valid record fails the test.
 */
export function readAddressHistory(dataDir: string): AddressChange[] {
  const dir = path.join(dataDir, logsDirName, reachHistoryLog.name);
  if (!fs.existsSync(dir)) return [];
  const records: AddressChange[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => segmentName.test(n))
    .sort()) {
    // Complete lines only: the text after the last newline may be a record being written.
    const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n').slice(0, -1);
    for (const line of lines) if (line !== '') records.push(addressChangeSchema.parse(JSON.parse(line)));
  }
  return records;
}

/**
 * When the server acted on a router event (ms since the epoch, in log order): each UPnP GENA event and NAT-PMP /
 * PCP announcement it published on `router.wan-changed` — gena.ts and announce.ts log each one just before
 * publishing it. A GENA event held back because it changed no WAN variable ("… without a WAN change") and the
 * second line of an event naming a new address are not events of their own.
 */
export function routerEventTimes(serverLog: string): number[] {
  return logEntries(serverLog)
    .filter(
      ({ msg }) =>
        (msg.startsWith('GENA: router event ') &&
          !msg.startsWith('GENA: router event without a WAN change')) ||
        /^router announcements: (NAT-PMP|PCP ANNOUNCE) from /.test(msg),
    )
    .map(({ time }) => Date.parse(time));
}

/**
 * The IPv4 addresses the server accepted, in log order: service.ts logs each accepted change ("public address
 * accepted") just before it publishes it on `reach.address-accepted`.
 */
export function acceptedIpv4(serverLog: string): string[] {
  return logEntries(serverLog)
    .filter((e) => e.msg === 'public address accepted' && e.fields.family === 'ipv4')
    .map((e) => String(e.fields.address));
}

/** The server's JSON log lines (pino) that have a time and a message; a line still being written is left out. */
function logEntries(serverLog: string): { time: string; msg: string; fields: Record<string, unknown> }[] {
  const entries: { time: string; msg: string; fields: Record<string, unknown> }[] = [];
  for (const line of serverLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const { time, msg } = fields;
    if (typeof time === 'string' && typeof msg === 'string') entries.push({ time, msg, fields });
  }
  return entries;
}

/**
 * The reachability probes a box at `client` ran, as miniupnpd logged them, in the order first logged: each probe's
 * PCP source maps the port of its own probe socket under a fresh random nonce (pcp-client.ts, externalAddress), and
 * miniupnpd names the mapping `PCP MAP <nonce>`. A retransmission repeats the nonce; the port mapper's mapping of
 * `mappedPort` keeps its nonce across renewals and is no probe.
 */
export function pcpProbeNonces(miniupnpdLog: string, client: string, mappedPort: number): string[] {
  const nonces = new Set<string>();
  // miniupnpd 2.3.1: "PCP MAP: %s mapping %s %hu->%s:%hu '%s'" (added / failed to add; protocol, external port,
  // internal address and port, description).
  for (const m of miniupnpdLog.matchAll(
    /PCP MAP: [a-z ]+ mapping \w+ \d+->([\d.]+):(\d+) 'PCP MAP ([0-9a-f]{24})'/g,
  )) {
    if (m[1] === client && Number(m[2]) !== mappedPort && m[3] !== undefined) nonces.add(m[3]);
  }
  return [...nonces];
}

/**
 * When the server's newest applied probe report ended (ms since the epoch): its reachability card's "Checked", over
 * the control socket as `gatehouse status` reads it. Undefined before the first report or while no server answers.
 * A report that a newer probe overtook is never applied, so this is also "the newest probe that counts is done".
 */
export async function lastCheckedAt(dataDir: string): Promise<number | undefined> {
  const answer = await createControlClient(controlSocketPath(dataDir), { timeoutMs: 5_000 }).request(
    'GET',
    '/v1/status',
    statusViewSchema,
  );
  if (answer.kind !== 'ok') return undefined;
  const card = answer.value.cards.find((c) => c.id === 'reachability');
  const at = card?.facts.find((f) => f.label === 'Checked')?.at;
  return at === undefined ? undefined : Date.parse(at);
}

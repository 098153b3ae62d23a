/**
 * @module The live interface against the desired one: the `wg set` / `wg addconf` steps that reconcile it
 * without dropping a session or a packet of the peers that stay, and one sentence per difference. Pure.
 */
import { formatIpv6, parseCidr } from '../reach/addresses.js';
import type { DevicePeer, DumpPeer, DumpState } from './model.js';

/**
 * The interface as Gatehouse wants it. The private key stays out: it is checked by its public half (preshared keys
 * are compared, since the dump shows them).
 */
export interface DesiredDevice {
  readonly listenPort: number;
  /** The public half of the server key: a live interface with another (or no) private key gets the server key set. */
  readonly publicKey: string;
  readonly peers: readonly DevicePeer[];
}

/**
 * One change to the live interface. None re-creates the interface or a peer that stays: `wg setconf` is never
 * planned, since it removes and re-creates every peer (sessions, handshakes and counters are lost).
 */
export type DeviceStep =
  | { readonly kind: 'set-private-key' }
  | { readonly kind: 'set-listen-port'; readonly port: number }
  /**
   * `wg set <if> peer …` for a new peer or one that differs. `replaceAllowedIps` false: its allowed IPs are already
   * right and the command leaves them alone (replacing them empties the peer's routes for a moment).
   */
  | { readonly kind: 'set-peer'; readonly peer: DevicePeer; readonly replaceAllowedIps: boolean }
  | { readonly kind: 'remove-peer'; readonly publicKey: string }
  /**
   * Many peer changes in one go: one `wg set <if> peer … remove …` for `remove`, then one `wg addconf` naming only
   * `peers` (each written whole: allowed IPs replaced, a missing preshared key as zeros, which wg reads as none).
   * Peers not named are not touched, so their packets keep flowing.
   */
  | { readonly kind: 'set-peers'; readonly peers: readonly DevicePeer[]; readonly remove: readonly string[] }
  /**
   * `wg syncconf` with the whole desired configuration (private key, listen port, every peer). Never planned: a full
   * resync for whoever asks for one. It keeps the sessions of the peers that stay but re-inserts every peer's
   * allowed IPs, and at 1,000 peers on wireguard-go that lost 1 or 2 of 300 pings of an active session
   * (test/e2e/wg-device.test.ts), where `set-peers` lost none.
   */
  | { readonly kind: 'sync-all' };

export interface DevicePlan {
  /** Empty when the interface already matches. */
  readonly steps: readonly DeviceStep[];
  /** One sentence per difference, for people (the UI's drift list). Never carries a private or preshared key. */
  readonly changes: readonly string[];
}

/**
 * Above this many peer changes one `set-peers` replaces the individual `wg set`s: each `wg set` is a process and a
 * round trip (a preshared key adds a few more), while `set-peers` is at most two, whatever the number of changes.
 */
export const batchThreshold = 32;

/** A public key as people can tell it apart in a list: its first eight characters. Public keys are not secret. */
export function shortKey(publicKey: string): string {
  return `"${publicKey.slice(0, 8)}…"`;
}

/** One allowed IP in the form `wg show` prints it: host bits cleared, IPv6 in RFC 5952 text; anything else unchanged. */
export function canonicalCidr(text: string): string {
  const trimmed = text.trim();
  const cidr = parseCidr(trimmed);
  if (cidr === undefined) return trimmed;
  const width = cidr.family === 'ipv4' ? 32 : 128;
  const hostBits = BigInt(width - cidr.bits);
  const base = (cidr.base >> hostBits) << hostBits;
  return `${cidr.family === 'ipv4' ? formatIpv4(base) : formatIpv6(groupsOf(base))}/${String(cidr.bits)}`;
}

/** Allowed IPs as a set: canonical, without duplicates, sorted, so order and spelling never count as a difference. */
export function canonicalAllowedIps(list: readonly string[]): readonly string[] {
  return [...new Set(list.map(canonicalCidr))].sort();
}

/** The steps that make `actual` (null: no interface yet, i.e. an empty one) match `desired`, and why. */
export function planDevice(
  desired: DesiredDevice,
  actual: DumpState | null,
  threshold: number = batchThreshold,
): DevicePlan {
  const live = actual ?? emptyDevice;
  const steps: DeviceStep[] = [];
  const changes: string[] = [];

  if (!live.hasPrivateKey || live.publicKey === null) {
    steps.push({ kind: 'set-private-key' });
    changes.push('set the private key (the interface has none)');
  } else if (live.publicKey !== desired.publicKey) {
    steps.push({ kind: 'set-private-key' });
    changes.push(
      `private key: the interface runs as ${shortKey(live.publicKey)}, not as the server key ${shortKey(desired.publicKey)}`,
    );
  }
  if (live.listenPort !== desired.listenPort) {
    steps.push({ kind: 'set-listen-port', port: desired.listenPort });
    changes.push(
      `listen port ${live.listenPort === 0 ? 'none' : String(live.listenPort)} → ${String(desired.listenPort)}`,
    );
  }

  const wanted = new Set(desired.peers.map((p) => p.publicKey));
  const peerSteps: DeviceStep[] = [];
  for (const peer of live.peers) {
    if (wanted.has(peer.publicKey)) continue;
    peerSteps.push({ kind: 'remove-peer', publicKey: peer.publicKey });
    changes.push(`remove peer ${shortKey(peer.publicKey)} (${listIps(peer.allowedIps)}): not in Gatehouse`);
  }
  const livePeers = new Map(live.peers.map((p) => [p.publicKey, p]));
  for (const peer of desired.peers) {
    const current = livePeers.get(peer.publicKey);
    if (current === undefined) {
      peerSteps.push({ kind: 'set-peer', peer, replaceAllowedIps: true });
      changes.push(`add peer ${shortKey(peer.publicKey)} (${listIps(peer.allowedIps)})`);
      continue;
    }
    const differences = peerDifferences(peer, current);
    if (differences.sentences.length === 0) continue;
    peerSteps.push({ kind: 'set-peer', peer, replaceAllowedIps: differences.allowedIps });
    changes.push(...differences.sentences.map((s) => `peer ${shortKey(peer.publicKey)}: ${s}`));
  }

  if (peerSteps.length <= threshold) return { steps: [...steps, ...peerSteps], changes };
  const batch: DeviceStep = {
    kind: 'set-peers',
    peers: peerSteps.flatMap((s) => (s.kind === 'set-peer' ? [s.peer] : [])),
    remove: peerSteps.flatMap((s) => (s.kind === 'remove-peer' ? [s.publicKey] : [])),
  };
  return { steps: [...steps, batch], changes };
}

const emptyDevice: DumpState = {
  publicKey: null,
  listenPort: 0,
  fwmark: null,
  // Stryker disable next-line BooleanLiteral: with publicKey null the key is set either way (an equivalent mutant)
  hasPrivateKey: false,
  peers: [],
};

function peerDifferences(
  peer: DevicePeer,
  current: DumpPeer,
): { readonly allowedIps: boolean; readonly sentences: readonly string[] } {
  const sentences: string[] = [];
  const want = canonicalAllowedIps(peer.allowedIps);
  const have = canonicalAllowedIps(current.allowedIps);
  const allowedIps = want.join(',') !== have.join(',');
  if (allowedIps) sentences.push(`allowed IPs ${listIps(have)} → ${listIps(want)}`);
  // Which way the preshared keys differ, never their values.
  if (peer.presharedKey !== current.presharedKey) {
    sentences.push(
      current.presharedKey === null
        ? 'preshared key missing'
        : peer.presharedKey === null
          ? 'unexpected preshared key'
          : 'preshared key differs',
    );
  }
  if (peer.persistentKeepalive !== current.persistentKeepalive) {
    sentences.push(
      `keepalive ${keepalive(current.persistentKeepalive)} → ${keepalive(peer.persistentKeepalive)}`,
    );
  }
  return { allowedIps, sentences };
}

function listIps(list: readonly string[]): string {
  return list.length === 0 ? 'no allowed IPs' : canonicalAllowedIps(list).join(', ');
}

function keepalive(seconds: number): string {
  return seconds === 0 ? 'off' : `${String(seconds)} s`;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

function groupsOf(value: bigint): number[] {
  return [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
}

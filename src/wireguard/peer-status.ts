/** @module A peer's status from the dump: online (a recent handshake), traffic, and whether it came from the internet. Pure. */
import { isIP } from 'node:net';
import { checkBogon } from '../reach/addresses.js';
import type { DumpPeer } from './model.js';

/**
 * How far in the future a handshake may lie and still count: the kernel stamps it with the system clock, and
 * `now` may come from a clock read a moment apart (or a box whose time was just stepped back).
 */
export const clockSkewSeconds = 60;

export interface PeerStatus {
  readonly online: boolean;
  /** ISO time of the latest handshake, or null when there was none. */
  readonly latestHandshakeAt: string | null;
  readonly endpoint: string | null;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/**
 * Online means a handshake within the last `onlineWithinSeconds` (WireGuard re-handshakes about every 2 minutes
 * while traffic flows, research 1), and not further in the future than the clock skew allows.
 */
export function peerStatus(peer: DumpPeer, nowMs: number, onlineWithinSeconds: number): PeerStatus {
  const at = peer.latestHandshake;
  const ageMs = at === null ? null : nowMs - at * 1000;
  return {
    online: ageMs !== null && ageMs <= onlineWithinSeconds * 1000 && ageMs >= -clockSkewSeconds * 1000,
    latestHandshakeAt: at === null ? null : new Date(at * 1000).toISOString(),
    endpoint: peer.endpoint,
    rxBytes: peer.rxBytes,
    txBytes: peer.txBytes,
  };
}

/**
 * A dump endpoint (`198.51.100.7:51820`, `[2001:db8::7%eth0]:51820`) as its address (brackets and %scope gone) and
 * port, or undefined for anything else.
 */
export function parseEndpoint(endpoint: string): { address: string; port: number } | undefined {
  const colon = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, colon);
  const portText = endpoint.slice(colon + 1);
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) return undefined;
  // A bracketed address is IPv6 and may carry a %scope; a plain one is IPv4. split() yields a first element.
  const bracketed = host.startsWith('[') && host.endsWith(']');
  const address = bracketed ? (host.slice(1, -1).split('%') as [string])[0] : host;
  return isIP(address) === (bracketed ? 6 : 4) ? { address, port: Number(portText) } : undefined;
}

/** The address of a dump endpoint, or undefined when it is none. */
export function endpointAddress(endpoint: string): string | undefined {
  return parseEndpoint(endpoint)?.address;
}

/**
 * Whether the peer's endpoint is an internet address: the proof that the tunnel is reachable from outside, not
 * only from the LAN. `publicRanges` (configuration) count as public even when bogons (the test bed).
 */
export function isPublicEndpoint(endpoint: string, publicRanges: readonly string[]): boolean {
  const address = endpointAddress(endpoint);
  // Stryker disable next-line ConditionalExpression: checkBogon calls anything but an address a bogon as well
  return address !== undefined && !checkBogon(address, publicRanges).bogon;
}

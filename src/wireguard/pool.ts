/** @module Tunnel address pools: the server's address, the lowest free peer address, and what a pool may be. Pure. */
import type { Outcome } from '../core/outcome.js';
import { type Cidr, familyOf, formatIpv6, inCidr, parseCidr, toBigInt } from '../reach/addresses.js';

export interface PoolFailure {
  readonly code: 'wireguard.pool-full' | 'wireguard.bad-pool';
  readonly message: string;
}

function widthOf(cidr: Cidr): bigint {
  return cidr.family === 'ipv4' ? 32n : 128n;
}

/** The pool's network address (host bits cleared) and its last address. */
function bounds(cidr: Cidr): { first: bigint; last: bigint } {
  const hostBits = widthOf(cidr) - BigInt(cidr.bits);
  const first = (cidr.base >> hostBits) << hostBits;
  return { first, last: first + (1n << hostBits) - 1n };
}

/** A bigint address as text: dotted quad, or RFC 5952 for IPv6. */
export function formatAddress(value: bigint, family: 'ipv4' | 'ipv6'): string {
  if (family === 'ipv4') return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  return formatIpv6([112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((value >> s) & 0xffffn)));
}

/** The pool as a parsed CIDR with an explicit prefix; throws for what checkPool would refuse as unreadable. */
function readPool(pool: string): Cidr {
  const cidr = pool.includes('/') ? parseCidr(pool) : undefined;
  if (!cidr) throw new RangeError('the WireGuard pool is not an address range (address/prefix)');
  return cidr;
}

/**
 * The server's own tunnel address: the first host of the pool (10.8.0.1 for 10.8.0.0/24). The pool must be
 * readable (checkPool); an unreadable one throws, as it is a configuration that validation let through.
 */
export function serverAddress(pool: string): string {
  const cidr = readPool(pool);
  return formatAddress(bounds(cidr).first + 1n, cidr.family);
}

/** The interface address with the pool's prefix: `10.8.0.1/24`. */
export function interfaceAddress(pool: string): string {
  return `${serverAddress(pool)}/${readPool(pool).bits}`;
}

/** Whether an address (an IP literal without prefix) lies in the pool; false for anything unreadable. */
export function inPool(address: string, pool: string): boolean {
  const cidr = pool.includes('/') ? parseCidr(pool) : undefined;
  return cidr !== undefined && inCidr(address, cidr);
}

/** An address given with or without a host prefix (`10.8.0.2` or `10.8.0.2/32`) as a bigint of the family. */
function addressValue(text: string, family: 'ipv4' | 'ipv6'): bigint | undefined {
  // split() always yields a first element.
  const [address] = text.split('/') as [string];
  return familyOf(address) === family ? toBigInt(address) : undefined;
}

/**
 * The lowest free host address of the pool for a new peer: never the network address, never the server address
 * (the first host), never the IPv4 broadcast address, never one of `taken` (addresses, with or without a /32 or
 * /128; others are ignored). O(taken) time: one Set, then at most taken + 1 candidates.
 */
export function allocateAddress(pool: string, taken: readonly string[]): Outcome<string, PoolFailure> {
  const cidr = pool.includes('/') ? parseCidr(pool) : undefined;
  if (!cidr)
    return { ok: false, error: { code: 'wireguard.bad-pool', message: `"${pool}" is not an address range` } };
  const { first, last } = bounds(cidr);
  const used = new Set(taken.map((t) => addressValue(t, cidr.family)));
  // IPv4's last address is the broadcast; IPv6 has no broadcast, so its last address is a host like any other.
  const lastHost = cidr.family === 'ipv4' ? last - 1n : last;
  for (let candidate = first + 2n; candidate <= lastHost; candidate++) {
    if (!used.has(candidate)) return { ok: true, value: formatAddress(candidate, cidr.family) };
  }
  return {
    ok: false,
    error: {
      code: 'wireguard.pool-full',
      message: `the address pool ${pool} is full: every peer address is taken; choose a larger pool (a shorter prefix) or remove a peer`,
    },
  };
}

const ipv4Ranges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/**
 * Why `pool` cannot be the tunnel pool of `family`, or undefined when it can. IPv4: inside a private range or
 * 100.64.0.0/10, prefix /16 to /30. IPv6: inside fc00::/7 (ULA), prefix /48 to /120. Host bits must be zero.
 */
export function checkPool(pool: string, family: 'ipv4' | 'ipv6'): string | undefined {
  const v4 = family === 'ipv4';
  const cidr = pool.includes('/') ? parseCidr(pool) : undefined;
  if (!cidr || cidr.family !== family)
    return `"${pool}" is not an ${v4 ? 'IPv4' : 'IPv6'} range written as address/prefix`;
  const [min, max] = v4 ? [16, 30] : [48, 120];
  if (cidr.bits < min || cidr.bits > max)
    return `the ${v4 ? 'IPv4' : 'IPv6'} pool's prefix must be /${min} to /${max}, not /${cidr.bits}`;
  const { first } = bounds(cidr);
  if (first !== cidr.base)
    return `write the pool as its network address: ${formatAddress(first, family)}/${cidr.bits}`;
  const allowed = v4 ? ipv4Ranges : ['fc00::/7'];
  // Every range of the list parses; the prefix bound above makes the pool no wider than any of them.
  if (!allowed.some((r) => inCidr(formatAddress(first, family), parseCidr(r) as Cidr)))
    return v4
      ? `the IPv4 pool must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10, not ${pool}`
      : `the IPv6 pool must be a unique local range (fc00::/7, e.g. fd12:3456:789a::/64), not ${pool}`;
  return undefined;
}

/**
 * A message naming the first of `ranges` (LAN ranges, address/prefix) that overlaps the pool, or undefined when
 * none does. Ranges of the other family or that do not parse overlap nothing.
 */
export function poolOverlaps(pool: string, ranges: readonly string[]): string | undefined {
  const a = pool.includes('/') ? parseCidr(pool) : undefined;
  if (!a) return undefined;
  const ab = bounds(a);
  for (const range of ranges) {
    const b = parseCidr(range);
    if (!b || b.family !== a.family) continue;
    const bb = bounds(b);
    if (ab.first <= bb.last && bb.first <= ab.last)
      return `the tunnel pool ${pool} overlaps the LAN range ${range}: choose a pool outside the LAN`;
  }
  return undefined;
}

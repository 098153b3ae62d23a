/** @module Address arithmetic and the bogon list: which addresses can never be a box's public address. Pure. */
import { isIP } from 'node:net';
import type { Family } from './types.js';

export function familyOf(address: string): Family | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

/** The address as a bigint (IPv4: 32 bits, IPv6: 128 bits), or undefined when it is not an IP literal. */
export function toBigInt(address: string): bigint | undefined {
  const fam = familyOf(address);
  if (fam === 'ipv4') return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  if (fam !== 'ipv6') return undefined;
  // A zone (RFC 4007: "fe80::1%eth0.100") names a link, not part of the address, and may hold dots: drop it first.
  // split() always yields a first element.
  const [bare] = address.split('%') as [string];
  // Hex groups may be in either case: parseInt(g, 16) reads both.
  let text = bare;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups; isIP allows a dotted quad only as the last group.
  const lastGroupAt = text.lastIndexOf(':') + 1;
  const lastGroup = text.slice(lastGroupAt);
  if (lastGroup.includes('.')) {
    const n = toBigInt(lastGroup) ?? 0n;
    text = text.slice(0, lastGroupAt) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  // split() always yields a first element.
  const [head, tail] = text.split('::') as [string, string?];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  // Without "::" there are eight groups already and nothing is missing.
  const groups = [...headGroups, ...new Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/**
 * Eight 16-bit groups in RFC 5952 text: lower-case hex without leading zeros, the longest run of two or more zero
 * groups (the first on a tie) as "::".
 */
export function formatIpv6(groups: readonly number[]): string {
  const none = { start: 0, length: 0 }; // a start counts only once a run has a length
  let best = none;
  let run = none;
  groups.forEach((g, i) => {
    run = g !== 0 ? none : { start: run.length === 0 ? i : run.start, length: run.length + 1 };
    if (run.length > best.length) best = run;
  });
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

export interface Cidr {
  readonly family: Family;
  readonly base: bigint;
  readonly bits: number;
  readonly text: string;
}

export function parseCidr(text: string): Cidr | undefined {
  // split() always yields a first element.
  const [addr, lenText] = text.split('/') as [string, string?];
  const family = familyOf(addr);
  if (!family) return undefined;
  // toBigInt reads every address familyOf knows: the fallback only narrows the type.
  const base = toBigInt(addr) ?? 0n;
  const max = family === 'ipv4' ? 32 : 128;
  // Digits only: Number('') is 0, so "1.2.3.4/" would otherwise be the whole address space.
  if (lenText !== undefined && !/^\d+$/.test(lenText)) return undefined;
  const bits = lenText === undefined ? max : Number(lenText);
  if (bits > max) return undefined;
  return { family, base, bits, text };
}

export function inCidr(address: string, cidr: Cidr): boolean {
  if (familyOf(address) !== cidr.family) return false;
  // The family check above ruled out a non-address: the fallback only narrows the type.
  const value = toBigInt(address) ?? 0n;
  const width = cidr.family === 'ipv4' ? 32n : 128n;
  const shift = width - BigInt(cidr.bits);
  return value >> shift === cidr.base >> shift;
}

/** Ranges that are never a public address, with a name for messages. Order does not matter: the most specific wins. */
export const bogonRanges: readonly { readonly cidr: string; readonly name: string }[] = [
  { cidr: '0.0.0.0/8', name: '"this network"' },
  { cidr: '10.0.0.0/8', name: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', name: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', name: 'loopback' },
  { cidr: '169.254.0.0/16', name: 'link-local' },
  { cidr: '172.16.0.0/12', name: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', name: 'IETF protocol assignments' },
  { cidr: '192.0.0.0/29', name: 'DS-Lite (RFC 6333)' },
  { cidr: '192.0.2.0/24', name: 'documentation (TEST-NET-1)' },
  { cidr: '192.168.0.0/16', name: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', name: 'benchmarking' },
  { cidr: '198.51.100.0/24', name: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', name: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', name: 'multicast' },
  { cidr: '240.0.0.0/4', name: 'reserved' },
  { cidr: '::/128', name: 'unspecified' },
  { cidr: '::1/128', name: 'loopback' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped' },
  { cidr: '64:ff9b::/96', name: 'NAT64' },
  { cidr: '64:ff9b:1::/48', name: 'NAT64 (local use, RFC 8215)' },
  { cidr: '100::/64', name: 'discard-only' },
  { cidr: '2001:db8::/32', name: 'documentation' },
  { cidr: 'fc00::/7', name: 'unique local (ULA)' },
  { cidr: 'fe80::/10', name: 'link-local' },
  { cidr: 'ff00::/8', name: 'multicast' },
];

export interface NamedRange {
  readonly cidr: string;
  readonly name: string;
  readonly parsed: Cidr;
}

// Every range of the table parses: a test checks each.
const parsedBogons: readonly NamedRange[] = bogonRanges.map((b) => ({
  ...b,
  parsed: parseCidr(b.cidr) as Cidr,
}));

/** The most specific of `ranges` that holds the address (the first listed on a tie), whatever their order. */
export function mostSpecificRange<R extends NamedRange>(
  address: string,
  ranges: readonly R[],
): R | undefined {
  let best: R | undefined;
  for (const r of ranges) {
    if (inCidr(address, r.parsed) && (!best || r.parsed.bits > best.parsed.bits)) best = r;
  }
  return best;
}

export type BogonCheck =
  { readonly bogon: false } | { readonly bogon: true; readonly range: string; readonly name: string };

/**
 * Whether an address can be a public address. `publicRanges` (configuration) are treated as public even when
 * they are bogons — the test bed's documentation ranges, or a lab. The most specific named range wins.
 */
// Stryker disable next-line ArrayDeclaration: a default of junk text would parse to no range and exempt nothing, like []
export function checkBogon(address: string, publicRanges: readonly string[] = []): BogonCheck {
  if (familyOf(address) === undefined) return { bogon: true, range: address, name: 'not an IP address' };
  // A zone scopes an address to one link: never one the internet reaches, nor one to publish.
  if (address.includes('%')) return { bogon: true, range: address, name: 'zoned (scoped to one link)' };
  for (const r of publicRanges) {
    const cidr = parseCidr(r);
    if (cidr && inCidr(address, cidr)) return { bogon: false };
  }
  const best = mostSpecificRange(address, parsedBogons);
  return best ? { bogon: true, range: best.cidr, name: best.name } : { bogon: false };
}

const privateOrCgnat = new Map<string, 'cgnat' | 'private'>([
  ['100.64.0.0/10', 'cgnat'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['fc00::/7', 'private'],
]);

export function isPrivateOrCgnat(address: string): 'cgnat' | 'private' | undefined {
  const check = checkBogon(address);
  return check.bogon ? privateOrCgnat.get(check.range) : undefined;
}

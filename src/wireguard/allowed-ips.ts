/** @module A client's AllowedIPs: what its tunnel routes, per tunnel mode, as the fewest CIDRs. Pure. */
import { type Cidr, parseCidr } from '../reach/addresses.js';
import type { TunnelMode } from './model.js';
import { formatAddress } from './pool.js';

/** A block of addresses: network address and prefix length. */
interface Block {
  readonly v6: boolean;
  readonly base: bigint;
  readonly bits: number;
}

function widthOf(v6: boolean): number {
  return v6 ? 128 : 32;
}

function toBlock(cidr: Cidr): Block {
  const v6 = cidr.family === 'ipv6';
  const hostBits = BigInt(widthOf(v6) - cidr.bits);
  return { v6, base: (cidr.base >> hostBits) << hostBits, bits: cidr.bits };
}

/** The block's last address. */
function endOf(b: Block): bigint {
  return b.base + (1n << BigInt(widthOf(b.v6) - b.bits)) - 1n;
}

/** The block's size bit: the two halves of a /n differ only in it. */
function sizeOf(b: Block): bigint {
  return 1n << BigInt(widthOf(b.v6) - b.bits);
}

/** IPv4 before IPv6, then by address, then the wider block first. */
function compare(a: Block, b: Block): number {
  if (a.v6 !== b.v6) return a.v6 ? 1 : -1;
  if (a.base !== b.base) return a.base < b.base ? -1 : 1;
  return a.bits - b.bits;
}

/**
 * The same address space as `cidrs` in the fewest blocks: each as its network address (host bits cleared), blocks
 * inside another dropped, two halves of a block merged into it (repeatedly), IPv4 first then IPv6, by address.
 * Entries may be plain addresses (a host). Throws a RangeError on an entry that is not an address or CIDR: callers
 * pass validated data.
 */
export function aggregateCidrs(cidrs: readonly string[]): string[] {
  const blocks = cidrs.map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw new RangeError(`not an address or CIDR: ${JSON.stringify(text)}`);
    return toBlock(cidr);
  });
  blocks.sort(compare);
  const kept: Block[] = [];
  for (const block of blocks) {
    const last = kept.at(-1);
    // Sorted by address, wider first: a block inside any kept one is inside the last kept of its family.
    if (last && last.v6 === block.v6 && endOf(block) <= endOf(last)) continue;
    let merged = block;
    for (;;) {
      const prev = kept.at(-1);
      // Halves of one parent: same family and size, adjacent, the lower one aligned on the parent.
      const siblings =
        prev !== undefined &&
        prev.v6 === merged.v6 &&
        prev.bits === merged.bits &&
        prev.base + sizeOf(prev) === merged.base &&
        (prev.base & sizeOf(prev)) === 0n;
      if (!siblings) break;
      kept.pop();
      merged = { v6: prev.v6, base: prev.base, bits: prev.bits - 1 };
    }
    kept.push(merged);
  }
  return kept.map((b) => `${formatAddress(b.base, b.v6 ? 'ipv6' : 'ipv4')}/${b.bits}`);
}

export interface ClientAllowedIpsInput {
  readonly mode: TunnelMode;
  /** The hosts (IP literals) of the services granted to the peer. */
  readonly serviceHosts: readonly string[];
  readonly lanRanges: readonly string[];
  /** The server's tunnel addresses, with or without the pool's prefix: each becomes a host route. */
  readonly serverAddresses: readonly string[];
  /** Whether the pool has IPv6 (full mode then routes ::/0 too). */
  readonly ipv6: boolean;
}

/** The bare address of `10.8.0.1/24` or `10.8.0.1`. */
function hostOf(address: string): string {
  // split() always yields a first element.
  return (address.split('/') as [string])[0];
}

/**
 * What the client routes into the tunnel. services: the granted hosts and the server's tunnel addresses;
 * lan: the LAN ranges and the server's tunnel addresses; full: everything. The firewall enforces the grants
 * whatever the client routes.
 */
export function clientAllowedIps(input: ClientAllowedIpsInput): string[] {
  const server = input.serverAddresses.map(hostOf);
  switch (input.mode) {
    case 'services':
      return aggregateCidrs([...input.serviceHosts.map(hostOf), ...server]);
    case 'lan':
      return aggregateCidrs([...input.lanRanges, ...server]);
    case 'full':
      return input.ipv6 ? ['0.0.0.0/0', '::/0'] : ['0.0.0.0/0'];
  }
}

/** @module A client's AllowedIPs: what its tunnel routes, per tunnel mode, as the fewest CIDRs. Pure. */
import { parseCidr } from '../reach/addresses.js';
import type { TunnelMode } from './model.js';
import { formatAddress } from './pool.js';

/** A block of addresses of one family: network address and prefix length. */
interface Block {
  readonly base: bigint;
  readonly bits: number;
}

/** Sorted by address, the wider block first: a block inside another comes right after it (or its kin). */
function compare(a: Block, b: Block): number {
  // The difference of two addresses as a Number keeps its sign (a 128-bit value is far below Number's range).
  return a.base === b.base ? a.bits - b.bits : Number(a.base - b.base);
}

/** The fewest blocks covering `blocks` (all of one family, `width` bits wide), in address order. */
function aggregateFamily(blocks: Block[], width: number): Block[] {
  const sizeOf = (b: Block) => 1n << BigInt(width - b.bits);
  blocks.sort(compare);
  const kept: Block[] = [];
  for (const block of blocks) {
    const last = kept.at(-1);
    // CIDR blocks nest or are apart; in this order one that starts inside the last kept block lies inside it.
    if (last && block.base < last.base + sizeOf(last)) continue;
    let merged = block;
    for (;;) {
      const prev = kept.at(-1);
      // Halves of one parent: same size, adjacent, the lower one aligned on the parent.
      const siblings =
        prev !== undefined &&
        prev.bits === merged.bits &&
        prev.base + sizeOf(prev) === merged.base &&
        (prev.base & sizeOf(prev)) === 0n;
      if (!siblings) break;
      kept.pop();
      merged = { base: prev.base, bits: prev.bits - 1 };
    }
    kept.push(merged);
  }
  return kept;
}

/**
 * The same address space as `cidrs` in the fewest blocks: each as its network address (host bits cleared), blocks
 * inside another dropped, two halves of a block merged into it (repeatedly), IPv4 first then IPv6, by address.
 * Entries may be plain addresses (a host). Throws a RangeError on an entry that is not an address or CIDR: callers
 * pass validated data.
 */
export function aggregateCidrs(cidrs: readonly string[]): string[] {
  const families = { ipv4: [] as Block[], ipv6: [] as Block[] };
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    if (!cidr) throw new RangeError(`not an address or CIDR: ${JSON.stringify(text)}`);
    const hostBits = BigInt((cidr.family === 'ipv4' ? 32 : 128) - cidr.bits);
    families[cidr.family].push({ base: (cidr.base >> hostBits) << hostBits, bits: cidr.bits });
  }
  return (['ipv4', 'ipv6'] as const).flatMap((family) =>
    aggregateFamily(families[family], family === 'ipv4' ? 32 : 128).map(
      (b) => `${formatAddress(b.base, family)}/${b.bits}`,
    ),
  );
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

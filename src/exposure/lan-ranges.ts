/**
 * @module The LAN as the exposure layer sees it: which networks count as "the LAN" (detected from the box's
 * interfaces), strict parsing of IP literals and networks into canonical text, and why a service host is refused.
 * Pure.
 *
 * What counts as LAN (decisions):
 * - IPv4 private networks (RFC 1918: 10/8, 172.16/12, 192.168/16) on a non-internal interface, as the interface's
 *   network (`192.168.1.10` with netmask `255.255.255.0` → `192.168.1.0/24`). Container and VM bridges (docker0,
 *   virbr0) carry private networks too and are included: exposing a container to a peer is a normal wish, and a
 *   range only *allows* services to be defined there — nothing is reachable until a grant says so.
 * - IPv6 unique local networks (ULA, fc00::/7) only. A global IPv6 prefix on an interface may be the ISP side (a
 *   VPS, a modem in bridge mode) as well as the LAN: it is never assumed to be LAN; the owner adds it by hand.
 * - Never: carrier-grade NAT space (100.64.0.0/10: an address there is the ISP's side of a CGNAT, not the owner's
 *   LAN), loopback, link-local (169.254/16, fe80::/10), public addresses, interfaces named in `exclude` (the
 *   WireGuard interface: the tunnel is not the LAN), and host-only prefixes (/32, /128: no network behind them).
 * - Networks contained in another detected network are dropped (an nft interval set refuses overlaps), the rest
 *   deduplicated and sorted (IPv4 first, then by address, then by prefix length).
 */
import { familyOf, formatIpv6, toBigInt } from '../reach/addresses.js';

export type AddressFamily = 'ipv4' | 'ipv6';

/** An IP literal in canonical text (IPv4 dotted quad, IPv6 RFC 5952 lower case — the form `nft list` prints). */
export interface ParsedAddress {
  readonly family: AddressFamily;
  readonly value: bigint;
  readonly text: string;
}

/** A network with its host bits cleared, in canonical text (`10.10.0.0/24`; a full-length prefix is the address). */
export interface ParsedNetwork {
  readonly family: AddressFamily;
  readonly base: bigint;
  readonly bits: number;
  readonly text: string;
}

export function widthOf(family: AddressFamily): number {
  return family === 'ipv4' ? 32 : 128;
}

function formatAddress(family: AddressFamily, value: bigint): string {
  if (family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
  return formatIpv6(groups);
}

/**
 * An IP literal and nothing else: no prefix, no zone (`%eth0`), no surrounding space. Anything that is not exactly
 * an address is undefined, so no text can ride along into an nft script.
 */
export function parseIpLiteral(text: string): ParsedAddress | undefined {
  if (text.includes('%')) return undefined;
  const family = familyOf(text);
  if (family === undefined) return undefined;
  // familyOf accepted it: toBigInt reads every such literal; the fallback only narrows the type.
  const value = toBigInt(text) ?? 0n;
  return { family, value, text: formatAddress(family, value) };
}

/** `a.b.c.d/n`, `x::/n`, or a bare literal (a full-length prefix); host bits are cleared. */
export function parseNetwork(text: string): ParsedNetwork | undefined {
  const slash = text.indexOf('/');
  const address = parseIpLiteral(slash === -1 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const width = widthOf(address.family);
  let bits = width;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    // Digits only, no leading zero: "1.2.3.4/" or "/ 8" or "/08" are not prefixes.
    if (!/^(0|[1-9]\d{0,2})$/.test(lengthText)) return undefined;
    bits = Number(lengthText);
    if (bits > width) return undefined;
  }
  return networkOf(address.family, address.value, bits);
}

function networkOf(family: AddressFamily, value: bigint, bits: number): ParsedNetwork {
  const shift = BigInt(widthOf(family) - bits);
  const base = (value >> shift) << shift;
  const address = formatAddress(family, base);
  return { family, base, bits, text: bits === widthOf(family) ? address : `${address}/${String(bits)}` };
}

export function networkContains(network: ParsedNetwork, family: AddressFamily, value: bigint): boolean {
  if (network.family !== family) return false;
  const shift = BigInt(widthOf(family) - network.bits);
  return value >> shift === network.base >> shift;
}

/** Orders addresses and networks: IPv4 before IPv6, then by value, then shorter prefix first. */
export function compareNetworks(a: ParsedNetwork, b: ParsedNetwork): number {
  if (a.family !== b.family) return a.family === 'ipv4' ? -1 : 1;
  if (a.base !== b.base) return a.base < b.base ? -1 : 1;
  return a.bits - b.bits;
}

/** Sorted, without duplicates and without networks contained in another of the list. */
export function collapseNetworks(networks: readonly ParsedNetwork[]): ParsedNetwork[] {
  const sorted = [...networks].sort(compareNetworks);
  const kept: ParsedNetwork[] = [];
  for (const n of sorted) {
    // Sorted by base then prefix: a network that contains n comes before it, and is the last kept one of its family
    // whose range reaches n (networks never partially overlap).
    const last = kept.at(-1);
    if (last && networkContains(last, n.family, n.base)) continue;
    kept.push(n);
  }
  return kept;
}

/** One entry of `os.networkInterfaces()`. */
export interface InterfaceEntry {
  readonly address: string;
  readonly netmask: string;
  readonly family: 'IPv4' | 'IPv6';
  readonly internal: boolean;
  readonly cidr: string | null;
}

/** The private (RFC 1918) and unique local (RFC 4193) networks. */
const lanSpaceText: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'];

/** The prefix length of a netmask (`255.255.255.0` → 24), or undefined when it is not ones then zeros. */
function prefixOfNetmask(netmask: string): number | undefined {
  const mask = parseIpLiteral(netmask);
  if (mask === undefined) return undefined;
  const ones = /^(1*)0*$/.exec(mask.value.toString(2).padStart(widthOf(mask.family), '0'))?.[1];
  return ones?.length;
}

function networkOfEntry(entry: InterfaceEntry): ParsedNetwork | undefined {
  if (entry.cidr !== null) return parseNetwork(entry.cidr);
  const address = parseIpLiteral(entry.address);
  const bits = prefixOfNetmask(entry.netmask);
  if (address === undefined || bits === undefined) return undefined;
  return networkOf(address.family, address.value, bits);
}

/**
 * The LAN networks of the box, from `os.networkInterfaces()`-shaped data (see the module comment for what counts),
 * as canonical CIDRs, sorted, without duplicates or contained networks.
 */
export function detectLanRanges(
  interfaces: Record<string, readonly InterfaceEntry[] | undefined>,
  exclude: readonly string[],
): string[] {
  // Parsed per call, not at load: constant, well-formed networks.
  const lanSpace = lanSpaceText.map((text) => parseNetwork(text) as ParsedNetwork);
  const found: ParsedNetwork[] = [];
  for (const [name, entries] of Object.entries(interfaces)) {
    if (exclude.includes(name) || entries === undefined) continue;
    for (const entry of entries) {
      if (entry.internal) continue;
      const network = networkOfEntry(entry);
      if (network === undefined || network.bits === widthOf(network.family)) continue;
      const inLanSpace = lanSpace.some(
        (space) => space.bits <= network.bits && networkContains(space, network.family, network.base),
      );
      if (inLanSpace) found.push(network);
    }
  }
  return collapseNetworks(found).map((n) => n.text);
}

/**
 * Why a service host is refused, or undefined when it is fine: it must be an IP literal (no name, no prefix, no
 * zone) that is one of the box's own addresses or inside one of the LAN ranges. Junk ranges count as no range.
 */
export function checkServiceHost(
  host: string,
  lanRanges: readonly string[],
  boxAddresses: readonly string[],
): string | undefined {
  const address = parseIpLiteral(host);
  if (address === undefined) {
    return `"${host}" is not an IP address: a service host must be an IP literal such as 192.168.1.20 or fd00:1::20`;
  }
  const isBox = boxAddresses.some((b) => {
    const box = parseIpLiteral(b);
    return box !== undefined && box.family === address.family && box.value === address.value;
  });
  if (isBox) return undefined;
  const ranges = lanRanges.map(parseNetwork).filter((n): n is ParsedNetwork => n !== undefined);
  if (ranges.some((r) => networkContains(r, address.family, address.value))) return undefined;
  const where =
    ranges.length === 0
      ? 'no LAN ranges are known'
      : `the LAN ranges are ${ranges.map((r) => r.text).join(', ')}`;
  return `${address.text} is outside the LAN ranges and is not one of this box's addresses (${where})`;
}

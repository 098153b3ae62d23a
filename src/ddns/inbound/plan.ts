/**
 * @module The inbound dyndns2 endpoint's decisions, pure: what a `/nic/update` request asks for (hostnames, the
 * address of each family), and the answer per hostname by the dyndns2 return codes.
 *
 * The protocol is Dyn's "Perform Update" (help.dyn.com/remote-access-api/perform-update/, return codes at
 * help.dyn.com/return-codes/) as No-IP (noip.com/integrate/request, /response) and Dynu extend it with IPv6:
 * `hostname` is a comma-separated list of at most 20 names, answered one line each in the same order; `myip` is one
 * address or `v4,v6`; `myipv6` is the IPv6 one; a failure of the whole request (credentials, the address, too many
 * names) is answered once. `system`, `wildcard`, `mx`, `backmx` and `offline` are ignored: a push names the box's WAN
 * address and nothing else, and ignoring them is what the spec allows a server without those features.
 */
import { checkBogon, familyOf, formatIpv6, toBigInt } from '../../reach/addresses.js';
import type { Family } from '../../reach/types.js';
import { normaliseHostname } from '../hostname.js';

/** The dyndns2 return codes this endpoint answers with (the first word of each answer line). */
export type Dyndns2Code =
  'good' | 'nochg' | 'badauth' | 'nohost' | 'notfqdn' | 'numhost' | 'badagent' | '911';

/** Dyn's limit: "up to 20 hostnames per request"; more is `numhost`. */
export const maxHostnamesPerRequest = 20;

/** One address per family; a family left out is not pushed. */
export interface PushedAddresses {
  readonly ipv4?: string;
  readonly ipv6?: string;
}

/** The parts of a request the plan reads (the query, and the TCP peer for a missing `myip`). */
export interface UpdateRequest {
  /** The query parameter's value; undefined when it is absent. */
  readonly param: (name: string) => string | undefined;
  /** The request's source address (the TCP peer, or the proxy's X-Forwarded-For when trusted). */
  readonly sourceAddress: string;
}

/** What the client behind the Basic credentials may do. */
export interface ClientScope {
  readonly name: string;
  /** Lowercase FQDNs without the trailing dot. */
  readonly hostnames: readonly string[];
}

export interface HostAnswer {
  readonly hostname: string;
  readonly code: Dyndns2Code;
}

/**
 * The answer to one authenticated request. `addresses` is what to publish, or null when nothing changes (the
 * request was refused as a whole, or every hostname was). `lines` is the body, one line each.
 */
export interface UpdatePlan {
  readonly lines: readonly string[];
  readonly addresses: PushedAddresses | null;
  readonly hosts: readonly HostAnswer[];
  /** Why the request was refused as a whole (for the audit log; never sent); undefined when it was not. */
  readonly refusal?: string;
}

/** The address pushed last for a hostname, per family; what `nochg` compares with. */
export type LastPushed = (hostname: string) => PushedAddresses | undefined;

/**
 * The code for an address that cannot be the box's WAN address — garbage, a bogon, or (no `myip`) the client's own
 * source address, which on a LAN is private. dyndns2 has no "bad address" code, so this is the nearest documented
 * one: `badagent` is the agent-related error, the client's request is not acceptable and it must not retry until its
 * user changes something (Dyn's policy lists it among the codes after which a client stops; No-IP: "client
 * disabled ... without user intervention"; Dyn's old spec also gave it for a request made the wrong way). That is
 * the situation: the router must be configured to send its WAN address (e.g. a FRITZ!Box's `<ipaddr>`). The other
 * codes would mislead: `dnserr` and `911` say the server failed and invite endless retries of the same request,
 * `notfqdn`/`nohost` blame the hostname, and `nochg`/`good` would claim a success.
 */
export const badAddressCode: Dyndns2Code = 'badagent';

/** The hostname rule of every DDNS name (hostname.ts): a router may send the Unicode form or upper case. */
export { normaliseHostname };

/**
 * An address in one spelling, so a repeat compares equal: IPv6 in RFC 5952 form, an IPv4-mapped peer address
 * (`::ffff:10.0.0.2`, a dual-stack socket's spelling) as IPv4. Undefined when it is no IP address.
 */
export function normaliseAddress(text: string): { family: Family; address: string } | undefined {
  const trimmed = text.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed)?.[1];
  const candidate = mapped ?? trimmed;
  const family = familyOf(candidate);
  if (family === 'ipv4') return { family, address: candidate };
  if (family !== 'ipv6' || candidate.includes('%')) return undefined;
  const value = toBigInt(candidate) ?? 0n;
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  return { family, address: formatIpv6(groups) };
}

type AddressResult =
  | { readonly ok: true; readonly addresses: PushedAddresses }
  | { readonly ok: false; readonly reason: string };

/** Values that name no address: empty, and Dynu's `no` ("leave this family alone"). */
function given(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' || v.toLowerCase() === 'no' ? undefined : v;
}

/**
 * The addresses a request pushes: `myip` (one address, or `v4,v6`) and `myipv6`; with neither, the request's source
 * address (the spec's rule). Each must be an IP address of its family, at most one per family, and public —
 * `publicRanges` (the reachability setting) counts as public, as it does for every other source.
 */
export function readAddresses(request: UpdateRequest, publicRanges: readonly string[]): AddressResult {
  const myip = given(request.param('myip'));
  const myipv6 = given(request.param('myipv6'));
  const texts: { text: string; from: string }[] = [];
  // Empty entries are left out: a FRITZ!Box's `myip=<ipaddr>,<ip6addr>` without IPv6 sends `myip=203.0.113.7,`.
  if (myip !== undefined)
    for (const t of myip.split(',')) if (t.trim() !== '') texts.push({ text: t, from: 'myip' });
  if (myipv6 !== undefined) texts.push({ text: myipv6, from: 'myipv6' });
  if (texts.length === 0) texts.push({ text: request.sourceAddress, from: 'the source address (no myip)' });
  const found: { ipv4?: string; ipv6?: string } = {};
  for (const { text, from } of texts) {
    const parsed = normaliseAddress(text);
    if (!parsed) return { ok: false, reason: `${from} is not an IP address` };
    if (from === 'myipv6' && parsed.family !== 'ipv6')
      return { ok: false, reason: 'myipv6 is not an IPv6 address' };
    const bogon = checkBogon(parsed.address, publicRanges);
    if (bogon.bogon)
      return { ok: false, reason: `${from} ${parsed.address} is ${bogon.name}, not a public address` };
    const before = found[parsed.family];
    if (before !== undefined && before !== parsed.address)
      return { ok: false, reason: `two different ${parsed.family === 'ipv4' ? 'IPv4' : 'IPv6'} addresses` };
    found[parsed.family] = parsed.address;
  }
  return { ok: true, addresses: found };
}

/** `203.0.113.7`, `2001:db8::7` or `203.0.113.7,2001:db8::7` (No-IP's form for both families). */
export function addressText(addresses: PushedAddresses): string {
  return [addresses.ipv4, addresses.ipv6].filter((a) => a !== undefined).join(',');
}

function sameAsLast(last: PushedAddresses | undefined, now: PushedAddresses): boolean {
  if (!last) return false;
  return (
    (now.ipv4 === undefined || now.ipv4 === last.ipv4) && (now.ipv6 === undefined || now.ipv6 === last.ipv6)
  );
}

/** A refusal of the whole request: one line, nothing changes. */
export function refuse(code: Dyndns2Code, reason: string): UpdatePlan {
  return { lines: [code], addresses: null, hosts: [], refusal: reason };
}

/**
 * The answer to a request whose credentials were right. Request-level checks first, answered once: no hostname
 * (`notfqdn`), more than 20 (`numhost`), an unusable address ({@link badAddressCode}). Then one answer per
 * hostname, in order: `notfqdn` for what is no FQDN, `nohost` outside the client's scope, otherwise `good <ip>` —
 * or `nochg <ip>` when it is the address pushed last for that hostname. `nochg` is a success here (the push still
 * counts as a fresh observation), never an abuse signal. The addresses are published when at least one hostname
 * was answered `good` or `nochg`.
 */
export function planUpdate(
  request: UpdateRequest,
  client: ClientScope,
  lastPushed: LastPushed,
  publicRanges: readonly string[],
): UpdatePlan {
  const raw = request.param('hostname');
  const names = (raw ?? '').split(',').filter((n) => n.trim() !== '');
  if (names.length === 0) return refuse('notfqdn', 'no hostname');
  if (names.length > maxHostnamesPerRequest)
    return refuse('numhost', `${names.length} hostnames (at most ${maxHostnamesPerRequest})`);
  const read = readAddresses(request, publicRanges);
  if (!read.ok) return refuse(badAddressCode, read.reason);
  const scope = new Set(client.hostnames);
  const shown = addressText(read.addresses);
  const hosts = names.map((text): HostAnswer => {
    const hostname = normaliseHostname(text);
    if (hostname === undefined) return { hostname: text.trim().slice(0, 253), code: 'notfqdn' };
    if (!scope.has(hostname)) return { hostname, code: 'nohost' };
    return { hostname, code: sameAsLast(lastPushed(hostname), read.addresses) ? 'nochg' : 'good' };
  });
  const accepted = hosts.some((h) => h.code === 'good' || h.code === 'nochg');
  return {
    lines: hosts.map((h) => (h.code === 'good' || h.code === 'nochg' ? `${h.code} ${shown}` : h.code)),
    addresses: accepted ? read.addresses : null,
    hosts,
  };
}

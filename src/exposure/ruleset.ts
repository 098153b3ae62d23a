/**
 * @module Peers, services and grants → the nftables script of `table inet gatehouse`, one atomic transaction. Pure.
 *
 * The script is `table inet gatehouse` (declare: a no-op when present) + `delete table inet gatehouse` + the full
 * definition, loaded with one `nft -f -`: the kernel applies all of it or none, so there is never a moment with no
 * rules or with half of them, and whatever else the table held before is gone. When only flow set elements change
 * (the usual edit: a peer, a grant, a service), nft.ts `sync` loads just those element changes instead
 * (ruleset-diff.ts `planRulesetUpdate`): a recreated set can miss a packet that races the commit, and counters
 * restart at 0 on a full replace.
 *
 * What the table does (all of it scoped to the WireGuard interface `<wg>`; see docs/design/wireguard-research.md §5):
 * - Base chains have `policy accept` and every rule names `<wg>` (iifname/oifname): traffic that neither enters nor
 *   leaves the tunnel (Docker, libvirt, the LAN, the box's own) never matches a rule here. A drop in any base chain
 *   is final for the whole host, so a table of ours with `policy drop` would break everyone else's forwarding.
 * - forward (tunnel → elsewhere):
 *   1. `<wg>` → `<wg>` (peer to peer) is dropped, counted in `peer_drop`: peers see the services, not each other.
 *   2. `ct state invalid` from `<wg>` is dropped, counted in `invalid_drop`.
 *   3. `ct state related` from `<wg>` passes (ICMP errors about a flow, e.g. "fragmentation needed").
 *   4. A packet from `<wg>` whose source . destination . protocol . port is in the `forward_v4`/`forward_v6` set
 *      passes — in every conntrack state, not only for new connections: revoking a grant or disabling a peer
 *      stops its open connections at their next packet instead of letting them live on as "established".
 *      WireGuard only lets a peer send from its AllowedIPs, so the source address is the peer's identity.
 *      With a `generation` (1–254; 0 would match every unmarked connection, 255 nft prints in another form), a
 *      granted packet stamps it into the top byte of its connection's conntrack mark, and an established packet
 *      whose connection carries it passes before the lookup (the lookup costs about a tenth of a stream's
 *      throughput). Revoking loads the table with a new generation: the stamps no longer match, so every open
 *      connection is looked up again at its next packet, and a revoked one is dropped as above.
 *   5. Anything else from `<wg>` is dropped, counted in `forward_drop`.
 *   6. Towards `<wg>` (oifname): replies (`ct state established,related`) pass; anything else — a LAN device or
 *      another interface opening a connection to a peer — is dropped, counted in `to_peer_drop`.
 * - input (tunnel → the box itself; Gatehouse's own services, e.g. its admin UI, only when granted):
 *   invalid dropped (`invalid_drop`), related passes, replies to connections the box opened towards a peer pass
 *   (`ct state established ct direction reply`), granted flows (`input_v4`/`input_v6` sets, every state, as
 *   above) pass, ICMP/ICMPv6 echo requests to the box's address *on the tunnel* pass (`fib daddr . iif type local`:
 *   a peer can ping the tunnel address for diagnostics, not probe the box's other addresses), the rest is dropped
 *   (`input_drop`). DNS on the box is a service like any other: a peer whose config names the box as DNS server
 *   needs a grant for it.
 * - postrouting (nat, when `masquerade`): packets from `<wg>` to the LAN ranges (`lan_v4`/`lan_v6`) are
 *   masqueraded, so LAN devices answer the box without a route to the tunnel pool. Only packets the filter
 *   chains accepted get here.
 * - Every flow set element carries its own counter (hits per flow), and each drop has a named counter object,
 *   read back by nft.ts from `nft -j list table inet gatehouse`.
 *
 * What reaches the script is validated first: the interface name against the kernel's character set, every address
 * and range parsed as an IP literal / CIDR and re-printed in canonical form, protocols from a fixed list, ports as
 * integers. No input text is copied into the script, so nothing can add a token or a line; refusals are failure
 * values. Only enabled peers get flows; group grants reach every enabled peer of the group; each of a peer's
 * addresses gets the flows of services of its family. A service that is neither inside the LAN ranges nor one of
 * the box's addresses is never opened (listed in `skipped`; the admin layer refuses such services earlier). Grants
 * that name an unknown peer or service open nothing. Flows that overlap on the same peer address, host and protocol
 * are merged into one set element (an interval set refuses overlapping elements). Output is sorted: the same input
 * always yields the same script.
 */
import type { Outcome } from '../core/outcome.js';
import type { GrantSpec, PeerSpec, Protocol, ServiceSpec } from '../wireguard/model.js';
import {
  collapseNetworks,
  networkContains,
  parseIpLiteral,
  parseNetwork,
  widthOf,
  type AddressFamily,
  type ParsedAddress,
  type ParsedNetwork,
} from './lan-ranges.js';

export const tableFamily = 'inet';
export const tableName = 'gatehouse';

export type Hook = 'forward' | 'input';

export interface RulesetInput {
  readonly interfaceName: string;
  readonly peers: readonly PeerSpec[];
  readonly services: readonly ServiceSpec[];
  readonly grants: readonly GrantSpec[];
  readonly lanRanges: readonly string[];
  readonly boxAddresses: readonly string[];
  readonly masquerade: boolean;
  /**
   * The grants' generation, 1 to 254 (the reconciler's): with it, an established flow whose connection carries this
   * generation in the top byte of its conntrack mark passes without the set lookup, and a granted packet stamps
   * it. A revocation loads the table with a new generation, so every open connection is looked up again at its next
   * packet (a revoked one is dropped). Without it every packet is looked up (the safe, slower form).
   */
  readonly generation?: number;
}

/** One opened path: a peer's tunnel address may reach a service's host on a protocol and port range. */
export interface Flow {
  readonly peerId: string;
  readonly serviceId: string;
  /** Canonical text of the peer's tunnel address (no prefix). */
  readonly peerAddress: string;
  /** Canonical text of the service's host. */
  readonly host: string;
  readonly protocol: Protocol;
  readonly portFrom: number;
  readonly portTo: number;
  /** `input` when the host is one of the box's own addresses, else `forward`. */
  readonly hook: Hook;
}

export interface Ruleset {
  readonly script: string;
  readonly flows: readonly Flow[];
  readonly skipped: readonly { readonly serviceId: string; readonly reason: string }[];
}

export type RulesetFailureCode =
  | 'exposure.invalid-interface'
  | 'exposure.invalid-address'
  | 'exposure.invalid-service'
  | 'exposure.invalid-generation';

export interface RulesetFailure {
  readonly code: RulesetFailureCode;
  readonly message: string;
}

/** Names of the table's counter objects: each counts one kind of drop. */
export const dropCounters = {
  /** Forwarded from the tunnel, not granted. */
  forward: 'forward_drop',
  /** To the box from the tunnel, not granted. */
  input: 'input_drop',
  /** Peer to peer. */
  peerToPeer: 'peer_drop',
  /** Conntrack state invalid, from the tunnel. */
  invalid: 'invalid_drop',
  /** Connections opened towards a peer from elsewhere (not from the tunnel). */
  toPeer: 'to_peer_drop',
} as const;

/** The counters whose sum is "dropped from the tunnel". */
export const tunnelDropCounters: readonly string[] = [
  dropCounters.forward,
  dropCounters.input,
  dropCounters.peerToPeer,
  dropCounters.invalid,
];

const counterComments: Readonly<Record<string, string>> = {
  [dropCounters.forward]: 'gatehouse: from the tunnel, not granted (forward)',
  [dropCounters.input]: 'gatehouse: from the tunnel to the box, not granted',
  [dropCounters.peerToPeer]: 'gatehouse: peer to peer',
  [dropCounters.invalid]: 'gatehouse: invalid conntrack state from the tunnel',
  [dropCounters.toPeer]: 'gatehouse: connection opened towards a peer',
};

/** The set holding the flows of one hook and family, e.g. `forward_v4`. */
export function flowSetName(hook: Hook, family: AddressFamily): string {
  return `${hook}_${family === 'ipv4' ? 'v4' : 'v6'}`;
}

/** The set holding the LAN ranges of one family (masquerade destinations). */
export function lanSetName(family: AddressFamily): string {
  return `lan_${family === 'ipv4' ? 'v4' : 'v6'}`;
}

const families: readonly AddressFamily[] = ['ipv4', 'ipv6'];
const hooks: readonly Hook[] = ['forward', 'input'];
const protocols: readonly Protocol[] = ['tcp', 'udp'];

/** What the kernel accepts as an interface name (IFNAMSIZ - 1 characters; "." and ".." are refused by Linux). */
export function checkInterfaceName(name: string): string | undefined {
  if (!/^[A-Za-z0-9_=+.-]{1,15}$/.test(name) || name === '.' || name === '..') {
    return `${JSON.stringify(name)} is not a valid interface name (1 to 15 of A-Z a-z 0-9 _ = + . -)`;
  }
  return undefined;
}

interface UsableService {
  readonly service: ServiceSpec;
  readonly host: ParsedAddress;
  readonly hook: Hook;
}

interface FlowRecord {
  readonly flow: Flow;
  readonly family: AddressFamily;
  readonly peer: bigint;
  readonly host: bigint;
}

const refuse = (code: RulesetFailureCode, message: string): { ok: false; error: RulesetFailure } => ({
  ok: false,
  error: { code, message },
});

function checkPorts(service: ServiceSpec): string | undefined {
  const valid = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;
  if (!valid(service.portFrom) || !valid(service.portTo))
    return 'ports must be whole numbers from 1 to 65535';
  if (service.portFrom > service.portTo) return 'the first port is above the last one';
  return undefined;
}

/** A peer's tunnel address: a literal of the expected family, or that literal with a full-length prefix. */
function parsePeerAddress(text: string, family: AddressFamily): ParsedAddress | undefined {
  const network = parseNetwork(text);
  if (network?.family !== family || network.bits !== widthOf(family)) return undefined;
  return { family, value: network.base, text: network.text };
}

/** Code-unit order: the same in every locale (localeCompare is not), so the script is too. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const compareBig = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

function compareFlows(a: FlowRecord, b: FlowRecord): number {
  return (
    hooks.indexOf(a.flow.hook) - hooks.indexOf(b.flow.hook) ||
    families.indexOf(a.family) - families.indexOf(b.family) ||
    compareBig(a.peer, b.peer) ||
    compareBig(a.host, b.host) ||
    protocols.indexOf(a.flow.protocol) - protocols.indexOf(b.flow.protocol) ||
    a.flow.portFrom - b.flow.portFrom ||
    a.flow.portTo - b.flow.portTo ||
    compareText(a.flow.peerId, b.flow.peerId) ||
    compareText(a.flow.serviceId, b.flow.serviceId)
  );
}

/** The elements of every flow set: overlapping port ranges of the same peer, host and protocol merged. */
function setElements(records: readonly FlowRecord[]): Map<string, string[]> {
  const sets = new Map<string, string[]>();
  let group: { key: string; set: string; prefix: string; ranges: [number, number][] } | undefined;
  const flush = () => {
    if (group === undefined) return;
    const elements = sets.get(group.set) ?? [];
    for (const [from, to] of group.ranges) {
      elements.push(`${group.prefix} . ${from === to ? String(from) : `${String(from)}-${String(to)}`}`);
    }
    sets.set(group.set, elements);
  };
  // Records are sorted by hook, family, peer, host, protocol, then ports: each group is contiguous and its ranges
  // arrive by first port, so one pass merges them.
  for (const { flow, family } of records) {
    const prefix = `${flow.peerAddress} . ${flow.host} . ${flow.protocol}`;
    const key = `${flow.hook} ${prefix}`;
    if (group?.key !== key) {
      flush();
      group = { key, set: flowSetName(flow.hook, family), prefix, ranges: [] };
    }
    const last = group.ranges.at(-1);
    if (last !== undefined && flow.portFrom <= last[1]) last[1] = Math.max(last[1], flow.portTo);
    else group.ranges.push([flow.portFrom, flow.portTo]);
  }
  flush();
  return sets;
}

const addrType = (family: AddressFamily) => (family === 'ipv4' ? 'ipv4_addr' : 'ipv6_addr');
const ipKeyword = (family: AddressFamily) => (family === 'ipv4' ? 'ip' : 'ip6');

/** `elements = { a,` / continuation lines / `z }` as `nft list` prints them (the diff ignores the layout anyway). */
function elementLines(elements: readonly string[]): string[] {
  const indent = '\t\t\t     ';
  return elements.map((e, i) => {
    const head = i === 0 ? '\t\telements = { ' : indent;
    return `${head}${e}${i === elements.length - 1 ? ' }' : ','}`;
  });
}

function renderScript(
  wg: string,
  flowSets: ReadonlyMap<string, readonly string[]>,
  lan: readonly ParsedNetwork[],
  masquerade: boolean,
  generation: number | undefined,
): string {
  const iif = `iifname "${wg}"`;
  // As `nft list` prints them (the diff compares the listing with this script): the top byte of the conntrack mark.
  const mark = generation === undefined ? undefined : generation.toString(16).padStart(2, '0');
  const fastPath = mark === undefined ? [] : [`${iif} ct state established ct mark 0x${mark}000000/8 accept`];
  const stamp = mark === undefined ? '' : ` ct mark set ct mark & 0x${mark}ffffff | 0x${mark}000000`;
  const oif = `oifname "${wg}"`;
  const blocks: string[][] = [];
  for (const name of Object.values(dropCounters)) {
    blocks.push([`\tcounter ${name} {`, `\t\tcomment "${counterComments[name] ?? name}"`, '\t}']);
  }
  for (const hook of hooks) {
    for (const family of families) {
      const name = flowSetName(hook, family);
      const t = addrType(family);
      blocks.push([
        `\tset ${name} {`,
        `\t\ttype ${t} . ${t} . inet_proto . inet_service`,
        '\t\tflags interval',
        '\t\tcounter',
        ...elementLines(flowSets.get(name) ?? []),
        '\t}',
      ]);
    }
  }
  for (const family of families) {
    blocks.push([
      `\tset ${lanSetName(family)} {`,
      `\t\ttype ${addrType(family)}`,
      '\t\tflags interval',
      ...elementLines(lan.filter((n) => n.family === family).map((n) => n.text)),
      '\t}',
    ]);
  }
  const flowRules = (hook: Hook) =>
    families.map((f) => {
      const ip = ipKeyword(f);
      return `${iif} ${ip} saddr . ${ip} daddr . meta l4proto . th dport @${flowSetName(hook, f)}${stamp} accept`;
    });
  const chain = (name: string, head: string, rules: readonly string[]) => [
    `\tchain ${name} {`,
    `\t\t${head}`,
    ...rules.map((r) => `\t\t${r}`),
    '\t}',
  ];
  blocks.push(
    chain('forward', 'type filter hook forward priority filter; policy accept;', [
      `${iif} ${oif} counter name "${dropCounters.peerToPeer}" drop`,
      `${iif} ct state invalid counter name "${dropCounters.invalid}" drop`,
      `${iif} ct state related accept`,
      ...fastPath,
      ...flowRules('forward'),
      `${iif} counter name "${dropCounters.forward}" drop`,
      `${oif} ct state established,related accept`,
      `${oif} counter name "${dropCounters.toPeer}" drop`,
    ]),
    chain('input', 'type filter hook input priority filter; policy accept;', [
      `${iif} ct state invalid counter name "${dropCounters.invalid}" drop`,
      `${iif} ct state related accept`,
      `${iif} ct state established ct direction reply accept`,
      ...fastPath,
      ...flowRules('input'),
      `${iif} icmp type echo-request fib daddr . iif type local accept`,
      `${iif} icmpv6 type echo-request fib daddr . iif type local accept`,
      `${iif} counter name "${dropCounters.input}" drop`,
    ]),
  );
  if (masquerade) {
    blocks.push(
      chain(
        'postrouting',
        'type nat hook postrouting priority srcnat; policy accept;',
        families.map((f) => `${iif} ${ipKeyword(f)} daddr @${lanSetName(f)} masquerade`),
      ),
    );
  }
  const table = `${tableFamily} ${tableName}`;
  return [
    `table ${table}`,
    `delete table ${table}`,
    `table ${table} {`,
    blocks.map((b) => b.join('\n')).join('\n\n'),
    '}',
    '',
  ].join('\n');
}

/** Builds the script and the flows it opens, or says which input was refused (see the module comment). */
export function buildRuleset(input: RulesetInput): Outcome<Ruleset, RulesetFailure> {
  const badName = checkInterfaceName(input.interfaceName);
  if (badName !== undefined) return refuse('exposure.invalid-interface', badName);
  const { generation } = input;
  if (generation !== undefined && !(Number.isInteger(generation) && generation >= 1 && generation <= 254))
    return refuse(
      'exposure.invalid-generation',
      `generation ${String(generation)} is not an integer from 1 to 254`,
    );

  const lan: ParsedNetwork[] = [];
  for (const text of input.lanRanges) {
    const network = parseNetwork(text);
    if (network === undefined) {
      return refuse('exposure.invalid-address', `LAN range ${JSON.stringify(text)} is not an IP network`);
    }
    lan.push(network);
  }
  const lanRanges = collapseNetworks(lan);

  const box = new Set<string>();
  for (const text of input.boxAddresses) {
    const address = parseIpLiteral(text);
    if (address === undefined) {
      return refuse('exposure.invalid-address', `box address ${JSON.stringify(text)} is not an IP address`);
    }
    box.add(address.text);
  }

  const usable = new Map<string, UsableService>();
  const skipped: { serviceId: string; reason: string }[] = [];
  for (const service of input.services) {
    const label = `service ${JSON.stringify(service.name)}`;
    const host = parseIpLiteral(service.host);
    if (host === undefined) {
      return refuse(
        'exposure.invalid-service',
        `${label}: host ${JSON.stringify(service.host)} is not an IP address`,
      );
    }
    if (!protocols.includes(service.protocol)) {
      return refuse(
        'exposure.invalid-service',
        `${label}: protocol ${JSON.stringify(service.protocol)} is not tcp or udp`,
      );
    }
    const badPorts = checkPorts(service);
    if (badPorts !== undefined) return refuse('exposure.invalid-service', `${label}: ${badPorts}`);
    if (box.has(host.text)) {
      usable.set(service.id, { service, host, hook: 'input' });
    } else if (lanRanges.some((r) => networkContains(r, host.family, host.value))) {
      usable.set(service.id, { service, host, hook: 'forward' });
    } else {
      skipped.push({
        serviceId: service.id,
        reason: `${host.text} is outside the LAN ranges and is not one of this box's addresses: never opened`,
      });
    }
  }

  const peersById = new Map<string, { peer: PeerSpec; addresses: ParsedAddress[] }>();
  const peersByGroup = new Map<string, { peer: PeerSpec; addresses: ParsedAddress[] }[]>();
  for (const peer of input.peers) {
    if (!peer.enabled) continue;
    const v4 = parsePeerAddress(peer.ipv4, 'ipv4');
    const v6 = peer.ipv6 === null ? null : parsePeerAddress(peer.ipv6, 'ipv6');
    if (v4 === undefined || v6 === undefined) {
      const text = v4 === undefined ? peer.ipv4 : String(peer.ipv6);
      return refuse(
        'exposure.invalid-address',
        `peer ${JSON.stringify(peer.name)}: tunnel address ${JSON.stringify(text)} is not a single address of its family`,
      );
    }
    const entry = { peer, addresses: v6 === null ? [v4] : [v4, v6] };
    peersById.set(peer.id, entry);
    for (const group of new Set(peer.groups)) {
      const members = peersByGroup.get(group) ?? [];
      members.push(entry);
      peersByGroup.set(group, members);
    }
  }

  const records: FlowRecord[] = [];
  const seen = new Set<string>();
  for (const grant of input.grants) {
    const target = usable.get(grant.serviceId);
    if (target === undefined) continue;
    const subject = grant.subject;
    const members =
      subject.kind === 'peer'
        ? [peersById.get(subject.peerId)].filter((e) => e !== undefined)
        : (peersByGroup.get(subject.group) ?? []);
    for (const { peer, addresses } of members) {
      for (const address of addresses) {
        if (address.family !== target.host.family) continue;
        const key = `${peer.id}\n${target.service.id}\n${address.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        records.push({
          family: address.family,
          peer: address.value,
          host: target.host.value,
          flow: {
            peerId: peer.id,
            serviceId: target.service.id,
            peerAddress: address.text,
            host: target.host.text,
            protocol: target.service.protocol,
            portFrom: target.service.portFrom,
            portTo: target.service.portTo,
            hook: target.hook,
          },
        });
      }
    }
  }
  records.sort(compareFlows);

  skipped.sort((a, b) => compareText(a.serviceId, b.serviceId));
  return {
    ok: true,
    value: {
      script: renderScript(
        input.interfaceName,
        setElements(records),
        lanRanges,
        input.masquerade,
        generation,
      ),
      flows: records.map((r) => r.flow),
      skipped,
    },
  };
}

/** Hits of one set element as nft.ts reads them back (`nft -j list table inet gatehouse`). */
export interface ElementHits {
  readonly hook: Hook;
  readonly peerAddress: string;
  readonly host: string;
  readonly protocol: Protocol;
  readonly portFrom: number;
  readonly portTo: number;
  readonly packets: number;
  readonly bytes: number;
}

/**
 * The hits of the set element that carries a flow: same hook, peer address, host and protocol, with a port range
 * that covers the flow's. Flows merged into one element (overlapping port ranges) share its count. Undefined when
 * no element carries it (the table read back is not the one built for these flows).
 */
export function hitsOfFlow(
  flow: Flow,
  elements: readonly ElementHits[],
): { readonly packets: number; readonly bytes: number } | undefined {
  const element = elements.find(
    (e) =>
      e.hook === flow.hook &&
      e.peerAddress === flow.peerAddress &&
      e.host === flow.host &&
      e.protocol === flow.protocol &&
      e.portFrom <= flow.portFrom &&
      e.portTo >= flow.portTo,
  );
  return element === undefined ? undefined : { packets: element.packets, bytes: element.bytes };
}

/** @module The verdict: from the facts of one probe to how the outside world reaches the box, with evidence and remedies. Pure. */
import { isPrivateOrCgnat } from './addresses.js';
import type { Answer, Consensus } from './consensus.js';
import type { SourceResult } from './types.js';

export interface StunObservation {
  readonly server: string;
  readonly mapped: { readonly address: string; readonly port: number } | null;
  readonly error?: string;
}

export interface RouterObservation {
  readonly source: 'upnp' | 'natpmp' | 'pcp';
  readonly externalAddress: string | null;
  readonly reason?: string;
  /**
   * The router answered but declined to say its external address (NAT-PMP result 3 "network failure", an empty
   * UPnP GetExternalIPAddress): evidence that its WAN side may not be public.
   */
  readonly declined?: boolean;
}

/** Facts about one address family, gathered by the prober. */
export interface FamilyFacts {
  /** Addresses on the box's interfaces (all scopes except loopback/link-local). */
  readonly localAddresses: readonly string[];
  /** Binding requests sent from ONE local socket to each STUN server (so mappings can be compared). */
  readonly stun: { readonly localPort: number; readonly results: readonly StunObservation[] } | null;
  /** What the router's port-mapping protocols said (IPv4 only). */
  readonly router: readonly RouterObservation[];
  /** Hops towards the internet (traceroute), the box's gateway first; null where a hop did not answer. */
  readonly path: readonly (string | null)[] | null;
  /** Whether an HTTP echo (TCP) got through: the network is up, so silent STUN means UDP is blocked. */
  readonly tcpWorks: boolean;
  /** Sources other than STUN that answered over UDP from the internet (the DNS echo): UDP works. */
  readonly udpAnswered?: readonly string[];
  readonly consensus: Consensus;
}

/**
 * The router port mapping as the verdict reads it. `mapped`: the router granted it (the server's mapper holds it;
 * `gatehouse doctor` made a short test mapping and removed it again); `refused`: the router answered no (its answer
 * in `error`); `lost`: a held mapping could not be renewed; `unsupported`: no protocol answered.
 * No facts at all (null) means no mapping was tried.
 */
export interface PortMappingFacts {
  readonly state: 'disabled' | 'unsupported' | 'mapped' | 'refused' | 'lost';
  readonly protocol?: string;
  readonly externalPort?: number;
  /** The router's external address for the mapping, when the protocol said it. */
  readonly externalAddress?: string;
  readonly error?: string;
  /** A short-lived test mapping (made and removed by `gatehouse doctor`), not one the server holds. */
  readonly test?: boolean;
}

/** An inbound packet from a public endpoint (e.g. a WireGuard handshake): proof that the way in works. */
export interface InboundObservation {
  /** The peer's public address (and port). */
  readonly from: string;
  /** ISO 8601. */
  readonly at: string;
  /** What arrived, e.g. "WireGuard handshake". */
  readonly via: string;
  /** ISO 8601: the first of the inbound packets that followed each other without a stale gap (proven since). */
  readonly since?: string;
}

export interface ProbeFacts {
  readonly ipv4: FamilyFacts;
  readonly ipv6: FamilyFacts;
  readonly portMapping: PortMappingFacts | null;
  /** The WireGuard UDP port people must reach. */
  readonly wireguardPort: number;
  /** An inbound packet from the internet seen recently (fed by the WireGuard capability), if any. */
  readonly inboundSeen?: InboundObservation | null;
}

export type NatKind = 'public' | 'nat' | 'double-nat' | 'cgnat' | 'offline' | 'unknown';

/**
 * How sure the verdict is that a peer on the internet can reach the box. `proven`: an inbound packet from outside
 * was seen; `likely`: nothing in the way that the box can see (public address, a confirmed mapping, IPv6);
 * `unlikely`: something is in the way or cannot be seen from inside (a manual forward, CGNAT not ruled out);
 * `impossible`: CGNAT without IPv6, UDP blocked, offline.
 */
export type VerdictLevel = 'proven' | 'likely' | 'unlikely' | 'impossible';

/** Carrier-grade NAT: seen, ruled out by a signal, or possible because every signal was silent. */
export type CgnatFinding = 'found' | 'ruled-out' | 'not-ruled-out';

/**
 * The WireGuard port mapping. `mapped`: created, and the router's external address is the public one;
 * `unconfirmed`: created, but the router's external address is not the public one (a NAT further up);
 * `not-tried`: no attempt (yet).
 */
export type PortMappingVerdict =
  'mapped' | 'unconfirmed' | 'refused' | 'lost' | 'unsupported' | 'disabled' | 'not-tried';

export interface Verdict {
  readonly level: VerdictLevel;
  readonly ipv4: {
    readonly kind: NatKind;
    readonly publicAddress: string | null;
    readonly mapping: 'endpoint-independent' | 'endpoint-dependent' | 'unknown';
    readonly udp: 'ok' | 'blocked' | 'unknown';
    readonly cgnat: CgnatFinding;
    readonly portMapping: PortMappingVerdict;
  };
  readonly ipv6: {
    readonly publicAddress: string | null;
    readonly globalReachable: boolean;
  };
  /** Can a peer on the internet start a WireGuard handshake with this box? */
  readonly inbound: 'yes' | 'via-port-mapping' | 'needs-port-forward' | 'ipv6-only' | 'no';
  /** One sentence for people. */
  readonly headline: string;
  /** The facts the verdict rests on, in plain words. */
  readonly evidence: readonly string[];
  /** What to do, most useful first. */
  readonly remedies: readonly string[];
}

/** Sources besides STUN that answered over UDP from the internet (the DNS echo, `dns:…`). Pure. */
export function udpAnswers(results: readonly SourceResult[]): string[] {
  return results.filter((r) => r.kind === 'known' && r.source.startsWith('dns:')).map((r) => r.source);
}

const acceptedAddress = (c: Consensus): string | null => (c.kind === 'accepted' ? c.address : null);

type Answered = StunObservation & { readonly mapped: NonNullable<StunObservation['mapped']> };
const answered = (r: StunObservation): r is Answered => r.mapped !== null;

/** The UDP port of a STUN server id (`host:port`, `[v6]:port`); 3478, the STUN default, without one. */
export function stunPort(server: string): number {
  const m = /:(\d+)$/.exec(server);
  return m ? Number(m[1]) : 3478;
}

/** Sources that answered with an address the quorum could use (a public one). */
function kept(c: Consensus): readonly Answer[] {
  return c.kind === 'accepted'
    ? [...c.sources.map((source) => ({ source, address: c.address })), ...c.dissent]
    : c.answers;
}

/** Every source that answered with an address, usable or not: even a wrong answer shows the network works. */
const answers = (c: Consensus): readonly Answer[] => [...kept(c), ...c.rejected];

/** What kind of source an id names: `stun`, `http`, `dns`, `upnp`, `interface`, … (the part before the first colon). */
const sourceKind = (id: string): string => id.split(':')[0] ?? id;
const internetKinds: ReadonlySet<string> = new Set(['stun', 'http', 'dns']);
/** Answers from the internet (not the box's own interfaces, not the router on the LAN, not a push). */
const fromInternet = (a: { readonly source: string }): boolean => internetKinds.has(sourceKind(a.source));

/** `203.0.113.2 from stun:a, http:b; 198.51.100.9 from http:c` */
function describeAnswers(list: readonly Answer[]): string {
  const by = new Map<string, string[]>();
  for (const a of list) by.set(a.address, [...(by.get(a.address) ?? []), a.source]);
  return [...by.entries()].map(([address, sources]) => `${address} from ${sources.join(', ')}`).join('; ');
}

/** What the quorum decided, in words: an outvoted answer is named; without a quorum no answer is a fact. */
function consensusEvidence(c: Consensus): string[] {
  // The box's own interfaces report private addresses by design; an echo on the internet that does is wrong.
  const ignored = c.rejected
    .filter(fromInternet)
    .map((r) => `${r.source} answered ${r.address}, a ${r.reason}: ignored`);
  return [...ignored, ...decision(c)];
}

function decision(c: Consensus): string[] {
  switch (c.kind) {
    case 'accepted':
      return c.dissent.map(
        (d) =>
          `${d.source} said ${d.address}, outvoted by ${c.sources.join(', ')} (${c.address}): ${d.source} is wrong or stale`,
      );
    case 'disagreement':
      return [
        `the sources disagree on the public ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} address and none has a quorum (${describeAnswers(c.answers)}): no answer is taken as fact`,
      ];
    case 'insufficient':
      return c.answers.length > 0
        ? [
            `too few sources agree on the public ${c.family === 'ipv4' ? 'IPv4' : 'IPv6'} address (${c.agreeing} of ${c.needed} needed: ${describeAnswers(c.answers)}): not taken as fact`,
          ]
        : [];
  }
}

function mappingBehaviour(stun: FamilyFacts['stun']): {
  kind: Verdict['ipv4']['mapping'];
  evidence?: string;
} {
  // Stryker disable next-line ArrayDeclaration: without STUN facts a junk entry would still be fewer than two answers
  const seen = (stun?.results ?? []).filter(answered);
  const [first, second] = seen;
  // Fewer than two answers: nothing to compare.
  if (!(first && second)) return { kind: 'unknown' };
  const mappedAt = (r: Answered) => `${r.mapped.address}:${r.mapped.port}`;
  if (new Set(seen.map(mappedAt)).size > 1) {
    return {
      kind: 'endpoint-dependent',
      evidence: `one local port was mapped differently per STUN server (${seen.map((r) => `${r.server} saw ${mappedAt(r)}`).join(', ')})`,
    };
  }
  return {
    kind: 'endpoint-independent',
    evidence: `${seen.length} STUN servers saw the same mapping ${mappedAt(first)}`,
  };
}

/** `port 3478`, `ports 3478, 19302` */
const portList = (ports: ReadonlySet<number>): string =>
  `${ports.size > 1 ? 'ports' : 'port'} ${[...ports].sort((a, b) => a - b).join(', ')}`;

/**
 * UDP works when anything answered over UDP from the internet (a STUN server on any port, the DNS echo). It is
 * blocked only when STUN servers on at least two ports were silent while TCP works: one silent port may be one
 * filtered port.
 */
function udpFinding(f: FamilyFacts): { udp: Verdict['ipv4']['udp']; evidence: string[] } {
  const results = f.stun?.results ?? [];
  const askedPorts = new Set(results.map((r) => stunPort(r.server)));
  const answeringPorts = new Set(results.filter(answered).map((r) => stunPort(r.server)));
  const otherUdp = f.udpAnswered ?? [];
  if (answeringPorts.size > 0 || otherUdp.length > 0) {
    const evidence: string[] = [];
    const filtered = new Set([...askedPorts].filter((p) => !answeringPorts.has(p)));
    if (filtered.size > 0) {
      const passing =
        answeringPorts.size > 0 ? portList(answeringPorts) : `the DNS echo (${otherUdp.join(', ')})`;
      evidence.push(
        `no STUN server answered on UDP ${portList(filtered)}, while ${passing} answered: UDP itself passes, only ${filtered.size > 1 ? 'those ports are' : 'that port is'} filtered`,
      );
    }
    return { udp: 'ok', evidence };
  }
  // Nothing over UDP, and either nothing was asked or TCP is silent too (offline, or this family is): no finding.
  if (askedPorts.size === 0 || !f.tcpWorks) return { udp: 'unknown', evidence: [] };
  if (askedPorts.size >= 2) {
    return {
      udp: 'blocked',
      evidence: [
        `none of ${results.length} STUN servers answered over UDP (${portList(askedPorts)}), and no other UDP source answered, while TCP connections to the internet work`,
      ],
    };
  }
  return {
    udp: 'unknown',
    evidence: [
      `no STUN server answered on UDP ${portList(askedPorts)} while TCP works; only that one port was tried, so it may be that port alone that is filtered`,
    ],
  };
}

const echoKinds: ReadonlySet<string> = new Set(['http', 'dns']);

/**
 * The sources that gave no answer. Only called offline, when nothing answered, so the consensus is always
 * "insufficient" there; the check narrows the type.
 */
const unavailableIn = (c: Consensus): readonly { readonly source: string; readonly reason: string }[] =>
  // Stryker disable next-line ConditionalExpression,ArrayDeclaration: see above
  c.kind === 'insufficient' ? c.unavailable : [];

/** Why nothing answered; name lookups that fail point at DNS (or at a dead uplink, which takes DNS with it). */
function offlineEvidence(facts: ProbeFacts): string {
  const failures = [facts.ipv4, facts.ipv6].flatMap((f) => [
    // Stryker disable next-line StringLiteral: a STUN result without an error text counts, and never as a lookup
    ...(f.stun?.results ?? []).map((r) => r.error ?? ''),
    // STUN's failures are counted above; the consensus lists them too.
    ...unavailableIn(f.consensus)
      .filter((u) => echoKinds.has(sourceKind(u.source)))
      .map((u) => u.reason),
  ]);
  const lookups = failures.filter((r) => /ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL/.test(r));
  const [example] = lookups;
  if (example !== undefined)
    return `no source on the internet answered, and ${lookups.length === failures.length ? 'every name lookup' : `${lookups.length} of ${failures.length} name lookups`} failed (e.g. ${example}): DNS does not work from this box`;
  return `no source on the internet answered over UDP or TCP (${failures.length} tried): the box seems offline`;
}

/** The port mapping from the mapper's (or the doctor's test mapping's) facts. */
function portMappingFinding(
  pm: PortMappingFacts | null,
  publicV4: string | null,
  router: readonly RouterObservation[],
  port: number,
): { portMapping: PortMappingVerdict; evidence: string[] } {
  if (!pm) return { portMapping: 'not-tried', evidence: [] };
  const by = pm.protocol ?? 'a port-mapping protocol';
  const what = pm.test
    ? `a test mapping (UDP port ${pm.externalPort ?? port}, for one minute)`
    : `the mapping of UDP port ${port}`;
  switch (pm.state) {
    case 'disabled':
      return { portMapping: 'disabled', evidence: [] };
    case 'unsupported':
      return {
        portMapping: 'unsupported',
        evidence: [`the router offers no working UPnP, NAT-PMP or PCP${pm.error ? ` (${pm.error})` : ''}`],
      };
    case 'refused':
      return {
        portMapping: 'refused',
        evidence: [`the router refused ${what}${pm.error ? `: ${pm.error}` : ''}`],
      };
    case 'lost':
      return {
        portMapping: 'lost',
        evidence: [`the router dropped ${what}${pm.error ? `: ${pm.error}` : ''}`],
      };
    case 'mapped': {
      const external =
        pm.externalAddress ?? router.find((r) => r.externalAddress === publicV4)?.externalAddress;
      const made = pm.test
        ? `the router granted ${what} by ${by}${pm.error ? ` (${pm.error})` : ', removed again'}`
        : `UDP port ${port} is mapped on the router by ${by}`;
      // Without an agreed public address nothing confirms the mapping (a router answer without an address must
      // not "match" the missing one).
      if (publicV4 !== null && external === publicV4)
        return { portMapping: 'mapped', evidence: [`${made}, on the public address ${publicV4}`] };
      return {
        portMapping: 'unconfirmed',
        evidence: [
          `${made}, but on ${external ?? 'an external address it did not say'}, not on ${publicV4 ?? 'an agreed public address'}: another NAT may sit in front of the router`,
        ],
      };
    }
  }
}

/** Signals about a NAT beyond the router: the router's WAN address, the path, a router that declines to answer. */
function upstreamHints(
  v4: FamilyFacts,
  publicV4: string | null,
): { cgnat: string[]; doubleNat: string[]; maybe: string[]; nextHop: string | null } {
  const cgnat: string[] = [];
  const doubleNat: string[] = [];
  const maybe: string[] = [];
  for (const r of v4.router) {
    if (r.externalAddress === null) {
      if (r.declined)
        maybe.push(
          `the router answers ${r.source} but declines to say its external address${r.reason ? ` (${r.reason})` : ''}: its WAN side may not be public`,
        );
      continue;
    }
    const space = isPrivateOrCgnat(r.externalAddress);
    if (space === 'cgnat')
      cgnat.push(
        `the router's WAN address (${r.source}) is ${r.externalAddress}, in the carrier-grade NAT range 100.64.0.0/10`,
      );
    else if (space === 'private')
      doubleNat.push(`the router's WAN address (${r.source}) is ${r.externalAddress}, a private address`);
    else if (publicV4 !== null && r.externalAddress !== publicV4)
      cgnat.push(
        `the router says its public address is ${r.externalAddress} (${r.source}) but the internet sees ${publicV4}`,
      );
  }
  // Hop 1 is the router itself; a hop that did not answer (null) says nothing.
  const after = v4.path?.slice(1) ?? [];
  after.forEach((hop, i) => {
    const space = hop && isPrivateOrCgnat(hop);
    if (space === 'cgnat')
      cgnat.push(
        `${i === 0 ? 'the hop after your router' : `hop ${i + 2} on the path`} (${hop}) is in the carrier-grade NAT range 100.64.0.0/10`,
      );
    else if (space === 'private' && i === 0)
      doubleNat.push(`the hop after your router (${hop}) is a private address: a second router translates`);
    else if (space === 'private')
      maybe.push(
        `hop ${i + 2} on the path (${hop}) is a private address: the provider's network uses private addresses`,
      );
  });
  const next = after[0] ?? null;
  // A private or CGNAT next hop decides the kind above; where the kind is NAT, an answering next hop is public.
  if (next === null && after.length > 0)
    maybe.push(
      'the hop after your router did not answer the path probe (carrier-grade NAT often stays silent there)',
    );
  return { cgnat, doubleNat, maybe, nextHop: next };
}

export function classifyReachability(facts: ProbeFacts): Verdict {
  const evidence: string[] = [];
  const remedies: string[] = [];
  const v4 = facts.ipv4;
  const v6 = facts.ipv6;
  const port = facts.wireguardPort;
  const publicV4 = acceptedAddress(v4.consensus);
  const publicV6 = acceptedAddress(v6.consensus);
  const stunAsked = (v4.stun?.results ?? []).length;

  // Offline: something was asked and nothing on the internet answered, over either family. The consensus has
  // every source's answer (STUN, the HTTP and DNS echoes), including the ones it rejected.
  const heardFromInternet = [v4, v6].some((f) => answers(f.consensus).some(fromInternet));
  const offline = stunAsked > 0 && !heardFromInternet;
  let kind: NatKind = 'unknown';
  if (offline) {
    kind = 'offline';
    evidence.push(offlineEvidence(facts));
  }
  const udpSeen = udpFinding(v4);
  const udp = udpSeen.udp;
  evidence.push(...udpSeen.evidence);

  const mapping = mappingBehaviour(v4.stun);
  if (mapping.evidence) evidence.push(mapping.evidence);
  evidence.push(...consensusEvidence(v4.consensus));

  const pmSeen = portMappingFinding(facts.portMapping, publicV4, v4.router, port);
  const portMapping = pmSeen.portMapping;
  let cgnat: CgnatFinding = 'not-ruled-out';
  let cgnatDoubts: string[] = [];

  if (!offline) {
    const onBox = v4.localAddresses.some((a) => a === publicV4);
    const hints = upstreamHints(v4, publicV4);
    const local = v4.localAddresses.join(', ') || 'no IPv4 address';
    if (onBox) {
      kind = 'public';
      cgnat = 'ruled-out';
      evidence.push(`the box itself holds the public address ${publicV4}`);
    } else if (hints.cgnat.length > 0) {
      kind = 'cgnat';
      cgnat = 'found';
      evidence.push(...hints.cgnat);
    } else if (hints.doubleNat.length > 0) {
      kind = 'double-nat';
      evidence.push(...hints.doubleNat);
    } else if (publicV4 !== null) {
      kind = 'nat';
      evidence.push(`the internet sees ${publicV4} while the box has ${local}`);
    } else if (kept(v4.consensus).some(fromInternet)) {
      // No quorum: which address is public is open; if none of the answers is on the box, it is behind NAT.
      const heard = kept(v4.consensus).filter(fromInternet);
      if (!heard.some((a) => v4.localAddresses.includes(a.address))) {
        kind = 'nat';
        evidence.push(`no answer from the internet is an address of the box (${local}): it is behind NAT`);
      }
    }
    if (kind === 'nat') {
      if (portMapping === 'mapped') {
        // The router holds the public address itself and forwards the port: no NAT in front of it.
        cgnat = 'ruled-out';
      } else if (hints.nextHop !== null && hints.maybe.length === 0) {
        cgnat = 'ruled-out';
        evidence.push(`the hop after your router (${hints.nextHop}) is a public address`);
      } else {
        cgnatDoubts = hints.maybe;
        if (hints.maybe.length === 0)
          cgnatDoubts = [
            v4.path === null
              ? 'the path beyond the router was not traced, so carrier-grade NAT cannot be ruled out'
              : 'no hop beyond the router answered the path probe, so carrier-grade NAT cannot be ruled out',
          ];
      }
      evidence.push(...cgnatDoubts);
    } else if (kind === 'double-nat' || kind === 'unknown') {
      evidence.push(...hints.maybe);
    }
  }
  evidence.push(...pmSeen.evidence);

  // IPv6.
  const globalReachable = v6.localAddresses.some((a) => a === publicV6);
  if (globalReachable) evidence.push(`IPv6: the box's global address ${publicV6} is what the internet sees`);
  else if (v6.localAddresses.length === 0) evidence.push('IPv6: the box has no global IPv6 address');
  evidence.push(...consensusEvidence(v6.consensus));

  // Inbound path and remedies.
  let inbound: Verdict['inbound'];
  // The prober lists only this family's addresses.
  const lan = v4.localAddresses[0] ?? 'its LAN address';
  const routerAnswers = v4.router.some((r) => r.externalAddress !== null || r.declined === true);
  const forward = `forward UDP port ${port} on your router to this box at ${lan}.`;
  switch (kind) {
    case 'public':
      inbound = 'yes'; // unless UDP is blocked, below
      break;
    case 'nat':
      inbound = portMapping === 'mapped' ? 'via-port-mapping' : 'needs-port-forward';
      if (inbound === 'via-port-mapping') break;
      if (cgnat === 'not-ruled-out') {
        remedies.push(
          `Look up your router's WAN (internet) address on its status page. If it is not ${publicV4 ?? 'the address the internet sees'}, or lies in 100.64.0.0/10, your provider uses carrier-grade NAT: ask for a public IPv4 address.`,
          `If it is the same, ${forward}`,
        );
      } else remedies.push(`F${forward.slice(1)}`);
      if (portMapping === 'refused')
        remedies.push(
          cgnat === 'not-ruled-out'
            ? 'The router refused to map the port, as routers behind carrier-grade NAT do; if its WAN address is public, allow this box in its UPnP / NAT-PMP settings.'
            : 'The router refused to map the port: allow this box in its UPnP / NAT-PMP settings, or keep the manual forward.',
        );
      else if (!routerAnswers && portMapping !== 'disabled' && portMapping !== 'unconfirmed')
        remedies.push('Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.');
      break;
    case 'cgnat':
      inbound = globalReachable ? 'ipv6-only' : 'no';
      remedies.push(
        'Your provider shares one public IPv4 address between customers (CGNAT), so nobody can connect in over IPv4: ask your provider for a public IPv4 address.',
      );
      break;
    case 'double-nat':
      inbound = globalReachable ? 'ipv6-only' : 'no';
      remedies.push(
        `Two routers translate addresses: put the provider's modem in bridge mode, or forward UDP port ${port} on both (modem → your router → ${lan}).`,
      );
      break;
    case 'offline':
      inbound = 'no';
      remedies.push(
        "Check this box's internet connection and DNS: its network cable or Wi-Fi, the router's internet link, and the DNS server in /etc/resolv.conf.",
      );
      break;
    case 'unknown':
      inbound = globalReachable ? 'ipv6-only' : 'no';
      break;
  }
  if (mapping.kind === 'endpoint-dependent') {
    remedies.push(
      'The NAT picks a new port for every destination (symmetric NAT): forward the port or use a relay; hole punching will not work.',
    );
  }
  if (udp === 'blocked') {
    inbound = 'no';
    // Forwards and mappings do not matter while no UDP gets through.
    remedies.length = 0;
    remedies.push(
      'UDP is blocked on this network, and WireGuard needs UDP: allow outgoing UDP in the firewall, or run Gatehouse on a network that passes UDP.',
    );
  }
  // Where CGNAT is not ruled out, the ways around it belong in the list too (inbound is a forward then, or no).
  if (!offline && (inbound === 'no' || inbound === 'ipv6-only' || cgnat === 'not-ruled-out')) {
    // IPv6 does not help where UDP is blocked: WireGuard over IPv6 is UDP too.
    const v6Helps = udp !== 'blocked';
    if (v6Helps && globalReachable)
      remedies.push(
        `Use IPv6: peers with IPv6 can connect to [${publicV6}]:${port} (allow UDP ${port} to this box in the router's IPv6 firewall).`,
      );
    else if (v6Helps && v6.localAddresses.length === 0)
      remedies.push(
        'Turn on IPv6 in the router (and ask your provider for IPv6 if it has none): with a global IPv6 address, peers with IPv6 reach this box directly, even behind carrier-grade NAT.',
      );
    remedies.push('Use a relay: a small VPS running WireGuard that this box connects out to.');
    remedies.push('Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.');
  }

  // A packet that came in proves the way in only while nothing since says it is closed: offline or UDP blocked
  // now outweighs it (its freshness is the probe's business: see inboundFreshMs).
  const seen = offline || udp === 'blocked' ? null : (facts.inboundSeen ?? null);
  let level: VerdictLevel;
  if (seen) {
    level = 'proven';
    const since = seen.since !== undefined && seen.since !== seen.at ? ` (proven since ${seen.since})` : '';
    evidence.unshift(
      `${seen.via} from ${seen.from} at ${seen.at}${since}: a peer on the internet reached this box`,
    );
    if (inbound === 'needs-port-forward' || inbound === 'no') inbound = 'yes';
  } else if (offline || udp === 'blocked' || (kind === 'cgnat' && inbound === 'no')) level = 'impossible';
  else if (inbound === 'yes' || inbound === 'via-port-mapping' || inbound === 'ipv6-only') level = 'likely';
  else level = 'unlikely';

  const headline = seen
    ? `Reachable: ${seen.via} from ${seen.from} arrived from the internet.`
    : headlineFor({
        kind,
        inbound,
        address: publicV4,
        udp,
        cgnat,
        portMapping,
        port,
        consensus: v4.consensus,
      });
  return {
    level,
    ipv4: { kind, publicAddress: publicV4, mapping: mapping.kind, udp, cgnat, portMapping },
    ipv6: { publicAddress: publicV6, globalReachable },
    inbound,
    headline,
    evidence,
    remedies: seen ? [] : remedies,
  };
}

function headlineFor(h: {
  kind: NatKind;
  inbound: Verdict['inbound'];
  address: string | null;
  udp: Verdict['ipv4']['udp'];
  cgnat: CgnatFinding;
  portMapping: PortMappingVerdict;
  port: number;
  consensus: Consensus;
}): string {
  if (h.udp === 'blocked') return 'UDP is blocked: WireGuard cannot work from this network.';
  const address = h.address ?? 'public address not agreed';
  switch (h.kind) {
    case 'public': {
      // Stryker disable next-line StringLiteral: "public" means the box holds the accepted address, so it is never null here
      const held = h.address ?? '';
      return `Public address ${held} on the box itself: reachable.`;
    }
    case 'nat': {
      if (h.inbound === 'via-port-mapping')
        return `Behind a router (${address}); the WireGuard port is mapped automatically.`;
      const refused = h.portMapping === 'refused';
      if (h.cgnat === 'not-ruled-out')
        return refused
          ? `Behind NAT (${address}), carrier-grade NAT not ruled out; the router refused to map UDP port ${h.port}.`
          : `Behind NAT (${address}), carrier-grade NAT not ruled out: cannot verify from inside whether peers can reach UDP port ${h.port}.`;
      return refused
        ? `Behind a router (${address}) that refused to map UDP port ${h.port}: a manual forward cannot be verified from inside.`
        : `Behind a router (${address}): cannot verify from inside whether UDP port ${h.port} is forwarded to this box.`;
    }
    case 'cgnat':
      return h.inbound === 'ipv6-only'
        ? 'Behind carrier-grade NAT: reachable over IPv6 only.'
        : 'Behind carrier-grade NAT: not reachable from the internet.';
    case 'double-nat':
      return h.inbound === 'ipv6-only'
        ? 'Behind two NATs: reachable over IPv6 only.'
        : 'Behind two NATs: not reachable without forwards on both routers.';
    case 'offline':
      return "Offline: no source on the internet answered. Check this box's internet connection and DNS.";
    case 'unknown':
      return h.consensus.kind === 'disagreement'
        ? 'Reachability unknown: the sources disagree on the public address.'
        : 'Reachability unknown: not enough sources answered.';
  }
}

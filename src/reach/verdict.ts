/** @module The verdict: from the facts of one probe to how the outside world reaches the box, with evidence and remedies. Pure. */
import { isPrivateOrCgnat } from './addresses.js';
import type { Consensus } from './consensus.js';

export interface StunObservation {
  readonly server: string;
  readonly mapped: { readonly address: string; readonly port: number } | null;
  readonly error?: string;
}

export interface RouterObservation {
  readonly source: 'upnp' | 'natpmp' | 'pcp';
  readonly externalAddress: string | null;
  readonly reason?: string;
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
  readonly consensus: Consensus;
}

export interface PortMappingFacts {
  readonly state: 'disabled' | 'unsupported' | 'mapped' | 'failed';
  readonly protocol?: string;
  readonly externalPort?: number;
  readonly error?: string;
}

export interface ProbeFacts {
  readonly ipv4: FamilyFacts;
  readonly ipv6: FamilyFacts;
  readonly portMapping: PortMappingFacts | null;
  /** The WireGuard UDP port people must reach. */
  readonly wireguardPort: number;
}

export type NatKind = 'public' | 'nat' | 'double-nat' | 'cgnat' | 'offline' | 'unknown';

export interface Verdict {
  readonly ipv4: {
    readonly kind: NatKind;
    readonly publicAddress: string | null;
    readonly mapping: 'endpoint-independent' | 'endpoint-dependent' | 'unknown';
    readonly udp: 'ok' | 'blocked' | 'unknown';
    readonly portMapping: 'available' | 'unavailable' | 'disabled' | 'unknown';
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

const acceptedAddress = (c: Consensus): string | null => (c.kind === 'accepted' ? c.address : null);

type Answered = StunObservation & { readonly mapped: NonNullable<StunObservation['mapped']> };
const answered = (r: StunObservation): r is Answered => r.mapped !== null;

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

export function classifyReachability(facts: ProbeFacts): Verdict {
  const evidence: string[] = [];
  const remedies: string[] = [];
  const v4 = facts.ipv4;
  const port = facts.wireguardPort;
  const publicV4 = acceptedAddress(v4.consensus);
  const stunAnswers = (v4.stun?.results ?? []).filter(answered);
  const stunAsked = (v4.stun?.results ?? []).length;

  // UDP blocked / offline.
  let udp: Verdict['ipv4']['udp'] = stunAnswers.length > 0 ? 'ok' : 'unknown';
  let kind: NatKind = 'unknown';
  if (stunAsked > 0 && stunAnswers.length === 0) {
    if (v4.tcpWorks) {
      udp = 'blocked';
      evidence.push(
        `none of ${stunAsked} STUN servers answered over UDP, while TCP connections to the internet work`,
      );
    } else {
      kind = 'offline';
      evidence.push(`no STUN server answered and no TCP source got through: the box seems offline`);
    }
  }

  const mapping = mappingBehaviour(v4.stun);
  if (mapping.evidence) evidence.push(mapping.evidence);

  const mapped = stunAnswers[0]?.mapped ?? null;
  const routerExternal = v4.router.filter(
    (r): r is RouterObservation & { readonly externalAddress: string } => r.externalAddress !== null,
  );
  const gatewayNext = v4.path?.[1] ?? null;

  if (kind !== 'offline') {
    const onBox = v4.localAddresses.some((a) => a === publicV4);
    const cgnatHints: string[] = [];
    const doubleNatHints: string[] = [];
    for (const r of routerExternal) {
      const space = isPrivateOrCgnat(r.externalAddress);
      if (space === 'cgnat')
        cgnatHints.push(
          `the router's WAN address (${r.source}) is ${r.externalAddress}, in the carrier-grade NAT range 100.64.0.0/10`,
        );
      if (space === 'private')
        doubleNatHints.push(
          `the router's WAN address (${r.source}) is ${r.externalAddress}, a private address`,
        );
      if (!space && mapped && r.externalAddress !== mapped.address) {
        cgnatHints.push(
          `the router says its public address is ${r.externalAddress} (${r.source}) but the internet sees ${mapped.address}`,
        );
      }
    }
    // A hop that did not answer (null) is in no space.
    const gatewaySpace = gatewayNext && isPrivateOrCgnat(gatewayNext);
    if (gatewaySpace === 'cgnat')
      cgnatHints.push(
        `the hop after your router (${gatewayNext}) is in the carrier-grade NAT range 100.64.0.0/10`,
      );
    else if (gatewaySpace === 'private')
      doubleNatHints.push(
        `the hop after your router (${gatewayNext}) is a private address: a second router translates`,
      );
    if (onBox) {
      kind = 'public';
      evidence.push(`the box itself holds the public address ${publicV4}`);
    } else if (cgnatHints.length > 0) {
      kind = 'cgnat';
      evidence.push(...cgnatHints);
    } else if (doubleNatHints.length > 0) {
      kind = 'double-nat';
      evidence.push(...doubleNatHints);
    } else if (mapped) {
      kind = 'nat';
      evidence.push(
        `the internet sees ${mapped.address} while the box has ${v4.localAddresses.join(', ') || 'no public address'}`,
      );
    } else if (publicV4) {
      kind = 'nat';
      evidence.push(`the public address ${publicV4} is not on the box`);
    }
  }

  // Port mapping.
  const pm = facts.portMapping;
  let portMapping: Verdict['ipv4']['portMapping'] = 'unknown';
  if (pm?.state === 'disabled') portMapping = 'disabled';
  else if (pm?.state === 'mapped') {
    portMapping = 'available';
    evidence.push(`UDP port ${port} is mapped on the router by ${pm.protocol ?? 'a port-mapping protocol'}`);
  } else if (!pm && routerExternal.length > 0) {
    // No mapper ran (gatehouse doctor), but the router speaks a mapping protocol: Gatehouse can map the port.
    portMapping = 'available';
    evidence.push(
      `the router answers ${routerExternal.map((r) => r.source).join(', ')}: Gatehouse can map UDP port ${port} itself`,
    );
  } else if (pm) {
    portMapping = 'unavailable';
    evidence.push(`the router offers no working UPnP, NAT-PMP or PCP${pm.error ? ` (${pm.error})` : ''}`);
  }

  // IPv6.
  const v6 = facts.ipv6;
  const publicV6 = acceptedAddress(v6.consensus);
  const globalReachable = v6.localAddresses.some((a) => a === publicV6);
  if (globalReachable) evidence.push(`IPv6: the box's global address ${publicV6} is what the internet sees`);

  // Inbound path and remedies.
  let inbound: Verdict['inbound'];
  // The prober lists only this family's addresses.
  const lan = v4.localAddresses[0] ?? 'its LAN address';
  switch (kind) {
    case 'public':
      inbound = 'yes'; // unless UDP is blocked, below
      break;
    case 'nat':
      inbound = portMapping === 'available' ? 'via-port-mapping' : 'needs-port-forward';
      if (inbound === 'needs-port-forward') {
        remedies.push(`Forward UDP port ${port} on your router to this box at ${lan}.`);
        if (portMapping !== 'disabled')
          remedies.push('Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.');
      }
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
    remedies.push(
      'UDP is blocked on this network, and WireGuard needs UDP: allow outgoing UDP in the firewall, or run Gatehouse on a network that passes UDP.',
    );
  }
  if (inbound === 'no' || inbound === 'ipv6-only') {
    if (globalReachable)
      remedies.push(
        `Use IPv6: peers with IPv6 can connect to [${publicV6}]:${port} (allow UDP ${port} to this box in the router's IPv6 firewall).`,
      );
    remedies.push('Use a relay: a small VPS running WireGuard that this box connects out to.');
    remedies.push('Use DNS-01 for certificates: HTTP-01 needs port 80 reachable from the internet.');
  }

  const headline = headlineFor(kind, inbound, publicV4, udp);
  return {
    ipv4: { kind, publicAddress: publicV4, mapping: mapping.kind, udp, portMapping },
    ipv6: { publicAddress: publicV6, globalReachable },
    inbound,
    headline,
    evidence,
    remedies,
  };
}

function headlineFor(
  kind: NatKind,
  inbound: Verdict['inbound'],
  address: string | null,
  udp: Verdict['ipv4']['udp'],
): string {
  if (udp === 'blocked') return 'UDP is blocked: WireGuard cannot work from this network.';
  switch (kind) {
    case 'public': {
      // Stryker disable next-line StringLiteral: "public" means the box holds the accepted address, so it is never null here
      const held = address ?? '';
      return `Public address ${held} on the box itself: reachable.`;
    }
    case 'nat':
      return inbound === 'via-port-mapping'
        ? `Behind a router (${address ?? 'public address unknown'}); the WireGuard port is mapped automatically.`
        : `Behind a router (${address ?? 'public address unknown'}); a port forward is needed.`;
    case 'cgnat':
      return inbound === 'ipv6-only'
        ? 'Behind carrier-grade NAT: reachable over IPv6 only.'
        : 'Behind carrier-grade NAT: not reachable from the internet.';
    case 'double-nat':
      return inbound === 'ipv6-only'
        ? 'Behind two NATs: reachable over IPv6 only.'
        : 'Behind two NATs: not reachable without forwards on both routers.';
    case 'offline':
      return 'Offline: no source on the internet answered.';
    case 'unknown':
      return 'Reachability unknown: not enough sources answered.';
  }
}

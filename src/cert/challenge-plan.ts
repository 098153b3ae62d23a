/**
 * @module Which ACME challenge to use (HTTP-01 or DNS-01), from the setting, the names, the DNS providers, the
 * port-80 listener and the reachability verdict, with the reasons in words a user understands. Pure.
 *
 * The rule, in order:
 * 1. Wildcard names (`*.example.org`) can only be validated through DNS (RFC 8555 §7.1.3, as at Let's Encrypt):
 *    DNS-01, whatever the setting; impossible when the setting is http-01 or no DNS provider that can write TXT
 *    records covers every name.
 * 2. `dns-01` set: DNS-01 when a DNS provider that can write TXT records covers every name, else nothing.
 * 3. HTTP-01 needs the CA to reach TCP port 80 of this box from the internet. From the verdict:
 *    - good: the box holds its public IPv4 address, or it is behind a router that maps ports for Gatehouse
 *      (UPnP / NAT-PMP / PCP, and `acme.http01.mapRouterPort` on): port 80 is opened there per challenge;
 *    - doubtful: behind a router without that mapping (a manual forward cannot be checked from inside), another NAT
 *      in front of a mapping router, carrier-grade NAT not ruled out, two NATs (forwards on both can work), behind
 *      carrier-grade NAT with a public IPv6 address (HTTP-01 over IPv6 only), offline or unknown at the last check,
 *      or not checked yet;
 *    - impossible: the port-80 listener is not running, or carrier-grade NAT without IPv6 (no forward can help).
 *    UDP being blocked and a symmetric NAT do not matter here: HTTP-01 is TCP, through a forward or mapping.
 * 4. `http-01` set: HTTP-01 unless impossible (then nothing); doubts become warnings.
 * 5. `auto`: HTTP-01 when good (no DNS credentials, no wait for DNS to spread); when doubtful or impossible,
 *    DNS-01 if a DNS provider covers every name (it needs no inbound port: the right choice behind CGNAT); else
 *    HTTP-01 with warnings when doubtful, nothing when impossible.
 * "Nothing" (chosen null) always comes with what to change.
 */
import type { CgnatFinding, NatKind, PortMappingVerdict } from '../reach/verdict.js';
import type { ChallengeType } from './ports.js';

export type ChallengeSetting = 'auto' | ChallengeType;

/** The part of the reachability verdict (src/reach/verdict.ts) the choice reads; a whole Verdict fits. */
export interface ReachFacts {
  readonly ipv4: {
    readonly kind: NatKind;
    readonly portMapping: PortMappingVerdict;
    readonly cgnat: CgnatFinding;
  };
  readonly ipv6: { readonly globalReachable: boolean };
}

export interface ChallengeChoiceInput {
  readonly setting: ChallengeSetting;
  /** The names of the certificate; `*.example.org` for a wildcard. */
  readonly names: readonly string[];
  /**
   * Whether a DNS provider that can write TXT records covers the name (asked without `*.`: the TXT record of a
   * wildcard sits at `_acme-challenge.<base>`). A map: names missing from it are not covered.
   */
  readonly dnsWritable: ((name: string) => boolean) | ReadonlyMap<string, boolean>;
  /** Gatehouse's port-80 listener is running (acme.http01.listen). */
  readonly http01Listening: boolean;
  /** acme.http01.mapRouterPort: Gatehouse may map TCP port 80 on the router for the length of a challenge. */
  readonly mapRouterPort: boolean;
  /** The latest reachability verdict; null before the first check. */
  readonly reach: ReachFacts | null;
}

export interface ChallengeChoice {
  readonly chosen: ChallengeType | null;
  /** One or two sentences for the certificates page. */
  readonly why: string;
  readonly warnings: readonly string[];
}

type HttpOutlook =
  | { readonly kind: 'good'; readonly reason: string }
  | { readonly kind: 'doubtful' | 'impossible'; readonly reason: string; readonly advice: string };

const FORWARD = 'forward TCP port 80 on the router to this box';

/** Whether, and why, the CA can reach port 80 of this box. */
export function assessHttp01(
  input: Pick<ChallengeChoiceInput, 'http01Listening' | 'mapRouterPort' | 'reach'>,
): HttpOutlook {
  if (!input.http01Listening)
    return {
      kind: 'impossible',
      reason: "Gatehouse's port-80 listener is not running",
      advice: 'free TCP port 80 on this box or correct acme.http01.listen, then restart Gatehouse',
    };
  const reach = input.reach;
  if (reach === null)
    return {
      kind: 'doubtful',
      reason: 'reachability has not been checked yet, so it is not known whether the CA can reach port 80',
      advice: `if this box is behind a router, ${FORWARD}`,
    };
  const v4 = reach.ipv4;
  switch (v4.kind) {
    case 'public':
      return {
        kind: 'good',
        reason: 'this box holds its public IPv4 address, so the CA reaches port 80 directly',
      };
    case 'nat':
      if (v4.portMapping === 'mapped')
        return input.mapRouterPort
          ? {
              kind: 'good',
              reason:
                'the router maps ports for Gatehouse (UPnP, NAT-PMP or PCP), so TCP port 80 is opened on it for the length of each challenge',
            }
          : {
              kind: 'doubtful',
              reason:
                'the router could map TCP port 80, but mapping it is turned off (acme.http01.mapRouterPort)',
              advice: `turn acme.http01.mapRouterPort on, or ${FORWARD}`,
            };
      if (v4.portMapping === 'unconfirmed')
        return {
          kind: 'doubtful',
          reason:
            'the router maps ports, but another NAT seems to sit in front of it, so port 80 may not reach this box',
          advice: `${FORWARD} and on the device in front of it, or put that device in bridge mode`,
        };
      if (v4.cgnat === 'not-ruled-out')
        return {
          kind: 'doubtful',
          reason:
            'this box is behind a router and carrier-grade NAT is not ruled out, so port 80 may be unreachable from the internet',
          advice: `check on the router's status page that its WAN address is public, and ${FORWARD}`,
        };
      return {
        kind: 'doubtful',
        reason:
          'this box is behind a router that does not map ports for Gatehouse, so port 80 reaches it only through a manual forward, which cannot be checked from inside',
        advice: FORWARD,
      };
    case 'double-nat':
      return {
        kind: 'doubtful',
        reason:
          'two routers translate addresses, so port 80 reaches this box only if it is forwarded on both',
        advice:
          "forward TCP port 80 on both (the provider's modem → your router → this box), or put the modem in bridge mode",
      };
    case 'cgnat':
      return reach.ipv6.globalReachable
        ? {
            kind: 'doubtful',
            reason: 'this box is behind carrier-grade NAT, so the CA can reach port 80 only over IPv6',
            advice:
              "give the name an AAAA record for this box and allow TCP port 80 to it in the router's IPv6 firewall",
          }
        : {
            kind: 'impossible',
            reason:
              'this box is behind carrier-grade NAT (the provider shares one public IPv4 address between customers), so the CA cannot reach port 80 here',
            advice: 'ask the provider for a public IPv4 address',
          };
    case 'offline':
      return {
        kind: 'doubtful',
        reason:
          'the box was offline at the last reachability check, so it is not known whether the CA can reach port 80',
        advice: `check this box's internet connection; if it is behind a router, ${FORWARD}`,
      };
    case 'unknown':
      return {
        kind: 'doubtful',
        reason:
          'the last reachability check could not tell how the internet reaches this box, so port 80 may be unreachable',
        advice: `if this box is behind a router, ${FORWARD}`,
      };
  }
}

const bare = (name: string): string => (name.startsWith('*.') ? name.slice(2) : name);

const capital = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** The names no TXT-writing DNS provider covers, as the user wrote them. */
function uncoveredNames(input: ChallengeChoiceInput): string[] {
  const writable = input.dnsWritable;
  const covers = (name: string): boolean =>
    typeof writable === 'function' ? writable(name) : writable.get(name) === true;
  return input.names.filter((n) => !covers(bare(n)));
}

const IPV6_HTTP =
  "When the name has an AAAA record, the CA connects over IPv6 first: allow TCP port 80 to this box in the router's IPv6 firewall, or leave the AAAA record out.";

/** Picks the challenge type; see the module comment for the rule. */
export function chooseChallenge(input: ChallengeChoiceInput): ChallengeChoice {
  if (input.names.length === 0)
    return {
      chosen: null,
      why: 'No names yet: add the host names the certificate should cover.',
      warnings: [],
    };
  const uncovered = uncoveredNames(input);
  const dnsCovers = uncovered.length === 0;
  const noProvider = `no DNS provider that can write TXT records covers ${uncovered.join(', ')}`;

  const wildcards = input.names.filter((n) => n.startsWith('*.'));
  if (wildcards.length > 0) {
    const only = `wildcard names (${wildcards.join(', ')}) can only be validated through DNS`;
    if (input.setting === 'http-01')
      return {
        chosen: null,
        why: `${capital(only)}: choose dns-01 or auto, or remove the wildcard names.`,
        warnings: [],
      };
    if (!dnsCovers)
      return {
        chosen: null,
        why: `${capital(only)}, and ${noProvider}: set one up for them in DDNS, or remove the wildcard names.`,
        warnings: [],
      };
    return { chosen: 'dns-01', why: `DNS-01: ${only}.`, warnings: [] };
  }

  if (input.setting === 'dns-01')
    return dnsCovers
      ? {
          chosen: 'dns-01',
          why: 'DNS-01, as set: a DNS provider that can write TXT records covers every name.',
          warnings: [],
        }
      : {
          chosen: null,
          why: `DNS-01 needs a DNS provider that can write TXT records for every name, and none covers ${uncovered.join(', ')}: set one up for them in DDNS, or choose http-01 or auto.`,
          warnings: [],
        };

  const http = assessHttp01(input);
  const ipv6 =
    input.reach?.ipv6.globalReachable === true && input.reach.ipv4.kind !== 'cgnat' ? [IPV6_HTTP] : [];

  if (input.setting === 'http-01') {
    switch (http.kind) {
      case 'good':
        return { chosen: 'http-01', why: `HTTP-01, as set: ${http.reason}.`, warnings: ipv6 };
      case 'doubtful':
        return {
          chosen: 'http-01',
          why: 'HTTP-01, as set.',
          warnings: [
            `${capital(http.reason)}: ${http.advice}.`,
            ...(dnsCovers ? ['DNS-01 would not depend on port 80: choose dns-01 or auto.'] : []),
            ...ipv6,
          ],
        };
      case 'impossible':
        return {
          chosen: null,
          why: `HTTP-01 cannot work: ${http.reason}. ${capital(http.advice)}, or choose ${dnsCovers ? 'dns-01 or auto' : 'dns-01 with a DNS provider that can write TXT records'}.`,
          warnings: [],
        };
    }
  }

  // auto
  if (http.kind === 'good') return { chosen: 'http-01', why: `HTTP-01: ${http.reason}.`, warnings: ipv6 };
  if (dnsCovers)
    return {
      chosen: 'dns-01',
      why: `DNS-01, because HTTP-01 ${http.kind === 'doubtful' ? 'is doubtful' : 'cannot work'} here: ${http.reason}. DNS-01 needs no inbound port, and a DNS provider that can write TXT records covers every name.`,
      warnings: [],
    };
  if (http.kind === 'doubtful')
    return {
      chosen: 'http-01',
      why: `HTTP-01, though uncertain: ${http.reason}.`,
      warnings: [
        `${capital(http.advice)}.`,
        `Or set up a DNS provider that can write TXT records for ${uncovered.join(', ')}: Gatehouse would then use DNS-01, which needs no inbound port.`,
        ...ipv6,
      ],
    };
  return {
    chosen: null,
    why: `Neither challenge can work: HTTP-01 because ${http.reason}; DNS-01 because ${noProvider}. ${capital(http.advice)}, or set up a DNS provider that can write TXT records for those names.`,
    warnings: [],
  };
}

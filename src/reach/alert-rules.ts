/** @module The alert rules reachability raises: the one place their severity, title and remedy are written. */
import type { RuleDefinition } from '../alerts/catalogue.js';

const familyName = (family: unknown): string => (family === 'ipv6' ? 'IPv6' : 'IPv4');

export const reachabilityRules = {
  'reach.offline': {
    title: 'No internet connection',
    severity: 'critical',
    remedy:
      "None of the address sources answered, so this box is not on the internet right now. Check this box's " +
      'network cable or Wi-Fi, the router and its internet connection, and whether this box can resolve names ' +
      '(DNS). Alerts raised meanwhile are delivered once the connection is back.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.cgnat': {
    title: 'Behind carrier-grade NAT',
    severity: 'critical',
    remedy:
      'Your provider shares one public IPv4 address among many customers, so nobody can connect in over IPv4. ' +
      'Ask your provider for a public IPv4 address (often called "public IP" or "dual stack instead of DS-Lite"), ' +
      'connect over IPv6 where your clients have it, or relay through a small server that has a public address.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.double-nat': {
    title: 'Behind two NATs',
    severity: 'warning',
    remedy:
      'Two routers translate addresses one behind the other. Put the provider modem into bridge mode, or make ' +
      "this box's router the modem's exposed host (DMZ), or forward the WireGuard UDP port on both routers.",
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.address-changed': {
    title: (d) => `Public ${familyName(d['family'])} address changed`,
    severity: 'info',
    remedy:
      'Nothing to do if DDNS is set up: the hostname follows the new address and clients reconnect once DNS ' +
      'catches up. If the address changes often, ask your provider for a static address.',
    kind: 'event',
    notifyOnClear: false,
  },
  'reach.sources-disagree': {
    title: (d) => `Address sources disagree (${String(d['family'])})`,
    severity: 'warning',
    remedy:
      'One source sees a different address, e.g. through a VPN, a proxy or a second internet line. Check the ' +
      'sources named in the details and remove or replace one that keeps disagreeing.',
    kind: 'condition',
    notifyOnClear: false,
  },
  'reach.udp-blocked': {
    title: 'UDP is blocked',
    severity: 'critical',
    remedy:
      'WireGuard needs UDP. Allow UDP to the WireGuard port in the firewall of this box and of the router; some ' +
      'guest, hotel and company networks block UDP altogether.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.port-mapping-refused': {
    title: 'The router refused the port mapping',
    severity: 'warning',
    remedy:
      'The router answered UPnP, NAT-PMP or PCP but would not forward the WireGuard UDP port to this box (its ' +
      "answer is in the details). Allow port mapping for this box in the router's UPnP settings, or forward the " +
      'WireGuard UDP port to this box by hand.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.port-mapping-lost': {
    title: 'Port mapping lost',
    severity: 'warning',
    remedy:
      'The router no longer keeps the port forwarding Gatehouse asked for (UPnP, NAT-PMP or PCP). Check that ' +
      'the protocol is still enabled on the router, or forward the WireGuard UDP port to this box by hand.',
    kind: 'condition',
    notifyOnClear: true,
  },
} as const satisfies Record<string, RuleDefinition>;

export type ReachabilityRuleId = keyof typeof reachabilityRules;

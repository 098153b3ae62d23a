/** @module The catalogue of alert rules: each rule's id, default title and severity, remedy, and how it ends. */
import type { Severity } from '../store/schema.js';

export interface RuleDefinition {
  /** Used when the raiser gives no title of its own. */
  readonly title: string;
  readonly severity: Severity;
  /** A concrete next step in plain words; the raiser may replace it with a more specific one. */
  readonly remedy: string;
  /**
   * `condition`: true until the raiser clears it (CGNAT, UDP blocked); raising it again while it is active is the
   * same alert. `event`: something that happened (the address changed); each raise is news and replaces the
   * previous alert of the same key, and acknowledging it closes it.
   */
  readonly kind: 'condition' | 'event';
  /** Tell the channels when the condition ends (only those that were told it began). */
  readonly notifyOnClear: boolean;
}

/**
 * Every rule that may raise an alert. Capabilities add their own entries here (`cert.*`, `ddns.*`, `wg.*`)
 * and raise them through AlertService; the ids are stable, as receivers (webhooks, scripts) match on them.
 */
export const ruleCatalogue = {
  'reach.cgnat': {
    title: 'Behind carrier-grade NAT (CGNAT)',
    severity: 'critical',
    remedy:
      'Your provider shares one public IPv4 address among many customers, so nobody can connect in over IPv4. ' +
      'Ask your provider for a public IPv4 address (often called "public IP" or "dual stack instead of DS-Lite"), ' +
      'connect over IPv6 where your clients have it, or relay through a small server that has a public address.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.double-nat': {
    title: 'Double NAT detected',
    severity: 'warning',
    remedy:
      'Two routers translate addresses one behind the other. Put the provider modem into bridge mode, or make ' +
      "this box's router the modem's exposed host (DMZ), or forward the WireGuard UDP port on both routers.",
    kind: 'condition',
    notifyOnClear: true,
  },
  'reach.address-changed': {
    title: 'Public address changed',
    severity: 'info',
    remedy:
      'Nothing to do if DDNS is set up: the hostname follows the new address and clients reconnect once DNS ' +
      'catches up. If the address changes often, ask your provider for a static address.',
    kind: 'event',
    notifyOnClear: false,
  },
  'reach.sources-disagree': {
    title: 'Public-address sources disagree',
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

export type RuleId = keyof typeof ruleCatalogue;

export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(ruleCatalogue, id);
}

export function ruleDefinition(id: RuleId): RuleDefinition {
  return ruleCatalogue[id];
}

const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** True when `severity` is at least `minimum` (info < warning < critical). */
export function meetsSeverity(severity: Severity, minimum: Severity): boolean {
  return severityRank[severity] >= severityRank[minimum];
}

/**
 * @module Which reachability conditions are true, as alerts to raise and clear. Pure. One rule per problem the
 * dashboard can show (offline, CGNAT, double NAT, UDP blocked, the port mapping refused or lost; the sources'
 * disagreement is planned with the address in update-plan.ts), so the card, which shows the active alerts, and
 * the alerts page can never tell two stories.
 */
import type { ReachabilityRuleId } from './alert-rules.js';
import type { AlertInput } from './alerts-port.js';
import type { PortMappingStatus, MappingLostEvent } from './router/port-mapper.js';
import type { Verdict } from './verdict.js';

/** `text` as a sentence: a capital first letter and a full stop. */
const sentence = (text: string): string =>
  text === '' ? '' : `${text.charAt(0).toUpperCase()}${text.slice(1)}${text.endsWith('.') ? '' : '.'}`;

export interface ConditionPlan {
  readonly raise: readonly AlertInput[];
  readonly clear: readonly { readonly rule: ReachabilityRuleId; readonly key: string }[];
}

/**
 * The conditions one verdict proves or disproves (key "ipv4": they are facts about the IPv4 path). A condition
 * is cleared only by a verdict that disproves it: "unknown" keeps the NAT findings, "offline" keeps them too
 * (nothing was learnt about the path); offline ends with any other verdict, UDP blocked with any STUN answer.
 */
export function planVerdictAlerts(v: Verdict): ConditionPlan {
  const raise: AlertInput[] = [];
  const clear: { rule: ReachabilityRuleId; key: string }[] = [];
  const kind = v.ipv4.kind;
  const decided = kind !== 'unknown' && kind !== 'offline';
  const remedy = v.remedies[0];
  const conditions: readonly (readonly [ReachabilityRuleId, boolean, boolean])[] = [
    // [rule, true now, disproved now]
    // Offline is the verdict's exact finding (something was asked, nothing on the internet answered over either
    // family): any other verdict disproves it, also one that cannot tell the kind of NAT (IPv6 answered, IPv4 not).
    ['reach.offline', kind === 'offline', true],
    ['reach.cgnat', kind === 'cgnat', decided],
    ['reach.double-nat', kind === 'double-nat', decided],
    // A STUN answer proves UDP works, whatever else is unknown.
    ['reach.udp-blocked', v.ipv4.udp === 'blocked', decided || v.ipv4.udp === 'ok'],
  ];
  for (const [rule, on, disproved] of conditions) {
    if (on) {
      raise.push({
        rule,
        key: 'ipv4',
        message: [v.headline, sentence(v.evidence.join('; '))].filter((t) => t !== '').join(' '),
        ...(remedy === undefined ? {} : { remedy }),
        details: { inbound: v.inbound, level: v.level },
      });
    } else if (disproved) {
      clear.push({ rule, key: 'ipv4' });
    }
  }
  return { raise, clear };
}

/**
 * The port mapping's conditions from the mapper's state (key: the WireGuard port). At most one is active: a
 * mapping that was lost and then refused is "refused" now. `lost` is the mapper's event with the protocol and
 * the router's reason; "mapped", "disabled" (the setting off) and "unsupported" (no router answers) end both;
 * "pending" changes nothing.
 */
export function planMappingAlerts(
  change: { readonly status: PortMappingStatus } | { readonly lost: MappingLostEvent },
  wireguardPort: number,
): ConditionPlan {
  const key = String(wireguardPort);
  if ('lost' in change) {
    const e = change.lost;
    return {
      raise: [
        {
          rule: 'reach.port-mapping-lost',
          key,
          message: `The router dropped the mapping of UDP ${e.externalPort} (${e.protocol}): ${e.reason}.`,
          details: { protocol: e.protocol, port: e.externalPort },
        },
      ],
      clear: [{ rule: 'reach.port-mapping-refused', key }],
    };
  }
  const s = change.status;
  if (s.state === 'mapped')
    return {
      raise: [],
      clear: [
        { rule: 'reach.port-mapping-lost', key },
        { rule: 'reach.port-mapping-refused', key },
      ],
    };
  if (s.state === 'refused')
    return {
      raise: [
        {
          rule: 'reach.port-mapping-refused',
          key,
          message: `The router refused to forward UDP ${s.internalPort} to this box${
            s.protocol ? ` (${s.protocol})` : ''
          }: ${s.error ?? 'no reason given'}.`,
          details: { port: s.internalPort, ...(s.protocol ? { protocol: s.protocol } : {}) },
        },
      ],
      clear: [{ rule: 'reach.port-mapping-lost', key }],
    };
  // Turned off, or no router answers any more: there is no mapping to refuse or lose; what the box can do instead
  // is the verdict's business (its level and remedies). "pending" says nothing yet.
  if (s.state === 'disabled' || s.state === 'unsupported')
    return {
      raise: [],
      clear: [
        { rule: 'reach.port-mapping-lost', key },
        { rule: 'reach.port-mapping-refused', key },
      ],
    };
  return { raise: [], clear: [] };
}

/**
 * Conditions stored from an earlier run that the settings now make stale, to clear at start: every one when the
 * checks are off (nobody would ever clear them), the port mapping's when mapping is off or the WireGuard port
 * changed (their key is the old port).
 */
export function planStaleConditions(
  active: readonly { readonly rule: string; readonly key: string }[],
  settings: {
    readonly enabled: boolean;
    readonly portMapping: { readonly enabled: boolean; readonly port: number };
  },
): { readonly rule: ReachabilityRuleId; readonly key: string }[] {
  const mappingRules: readonly string[] = ['reach.port-mapping-lost', 'reach.port-mapping-refused'];
  return active
    .filter(
      (a) =>
        !settings.enabled ||
        (mappingRules.includes(a.rule) &&
          (!settings.portMapping.enabled || a.key !== String(settings.portMapping.port))),
    )
    .map((a) => ({ rule: a.rule as ReachabilityRuleId, key: a.key }));
}

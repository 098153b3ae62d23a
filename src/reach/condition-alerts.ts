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

export interface ConditionPlan {
  readonly raise: readonly AlertInput[];
  readonly clear: readonly { readonly rule: ReachabilityRuleId; readonly key: string }[];
}

/**
 * The conditions one verdict proves or disproves (key "ipv4": they are facts about the IPv4 path). A condition
 * is cleared only by a verdict that decided the question: "unknown" keeps what was known (offline included);
 * "offline" keeps the NAT findings (nothing was learnt about the path).
 */
export function planVerdictAlerts(v: Verdict): ConditionPlan {
  const raise: AlertInput[] = [];
  const clear: { rule: ReachabilityRuleId; key: string }[] = [];
  const kind = v.ipv4.kind;
  const decided = kind !== 'unknown' && kind !== 'offline';
  const remedy = v.remedies[0];
  const conditions: readonly (readonly [ReachabilityRuleId, boolean])[] = [
    ['reach.offline', kind === 'offline'],
    ['reach.cgnat', kind === 'cgnat'],
    ['reach.double-nat', kind === 'double-nat'],
    ['reach.udp-blocked', v.ipv4.udp === 'blocked'],
  ];
  for (const [rule, on] of conditions) {
    if (on) {
      raise.push({
        rule,
        key: 'ipv4',
        message: `${v.headline} ${v.evidence.join('; ')}.`,
        ...(remedy === undefined ? {} : { remedy }),
        details: { inbound: v.inbound, level: v.level },
      });
    } else if (decided) {
      clear.push({ rule, key: 'ipv4' });
    }
  }
  return { raise, clear };
}

/**
 * The port mapping's conditions from the mapper's state (key: the WireGuard port). At most one is active: a
 * mapping that was lost and then refused is "refused" now. `lost` is the mapper's event with the protocol and
 * the router's reason; "mapped" ends both; "pending", "unsupported" and "disabled" change nothing (a router that
 * stops answering has not given the port back).
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
  return { raise: [], clear: [] };
}

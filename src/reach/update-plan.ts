/** @module What a new probe report changes: accepted addresses, history entries and alerts to raise or clear. Pure. */
import type { AddressChange, State } from '../store/schema.js';
import type { ReachabilityRuleId } from './alert-rules.js';
import type { AlertInput } from './alerts-port.js';
import { planVerdictAlerts } from './condition-alerts.js';
import type { Consensus } from './consensus.js';
import type { ReachabilityReport } from './probe.js';
import type { AcceptedConsensus } from './settle-plan.js';
import type { Family } from './types.js';

export interface UpdatePlan {
  readonly current: State['reachability']['current'];
  readonly history: readonly AddressChange[];
  readonly raise: readonly AlertInput[];
  readonly clear: readonly { readonly rule: ReachabilityRuleId; readonly key: string }[];
}

function answersText(c: Consensus): string {
  if (c.kind === 'accepted') {
    return [
      ...c.sources.map((s) => `${s}: ${c.address}`),
      ...c.dissent.map((d) => `${d.source}: ${d.address}`),
    ].join('; ');
  }
  return c.answers.map((a) => `${a.source}: ${a.address}`).join('; ');
}

/**
 * What accepting `consensus` changes: the family's current address, a history entry and (for a change, not the
 * first address) the address-changed alert. Nothing when the address is the one already current.
 */
export function planAddressAcceptance(
  previous: State['reachability'],
  consensus: AcceptedConsensus,
  now: Date,
): UpdatePlan {
  const { family, address } = consensus;
  const before = previous.current[family];
  if (address === before) return { current: previous.current, history: [], raise: [], clear: [] };
  return {
    current: { ...previous.current, [family]: address },
    history: [{ at: now.toISOString(), family, address, previous: before, sources: [...consensus.sources] }],
    raise:
      before === null
        ? []
        : [
            {
              rule: 'reach.address-changed',
              key: family,
              message: `The public address changed from ${before} to ${address} (agreed by ${consensus.sources.join(', ')}).`,
              details: { family, previous: before, address },
            },
          ],
    // A new change replaces the previous change's alert (cleared first, so it is notified again).
    clear: before === null ? [] : [{ rule: 'reach.address-changed', key: family }],
  };
}

/**
 * An address is only ever replaced by another accepted address: a probe where the sources cannot agree keeps
 * the last known one (never "no address" because a source failed). A family the probe already settled at quorum
 * (planAddressAcceptance) has that address in `previous`: the report then changes no address, it adds the alerts.
 */
export function planReachabilityUpdate(
  previous: State['reachability'],
  report: ReachabilityReport,
  now: Date,
): UpdatePlan {
  const history: AddressChange[] = [];
  const raise: AlertInput[] = [];
  const clear: { rule: ReachabilityRuleId; key: string }[] = [];
  let current = { ...previous.current };

  for (const family of ['ipv4', 'ipv6'] as const satisfies readonly Family[]) {
    const c = report.consensus[family];
    if (c.kind === 'accepted') {
      const accepted = planAddressAcceptance({ current }, c, now);
      current = { ...accepted.current };
      history.push(...accepted.history);
      raise.push(...accepted.raise);
      clear.push(...accepted.clear);
    }
    const disagree = c.kind === 'disagreement' || (c.kind === 'accepted' && c.dissent.length > 0);
    if (disagree) {
      raise.push({
        rule: 'reach.sources-disagree',
        key: family,
        message:
          c.kind === 'disagreement'
            ? `No address was published: the sources disagree (${answersText(c)}).`
            : `The majority agreed on ${c.address}, but some sources answered otherwise (${answersText(c)}).`,
        details: { family, answers: answersText(c) },
      });
    } else if (
      c.kind === 'accepted' ||
      (c.answers.length === 0 && report.facts[family].localAddresses.length === 0)
    ) {
      // Agreement ends a disagreement; so does a family the box has no address of any more and nobody answered
      // for (the box lost its IPv6). Sources that merely failed this time end nothing.
      clear.push({ rule: 'reach.sources-disagree', key: family });
    }
  }

  const conditions = planVerdictAlerts(report.verdict);
  raise.push(...conditions.raise);
  clear.push(...conditions.clear);
  return { current, history, raise, clear };
}

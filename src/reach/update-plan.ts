/** @module What a new probe report changes: accepted addresses, history entries and alerts to raise or clear. Pure. */
import type { AddressChange, State } from '../store/schema.js';
import type { ReachabilityRuleId } from './alert-rules.js';
import type { AlertInput } from './alerts-port.js';
import type { Consensus } from './consensus.js';
import type { ReachabilityReport } from './probe.js';
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
 * An address is only ever replaced by another accepted address: a probe where the sources cannot agree keeps
 * the last known one (never "no address" because a source failed).
 */
export function planReachabilityUpdate(
  previous: State['reachability'],
  report: ReachabilityReport,
  now: Date,
): UpdatePlan {
  const history: AddressChange[] = [];
  const raise: AlertInput[] = [];
  const clear: { rule: ReachabilityRuleId; key: string }[] = [];
  const current = { ...previous.current };

  for (const family of ['ipv4', 'ipv6'] as const satisfies readonly Family[]) {
    const c = report.consensus[family];
    if (c.kind === 'accepted' && c.address !== previous.current[family]) {
      const before = previous.current[family];
      current[family] = c.address;
      history.push({
        at: now.toISOString(),
        family,
        address: c.address,
        previous: before,
        sources: [...c.sources],
      });
      if (before !== null) {
        // A new change replaces the previous change's alert (cleared first, so it is notified again).
        clear.push({ rule: 'reach.address-changed', key: family });
        raise.push({
          rule: 'reach.address-changed',
          key: family,
          message: `The public address changed from ${before} to ${c.address} (agreed by ${c.sources.join(', ')}).`,
          details: { family, previous: before, address: c.address },
        });
      }
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
    } else if (c.kind === 'accepted') {
      clear.push({ rule: 'reach.sources-disagree', key: family });
    }
  }

  const v = report.verdict;
  const remedy = v.remedies[0];
  for (const [rule, on] of [
    ['reach.cgnat', v.ipv4.kind === 'cgnat'],
    ['reach.double-nat', v.ipv4.kind === 'double-nat'],
    ['reach.udp-blocked', v.ipv4.udp === 'blocked'],
  ] as const) {
    // Only a decided verdict clears an alert; "unknown" or "offline" keep it as it is.
    if (on) {
      raise.push({
        rule,
        key: 'ipv4',
        message: `${v.headline} ${v.evidence.join('; ')}.`,
        ...(remedy === undefined ? {} : { remedy }),
        details: { inbound: v.inbound },
      });
    } else if (v.ipv4.kind !== 'unknown' && v.ipv4.kind !== 'offline') {
      clear.push({ rule, key: 'ipv4' });
    }
  }
  return { current, history, raise, clear };
}

/**
 * @module When a probe may stop waiting for an address: the quorum agrees and no source still pending could
 * change that. Pure.
 */
import { decideAddress, independenceGroup, type Consensus, type ConsensusPolicy } from './consensus.js';
import type { Family, SourceResult } from './types.js';

export type AcceptedConsensus = Extract<Consensus, { readonly kind: 'accepted' }>;

export type Settlement =
  /** `consensus` is what the answers so far decide; the answers still to come cannot change its address. */
  | { readonly kind: 'settled'; readonly consensus: AcceptedConsensus }
  /** Not yet: `reason` says what could still happen, for the log. */
  | { readonly kind: 'wait'; readonly reason: string };

/**
 * Whether `family`'s address is settled, given the answers so far and the ids of the sources still pending.
 *
 * Settled means: whatever the pending sources answer (nothing, the same address, another one, each a different
 * one), `decideAddress` over every answer accepts the same address as it does now. So the probe can publish
 * the address at once and let slow sources (router protocols that time out, a far echo) add evidence later;
 * a late source that disagrees becomes dissent of an address already accepted, never a different address.
 *
 * Contract for callers: `answered` is in the order the final report will list the results (the trusted source
 * that comes first there decides), and `pending` names every id a pending source may answer for (its
 * independence group is what can vote). A pending source that could be the trusted one is always waited for.
 */
export function planSettlement(
  family: Family,
  answered: readonly SourceResult[],
  pending: readonly string[],
  policy: ConsensusPolicy,
): Settlement {
  const now = decideAddress(family, answered, policy);
  if (now.kind !== 'accepted') return { kind: 'wait', reason: `no address agreed yet (${now.kind})` };

  // A trusted source decides alone: while one may still answer, any address it gives would win.
  const trusted = policy.trustedSource;
  const isTrusted = (id: string) => id === trusted || independenceGroup(id) === trusted;
  const trustedPending = pending.filter(isTrusted);
  if (trustedPending.length > 0) {
    return {
      kind: 'wait',
      reason: `the trusted source ${String(trusted)} has not answered yet (${trustedPending.join(', ')})`,
    };
  }
  // It answered (the address is its answer) and no other trusted source is pending: nothing can outrank it.
  if (now.sources.some(isTrusted)) return { kind: 'settled', consensus: now };

  // Votes are independence groups. Each pending group can add one vote to any one rival address: one already
  // answered (its voters plus every pending group) or a new one (the pending groups alone). The address stays
  // accepted only if it keeps more votes than the strongest rival they could make.
  const pendingGroups = new Set(pending.map(independenceGroup));
  const votes = (sources: readonly string[]) => new Set(sources.map(independenceGroup));
  const rivals = new Map<string, string[]>();
  for (const d of now.dissent) rivals.set(d.address, [...(rivals.get(d.address) ?? []), d.source]);
  const strongestRival = Math.max(
    pendingGroups.size,
    ...[...rivals.values()].map((sources) => new Set([...votes(sources), ...pendingGroups]).size),
  );
  if (votes(now.sources).size > strongestRival) return { kind: 'settled', consensus: now };
  return {
    kind: 'wait',
    reason: `${now.address} has ${votes(now.sources).size} votes; the pending sources (${pending.join(', ')}) could give another address ${strongestRival}`,
  };
}

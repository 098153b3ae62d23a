/** @module Quorum: which public address (if any) the sources agree on. Pure. */
import { checkBogon } from './addresses.js';
import type { Family, SourceResult } from './types.js';

export interface ConsensusPolicy {
  /** Independent sources that must agree. */
  readonly quorum: number;
  /** A source (id or group) whose non-bogon answer is enough on its own. */
  readonly trustedSource: string | null;
  /** Ranges that count as public despite the bogon list. */
  readonly publicRanges: readonly string[];
}

export interface Answer {
  readonly source: string;
  readonly address: string;
}

export type Consensus =
  | {
      readonly kind: 'accepted';
      readonly family: Family;
      readonly address: string;
      /** Sources that agreed on it. */
      readonly sources: readonly string[];
      /** Sources that answered something else: a disagreement worth an alert even though the majority won. */
      readonly dissent: readonly Answer[];
      readonly rejected: readonly {
        readonly source: string;
        readonly address: string;
        readonly reason: string;
      }[];
    }
  | {
      readonly kind: 'disagreement';
      readonly family: Family;
      /** Every source's answer, for the alert. */
      readonly answers: readonly Answer[];
      readonly rejected: readonly {
        readonly source: string;
        readonly address: string;
        readonly reason: string;
      }[];
    }
  | {
      readonly kind: 'insufficient';
      readonly family: Family;
      /** What the best-supported address had, and what was needed. */
      readonly agreeing: number;
      readonly needed: number;
      readonly answers: readonly Answer[];
      readonly unavailable: readonly { readonly source: string; readonly reason: string }[];
      readonly rejected: readonly {
        readonly source: string;
        readonly address: string;
        readonly reason: string;
      }[];
    };

/**
 * Sources that are not independent of each other vote once: UPnP, NAT-PMP and PCP all ask the same router;
 * every interface address comes from the same box.
 */
export function independenceGroup(source: string): string {
  if (/^(upnp|natpmp|pcp)(:|$)/.test(source)) return 'router';
  if (source.startsWith('interface')) return 'interface';
  return source;
}

export function decideAddress(
  family: Family,
  results: readonly SourceResult[],
  policy: ConsensusPolicy,
): Consensus {
  const answers: Answer[] = [];
  const rejected: { source: string; address: string; reason: string }[] = [];
  const unavailable: { source: string; reason: string }[] = [];
  // Answers that vouch for themselves (`detail.trusted`: a push from a client the owner marked trusted).
  const vouched = new Set<string>();
  for (const r of results) {
    if (r.family !== family) continue;
    if (r.kind === 'unavailable') {
      unavailable.push({ source: r.source, reason: r.reason });
      continue;
    }
    const bogon = checkBogon(r.address, policy.publicRanges);
    if (bogon.bogon) rejected.push({ source: r.source, address: r.address, reason: `${bogon.name} address` });
    else answers.push({ source: r.source, address: r.address });
    if (r.detail?.['trusted'] === true) vouched.add(r.source);
  }

  // A trusted source (by id, or by group: "router" is UPnP, NAT-PMP and PCP) decides alone when it answers; so
  // does an answer that vouches for itself.
  const trusted = policy.trustedSource;
  const t = answers.find(
    (a) => a.source === trusted || independenceGroup(a.source) === trusted || vouched.has(a.source),
  );
  if (t) {
    return {
      kind: 'accepted',
      family,
      address: t.address,
      sources: answers.filter((a) => a.address === t.address).map((a) => a.source),
      dissent: answers.filter((a) => a.address !== t.address),
      rejected,
    };
  }

  // Votes: distinct independence groups per address.
  const votes = new Map<string, Set<string>>();
  for (const a of answers) {
    const groups = votes.get(a.address) ?? new Set<string>();
    groups.add(independenceGroup(a.source));
    votes.set(a.address, groups);
  }
  const ranked = [...votes.entries()].sort((x, y) => y[1].size - x[1].size);
  const [top, runnerUp] = ranked;
  const topVotes = top?.[1].size ?? 0;
  if (top && topVotes >= policy.quorum && topVotes > (runnerUp?.[1].size ?? 0)) {
    return {
      kind: 'accepted',
      family,
      address: top[0],
      sources: answers.filter((a) => a.address === top[0]).map((a) => a.source),
      dissent: answers.filter((a) => a.address !== top[0]),
      rejected,
    };
  }
  if (ranked.length > 1) return { kind: 'disagreement', family, answers, rejected };
  return {
    kind: 'insufficient',
    family,
    agreeing: topVotes,
    needed: policy.quorum,
    answers,
    unavailable,
    rejected,
  };
}

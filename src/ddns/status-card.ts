/**
 * @module The DDNS dashboard card: does each hostname point at this box, and how fast did the last change reach
 * the authoritative servers ("home.example.com → 203.0.113.7, served 1.2 s after the change").
 */
import type { CardState, StatusCard, StatusCardProvider, StatusFact } from '../status/cards.js';
import type { DdnsState } from './slice.js';

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** One record's line and how it stands. Pure. */
export function recordFact(
  ddns: DdnsState,
  recordId: string,
): { fact: StatusFact; state: CardState } | undefined {
  const record = ddns.records.find((r) => r.id === recordId);
  if (!record) return undefined;
  const label = `${record.hostname} ${record.type}`;
  const s = ddns.states.find((x) => x.recordId === recordId);
  const account = ddns.accounts.find((a) => a.id === record.accountId);
  if (!record.enabled) return { fact: { label, value: 'turned off' }, state: 'ok' };
  if (account?.stopped)
    return {
      fact: { label, value: `not updated: ${account.name} refused Gatehouse`, at: account.stopped.at },
      state: 'error',
    };
  if (s?.stopped)
    return { fact: { label, value: `not updated: ${s.stopped.message}`, at: s.stopped.at }, state: 'error' };
  if (s?.pending)
    return {
      fact: {
        label,
        value: `→ ${s.pending.value} pending (${s.pending.attempts} failed ${s.pending.attempts === 1 ? 'try' : 'tries'}; ${s.lastAttempt?.message ?? ''})`,
        at: s.pending.since,
      },
      state: 'warning',
    };
  if (!s || s.applied === null) return { fact: { label, value: 'not set yet' }, state: 'unknown' };
  if (s.desired !== null && s.desired !== s.applied)
    return { fact: { label, value: `${s.applied}, to become ${s.desired}` }, state: 'warning' };
  if (s.verifiedAt === null)
    return {
      fact: { label, value: `→ ${s.applied}, not yet served by the authoritative servers` },
      state: 'warning',
    };
  return {
    fact: {
      label,
      value:
        s.propagationMs === null
          ? `→ ${s.applied}, served by the authoritative servers`
          : `→ ${s.applied}, served by the authoritative servers ${seconds(s.propagationMs)} after the change`,
      at: s.appliedAt ?? s.verifiedAt,
    },
    state: 'ok',
  };
}

const rank: Record<CardState, number> = { error: 3, warning: 2, unknown: 1, ok: 0 };

export function ddnsCard(ddns: () => DdnsState, enabled: boolean): StatusCardProvider {
  return {
    id: 'ddns',
    card: (): StatusCard => {
      const state = ddns();
      if (state.records.length === 0)
        return {
          id: 'ddns',
          title: 'DDNS',
          state: 'unknown',
          summary: 'No hostname follows this box yet: add a DNS provider and a record on the DDNS page.',
          facts: [],
        };
      const lines = state.records.flatMap((r) => recordFact(state, r.id) ?? []);
      const worst = lines.reduce<CardState>((w, l) => (rank[l.state] > rank[w] ? l.state : w), 'ok');
      const problem = lines.find((l) => l.state === worst && worst !== 'ok');
      return {
        id: 'ddns',
        title: 'DDNS',
        state: enabled ? worst : 'unknown',
        summary: !enabled
          ? 'DDNS updates are turned off (ddns.enabled): records are kept but not updated.'
          : problem
            ? `${problem.fact.label}: ${problem.fact.value}`
            : `${lines.length === 1 ? 'The hostname points' : `All ${lines.length} records point`} at this box.`,
        facts: lines.map((l) => l.fact),
      };
    },
  };
}

/**
 * @module The DDNS dashboard card: does each hostname point at this box, and how fast did the last change reach
 * the authoritative servers ("home.example.com → 203.0.113.7, served 1.2 s after the change"). Its problem state
 * and words are the active DDNS conditions (conditions.ts), nothing else: a card that says "problem" has that
 * alert on the Alerts page, in the alert's title and remedy; one that says nothing is wrong has none.
 */
import type { CardState, StatusCard, StatusCardProvider, StatusFact } from '../status/cards.js';
import type { Store } from '../store/store.js';
import { activeDdnsConditions } from './conditions.js';
import type { DdnsRecord, DdnsState } from './slice.js';

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** One record's line and how it stands. Pure. */
export function recordFact(ddns: DdnsState, record: DdnsRecord): { fact: StatusFact; state: CardState } {
  const label = `${record.hostname} ${record.type}`;
  const s = ddns.states.find((x) => x.recordId === record.id);
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

export function ddnsCard(store: Store, enabled: boolean): StatusCardProvider {
  return {
    id: 'ddns',
    card: (): StatusCard => {
      const state = store.read().ddns;
      if (state.records.length === 0)
        return {
          id: 'ddns',
          title: 'DDNS',
          state: 'unknown',
          summary: 'No hostname follows this box yet: add a DNS provider and a record on the DDNS page.',
          facts: [],
        };
      const lines = state.records.map((r) => recordFact(state, r));
      const facts = lines.map((l) => l.fact);
      if (!enabled)
        return {
          id: 'ddns',
          title: 'DDNS',
          state: 'unknown',
          summary: 'DDNS updates are turned off (ddns.enabled): records are kept but not updated.',
          facts,
        };
      const problems = activeDdnsConditions(store);
      const problem = problems[0];
      if (problem)
        return {
          id: 'ddns',
          title: 'DDNS',
          state: problems.some((p) => p.severity === 'critical') ? 'error' : 'warning',
          summary: `${problem.title}. ${problem.remedy}`,
          facts,
        };
      // No condition: every record points at the box, or one is not known yet (no value, not set, on its way).
      const open = lines.find((l) => l.state !== 'ok');
      return {
        id: 'ddns',
        title: 'DDNS',
        state: open ? 'unknown' : 'ok',
        summary: open
          ? `${open.fact.label}: ${open.fact.value}`
          : `${lines.length === 1 ? 'The hostname points' : `All ${lines.length} records point`} at this box.`,
        facts,
      };
    },
  };
}

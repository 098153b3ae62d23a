/**
 * @module The DDNS conditions — a stopped account, a stopped record, a failing update — derived from the DDNS state
 * alone, and the sync that makes the active alerts match them. The engine does not raise or clear these itself: it
 * records what happened in the state and asks for a sync; so an alert is active exactly while its condition holds
 * (told once, cleared once, never "cleared" while the problem goes on), and the dashboard card, which shows the
 * active alerts, can never disagree with them.
 */
import type { AlertInput } from '../alerts/rules.js';
import type { AlertSink } from '../alerts/service.js';
import type { Store } from '../store/store.js';
import { ddnsRules } from './alert-rules.js';
import type { DdnsState } from './slice.js';

/** The DDNS rules that are conditions (true while the state says so), as opposed to events (a drift seen). */
export const ddnsConditionRules = (Object.keys(ddnsRules) as (keyof typeof ddnsRules)[]).filter(
  (rule) => ddnsRules[rule].kind === 'condition',
);
export type DdnsConditionRule = (typeof ddnsConditionRules)[number];

export const isDdnsCondition = (rule: string): rule is DdnsConditionRule =>
  (ddnsConditionRules as readonly string[]).includes(rule);

export interface ConditionKey {
  readonly rule: string;
  readonly key: string;
}

export interface ConditionPlan {
  /** Every condition that holds (raising an active one again only refreshes it: no second notice). */
  readonly raise: readonly (AlertInput & { readonly rule: DdnsConditionRule })[];
  /** Active ones that no longer hold. */
  readonly clear: readonly ConditionKey[];
}

/**
 * What should be active, from the state: each stopped account (its records are covered by it); each enabled record
 * of a working account that is stopped, that waits to retry a failed update, or whose update the provider accepted
 * but the authoritative servers did not serve in time. `active` are the DDNS conditions active now. Pure.
 */
export function planDdnsConditions(
  ddns: DdnsState,
  active: readonly ConditionKey[],
  verifySeconds: number,
): ConditionPlan {
  const raise: (AlertInput & { rule: DdnsConditionRule })[] = [];
  for (const a of ddns.accounts) {
    if (!a.stopped) continue;
    const code = a.stopped.code ?? 'refused';
    raise.push({
      rule: 'ddns.account-stopped',
      key: a.id,
      message: `${a.name} refused Gatehouse (${code}): ${a.stopped.message}. Nothing more is sent to it until its settings or credentials change.`,
      details: { account: a.name, code },
    });
  }
  for (const r of ddns.records) {
    const account = ddns.accounts.find((a) => a.id === r.accountId);
    const s = ddns.states.find((x) => x.recordId === r.id);
    if (!r.enabled || !account || account.stopped || !s) continue;
    const name = `${r.hostname} ${r.type}`;
    const details = { hostname: r.hostname, type: r.type };
    if (s.stopped) {
      raise.push({
        rule: 'ddns.record-stopped',
        key: r.id,
        message: `${account.name} refused ${name}: ${s.stopped.message}`,
        details,
      });
    } else if (s.pending) {
      raise.push({
        rule: 'ddns.update-failing',
        key: r.id,
        message: `${name} could not be set to ${s.pending.value}: ${s.lastAttempt?.message ?? 'the update failed'} (trying again)`,
        details: { ...details, value: s.pending.value },
      });
    } else if (s.applied !== null && s.verifiedAt === null && s.lastAttempt?.ok === true) {
      raise.push({
        rule: 'ddns.update-failing',
        key: r.id,
        message: `${account.name} accepted ${name} ${s.applied}, but its authoritative servers did not serve it within ${verifySeconds} s.`,
        details: { ...details, value: s.applied },
      });
    }
  }
  const holds = new Set(raise.map((c) => `${c.rule}\n${c.key}`));
  const clear = active.filter((c) => isDdnsCondition(c.rule) && !holds.has(`${c.rule}\n${c.key}`));
  return { raise, clear };
}

/** The active DDNS conditions in the store's alerts, the most severe first (then the oldest). */
export function activeDdnsConditions(store: Store) {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return store
    .read()
    .alerts.items.filter((a) => a.clearedAt === null && isDdnsCondition(a.rule))
    .sort((a, b) => rank[a.severity] - rank[b.severity] || a.raisedAt.localeCompare(b.raisedAt));
}

export interface ConditionSync {
  /** Raises what holds and clears what no longer does; syncs run one at a time, in the order asked. */
  sync(): Promise<void>;
  /** Clears every active DDNS condition (DDNS turned off: nothing will keep them true or end them). */
  clearAll(): Promise<void>;
}

export function createConditionSync(deps: {
  readonly store: Store;
  readonly alerts: AlertSink;
  readonly verifySeconds: number;
  /** The active DDNS conditions (default: the store's alerts; tests with a recording sink give their own). */
  readonly active?: () => readonly ConditionKey[];
}): ConditionSync {
  const active = deps.active ?? (() => activeDdnsConditions(deps.store));
  let chain: Promise<void> = Promise.resolve();
  const serially = (work: () => Promise<void>): Promise<void> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    sync: () =>
      serially(async () => {
        const plan = planDdnsConditions(deps.store.read().ddns, active(), deps.verifySeconds);
        for (const c of plan.clear) await deps.alerts.clear(c.rule, c.key);
        for (const a of plan.raise) await deps.alerts.raise(a);
      }),
    clearAll: () =>
      serially(async () => {
        for (const c of active()) await deps.alerts.clear(c.rule, c.key);
      }),
  };
}

/**
 * @module The DDNS engine, the executor of plan.ts: on an accepted address (and on a timer, for retries and drift)
 * it plans every record, sends the updates through the provider accounts, then asks the zone's authoritative
 * servers until they serve the new value and records how long that took. State and pending updates live in the
 * store, so a restart or a provider outage finishes them later. One run at a time.
 */
import type { AlertSink } from '../alerts/service.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/log.js';
import type { Outcome } from '../core/outcome.js';
import type { Secrets } from '../core/secrets.js';
import type { Store } from '../store/store.js';
import type { ConditionSync } from './conditions.js';
import {
  canonical,
  desiredValue,
  nextAttemptAt,
  planRecord,
  stopsAccount,
  type AddressInputs,
  type RecordAction,
} from './plan.js';
import type { DnsProvider, ProviderDeps, ProviderFailure, RecordRef } from './provider.js';
import type { ProviderDescriptor } from './providers/descriptor.js';
import { keepRecentSends, rateLimitedUntil, rateWindowsOf, type RateWindow } from './rate-limits.js';
import type { DdnsAccount, DdnsRecord, DdnsRecordState } from './slice.js';

declare module '../core/events.js' {
  interface GatehouseEvents {
    /** A record was changed at its provider (and, when `propagationMs` is set, seen served by every authoritative server). */
    'ddns.applied': {
      readonly hostname: string;
      readonly type: 'A' | 'AAAA';
      readonly value: string;
      readonly previous: string | null;
      readonly propagationMs: number | null;
    };
  }
}

/** What one authoritative server answered for a name and type: its values, or why it did not answer. */
export interface ServerAnswer {
  readonly server: string;
  readonly values: readonly string[] | null;
  readonly error?: string;
}

/**
 * Port: asks each authoritative server of the record's zone directly (no resolver cache between) what it serves.
 * Fails (a reason) when the servers cannot be found at all.
 */
export type ServedLookup = (
  ref: Pick<RecordRef, 'zone' | 'name' | 'type'>,
) => Promise<Outcome<readonly ServerAnswer[], string>>;

/** The values every answering server agrees on, or undefined when none answered or they disagree. */
export function agreedValues(answers: readonly ServerAnswer[]): string[] | undefined {
  const answered = answers.flatMap((a) =>
    a.values === null ? [] : [a.values.map(canonical).sort().join(',')],
  );
  const first = answered[0];
  if (first === undefined || answered.some((a) => a !== first)) return undefined;
  return first === '' ? [] : first.split(',');
}

/** Whether every server answered and serves exactly `value`. */
export function allServe(answers: readonly ServerAnswer[], value: string): boolean {
  return (
    answers.length > 0 &&
    answers.every((a) => a.values?.length === 1 && canonical(a.values[0] ?? '') === value)
  );
}

export interface DdnsEngineDeps {
  readonly store: Store;
  readonly secrets: Secrets;
  /** The provider adapters by kind. */
  readonly providers: ReadonlyMap<string, ProviderDescriptor>;
  readonly providerDeps: ProviderDeps;
  readonly served: ServedLookup;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Only for the drift event: the conditions (failing, stopped) follow the state through `conditions`. */
  readonly alerts: AlertSink;
  /** Makes the active DDNS conditions match the state; asked after every run. */
  readonly conditions: ConditionSync;
  readonly bus: EventBus;
  /** Reachability's public ranges (documentation ranges in tests). */
  readonly publicRanges: readonly string[];
  /** How long to ask the authoritative servers after a change before calling it unverified (default 120 s). */
  readonly verifyTimeoutMs?: number;
  /** How often to look again without an event: due retries and drift (default 5 min). */
  readonly recheckMs?: number;
  readonly random?: () => number;
  /** Update budgets by provider kind (default: rate-limits.ts); a kind missing gets Gatehouse's own pace. */
  readonly rateLimits?: ReadonlyMap<string, readonly RateWindow[]>;
}

/** One record's outcome in a run. */
export interface RecordRun {
  readonly recordId: string;
  readonly hostname: string;
  readonly type: 'A' | 'AAAA';
  readonly action: RecordAction;
  /** What the authoritative servers answered before (undefined: could not be found out). */
  readonly served: readonly string[] | undefined;
  readonly result?: 'updated' | 'unchanged' | 'failed';
  readonly message?: string;
  readonly propagationMs?: number | null;
}

/** The schedule of authoritative lookups after a change: quick at first, then every 2 s. */
export function verifyDelays(timeoutMs: number): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let d = 100; total + d <= timeoutMs; d = Math.min(d * 2, 2_000)) {
    delays.push(d);
    total += d;
  }
  return delays;
}

export class DdnsEngine {
  private running: Promise<RecordRun[]> | null = null;
  private again = false;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  /** Ends the recheck loop's current sleep, so it plans the next one from the new state. */
  private wake: AbortController | undefined;
  private unsubscribe: (() => void) | undefined;
  /** When updates went to each account (ms), for its rate limit; kept in memory, the longest window back. */
  private readonly sent = new Map<string, number[]>();

  constructor(private readonly deps: DdnsEngineDeps) {}

  start(): void {
    this.unsubscribe = this.deps.bus.subscribe('reach.address-accepted', () => {
      void this.reconcile('address accepted');
    });
    this.loop = this.recheckLoop();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.abort.abort(new Error('stopping'));
    await this.loop?.catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** What a run would do now, without sending anything (the CLI's `ddns plan`). */
  async plan(): Promise<RecordRun[]> {
    const doc = this.deps.store.read();
    const rows: RecordRun[] = [];
    for (const record of doc.ddns.records) {
      const { action, served } = await this.decide(record);
      rows.push({ recordId: record.id, hostname: record.hostname, type: record.type, action, served });
    }
    return rows;
  }

  /**
   * Plans and applies every record. A call while a run is in progress is answered by one more run after it (an
   * address accepted meanwhile is not missed).
   */
  reconcile(reason: string): Promise<RecordRun[]> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.deps.logger.debug({ reason }, 'ddns: reconciling');
    const run = this.runAll().finally(() => {
      this.running = null;
      this.wake?.abort();
      if (this.again && !this.abort.signal.aborted) {
        this.again = false;
        void this.reconcile('again');
      }
    });
    this.running = run;
    return run;
  }

  /**
   * Looks again every `recheckMs`, and sooner when a pending retry or an account's wait ends before that — so the
   * backoff's 5 s is 5 s, not the next tick. A run (by an event too) wakes the loop to plan its sleep anew.
   */
  private async recheckLoop(): Promise<void> {
    for (;;) {
      const wake = new AbortController();
      this.wake = wake;
      try {
        await this.deps.clock.sleep(this.nextWait(), AbortSignal.any([this.abort.signal, wake.signal]));
      } catch {
        if (this.abort.signal.aborted) return;
        continue;
      }
      await this.reconcile('recheck').catch((e: unknown) => {
        this.deps.logger.error({ err: (e as Error).message }, 'ddns: run failed');
      });
    }
  }

  /** Until the next look: the recheck period, or the earliest retry or account wait that ends sooner. */
  nextWait(): number {
    const every = this.deps.recheckMs ?? 5 * 60_000;
    const now = this.deps.clock.now().getTime();
    const { states, accounts } = this.deps.store.read().ddns;
    const due = [
      ...states.flatMap((s) => (s.pending && s.stopped === null ? [s.pending.nextAttemptAt] : [])),
      ...accounts.flatMap((a) => (a.notBefore !== null && a.stopped === null ? [a.notBefore] : [])),
      ...accounts.flatMap((a) => {
        const until = this.budgetUntil(a, now);
        return until === undefined ? [] : [new Date(until).toISOString()];
      }),
    ]
      .map((t) => Date.parse(t) - now)
      // A time already past is not a reason to hurry (its record is held for another reason): no busy loop.
      .filter((ms) => ms > 0);
    return Math.min(every, ...due);
  }

  /** When the account's update budget frees up (undefined: an update may go now). */
  private budgetUntil(account: DdnsAccount, nowMs: number): number | undefined {
    const windows = rateWindowsOf(account.kind, this.deps.rateLimits);
    return rateLimitedUntil(windows, this.sent.get(account.id) ?? [], nowMs);
  }

  /** Counts one update sent to the account now. */
  private countSend(account: DdnsAccount): void {
    const now = this.deps.clock.now().getTime();
    const windows = rateWindowsOf(account.kind, this.deps.rateLimits);
    this.sent.set(account.id, [...keepRecentSends(windows, this.sent.get(account.id) ?? [], now), now]);
  }

  private inputs(): AddressInputs {
    const current = this.deps.store.read().reachability.current;
    return { ipv4: current.ipv4, ipv6: current.ipv6, publicRanges: this.deps.publicRanges };
  }

  private async decide(
    record: DdnsRecord,
  ): Promise<{ action: RecordAction; served: readonly string[] | undefined }> {
    const doc = this.deps.store.read();
    const account = doc.ddns.accounts.find((a) => a.id === record.accountId);
    const state = doc.ddns.states.find((s) => s.recordId === record.id);
    const desired = desiredValue(record.value, record.type, this.inputs());
    // Asking the servers costs nothing at the provider; a record held for a person is not looked up.
    const held = planRecord({
      record,
      account,
      state,
      desired,
      served: undefined,
      now: this.deps.clock.now(),
    });
    if (held.kind === 'hold') return { action: held, served: undefined };
    const answers = await this.deps.served({ zone: record.zone, name: record.hostname, type: record.type });
    const served = answers.ok ? agreedValues(answers.value) : undefined;
    const now = this.deps.clock.now();
    const budget = account ? this.budgetUntil(account, now.getTime()) : undefined;
    const action = planRecord({
      record,
      account,
      state,
      desired,
      served,
      now,
      ...(budget === undefined ? {} : { rateLimitedUntil: new Date(budget) }),
    });
    return { action, served };
  }

  private async runAll(): Promise<RecordRun[]> {
    const runs: RecordRun[] = [];
    for (const record of this.deps.store.read().ddns.records) {
      if (this.abort.signal.aborted) break;
      runs.push(await this.runOne(record));
    }
    await this.deps.conditions.sync();
    return runs;
  }

  private async runOne(record: DdnsRecord): Promise<RecordRun> {
    const { action, served } = await this.decide(record);
    const base = { recordId: record.id, hostname: record.hostname, type: record.type, action, served };
    await this.patchState(record.id, (s) => ({
      ...s,
      desired: action.kind === 'hold' ? s.desired : action.value,
    }));
    if (action.kind === 'in-sync') {
      await this.patchState(record.id, (s) =>
        s.applied === action.value && s.verifiedAt !== null && s.pending === null && s.drift === null
          ? s
          : {
              ...s,
              applied: action.value,
              verifiedAt: s.verifiedAt ?? this.deps.clock.now().toISOString(),
              pending: null,
            },
      );
      return base;
    }
    if (action.kind !== 'update') return base;
    if (action.drift) {
      const at = this.deps.clock.now().toISOString();
      await this.patchState(record.id, (s) => ({ ...s, drift: { at, served: action.previous ?? '(none)' } }));
    }
    const applied = await this.apply(record, action.value, action.previous);
    if (action.drift) {
      // Told after the repair, so the words say what happened to it.
      const repair =
        applied.result === 'failed'
          ? `Setting it back failed (${applied.message ?? 'no reason given'}); Gatehouse tries again.`
          : 'It is set back.';
      await this.deps.alerts.raise({
        rule: 'ddns.record-drifted',
        key: record.id,
        message: `${record.hostname} ${record.type} was ${action.previous ?? 'removed'} at its servers, not ${action.value} as Gatehouse set it: someone changed it outside Gatehouse. ${repair}`,
        details: {
          hostname: record.hostname,
          type: record.type,
          served: action.previous,
          value: action.value,
        },
      });
    }
    return { ...base, ...applied };
  }

  private async provider(account: DdnsAccount): Promise<Outcome<DnsProvider, ProviderFailure>> {
    const descriptor = this.deps.providers.get(account.kind);
    if (!descriptor)
      return { ok: false, error: { kind: 'config', message: `unknown provider kind "${account.kind}"` } };
    const settings = descriptor.settings.safeParse(account.settings);
    if (!settings.success)
      return {
        ok: false,
        error: { kind: 'config', message: `the account's settings are not valid: ${settings.error.message}` },
      };
    const secretValues: Record<string, string> = {};
    for (const field of descriptor.fields.filter((f) => f.secret)) {
      const got = await this.deps.secrets.get(secretName(account.id, field.name));
      if (!got.ok) return { ok: false, error: { kind: 'config', message: got.error.message } };
      if (got.value !== undefined) secretValues[field.name] = got.value;
    }
    const secrets = descriptor.secrets.safeParse(secretValues);
    if (!secrets.success)
      return {
        ok: false,
        error: { kind: 'auth', message: `the account's credentials are missing or incomplete` },
      };
    return { ok: true, value: descriptor.create(settings.data, secrets.data, this.deps.providerDeps) };
  }

  private async apply(
    record: DdnsRecord,
    value: string,
    previous: string | null,
  ): Promise<Pick<RecordRun, 'result' | 'message' | 'propagationMs'>> {
    const account = this.deps.store.read().ddns.accounts.find((a) => a.id === record.accountId);
    if (!account) return { result: 'failed', message: 'the account no longer exists' };
    const client = await this.provider(account);
    const ref: RecordRef = { zone: record.zone, name: record.hostname, type: record.type };
    const started = this.deps.clock.now();
    if (client.ok) this.countSend(account);
    const result = client.ok ? await this.send(client.value, record, ref, value) : client;
    if (!result.ok) return this.failed(record, account, value, previous, result.error);
    const confirmed = this.deps.clock.now();
    const propagationMs = await this.verify(record, value, confirmed);
    const message =
      (result.value.changed
        ? `${record.hostname} ${record.type} set to ${value} at ${account.name}`
        : `${record.hostname} ${record.type} already ${value} at ${account.name}`) +
      (result.value.detail === undefined ? '' : ` (${result.value.detail})`);
    await this.deps.store.update((draft, tx) => {
      const s = stateOf(draft.ddns.states, record.id);
      Object.assign(s, {
        applied: value,
        appliedAt: confirmed.toISOString(),
        verifiedAt:
          propagationMs === null ? null : new Date(confirmed.getTime() + propagationMs).toISOString(),
        propagationMs,
        pending: null,
        drift: null,
        lastAttempt: { at: started.toISOString(), ok: true, kind: null, code: null, message },
      });
      tx.append('ddns.history', {
        at: confirmed.toISOString(),
        recordId: record.id,
        hostname: record.hostname,
        type: record.type,
        value,
        previous,
        ok: true,
        message,
        propagationMs,
      });
    });
    this.deps.logger.info(
      { hostname: record.hostname, type: record.type, value, previous, propagationMs },
      'ddns: record updated',
    );
    this.deps.bus.publish('ddns.applied', {
      hostname: record.hostname,
      type: record.type,
      value,
      previous,
      propagationMs,
    });
    return { result: result.value.changed ? 'updated' : 'unchanged', message, propagationMs };
  }

  /**
   * One update at the provider. A provider that sets both families at once (dyndns2) gets the other family's
   * value too: the desired value of the same hostname's other record on the same account, when it has one.
   */
  private send(client: DnsProvider, record: DdnsRecord, ref: RecordRef, value: string) {
    if (!client.setAddresses) return client.set(ref, [value], record.ttl);
    const other = this.deps.store
      .read()
      .ddns.records.find(
        (r) =>
          r.hostname === record.hostname &&
          r.accountId === record.accountId &&
          r.type !== record.type &&
          r.enabled,
      );
    const otherDesired = other ? desiredValue(other.value, other.type, this.inputs()) : undefined;
    const otherValue = otherDesired?.kind === 'value' ? otherDesired.value : undefined;
    const v4 = record.type === 'A' ? value : otherValue;
    const v6 = record.type === 'AAAA' ? value : otherValue;
    return client.setAddresses(record.hostname, {
      ...(v4 === undefined ? {} : { ipv4: v4 }),
      ...(v6 === undefined ? {} : { ipv6: v6 }),
    });
  }

  /** Asks the authoritative servers until all serve `value`: the time from `since`, or null when they did not. */
  private async verify(record: DdnsRecord, value: string, since: Date): Promise<number | null> {
    for (const delay of [0, ...verifyDelays(this.deps.verifyTimeoutMs ?? 120_000)]) {
      if (delay > 0) {
        try {
          await this.deps.clock.sleep(delay, this.abort.signal);
        } catch {
          return null;
        }
      }
      const answers = await this.deps.served({ zone: record.zone, name: record.hostname, type: record.type });
      if (answers.ok && allServe(answers.value, value))
        return this.deps.clock.now().getTime() - since.getTime();
    }
    return null;
  }

  private async failed(
    record: DdnsRecord,
    account: DdnsAccount,
    value: string,
    previous: string | null,
    failure: ProviderFailure,
  ): Promise<Pick<RecordRun, 'result' | 'message'>> {
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const random = (this.deps.random ?? Math.random)();
    let attempts = 0;
    await this.deps.store.update((draft, tx) => {
      const s = stateOf(draft.ddns.states, record.id);
      attempts = (s.pending?.value === value ? s.pending.attempts : 0) + 1;
      s.lastAttempt = {
        at,
        ok: false,
        kind: failure.kind,
        code: failure.code ?? null,
        message: failure.message,
      };
      s.pending = {
        value,
        since: s.pending?.value === value ? s.pending.since : at,
        attempts,
        nextAttemptAt: nextAttemptAt(attempts, failure, now, random).toISOString(),
      };
      if (failure.kind === 'config') s.stopped = { at, message: failure.message };
      const acc = draft.ddns.accounts.find((a) => a.id === account.id);
      if (acc && stopsAccount(failure))
        acc.stopped = { at, code: failure.code ?? null, message: failure.message };
      if (acc && failure.retryAfterMs !== undefined)
        acc.notBefore = new Date(now.getTime() + failure.retryAfterMs).toISOString();
      tx.append('ddns.history', {
        at,
        recordId: record.id,
        hostname: record.hostname,
        type: record.type,
        value,
        previous,
        ok: false,
        message: failure.message,
        propagationMs: null,
      });
    });
    this.deps.logger.warn(
      {
        hostname: record.hostname,
        type: record.type,
        value,
        kind: failure.kind,
        code: failure.code,
        attempts,
      },
      `ddns: update failed: ${failure.message}`,
    );
    return { result: 'failed', message: failure.message };
  }

  private patchState(recordId: string, change: (s: DdnsRecordState) => DdnsRecordState): Promise<void> {
    return this.deps.store.update((draft) => {
      const s = stateOf(draft.ddns.states, recordId);
      Object.assign(s, change({ ...s }));
    });
  }
}

/** The secret holding one credential field of an account. */
export function secretName(accountId: string, field: string): string {
  return `ddns/${accountId}.${field.toLowerCase()}`;
}

/** The record's state in the draft, created empty when it has none yet. */
function stateOf(states: DdnsRecordState[], recordId: string): DdnsRecordState {
  let s = states.find((x) => x.recordId === recordId);
  if (!s) {
    s = {
      recordId,
      desired: null,
      applied: null,
      appliedAt: null,
      verifiedAt: null,
      propagationMs: null,
      pending: null,
      stopped: null,
      drift: null,
      lastAttempt: null,
    };
    states.push(s);
  }
  return s;
}

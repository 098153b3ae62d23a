/**
 * @module AlertService: the executor around the rules engine. It applies a rule step to the store, then delivers
 * the planned notifications through the notifiers (each with a time limit, all channels at once) and records
 * every attempt. Delivery problems are logged and recorded, never thrown: raising an alert cannot break the
 * loop that raised it, and a failing channel raises no alert of its own (no recursion).
 */
import { randomUUID } from 'node:crypto';
import { appendAudit } from '../audit/record.js';
import type { Clock } from '../core/clock.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Alert, AlertsState, Channel, Delivery } from '../store/schema.js';
import type { Store } from '../store/store.js';
import {
  alertsFailure,
  applyChannelPatch,
  maxChannels,
  type AlertsFailure,
  type ChannelPatch,
  type NewChannel,
} from './channels.js';
import type { RuleRegistry } from './catalogue.js';
import type { Notification, NotifiedAlert, NotifierFactory } from './notifiers/notifier.js';
import { testAlert } from './notifiers/notifier.js';
import {
  acknowledgeAlert,
  clearAlert,
  planPending,
  raiseAlert,
  unmarkFailedDeliveries,
  type AlertInput,
  type PlannedNotification,
  type RateLimits,
  type RuleContext,
  type RuleResult,
  type Suppression,
} from './rules.js';

export interface AlertServiceDeps {
  readonly store: Store;
  /** The rules of every capability: where each alert's severity, title and remedy come from. */
  readonly rules: RuleRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly notifiers: NotifierFactory;
  /** Per delivery attempt; a receiver that takes longer is recorded as failed. Default 10 s. */
  readonly deliveryTimeoutMs?: number;
  readonly limits?: RateLimits;
  readonly newId?: () => string;
}

/** Who did it, for the audit log. */
export interface AlertsActor {
  readonly actor: string;
  readonly clientAddress: string;
}

export interface DeliveryView extends Delivery {
  readonly alertTitle: string | null;
  readonly channelName: string | null;
}

/** What one raise / clear / deliverPending did. */
export interface AlertReport {
  readonly alert: Alert | undefined;
  readonly change: RuleResult['change'];
  /** Every delivery attempted, in the order planned; `ok: false` ones carry the error. */
  readonly deliveries: readonly Delivery[];
  readonly suppressed: readonly Suppression[];
  /** Set when the alert could not even be stored (the store failed); nothing was sent then. */
  readonly error?: string;
}

/**
 * What capabilities depend on: they raise and clear, nothing else, and need no report back (delivery is this
 * service's business). Each capability declares such a port itself; `alertSink(service)` fits them all.
 */
export interface AlertSink {
  raise(input: AlertInput): Promise<void>;
  clear(rule: AlertInput['rule'], key: string): Promise<void>;
}

export function alertSink(service: AlertService): AlertSink {
  return {
    raise: async (input) => {
      await service.raise(input);
    },
    clear: async (rule, key) => {
      await service.clear(rule, key);
    },
  };
}

/** The cleared alerts GET /alerts shows besides the active ones. */
const recentClearedLimit = 50;

export class AlertService {
  private readonly newId: () => string;
  private readonly timeoutMs: number;

  constructor(private readonly deps: AlertServiceDeps) {
    this.newId = deps.newId ?? randomUUID;
    this.timeoutMs = deps.deliveryTimeoutMs ?? 10_000;
  }

  /** Raises an alert (or notes that an active one is still true) and delivers what the rules allow. Never rejects. */
  raise(input: AlertInput): Promise<AlertReport> {
    if (!this.deps.rules.get(input.rule)) {
      // A capability raising a rule it never registered is a wiring mistake; the alert still shows.
      this.deps.logger.error({ rule: input.rule }, 'alert raised for a rule no capability registered');
    }
    return this.step(`raise ${input.rule}`, (state, ctx) => raiseAlert(state, input, ctx));
  }

  /** Ends the active alert of (rule, key), if any. Never rejects. */
  clear(rule: AlertInput['rule'], key: string): Promise<AlertReport> {
    return this.step(`clear ${rule}`, (state, ctx) => clearAlert(state, rule, key, ctx));
  }

  /** Delivers to channels that are still waiting once the rate limits allow; call it now and then. Never rejects. */
  deliverPending(): Promise<AlertReport> {
    return this.step('deliver pending', (state, ctx) => planPending(state, ctx));
  }

  /**
   * Calls deliverPending every `everyMs` until `signal` aborts, so alerts held back by a rate limit (or raised
   * before a channel existed) go out even when their raiser has gone quiet. Never rejects.
   */
  async runPendingLoop(signal: AbortSignal, everyMs = 60_000): Promise<void> {
    // A clock's sleep may resolve instead of rejecting on abort, so look again after each one.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      try {
        await this.deps.clock.sleep(everyMs, signal);
      } catch {
        return;
      }
      if (stopped()) return;
      await this.deliverPending();
    }
  }

  async acknowledge(id: string, by: AlertsActor): Promise<Outcome<Alert, AlertsFailure>> {
    const now = this.deps.clock.now();
    const alert = await this.deps.store.update((draft, tx) => {
      const result = acknowledgeAlert(draft.alerts, id, now, this.deps.rules);
      draft.alerts = result.state;
      if (result.change === 'acknowledged' && result.alert) {
        appendAudit(tx, now, {
          type: 'alerts.acknowledged',
          actor: by.actor,
          clientAddress: by.clientAddress,
          outcome: 'success',
          details: { alert: result.alert.id, rule: result.alert.rule, key: result.alert.key },
        });
      }
      return result.alert;
    });
    return alert ? ok(alert) : fail(alertsFailure('alerts.not-found', 'no such alert'));
  }

  /** Active alerts newest first, and the most recently cleared ones. */
  list(): { active: Alert[]; recent: Alert[] } {
    const items = this.deps.store.read().alerts.items;
    const active = items.filter((a) => a.clearedAt === null).sort(newest((a) => a.raisedAt));
    const recent = items
      .filter((a) => a.clearedAt !== null)
      .sort(newest((a) => a.clearedAt ?? a.raisedAt))
      .slice(0, recentClearedLimit);
    return { active, recent };
  }

  /** Delivery attempts, newest first, with the names a person recognises (null once deleted / for tests). */
  listDeliveries(): DeliveryView[] {
    const { channels, items } = this.deps.store.read().alerts;
    const names = new Map(channels.map((c) => [c.id, c.name]));
    const titles = new Map(items.map((a) => [a.id, a.title]));
    return [...this.deps.store.log('alerts.deliveries').newestFirst()].map((d) => ({
      ...d,
      alertTitle: d.alertId === null ? null : (titles.get(d.alertId) ?? null),
      channelName: names.get(d.channelId) ?? null,
    }));
  }

  /** The stored channels, secrets included: callers outside the service must not pass these on as they are. */
  listChannels(): readonly Channel[] {
    return this.deps.store.read().alerts.channels;
  }

  async createChannel(input: NewChannel, by: AlertsActor): Promise<Outcome<Channel, AlertsFailure>> {
    const now = this.deps.clock.now();
    return this.deps.store.update((draft, tx): Outcome<Channel, AlertsFailure> => {
      const channels = draft.alerts.channels;
      if (channels.length >= maxChannels) {
        return fail(alertsFailure('alerts.too-many-channels', `at most ${maxChannels} channels`));
      }
      if (nameTaken(channels, input.name, undefined)) {
        return fail(
          alertsFailure('alerts.channel-name-taken', `a channel named "${input.name}" exists`, 'name'),
        );
      }
      const channel: Channel = {
        id: this.newId(),
        name: input.name,
        enabled: input.enabled,
        minSeverity: input.minSeverity,
        createdAt: now.toISOString(),
        target: input.target,
      };
      channels.push(channel);
      appendAudit(tx, now, {
        type: 'alerts.channel-created',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { channel: channel.id, name: channel.name, kind: channel.target.kind },
      });
      return ok(channel);
    });
  }

  async updateChannel(
    id: string,
    patch: ChannelPatch,
    by: AlertsActor,
  ): Promise<Outcome<Channel, AlertsFailure>> {
    const now = this.deps.clock.now();
    return this.deps.store.update((draft, tx): Outcome<Channel, AlertsFailure> => {
      const channels = draft.alerts.channels;
      const at = channels.findIndex((c) => c.id === id);
      const existing = channels[at];
      if (!existing) return fail(alertsFailure('alerts.channel-not-found', 'no such channel'));
      if (patch.name !== undefined && nameTaken(channels, patch.name, id)) {
        return fail(
          alertsFailure('alerts.channel-name-taken', `a channel named "${patch.name}" exists`, 'name'),
        );
      }
      const applied = applyChannelPatch(existing, patch);
      if (!applied.ok) return applied;
      channels[at] = applied.value.channel;
      if (applied.value.changed.length > 0) {
        appendAudit(tx, now, {
          type: 'alerts.channel-updated',
          actor: by.actor,
          clientAddress: by.clientAddress,
          outcome: 'success',
          details: {
            channel: id,
            name: applied.value.channel.name,
            changed: applied.value.changed.join(','),
          },
        });
      }
      return ok(applied.value.channel);
    });
  }

  async deleteChannel(id: string, by: AlertsActor): Promise<Outcome<Channel, AlertsFailure>> {
    const now = this.deps.clock.now();
    return this.deps.store.update((draft, tx): Outcome<Channel, AlertsFailure> => {
      const channel = draft.alerts.channels.find((c) => c.id === id);
      if (!channel) return fail(alertsFailure('alerts.channel-not-found', 'no such channel'));
      draft.alerts.channels = draft.alerts.channels.filter((c) => c.id !== id);
      appendAudit(tx, now, {
        type: 'alerts.channel-deleted',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { channel: id, name: channel.name, kind: channel.target.kind },
      });
      return ok(channel);
    });
  }

  /**
   * Sends a test notification to one channel, enabled or not, outside the rate limits. A failed delivery is
   * still an ok outcome: the recorded Delivery carries the error. Only an unknown channel is a failure.
   *
   * With `changes`, the channel as that edit would make it is tested instead, and nothing is saved: not the
   * edit, not the outcome (the log and the channel's last delivery describe what the channel really is). The
   * edit's target is merged as an update would merge it, so a stored secret never goes to a new server.
   */
  async testChannel(
    id: string,
    by: AlertsActor,
    changes?: ChannelPatch,
  ): Promise<Outcome<Delivery, AlertsFailure>> {
    const channel = this.deps.store.read().alerts.channels.find((c) => c.id === id);
    if (!channel) return fail(alertsFailure('alerts.channel-not-found', 'no such channel'));
    if (changes !== undefined) {
      const applied = applyChannelPatch(channel, changes);
      if (!applied.ok) return applied;
      const draft = applied.value.channel;
      const delivery = await this.send(draft, 'test', testAlert(this.deps.clock.now()), null);
      await this.auditTest(by, delivery, {
        channel: id,
        name: draft.name,
        kind: draft.target.kind,
        unsaved: true,
      });
      return ok(delivery);
    }
    const delivery = await this.send(channel, 'test', testAlert(this.deps.clock.now()), null);
    try {
      await this.deps.store.update((draft, tx) => {
        tx.append('alerts.deliveries', delivery);
        recordLastDeliveries(draft.alerts.channels, [{ delivery, event: 'test' }]);
        appendAudit(tx, this.deps.clock.now(), {
          type: 'alerts.channel-tested',
          actor: by.actor,
          clientAddress: by.clientAddress,
          outcome: delivery.ok ? 'success' : 'failure',
          details: { channel: channel.id, name: channel.name, kind: channel.target.kind },
        });
      });
    } catch (e) {
      this.deps.logger.error({ err: describeError(e) }, 'could not record a test delivery');
    }
    return ok(delivery);
  }

  /**
   * Sends a test notification to a channel that is not saved yet (the form's "Send a test" before "Add"). The
   * outcome is only answered and audited: there is no channel to keep it with.
   */
  async testUnsavedChannel(
    input: Pick<NewChannel, 'name' | 'target'>,
    by: AlertsActor,
  ): Promise<Omit<Delivery, 'channelId'>> {
    const draft = { id: 'unsaved', target: input.target };
    const { channelId: _unsaved, ...delivery } = await this.send(
      draft,
      'test',
      testAlert(this.deps.clock.now()),
      null,
    );
    await this.auditTest(by, delivery, {
      channel: null,
      name: input.name,
      kind: input.target.kind,
      unsaved: true,
    });
    return delivery;
  }

  private async auditTest(
    by: AlertsActor,
    delivery: Pick<Delivery, 'ok'>,
    details: Readonly<Record<string, string | boolean | null>>,
  ): Promise<void> {
    try {
      await this.deps.store.update((_draft, tx) => {
        appendAudit(tx, this.deps.clock.now(), {
          type: 'alerts.channel-tested',
          actor: by.actor,
          clientAddress: by.clientAddress,
          outcome: delivery.ok ? 'success' : 'failure',
          details,
        });
      });
    } catch (e) {
      this.deps.logger.error({ err: describeError(e) }, 'could not record a test in the audit log');
    }
  }

  private async step(
    what: string,
    run: (state: AlertsState, ctx: RuleContext) => RuleResult,
  ): Promise<AlertReport> {
    const ctx: RuleContext = {
      rules: this.deps.rules,
      now: this.deps.clock.now(),
      newId: this.newId,
      ...(this.deps.limits === undefined ? {} : { limits: this.deps.limits }),
    };
    let result: RuleResult;
    try {
      result = await this.deps.store.update((draft) => {
        const r = run(draft.alerts, ctx);
        draft.alerts = r.state;
        return r;
      });
    } catch (e) {
      const error = describeError(e);
      this.deps.logger.error({ err: error }, `alerts: could not ${what}`);
      return { alert: undefined, change: 'none', deliveries: [], suppressed: [], error };
    }
    for (const s of result.suppressed) {
      this.deps.logger.info(
        { alertId: s.alertId, channelId: s.channelId, reason: s.reason },
        'alert notification held back by a rate limit',
      );
    }
    const deliveries = await this.deliver(result.notifications);
    return { alert: result.alert, change: result.change, deliveries, suppressed: result.suppressed };
  }

  /** Sends every planned notification to its channels at once, then records all outcomes in one write. */
  private async deliver(planned: readonly PlannedNotification[]): Promise<Delivery[]> {
    if (planned.length === 0) return [];
    const channels = this.deps.store.read().alerts.channels;
    const attempts: Promise<{ delivery: Delivery; event: PlannedNotification['event'] }>[] = [];
    for (const p of planned) {
      for (const channelId of p.channelIds) {
        const channel = channels.find((c) => c.id === channelId);
        // Deleted between planning and sending: nobody left to tell.
        if (channel) {
          attempts.push(
            this.send(channel, p.event, p.alert, p.alert.id).then((delivery) => ({
              delivery,
              event: p.event,
            })),
          );
        }
      }
    }
    const outcomes = await Promise.all(attempts);
    const deliveries = outcomes.map((o) => o.delivery);
    // A failed "raised" is offered again while the alert is active; a failed "cleared" by planPending's late
    // summary (the channel is un-marked either way).
    const failedRaised = outcomes.flatMap(({ delivery: d, event }) =>
      !d.ok && d.alertId !== null ? [{ alertId: d.alertId, channelId: d.channelId, event }] : [],
    );
    try {
      await this.deps.store.update((draft, tx) => {
        draft.alerts = unmarkFailedDeliveries(draft.alerts, failedRaised);
        recordLastDeliveries(draft.alerts.channels, outcomes);
        for (const d of deliveries) tx.append('alerts.deliveries', d);
      });
    } catch (e) {
      this.deps.logger.error({ err: describeError(e) }, 'alerts: could not record deliveries');
    }
    return deliveries;
  }

  /** One attempt to one channel; resolves with its Delivery record whatever happens. */
  private async send(
    channel: Pick<Channel, 'id' | 'target'>,
    event: Notification['event'],
    alert: NotifiedAlert,
    alertId: string | null,
  ): Promise<Delivery> {
    const state = this.deps.store.read();
    const notification: Notification = {
      event,
      alert: pickNotified(alert),
      instance: { id: state.instanceId, name: state.settings.instanceName },
      sentAt: this.deps.clock.now(),
    };
    const fields = {
      channelId: channel.id,
      channelKind: channel.target.kind,
      alertId,
      rule: alert.rule,
      event,
    };
    let error: string | null;
    try {
      const outcome = await this.deps
        .notifiers(channel.target)
        .send(notification, AbortSignal.timeout(this.timeoutMs));
      error = outcome.ok ? null : outcome.error.message;
    } catch (e) {
      // Notifiers promise not to throw; one that does is still just a failed delivery.
      error = `notifier failed: ${describeError(e)}`;
    }
    if (error === null) this.deps.logger.info(fields, 'alert delivered');
    else this.deps.logger.warn({ ...fields, error }, 'alert delivery failed');
    return {
      at: this.deps.clock.now().toISOString(),
      alertId,
      channelId: channel.id,
      ok: error === null,
      error,
    };
  }
}

/** Only the fields receivers see (the stored alert also carries delivery bookkeeping). */
export function pickNotified(a: NotifiedAlert): NotifiedAlert {
  return {
    id: a.id,
    rule: a.rule,
    key: a.key,
    severity: a.severity,
    title: a.title,
    message: a.message,
    remedy: a.remedy,
    raisedAt: a.raisedAt,
    lastSeenAt: a.lastSeenAt,
    occurrences: a.occurrences,
    clearedAt: a.clearedAt,
    details: a.details,
  };
}

/**
 * Keeps each channel's last delivery with it (in the draft of a store update): of several outcomes for one
 * channel, the one recorded latest wins, as the delivery log would list it first.
 */
function recordLastDeliveries(
  channels: Channel[],
  outcomes: readonly { readonly delivery: Delivery; readonly event: Notification['event'] }[],
): void {
  for (const { delivery, event } of outcomes) {
    const channel = channels.find((c) => c.id === delivery.channelId);
    if (!channel) continue;
    const { at, ok: delivered, error } = delivery;
    if (channel.lastDelivery !== undefined && channel.lastDelivery.at > at) continue;
    channel.lastDelivery = { at, event, ok: delivered, error };
  }
}

function nameTaken(channels: readonly Channel[], name: string, exceptId: string | undefined): boolean {
  const wanted = name.toLowerCase();
  return channels.some((c) => c.id !== exceptId && c.name.toLowerCase() === wanted);
}

function newest<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => key(b).localeCompare(key(a));
}

/**
 * @module The rules engine, pure: raising, clearing and acknowledging alerts over the alerts state, returning the
 * new state and the notifications to send. De-duplication and rate limits live here; delivery does not.
 *
 * The contract, in the order it is applied:
 * - One alert per (rule, key) while it is active. Raising an active `condition` again only bumps `occurrences`
 *   and `lastSeenAt`; channels that were told are not told again. An `event` rule's raise is always a new alert
 *   (the previous one of that key is closed).
 * - Raising after a clear opens a new alert, which is news again.
 * - A channel gets an alert when it is enabled and the severity reaches its `minSeverity`.
 * - Per channel: at most `perChannel.max` notifications (raised or cleared) within `perChannel.windowMs`.
 * - Per channel and (rule, key): at most one "raised" within `perAlertMs`, however often the alert flaps.
 *   A "cleared" goes only to channels that heard the matching "raised", so a flapping alert costs a channel at
 *   most one raised/cleared pair per `perAlertMs`, and a channel never hears of an end without its start.
 * - A channel held back by a limit is not dropped: it stays pending on the active alert and is planned again
 *   on the next raise of that alert (or by `planPending`) once the limit allows. So is a channel whose delivery
 *   failed (see unmarkFailedDeliveries), after `perAlertMs`. Acknowledged alerts are not sent.
 */
import {
  alertRetention,
  type Alert,
  type AlertsState,
  type Channel,
  type NotificationRecord,
  type Severity,
} from '../store/schema.js';
import { meetsSeverity, titleOf, type Details, type RuleDefinition, type RuleRegistry } from './catalogue.js';

export type { Details } from './catalogue.js';

/**
 * What a capability says when its rule fires. Title and severity are the rule's (one source of truth: a channel
 * set to "critical only" hears exactly what the rule calls critical); the remedy is the rule's unless the raiser
 * knows a more specific one.
 */
export interface AlertInput {
  /** A registered rule id. An id no capability registered is handled as a warning-level condition. */
  readonly rule: string;
  /** Tells alerts of one rule apart, e.g. "ipv4" or a hostname; "" when the rule has only one. */
  readonly key: string;
  readonly message: string;
  /** Replaces the rule's remedy with a more specific one; omitted: the rule's. */
  readonly remedy?: string;
  readonly details?: Details;
}

export interface RateLimits {
  /** At most `max` notifications (raised or cleared) per channel within `windowMs`. */
  readonly perChannel: { readonly max: number; readonly windowMs: number };
  /** A channel hears "raised" for one (rule, key) at most once within this long. */
  readonly perAlertMs: number;
}

export const defaultRateLimits: RateLimits = {
  perChannel: { max: 10, windowMs: 60 * 60_000 },
  perAlertMs: 15 * 60_000,
};

export interface RuleContext {
  readonly now: Date;
  /** Where each rule's definition comes from. */
  readonly rules: RuleRegistry;
  /** Id for an alert the call creates; called at most once per call. */
  readonly newId: () => string;
  readonly limits?: RateLimits;
}

export type NotificationEvent = 'raised' | 'cleared';

export interface PlannedNotification {
  readonly event: NotificationEvent;
  /** The alert as stored after the call. */
  readonly alert: Alert;
  /** Non-empty. */
  readonly channelIds: readonly string[];
}

export type SuppressionReason = 'channel-rate-limit' | 'alert-rate-limit';

export interface Suppression {
  readonly channelId: string;
  readonly alertId: string;
  readonly reason: SuppressionReason;
}

export interface RuleResult {
  readonly state: AlertsState;
  /** The alert the call concerned, as stored afterwards; undefined when there was nothing to clear or find. */
  readonly alert: Alert | undefined;
  /** raised: a new alert; repeated: an active one seen again; cleared / acknowledged; none: nothing changed. */
  readonly change: 'raised' | 'repeated' | 'cleared' | 'acknowledged' | 'none';
  readonly notifications: readonly PlannedNotification[];
  readonly suppressed: readonly Suppression[];
}

/** Raises `input`: a new alert, or the active one of its (rule, key) seen again. */
export function raiseAlert(state: AlertsState, input: AlertInput, ctx: RuleContext): RuleResult {
  const definition = definitionOf(ctx.rules, input.rule);
  const now = ctx.now.toISOString();
  const active = findActive(state, input.rule, input.key);
  let items = state.items;
  let alert: Alert;
  let change: 'raised' | 'repeated';
  if (active && definition.kind === 'condition') {
    alert = { ...active, occurrences: active.occurrences + 1, lastSeenAt: now };
    change = 'repeated';
  } else {
    // An event replaces the previous one of its key: that one is over, and says so without a notification.
    if (active) items = items.map((a) => (a.id === active.id ? { ...a, clearedAt: now } : a));
    alert = {
      id: ctx.newId(),
      rule: input.rule,
      key: input.key,
      severity: definition.severity,
      title: titleOf(definition, input.details ?? {}),
      message: input.message,
      remedy: input.remedy ?? (definition.remedy || null),
      raisedAt: now,
      lastSeenAt: now,
      occurrences: 1,
      clearedAt: null,
      acknowledgedAt: null,
      details: { ...input.details },
      notifiedChannelIds: [],
    };
    change = 'raised';
  }
  const planned = planRaised(state, alert, ctx);
  alert = planned.alert;
  items = upsert(items, alert);
  return {
    state: {
      ...state,
      items: trimItems(items),
      notifications: appendLedger(state.notifications, planned.notifications, ctx),
    },
    alert,
    change,
    notifications: planned.notifications,
    suppressed: planned.suppressed,
  };
}

/** Ends the active alert of (rule, key), if there is one; a rule that says so tells the channels that heard of it. */
export function clearAlert(
  state: AlertsState,
  rule: AlertInput['rule'],
  key: string,
  ctx: RuleContext,
): RuleResult {
  const active = findActive(state, rule, key);
  if (!active) return unchanged(state, undefined);
  const alert: Alert = { ...active, clearedAt: ctx.now.toISOString() };
  const planned = definitionOf(ctx.rules, rule).notifyOnClear
    ? // Stryker disable next-line StringLiteral: planChannels only tells 'raised' from anything else
      planChannels(state, alert, 'cleared', ctx)
    : { channelIds: [], suppressed: [] };
  const notifications: PlannedNotification[] =
    planned.channelIds.length > 0 ? [{ event: 'cleared', alert, channelIds: planned.channelIds }] : [];
  // A channel a limit holds the end back from is un-marked: planPending's late summary tells it when it may.
  const heldBack = new Set(planned.suppressed.map((x) => x.channelId));
  const stored: Alert = {
    ...alert,
    notifiedChannelIds: alert.notifiedChannelIds.filter((id) => !heldBack.has(id)),
  };
  return {
    state: {
      ...state,
      items: trimItems(upsert(state.items, stored)),
      notifications: appendLedger(state.notifications, notifications, ctx),
    },
    alert,
    change: 'cleared',
    notifications,
    suppressed: planned.suppressed,
  };
}

/**
 * Marks an alert as seen by a person: it leaves the banner and is not sent to channels still pending. An event
 * alert is also closed (nothing goes on to be watched). Acknowledging twice keeps the first time.
 */
export function acknowledgeAlert(state: AlertsState, id: string, now: Date, rules: RuleRegistry): RuleResult {
  const found = state.items.find((a) => a.id === id);
  if (!found) return unchanged(state, undefined);
  if (found.acknowledgedAt !== null) return unchanged(state, found);
  const at = now.toISOString();
  const alert: Alert = {
    ...found,
    acknowledgedAt: at,
    clearedAt: found.clearedAt ?? (definitionOf(rules, found.rule).kind === 'event' ? at : null),
  };
  return {
    state: { ...state, items: upsert(state.items, alert) },
    alert,
    change: 'acknowledged',
    notifications: [],
    suppressed: [],
  };
}

/**
 * Plans "raised" notifications for every active, unacknowledged alert that has channels still waiting (held back
 * by a rate limit, or added after it was raised) and that the limits now allow. Run it now and then so an alert
 * whose raiser goes quiet is still delivered.
 *
 * A condition that ended before a channel could hear of it — its delivery failed (the box was offline, the
 * receiver down) or a limit held it back — is not lost: within `lateSummaryMs` of its end, a channel that existed
 * when it was raised gets one "cleared" notification, which names both times (for rules that tell their end).
 */
export function planPending(state: AlertsState, ctx: RuleContext): RuleResult {
  let current = state;
  const notifications: PlannedNotification[] = [];
  const suppressed: Suppression[] = [];
  for (const candidate of state.items) {
    // Acknowledged alerts are skipped by planRaised itself.
    const planned =
      candidate.clearedAt === null
        ? planRaised(current, candidate, ctx)
        : planLateClear(current, candidate, candidate.clearedAt, ctx);
    suppressed.push(...planned.suppressed);
    // An alert whose audience grew (a channel enabled while it is active) is stored even with nothing to send.
    if (planned.alert !== candidate) current = { ...current, items: upsert(current.items, planned.alert) };
    if (planned.notifications.length === 0) continue;
    notifications.push(...planned.notifications);
    current = { ...current, notifications: appendLedger(current.notifications, planned.notifications, ctx) };
  }
  return { state: current, alert: undefined, change: 'none', notifications, suppressed };
}

/**
 * A failed "raised" delivery un-marks its channel on the alert, so the alert is offered to that channel again; the
 * ledger still holds the attempt, so the retry waits out `perAlertMs` like any repeat (a natural back-off for a
 * receiver that is down). The outcomes themselves go to the `alerts.deliveries` log, which keeps the newest
 * `deliveryRetention`.
 */
export function unmarkFailedDeliveries(
  state: AlertsState,
  failedRaised: readonly {
    readonly alertId: string;
    readonly channelId: string;
    /** The failed notification's event; "raised" when absent. */
    readonly event?: 'raised' | 'cleared';
  }[],
): AlertsState {
  if (failedRaised.length === 0) return state;
  // A "raised" that failed after its alert's "cleared" already went to that channel (the raise was still in
  // flight when the condition ended): the channel heard the end, which names the start; nothing to retry.
  const heardEnd = (a: Alert, channelId: string) =>
    state.notifications.some(
      (n) => n.event === 'cleared' && n.alertId === a.id && n.channelIds.includes(channelId),
    );
  const items = state.items.map((a) => {
    const failed = new Set(
      failedRaised
        .filter((f) => f.alertId === a.id && (f.event === 'cleared' || !heardEnd(a, f.channelId)))
        .map((f) => f.channelId),
    );
    if (failed.size === 0) return a;
    return { ...a, notifiedChannelIds: a.notifiedChannelIds.filter((id) => !failed.has(id)) };
  });
  return { ...state, items };
}

/** The channels an alert of this severity goes to at all (before rate limits). */
function channelsFor(state: AlertsState, severity: Severity): Channel[] {
  return state.channels.filter((c) => c.enabled && meetsSeverity(severity, c.minSeverity));
}

function planRaised(
  state: AlertsState,
  alert: Alert,
  ctx: RuleContext,
): { alert: Alert; notifications: PlannedNotification[]; suppressed: Suppression[] } {
  if (alert.acknowledgedAt !== null) return { alert, notifications: [], suppressed: [] };
  const heard = withAudience(alert, channelsFor(state, alert.severity));
  const planned = planChannels(state, heard, 'raised', ctx);
  if (planned.channelIds.length === 0)
    return { alert: heard, notifications: [], suppressed: planned.suppressed };
  const told: Alert = {
    ...heard,
    notifiedChannelIds: [...heard.notifiedChannelIds, ...planned.channelIds],
  };
  return {
    alert: told,
    notifications: [{ event: 'raised', alert: told, channelIds: planned.channelIds }],
    suppressed: planned.suppressed,
  };
}

/** The alert with `eligible` added to its audience; the same object when none of them is new (nothing to store). */
function withAudience(alert: Alert, eligible: readonly Channel[]): Alert {
  const audience = alert.audienceChannelIds ?? [];
  const added = eligible.map((c) => c.id).filter((id) => !audience.includes(id));
  if (added.length === 0 && alert.audienceChannelIds !== undefined) return alert;
  return { ...alert, audienceChannelIds: [...audience, ...added] };
}

/** How long after its end a condition nobody could hear of is still told (see planPending). */
export const lateSummaryMs = 24 * 60 * 60_000;

function planLateClear(
  state: AlertsState,
  alert: Alert,
  clearedAt: string,
  ctx: RuleContext,
): { alert: Alert; notifications: PlannedNotification[]; suppressed: Suppression[] } {
  // A condition that flapped is summed up once, by its newest occurrence (a newer one, active or ended, is told
  // on its own).
  const superseded = state.items.some(
    (other) => other.rule === alert.rule && other.key === alert.key && other.raisedAt > alert.raisedAt,
  );
  if (
    superseded ||
    alert.acknowledgedAt !== null ||
    !definitionOf(ctx.rules, alert.rule).notifyOnClear ||
    ctx.now.getTime() - Date.parse(clearedAt) > lateSummaryMs
  )
    return { alert, notifications: [], suppressed: [] };
  // Only channels the alert was for while it was active: not one added, enabled or opened to its severity after it
  // ended. (An alert stored before the audience was kept: the channels that existed when it was raised.)
  const audience = alert.audienceChannelIds;
  const wereFor = state.channels.filter((c) =>
    audience === undefined ? Date.parse(c.createdAt) <= Date.parse(alert.raisedAt) : audience.includes(c.id),
  );
  const planned = planChannels({ ...state, channels: wereFor }, alert, 'raised', ctx);
  // A late "cleared" that failed is tried again, like a "raised", only after perAlertMs.
  const limits = ctx.limits ?? defaultRateLimits;
  const triedRecently = (channelId: string) =>
    state.notifications.some(
      (n) =>
        n.alertId === alert.id &&
        n.channelIds.includes(channelId) &&
        Date.parse(n.at) > ctx.now.getTime() - limits.perAlertMs,
    );
  const channelIds = planned.channelIds.filter((id) => !triedRecently(id));
  const suppressed = [
    ...planned.suppressed,
    ...planned.channelIds
      .filter(triedRecently)
      .map((channelId) => ({ channelId, alertId: alert.id, reason: 'alert-rate-limit' as const })),
  ];
  if (channelIds.length === 0) return { alert, notifications: [], suppressed };
  const told: Alert = { ...alert, notifiedChannelIds: [...alert.notifiedChannelIds, ...channelIds] };
  return { alert: told, notifications: [{ event: 'cleared', alert: told, channelIds }], suppressed };
}

function planChannels(
  state: AlertsState,
  alert: Alert,
  event: NotificationEvent,
  ctx: RuleContext,
): { channelIds: string[]; suppressed: Suppression[] } {
  const limits = ctx.limits ?? defaultRateLimits;
  const now = ctx.now.getTime();
  const told = new Set(alert.notifiedChannelIds);
  const candidates = channelsFor(state, alert.severity).filter((c) =>
    event === 'raised' ? !told.has(c.id) : told.has(c.id),
  );
  const channelIds: string[] = [];
  const suppressed: Suppression[] = [];
  for (const channel of candidates) {
    const reached = state.notifications.filter((n) => n.channelIds.includes(channel.id));
    const inWindow = reached.filter((n) => Date.parse(n.at) > now - limits.perChannel.windowMs).length;
    const heardRecently =
      event === 'raised' &&
      reached.some(
        (n) =>
          n.event === 'raised' &&
          n.rule === alert.rule &&
          n.key === alert.key &&
          Date.parse(n.at) > now - limits.perAlertMs,
      );
    if (inWindow >= limits.perChannel.max) {
      suppressed.push({ channelId: channel.id, alertId: alert.id, reason: 'channel-rate-limit' });
    } else if (heardRecently) {
      suppressed.push({ channelId: channel.id, alertId: alert.id, reason: 'alert-rate-limit' });
    } else {
      channelIds.push(channel.id);
    }
  }
  return { channelIds, suppressed };
}

/** Adds the planned notifications to the ledger and forgets entries older than the longest window. */
function appendLedger(
  ledger: readonly NotificationRecord[],
  planned: readonly PlannedNotification[],
  ctx: RuleContext,
): NotificationRecord[] {
  const limits = ctx.limits ?? defaultRateLimits;
  const horizon = ctx.now.getTime() - Math.max(limits.perChannel.windowMs, limits.perAlertMs);
  const at = ctx.now.toISOString();
  return [
    ...ledger.filter((n) => Date.parse(n.at) > horizon),
    ...planned.map((p) => ({
      at,
      alertId: p.alert.id,
      rule: p.alert.rule,
      key: p.alert.key,
      event: p.event,
      channelIds: [...p.channelIds],
    })),
  ];
}

function findActive(state: AlertsState, rule: string, key: string): Alert | undefined {
  return state.items.find((a) => a.rule === rule && a.key === key && a.clearedAt === null);
}

function upsert(items: readonly Alert[], alert: Alert): Alert[] {
  const at = items.findIndex((a) => a.id === alert.id);
  if (at === -1) return [...items, alert];
  return items.map((a, i) => (i === at ? alert : a));
}

/** Keeps at most `alertRetention` alerts by forgetting the oldest cleared ones; active alerts are never dropped. */
function trimItems(items: Alert[]): Alert[] {
  let excess = items.length - alertRetention;
  return items.filter((a) => {
    if (excess > 0 && a.clearedAt !== null) {
      excess -= 1;
      return false;
    }
    return true;
  });
}

/**
 * The registered rule, or a plain condition for an id nobody registered: a rule whose capability left still has
 * alerts in the store, and must not break the engine.
 */
function definitionOf(rules: RuleRegistry, rule: string): RuleDefinition {
  const definition = rules.get(rule);
  if (definition) return definition;
  return { title: rule, severity: 'warning', remedy: '', kind: 'condition', notifyOnClear: true };
}

function unchanged(state: AlertsState, alert: Alert | undefined): RuleResult {
  return { state, alert, change: 'none', notifications: [], suppressed: [] };
}

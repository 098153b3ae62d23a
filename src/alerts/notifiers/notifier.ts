/** @module Notifier port: delivers one notification to one channel; plus the plain-text rendering all of them share. */
import type { Outcome } from '../../core/outcome.js';
import type { Alert, ChannelTarget, Severity } from '../../store/schema.js';

/** raised / cleared come from the rules engine; test from the channel's test button. */
export type NotificationEvent = 'raised' | 'cleared' | 'test';

/** The alert fields a receiver sees (no delivery bookkeeping). */
export type NotifiedAlert = Pick<
  Alert,
  | 'id'
  | 'rule'
  | 'key'
  | 'severity'
  | 'title'
  | 'message'
  | 'remedy'
  | 'raisedAt'
  | 'lastSeenAt'
  | 'occurrences'
  | 'clearedAt'
  | 'details'
>;

export interface Notification {
  readonly event: NotificationEvent;
  readonly alert: NotifiedAlert;
  readonly instance: { readonly id: string; readonly name: string };
  /** When it was sent, by the service's clock (webhooks sign it). */
  readonly sentAt: Date;
}

export interface Notifier {
  /**
   * Delivers one notification. Resolves ok once the receiver accepted it (HTTP 2xx; SMTP accepted the message);
   * anything else is a failure value whose message is safe to store, log and show: it never contains a secret,
   * a token or a secret-bearing URL (only the receiver's host). Gives up when `signal` aborts. Never rejects.
   */
  send(notification: Notification, signal: AbortSignal): Promise<Outcome<void>>;
}

/** Builds the notifier for a channel's target; main wires the real one (fetch, SMTP). */
export type NotifierFactory = (target: ChannelTarget) => Notifier;

/** Turns line breaks and other control characters into spaces, so text can never start a new header line. */
export function oneLine(text: string): string {
  return text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Cuts `text` to at most `max` characters (code points), marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

const severityLabel: Record<Severity, string> = { info: 'Info', warning: 'Warning', critical: 'Critical' };

/** "Critical", "Cleared", "Test": the word that leads a subject line. */
function eventLabel(n: Notification): string {
  switch (n.event) {
    case 'raised':
      return severityLabel[n.alert.severity];
    case 'cleared':
      return 'Cleared';
    case 'test':
      return 'Test';
  }
}

/** One header-safe line: "[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)". */
export function renderSubject(n: Notification): string {
  return truncate(oneLine(`[${n.instance.name}] ${eventLabel(n)}: ${n.alert.title}`), 200);
}

/** The message body as plain text: what happened, what to do, the facts. */
export function renderText(n: Notification): string {
  const lines: string[] = [];
  if (n.event === 'cleared') lines.push(`Resolved: ${n.alert.title}`, '');
  lines.push(n.alert.message);
  if (n.event !== 'cleared' && n.alert.remedy !== null) lines.push('', `What to do: ${n.alert.remedy}`);
  const facts = Object.keys(n.alert.details).sort();
  if (facts.length > 0) {
    lines.push('', ...facts.map((k) => `${k}: ${String(n.alert.details[k])}`));
  }
  lines.push(
    '',
    `Rule ${n.alert.rule}${n.alert.key === '' ? '' : ` (${n.alert.key})`} on ${n.instance.name}`,
  );
  lines.push(
    `Raised ${n.alert.raisedAt}${n.alert.clearedAt === null ? '' : `, cleared ${n.alert.clearedAt}`}`,
  );
  return lines.join('\n');
}

/** The synthetic alert a channel's test button sends. */
export function testAlert(now: Date): NotifiedAlert {
  const at = now.toISOString();
  return {
    id: 'test',
    rule: 'alerts.test',
    key: '',
    severity: 'info',
    title: 'Test notification',
    message: 'This is a test from Gatehouse. If you can read it, alerts reach this channel.',
    remedy: null,
    raisedAt: at,
    lastSeenAt: at,
    occurrences: 1,
    clearedAt: null,
    details: {},
  };
}

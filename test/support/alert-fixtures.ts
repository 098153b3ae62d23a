/** @module Sample notifications for notifier tests. */
import type { Notification, NotifiedAlert } from '../../src/alerts/notifiers/notifier.js';

export function sampleAlert(overrides: Partial<NotifiedAlert> = {}): NotifiedAlert {
  return {
    id: '0b6f7f1e-4a53-4d8b-9a53-2a0f1f0c9e11',
    rule: 'reach.cgnat',
    key: 'ipv4',
    severity: 'critical',
    title: 'Behind carrier-grade NAT (CGNAT)',
    message: 'The router has the address 100.64.12.7, which is in the CGNAT range.',
    remedy: 'Ask your provider for a public IPv4 address.',
    raisedAt: '2026-03-01T12:00:00.000Z',
    lastSeenAt: '2026-03-01T12:00:00.000Z',
    occurrences: 1,
    clearedAt: null,
    details: { wanAddress: '100.64.12.7', family: 'ipv4' },
    ...overrides,
  };
}

export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    event: 'raised',
    alert: sampleAlert(),
    instance: { id: 'instance-1', name: 'Home gateway' },
    sentAt: new Date('2026-03-01T12:00:05.000Z'),
    ...overrides,
  };
}

/** A signal that never aborts, for tests that are not about time limits. */
export const noTimeout = new AbortController().signal;

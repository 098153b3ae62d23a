/** @module Recording an audit event: inside a store update, so the event and the change it records commit together. */
import { randomUUID } from 'node:crypto';
import type { Transaction } from '../store/store.js';
import type { AuditEvent } from './event.js';

export interface AuditInput {
  /** A registered type (see registry.ts), e.g. `login.failure`. */
  readonly type: string;
  readonly actor: string;
  readonly clientAddress: string;
  readonly outcome: 'success' | 'failure';
  /** Never a secret. */
  readonly details?: Record<string, string | number | boolean | null>;
}

/** The transaction of a store with the audit log. */
export type AuditTransaction = Transaction<{ audit: AuditEvent }>;

/**
 * Queues an audit event in the update's transaction: it is written only if the update commits, and an update that
 * fails writes neither. Call inside Store.update: `store.update((draft, tx) => { …; appendAudit(tx, now, {…}) })`.
 */
export function appendAudit(tx: AuditTransaction, now: Date, input: AuditInput): AuditEvent {
  const event: AuditEvent = {
    id: randomUUID(),
    at: now.toISOString(),
    type: input.type,
    actor: input.actor,
    clientAddress: input.clientAddress,
    outcome: input.outcome,
    details: input.details ?? {},
  };
  tx.append('audit', event);
  return event;
}

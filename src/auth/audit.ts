/** @module Audit log of security events, kept in the store and trimmed to its retention. */
import { randomUUID } from 'node:crypto';
import { auditRetention, type AuditEvent, type State } from '../store/schema.js';

export type AuditType =
  | 'setup.completed'
  | 'setup.token-rejected'
  | 'login.success'
  | 'login.failure'
  | 'login.lockout'
  | 'login.mfa-failure'
  | 'logout'
  | 'logout.everywhere'
  | 'password.changed'
  | 'password.confirm-failed'
  | 'password.reset'
  | 'totp.enabled'
  | 'totp.disabled'
  | 'recovery-code.used'
  | 'recovery-codes.regenerated'
  | 'token.created'
  | 'token.revoked'
  | 'token.rejected'
  | 'settings.changed'
  | 'alerts.channel-created'
  | 'alerts.channel-updated'
  | 'alerts.channel-deleted'
  | 'alerts.channel-tested'
  | 'alerts.acknowledged';

export interface AuditInput {
  readonly type: AuditType;
  readonly actor: string;
  readonly clientAddress: string;
  readonly outcome: 'success' | 'failure';
  readonly details?: Record<string, string | number | boolean | null>;
}

/** Appends to the draft state (call inside Store.update). Never put a secret in details. */
export function appendAudit(draft: State, now: Date, input: AuditInput): AuditEvent {
  const event: AuditEvent = {
    id: randomUUID(),
    at: now.toISOString(),
    type: input.type,
    actor: input.actor,
    clientAddress: input.clientAddress,
    outcome: input.outcome,
    details: input.details ?? {},
  };
  draft.audit.push(event);
  if (draft.audit.length > auditRetention) draft.audit.splice(0, draft.audit.length - auditRetention);
  return event;
}

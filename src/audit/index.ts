/**
 * @module The audit log of security events, apart from the store's document: capabilities register their event
 * types (registry.ts), record events inside store updates (record.ts), and the API pages them (read.ts).
 */
export { auditEventSchema, auditLog, auditRetention, auditSlice, type AuditEvent } from './event.js';
export { appendAudit, type AuditInput, type AuditTransaction } from './record.js';
export { countAuditSince, pageAudit, readAuditLog, type AuditPage, type AuditQuery } from './read.js';
export {
  createAuditTypeRegistry,
  registerCapabilityAuditTypes,
  UnregisteredAuditTypeError,
  type AuditTypeInfo,
  type AuditTypeRegistry,
} from './registry.js';

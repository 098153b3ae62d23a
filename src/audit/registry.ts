/**
 * @module The audit-type registry: every capability registers the audit event types it records, each with a
 * one-line description; recording a type nobody registered is a programming error that fails the update.
 */
import type { Capability } from '../core/capability.js';
import type { RecordCheck } from '../store/transaction.js';
import { auditLog } from './event.js';

export interface AuditTypeInfo {
  readonly type: string;
  /** The capability that registered it. */
  readonly owner: string;
  /** One line, for the UI's filter and the API. */
  readonly description: string;
}

export interface AuditTypeRegistry {
  /**
   * Registers `owner`'s types (`{ 'login.failure': 'A sign-in failed', … }`). Throws on a malformed name, an
   * empty or multi-line description, or a type another owner registered (the same owner may repeat itself).
   */
  registerAuditTypes(owner: string, types: Readonly<Record<string, string>>): void;
  describe(type: string): AuditTypeInfo | undefined;
  /** Every registered type, in registration order. */
  list(): readonly AuditTypeInfo[];
  /**
   * For the store (openLowdbStore's `checkRecord`): refuses an audit event whose type is not registered, naming
   * it. Types registered later still count: the registry is read at each append.
   */
  readonly checkRecord: RecordCheck;
}

const typePattern = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

export class UnregisteredAuditTypeError extends Error {
  constructor(readonly type: string) {
    super(`audit type "${type}" is not registered: add it to its capability's audit types`);
    this.name = 'UnregisteredAuditTypeError';
  }
}

export function createAuditTypeRegistry(): AuditTypeRegistry {
  const types = new Map<string, AuditTypeInfo>();
  return {
    registerAuditTypes(owner, entries) {
      for (const [type, description] of Object.entries(entries)) {
        if (!typePattern.test(type))
          throw new Error(`audit type "${type}" (${owner}) is not <word>[.<word>…]`);
        if (description.trim() === '' || description.includes('\n')) {
          throw new Error(`audit type "${type}" (${owner}) needs a one-line description`);
        }
        const taken = types.get(type);
        if (taken && taken.owner !== owner) {
          throw new Error(`audit type "${type}" is registered by ${taken.owner} already (now ${owner})`);
        }
        types.set(type, { type, owner, description });
      }
    },
    describe: (type) => types.get(type),
    list: () => [...types.values()],
    checkRecord(log, record) {
      if (log !== auditLog.name) return;
      const { type } = record as { type: string };
      if (!types.has(type)) throw new UnregisteredAuditTypeError(type);
    },
  };
}

/** Registers the audit types each capability declares (`Capability.auditTypes`), under its id. */
export function registerCapabilityAuditTypes(
  registry: AuditTypeRegistry,
  capabilities: readonly Pick<Capability, 'id' | 'auditTypes'>[],
): void {
  for (const c of capabilities) if (c.auditTypes) registry.registerAuditTypes(c.id, c.auditTypes);
}

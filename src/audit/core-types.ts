/**
 * @module The audit types of the base product — the admin account (auth) and the instance settings — which are
 * not capabilities; each capability registers its own through `Capability.auditTypes`.
 */
import { authAuditTypes } from '../auth/audit-types.js';
import { settingsAuditTypes } from '../settings/service.js';
import { createAuditTypeRegistry, type AuditTypeRegistry } from './registry.js';

/** A registry holding the core's types; capabilities add theirs in createCapabilities. */
export function coreAuditTypes(): AuditTypeRegistry {
  const registry = createAuditTypeRegistry();
  registry.registerAuditTypes('auth', authAuditTypes);
  registry.registerAuditTypes('settings', settingsAuditTypes);
  return registry;
}

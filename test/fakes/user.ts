/** @module A stored admin user for tests that need one without going through setup. */
import type { User } from '../../src/store/schema.js';

export function aUser(over: Partial<User> = {}): User {
  return {
    id: 'u1',
    username: 'admin',
    passwordHash: 'scrypt$unused',
    createdAt: '2026-01-01T00:00:00.000Z',
    passwordChangedAt: '2026-01-01T00:00:00.000Z',
    totpSecret: null,
    pendingTotpSecret: null,
    recoveryCodeHashes: [],
    totpLastStep: null,
    ...over,
  };
}

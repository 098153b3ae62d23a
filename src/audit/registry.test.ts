import { describe, expect, it } from 'vitest';
import {
  createAuditTypeRegistry,
  registerCapabilityAuditTypes,
  UnregisteredAuditTypeError,
} from './registry.js';

describe('audit type registry', () => {
  it('lists what capabilities registered, with owner and description, in registration order', () => {
    const registry = createAuditTypeRegistry();
    registry.registerAuditTypes('auth', {
      'login.failure': 'A sign-in failed',
      logout: 'An admin signed out',
    });
    registry.registerAuditTypes('alerts', { 'alerts.acknowledged': 'An alert was acknowledged' });
    registry.registerAuditTypes('auth', { 'login.failure': 'A sign-in failed (same owner may repeat)' });
    expect(registry.list()).toEqual([
      { type: 'login.failure', owner: 'auth', description: 'A sign-in failed (same owner may repeat)' },
      { type: 'logout', owner: 'auth', description: 'An admin signed out' },
      { type: 'alerts.acknowledged', owner: 'alerts', description: 'An alert was acknowledged' },
    ]);
    expect(registry.describe('logout')?.owner).toBe('auth');
    expect(registry.describe('nothing')).toBeUndefined();
  });

  it.each([
    [{ 'Login.failure': 'x' }, 'audit type "Login.failure" (ddns) is not <word>'],
    [{ 'ddns.': 'x' }, 'is not <word>'],
    [{ 'ddns.applied': ' ' }, 'audit type "ddns.applied" (ddns) needs a one-line description'],
    [{ 'ddns.applied': 'two\nlines' }, 'needs a one-line description'],
    [{ 'login.failure': 'mine now' }, 'audit type "login.failure" is registered by auth already (now ddns)'],
  ])('refuses %j', (types, message) => {
    const registry = createAuditTypeRegistry();
    registry.registerAuditTypes('auth', { 'login.failure': 'A sign-in failed' });
    expect(() => registry.registerAuditTypes('ddns', types)).toThrow(message);
  });

  it('checks audit records only, against the types registered at the time of the append', () => {
    const registry = createAuditTypeRegistry();
    expect(() => registry.checkRecord('audit', { type: 'ddns.applied' })).toThrow(UnregisteredAuditTypeError);
    // Logs name the error by its class.
    expect(() => registry.checkRecord('audit', { type: 'ddns.applied' })).toThrow(
      expect.objectContaining({ name: 'UnregisteredAuditTypeError', type: 'ddns.applied' }),
    );
    expect(() => registry.checkRecord('audit', { type: 'ddns.applied' })).toThrow(
      'audit type "ddns.applied" is not registered',
    );
    registry.registerAuditTypes('ddns', { 'ddns.applied': 'A DNS record was updated' });
    expect(() => registry.checkRecord('audit', { type: 'ddns.applied' })).not.toThrow();
    expect(() => registry.checkRecord('reach.history', { type: 'anything' })).not.toThrow();
  });
});

describe('registerCapabilityAuditTypes', () => {
  it('registers each capability’s types under its id, skipping those without any', () => {
    const registry = createAuditTypeRegistry();
    registerCapabilityAuditTypes(registry, [
      { id: 'alerts', auditTypes: { 'alerts.acknowledged': 'An alert was acknowledged' } },
      { id: 'reachability' },
    ]);
    expect(registry.list()).toEqual([
      { type: 'alerts.acknowledged', owner: 'alerts', description: 'An alert was acknowledged' },
    ]);
  });
});

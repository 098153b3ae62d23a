/**
 * @module DDNS store rows for unit tests: a record (home.example.test A, the public address), its account and a
 * state that says it is served — each with the fields a test changes given as overrides.
 */
import type { DdnsAccount, DdnsRecord, DdnsRecordState } from '../../src/ddns/slice.js';

export const fixtureTime = '2026-05-01T00:00:00.000Z';

export const ddnsRecord = (over: Partial<DdnsRecord> = {}): DdnsRecord => ({
  id: 'r1',
  hostname: 'home.example.test',
  zone: 'example.test',
  type: 'A',
  accountId: 'a1',
  value: { kind: 'public' },
  ttl: 60,
  enabled: true,
  createdAt: fixtureTime,
  updatedAt: fixtureTime,
  ...over,
});

export const ddnsAccount = (over: Partial<DdnsAccount> = {}): DdnsAccount => ({
  id: 'a1',
  name: 'Home DNS',
  kind: 'fake',
  settings: {},
  createdAt: fixtureTime,
  updatedAt: fixtureTime,
  stopped: null,
  notBefore: null,
  ...over,
});

/** Set to 203.0.113.7 and served (1.2 s after the change), the last attempt a success. */
export const ddnsState = (over: Partial<DdnsRecordState> = {}): DdnsRecordState => ({
  recordId: 'r1',
  desired: '203.0.113.7',
  applied: '203.0.113.7',
  appliedAt: fixtureTime,
  verifiedAt: fixtureTime,
  propagationMs: 1200,
  pending: null,
  stopped: null,
  drift: null,
  lastAttempt: { at: fixtureTime, ok: true, kind: null, code: null, message: 'set' },
  ...over,
});

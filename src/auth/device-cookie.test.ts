import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueDeviceToken, readDeviceToken } from './device-cookie.js';

const key = randomBytes(32);

describe('device tokens', () => {
  it('a token issued for a user reads back as that user (lower case) and a device id of its own', () => {
    const a = readDeviceToken(key, issueDeviceToken(key, 'Admin'));
    const b = readDeviceToken(key, issueDeviceToken(key, 'admin'));
    expect(a?.username).toBe('admin');
    expect(a?.deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a?.deviceId).not.toBe(b?.deviceId);
  });

  it.each([
    ['another key', (t: string) => t, randomBytes(32)],
    ['an altered signature', (t: string) => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`, key],
    ['another user in the payload', (t: string) => t.replace(/^v1\.[^.]+/, 'v1.cm9vdA'), key],
    ['another device id', (t: string) => t.replace(/^(v1\.[^.]+\.)[^.]+/, `$1${'A'.repeat(22)}`), key],
    ['a version it does not know', (t: string) => t.replace(/^v1/, 'v2'), key],
    ['an empty string', () => '', key],
    ['garbage', () => 'v1.a.b.c', key],
  ])('refuses %s', (_what, change, readKey) => {
    expect(readDeviceToken(readKey, change(issueDeviceToken(key, 'admin')))).toBeUndefined();
  });
});

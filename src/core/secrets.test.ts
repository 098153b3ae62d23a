import { describe, expect, it } from 'vitest';
import { checkSecretName, secretView } from './secrets.js';

describe('checkSecretName', () => {
  it.each([
    'ddns/cloudflare-main',
    'acme/account-key',
    'wireguard/server-key',
    'a/b',
    'x1/key.v2_old',
    `n/${'k'.repeat(64)}`,
  ])('accepts %j', (name) => {
    expect(checkSecretName(name)).toBeUndefined();
  });

  it('says what a name must look like, with an example', () => {
    expect(checkSecretName('../etc/passwd')).toEqual({
      code: 'secrets.invalid-name',
      message: expect.stringContaining('"<namespace>/<name>" (e.g. "ddns/cloudflare-main")') as string,
    });
    expect(checkSecretName('../etc/passwd')?.message).toContain('"../etc/passwd"');
  });

  it('quotes at most 100 characters of a long name', () => {
    expect(checkSecretName(`a/${'b'.repeat(500)}`)?.message).not.toContain('b'.repeat(101));
  });
});

describe('secretView', () => {
  it('says only whether a secret is set, and since when', () => {
    expect(secretView({ name: 'ddns/x', updatedAt: new Date('2026-03-01T12:00:00Z') })).toEqual({
      set: true,
      updatedAt: '2026-03-01T12:00:00.000Z',
    });
    expect(secretView(undefined)).toEqual({ set: false });
  });
});

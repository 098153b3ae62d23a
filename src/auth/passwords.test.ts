import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  maxPasswordLength,
  minPasswordLength,
  passwordSchema,
  createTimingDummyHash,
  verifyPassword,
} from './passwords.js';

describe('hashPassword / verifyPassword', () => {
  it('produces a self-describing scrypt hash that verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    const parts = hash.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(parts[4] ?? '', 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[5] ?? '', 'base64url')).toHaveLength(32);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('derives the key with scrypt N=2^15, r=8, p=1 and 32 bytes, as the hash says', async () => {
    const hash = await hashPassword('correct horse battery staple');
    const [, , , , salt, key] = hash.split('$');
    const independent = scryptSync('correct horse battery staple', Buffer.from(salt ?? '', 'base64url'), 32, {
      N: 2 ** 15,
      r: 8,
      p: 1,
      maxmem: 64 * 1024 * 1024,
    });
    expect(key).toBe(independent.toString('base64url'));
  });

  it('refuses a real hash under another scheme name, or with a part appended', async () => {
    const hash = await hashPassword('a fine password');
    expect(await verifyPassword('a fine password', hash.replace(/^scrypt\$/, 'bcrypt$'))).toBe(false);
    expect(await verifyPassword('a fine password', `${hash}$extra`)).toBe(false);
    expect(await verifyPassword('a fine password', hash.slice(0, hash.lastIndexOf('$')))).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same password here'),
      hashPassword('same password here'),
    ]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('treats canonically equivalent Unicode spellings as the same password (NFKC)', async () => {
    const composed = 'caf\u00e9 au lait, bitte';
    const decomposed = 'cafe\u0301 au lait, bitte';
    expect(composed).not.toBe(decomposed);
    const hash = await hashPassword(composed);
    expect(await verifyPassword(decomposed, hash)).toBe(true);
  });

  it('verifies hashes made with other scrypt parameters, read from the hash itself', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('older weaker password', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const old = ['scrypt', 2 ** 14, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    expect(await verifyPassword('older weaker password', old)).toBe(true);
    expect(await verifyPassword('older weaker passwore', old)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['another scheme', 'bcrypt$2b$10$abcdefghijklmnopqrstuv'],
    ['too few parts', 'scrypt$32768$8$1$c2FsdA'],
    ['too many parts', 'scrypt$32768$8$1$c2FsdA$aGFzaA$extra'],
    ['non-numeric cost', 'scrypt$many$8$1$c2FsdA$aGFzaA'],
    ['fractional cost', 'scrypt$1.5$8$1$c2FsdA$aGFzaA'],
  ])('refuses a stored hash that is %s', async (_what, stored) => {
    expect(await verifyPassword('whatever password', stored)).toBe(false);
  });

  it('refuses a hash whose key length differs from what scrypt derives', async () => {
    const hash = await hashPassword('a fine password');
    const parts = hash.split('$');
    parts[5] = (parts[5] ?? '').slice(0, 20);
    expect(await verifyPassword('a fine password', parts.join('$'))).toBe(false);
  });
});

describe('createTimingDummyHash', () => {
  it('is a real scrypt hash of a random password that no guess matches', async () => {
    const a = await createTimingDummyHash();
    const b = await createTimingDummyHash();
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('', a)).toBe(false);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(false);
  });
});

describe('passwordSchema', () => {
  it.each([
    ['x'.repeat(minPasswordLength - 1), false],
    ['x'.repeat(minPasswordLength), true],
    ['x'.repeat(maxPasswordLength), true],
    ['x'.repeat(maxPasswordLength + 1), false],
  ])('length %#', (value, ok) => {
    expect(passwordSchema.safeParse(value).success).toBe(ok);
  });

  it('asks for 12 characters at least', () => {
    expect(minPasswordLength).toBe(12);
    const result = passwordSchema.safeParse('short');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('password must be at least 12 characters');
    const long = passwordSchema.safeParse('x'.repeat(1025));
    expect(long.error?.issues[0]?.message).toBe('password must be at most 1024 characters');
  });
});

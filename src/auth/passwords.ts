/** @module Password policy and memory-hard hashing with scrypt from node:crypto. */
import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';
import { z } from 'zod';

export const minPasswordLength = 12;
export const maxPasswordLength = 1024;

export const passwordSchema = z
  .string()
  .min(minPasswordLength, `password must be at least ${minPasswordLength} characters`)
  .max(maxPasswordLength, `password must be at most ${maxPasswordLength} characters`);

/** scrypt cost: N=2^15, r=8 → 32 MiB per hash, ~50-100 ms on a small box (OWASP's recommended minimum). */
const defaultParams = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 32;
const scryptAsync = promisify<BinaryLike, BinaryLike, number, ScryptOptions, Buffer>(scrypt);

function derive(
  password: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return scryptAsync(password.normalize('NFKC'), salt, keyLength, options);
}

/** Returns `scrypt$N$r$p$salt$hash` (base64url), so parameters can grow without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, defaultParams);
  const { N, r, p } = defaultParams;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  // Stryker disable next-line StringLiteral: unreachable defaults, six parts were checked; they satisfy noUncheckedIndexedAccess
  const [, n, r, p, saltText = '', hashText = ''] = parts;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Number.isInteger(params.N) || !Number.isInteger(params.r) || !Number.isInteger(params.p)) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const key = await derive(password, Buffer.from(saltText, 'base64url'), params);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A valid hash of a random password: verifying against it costs the same as a real check (no user enumeration). */
export function createTimingDummyHash(): Promise<string> {
  return hashPassword(randomBytes(16).toString('hex'));
}

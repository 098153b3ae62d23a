/** @module WireGuard keys: x25519 keypairs and preshared keys through node:crypto, and the canonical key text check. */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Outcome } from '../core/outcome.js';

export interface KeyFailure {
  readonly code: 'wireguard.bad-key';
  readonly message: string;
}

/**
 * Canonical standard base64 of exactly 32 bytes: 43 characters then `=`. The 43rd character holds the last 4 bits
 * of the key and 2 zero padding bits, so only the 16 characters whose value is a multiple of 4 may stand there
 * (research 3: WT:src/encoding.c `key_to_base64`; `parse_key` rejects what does not decode to 32 bytes).
 */
// Stryker disable next-line Regex: the length check before it makes either anchor alone enough; both stay for readers
const keyPattern = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** Why `text` is not a WireGuard key (canonical base64 of 32 bytes, nothing around it), or undefined when it is. */
export function checkKey(text: string): string | undefined {
  if (text.length !== 44) return `a WireGuard key is 44 characters of base64, this is ${text.length}`;
  if (!keyPattern.test(text)) return 'a WireGuard key is the canonical base64 of 32 bytes, ending in "="';
  return undefined;
}

/** Standard base64 of the raw bytes a JWK field carries in base64url. */
function jwkToBase64(field: string | undefined): string {
  // An x25519 JWK always carries d (private) and x (public).
  return Buffer.from(field as string, 'base64url').toString('base64');
}

/** A fresh x25519 keypair in WireGuard's text form (OpenSSL clamps the secret, as `wg genkey` does). */
export function generateKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return { privateKey: jwkToBase64(jwk.d), publicKey: jwkToBase64(jwk.x) };
}

/**
 * PKCS#8 wrapping of a raw x25519 private key: SEQUENCE { version 0, AlgorithmIdentifier { 1.3.101.110 },
 * OCTET STRING { OCTET STRING (32 bytes) } }. Node 20's JWK import needs `x` as well, so DER is the route
 * (research 3).
 */
const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The public key of a private key, like `wg pubkey` (clamping does not change it). Never echoes the key. */
export function publicKeyOf(privateKey: string): Outcome<string, KeyFailure> {
  const why = checkKey(privateKey);
  if (why !== undefined)
    return { ok: false, error: { code: 'wireguard.bad-key', message: `not a private key: ${why}` } };
  const key = createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, Buffer.from(privateKey, 'base64')]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  return { ok: true, value: jwkToBase64(jwk.x) };
}

/** 32 random bytes in base64, like `wg genpsk` (no clamping). */
export function generatePresharedKey(): string {
  return randomBytes(32).toString('base64');
}

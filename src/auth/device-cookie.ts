/**
 * @module Device cookies (OWASP "Slow down online guessing attacks with device cookies"): a browser that has logged
 * in successfully gets a signed token naming the user and a random device id. With it, a login for that user is
 * throttled per device instead of by the account and address lockouts that strangers can set off, so nobody on
 * the LAN can lock the owner out; the device has a failure limit of its own. A user's device cookies end with a
 * password change or reset and with logging out everywhere (the user's device epoch is in their MAC).
 */
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../core/log.js';
import type { PrivateFiles } from '../core/node-fs.js';
import { constantTimeEqual } from './crypto.js';

/** How long a browser keeps its device cookie; each successful login issues a new one. */
export const deviceCookieMaxAgeSeconds = 400 * 24 * 3600;

export interface DeviceClaim {
  /** The username the token was issued for, lower case. */
  readonly username: string;
  /** Random, per issued token: the key of the device's own failure count. */
  readonly deviceId: string;
}

/** Whose device cookies a token must belong to: the user's name and current device epoch. */
export interface DeviceOwner {
  readonly username: string;
  /** Renewed on password change or reset and on log-out-everywhere; absent for accounts from before (empty). */
  readonly deviceEpoch?: string | undefined;
}

/** The MAC binds the payload to the user's current epoch, which is not in the token: a new epoch voids it. */
function mac(key: Buffer, payload: string, owner: DeviceOwner): string {
  return createHmac('sha256', key)
    .update(`${payload}\n${owner.deviceEpoch ?? ''}`)
    .digest('base64url');
}

/** `v2.<username, base64url>.<device id>.<HMAC-SHA256 of the rest and the user's device epoch>`. */
export function issueDeviceToken(key: Buffer, owner: DeviceOwner): string {
  const payload = `v2.${Buffer.from(owner.username.toLowerCase()).toString('base64url')}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${mac(key, payload, owner)}`;
}

/**
 * The claim of a token this server signed for `owner` at its current epoch, or undefined (malformed, another key,
 * altered, another user's, or from before the owner's last password change, reset or log-out-everywhere).
 */
export function readDeviceToken(key: Buffer, token: string, owner: DeviceOwner): DeviceClaim | undefined {
  const m = /^(v2\.([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{22}))\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) return undefined;
  const username = Buffer.from(m[2], 'base64url').toString('utf8');
  if (username !== owner.username.toLowerCase()) return undefined;
  if (!constantTimeEqual(mac(key, m[1], owner), m[4])) return undefined;
  return { username, deviceId: m[3] };
}

export const deviceKeyFileName = 'device-cookie.key';

/** The signing key's length (SHA-256's output size, RFC 2104's minimum); a shorter key is refused, never used. */
export const deviceKeyBytes = 32;

/**
 * What the key file holds: a usable key, nothing (no file), or something unusable: empty (a crash or a full disk
 * between creating and writing it), not base64url, or too short. Pure.
 */
export function parseDeviceKey(
  text: string | undefined,
): { kind: 'key'; key: Buffer } | { kind: 'absent' } | { kind: 'unusable' } {
  if (text === undefined) return { kind: 'absent' };
  const trimmed = text.trim();
  // Buffer.from(…, 'base64url') skips characters it does not know: junk would decode to a short or empty key.
  if (!/^[A-Za-z0-9_-]+$/.test(trimmed)) return { kind: 'unusable' };
  const key = Buffer.from(trimmed, 'base64url');
  return key.length < deviceKeyBytes ? { kind: 'unusable' } : { kind: 'key', key };
}

/**
 * The signing key in `<dataDir>/device-cookie.key` (0600), made on first use; shared by restarts, never logged.
 * An unusable file is replaced atomically by a new key (cookies signed before are refused from then on): an empty
 * key would let anyone sign device cookies.
 */
export function ensureDeviceKey(files: PrivateFiles, dataDir: string, logger: Logger): Buffer {
  const file = path.join(dataDir, deviceKeyFileName);
  const found = parseDeviceKey(files.read(file));
  if (found.kind === 'key') return found.key;
  const fresh = randomBytes(deviceKeyBytes);
  const text = `${fresh.toString('base64url')}\n`;
  if (found.kind === 'absent') {
    if (files.createExclusive(file, text)) return fresh;
    // Another process made it first: its key is as good as ours, if it is whole.
    const raced = parseDeviceKey(files.read(file));
    if (raced.kind === 'key') return raced.key;
  }
  logger.warn(
    { file },
    'the device cookie key file was unusable (empty, not base64url or too short); replaced it with a new key, so earlier device cookies no longer count',
  );
  files.write(file, text);
  return fresh;
}

/** @module TOTP (RFC 6238) secrets, provisioning URIs and verification, plus recovery codes. */
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { toWellFormedText } from '../core/text.js';

const period = 30;
const digits = 6;

export function createTotpSecret(): string {
  // Stryker disable next-line ObjectLiteral: otpauth's default is 20 bytes too; kept explicit (RFC 4226 §4 asks for 160 bits)
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, issuer: string, label: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits, period, secret: Secret.fromBase32(secret) });
}

/**
 * The otpauth:// URI. Issuer and label come from the store, which may hold text an older version accepted; a lone
 * surrogate would make percent-encoding throw (URIError), so it becomes U+FFFD instead.
 */
export function provisioningUri(secret: string, issuer: string, label: string): string {
  return totpFor(secret, toWellFormedText(issuer), toWellFormedText(label)).toString();
}

export async function provisioningQrSvg(uri: string): Promise<string> {
  // Loaded when someone sets up two-factor login, not at start (a 1 GB box should not carry it idle).
  const { default: QRCode } = await import('qrcode');
  // Stryker disable next-line StringLiteral: qrcode's default level is M as well; the QR content is tested, not its redundancy
  const errorCorrectionLevel = 'M';
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel, margin: 2 });
}

/**
 * Checks `code` at `now` allowing one step of clock drift either way. Returns the matched time step, so the
 * caller can refuse a replay of the same or an earlier step, or undefined when the code is wrong.
 */
export function verifyTotp(secret: string, code: string, now: Date): number | undefined {
  // Malformed input is refused before any HMAC is computed.
  if (!/^\d{6}$/.test(code)) return undefined;
  const timestamp = now.getTime();
  // Stryker disable next-line StringLiteral: issuer and label only name the account in a URI; validation ignores them
  const delta = totpFor(secret, 'x', 'x').validate({ token: code, timestamp, window: 1 });
  if (delta === null) return undefined;
  return Math.floor(timestamp / 1000 / period) + delta;
}

/** Ten codes like `k7q2-m9xw-p4tz`, from an alphabet without look-alike characters. */
export function generateRecoveryCodes(count = 10): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: count }, () => {
    const bytes = randomBytes(12);
    // Stryker disable next-line StringLiteral: unreachable, the index is always inside the alphabet (noUncheckedIndexedAccess)
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length] ?? 'a').join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** @module A client config as a QR code a phone can scan (SVG or PNG); qrcode is loaded only when one is asked for. */
import type { Outcome } from '../core/outcome.js';

export interface QrTooLong {
  readonly code: 'wireguard.qr-too-long';
  readonly message: string;
  /** The text's size in UTF-8 bytes, and the most a code may carry. */
  readonly bytes: number;
  readonly limit: number;
}

/**
 * The largest QR version Gatehouse draws: 117 × 117 modules still scan from a screen, where v40 (2,953 bytes at L)
 * does not in practice (docs/design/wireguard-research.md 4.3: keep configs under ~1 KB, prefer L/M; a typical
 * full-tunnel config is ~370 bytes, v15 at M).
 */
export const maxQrVersion = 25;

/**
 * Byte-mode capacity of version 25 at level L (research 4.3 table): the most text the largest code can carry.
 * Text up to 997 bytes (v25 at M) is always drawn at M; larger text falls back to L.
 */
export const qrByteLimit = 1273;

/**
 * Draws `text` (a client config) as a QR code: error correction M when it fits version 25, else L; text that
 * would need a larger code is refused with a message pointing to the download or the one-time link.
 */
export async function renderQr(
  text: string,
  format: 'svg' | 'png',
): Promise<Outcome<string | Buffer, QrTooLong>> {
  const bytes = Buffer.byteLength(text); // UTF-8
  if (bytes > qrByteLimit)
    return {
      ok: false,
      error: {
        code: 'wireguard.qr-too-long',
        message:
          `this config is ${bytes} bytes, more than a QR code a phone can scan reliably holds (${qrByteLimit}): ` +
          'download the config file or send a one-time link instead',
        bytes,
        limit: qrByteLimit,
      },
    };
  const { default: QRCode } = await import('qrcode');
  // Within the byte limit, level L always fits version 25: the library segments text, never needing more bytes.
  // Stryker disable next-line StringLiteral,ObjectLiteral: qrcode's default level is M as well
  const level = QRCode.create(text, { errorCorrectionLevel: 'M' }).version <= maxQrVersion ? 'M' : 'L';
  const options = { errorCorrectionLevel: level, margin: 4 } as const;
  const image =
    format === 'svg'
      ? await QRCode.toString(text, { ...options, type: 'svg' })
      : // Stryker disable next-line StringLiteral: PNG is toBuffer's default type as well
        await QRCode.toBuffer(text, { ...options, type: 'png', scale: 6 });
  return { ok: true, value: image };
}

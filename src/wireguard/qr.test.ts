import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { maxQrVersion, qrByteLimit, renderQr } from './qr.js';

// Text that segments into byte mode only (lower case and `%` are not alphanumeric): the worst case for a length.
const bytesOf = (n: number) => 'a%'.repeat(n).slice(0, n);

const config = [
  '[Interface]',
  'PrivateKey = 4N1VLDoI7Un6PUxV8ijTV6b8R4CbRXHRqGuH7gwxa3o=',
  'Address = 10.8.0.2/32, fd8a:1b2c:3d4e::2/128',
  'DNS = 10.8.0.1',
  '',
  '[Peer]',
  'PublicKey = ZGcJhliLsPUNz2VuQK9+cgZTT4z9FNnwFMW+Jn6iYFA=',
  'PresharedKey = QZ6pvSj/E4cts2f0BBYv2Smeylmtaj0TvSDbeDXkfw8=',
  'AllowedIPs = 0.0.0.0/0, ::/0',
  'Endpoint = home.example.test:51820',
  'PersistentKeepalive = 25',
  '',
].join('\n');

/** The version of the code drawn in an SVG with a 4-module margin: its side is 17 + 4 × version + 8 modules. */
function svgVersion(svg: string): number {
  const m = /^<svg [^>]*viewBox="0 0 (\d+) \1"/.exec(svg);
  if (!m) throw new Error('no square viewBox');
  return (Number(m[1]) - 8 - 17) / 4;
}

/** The same from a PNG drawn at 6 pixels per module: the width in its IHDR chunk. */
function pngVersion(png: Buffer): number {
  return (png.readUInt32BE(16) / 6 - 8 - 17) / 4;
}

async function svg(text: string): Promise<string> {
  const r = await renderQr(text, 'svg');
  if (!r.ok) throw new Error(r.error.message);
  if (typeof r.value !== 'string') throw new Error('expected SVG text');
  return r.value;
}

async function png(text: string): Promise<Buffer> {
  const r = await renderQr(text, 'png');
  if (!r.ok) throw new Error(r.error.message);
  if (typeof r.value === 'string') throw new Error('expected a PNG buffer');
  return r.value;
}

describe('renderQr', () => {
  it('draws a config as well-formed SVG at level M', async () => {
    const image = await svg(config);
    expect(image).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" /);
    expect(image.trimEnd()).toMatch(/<\/svg>$/);
    expect(svgVersion(image)).toBe(QRCode.create(config, { errorCorrectionLevel: 'M' }).version);
    expect(svgVersion(image)).toBeLessThanOrEqual(15);
  });

  it('draws a config as a PNG at level M, 6 pixels per module', async () => {
    const image = await png(config);
    expect(image.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(image.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(image.readUInt32BE(16)).toBe(image.readUInt32BE(20));
    expect(pngVersion(image)).toBe(QRCode.create(config, { errorCorrectionLevel: 'M' }).version);
  });

  it.each([
    // Up to v25 at M: level M.
    [1, 'M', 1],
    [997, 'M', 25],
    // Beyond it, L (which needs a smaller code than M would have).
    [998, 'L', 22],
    [qrByteLimit, 'L', 25],
  ] as const)('%s bytes: level %s, version %s', async (n, level, version) => {
    const text = bytesOf(n);
    expect(QRCode.create(text, { errorCorrectionLevel: level }).version).toBe(version);
    expect(svgVersion(await svg(text))).toBe(version);
    expect(pngVersion(await png(text))).toBe(version);
    expect(version).toBeLessThanOrEqual(maxQrVersion);
  });

  it('keeps the limits of research 4.3: version 25, 1,273 bytes (its byte capacity at L)', () => {
    expect(maxQrVersion).toBe(25);
    expect(qrByteLimit).toBe(1273);
    expect(QRCode.create(bytesOf(qrByteLimit), { errorCorrectionLevel: 'L' }).version).toBe(25);
    expect(QRCode.create(bytesOf(qrByteLimit + 1), { errorCorrectionLevel: 'L' }).version).toBe(26);
  });

  it.each(['svg', 'png'] as const)(
    'refuses text beyond the limit (%s), counting UTF-8 bytes',
    async (format) => {
      const message = (bytes: number) =>
        `this config is ${bytes} bytes, more than a QR code a phone can scan reliably holds (1273): ` +
        'download the config file or send a one-time link instead';
      expect(await renderQr(bytesOf(qrByteLimit + 1), format)).toEqual({
        ok: false,
        error: { code: 'wireguard.qr-too-long', message: message(1274), bytes: 1274, limit: 1273 },
      });
      // 637 two-byte characters: 637 characters, 1,274 bytes.
      expect(await renderQr('é'.repeat(637), format)).toEqual({
        ok: false,
        error: { code: 'wireguard.qr-too-long', message: message(1274), bytes: 1274, limit: 1273 },
      });
      expect((await renderQr('é'.repeat(636), format)).ok).toBe(true);
    },
  );
});

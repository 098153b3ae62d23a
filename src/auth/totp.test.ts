import { TOTP } from 'otpauth';
import { describe, expect, it, vi } from 'vitest';
import {
  createTotpSecret,
  generateRecoveryCodes,
  normalizeRecoveryCode,
  provisioningQrSvg,
  provisioningUri,
  verifyTotp,
} from './totp.js';

/** RFC 6238 appendix B: the ASCII secret "12345678901234567890", SHA-1; six-digit codes are the last six digits. */
const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('verifyTotp', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('accepts the RFC 6238 code at t=%i and returns its time step', (seconds, code) => {
    expect(verifyTotp(rfcSecret, code, new Date(seconds * 1000))).toBe(Math.floor(seconds / 30));
  });

  it('allows one step of drift either way and returns the matched step', () => {
    const t = 1234567890; // step 41152263, code 005924
    const step = Math.floor(t / 30);
    expect(verifyTotp(rfcSecret, '005924', new Date((t + 30) * 1000))).toBe(step);
    expect(verifyTotp(rfcSecret, '005924', new Date((t - 30) * 1000))).toBe(step);
    expect(verifyTotp(rfcSecret, '005924', new Date((t + 60) * 1000))).toBeUndefined();
    expect(verifyTotp(rfcSecret, '005924', new Date((t - 60) * 1000))).toBeUndefined();
  });

  it.each([
    ['00592'],
    ['0059240'],
    ['abcdef'],
    [' 005924'],
    ['005924 '],
    ['00 5924'],
    ['x005924'],
    ['005924x'],
    [''],
  ])('refuses the malformed code %j without computing an HMAC', (code) => {
    const validate = vi.spyOn(TOTP.prototype, 'validate');
    try {
      expect(verifyTotp(rfcSecret, code, new Date(1234567890 * 1000))).toBeUndefined();
      expect(validate).not.toHaveBeenCalled();
    } finally {
      validate.mockRestore();
    }
  });

  it('refuses a code for another secret', () => {
    expect(verifyTotp(createTotpSecret(), '005924', new Date(1234567890 * 1000))).toBeUndefined();
  });
});

describe('secrets and provisioning', () => {
  it('creates distinct 160-bit base32 secrets', () => {
    const secrets = new Set(Array.from({ length: 20 }, () => createTotpSecret()));
    expect(secrets.size).toBe(20);
    for (const s of secrets) expect(s).toMatch(/^[A-Z2-7]{32}$/);
  });

  it('builds an otpauth URI an authenticator app understands', () => {
    const uri = new URL(provisioningUri(rfcSecret, 'Home gateway', 'admin'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Home gateway:admin');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'Home gateway',
      secret: rfcSecret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('turns a lone surrogate in the issuer or label (stored text) into U+FFFD instead of failing', () => {
    const uri = provisioningUri('JBSWY3DPEHPK3PXP', 'Home\ud800', 'ad\udc00min');
    expect(uri).toContain('issuer=Home%EF%BF%BD');
    expect(uri).toContain('ad%EF%BF%BDmin');
    // Well-formed text outside the BMP is kept as it is.
    expect(provisioningUri('JBSWY3DPEHPK3PXP', 'Home 🏠', 'admin')).toContain('issuer=Home%20%F0%9F%8F%A0');
  });

  it('renders the URI as an SVG QR code', async () => {
    const svg = await provisioningQrSvg(provisioningUri(rfcSecret, 'Gatehouse', 'admin'));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toContain('<script');
  });
});

describe('recovery codes', () => {
  it('generates ten distinct codes from an alphabet without look-alikes', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
      expect(code).not.toMatch(/[01ilo]/);
    }
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it.each([
    ['k7q2-m9xw-p4tz', 'k7q2m9xwp4tz'],
    ['K7Q2-M9XW-P4TZ', 'k7q2m9xwp4tz'],
    ['  k7q2 m9xw p4tz\n', 'k7q2m9xwp4tz'],
    ['k7q2m9xwp4tz', 'k7q2m9xwp4tz'],
  ])('normalizes %j', (input, expected) => {
    expect(normalizeRecoveryCode(input)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { checkKey, generateKeyPair, generatePresharedKey, publicKeyOf } from './keys.js';

// Known answers computed with wireguard-tools: `wg genkey | tee priv | wg pubkey` (the unclamped one: 32 bytes of
// /dev/urandom through `wg pubkey`, which clamps before multiplying, as X25519 itself does).
const vectors = [
  ['4N1VLDoI7Un6PUxV8ijTV6b8R4CbRXHRqGuH7gwxa3o=', 'ZGcJhliLsPUNz2VuQK9+cgZTT4z9FNnwFMW+Jn6iYFA='],
  ['8DZfu7DWUa6qytMAz8pfA8j2agNNS+Upk2ksIAgP3Wk=', 'aZwgVSduRyPks8WxR2UFQveyx4pWaE/t7a4YOVnVhmA='],
  ['QJWsL3FPJ1pgUIZUT6vpcyv8de7khQnLjk6kee67X1U=', 'kDIRKZzALATX5CcBPetoyGQIczay3iIxmkV6czUciAc='],
  ['QZ6pvSj/E4cts2f0BBYv2Smeylmtaj0TvSDbeDXkfw8=', 'amvjQ3dJ1bFahO56topx3ikGM46rWmF/8XiX2OVd8m0='],
  ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', 'L+V9o0fNYkMVKNqsX7spBzD/9oSvxM/C7ZCZX1jLO3Q='],
] as const;

describe('keys', () => {
  it.each(vectors)('publicKeyOf(%s) matches wg pubkey', (privateKey, publicKey) => {
    expect(publicKeyOf(privateKey)).toEqual({ ok: true, value: publicKey });
  });

  it('refuses a non-key without quoting it', () => {
    const text = `${vectors[0][0]}\n`;
    const r = publicKeyOf(text);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'wireguard.bad-key',
        message: 'not a private key: a WireGuard key is 44 characters of base64, this is 45',
      },
    });
    const near = publicKeyOf('4N1VLDoI7Un6PUxV8ijTV6b8R4CbRXHRqGuH7gwxa3p=');
    expect(near.ok).toBe(false);
    expect(JSON.stringify(near)).not.toContain('4N1VLDoI7U');
  });

  it('generates keypairs whose halves belong together, in the 44-character form, clamped like wg genkey', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { privateKey, publicKey } = generateKeyPair();
      expect(checkKey(privateKey)).toBeUndefined();
      expect(checkKey(publicKey)).toBeUndefined();
      expect(publicKeyOf(privateKey)).toEqual({ ok: true, value: publicKey });
      const raw = Buffer.from(privateKey, 'base64');
      expect((raw[0] ?? 1) & 7).toBe(0);
      expect((raw[31] ?? 0) & 0xc0).toBe(0x40);
      seen.add(privateKey);
    }
    expect(seen.size).toBe(20);
  });

  it('generates preshared keys of 32 random bytes', () => {
    const a = generatePresharedKey();
    const b = generatePresharedKey();
    expect(checkKey(a)).toBeUndefined();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it.each(vectors.flat())('checkKey accepts %s', (key) => {
    expect(checkKey(key)).toBeUndefined();
  });

  const length = (n: number) => `a WireGuard key is 44 characters of base64, this is ${n}`;
  const canonical = 'a WireGuard key is the canonical base64 of 32 bytes, ending in "="';
  const k = vectors[0][0];
  it.each([
    ['', length(0)],
    [k.slice(0, 43), length(43)],
    [`${k}=`, length(45)],
    [`${k}\n`, length(45)],
    [` ${k}`, length(45)],
    [`${k.slice(0, 43)}A`, canonical],
    [`${k.slice(0, 42)}==`, canonical],
    [`${k.slice(0, 42)}p=`, canonical],
    [`${k.slice(0, 42)}B=`, canonical],
    [`${k.slice(0, 42)}9=`, canonical],
    [`${k.slice(0, 42)}/=`, canonical],
    [`-${k.slice(1)}`, canonical],
    [`_${k.slice(1)}`, canonical],
    [`${k.slice(0, 10)} ${k.slice(11)}`, canonical],
    [`${k.slice(0, 10)}\n${k.slice(11)}`, canonical],
    [`${k.slice(0, 10)}=${k.slice(11)}`, canonical],
    ['é'.repeat(44), canonical],
  ])('checkKey refuses %j', (text, why) => {
    expect(checkKey(text)).toBe(why);
  });

  it.each(['A', 'E', 'I', 'M', 'Q', 'U', 'Y', 'c', 'g', 'k', 'o', 's', 'w', '0', '4', '8'])(
    'checkKey accepts %s as the last base64 digit (2 zero padding bits)',
    (c) => {
      expect(checkKey(`${k.slice(0, 42)}${c}=`)).toBeUndefined();
    },
  );
});

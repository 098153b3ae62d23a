import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import {
  ariCertId,
  ariCertIdFromDer,
  ariRecheckBoundsMs,
  boundAriRecheck,
  parseRenewalInfo,
  parseRetryAfter,
} from './ari.js';

// One small key for every test certificate: the identifier does not depend on it.
const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });

function certificate(input: {
  serialHex: string;
  /** hex keyIdentifier, or null for an AuthorityKeyIdentifier without one, or undefined for none at all */
  akiHex?: string | null;
  critical?: boolean;
  otherExtensions?: boolean;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = input.serialHex;
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2026-04-01T00:00:00Z');
  cert.setSubject([{ name: 'commonName', value: 'home.example.test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'Test Intermediate' }]);
  const extensions: object[] = [];
  if (input.otherExtensions === true) {
    extensions.push({ name: 'basicConstraints', cA: false });
    extensions.push({ name: 'subjectAltName', altNames: [{ type: 2, value: 'home.example.test' }] });
  }
  if (input.akiHex !== undefined) {
    extensions.push({
      name: 'authorityKeyIdentifier',
      critical: input.critical === true,
      ...(input.akiHex === null
        ? { serialNumber: '01' }
        : { keyIdentifier: forge.util.hexToBytes(input.akiHex) }),
    });
  }
  cert.setExtensions(extensions);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

function der(pem: string): Uint8Array {
  return Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(pem))).getBytes(),
    'binary',
  );
}

describe('ariCertId (RFC 9773 §4.1)', () => {
  it("gives the RFC's own example: AKI 69:88:5B:… and serial 00:87:65:43:21", () => {
    const pem = certificate({ serialHex: '0087654321', akiHex: '69885b6b87464041e1b37b847ba0ae2cde01c8d4' });
    expect(ariCertId(pem)).toEqual({ ok: true, value: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
  });

  it('keeps the serial as its DER content octets, without a leading zero when the high bit is clear', () => {
    const pem = certificate({ serialHex: '7f01', akiHex: '0102', otherExtensions: true });
    expect(ariCertId(pem)).toEqual({ ok: true, value: 'AQI.fwE' });
  });

  it('finds the AuthorityKeyIdentifier among other extensions, critical flag or not', () => {
    const pem = certificate({ serialHex: '01', akiHex: 'ff', critical: true, otherExtensions: true });
    expect(ariCertId(pem)).toEqual({ ok: true, value: '_w.AQ' });
  });

  it('reads the leaf of a chain (the first certificate)', () => {
    const leaf = certificate({ serialHex: '0a', akiHex: 'aa' });
    const issuer = certificate({ serialHex: '0b', akiHex: 'bb' });
    expect(ariCertId(`${leaf}${issuer}`)).toEqual({ ok: true, value: 'qg.Cg' });
  });

  it.each([
    [
      'no AuthorityKeyIdentifier',
      certificate({ serialHex: '01', otherExtensions: true }),
      'no AuthorityKeyIdentifier extension',
    ],
    ['no extensions at all', certificate({ serialHex: '01' }), 'no extensions'],
    [
      'an AuthorityKeyIdentifier without a keyIdentifier',
      certificate({ serialHex: '01', akiHex: null }),
      'no keyIdentifier in the AuthorityKeyIdentifier',
    ],
    ['text that is no PEM', 'hello', 'not a PEM certificate'],
    [
      'a PEM that is no certificate',
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      'not a PEM certificate',
    ],
  ])('fails for %s', (_name, pem, message) => {
    expect(ariCertId(pem)).toEqual({ ok: false, error: message });
  });
});

describe('ariCertIdFromDer on damaged input', () => {
  const good = der(
    certificate({ serialHex: '0087654321', akiHex: '69885b6b87464041e1b37b847ba0ae2cde01c8d4' }),
  );

  it('reads the undamaged certificate', () => {
    expect(ariCertIdFromDer(good)).toEqual({ ok: true, value: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' });
  });

  it.each([
    ['an empty buffer', Uint8Array.of(), 'truncated element at 0'],
    ['a truncated certificate', good.subarray(0, 40), /runs past its container/],
    [
      'a SEQUENCE whose first element is no SEQUENCE',
      Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01),
      'no TBSCertificate',
    ],
    ['an empty SEQUENCE', Uint8Array.of(0x30, 0x00), 'no TBSCertificate'],
    [
      'a certificate whose content runs over',
      Uint8Array.of(0x30, 0x02, 0x02, 0x05),
      'element at 2 runs past its container',
    ],
    [
      'a TBSCertificate without a serial',
      Uint8Array.of(0x30, 0x04, 0x30, 0x02, 0x05, 0x00),
      'no serial number',
    ],
    [
      'a TBSCertificate with only a version',
      Uint8Array.of(0x30, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x02, 0x01, 0x02),
      'no serial number',
    ],
    [
      'a garbled TBSCertificate',
      Uint8Array.of(0x30, 0x04, 0x30, 0x02, 0x02, 0x05),
      'element at 4 runs past its container',
    ],
  ])('fails for %s', (_name, input, message) => {
    const result = ariCertIdFromDer(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  // Hand-built TBSCertificates: serial 01, then [3] holding the extension list.
  const tbsWith = (extensionsContent: number[]) => {
    const ext3 = [0xa3, extensionsContent.length, ...extensionsContent];
    const tbs = [0x30, 3 + ext3.length, 0x02, 0x01, 0x01, ...ext3];
    return Uint8Array.from([0x30, tbs.length, ...tbs]);
  };
  const akiExtension = (value: number[]) => [0x30, 5 + value.length, 0x06, 0x03, 0x55, 0x1d, 0x23, ...value];

  it.each([
    ['a [3] that holds no SEQUENCE', [0x30], /truncated/],
    ['an extension list that runs over', [0x30, 0x05, 0x30, 0x09], /runs past/],
    ['an extension that runs over', [0x30, 0x04, 0x30, 0x05, 0x06, 0x00], /runs past/],
    [
      'an AuthorityKeyIdentifier whose value is no OCTET STRING',
      (() => {
        const e = akiExtension([0x02, 0x01, 0x00]);
        return [0x30, e.length, ...e];
      })(),
      'garbled AuthorityKeyIdentifier',
    ],
    [
      'an AuthorityKeyIdentifier without a value',
      (() => {
        const e = akiExtension([]);
        return [0x30, e.length, ...e];
      })(),
      'garbled AuthorityKeyIdentifier',
    ],
    [
      'an AuthorityKeyIdentifier value that is no DER',
      (() => {
        const e = akiExtension([0x04, 0x01, 0x30]);
        return [0x30, e.length, ...e];
      })(),
      /truncated/,
    ],
    [
      'an AuthorityKeyIdentifier whose fields run over',
      (() => {
        const e = akiExtension([0x04, 0x04, 0x30, 0x02, 0x80, 0x05]);
        return [0x30, e.length, ...e];
      })(),
      /runs past/,
    ],
    [
      'an extension whose first element is no OID',
      [0x30, 0x07, 0x30, 0x05, 0x04, 0x03, 0x55, 0x1d, 0x23],
      'no AuthorityKeyIdentifier extension',
    ],
    [
      'another extension with a longer OID',
      [0x30, 0x08, 0x30, 0x06, 0x06, 0x04, 0x55, 0x1d, 0x23, 0x00],
      'no AuthorityKeyIdentifier extension',
    ],
  ])('fails for %s', (_name, extensions, message) => {
    const result = ariCertIdFromDer(tbsWith(extensions));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it.each([
    ['an empty extension', [0x30, 0x02, 0x30, 0x00], 'no AuthorityKeyIdentifier extension'],
    [
      'an OID that is a prefix of the AKI OID',
      [0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x55, 0x1d],
      'no AuthorityKeyIdentifier extension',
    ],
    [
      'an extension whose parts run over',
      [0x30, 0x04, 0x30, 0x02, 0x06, 0x05],
      'element at 13 runs past its container',
    ],
  ])('walks past or refuses %s', (_name, extensions, message) => {
    expect(ariCertIdFromDer(tbsWith(extensions))).toEqual({ ok: false, error: message });
  });

  it('reads a hand-built AuthorityKeyIdentifier with a keyIdentifier', () => {
    const e = akiExtension([0x04, 0x05, 0x30, 0x03, 0x80, 0x01, 0xab]);
    expect(ariCertIdFromDer(tbsWith([0x30, e.length, ...e]))).toEqual({ ok: true, value: 'qw.AQ' });
  });
});

describe('parseRenewalInfo (RFC 9773 §4.2)', () => {
  it('reads the window and the explanation URL', () => {
    expect(
      parseRenewalInfo({
        suggestedWindow: { start: '2026-01-02T04:00:00Z', end: '2026-01-03T04:00:00Z' },
        explanationURL: 'https://acme.example.com/docs/ari',
      }),
    ).toEqual({
      ok: true,
      value: {
        start: new Date('2026-01-02T04:00:00Z'),
        end: new Date('2026-01-03T04:00:00Z'),
        explanationUrl: 'https://acme.example.com/docs/ari',
      },
    });
  });

  it('accepts offsets, fractions and unknown members; the explanation URL is optional', () => {
    expect(
      parseRenewalInfo({
        suggestedWindow: { start: '2026-01-02T05:00:00.5+01:00', end: '2026-01-01T23:00:01-05:00' },
        somethingNew: true,
      }),
    ).toEqual({
      ok: true,
      value: {
        start: new Date('2026-01-02T04:00:00.500Z'),
        end: new Date('2026-01-02T04:00:01Z'),
        explanationUrl: null,
      },
    });
  });

  it.each([
    [
      'the end before the start',
      { suggestedWindow: { start: '2026-01-03T00:00:00Z', end: '2026-01-02T00:00:00Z' } },
      'the suggested window ends before it starts',
    ],
    [
      'an empty window',
      { suggestedWindow: { start: '2026-01-03T00:00:00Z', end: '2026-01-03T00:00:00Z' } },
      'the suggested window ends before it starts',
    ],
    ['no window', {}, /not a renewalInfo answer/],
    ['no end', { suggestedWindow: { start: '2026-01-03T00:00:00Z' } }, /suggestedWindow\.end/],
    [
      'a date that is no RFC 3339 time',
      { suggestedWindow: { start: 'Jan 3 2026', end: '2026-01-04T00:00:00Z' } },
      /suggestedWindow\.start/,
    ],
    [
      'an explanation that is no URL',
      {
        suggestedWindow: { start: '2026-01-03T00:00:00Z', end: '2026-01-04T00:00:00Z' },
        explanationURL: 'see docs',
      },
      /explanationURL/,
    ],
    ['no object', 'window', /not a renewalInfo answer/],
  ])('refuses %s', (_name, body, message) => {
    const result = parseRenewalInfo(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-02T03:04:05Z');
  it.each([
    ['seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['seconds with spaces', ' 7 ', 7_000],
    ['an HTTP-date ahead', 'Fri, 02 Jan 2026 03:05:05 GMT', 60_000],
    ['an HTTP-date past', 'Fri, 02 Jan 2026 03:00:00 GMT', 0],
    ['absent', undefined, null],
    ['null', null, null],
    ['empty', '', null],
    ['negative seconds', '-5', null],
    ['fractional seconds', '1.5', null],
    ['letters that are no date', 'soon', null],
  ])('%s', (_name, header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('boundAriRecheck (RFC 9773 §4.3)', () => {
  it.each([
    [0, ariRecheckBoundsMs.min],
    [59_999, 60_000],
    [60_000, 60_000],
    [3_600_000, 3_600_000],
    [86_400_000, 86_400_000],
    [86_400_001, 86_400_000],
  ])('%i ms → %i ms', (input, expected) => {
    expect(boundAriRecheck(input)).toBe(expected);
  });
});

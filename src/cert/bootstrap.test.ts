/** @module The bootstrap certificate: what a new one contains, its fingerprint and expiry, reuse and renewal. */
import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nodePrivateFiles } from '../core/node-fs.js';
import {
  createSelfSignedCertificate,
  ensureBootstrapCertificate,
  expiresWithin,
  fingerprintSha256,
} from './bootstrap.js';

const now = new Date('2026-11-28T10:00:00.000Z');
const day = 86_400_000;

function certificate(validDays: number, at = now) {
  return createSelfSignedCertificate({
    commonName: 'gatehouse-box',
    dnsNames: ['gatehouse-box', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    now: at,
    validDays,
  });
}

describe('createSelfSignedCertificate', () => {
  it('makes a self-signed server certificate for the names and addresses given, with its own key', () => {
    const { key, cert } = certificate(825);
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toContain('CN=gatehouse-box');
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.subjectAltName).toBe(
      'DNS:gatehouse-box, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(x509.ca).toBe(false);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x509.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048 });
    // Valid from a minute before `now` (clock skew) for validDays.
    expect(new Date(x509.validFrom).getTime()).toBe(now.getTime() - 60_000);
    expect(new Date(x509.validTo).getTime()).toBe(now.getTime() + 825 * day);
  });

  it('gives every certificate its own key and serial number', () => {
    const a = new X509Certificate(certificate(1).cert);
    const b = new X509Certificate(certificate(1).cert);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    expect(a.publicKey.export({ format: 'der', type: 'spki' })).not.toEqual(
      b.publicKey.export({ format: 'der', type: 'spki' }),
    );
  });
});

describe('fingerprintSha256', () => {
  it('is the SHA-256 of the DER form, as colon-separated upper-case hex', () => {
    const { cert } = certificate(10);
    const der = new X509Certificate(cert).raw;
    const hex = createHash('sha256').update(der).digest('hex').toUpperCase();
    expect(fingerprintSha256(cert)).toBe(hex.match(/../g)?.join(':'));
    expect(fingerprintSha256(cert)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

describe('expiresWithin', () => {
  const { cert } = certificate(10);
  it.each([
    { at: now, days: 11, expected: true },
    { at: now, days: 10, expected: false },
    { at: new Date(now.getTime() + 1), days: 10, expected: true },
    { at: now, days: 9, expected: false },
    { at: new Date(now.getTime() + 20 * day), days: 0, expected: true },
  ])('$days days from $at: $expected', ({ at, days, expected }) => {
    expect(expiresWithin(cert, at, days)).toBe(expected);
  });
});

describe('ensureBootstrapCertificate', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-tls-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const names = { hostname: 'gatehouse-box', listenHost: '0.0.0.0' };
  const keyFile = () => path.join(dir, 'tls', 'bootstrap.key');
  const certFile = () => path.join(dir, 'tls', 'bootstrap.crt');

  it('creates the key (0600) and certificate on first run and reuses them afterwards', () => {
    const first = ensureBootstrapCertificate(nodePrivateFiles, dir, names, now);
    expect(first.created).toBe(true);
    expect(fs.readFileSync(certFile(), 'utf8')).toBe(first.cert);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(first.key);
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect(first.fingerprintSha256).toBe(new X509Certificate(first.cert).fingerprint256);
    // A wildcard listen address is no name to put in the certificate.
    expect(new X509Certificate(first.cert).subjectAltName).toBe(
      'DNS:gatehouse-box, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );

    const again = ensureBootstrapCertificate(
      nodePrivateFiles,
      dir,
      names,
      new Date(now.getTime() + 794 * day),
    );
    expect(again).toEqual({ ...first, created: false });
  });

  it('replaces the certificate 30 days before it expires', () => {
    const first = ensureBootstrapCertificate(nodePrivateFiles, dir, names, now);
    const renewed = ensureBootstrapCertificate(
      nodePrivateFiles,
      dir,
      names,
      new Date(now.getTime() + 796 * day),
    );
    expect(renewed.created).toBe(true);
    expect(renewed.fingerprintSha256).not.toBe(first.fingerprintSha256);
    expect(renewed.key).not.toBe(first.key);
    expect(fs.readFileSync(certFile(), 'utf8')).toBe(renewed.cert);
  });

  it('names a specific listen address in the certificate', () => {
    const v4 = ensureBootstrapCertificate(
      nodePrivateFiles,
      dir,
      { hostname: 'box', listenHost: '10.1.2.3' },
      now,
    );
    expect(new X509Certificate(v4.cert).subjectAltName).toBe(
      'DNS:box, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.1.2.3',
    );
    fs.rmSync(path.join(dir, 'tls'), { recursive: true });
    const named = ensureBootstrapCertificate(
      nodePrivateFiles,
      dir,
      { hostname: 'box', listenHost: 'gatehouse.home.arpa' },
      now,
    );
    expect(new X509Certificate(named.cert).subjectAltName).toBe(
      'DNS:box, DNS:localhost, DNS:gatehouse.home.arpa, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
  });
});

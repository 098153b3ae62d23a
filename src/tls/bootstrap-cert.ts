/**
 * @module A self-signed bootstrap certificate so the UI is HTTPS off loopback until ACME replaces it. An existing
 * certificate is read with node:crypto; node-forge, which only builds a new one (about once in two years), is
 * loaded then and not at start: it costs a few MB that a 1 GB box should not carry for nothing.
 */
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import type forgeModule from 'node-forge';
import type { PrivateFiles } from '../core/node-fs.js';

export interface KeyAndCert {
  readonly key: string;
  readonly cert: string;
}

export interface BootstrapCertificate extends KeyAndCert {
  readonly fingerprintSha256: string;
  readonly created: boolean;
}

/** node-forge is CommonJS: a synchronous require on first use keeps the callers synchronous. */
function loadForge(): typeof forgeModule {
  return createRequire(import.meta.url)('node-forge') as typeof forgeModule;
}

/** Builds a self-signed certificate valid for the given DNS names and IP addresses. Pure apart from randomness. */
export function createSelfSignedCertificate(input: {
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  now: Date;
  validDays: number;
}): KeyAndCert {
  const forge = loadForge();
  // The key comes from node:crypto (forge would call the same under Node); forge only builds and signs the certificate.
  const keyPem = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }).privateKey;
  const privateKey = forge.pki.privateKeyFromPem(keyPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  // A positive serial of 16 bytes: the leading 01 keeps the top bit clear.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(input.now.getTime() - 60_000);
  cert.validity.notAfter = new Date(input.now.getTime() + input.validDays * 86_400_000);
  const attrs = [
    { name: 'commonName', value: input.commonName },
    { name: 'organizationName', value: 'Gatehouse bootstrap (self-signed)' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...input.dnsNames.map((value) => ({ type: 2, value })),
        ...input.ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}

export function expiresWithin(certPem: string, now: Date, days: number): boolean {
  // validTo reads like "Feb 28 01:02:03 2029 GMT", which Date parses.
  const notAfter = new Date(new X509Certificate(certPem).validTo);
  return notAfter.getTime() - now.getTime() < days * 86_400_000;
}

/** SHA-256 of the certificate's DER form as `AB:CD:…`, the way browsers and `openssl x509 -fingerprint` show it. */
export function fingerprintSha256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Loads `<dataDir>/tls/bootstrap.{key,crt}` or creates them on first run (key file 0600). */
export function ensureBootstrapCertificate(
  files: PrivateFiles,
  dataDir: string,
  names: { hostname: string; listenHost: string },
  now: Date,
): BootstrapCertificate {
  const keyFile = path.join(dataDir, 'tls', 'bootstrap.key');
  const certFile = path.join(dataDir, 'tls', 'bootstrap.crt');
  const key = files.read(keyFile);
  const cert = files.read(certFile);
  // Reused until 30 days before it expires, then replaced (a bootstrap certificate is never left to lapse).
  if (key !== undefined && cert !== undefined && !expiresWithin(cert, now, 30)) {
    return { key, cert, fingerprintSha256: fingerprintSha256(cert), created: false };
  }
  const isIp = /^[\d.]+$|:/.test(names.listenHost);
  const wildcardHost = names.listenHost === '0.0.0.0' || names.listenHost === '::';
  const dnsNames = [...new Set([names.hostname, 'localhost', ...(!isIp ? [names.listenHost] : [])])];
  const ipAddresses = [
    ...new Set(['127.0.0.1', '::1', ...(isIp && !wildcardHost ? [names.listenHost] : [])]),
  ];
  const created = createSelfSignedCertificate({
    commonName: names.hostname,
    dnsNames,
    ipAddresses,
    now,
    validDays: 825,
  });
  files.write(keyFile, created.key);
  files.write(certFile, created.cert);
  return { ...created, fingerprintSha256: fingerprintSha256(created.cert), created: true };
}

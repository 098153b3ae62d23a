/** @module A self-signed bootstrap certificate (node-forge) so the UI is HTTPS off loopback until ACME replaces it. */
import path from 'node:path';
import forge from 'node-forge';
import type { PrivateFiles } from '../core/node-fs.js';

export interface KeyAndCert {
  readonly key: string;
  readonly cert: string;
}

export interface BootstrapCertificate extends KeyAndCert {
  readonly fingerprintSha256: string;
  readonly created: boolean;
}

/** Builds a self-signed certificate valid for the given DNS names and IP addresses. Pure apart from randomness. */
export function createSelfSignedCertificate(input: {
  commonName: string;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  now: Date;
  validDays: number;
}): KeyAndCert {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
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
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: forge.pki.privateKeyToPem(keys.privateKey), cert: forge.pki.certificateToPem(cert) };
}

export function expiresWithin(certPem: string, now: Date, days: number): boolean {
  const notAfter = forge.pki.certificateFromPem(certPem).validity.notAfter;
  return notAfter.getTime() - now.getTime() < days * 86_400_000;
}

export function fingerprintSha256(certPem: string): string {
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem))).getBytes();
  const md = forge.md.sha256.create();
  md.update(der);
  return (md.digest().toHex().match(/.{2}/g) ?? []).join(':').toUpperCase();
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

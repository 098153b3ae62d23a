/**
 * @module A self-signed bootstrap certificate so the UI is HTTPS off loopback until ACME replaces it. An existing
 * certificate is read with node:crypto; node-forge, which only builds a new one (about once in two years), is
 * loaded then and not at start: it costs a few MB that a 1 GB box should not carry for nothing.
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import type forgeModule from 'node-forge';
import { FatalStartupError } from '../core/errors.js';
import type { PrivateFiles } from '../core/node-fs.js';
import { parseListen } from '../config/schema.js';

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

/**
 * Why a key and certificate cannot be used, or undefined when they can: both parse, they belong together, and the
 * certificate's names parse and include `names` (OpenSSL reads a malformed subjectAltName as none at all).
 */
export function unusableReason(
  key: string,
  cert: string,
  names: { readonly dnsNames: readonly string[]; readonly ipAddresses: readonly string[] } = {
    dnsNames: [],
    ipAddresses: [],
  },
): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    return `the certificate does not parse (${(e as Error).message})`;
  }
  // Typed `string | undefined`, but Node gives null for an extension OpenSSL cannot decode.
  if (!x509.subjectAltName)
    return 'the certificate names no host (its subjectAltName is missing or does not parse)';
  const missing = [
    ...names.dnsNames.filter((n) => x509.checkHost(n) === undefined),
    ...names.ipAddresses.filter((ip) => x509.checkIP(ip) === undefined),
  ];
  if (missing.length > 0) return `the certificate does not name ${missing.join(', ')}`;
  try {
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'the key does not belong to the certificate';
  } catch (e) {
    return `the key does not parse (${(e as Error).message})`;
  }
  return undefined;
}

/**
 * Loads `<dataDir>/tls/bootstrap.{key,crt}` or creates them on first run (key file 0600). A pair that does not
 * parse (a disk fault, a hand edit, or an older version's bad certificate) is replaced, and `replaced` says why,
 * for a warning. A new pair is written only once it parses: a bad one would stop every later start.
 */
export function ensureBootstrapCertificate(
  files: PrivateFiles,
  dataDir: string,
  names: { hostname: string; listenHost: string },
  now: Date,
): BootstrapCertificate & { readonly replaced?: string } {
  const keyFile = path.join(dataDir, 'tls', 'bootstrap.key');
  const certFile = path.join(dataDir, 'tls', 'bootstrap.crt');
  const key = files.read(keyFile);
  const cert = files.read(certFile);
  let replaced: string | undefined;
  if (key !== undefined && cert !== undefined) {
    const reason = unusableReason(key, cert);
    // Reused until 30 days before it expires, then replaced (a bootstrap certificate is never left to lapse).
    if (reason === undefined && !expiresWithin(cert, now, 30)) {
      return { key, cert, fingerprintSha256: fingerprintSha256(cert), created: false };
    }
    if (reason !== undefined) replaced = `${certFile}: ${reason}`;
  }
  // The same check as the setting's: a host that is neither an address nor a host name never reaches the certificate.
  const checked = parseListen(
    isIP(names.listenHost) === 6 ? `[${names.listenHost}]:0` : `${names.listenHost}:0`,
  );
  if (typeof checked === 'string') {
    throw new FatalStartupError(
      `cannot make the bootstrap certificate for the listen address (--listen, GATEHOUSE_LISTEN): ${checked}`,
      'listen on an IP address or a host name of this machine',
    );
  }
  const listenHost = checked.host;
  const family = isIP(listenHost);
  const wildcardHost = listenHost === '0.0.0.0' || listenHost === '::';
  const dnsNames = [...new Set([names.hostname, 'localhost', ...(family === 0 ? [listenHost] : [])])];
  const ipAddresses = [
    ...new Set(['127.0.0.1', '::1', ...(family !== 0 && !wildcardHost ? [listenHost] : [])]),
  ];
  let created: KeyAndCert;
  try {
    created = createSelfSignedCertificate({
      commonName: names.hostname,
      dnsNames,
      ipAddresses,
      now,
      validDays: 825,
    });
  } catch (e) {
    throw new FatalStartupError(
      `cannot make the bootstrap certificate for the listen address "${names.listenHost}" (--listen, GATEHOUSE_LISTEN): ${(e as Error).message}`,
      'listen on an IP address or a host name of this machine',
      { cause: e },
    );
  }
  const problem = unusableReason(created.key, created.cert, { dnsNames, ipAddresses });
  if (problem !== undefined) {
    throw new FatalStartupError(
      `cannot make the bootstrap certificate for the listen address "${names.listenHost}" (--listen, GATEHOUSE_LISTEN): ${problem}`,
      'listen on an IP address or a host name of this machine',
    );
  }
  files.write(keyFile, created.key);
  files.write(certFile, created.cert);
  return {
    ...created,
    fingerprintSha256: fingerprintSha256(created.cert),
    created: true,
    ...(replaced === undefined ? {} : { replaced }),
  };
}

/** The DNS names and IP addresses a certificate (PEM, leaf first) is valid for; empty when it does not parse. */
export function certificateNames(certPem: string): string[] {
  try {
    const san = new X509Certificate(certPem).subjectAltName ?? '';
    return san
      .split(', ')
      .map((entry) => /^(?:DNS:|IP Address:)(.+)$/.exec(entry)?.[1])
      .filter((v): v is string => v !== undefined);
  } catch {
    return [];
  }
}

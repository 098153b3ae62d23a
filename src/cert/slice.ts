/**
 * @module The certificate slice of the store: the ACME account (its key lives in the secrets port), the certificate
 * the user wants, the one in use with its history, and the renewal state. Certificate PEM files sit 0600 under
 * `<dataDir>/certs/`, their private keys in the secrets port (`cert/key-<serial>`).
 */
import { z } from 'zod';
import { defineSlice, isoDate } from '../store/slice.js';

export const challengeTypeSchema = z.enum(['http-01', 'dns-01']);

export const accountSchema = z
  .object({
    directoryUrl: z.string().min(1).max(2048),
    email: z.string().max(254).nullable(),
    /** The terms the user agreed to (the directory's `termsOfService` at that time). */
    termsOfService: z.string().max(2048).nullable(),
    termsAgreedAt: isoDate.nullable(),
    /** External Account Binding key id; its HMAC key is the secret `cert/eab-hmac-key`. */
    eabKid: z.string().max(512).nullable(),
    /** The account's URL at the CA, once created. */
    accountUrl: z.string().max(2048).nullable(),
    /** Extra CA certificates (PEM) trusted for the directory's TLS, besides the system's and `acme.caBundleFile`. */
    caBundlePem: z
      .string()
      .max(256 * 1024)
      .nullable(),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .strict();

export type AcmeAccount = z.infer<typeof accountSchema>;

export const wantedSchema = z
  .object({
    names: z.array(z.string().min(1).max(253)).min(1).max(100),
    challenge: z.enum(['auto', 'http-01', 'dns-01']),
    keyType: z.enum(['ecdsa-p256', 'rsa-2048']),
    createdAt: isoDate,
    updatedAt: isoDate,
  })
  .strict();

export type WantedCertificate = z.infer<typeof wantedSchema>;

export const issuedSchema = z
  .object({
    /** Lowercase hex without separators; also the name of its files. */
    serial: z.string().regex(/^[0-9a-f]{1,64}$/),
    fingerprintSha256: z.string().max(128),
    names: z.array(z.string().max(253)).max(100),
    issuer: z.string().max(512),
    notBefore: isoDate,
    notAfter: isoDate,
    issuedAt: isoDate,
    challenge: challengeTypeSchema,
    /** RFC 9773 §4.1 CertID: what `renewalInfo` and a new order's `replaces` name this certificate by. */
    ariCertId: z.string().max(512).nullable(),
    /** The serial of the certificate this one replaced. */
    replaced: z.string().max(64).nullable(),
  })
  .strict();

export type IssuedCertificate = z.infer<typeof issuedSchema>;

export const failureKindSchema = z.enum([
  'config',
  'unreachable',
  'rate-limited',
  'challenge',
  'rejected',
  'transient',
]);

export const renewalStateSchema = z
  .object({
    ari: z
      .object({
        start: isoDate,
        end: isoDate,
        explanationUrl: z.string().max(2048).nullable(),
        fetchedAt: isoDate,
        nextCheckAt: isoDate,
        /** The instant picked in the window (RFC 9773 §4.2: at random, once per window). */
        chosenAt: isoDate,
      })
      .strict()
      .nullable(),
    /** Consecutive failed attempts since the last success. */
    failures: z.number().int().min(0),
    lastError: z
      .object({
        at: isoDate,
        kind: failureKindSchema,
        message: z.string().max(2000),
        challenge: challengeTypeSchema.nullable(),
        retryAfterMs: z.number().int().min(0).nullable(),
      })
      .strict()
      .nullable(),
    nextAttemptAt: isoDate.nullable(),
    lastAttemptAt: isoDate.nullable(),
    lastSuccessAt: isoDate.nullable(),
  })
  .strict();

export type RenewalState = z.infer<typeof renewalStateSchema>;

export const certStateSchema = z
  .object({
    account: accountSchema.nullable(),
    certificate: wantedSchema.nullable(),
    current: issuedSchema.nullable(),
    renewal: renewalStateSchema,
    /** Earlier certificates, newest first (at most {@link historyLimit}). */
    history: z.array(issuedSchema).max(50),
  })
  .strict();

export type CertState = z.infer<typeof certStateSchema>;

export const historyLimit = 20;

export function emptyRenewal(): RenewalState {
  return {
    ari: null,
    failures: 0,
    lastError: null,
    nextAttemptAt: null,
    lastAttemptAt: null,
    lastSuccessAt: null,
  };
}

export function emptyCert(): CertState {
  return { account: null, certificate: null, current: null, renewal: emptyRenewal(), history: [] };
}

export const certSlice = defineSlice({
  owner: 'cert',
  shape: { cert: certStateSchema },
  empty: () => ({ cert: emptyCert() }),
  introducedIn: 8,
});

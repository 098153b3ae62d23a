/**
 * @module What the API, the UI and the CLI see of the certificate capability (GET /cert), and the inputs they send.
 * The zod schemas describe the OpenAPI document and validate request bodies; secrets are write-only (the view says
 * only whether the EAB key is set).
 */
import { z } from '@hono/zod-openapi';

export const challengeSettingSchema = z.enum(['auto', 'http-01', 'dns-01']);
export const keyTypeSchema = z.enum(['ecdsa-p256', 'rsa-2048']);
const challengeType = z.enum(['http-01', 'dns-01']);
const failureKind = z.enum(['config', 'unreachable', 'rate-limited', 'challenge', 'rejected', 'transient']);

/** An issued certificate as the view shows it (also the `current` of an issue/renew answer). */
export const issuedViewSchema = z.object({
  serial: z.string(),
  names: z.array(z.string()),
  issuer: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  issuedAt: z.string(),
  challenge: challengeType,
});

export const renewalStates = ['none', 'waiting', 'due', 'running', 'failing', 'stopped'] as const;

export const certViewSchema = z
  .object({
    /** `acme.enabled` in the config file. */
    enabled: z.boolean(),
    account: z
      .object({
        directoryUrl: z.string(),
        email: z.string().nullable(),
        termsOfService: z.string().nullable(),
        termsAgreedAt: z.string().nullable(),
        eabKid: z.string().nullable(),
        eabHmacKeySet: z.boolean(),
        accountUrl: z.string().nullable(),
        caBundleSet: z.boolean(),
      })
      .nullable(),
    certificate: z
      .object({ names: z.array(z.string()), challenge: challengeSettingSchema, keyType: keyTypeSchema })
      .nullable(),
    /** The hostnames DDNS keeps pointed at this box: what a certificate usually names. */
    suggestedNames: z.array(z.string()),
    current: issuedViewSchema.nullable(),
    serving: z.object({
      kind: z.enum(['acme', 'bootstrap', 'none']),
      names: z.array(z.string()),
      notAfter: z.string().nullable(),
      fingerprintSha256: z.string().nullable(),
    }),
    renewal: z.object({
      state: z.enum(renewalStates),
      nextAt: z.string().nullable(),
      reason: z.string(),
      ari: z.object({ start: z.string(), end: z.string(), explanationUrl: z.string().nullable() }).nullable(),
      failures: z.number(),
      lastError: z
        .object({
          at: z.string(),
          kind: failureKind,
          message: z.string(),
          challenge: challengeType.nullable(),
        })
        .nullable(),
      lastSuccessAt: z.string().nullable(),
    }),
    challenge: z.object({
      chosen: challengeType.nullable(),
      why: z.string(),
      warnings: z.array(z.string()),
    }),
    history: z.array(
      z.object({
        serial: z.string(),
        names: z.array(z.string()),
        notBefore: z.string(),
        notAfter: z.string(),
        issuedAt: z.string(),
      }),
    ),
  })
  .openapi('Certificate');

export type CertView = z.infer<typeof certViewSchema>;

export const directoryViewSchema = z
  .object({
    url: z.string(),
    termsOfService: z.string().nullable(),
    website: z.string().nullable(),
    externalAccountRequired: z.boolean(),
    renewalInfo: z.string().nullable(),
  })
  .openapi('AcmeDirectory');

/** The well-known directories the UI offers (hostnames: never fetched by a test). */
export const knownDirectories = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

const pem = z.string().max(256 * 1024);

export const accountInputSchema = z
  .object({
    directoryUrl: z
      .url()
      .max(2048)
      .refine((u) => u.startsWith('https://'), 'must be an https:// URL (RFC 8555 requires HTTPS)'),
    email: z.email().max(254).nullable().optional(),
    /** The CA's terms must be agreed explicitly. */
    agreeTerms: z.boolean(),
    eab: z
      .object({ kid: z.string().min(1).max(512), hmacKey: z.string().min(16).max(1024) })
      .strict()
      .nullable()
      .optional(),
    caBundlePem: pem
      .refine((t) => t.includes('-----BEGIN CERTIFICATE-----'), 'must hold PEM certificates')
      .nullable()
      .optional(),
  })
  .strict()
  .openapi('AcmeAccountInput');

export type AccountInput = z.infer<typeof accountInputSchema>;

export const certificateInputSchema = z
  .object({
    names: z.array(z.string().min(1).max(253)).min(1).max(100),
    challenge: challengeSettingSchema.default('auto'),
    keyType: keyTypeSchema.default('ecdsa-p256'),
  })
  .strict()
  .openapi('CertificateInput');

export type CertificateInput = z.input<typeof certificateInputSchema>;

export const runInputSchema = z
  .object({
    /** Wait for the result (the CLI); without it the answer is 202 and the UI polls GET /cert. */
    wait: z.boolean().default(false),
  })
  .strict();

export const runResultSchema = z
  .union([
    z.object({ started: z.literal(true) }),
    z.object({ ok: z.literal(true), current: certViewSchema.shape.current }),
    z.object({
      ok: z.literal(false),
      error: z.object({ kind: failureKind.or(z.literal('busy')), message: z.string() }),
    }),
  ])
  .openapi('CertificateRun');

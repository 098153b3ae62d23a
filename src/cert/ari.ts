/**
 * @module ACME Renewal Information (RFC 9773), the pure part: the certificate identifier of §4.1, the renewalInfo
 * answer of §4.2 (zod, with the window checked) and the Retry-After header (RFC 9110 §10.2.3) as a delay from `now`.
 * The request itself is the adapter's (acme-client.ts).
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { fail, ok, type Outcome } from '../core/outcome.js';
import { contentOf, derTag, readChildren, readTlv, type Tlv } from './der.js';

/** id-ce-authorityKeyIdentifier, 2.5.29.35, as DER OID content octets. */
const akiOid = Uint8Array.of(0x55, 0x1d, 0x23);

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** The first child of `parent` with `tag`, or a failure naming `what`. */
function childWithTag(children: readonly Tlv[], tag: number, what: string): Outcome<Tlv, string> {
  const found = children.find((c) => c.tag === tag);
  return found === undefined ? fail(`no ${what}`) : ok(found);
}

/** The AuthorityKeyIdentifier's keyIdentifier among the certificate's extensions (`[3]` of the TBSCertificate). */
function authorityKeyId(der: Uint8Array, extensionsTag: Tlv): Outcome<Uint8Array, string> {
  const list = readTlv(der, extensionsTag.start, extensionsTag.end);
  if (!list.ok) return list;
  const extensions = readChildren(der, list.value);
  if (!extensions.ok) return extensions;
  for (const extension of extensions.value) {
    const parts = readChildren(der, extension);
    if (!parts.ok) return parts;
    const [oid, ...rest] = parts.value;
    if (oid?.tag !== derTag.oid || !sameBytes(contentOf(der, oid), akiOid)) continue;
    // extnValue is the last part (the optional `critical` BOOLEAN may come between).
    const value = rest.at(-1);
    if (value?.tag !== derTag.octetString) return fail('garbled AuthorityKeyIdentifier');
    const aki = readTlv(der, value.start, value.end);
    if (!aki.ok) return aki;
    const fields = readChildren(der, aki.value);
    if (!fields.ok) return fields;
    const keyId = childWithTag(
      fields.value,
      derTag.context0Primitive,
      'keyIdentifier in the AuthorityKeyIdentifier',
    );
    return keyId.ok ? ok(contentOf(der, keyId.value)) : keyId;
  }
  return fail('no AuthorityKeyIdentifier extension');
}

/**
 * RFC 9773 §4.1 from a DER certificate: base64url(AKI keyIdentifier) "." base64url(serial number), the serial as
 * its DER content octets (with the leading zero a positive serial with the high bit set carries).
 */
export function ariCertIdFromDer(der: Uint8Array): Outcome<string, string> {
  const certificate = readTlv(der, 0);
  if (!certificate.ok) return certificate;
  const parts = readChildren(der, certificate.value);
  if (!parts.ok) return parts;
  const [tbs] = parts.value;
  if (tbs?.tag !== derTag.sequence) return fail('no TBSCertificate');
  const fields = readChildren(der, tbs);
  if (!fields.ok) return fields;
  // The version is an optional explicit [0]; the serial number comes next.
  const serial = fields.value.find((f) => f.tag !== derTag.context0Constructed);
  if (serial?.tag !== derTag.integer) return fail('no serial number');
  const extensions = childWithTag(fields.value, derTag.context3Constructed, 'extensions');
  if (!extensions.ok) return extensions;
  const keyId = authorityKeyId(der, extensions.value);
  if (!keyId.ok) return keyId;
  return ok(`${base64url(keyId.value)}.${base64url(contentOf(der, serial))}`);
}

/**
 * The ARI certificate identifier of the first certificate (the leaf) in a PEM chain; a failure when it is not a
 * certificate or has no AuthorityKeyIdentifier keyIdentifier (then the CA cannot be asked about it).
 */
export function ariCertId(certPem: string): Outcome<string, string> {
  // Stryker disable next-line StringLiteral: any text that is no PEM certificate fails X509Certificate the same way
  const leaf = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(certPem)?.[0] ?? '';
  let raw: Buffer;
  try {
    raw = new X509Certificate(leaf).raw;
  } catch {
    return fail('not a PEM certificate');
  }
  return ariCertIdFromDer(raw);
}

/** RFC 9773 §4.2: the renewalInfo resource. Unknown members are allowed (the RFC may grow). */
const renewalInfoSchema = z.object({
  suggestedWindow: z.object({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
  }),
  explanationURL: z.url().optional(),
});

export interface SuggestedWindow {
  readonly start: Date;
  readonly end: Date;
  readonly explanationUrl: string | null;
}

/** Parses a renewalInfo answer; a window whose end is not after its start is invalid (RFC 9773 §4.2). */
export function parseRenewalInfo(body: unknown): Outcome<SuggestedWindow, string> {
  const parsed = renewalInfoSchema.safeParse(body);
  if (!parsed.success) return fail(`not a renewalInfo answer: ${z.prettifyError(parsed.error)}`);
  const start = new Date(parsed.data.suggestedWindow.start);
  const end = new Date(parsed.data.suggestedWindow.end);
  if (end.getTime() <= start.getTime()) return fail('the suggested window ends before it starts');
  return ok({ start, end, explanationUrl: parsed.data.explanationURL ?? null });
}

/**
 * Retry-After (RFC 9110 §10.2.3) as milliseconds from `now`: delta-seconds, or an HTTP-date (a past date is 0).
 * Null when absent or unreadable: the caller then uses its own schedule.
 */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date always names a weekday or month; without letters Date.parse would read e.g. "-5" as a year.
  if (!/[a-z]/i.test(value)) return null;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

/** RFC 9773 §4.3: a client should bound how often it asks again — below a minute counts as a minute, above a day as a day. */
export const ariRecheckBoundsMs = { min: 60_000, max: 86_400_000 } as const;

/** When to ask for renewalInfo again after an answer with `retryAfterMs`, within {@link ariRecheckBoundsMs}. */
export function boundAriRecheck(retryAfterMs: number): number {
  return Math.min(ariRecheckBoundsMs.max, Math.max(ariRecheckBoundsMs.min, retryAfterMs));
}

/**
 * @module The Route 53 API's XML documents: the change batch we send and the answers we read (hosted zones, record
 * sets, change info, errors), as the API reference describes them
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/). Names and TXT strings in Route 53's presentation form.
 * Parsed with the strict, bounded reader of router descriptions (no DTDs, no entities beyond the five), then zod.
 * Pure.
 */
import { z } from 'zod';
import { childText, findAll, parseXml, type XmlElement } from '../../reach/router/xml.js';
import type { RecordType } from '../provider.js';

export const route53Namespace = 'https://route53.amazonaws.com/doc/2013-04-01/';

export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** Text safe inside an XML element. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A DNS name as Route 53 writes it (`host.example.com.`, `\052.example.com.` for a wildcard, other special
 * characters as `\DDD` octal) → our form: lower-case, no trailing dot.
 */
export function nameFromRoute53(name: string): string {
  const decoded = name.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return (decoded.endsWith('.') ? decoded.slice(0, -1) : decoded).toLowerCase();
}

/** Our name → Route 53's fully qualified form with the trailing dot. */
export function nameToRoute53(name: string): string {
  return `${name}.`;
}

/**
 * One TXT string in Route 53's form: double-quoted, `"` and `\` escaped, bytes outside printable ASCII as `\DDD`
 * octal, split into quoted pieces of at most 255 bytes (a DNS character-string's limit).
 */
export function txtToRoute53(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: string[] = [];
  for (let start = 0; start === 0 || start < bytes.length; start += 255) {
    let piece = '';
    for (const b of bytes.subarray(start, start + 255)) {
      if (b === 0x22 || b === 0x5c) piece += `\\${String.fromCharCode(b)}`;
      else if (b >= 0x20 && b < 0x7f) piece += String.fromCharCode(b);
      else piece += `\\${b.toString(8).padStart(3, '0')}`;
    }
    pieces.push(`"${piece}"`);
  }
  return pieces.join(' ');
}

/** A Route 53 TXT value (one or more quoted strings) → the text, pieces joined; undefined when not quoted strings. */
export function txtFromRoute53(value: string): string | undefined {
  const bytes: number[] = [];
  let i = 0;
  const s = value.trim();
  let quoted = false;
  while (i < s.length) {
    if (s[i] === ' ') {
      i++;
      continue;
    }
    if (s[i] !== '"') return undefined;
    i++;
    let closed = false;
    while (i < s.length) {
      const c = s[i];
      if (c === '"') {
        closed = true;
        i++;
        break;
      }
      if (c === '\\') {
        const oct = /^[0-7]{3}/.exec(s.slice(i + 1, i + 4));
        if (oct) {
          bytes.push(parseInt(oct[0], 8));
          i += 4;
          continue;
        }
        i++;
      }
      const char = String.fromCodePoint(s.codePointAt(i) ?? 0);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
    if (!closed) return undefined;
    quoted = true;
  }
  return quoted ? Buffer.from(bytes).toString('utf8') : undefined;
}

export interface Route53Change {
  readonly action: 'UPSERT' | 'DELETE';
  /** Our form: lower-case FQDN without the trailing dot. */
  readonly name: string;
  readonly type: RecordType;
  readonly ttl: number;
  /** In Route 53's form (addresses as text, TXT already quoted). */
  readonly values: readonly string[];
}

/** The ChangeResourceRecordSets request body (API_ChangeResourceRecordSets.html, "Request Syntax"). */
export function changeBatchXml(change: Route53Change, comment: string): string {
  const records = change.values
    .map((v) => `<ResourceRecord><Value>${escapeXml(v)}</Value></ResourceRecord>`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ChangeResourceRecordSetsRequest xmlns="${route53Namespace}"><ChangeBatch>` +
    `<Comment>${escapeXml(comment)}</Comment><Changes><Change><Action>${change.action}</Action>` +
    `<ResourceRecordSet><Name>${escapeXml(nameToRoute53(change.name))}</Name><Type>${change.type}</Type>` +
    `<TTL>${change.ttl}</TTL><ResourceRecords>${records}</ResourceRecords></ResourceRecordSet>` +
    `</Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
  );
}

function root(text: string, name: string): Parsed<XmlElement> {
  const doc = parseXml(text);
  if (!doc.ok) return { ok: false, reason: `not XML (${doc.reason})` };
  if (doc.root.name !== name) return { ok: false, reason: `<${doc.root.name}> instead of <${name}>` };
  return { ok: true, value: doc.root };
}

function checked<T>(schema: z.ZodType<T>, data: unknown): Parsed<T> {
  const r = schema.safeParse(data);
  return r.success
    ? { ok: true, value: r.data }
    : { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return children(el, name)[0];
}

const boolText = z.enum(['true', 'false']).transform((t) => t === 'true');
const idText = z.string().regex(/^[A-Za-z0-9/_-]{1,64}$/);

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  readonly id: string;
  /** Our form. */
  readonly name: string;
  readonly private: boolean;
}

const hostedZoneSchema = z.object({
  id: idText.transform((id) => id.replace(/^\/hostedzone\//, '')),
  name: z.string().min(1).transform(nameFromRoute53),
  private: boolText.optional().transform((p) => p ?? false),
});

function hostedZoneData(el: XmlElement): unknown {
  return {
    id: childText(el, 'Id'),
    name: childText(el, 'Name'),
    private: childText(child(el, 'Config') ?? el, 'PrivateZone'),
  };
}

/** ListHostedZonesByName's answer (API_ListHostedZonesByName.html, "Response Syntax"). */
export function parseHostedZonesByName(text: string): Parsed<readonly HostedZone[]> {
  const r = root(text, 'ListHostedZonesByNameResponse');
  if (!r.ok) return r;
  const list = child(r.value, 'HostedZones');
  if (!list) return { ok: false, reason: 'no <HostedZones>' };
  return checked(z.array(hostedZoneSchema), children(list, 'HostedZone').map(hostedZoneData));
}

/** GetHostedZone's answer (API_GetHostedZone.html). */
export function parseGetHostedZone(text: string): Parsed<HostedZone> {
  const r = root(text, 'GetHostedZoneResponse');
  if (!r.ok) return r;
  const zone = child(r.value, 'HostedZone');
  if (!zone) return { ok: false, reason: 'no <HostedZone>' };
  return checked(hostedZoneSchema, hostedZoneData(zone));
}

export interface Route53RecordSet {
  /** Our form. */
  readonly name: string;
  readonly type: string;
  readonly ttl: number | null;
  /** As Route 53 writes them (TXT quoted). */
  readonly values: readonly string[];
  /** Weighted, latency, failover … sets carry one; alias sets have an AliasTarget and no values. */
  readonly setIdentifier: string | null;
  readonly alias: boolean;
}

const recordSetSchema = z.object({
  name: z.string().min(1).transform(nameFromRoute53),
  type: z.string().regex(/^[A-Z0-9]{1,10}$/),
  ttl: z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .optional()
    .transform((t) => t ?? null),
  values: z.array(z.string()),
  setIdentifier: z
    .string()
    .optional()
    .transform((s) => s ?? null),
  alias: z.boolean(),
});

/** ListResourceRecordSets's answer (API_ListResourceRecordSets.html, "Response Syntax"). */
export function parseRecordSets(text: string): Parsed<readonly Route53RecordSet[]> {
  const r = root(text, 'ListResourceRecordSetsResponse');
  if (!r.ok) return r;
  const list = child(r.value, 'ResourceRecordSets');
  if (!list) return { ok: false, reason: 'no <ResourceRecordSets>' };
  return checked(
    z.array(recordSetSchema),
    children(list, 'ResourceRecordSet').map((set) => ({
      name: childText(set, 'Name'),
      type: childText(set, 'Type'),
      ttl: childText(set, 'TTL'),
      values: children(child(set, 'ResourceRecords'), 'ResourceRecord').map((rr) => childText(rr, 'Value')),
      setIdentifier: childText(set, 'SetIdentifier'),
      alias: child(set, 'AliasTarget') !== undefined,
    })),
  );
}

export interface ChangeInfo {
  /** Without the `/change/` prefix. */
  readonly id: string;
  readonly status: 'PENDING' | 'INSYNC';
}

const changeInfoSchema = z.object({
  id: idText.transform((id) => id.replace(/^\/change\//, '')),
  status: z.enum(['PENDING', 'INSYNC']),
});

/** The ChangeInfo of ChangeResourceRecordSets' or GetChange's answer (API_ChangeInfo.html). */
export function parseChangeInfo(
  text: string,
  rootName: 'ChangeResourceRecordSetsResponse' | 'GetChangeResponse',
): Parsed<ChangeInfo> {
  const r = root(text, rootName);
  if (!r.ok) return r;
  const info = child(r.value, 'ChangeInfo');
  if (!info) return { ok: false, reason: 'no <ChangeInfo>' };
  return checked(changeInfoSchema, { id: childText(info, 'Id'), status: childText(info, 'Status') });
}

export interface Route53Error {
  readonly code: string;
  readonly message: string;
}

/**
 * An error answer (requests-rest-responses.html: `<ErrorResponse><Error><Type/><Code/><Message/></Error>
 * <RequestId/></ErrorResponse>`), or the `<InvalidChangeBatch><Messages><Message/>…` form ChangeResourceRecordSets
 * uses for a rejected batch.
 */
export function parseError(text: string): Parsed<Route53Error> {
  const doc = parseXml(text);
  if (!doc.ok) return { ok: false, reason: `not XML (${doc.reason})` };
  if (doc.root.name === 'InvalidChangeBatch') {
    const messages = findAll(doc.root, 'Message').map((m) => m.text.trim());
    return { ok: true, value: { code: 'InvalidChangeBatch', message: messages.join('; ') } };
  }
  const error = doc.root.name === 'ErrorResponse' ? child(doc.root, 'Error') : undefined;
  if (!error) return { ok: false, reason: `<${doc.root.name}> is not an error answer` };
  return checked(z.object({ code: z.string().min(1).max(100), message: z.string().max(2000).default('') }), {
    code: childText(error, 'Code'),
    message: childText(error, 'Message'),
  });
}

/**
 * @module AWS Route 53 adapter: requests signed with Signature Version 4 (service `route53`, region `us-east-1`, by
 * hand in aws-sigv4.ts), the hosted zone found by name (or given), the record set read with ListResourceRecordSets
 * and replaced with one UPSERT (removed with a DELETE that repeats the set exactly), then GetChange polled until
 * the change is INSYNC, within a bounded wait.
 *
 * Documentation followed (Route 53 API reference, version 2013-04-01):
 * - ListHostedZonesByName: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html
 * - GetHostedZone: https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHostedZone.html
 * - ListResourceRecordSets: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListResourceRecordSets.html
 * - ChangeResourceRecordSets (UPSERT / DELETE, transactional; DELETE must match the set exactly):
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 * - GetChange and ChangeInfo (PENDING → INSYNC): https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 * - error answers (XML `ErrorResponse`): https://docs.aws.amazon.com/Route53/latest/APIReference/requests-rest-responses.html
 * - throttling (HTTP 400 `Throttling`, `PriorRequestNotComplete`):
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html
 * - TXT values as quoted strings: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat
 * - signing: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { z } from 'zod';
import { formatDuration } from '../../core/http-request.js';
import { fail, ok } from '../../core/outcome.js';
import type {
  DnsProvider,
  ProviderDeps,
  ProviderFailure,
  ProviderRecord,
  ProviderResult,
  RecordRef,
  RecordType,
} from '../provider.js';
import { signRequest, type AwsCredentials } from './aws-sigv4.js';
import type { ProviderDescriptor } from './descriptor.js';
import {
  apiBase,
  endpointSetting,
  providerRequest,
  unexpectedAnswer,
  type ProviderAnswer,
  type ProviderRequest,
} from './http.js';
import {
  changeBatchXml,
  nameToRoute53,
  parseChangeInfo,
  parseError,
  parseGetHostedZone,
  parseHostedZonesByName,
  parseRecordSets,
  txtFromRoute53,
  txtToRoute53,
  type ChangeInfo,
  type Parsed,
  type Route53RecordSet,
} from './route53-xml.js';
import { canonicalAddress, sameValues } from './values.js';

const label = 'Route 53';
export const route53ApiBase = 'https://route53.amazonaws.com';
const apiVersion = '/2013-04-01';
/** Route 53 is a global service: its requests are signed for us-east-1. */
const scope = { region: 'us-east-1', service: 'route53' } as const;

/**
 * How long `set` and `delete` wait for INSYNC, polling GetChange after each of these pauses (30 s in all): AWS
 * says changes usually propagate to all its servers within 60 s, and a call must stay well under a minute. A change
 * still PENDING after them has been accepted (the set already reads back as written), so the failure is transient
 * and the engine's next look finds the values in place.
 */
export const insyncPollDelaysMs: readonly number[] = [1000, 2000, 3000, 4000, 5000, 5000, 5000, 5000];

const settingsSchema = z.object({
  endpoint: endpointSetting(route53ApiBase),
  /** Skips the lookup by name; the zone's name must be the record's zone. */
  hostedZoneId: z
    .string()
    .trim()
    .regex(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, 'a hosted zone id such as Z1D633PJN98FT9')
    .transform((id) => id.replace(/^\/hostedzone\//, ''))
    .optional(),
});
const secretsSchema = z.object({
  accessKeyId: z.string().trim().min(1),
  secretAccessKey: z.string().trim().min(1),
  sessionToken: z.string().trim().min(1).optional(),
});
export type Route53Settings = z.infer<typeof settingsSchema>;
export type Route53Secrets = z.infer<typeof secretsSchema>;

/** A value we write → Route 53's form. */
function toRoute53(type: RecordType, value: string): string {
  return type === 'TXT' ? txtToRoute53(value) : value;
}

/** A value Route 53 holds → ours, or undefined when a TXT value is not quoted strings. */
function fromRoute53(type: RecordType, value: string): string | undefined {
  return type === 'TXT' ? txtFromRoute53(value) : canonicalAddress(type, value);
}

/** What the engine acts on for Route 53's error codes (the AWS word is kept as the failure's code). */
export function failureKindOf(code: string, action?: 'UPSERT' | 'DELETE'): ProviderFailure['kind'] {
  switch (code) {
    case 'Throttling':
    case 'PriorRequestNotComplete':
      return 'rate-limited';
    case 'InvalidClientTokenId':
    case 'SignatureDoesNotMatch':
    case 'IncompleteSignature':
    case 'MissingAuthenticationToken':
    case 'AccessDenied':
    case 'ExpiredToken':
    case 'UnrecognizedClientException':
      return 'auth';
    case 'NoSuchHostedZone':
    case 'InvalidInput':
    case 'InvalidDomainName':
      return 'config';
    case 'InvalidChangeBatch':
      // UPSERT refused: the value or the name is not acceptable there (a CNAME at the name, a bad address), and
      // sending it again cannot help. DELETE refused: the set changed since we read it; the next try reads again.
      return action === 'UPSERT' ? 'config' : 'transient';
    default:
      return 'transient';
  }
}

function createRoute53(settings: Route53Settings, secrets: Route53Secrets, deps: ProviderDeps): DnsProvider {
  const base = apiBase(settings.endpoint);
  const credentials: AwsCredentials = secrets;
  /** Hosted zone id of each zone name, found once per client; forgotten when Route 53 says it is gone. */
  const zoneIds = new Map<string, string>();

  /** One signed request; a non-2xx answer becomes the failure its Route 53 error code means. */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: string,
    action?: 'UPSERT' | 'DELETE',
  ): Promise<ProviderResult<{ request: ProviderRequest; answer: ProviderAnswer }>> {
    const url = `${base}${apiVersion}${path}`;
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/xml' };
    const signed = signRequest(
      { method, url, headers, body: body ?? '' },
      credentials,
      scope,
      deps.clock.now(),
    );
    const request: ProviderRequest = { method, url, headers: signed.headers, body };
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    if (answer.status >= 200 && answer.status < 300) return ok({ request, answer });
    const error = parseError(answer.text);
    if (!error.ok) return fail(unexpectedAnswer(label, request, answer, error.reason));
    const { code, message } = error.value;
    return fail({
      kind: failureKindOf(code, action),
      message: `${label}: ${method} ${new URL(url).pathname}: HTTP ${answer.status} ${code}: ${message.slice(0, 300)}`,
      code,
    });
  }

  /** Calls, then reads the answer with `parse`; an answer that does not parse is transient. */
  async function callParsed<T>(
    method: 'GET' | 'POST',
    path: string,
    parse: (text: string) => Parsed<T>,
    body?: string,
    action?: 'UPSERT' | 'DELETE',
  ): Promise<ProviderResult<T>> {
    const r = await call(method, path, body, action);
    if (!r.ok) return r;
    const parsed = parse(r.value.answer.text);
    if (!parsed.ok) return fail(unexpectedAnswer(label, r.value.request, r.value.answer, parsed.reason));
    return ok(parsed.value);
  }

  function noZone(zone: string, why: string): ProviderResult<never> {
    return fail({ kind: 'config', message: `${label}: ${why}`, code: 'NoSuchHostedZone' });
  }

  async function findZone(zone: string): Promise<ProviderResult<string>> {
    const cached = zoneIds.get(zone);
    if (cached !== undefined) return ok(cached);
    if (settings.hostedZoneId !== undefined) {
      const id = settings.hostedZoneId;
      const got = await callParsed('GET', `/hostedzone/${encodeURIComponent(id)}`, parseGetHostedZone);
      if (!got.ok) return got;
      if (got.value.name !== zone)
        return noZone(zone, `the hosted zone ${id} is ${got.value.name}, not ${zone}`);
      zoneIds.set(zone, id);
      return ok(id);
    }
    // Zones come sorted by name (labels reversed) starting at dnsname: the zones of that exact name come first. A
    // public and a private zone may share a name; only the public one is what the world resolves.
    const query = new URLSearchParams({ dnsname: zone, maxitems: '10' });
    const listed = await callParsed('GET', `/hostedzonesbyname?${query.toString()}`, parseHostedZonesByName);
    if (!listed.ok) return listed;
    const found = listed.value.find((z) => z.name === zone && !z.private);
    if (!found) return noZone(zone, `no public hosted zone ${zone} in this account`);
    zoneIds.set(zone, found.id);
    return ok(found.id);
  }

  function forgetZone<T>(zone: string, r: ProviderResult<T>): ProviderResult<T> {
    if (!r.ok && r.error.code === 'NoSuchHostedZone') zoneIds.delete(zone);
    return r;
  }

  /** The simple record set of this name and type as Route 53 holds it, or null when there is none. */
  async function readSet(
    ref: RecordRef,
  ): Promise<ProviderResult<{ zoneId: string; set: Route53RecordSet | null }>> {
    if (ref.name !== ref.zone && !ref.name.endsWith(`.${ref.zone}`))
      return fail({ kind: 'config', message: `${label}: ${ref.name} is not in the zone ${ref.zone}` });
    const zoneId = await findZone(ref.zone);
    if (!zoneId.ok) return zoneId;
    // The listing starts at (name, type) and runs on in DNS order: it is not a filter, so the answer is checked.
    const query = new URLSearchParams({ name: nameToRoute53(ref.name), type: ref.type, maxitems: '1' });
    const listed = await callParsed(
      'GET',
      `/hostedzone/${encodeURIComponent(zoneId.value)}/rrset?${query.toString()}`,
      parseRecordSets,
    );
    if (!listed.ok) return forgetZone(ref.zone, listed);
    const set = listed.value.find((s) => s.name === ref.name && s.type === ref.type) ?? null;
    if (set && (set.setIdentifier !== null || set.alias))
      return fail({
        kind: 'config',
        message: `${label}: ${ref.name} ${ref.type} is ${set.alias ? 'an alias' : 'a weighted, latency, failover or geolocation'} record set; Gatehouse changes only simple record sets`,
        code: 'not-simple',
      });
    return ok({ zoneId: zoneId.value, set });
  }

  function valuesOf(ref: RecordRef, set: Route53RecordSet): ProviderResult<string[]> {
    const out: string[] = [];
    for (const v of set.values) {
      const value = fromRoute53(ref.type, v);
      if (value === undefined)
        return fail({
          kind: 'transient',
          message: `${label}: ${ref.name} TXT holds a value that is not quoted strings: ${JSON.stringify(v.slice(0, 80))}`,
        });
      out.push(value);
    }
    return ok(out.sort());
  }

  /** Sends one change and waits for INSYNC (bounded). */
  async function change(
    ref: RecordRef,
    zoneId: string,
    action: 'UPSERT' | 'DELETE',
    ttl: number,
    values: readonly string[],
  ): Promise<ProviderResult<void>> {
    const body = changeBatchXml(
      { action, name: ref.name, type: ref.type, ttl, values },
      `Gatehouse ${action === 'UPSERT' ? 'sets' : 'removes'} ${ref.name} ${ref.type}`,
    );
    const sent = await callParsed(
      'POST',
      `/hostedzone/${encodeURIComponent(zoneId)}/rrset`,
      (text) => parseChangeInfo(text, 'ChangeResourceRecordSetsResponse'),
      body,
      action,
    );
    if (!sent.ok) return forgetZone(ref.zone, sent);
    return waitInsync(sent.value);
  }

  async function waitInsync(first: ChangeInfo): Promise<ProviderResult<void>> {
    let info = first;
    let waited = 0;
    for (const delay of insyncPollDelaysMs) {
      if (info.status === 'INSYNC') return ok(undefined);
      await deps.clock.sleep(delay);
      waited += delay;
      const polled = await callParsed('GET', `/change/${encodeURIComponent(info.id)}`, (text) =>
        parseChangeInfo(text, 'GetChangeResponse'),
      );
      if (!polled.ok) return polled;
      info = polled.value;
    }
    if (info.status === 'INSYNC') return ok(undefined);
    return fail({
      kind: 'transient',
      message: `${label}: change ${info.id} was accepted but is still PENDING after ${formatDuration(waited)}`,
      code: 'PENDING',
    });
  }

  return {
    kind: 'route53',
    can: { read: true, txt: true },

    async test(zone) {
      if (zone === undefined) {
        const listed = await callParsed('GET', '/hostedzonesbyname?maxitems=1', parseHostedZonesByName);
        if (!listed.ok) return listed;
        return ok({ detail: 'the access key is accepted and may list hosted zones' });
      }
      const zoneId = await findZone(zone);
      if (!zoneId.ok) return zoneId;
      const sets = await callParsed(
        'GET',
        `/hostedzone/${encodeURIComponent(zoneId.value)}/rrset?maxitems=1`,
        parseRecordSets,
      );
      if (!sets.ok) return forgetZone(zone, sets);
      return ok({ detail: `the access key may read the hosted zone ${zone} (${zoneId.value})` });
    },

    async read(ref): Promise<ProviderResult<ProviderRecord>> {
      const r = await readSet(ref);
      if (!r.ok) return r;
      if (r.value.set === null) return ok({ values: [], ttl: null });
      const values = valuesOf(ref, r.value.set);
      if (!values.ok) return values;
      return ok({ values: values.value, ttl: r.value.set.ttl });
    },

    async set(ref, values, ttl) {
      const r = await readSet(ref);
      if (!r.ok) return r;
      const { zoneId, set } = r.value;
      const wanted = [...new Set(values.map((v) => canonicalAddress(ref.type, v)))].sort();
      if (set) {
        const held = valuesOf(ref, set);
        if (!held.ok) return held;
        if (sameValues(held.value, wanted)) return ok({ changed: false });
      }
      if (wanted.length === 0) {
        // Holding no values is not holding the set: Route 53 has no empty record sets.
        if (!set) return ok({ changed: false });
        const removed = await change(ref, zoneId, 'DELETE', set.ttl ?? 0, set.values);
        return removed.ok ? ok({ changed: true }) : removed;
      }
      const done = await change(
        ref,
        zoneId,
        'UPSERT',
        ttl,
        wanted.map((v) => toRoute53(ref.type, v)),
      );
      return done.ok ? ok({ changed: true }) : done;
    },

    async delete(ref) {
      const r = await readSet(ref);
      if (!r.ok) return r;
      const { zoneId, set } = r.value;
      if (!set) return ok(undefined);
      // DELETE names the set exactly as it is, TTL and values as Route 53 wrote them.
      return change(ref, zoneId, 'DELETE', set.ttl ?? 0, set.values);
    },
  };
}

export const route53Provider: ProviderDescriptor<Route53Settings, Route53Secrets> = {
  kind: 'route53',
  label: 'AWS Route 53',
  docsUrl: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html',
  fields: [
    {
      name: 'accessKeyId',
      label: 'Access key ID',
      help: 'An IAM access key allowed route53:ListHostedZonesByName, GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets and GetChange.',
      secret: true,
    },
    { name: 'secretAccessKey', label: 'Secret access key', secret: true },
    {
      name: 'sessionToken',
      label: 'Session token',
      help: 'Only for temporary (STS) credentials.',
      secret: true,
      optional: true,
    },
    {
      name: 'hostedZoneId',
      label: 'Hosted zone ID',
      help: 'Optional: otherwise the public hosted zone is found by the record’s zone name.',
      secret: false,
      optional: true,
    },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${route53ApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createRoute53,
};

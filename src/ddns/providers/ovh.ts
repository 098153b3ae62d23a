/**
 * @module OVHcloud API adapter: requests signed with the application key, application secret and consumer key
 * (`$1$` + SHA-1 over secret, consumer key, method, full URL, body and timestamp), the timestamp taken from the
 * server's clock (`/auth/time`, its offset from ours kept per client), the zone's records of one name and type
 * listed by id and read one by one, changed by id (PUT / POST / DELETE), then the zone refreshed so the change is
 * published.
 *
 * Documentation followed:
 * - first steps, keys, the signature and `/auth/time`: https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784
 *   (older copy: https://docs.ovh.com/gb/en/customer/first-steps-with-ovh-api/)
 * - the `/domain/zone` API (console): https://eu.api.ovh.com/console/?section=%2Fdomain — `GET /domain/zone/{zone}`,
 *   `GET /domain/zone/{zone}/record?fieldType=&subDomain=` (ids), `GET|PUT|DELETE /domain/zone/{zone}/record/{id}`,
 *   `POST /domain/zone/{zone}/record`, `POST /domain/zone/{zone}/refresh` (publishes the changes);
 *   `GET /auth/currentCredential`.
 * A 401 is the credentials; a 403 is read from its `errorCode` (INVALID_CREDENTIAL, NOT_GRANTED_CALL… are the
 * credentials, see errorKind).
 * Not seen in OVH's text (from client libraries): the error bodies' `errorCode` values and wording, a 400 "Query out
 * of time" for a timestamp far from the server's, TXT targets being stored quoted.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { fail, ok } from '../../core/outcome.js';
import type {
  DnsProvider,
  ProviderDeps,
  ProviderFailure,
  ProviderRecord,
  ProviderResult,
  RecordRef,
} from '../provider.js';
import type { ProviderDescriptor } from './descriptor.js';
import { providerRequest, unexpectedAnswer, type ProviderAnswer, type ProviderRequest } from './http.js';
import { isEmptyPlan, planRecordChanges } from './record-changes.js';
import { canonicalValue, relativeName } from './values.js';

const label = 'OVHcloud';

/** The API endpoints by the names OVH's own clients use. */
export const ovhEndpoints = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
} as const;

const settingsSchema = z.object({
  /** `ovh-eu`, `ovh-ca`, `ovh-us`, or the API's base URL (with its `/1.0`). */
  endpoint: z
    .union([z.enum(['ovh-eu', 'ovh-ca', 'ovh-us']), z.url({ protocol: /^https?$/ })])
    .default('ovh-eu'),
});
const secretsSchema = z.object({
  applicationKey: z.string().trim().min(1),
  applicationSecret: z.string().trim().min(1),
  consumerKey: z.string().trim().min(1),
});
export type OvhSettings = z.infer<typeof settingsSchema>;
export type OvhSecrets = z.infer<typeof secretsSchema>;

const recordSchema = z.object({
  id: z.number().int(),
  subDomain: z.string(),
  fieldType: z.string(),
  target: z.string(),
  ttl: z.number().int().nonnegative().nullable().optional(),
});
type OvhRecord = z.infer<typeof recordSchema>;
const errorSchema = z.object({
  message: z.string().optional(),
  errorCode: z.string().optional(),
  class: z.string().optional(),
});

export function baseUrlOf(endpoint: OvhSettings['endpoint']): string {
  const named = (ovhEndpoints as Record<string, string>)[endpoint];
  return (named ?? endpoint).replace(/\/+$/, '');
}

/** `"$1$" + hex(SHA1(AS + "+" + CK + "+" + METHOD + "+" + URL + "+" + BODY + "+" + TSTAMP))`. */
export function ovhSignature(
  applicationSecret: string,
  consumerKey: string,
  method: string,
  url: string,
  body: string,
  timestamp: number,
): string {
  const data = [applicationSecret, consumerKey, method, url, body, String(timestamp)].join('+');
  return `$1$${createHash('sha1').update(data, 'utf8').digest('hex')}`;
}

/** What the engine does about an OVH error answer (the status and, where given, its `errorCode` and message). */
export function errorKind(status: number, errorCode: string, message: string): ProviderFailure['kind'] {
  if (
    /^(INVALID_SIGNATURE|INVALID_KEY|INVALID_CREDENTIAL|NOT_GRANTED_CALL|NOT_CREDENTIAL)$/.test(errorCode) ||
    /invalid signature|application key is invalid|credential does not exist|not been granted/i.test(message)
  )
    return 'auth';
  if (errorCode === 'QUERY_TIME_OUT' || /out of time/i.test(message)) return 'transient';
  if (status === 429) return 'rate-limited';
  return status >= 400 && status < 500 ? 'config' : 'transient';
}

function createOvh(settings: OvhSettings, secrets: OvhSecrets, deps: ProviderDeps): DnsProvider {
  const base = baseUrlOf(settings.endpoint);
  /** Server time minus ours, in seconds; asked once per client (again after a "Query out of time"). */
  let offset: number | undefined;
  const knownZones = new Set<string>();

  interface Answer {
    readonly request: ProviderRequest;
    readonly answer: ProviderAnswer;
  }

  async function serverOffset(): Promise<ProviderResult<number>> {
    if (offset !== undefined) return ok(offset);
    const request: ProviderRequest = { method: 'GET', url: `${base}/auth/time` };
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const time = z.number().int().positive().safeParse(safeJson(r.value.text));
    if (r.value.status !== 200 || !time.success)
      return fail(unexpectedAnswer(label, request, r.value, 'not a Unix time'));
    offset = time.data - Math.floor(deps.clock.now().getTime() / 1000);
    return ok(offset);
  }

  async function call(
    method: ProviderRequest['method'],
    path: string,
    body?: unknown,
  ): Promise<ProviderResult<Answer>> {
    const delta = await serverOffset();
    if (!delta.ok) return delta;
    const url = `${base}${path}`;
    const text = body === undefined ? '' : JSON.stringify(body);
    const timestamp = Math.floor(deps.clock.now().getTime() / 1000) + delta.value;
    const request: ProviderRequest = {
      method,
      url,
      headers: {
        accept: 'application/json',
        'x-ovh-application': secrets.applicationKey,
        'x-ovh-consumer': secrets.consumerKey,
        'x-ovh-timestamp': String(timestamp),
        'x-ovh-signature': ovhSignature(
          secrets.applicationSecret,
          secrets.consumerKey,
          method,
          url,
          text,
          timestamp,
        ),
        ...(body === undefined ? {} : { 'content-type': 'application/json;charset=utf-8' }),
      },
      ...(body === undefined ? {} : { body: text }),
    };
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    if (answer.status >= 200 && answer.status < 300) return ok({ request, answer });
    const e = errorSchema.safeParse(safeJson(answer.text));
    if (!e.success) return fail(unexpectedAnswer(label, request, answer, 'not an OVH error'));
    const message = (e.data.message ?? '').slice(0, 300);
    const errorCode = e.data.errorCode ?? '';
    const kind = errorKind(answer.status, errorCode, message);
    // A timestamp the server refuses: ask its time again before the next call.
    if (kind === 'transient') offset = undefined;
    return fail({
      kind,
      message: `${label}: ${method} ${new URL(url).pathname}: HTTP ${answer.status}${errorCode === '' ? '' : ` ${errorCode}`}: ${message}`,
      code: errorCode === '' ? `HTTP ${answer.status}` : errorCode,
    });
  }

  async function callJson<T>(
    method: ProviderRequest['method'],
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ): Promise<ProviderResult<T>> {
    const r = await call(method, path, body);
    if (!r.ok) return r;
    const parsed = schema.safeParse(safeJson(r.value.answer.text));
    return parsed.success
      ? ok(parsed.data)
      : fail(unexpectedAnswer(label, r.value.request, r.value.answer, 'not as documented'));
  }

  const zonePath = (zone: string): string => `/domain/zone/${encodeURIComponent(zone)}`;

  async function checkZone(zone: string): Promise<ProviderResult<void>> {
    if (knownZones.has(zone)) return ok(undefined);
    const r = await callJson('GET', zonePath(zone), z.object({ name: z.string() }));
    if (!r.ok)
      return r.error.code === 'HTTP 404' || r.error.code === 'NOT_FOUND'
        ? fail({
            ...r.error,
            kind: 'config',
            message: `${label}: no DNS zone ${zone} in this account (${r.error.message})`,
          })
        : r;
    knownZones.add(zone);
    return ok(undefined);
  }

  async function list(ref: RecordRef): Promise<ProviderResult<{ sub: string; records: OvhRecord[] }>> {
    const sub = relativeName(ref.name, ref.zone, '');
    if (sub === undefined)
      return fail({ kind: 'config', message: `${label}: ${ref.name} is not in the zone ${ref.zone}` });
    const zone = await checkZone(ref.zone);
    if (!zone.ok) return zone;
    const query = new URLSearchParams({ fieldType: ref.type, subDomain: sub }).toString();
    const ids = await callJson(
      'GET',
      `${zonePath(ref.zone)}/record?${query}`,
      z.array(z.number().int()).max(500),
    );
    if (!ids.ok) return ids;
    const records: OvhRecord[] = [];
    for (const id of ids.value) {
      const r = await callJson('GET', `${zonePath(ref.zone)}/record/${id}`, recordSchema);
      if (!r.ok) return r;
      // Only this name and type, whatever the filter let through.
      if (r.value.fieldType === ref.type && r.value.subDomain.toLowerCase() === sub) records.push(r.value);
    }
    return ok({ sub, records });
  }

  async function refresh(zone: string): Promise<ProviderResult<void>> {
    const r = await call('POST', `${zonePath(zone)}/refresh`);
    return r.ok ? ok(undefined) : r;
  }

  return {
    kind: 'ovh',
    can: { read: true, txt: true },

    async test(zone) {
      const cred = await callJson('GET', '/auth/currentCredential', z.object({ status: z.string() }));
      if (!cred.ok) return cred;
      if (cred.value.status !== 'validated')
        return fail({
          kind: 'auth',
          message: `${label}: the consumer key is ${cred.value.status}, not validated`,
          code: cred.value.status,
        });
      if (zone === undefined)
        return ok({ detail: 'the keys are accepted and the consumer key is validated' });
      const z2 = await checkZone(zone);
      if (!z2.ok) return z2;
      return ok({ detail: `the keys are accepted and may read the zone ${zone}` });
    },

    async read(ref): Promise<ProviderResult<ProviderRecord>> {
      const r = await list(ref);
      if (!r.ok) return r;
      const { records } = r.value;
      const ttl = records[0]?.ttl;
      return ok({
        values: records.map((x) => canonicalValue(ref.type, x.target)).sort(),
        // 0: the zone's default TTL.
        ttl: ttl === undefined || ttl === null || ttl === 0 ? null : ttl,
      });
    },

    async set(ref, values, ttl) {
      const r = await list(ref);
      if (!r.ok) return r;
      const { sub, records } = r.value;
      const plan = planRecordChanges(
        records.map((x) => ({ id: x.id, value: canonicalValue(ref.type, x.target) })),
        values.map((v) => canonicalValue(ref.type, v)),
      );
      if (isEmptyPlan(plan)) return ok({ changed: false });
      const path = `${zonePath(ref.zone)}/record`;
      for (const e of plan.updates) {
        const u = await call('PUT', `${path}/${e.id}`, { target: e.value, ttl });
        if (!u.ok) return u;
      }
      for (const value of plan.creates) {
        const c = await call('POST', path, { fieldType: ref.type, subDomain: sub, target: value, ttl });
        if (!c.ok) return c;
      }
      for (const id of plan.deletes) {
        const d = await call('DELETE', `${path}/${id}`);
        if (!d.ok) return d;
      }
      // Changes are staged until the zone is refreshed.
      const published = await refresh(ref.zone);
      return published.ok ? ok({ changed: true }) : published;
    },

    async delete(ref) {
      const r = await list(ref);
      if (!r.ok) return r;
      if (r.value.records.length === 0) return ok(undefined);
      for (const x of r.value.records) {
        const d = await call('DELETE', `${zonePath(ref.zone)}/record/${x.id}`);
        if (!d.ok) return d;
      }
      return refresh(ref.zone);
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const ovhProvider: ProviderDescriptor<OvhSettings, OvhSecrets> = {
  kind: 'ovh',
  label,
  docsUrl:
    'https://help.ovhcloud.com/csm/en-gb-api-getting-started-ovhcloud-api?id=kb_article_view&sysparm_article=KB0042784',
  fields: [
    {
      name: 'applicationKey',
      label: 'Application key',
      help: 'Create the keys at https://eu.api.ovh.com/createToken/ (or ca./us.) with GET, POST, PUT and DELETE on /domain/zone/<your zone>/* and GET on /auth/currentCredential.',
      secret: true,
    },
    { name: 'applicationSecret', label: 'Application secret', secret: true },
    { name: 'consumerKey', label: 'Consumer key', secret: true },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: 'ovh-eu (default), ovh-ca, ovh-us, or the API’s base URL.',
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createOvh,
};

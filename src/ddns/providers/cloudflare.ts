/**
 * @module Cloudflare API v4 adapter: a scoped API token (Bearer) finds the zone by walking up the name's labels,
 * lists the name's records of one type and creates (POST), edits (PATCH) or deletes them one by one. A record's
 * `proxied` flag is the user's choice in Cloudflare and is never sent on an edit, so it stays as it was.
 *
 * Documentation followed (Cloudflare API reference and guides):
 * - tokens, Bearer auth: https://developers.cloudflare.com/fundamentals/api/get-started/create-token/
 * - verify a token: https://developers.cloudflare.com/fundamentals/api/troubleshooting/ (`GET /user/tokens/verify`)
 * - zones: https://developers.cloudflare.com/api/resources/zones/methods/list/
 * - DNS records (list / create / edit / delete): https://developers.cloudflare.com/api/resources/dns/subresources/records/
 * - limits (1200 requests per 5 minutes per token, 429 with Retry-After):
 *   https://developers.cloudflare.com/fundamentals/api/reference/limits/
 *
 * A 403 is read from its envelope: code 10000 is an authentication error (the token is unknown or expired); other
 * codes (a token without the permission on this zone) stop only the record, so other zones of the token go on.
 *
 * Every answer is the envelope `{ success, errors: [{ code, message }], result }`, and Cloudflare may answer HTTP 200
 * with `success: false`, so both are checked.
 */
import { z } from 'zod';
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
import type { ProviderDescriptor } from './descriptor.js';
import {
  apiBase,
  endpointSetting,
  jsonRequest,
  providerRequest,
  readJson,
  unexpectedAnswer,
  type ProviderRequest,
} from './http.js';
import { isEmptyPlan, planRecordChanges } from './record-changes.js';
import { canonicalValue, quoteTxtStrings, zoneCandidates } from './values.js';

const label = 'Cloudflare';
export const cloudflareApiBase = 'https://api.cloudflare.com/client/v4';

const settingsSchema = z.object({
  endpoint: endpointSetting(cloudflareApiBase),
});
const secretsSchema = z.object({ token: z.string().trim().min(1) });
export type CloudflareSettings = z.infer<typeof settingsSchema>;
export type CloudflareSecrets = z.infer<typeof secretsSchema>;

const envelopeSchema = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number(), message: z.string() })).default([]),
  result: z.unknown(),
  result_info: z.object({ total_pages: z.number().int().optional() }).optional(),
});
const verifySchema = z.object({ status: z.string() });
const zonesSchema = z.array(z.object({ id: z.string().min(1), name: z.string() }));
const recordSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  name: z.string(),
  content: z.string(),
  proxied: z.boolean().optional(),
  ttl: z.number(),
});
type CloudflareRecord = z.infer<typeof recordSchema>;

/** Record lists are paged; one name and type never needs more than a few pages. */
const maxPages = 10;
const perPage = 100;

function toContent(type: RecordType, value: string): string {
  return type === 'TXT' ? quoteTxtStrings(value) : value;
}

function createCloudflare(
  settings: CloudflareSettings,
  secrets: CloudflareSecrets,
  deps: ProviderDeps,
): DnsProvider {
  const base = apiBase(settings.endpoint);
  const auth = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
  /** The zone id of each record name, found once per client; forgotten when a call in that zone fails. */
  const zoneIds = new Map<string, string>();

  async function call<T>(
    method: ProviderRequest['method'],
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ): Promise<ProviderResult<{ result: T; totalPages: number }>> {
    const request = jsonRequest(method, `${base}${path}`, auth, body);
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    const read = readJson(label, request, answer);
    if (!read.ok) return read;
    const json = read.value;
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success)
      return fail(unexpectedAnswer(label, request, answer, 'not the Cloudflare envelope'));
    const e = envelope.data;
    if (!e.success || answer.status >= 300) return fail(apiFailure(request, answer.status, e.errors));
    const result = schema.safeParse(e.result);
    if (!result.success) return fail(unexpectedAnswer(label, request, answer, 'result not as documented'));
    return ok({ result: result.data, totalPages: e.result_info?.total_pages ?? 1 });
  }

  function apiFailure(
    request: ProviderRequest,
    status: number,
    errors: readonly { code: number; message: string }[],
  ): ProviderFailure {
    const first = errors[0];
    const said = errors.map((e) => `${e.message} (${e.code})`).join('; ') || 'no error given';
    const message = `${label}: ${request.method} ${new URL(request.url).pathname}: HTTP ${status}: ${said}`;
    // 10000 is Cloudflare's "Authentication error" (also sent with HTTP 200 and success:false by some endpoints).
    if (first?.code === 10000) return { kind: 'auth', message, code: '10000' };
    const code = first === undefined ? `HTTP ${status}` : String(first.code);
    // 4xx with an error list: the request was refused for what it asked (unknown zone or record, invalid content or
    // TTL): retrying the same request cannot help, so the record stops until its configuration changes.
    if (status >= 400 && status < 500) return { kind: 'config', message, code };
    return { kind: 'transient', message, code };
  }

  async function findZone(name: string): Promise<ProviderResult<string>> {
    const cached = zoneIds.get(name);
    if (cached !== undefined) return ok(cached);
    for (const candidate of zoneCandidates(name)) {
      const r = await call('GET', `/zones?name=${encodeURIComponent(candidate)}`, zonesSchema);
      if (!r.ok) return r;
      const zone = r.value.result.find((z) => z.name.toLowerCase() === candidate);
      if (zone) {
        zoneIds.set(name, zone.id);
        return ok(zone.id);
      }
    }
    return fail({
      kind: 'config',
      message: `${label}: no zone of this account (that the token may read) holds ${name}`,
      code: 'no-zone',
    });
  }

  /** Every record of the name and type (paged), with the zone id. */
  async function listRecords(
    ref: RecordRef,
  ): Promise<ProviderResult<{ zoneId: string; records: CloudflareRecord[] }>> {
    const zone = await findZone(ref.name);
    if (!zone.ok) return zone;
    const records: CloudflareRecord[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const query = new URLSearchParams({
        type: ref.type,
        name: ref.name,
        per_page: String(perPage),
        page: String(page),
      });
      const r = await call(
        'GET',
        `/zones/${encodeURIComponent(zone.value)}/dns_records?${query.toString()}`,
        z.array(recordSchema),
      );
      if (!r.ok) return forgetZone(ref.name, r);
      // The name filter is exact, but a record of another name or type must never be taken for ours.
      records.push(...r.value.result.filter((x) => x.type === ref.type && x.name.toLowerCase() === ref.name));
      if (page >= r.value.totalPages) break;
    }
    return ok({ zoneId: zone.value, records });
  }

  function forgetZone<T>(name: string, r: ProviderResult<T>): ProviderResult<T> {
    zoneIds.delete(name);
    return r;
  }

  return {
    kind: 'cloudflare',
    can: { read: true, txt: true },

    async test(zone) {
      const v = await call('GET', '/user/tokens/verify', verifySchema);
      if (!v.ok) return v;
      if (v.value.result.status !== 'active')
        return fail({
          kind: 'auth',
          message: `${label}: the API token is ${v.value.result.status}, not active`,
          code: v.value.result.status,
        });
      if (zone === undefined) return ok({ detail: 'the API token is active' });
      const found = await call('GET', `/zones?name=${encodeURIComponent(zone)}`, zonesSchema);
      if (!found.ok) return found;
      if (!found.value.result.some((x) => x.name.toLowerCase() === zone))
        return fail({
          kind: 'config',
          message: `${label}: the token is active but sees no zone ${zone}`,
          code: 'no-zone',
        });
      return ok({ detail: `the API token is active and sees the zone ${zone}` });
    },

    async read(ref): Promise<ProviderResult<ProviderRecord>> {
      const r = await listRecords(ref);
      if (!r.ok) return r;
      const { records } = r.value;
      return ok({
        values: records.map((x) => canonicalValue(ref.type, x.content)).sort(),
        // 1 is Cloudflare's "automatic" (always so for proxied records).
        ttl: records[0] === undefined || records[0].ttl === 1 ? null : records[0].ttl,
      });
    },

    async set(ref, values, ttl) {
      const listed = await listRecords(ref);
      if (!listed.ok) return listed;
      const { zoneId, records } = listed.value;
      const plan = planRecordChanges(
        records.map((x) => ({ id: x.id, value: canonicalValue(ref.type, x.content) })),
        values,
      );
      if (isEmptyPlan(plan)) return ok({ changed: false });
      const path = `/zones/${encodeURIComponent(zoneId)}/dns_records`;
      for (const u of plan.updates) {
        // Only the content: proxied, TTL, comment and tags stay as the user set them.
        const r = await call('PATCH', `${path}/${encodeURIComponent(u.id)}`, recordSchema, {
          content: toContent(ref.type, u.value),
        });
        if (!r.ok) return forgetZone(ref.name, r);
      }
      // A record added beside existing ones takes their proxied flag (the set keeps one option); a new set gets
      // Cloudflare's default, as the user has chosen nothing yet (undefined is left out of the JSON).
      const proxied = records[0]?.proxied;
      for (const value of plan.creates) {
        const r = await call('POST', path, recordSchema, {
          type: ref.type,
          name: ref.name,
          content: toContent(ref.type, value),
          ttl,
          proxied,
        });
        if (!r.ok) return forgetZone(ref.name, r);
      }
      for (const id of plan.deletes) {
        const r = await call('DELETE', `${path}/${encodeURIComponent(id)}`, z.unknown());
        if (!r.ok) return forgetZone(ref.name, r);
      }
      return ok({ changed: true });
    },

    async delete(ref) {
      const listed = await listRecords(ref);
      if (!listed.ok) return listed;
      const path = `/zones/${encodeURIComponent(listed.value.zoneId)}/dns_records`;
      for (const x of listed.value.records) {
        const r = await call('DELETE', `${path}/${encodeURIComponent(x.id)}`, z.unknown());
        if (!r.ok) return forgetZone(ref.name, r);
      }
      return ok(undefined);
    },
  };
}

export const cloudflareProvider: ProviderDescriptor<CloudflareSettings, CloudflareSecrets> = {
  kind: 'cloudflare',
  label,
  docsUrl: 'https://developers.cloudflare.com/api/resources/dns/subresources/records/',
  fields: [
    {
      name: 'token',
      label: 'API token',
      help: 'A scoped API token with Zone · DNS · Edit and Zone · Zone · Read on the zone (template "Edit zone DNS").',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${cloudflareApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createCloudflare,
};

/**
 * @module DigitalOcean API v2 adapter (Domains and Domain Records): a personal access token (Bearer) finds the domain
 * by walking up the name's labels, lists the name's records of one type and creates (POST), edits (PATCH) or deletes
 * them one by one, each record holding one value.
 *
 * Documentation followed:
 * - API reference, Domains and Domain Records: https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domains
 *   and https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records
 *   (list filter: "`name` must be a fully qualified record name"; records carry the name relative to the domain, `@` at
 *   the apex; create answers 201, delete 204)
 * - list records: https://docs.digitalocean.com/reference/dots/reference/domain-records/domains-list-records/
 * - rate limits (5000 per hour, 250 per minute; 429 with Retry-After): https://docs.digitalocean.com/notes/2023/api-rate-limit
 *
 * Errors are `{ "id": "not_found", "message": "…" }` with the HTTP status.
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
} from '../provider.js';
import { isEmptyPlan, planRecordChanges } from './record-changes.js';
import { canonicalAddress, zoneCandidates } from './values.js';
import type { ProviderDescriptor } from './descriptor.js';
import {
  apiBase,
  endpointSetting,
  jsonRequest,
  providerRequest,
  readJson,
  unexpectedAnswer,
  type ProviderRequest,
  type StatusRules,
} from './http.js';

const label = 'DigitalOcean';
export const digitalOceanApiBase = 'https://api.digitalocean.com/v2';

const settingsSchema = z.object({
  endpoint: endpointSetting(digitalOceanApiBase),
});
const secretsSchema = z.object({ token: z.string().trim().min(1) });
export type DigitalOceanSettings = z.infer<typeof settingsSchema>;
export type DigitalOceanSecrets = z.infer<typeof secretsSchema>;

const errorSchema = z.object({ id: z.string(), message: z.string() });
const domainSchema = z.object({ domain: z.object({ name: z.string() }) });
const domainsSchema = z.object({ domains: z.array(z.object({ name: z.string() })) });
const recordSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  name: z.string(),
  data: z.string(),
  ttl: z.number().int().nullable().optional(),
});
type DoRecord = z.infer<typeof recordSchema>;
const recordsSchema = z.object({
  domain_records: z.array(recordSchema),
  links: z.object({ pages: z.object({ next: z.string().optional() }).optional() }).optional(),
});
const oneRecordSchema = z.object({ domain_record: recordSchema });

/** DELETE answers 204 with no body. */
const noBody = z.undefined();

const perPage = 200;
const maxPages = 10;

/** The record name as DigitalOcean holds it: relative to the domain, `@` at the apex. */
export function relativeName(name: string, domain: string): string {
  return name === domain ? '@' : name.slice(0, -(domain.length + 1));
}

/**
 * 401 for a token DigitalOcean does not know, 403 for one whose scopes do not cover the call (a read-only token, or
 * custom scopes without `domain:update`: https://docs.digitalocean.com/reference/api/scopes): both the credentials.
 */
export const statusRules: StatusRules = { auth: [401, 403] };

function createDigitalOcean(
  settings: DigitalOceanSettings,
  secrets: DigitalOceanSecrets,
  deps: ProviderDeps,
): DnsProvider {
  const base = apiBase(settings.endpoint);
  const auth = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
  /** The domain of each record name, found once per client; forgotten when a call in it fails. */
  const domains = new Map<string, string>();

  /** One request; a documented 404 (a domain or record not in this account) is an answer, `not-found`. */
  async function call<T>(
    method: ProviderRequest['method'],
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ): Promise<ProviderResult<T | 'not-found'>> {
    const request = jsonRequest(method, `${base}${path}`, auth, body);
    const r = await providerRequest(deps, label, request, statusRules);
    if (!r.ok) return r;
    const answer = r.value;
    if (answer.status === 204) {
      const empty = schema.safeParse(undefined);
      return empty.success ? ok(empty.data) : fail(unexpectedAnswer(label, request, answer, 'no body'));
    }
    const read = readJson(label, request, answer);
    if (!read.ok) return read;
    const json = read.value;
    if (answer.status >= 300) {
      const e = errorSchema.safeParse(json);
      if (!e.success) return fail(unexpectedAnswer(label, request, answer, 'not a DigitalOcean error'));
      if (answer.status === 404) return ok('not-found');
      return fail(apiFailure(request, answer.status, e.data));
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return fail(unexpectedAnswer(label, request, answer, 'not as documented'));
    return ok(parsed.data);
  }

  function apiFailure(
    request: ProviderRequest,
    status: number,
    e: z.infer<typeof errorSchema>,
  ): ProviderFailure {
    const message = `${label}: ${request.method} ${new URL(request.url).pathname}: HTTP ${status}: ${e.message} (${e.id})`;
    // Only 4xx come here (providerRequest took 401, 403, 429 and 5xx — statusRules): 422 unprocessable_entity is a name or value
    // it refuses, and the same request would be refused again.
    return { kind: 'config', message, code: e.id };
  }

  function notFound(request: string): ProviderFailure {
    return {
      kind: 'config',
      message: `${label}: ${request}: not found (the record or domain is no longer in this account)`,
      code: 'not_found',
    };
  }

  async function findDomain(name: string): Promise<ProviderResult<string>> {
    const cached = domains.get(name);
    if (cached !== undefined) return ok(cached);
    for (const candidate of zoneCandidates(name)) {
      const r = await call('GET', `/domains/${encodeURIComponent(candidate)}`, domainSchema);
      if (!r.ok) return r;
      if (r.value !== 'not-found' && r.value.domain.name.toLowerCase() === candidate) {
        domains.set(name, candidate);
        return ok(candidate);
      }
    }
    return fail({
      kind: 'config',
      message: `${label}: no domain of this account holds ${name}`,
      code: 'no-zone',
    });
  }

  async function listRecords(
    ref: RecordRef,
  ): Promise<ProviderResult<{ domain: string; records: DoRecord[] }>> {
    const domain = await findDomain(ref.name);
    if (!domain.ok) return domain;
    const relative = relativeName(ref.name, domain.value);
    const records: DoRecord[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const query = new URLSearchParams({
        type: ref.type,
        name: ref.name,
        per_page: String(perPage),
        page: String(page),
      });
      const path = `/domains/${encodeURIComponent(domain.value)}/records?${query.toString()}`;
      const r = await call('GET', path, recordsSchema);
      if (!r.ok) return forget(ref.name, r);
      if (r.value === 'not-found') return forget(ref.name, fail(notFound(`GET ${path}`)));
      // The filters are documented; a record of another name or type must still never be taken for ours.
      records.push(
        ...r.value.domain_records.filter((x) => x.type === ref.type && x.name.toLowerCase() === relative),
      );
      if (r.value.links?.pages?.next === undefined) break;
    }
    return ok({ domain: domain.value, records });
  }

  function forget<T>(name: string, r: ProviderResult<T>): ProviderResult<T> {
    domains.delete(name);
    return r;
  }

  async function write(
    name: string,
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ProviderResult<void>> {
    const r = await call(method, path, method === 'DELETE' ? noBody : oneRecordSchema, body);
    if (!r.ok) return forget(name, r);
    // A record deleted meanwhile is gone, as asked; any other 404 means the domain went away.
    if (r.value === 'not-found' && method !== 'DELETE')
      return forget(name, fail(notFound(`${method} ${path}`)));
    return ok(undefined);
  }

  return {
    kind: 'digitalocean',
    can: { read: true, txt: true },

    async test(zone) {
      if (zone === undefined) {
        const r = await call('GET', '/domains?per_page=1', domainsSchema);
        if (!r.ok) return r;
        if (r.value === 'not-found') return fail(notFound('GET /domains'));
        return ok({ detail: 'the token may read the domains of this account' });
      }
      const r = await call('GET', `/domains/${encodeURIComponent(zone)}`, domainSchema);
      if (!r.ok) return r;
      if (r.value === 'not-found')
        return fail({
          kind: 'config',
          message: `${label}: the token works but this account has no domain ${zone}`,
          code: 'no-zone',
        });
      return ok({ detail: `the token may read the domain ${zone}` });
    },

    async read(ref): Promise<ProviderResult<ProviderRecord>> {
      const r = await listRecords(ref);
      if (!r.ok) return r;
      const { records } = r.value;
      return ok({
        values: records.map((x) => canonicalAddress(ref.type, x.data)).sort(),
        ttl: records[0]?.ttl ?? null,
      });
    },

    async set(ref, values, ttl) {
      const listed = await listRecords(ref);
      if (!listed.ok) return listed;
      const { domain, records } = listed.value;
      const plan = planRecordChanges(
        records.map((x) => ({ id: String(x.id), value: canonicalAddress(ref.type, x.data) })),
        values,
      );
      if (isEmptyPlan(plan)) return ok({ changed: false });
      const path = `/domains/${encodeURIComponent(domain)}/records`;
      for (const u of plan.updates) {
        const r = await write(ref.name, 'PATCH', `${path}/${u.id}`, { data: u.value, ttl });
        if (!r.ok) return r;
      }
      for (const value of plan.creates) {
        // TXT data is the text itself: DigitalOcean adds the quotes in the zone.
        const r = await write(ref.name, 'POST', path, {
          type: ref.type,
          name: relativeName(ref.name, domain),
          data: value,
          ttl,
        });
        if (!r.ok) return r;
      }
      for (const id of plan.deletes) {
        const r = await write(ref.name, 'DELETE', `${path}/${id}`);
        if (!r.ok) return r;
      }
      return ok({ changed: true });
    },

    async delete(ref) {
      const listed = await listRecords(ref);
      if (!listed.ok) return listed;
      const path = `/domains/${encodeURIComponent(listed.value.domain)}/records`;
      for (const x of listed.value.records) {
        const r = await write(ref.name, 'DELETE', `${path}/${x.id}`);
        if (!r.ok) return r;
      }
      return ok(undefined);
    },
  };
}

export const digitalOceanProvider: ProviderDescriptor<DigitalOceanSettings, DigitalOceanSecrets> = {
  kind: 'digitalocean',
  label,
  docsUrl: 'https://docs.digitalocean.com/reference/api/digitalocean/#tag/Domain-Records',
  fields: [
    {
      name: 'token',
      label: 'Personal access token',
      help: 'Control panel → API → Tokens; with custom scopes it needs domain read and update.',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${digitalOceanApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createDigitalOcean,
};

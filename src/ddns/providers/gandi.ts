/**
 * @module Gandi LiveDNS adapter (API v5): a Personal Access Token sent as `Authorization: Bearer`, the domain checked
 * once, then one record set (name and type, all its values together) read with GET, replaced with PUT and removed
 * with DELETE. LiveDNS merges every value of a name and type into one set, so a PUT is the whole change.
 *
 * Documentation followed:
 * - LiveDNS API reference: https://api.gandi.net/docs/livedns/ — `GET /domains`, `GET /domains/{fqdn}`,
 *   `GET|PUT|DELETE /domains/{fqdn}/records/{rrset_name}/{rrset_type}` (`rrset_name` relative, `@` for the apex;
 *   body `{ rrset_values, rrset_ttl }`); error bodies `{ code, message, object, cause }`; 401 for a wrong key, 403
 *   for a token that expired, lacks the permission or does not exist.
 * - authentication: https://api.gandi.net/docs/authentication/ (`Bearer pat_…`; the older `Apikey` scheme is
 *   deprecated and not offered here).
 * Not seen in Gandi's own text (from client libraries): PUT answering 201 `{"message":"DNS Record Created"}`, the
 * 300 s minimum TTL, TXT values quoted as in a zone file.
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
import type { ProviderDescriptor } from './descriptor.js';
import {
  apiBase,
  endpointSetting,
  jsonRequest,
  providerRequest,
  readJson,
  unexpectedAnswer,
  type ProviderAnswer,
  type ProviderRequest,
  type StatusRules,
} from './http.js';
import { canonicalValue, quoteTxtString, relativeName, sameValues } from './values.js';

const label = 'Gandi LiveDNS';
export const gandiApiBase = 'https://api.gandi.net/v5/livedns';
/** LiveDNS refuses a shorter TTL (per client libraries; Gandi's reference was not seen saying so): raised to it. */
export const gandiMinTtl = 300;

const settingsSchema = z.object({
  endpoint: endpointSetting(gandiApiBase),
});
const secretsSchema = z.object({ token: z.string().trim().min(1) });
export type GandiSettings = z.infer<typeof settingsSchema>;
export type GandiSecrets = z.infer<typeof secretsSchema>;

const rrsetSchema = z.object({
  rrset_name: z.string(),
  rrset_type: z.string(),
  rrset_ttl: z.number().int().nonnegative().optional(),
  rrset_values: z.array(z.string()),
});
const domainSchema = z.object({ fqdn: z.string().min(1) });
const errorSchema = z.object({
  code: z.number().optional(),
  message: z.string().optional(),
  cause: z.string().optional(),
  object: z.string().optional(),
  errors: z.array(z.object({ name: z.string().optional(), description: z.string().optional() })).optional(),
});

/** LiveDNS documents 401 for a wrong key and 403 for a token that expired, lacks the permission or does not exist. */
export const statusRules: StatusRules = { auth: [401, 403] };

function createGandi(settings: GandiSettings, secrets: GandiSecrets, deps: ProviderDeps): DnsProvider {
  const base = apiBase(settings.endpoint);
  const auth = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
  /** Domains found on LiveDNS by this client. */
  const known = new Set<string>();

  interface Answer {
    readonly request: ProviderRequest;
    readonly answer: ProviderAnswer;
  }

  async function call(
    method: ProviderRequest['method'],
    path: string,
    body?: unknown,
  ): Promise<ProviderResult<Answer>> {
    const request = jsonRequest(method, `${base}${path}`, auth, body);
    const r = await providerRequest(deps, label, request, statusRules);
    return r.ok ? ok({ request, answer: r.value }) : r;
  }

  function parseJson<T>(a: Answer, schema: z.ZodType<T>): ProviderResult<T> {
    const json = readJson(label, a.request, a.answer);
    if (!json.ok) return json;
    const parsed = schema.safeParse(json.value);
    return parsed.success
      ? ok(parsed.data)
      : fail(unexpectedAnswer(label, a.request, a.answer, 'not as documented'));
  }

  /** A 4xx LiveDNS refused: it says why in `message` (and per field in `errors`). */
  function refused(a: Answer, kind: ProviderFailure['kind']): ProviderFailure {
    let said = '';
    try {
      const e = errorSchema.safeParse(JSON.parse(a.answer.text));
      if (e.success) {
        const fields = (e.data.errors ?? [])
          .map((f) => `${f.name ?? '?'}: ${f.description ?? ''}`)
          .join('; ');
        said = [e.data.message ?? e.data.cause ?? '', fields].filter((s) => s !== '').join(' — ');
      }
    } catch {
      // Not JSON: the status says enough.
    }
    return {
      kind,
      message: `${label}: ${a.request.method} ${new URL(a.request.url).pathname}: HTTP ${a.answer.status}${said === '' ? '' : `: ${said.slice(0, 300)}`}`,
      code: `HTTP ${a.answer.status}`,
    };
  }

  async function checkDomain(zone: string): Promise<ProviderResult<void>> {
    if (known.has(zone)) return ok(undefined);
    const r = await call('GET', `/domains/${encodeURIComponent(zone)}`);
    if (!r.ok) return r;
    if (r.value.answer.status === 404)
      return fail({
        kind: 'config',
        message: `${label}: ${zone} is not a LiveDNS domain of this account (HTTP 404)`,
        code: 'HTTP 404',
      });
    if (r.value.answer.status !== 200) return fail(refused(r.value, 'transient'));
    const domain = parseJson(r.value, domainSchema);
    if (!domain.ok) return domain;
    known.add(zone);
    return ok(undefined);
  }

  /** The path of the set, after checking the name lies in the zone and the zone is at LiveDNS. */
  async function setPath(ref: RecordRef): Promise<ProviderResult<string>> {
    const rel = relativeName(ref.name, ref.zone, '@');
    if (rel === undefined)
      return fail({ kind: 'config', message: `${label}: ${ref.name} is not in the zone ${ref.zone}` });
    const domain = await checkDomain(ref.zone);
    if (!domain.ok) return domain;
    return ok(
      `/domains/${encodeURIComponent(ref.zone)}/records/${encodeURIComponent(rel)}/${encodeURIComponent(ref.type)}`,
    );
  }

  async function readSet(ref: RecordRef): Promise<ProviderResult<{ path: string; record: ProviderRecord }>> {
    const path = await setPath(ref);
    if (!path.ok) return path;
    const r = await call('GET', path.value);
    if (!r.ok) return r;
    if (r.value.answer.status === 404) return ok({ path: path.value, record: { values: [], ttl: null } });
    if (r.value.answer.status !== 200) return fail(refused(r.value, 'transient'));
    const set = parseJson(r.value, rrsetSchema);
    if (!set.ok) return set;
    return ok({
      path: path.value,
      record: {
        values: set.value.rrset_values.map((v) => canonicalValue(ref.type, v)).sort(),
        ttl: set.value.rrset_ttl ?? null,
      },
    });
  }

  /** 2xx is done; a 400 is a value or TTL LiveDNS will not take (config); anything else is unexpected. */
  function written(r: ProviderResult<Answer>): ProviderResult<void> {
    if (!r.ok) return r;
    const { status } = r.value.answer;
    if (status >= 200 && status < 300) return ok(undefined);
    return fail(
      refused(r.value, status === 400 || status === 404 || status === 409 ? 'config' : 'transient'),
    );
  }

  return {
    kind: 'gandi',
    can: { read: true, txt: true },

    async test(zone) {
      if (zone !== undefined) {
        const d = await checkDomain(zone);
        if (!d.ok) return d;
        return ok({ detail: `the token is accepted and may manage ${zone} at LiveDNS` });
      }
      const r = await call('GET', '/domains');
      if (!r.ok) return r;
      if (r.value.answer.status !== 200) return fail(refused(r.value, 'transient'));
      const list = parseJson(r.value, z.array(domainSchema));
      if (!list.ok) return list;
      return ok({ detail: `the token is accepted and sees ${list.value.length} LiveDNS domain(s)` });
    },

    async read(ref) {
      const r = await readSet(ref);
      return r.ok ? ok(r.value.record) : r;
    },

    async set(ref, values, ttl) {
      const r = await readSet(ref);
      if (!r.ok) return r;
      const { path, record } = r.value;
      const wanted = [...new Set(values.map((v) => canonicalValue(ref.type, v)))].sort();
      if (sameValues(wanted, record.values)) return ok({ changed: false });
      if (wanted.length === 0) {
        const removed = written(await call('DELETE', path));
        return removed.ok ? ok({ changed: true }) : removed;
      }
      // PUT replaces the whole set (every value of the name and type), creating it when missing.
      const put = written(
        await call('PUT', path, {
          rrset_values: wanted.map((v) => (ref.type === 'TXT' ? quoteTxtString(v) : v)),
          rrset_ttl: Math.max(ttl, gandiMinTtl),
        }),
      );
      return put.ok ? ok({ changed: true }) : put;
    },

    async delete(ref) {
      const path = await setPath(ref);
      if (!path.ok) return path;
      const r = await call('DELETE', path.value);
      // A set that is not there is already deleted.
      if (r.ok && r.value.answer.status === 404) return ok(undefined);
      return written(r);
    },
  };
}

export const gandiProvider: ProviderDescriptor<GandiSettings, GandiSecrets> = {
  kind: 'gandi',
  label,
  docsUrl: 'https://api.gandi.net/docs/livedns/',
  fields: [
    {
      name: 'token',
      label: 'Personal Access Token',
      help: 'Created in Gandi’s admin under Organizations → Sharing → Create a token, with “Manage domain name technical configurations” on the domain.',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${gandiApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createGandi,
};

/**
 * @module Porkbun API v3 adapter: every call is a POST of JSON carrying `apikey` and `secretapikey`; the records of
 * one name and type are read with retrieveByNameType, a single record moved with editByNameType, missing records
 * made with create, a set removed with deleteByNameType (records of several values are edited or deleted by id, so
 * a value already in place stays and the name never goes without a record on the way).
 *
 * Documentation followed (https://porkbun.com/api/json/v3/documentation, OpenAPI https://porkbun.com/api/json/v3/spec):
 * - host `api.porkbun.com`, POST + JSON everywhere, keys in the body ("Authentication");
 * - `/ping` → `{ status: "SUCCESS", yourIp }` to check the keys;
 * - `/dns/retrieveByNameType/{domain}/{type}/[{subdomain}]` → `{ status, records: [{ id, name, type, content,
 *   ttl, prio, notes }] }` (numbers as strings, `name` the full name);
 * - `/dns/editByNameType/{domain}/{type}/[{subdomain}]` `{ content, ttl }`; `/dns/create/{domain}` `{ name, type,
 *   content, ttl }` (`name` the subdomain, empty for the apex) → `{ status, id }`; `/dns/edit/{domain}/{id}`;
 *   `/dns/delete/{domain}/{id}`; `/dns/deleteByNameType/{domain}/{type}/[{subdomain}]`;
 * - errors: `{ status: "ERROR", message }` — checked on every answer, whatever the HTTP status.
 * Not seen in Porkbun's own text (from client libraries): the 600 s minimum TTL; the HTTP status and wording of a
 * wrong key ("Invalid API key. (002)"); "not opted in to API access" for a domain whose API access is off.
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
} from './http.js';
import { isEmptyPlan, planRecordChanges } from './record-changes.js';
import { canonicalAddress, relativeName } from './values.js';

const label = 'Porkbun';
export const porkbunApiBase = 'https://api.porkbun.com/api/json/v3';
/** Porkbun keeps no record below this TTL (per client libraries): asked TTLs are raised to it. */
export const porkbunMinTtl = 600;

const settingsSchema = z.object({
  endpoint: endpointSetting(porkbunApiBase),
});
const secretsSchema = z.object({
  apiKey: z.string().trim().min(1),
  secretApiKey: z.string().trim().min(1),
});
export type PorkbunSettings = z.infer<typeof settingsSchema>;
export type PorkbunSecrets = z.infer<typeof secretsSchema>;

const numberText = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const recordSchema = z.object({
  id: z.union([z.string().min(1), z.number().int()]).transform(String),
  name: z.string(),
  type: z.string(),
  content: z.string(),
  ttl: numberText,
  notes: z.string().nullable().optional(),
});
type PorkbunRecord = z.infer<typeof recordSchema>;
const envelopeSchema = z.object({ status: z.string(), message: z.string().optional() }).loose();

/**
 * What an `ERROR` answer means for the engine. Porkbun gives only a sentence, so its wording is read: a wrong key is
 * auth; an unknown domain, a domain whose API access is off, or a value it refuses is config (the same request
 * cannot succeed later); a rate limit is rate-limited; what it does not explain is config too, since retrying the
 * same refused request cannot help.
 */
export function errorKind(message: string): ProviderFailure['kind'] {
  if (/api key|apikey|authenticat/i.test(message)) return 'auth';
  if (/rate limit|too many|slow down|try again later/i.test(message)) return 'rate-limited';
  return 'config';
}

function createPorkbun(settings: PorkbunSettings, secrets: PorkbunSecrets, deps: ProviderDeps): DnsProvider {
  const base = apiBase(settings.endpoint);

  /** One POST; `status` must be SUCCESS, whatever the HTTP status says. */
  async function call<T>(
    path: string,
    schema: z.ZodType<T>,
    fields: object = {},
  ): Promise<ProviderResult<T>> {
    const request = jsonRequest(
      'POST',
      `${base}${path}`,
      { accept: 'application/json' },
      { apikey: secrets.apiKey, secretapikey: secrets.secretApiKey, ...fields },
    );
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    const read = readJson(label, request, answer);
    if (!read.ok) return read;
    const json = read.value;
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) return fail(unexpectedAnswer(label, request, answer, 'no status'));
    if (envelope.data.status !== 'SUCCESS') {
      const said = (envelope.data.message ?? 'no message').slice(0, 300);
      return fail({
        kind: errorKind(said),
        message: `${label}: POST ${new URL(request.url).pathname}: HTTP ${answer.status} ${envelope.data.status}: ${said}`,
        code: envelope.data.status,
      });
    }
    if (answer.status < 200 || answer.status >= 300)
      return fail(unexpectedAnswer(label, request, answer, 'SUCCESS with a non-2xx status'));
    const result = schema.safeParse(json);
    return result.success
      ? ok(result.data)
      : fail(unexpectedAnswer(label, request, answer, 'not as documented'));
  }

  const byNameType = (op: string, ref: RecordRef, sub: string): string =>
    `/dns/${op}/${encodeURIComponent(ref.zone)}/${encodeURIComponent(ref.type)}${sub === '' ? '' : `/${encodeURIComponent(sub)}`}`;

  async function list(ref: RecordRef): Promise<ProviderResult<{ sub: string; records: PorkbunRecord[] }>> {
    const sub = relativeName(ref.name, ref.zone, '');
    if (sub === undefined)
      return fail({ kind: 'config', message: `${label}: ${ref.name} is not in the zone ${ref.zone}` });
    const r = await call(
      byNameType('retrieveByNameType', ref, sub),
      z.object({ records: z.array(recordSchema) }),
    );
    if (!r.ok) return r;
    // Only this name and type, whatever else an answer holds.
    const records = r.value.records.filter((x) => x.type === ref.type && x.name.toLowerCase() === ref.name);
    return ok({ sub, records });
  }

  return {
    kind: 'porkbun',
    can: { read: true, txt: true },

    async test(zone) {
      const ping = await call('/ping', z.object({ yourIp: z.string().optional() }));
      if (!ping.ok) return ping;
      if (zone === undefined) return ok({ detail: 'the API keys are accepted' });
      // Reading the apex NS records needs the domain in this account with its API access on; it writes nothing.
      const ns = await call(
        `/dns/retrieveByNameType/${encodeURIComponent(zone)}/NS`,
        z.object({ records: z.array(recordSchema) }),
      );
      if (!ns.ok) return ns;
      return ok({ detail: `the API keys are accepted and may manage ${zone}` });
    },

    async read(ref): Promise<ProviderResult<ProviderRecord>> {
      const r = await list(ref);
      if (!r.ok) return r;
      const { records } = r.value;
      return ok({
        values: records.map((x) => canonicalAddress(ref.type, x.content)).sort(),
        ttl: records[0]?.ttl ?? null,
      });
    },

    async set(ref, values, ttl) {
      const r = await list(ref);
      if (!r.ok) return r;
      const { sub, records } = r.value;
      const wanted = [...new Set(values.map((v) => canonicalAddress(ref.type, v)))];
      const plan = planRecordChanges(
        records.map((x) => ({ id: x.id, value: canonicalAddress(ref.type, x.content) })),
        wanted,
      );
      if (isEmptyPlan(plan)) return ok({ changed: false });
      const ttlText = String(Math.max(ttl, porkbunMinTtl));
      const done = z.object({});
      if (wanted.length === 0) {
        const d = await call(byNameType('deleteByNameType', ref, sub), done);
        return d.ok ? ok({ changed: true }) : d;
      }
      if (records.length === 1 && wanted.length === 1 && plan.updates.length === 1) {
        // The common DDNS case: one record takes the new address in one request.
        const e = await call(byNameType('editByNameType', ref, sub), done, {
          content: wanted[0],
          ttl: ttlText,
        });
        return e.ok ? ok({ changed: true }) : e;
      }
      const domain = encodeURIComponent(ref.zone);
      for (const edit of plan.updates) {
        const notes = records.find((x) => x.id === edit.id)?.notes;
        const e = await call(`/dns/edit/${domain}/${encodeURIComponent(edit.id)}`, done, {
          name: sub,
          type: ref.type,
          content: edit.value,
          ttl: ttlText,
          ...(notes ? { notes } : {}),
        });
        if (!e.ok) return e;
      }
      for (const value of plan.creates) {
        const c = await call(`/dns/create/${domain}`, done, {
          name: sub,
          type: ref.type,
          content: value,
          ttl: ttlText,
        });
        if (!c.ok) return c;
      }
      for (const id of plan.deletes) {
        const d = await call(`/dns/delete/${domain}/${encodeURIComponent(id)}`, done);
        if (!d.ok) return d;
      }
      return ok({ changed: true });
    },

    async delete(ref) {
      const r = await list(ref);
      if (!r.ok) return r;
      if (r.value.records.length === 0) return ok(undefined);
      const d = await call(byNameType('deleteByNameType', ref, r.value.sub), z.object({}));
      return d.ok ? ok(undefined) : d;
    },
  };
}

export const porkbunProvider: ProviderDescriptor<PorkbunSettings, PorkbunSecrets> = {
  kind: 'porkbun',
  label,
  docsUrl: 'https://porkbun.com/api/json/v3/documentation',
  fields: [
    {
      name: 'apiKey',
      label: 'API key',
      help: 'From porkbun.com/account/api (pk1_…). Turn “API Access” on for the domain too.',
      secret: true,
    },
    { name: 'secretApiKey', label: 'Secret API key', help: 'sk1_…', secret: true },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${porkbunApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createPorkbun,
};

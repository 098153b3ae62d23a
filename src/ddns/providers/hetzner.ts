/**
 * @module Hetzner DNS adapter over the Hetzner Cloud API (`https://api.hetzner.cloud/v1`, zones and RRSets): a
 * project API token (Bearer) finds the zone by walking up the name's labels, reads the name's RRSet of one type and
 * changes it as one unit (create, `set_records`, delete). Changes are asynchronous actions, polled on the clock until
 * they succeed or fail, a bounded number of times.
 *
 * Why this API and not the older DNS Console API (`dns.hetzner.com/api/v1`, `Auth-API-Token`): Hetzner moved DNS
 * into the Hetzner Console and the Cloud API; zones are migrated there one way, "the DNS API can no longer be used
 * for a zone after migration", the old console creates no new zones, and the old API is being shut down (May 2026
 * per third parties). https://docs.hetzner.com/networking/dns/migration-to-hetzner-console/process
 *
 * Documentation followed (Hetzner Cloud API reference):
 * - zones (`GET /zones?name=`): https://docs.hetzner.cloud/reference/cloud#zones
 * - RRSets (`GET` / `POST /zones/{id}/rrsets`, `DELETE /zones/{id}/rrsets/{name}/{type}`; the name is relative, lower
 *   case, `@` at the apex; TXT values are quoted strings of at most 255 characters):
 *   https://docs.hetzner.cloud/reference/cloud#zone-rrsets
 * - `POST …/rrsets/{name}/{type}/actions/set_records` (replaces all records; primary zones only, else 422
 *   `incorrect_zone_mode`): https://docs.hetzner.cloud/reference/cloud#zone-rrset-actions
 * - actions (`GET /zones/actions/{id}`, status `running` | `success` | `error`):
 *   https://docs.hetzner.cloud/reference/cloud#zone-actions
 * - errors `{ "error": { "code", "message" } }`, rate limiting (429 `rate_limit_exceeded`):
 *   https://docs.hetzner.cloud/reference/cloud#errors and https://docs.hetzner.cloud/reference/cloud#rate-limiting
 *   (the `RateLimit-Reset` header, Unix seconds, is what client libraries read; its name was not seen in Hetzner's
 *   own text, so a Retry-After, when sent, wins)
 *
 * TTL: a new RRSet gets the TTL asked; an existing one keeps its TTL (only its records change, as the engine plans
 * on values). A read-only token reads but is refused on writes (403, auth).
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
import { planRecordChanges } from './record-changes.js';
import { canonicalValue, quoteTxtStrings, sameValues, zoneCandidates } from './values.js';
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

const label = 'Hetzner';
export const hetznerApiBase = 'https://api.hetzner.cloud/v1';

/**
 * Waits between polls of a running action, in order: about 15 s in all, inside the engine's patience for one call.
 * Hetzner's DNS actions usually finish within a second or two.
 */
export const actionPollDelaysMs = [500, 1000, 1000, 2000, 2000, 2000, 3000, 3000] as const;

const settingsSchema = z.object({
  endpoint: endpointSetting(hetznerApiBase),
});
const secretsSchema = z.object({ token: z.string().trim().min(1) });
export type HetznerSettings = z.infer<typeof settingsSchema>;
export type HetznerSecrets = z.infer<typeof secretsSchema>;

const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const zoneSchema = z.object({ id: z.number().int(), name: z.string(), mode: z.string() });
const zonesSchema = z.object({ zones: z.array(zoneSchema) });
type Zone = z.infer<typeof zoneSchema>;
const rrsetSchema = z.object({
  name: z.string(),
  type: z.string(),
  ttl: z.number().int().nullable(),
  records: z.array(z.object({ value: z.string(), comment: z.string().nullable().optional() })),
});
type RRSet = z.infer<typeof rrsetSchema>;
const actionSchema = z.object({
  id: z.number().int(),
  status: z.enum(['running', 'success', 'error']),
  error: z.object({ code: z.string(), message: z.string() }).nullable().optional(),
});
type Action = z.infer<typeof actionSchema>;
const actionAnswer = z.object({ action: actionSchema });

/** The RRSet name as Hetzner wants it: relative to the zone, `@` at the apex. */
export function rrName(name: string, zone: string): string {
  return name === zone ? '@' : name.slice(0, -(zone.length + 1));
}

/**
 * Hetzner documents 401 `unauthorized` for a token it does not know and 403 `forbidden` for one without the right
 * (a read-only token on a write): both are the credentials. A 429 says when the window resets in `RateLimit-Reset`
 * (Unix seconds) rather than with Retry-After.
 */
export const statusRules: StatusRules = {
  auth: [401, 403],
  retryAfter: (headers, now) => {
    const reset = Number(headers.get('ratelimit-reset') ?? NaN);
    return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now.getTime()) : undefined;
  },
};

function createHetzner(settings: HetznerSettings, secrets: HetznerSecrets, deps: ProviderDeps): DnsProvider {
  const base = apiBase(settings.endpoint);
  const auth = { authorization: `Bearer ${secrets.token}`, accept: 'application/json' };
  /** The zone of each record name, found once per client; forgotten when a call in it fails. */
  const zones = new Map<string, Zone>();

  /** One request: the parsed body on 2xx, `not-found` on a documented 404, else a failure. */
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
    const read = readJson(label, request, answer);
    if (!read.ok) return read;
    const json = read.value;
    if (answer.status >= 300) {
      const e = errorSchema.safeParse(json);
      if (!e.success) return fail(unexpectedAnswer(label, request, answer, 'not a Hetzner error'));
      if (answer.status === 404) return ok('not-found');
      return fail(apiFailure(request, answer.status, e.data.error));
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return fail(unexpectedAnswer(label, request, answer, 'not as documented'));
    return ok(parsed.data);
  }

  function apiFailure(
    request: ProviderRequest,
    status: number,
    e: { code: string; message: string },
  ): ProviderFailure {
    const message = `${label}: ${request.method} ${new URL(request.url).pathname}: HTTP ${status}: ${e.message} (${e.code})`;
    switch (e.code) {
      // Another action on the same RRSet is still running, or two writers raced: the next attempt may pass.
      case 'locked':
      case 'conflict':
      case 'uniqueness_error':
      case 'maintenance':
      case 'resource_unavailable':
        return { kind: 'transient', message, code: e.code };
      default:
        // invalid_input, incorrect_zone_mode, protected, …: the same request would be refused again. (Only 4xx come
        // here: providerRequest took 401, 403, 429 and 5xx — statusRules.)
        return { kind: 'config', message, code: e.code };
    }
  }

  function gone(what: string): ProviderFailure {
    return {
      kind: 'config',
      message: `${label}: ${what}: not found (the zone is no longer in this project)`,
      code: 'not_found',
    };
  }

  async function findZone(name: string): Promise<ProviderResult<Zone>> {
    const cached = zones.get(name);
    if (cached !== undefined) return ok(cached);
    for (const candidate of zoneCandidates(name)) {
      const r = await call('GET', `/zones?name=${encodeURIComponent(candidate)}`, zonesSchema);
      if (!r.ok) return r;
      const zone = r.value === 'not-found' ? undefined : r.value.zones.find((z) => z.name === candidate);
      if (zone) {
        zones.set(name, zone);
        return ok(zone);
      }
    }
    return fail({
      kind: 'config',
      message: `${label}: no zone of this project holds ${name}`,
      code: 'no-zone',
    });
  }

  function forget<T>(name: string, r: ProviderResult<T>): ProviderResult<T> {
    zones.delete(name);
    return r;
  }

  /** The RRSet's path and what it holds now (undefined: it does not exist). */
  async function readRRSet(
    ref: RecordRef,
  ): Promise<ProviderResult<{ zone: Zone; path: string; rrset: RRSet | undefined }>> {
    const zone = await findZone(ref.name);
    if (!zone.ok) return zone;
    const path = `/zones/${zone.value.id}/rrsets/${encodeURIComponent(rrName(ref.name, zone.value.name))}/${ref.type}`;
    const r = await call('GET', path, z.object({ rrset: rrsetSchema }));
    if (!r.ok) return forget(ref.name, r);
    return ok({ zone: zone.value, path, rrset: r.value === 'not-found' ? undefined : r.value.rrset });
  }

  /** Polls the action until it is done, on the clock, at most `actionPollDelaysMs.length` times. */
  async function settle(first: Action, what: string): Promise<ProviderResult<void>> {
    let action = first;
    for (const delay of actionPollDelaysMs) {
      if (action.status !== 'running') break;
      await deps.clock.sleep(delay);
      const r = await call('GET', `/zones/actions/${action.id}`, actionAnswer);
      if (!r.ok) return r;
      if (r.value === 'not-found') return fail(gone(`action ${action.id}`));
      action = r.value.action;
    }
    if (action.status === 'success') return ok(undefined);
    if (action.status === 'running')
      return fail({
        kind: 'transient',
        message: `${label}: ${what}: action ${action.id} still running after ${actionPollDelaysMs.length} checks`,
        code: 'running',
      });
    const e = action.error;
    return fail({
      kind: 'transient',
      message: `${label}: ${what}: action ${action.id} failed${e ? `: ${e.message} (${e.code})` : ''}`,
      code: e?.code ?? 'error',
    });
  }

  /** Sends a change and waits for its action: true once done, false when the target was not found (404). */
  async function change(
    name: string,
    method: 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ProviderResult<boolean>> {
    const r = await call(method, path, actionAnswer, body);
    if (!r.ok) return forget(name, r);
    if (r.value === 'not-found') return ok(false);
    const done = await settle(r.value.action, `${method} ${path}`);
    return done.ok ? ok(true) : done;
  }

  function valuesOf(ref: RecordRef, rrset: RRSet | undefined): string[] {
    return (rrset?.records ?? []).map((x) => canonicalValue(ref.type, x.value)).sort();
  }

  function toValue(ref: RecordRef, value: string): string {
    return ref.type === 'TXT' ? quoteTxtStrings(value) : value;
  }

  async function remove(ref: RecordRef, path: string): Promise<ProviderResult<void>> {
    // Gone already (404) is what was asked.
    const r = await change(ref.name, 'DELETE', path);
    return r.ok ? ok(undefined) : r;
  }

  return {
    kind: 'hetzner',
    can: { read: true, txt: true },

    async test(zone) {
      const query = zone === undefined ? 'per_page=1' : `name=${encodeURIComponent(zone)}`;
      const r = await call('GET', `/zones?${query}`, zonesSchema);
      if (!r.ok) return r;
      if (zone === undefined) return ok({ detail: 'the token may read the zones of its project' });
      const found = r.value === 'not-found' ? undefined : r.value.zones.find((z) => z.name === zone);
      if (!found)
        return fail({
          kind: 'config',
          message: `${label}: the token works but its project has no zone ${zone}`,
          code: 'no-zone',
        });
      if (found.mode !== 'primary')
        return fail({
          kind: 'config',
          message: `${label}: the zone ${zone} is in ${found.mode} mode; only primary zones take changes`,
          code: 'incorrect_zone_mode',
        });
      return ok({
        detail: `the token may read the zone ${zone} (primary); whether it may write shows at the first change`,
      });
    },

    async read(ref): Promise<ProviderResult<ProviderRecord>> {
      const r = await readRRSet(ref);
      if (!r.ok) return r;
      return ok({ values: valuesOf(ref, r.value.rrset), ttl: r.value.rrset?.ttl ?? null });
    },

    async set(ref, values, ttl) {
      const r = await readRRSet(ref);
      if (!r.ok) return r;
      const { zone, path, rrset } = r.value;
      const wanted = [...new Set(values)].sort();
      const held = valuesOf(ref, rrset);
      if (sameValues(held, wanted)) return ok({ changed: false });
      if (wanted.length === 0) {
        const d = await remove(ref, path);
        return d.ok ? ok({ changed: true }) : d;
      }
      if (rrset === undefined) {
        const created = await change(ref.name, 'POST', `/zones/${zone.id}/rrsets`, {
          name: rrName(ref.name, zone.name),
          type: ref.type,
          ttl,
          records: wanted.map((v) => ({ value: toValue(ref, v) })),
        });
        if (!created.ok) return created;
        return created.value
          ? ok({ changed: true })
          : forget(ref.name, fail(gone(`POST /zones/${zone.id}/rrsets`)));
      }
      // A value that stays keeps its comment; a new value taking an old one's place takes its comment too, as an
      // edited record would (the comment is the user's note on the name, e.g. "router").
      const plan = planRecordChanges(
        rrset.records.map((x, i) => ({ id: String(i), value: canonicalValue(ref.type, x.value) })),
        wanted,
      );
      const comments = new Map<string, string | null | undefined>();
      for (const x of rrset.records) comments.set(canonicalValue(ref.type, x.value), x.comment);
      for (const u of plan.updates) comments.set(u.value, rrset.records[Number(u.id)]?.comment);
      const updated = await change(ref.name, 'POST', `${path}/actions/set_records`, {
        records: wanted.map((v) => {
          const comment = comments.get(v);
          return { value: toValue(ref, v), ...(comment ? { comment } : {}) };
        }),
      });
      if (!updated.ok) return updated;
      return updated.value
        ? ok({ changed: true })
        : forget(ref.name, fail(gone(`POST ${path}/actions/set_records`)));
    },

    async delete(ref) {
      const r = await readRRSet(ref);
      if (!r.ok) return r;
      if (r.value.rrset === undefined) return ok(undefined);
      return remove(ref, r.value.path);
    },
  };
}

export const hetznerProvider: ProviderDescriptor<HetznerSettings, HetznerSecrets> = {
  kind: 'hetzner',
  label: 'Hetzner DNS',
  docsUrl: 'https://docs.hetzner.cloud/reference/cloud#zone-rrsets',
  fields: [
    {
      name: 'token',
      label: 'Cloud API token',
      help: 'Hetzner Console → the project holding the zone → Security → API tokens, with Read & Write. Tokens of the old DNS Console do not work here.',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${hetznerApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createHetzner,
};

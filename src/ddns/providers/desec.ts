/**
 * @module deSEC adapter (desec.io REST API): a token (`Authorization: Token …`) finds the responsible domain with
 * `owns_qname`, reads the name's RRset of one type and changes it as one unit with a single write (POST to create,
 * PATCH of the records, DELETE), since deSEC's write limits are strict: per domain 2/s, 15/min, 100/h and 300/day for
 * RRset writes, answered with 429 and a Retry-After that may be hours for the daily limit (passed on as it is; the
 * engine decides how long it waits). A value already held is never written again.
 *
 * TTL: every RRset's TTL must be at least the domain's `minimum_ttl` (set by deSEC, typically 3600 s). A new RRset
 * asked for less gets the minimum, and the answer's `detail` says so; an existing RRset keeps its TTL (the engine
 * plans on values, and a TTL-only write would spend the write budget).
 *
 * Documentation followed (deSEC docs, https://desec.readthedocs.io/en/latest/):
 * - tokens, `Authorization: Token {token}`: https://desec.readthedocs.io/en/latest/auth/tokens.html
 * - domains, `minimum_ttl`, `GET /domains/?owns_qname={qname}` ("the responsible domain … a JSON array containing
 *   only that domain object … Otherwise, the JSON array will be empty"), `GET /domains/{name}/` (404 when not yours):
 *   https://desec.readthedocs.io/en/latest/dns/domains.html
 * - RRsets: `GET|PATCH|DELETE /domains/{name}/rrsets/{subname}/{type}/` (`@` for the apex; 404 when missing),
 *   `POST /domains/{name}/rrsets/` (201; `subname` "" at the apex), DELETE 204 "upon success or if the RRset did not
 *   exist", 400 for invalid content or TTL, records in presentation format canonicalised by the server, TXT contents
 *   "must be enclosed in double quotes": https://desec.readthedocs.io/en/latest/dns/rrsets.html
 * - rate limits (429 with Retry-After): https://desec.readthedocs.io/en/latest/rate-limits.html
 * - 401 for a token it does not know; 403 when the token's policies do not allow the write ("token scoping"):
 *   https://desec.readthedocs.io/en/latest/auth/tokens.html — so a 403 is read as the record's refusal, not the account's
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
import { canonicalValue, quoteTxtStrings, sameValues } from './values.js';
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

const label = 'deSEC';
export const desecApiBase = 'https://desec.io/api/v1';

const settingsSchema = z.object({
  endpoint: endpointSetting(desecApiBase),
});
const secretsSchema = z.object({ token: z.string().trim().min(1) });
export type DesecSettings = z.infer<typeof settingsSchema>;
export type DesecSecrets = z.infer<typeof secretsSchema>;

const domainSchema = z.object({ name: z.string(), minimum_ttl: z.number().int().positive() });
type Domain = z.infer<typeof domainSchema>;
const rrsetSchema = z.object({
  subname: z.string(),
  type: z.string(),
  ttl: z.number().int(),
  records: z.array(z.string()),
});
type RRSet = z.infer<typeof rrsetSchema>;
/** DRF's error bodies: `{"detail": "…"}` or `{"field": ["…"]}`. */
const errorSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/** The RRset's subname: relative to the domain, empty at the apex. */
export function subnameOf(name: string, domain: string): string {
  return name === domain ? '' : name.slice(0, -(domain.length + 1));
}

/** deSEC's error body as one line: the `detail`, or each field with its messages. */
export function describeErrors(body: z.infer<typeof errorSchema>): string {
  const detail = body.detail;
  if (typeof detail === 'string') return detail;
  return Object.entries(body)
    .map(([field, msgs]) => `${field}: ${typeof msgs === 'string' ? msgs : msgs.join(' ')}`)
    .join('; ');
}

function createDesec(settings: DesecSettings, secrets: DesecSecrets, deps: ProviderDeps): DnsProvider {
  const base = apiBase(settings.endpoint);
  const auth = { authorization: `Token ${secrets.token}`, accept: 'application/json' };
  /** The responsible domain of each record name, found once per client; forgotten when a call in it fails. */
  const domains = new Map<string, Domain>();

  /** One request: the parsed body on 2xx (`undefined` for 204), `not-found` on 404, else a failure. */
  async function call<T>(
    method: ProviderRequest['method'],
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ): Promise<ProviderResult<T | 'not-found'>> {
    const request = jsonRequest(method, `${base}${path}`, auth, body);
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    if (answer.status === 404) return ok('not-found');
    if (answer.status === 204) {
      const empty = schema.safeParse(undefined);
      return empty.success ? ok(empty.data) : fail(unexpectedAnswer(label, request, answer, 'no body'));
    }
    const read = readJson(label, request, answer);
    if (!read.ok) return read;
    const json = read.value;
    if (answer.status >= 300) {
      const e = errorSchema.safeParse(json);
      if (!e.success) return fail(unexpectedAnswer(label, request, answer, 'not a deSEC error'));
      return fail({
        // Only 4xx come here (providerRequest took 401, 429 and 5xx). 400: the content or TTL was refused; 403: the
        // token's policy does not allow this name or type (the token is valid, so the account goes on and only this
        // record stops). The same request would be refused again.
        kind: 'config',
        message: `${label}: ${method} ${new URL(request.url).pathname}: HTTP ${answer.status}: ${describeErrors(e.data)}`,
        code: `HTTP ${answer.status}`,
      });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) return fail(unexpectedAnswer(label, request, answer, 'not as documented'));
    return ok(parsed.data);
  }

  function gone(what: string): ProviderFailure {
    return {
      kind: 'config',
      message: `${label}: ${what}: not found (the domain is no longer in this account, or the token may not use it)`,
      code: 'not-found',
    };
  }

  async function findDomain(name: string): Promise<ProviderResult<Domain>> {
    const cached = domains.get(name);
    if (cached !== undefined) return ok(cached);
    const r = await call('GET', `/domains/?owns_qname=${encodeURIComponent(name)}`, z.array(domainSchema));
    if (!r.ok) return r;
    const domain = r.value === 'not-found' ? undefined : r.value[0];
    if (domain === undefined || (name !== domain.name && !name.endsWith(`.${domain.name}`)))
      return fail({
        kind: 'config',
        message: `${label}: no domain of this account holds ${name}`,
        code: 'no-zone',
      });
    domains.set(name, domain);
    return ok(domain);
  }

  function forget<T>(name: string, r: ProviderResult<T>): ProviderResult<T> {
    domains.delete(name);
    return r;
  }

  function rrsetPath(ref: RecordRef, domain: Domain): string {
    const sub = subnameOf(ref.name, domain.name);
    return `/domains/${encodeURIComponent(domain.name)}/rrsets/${sub === '' ? '@' : encodeURIComponent(sub)}/${ref.type}/`;
  }

  async function readRRSet(
    ref: RecordRef,
  ): Promise<ProviderResult<{ domain: Domain; path: string; rrset: RRSet | undefined }>> {
    const domain = await findDomain(ref.name);
    if (!domain.ok) return domain;
    const path = rrsetPath(ref, domain.value);
    const r = await call('GET', path, rrsetSchema);
    if (!r.ok) return forget(ref.name, r);
    return ok({ domain: domain.value, path, rrset: r.value === 'not-found' ? undefined : r.value });
  }

  function valuesOf(ref: RecordRef, rrset: RRSet | undefined): string[] {
    return (rrset?.records ?? []).map((x) => canonicalValue(ref.type, x)).sort();
  }

  function toRecord(ref: RecordRef, value: string): string {
    return ref.type === 'TXT' ? quoteTxtStrings(value) : value;
  }

  /** One write; a 404 means the domain went away (or the token may no longer use it). */
  async function write(
    ref: RecordRef,
    method: 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<ProviderResult<void>> {
    const r = await call(method, path, method === 'DELETE' ? z.undefined() : rrsetSchema, body);
    if (!r.ok) return forget(ref.name, r);
    if (r.value === 'not-found') return forget(ref.name, fail(gone(`${method} ${path}`)));
    return ok(undefined);
  }

  return {
    kind: 'desec',
    can: { read: true, txt: true },

    async test(zone) {
      if (zone === undefined) {
        const r = await call('GET', '/domains/', z.array(domainSchema));
        if (!r.ok) return r;
        return ok({ detail: 'the token may read the domains of this account' });
      }
      const r = await call('GET', `/domains/${encodeURIComponent(zone)}/`, domainSchema);
      if (!r.ok) return r;
      if (r.value === 'not-found')
        return fail({
          kind: 'config',
          message: `${label}: the token works but this account has no domain ${zone}`,
          code: 'no-zone',
        });
      return ok({
        detail: `the token may read the domain ${zone}; its minimum TTL is ${r.value.minimum_ttl} s`,
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
      const { domain, path, rrset } = r.value;
      const wanted = [...new Set(values)].sort();
      const held = valuesOf(ref, rrset);
      if (sameValues(held, wanted)) return ok({ changed: false });
      if (wanted.length === 0) {
        const d = await write(ref, 'DELETE', path);
        return d.ok ? ok({ changed: true }) : d;
      }
      const records = wanted.map((v) => toRecord(ref, v));
      if (rrset !== undefined) {
        const u = await write(ref, 'PATCH', path, { records });
        return u.ok ? ok({ changed: true }) : u;
      }
      const used = Math.max(ttl, domain.minimum_ttl);
      const c = await write(ref, 'POST', `/domains/${encodeURIComponent(domain.name)}/rrsets/`, {
        subname: subnameOf(ref.name, domain.name),
        type: ref.type,
        ttl: used,
        records,
      });
      if (!c.ok) return c;
      return ok(
        used === ttl
          ? { changed: true }
          : {
              changed: true,
              detail: `TTL ${used} s, the minimum deSEC allows for ${domain.name} (${ttl} s asked)`,
            },
      );
    },

    async delete(ref) {
      const domain = await findDomain(ref.name);
      if (!domain.ok) return domain;
      // 204 also when the RRset did not exist: one request, no read first.
      return write(ref, 'DELETE', rrsetPath(ref, domain.value));
    },
  };
}

export const desecProvider: ProviderDescriptor<DesecSettings, DesecSecrets> = {
  kind: 'desec',
  label,
  docsUrl: 'https://desec.readthedocs.io/en/latest/dns/rrsets.html',
  fields: [
    {
      name: 'token',
      label: 'API token',
      help: 'desec.io → Token Management; if the token has policies, it needs write access to the names you update.',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'API endpoint',
      help: `Leave empty for ${desecApiBase}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createDesec,
};

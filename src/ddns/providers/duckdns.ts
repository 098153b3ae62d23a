/**
 * @module DuckDNS adapter: one `GET https://www.duckdns.org/update?domains=<sub>&token=…&ip=…|ipv6=…&verbose=true` per
 * change; the account token travels in the query string, so a URL of this adapter never goes into a message (the
 * shared request helper drops the query). A DuckDNS domain is `<sub>.duckdns.org` and holds one A, one AAAA and one
 * TXT record; DuckDNS serves the same records for every name under it.
 *
 * Documentation followed: https://www.duckdns.org/spec.jsp — parameters `domains` (sub-names, no `.duckdns.org`),
 * `token`, `ip` (left out: DuckDNS takes the request's IPv4 source address), `ipv6` ("if you specify this then the
 * autodetection for ip is not used", so an AAAA update leaves the A record alone), `verbose`, `clear`; answers `OK` or
 * `KO`, and with `verbose=true` four lines: `OK`, the IPv4 address, the IPv6 address (either may be blank), `UPDATED` or
 * `NOCHANGE`.
 * TXT records (`txt=<value>`, `clear=true` to remove) follow the same page's TXT section as clients use it (go-acme/lego's
 * DuckDNS provider); the verbose TXT answer (`OK`, the TXT value, `UPDATED`/`NOCHANGE`) is UNCONFIRMED, so a bare `OK`
 * is taken as a change as well.
 *
 * `KO` is DuckDNS's only refusal: "a bad token or a bad domain", without saying which. It is taken as `auth`: the token
 * is not allowed to update that name, retrying cannot change that, and a wrong token fails every name of the account
 * alike; the message names both causes.
 */
import { z } from 'zod';
import { fail, ok } from '../../core/outcome.js';
import { familyOf, toBigInt } from '../../reach/addresses.js';
import type { DnsProvider, ProviderDeps, ProviderResult, RecordRef } from '../provider.js';
import type { ProviderDescriptor } from './descriptor.js';
import { endpointSetting, pathOf, providerRequest, unexpectedAnswer, type ProviderRequest } from './http.js';

const label = 'DuckDNS';
export const duckdnsUpdateUrl = 'https://www.duckdns.org/update';
const suffix = '.duckdns.org';

const settingsSchema = z.object({
  endpoint: endpointSetting(duckdnsUpdateUrl),
});
const secretsSchema = z.object({ token: z.string().trim().min(1) });
export type DuckdnsSettings = z.infer<typeof settingsSchema>;
export type DuckdnsSecrets = z.infer<typeof secretsSchema>;

const subLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The DuckDNS sub-name a record lives on: A and AAAA only at `<sub>.duckdns.org` itself (a name below it would change
 * `<sub>`'s one address for every name); TXT at `<sub>.duckdns.org` or any name below it (`_acme-challenge.<sub>…`),
 * which all share `<sub>`'s one TXT record. Undefined when the name is not of that form.
 */
export function subNameOf(ref: Pick<RecordRef, 'name' | 'type'>): string | undefined {
  const name = ref.name.toLowerCase();
  if (!name.endsWith(suffix)) return undefined;
  const labels = name.slice(0, -suffix.length).split('.');
  if (ref.type !== 'TXT' && labels.length !== 1) return undefined;
  const sub = String(labels[labels.length - 1]);
  return subLabel.test(sub) ? sub : undefined;
}

/** The answer lines, blank ones kept (a verbose answer leaves an address line blank when there is none). */
const answerSchema = z.union([
  z.tuple([z.enum(['OK', 'KO'])]),
  z.tuple([z.literal('OK'), z.string(), z.string(), z.enum(['UPDATED', 'NOCHANGE'])]),
  z.tuple([z.literal('OK'), z.string(), z.enum(['UPDATED', 'NOCHANGE'])]),
]);

function linesOf(text: string): string[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function sameAddress(a: string, b: string): boolean {
  return familyOf(a) === familyOf(b) && toBigInt(a) === toBigInt(b);
}

function createDuckdns(settings: DuckdnsSettings, secrets: DuckdnsSecrets, deps: ProviderDeps): DnsProvider {
  function refuse(message: string, code: string): ProviderResult<never> {
    return fail({ kind: 'config', message: `${label}: ${message}`, code });
  }

  /** One update; `check` says whether the verbose answer shows what was asked. */
  async function update(
    sub: string,
    params: Readonly<Record<string, string>>,
    check: (lines: readonly string[]) => string | undefined,
  ): Promise<ProviderResult<{ readonly changed: boolean }>> {
    const query = new URLSearchParams({ domains: sub, token: secrets.token, ...params, verbose: 'true' });
    const request: ProviderRequest = { method: 'GET', url: `${settings.endpoint}?${query.toString()}` };
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    const parsed = answerSchema.safeParse(linesOf(answer.text));
    if (!parsed.success) return fail(unexpectedAnswer(label, request, answer, 'not OK or KO'));
    const lines = parsed.data;
    const what = `${label}: GET ${pathOf(request.url)} for ${sub}${suffix}`;
    if (lines[0] === 'KO')
      return fail({
        kind: 'auth',
        message: `${what}: KO — the token was refused, or ${sub}${suffix} is not a domain of this account (DuckDNS does not say which)`,
        code: 'KO',
      });
    if (answer.status >= 300)
      return fail(unexpectedAnswer(label, request, answer, `OK with HTTP ${answer.status}`));
    const wrong = check(lines);
    if (wrong !== undefined) return fail({ kind: 'transient', message: `${what}: ${wrong}`, code: 'OK' });
    return ok({ changed: lines[lines.length - 1] !== 'NOCHANGE' });
  }

  /** The verbose answer's address line for a family, when the answer has one, must be the value sent. */
  function addressCheck(value: string, line: 1 | 2) {
    return (lines: readonly string[]): string | undefined => {
      if (lines.length !== 4) return lines.length === 1 ? undefined : 'the answer has no address lines';
      const now = String(lines[line]);
      return sameAddress(now, value) ? undefined : `DuckDNS now holds ${JSON.stringify(now)}, not ${value}`;
    };
  }

  return {
    kind: 'duckdns',
    can: { read: false, txt: true },

    test(zone) {
      if (zone !== undefined && subNameOf({ name: zone, type: 'A' }) === undefined)
        return Promise.resolve(refuse(`${zone} is not a DuckDNS domain (<name>.duckdns.org)`, 'not-duckdns'));
      // Every DuckDNS request is an update (without `ip` it even sets the A record to our source address).
      return Promise.resolve(
        ok({ detail: 'DuckDNS has no read-only request: the token is checked by the first update' }),
      );
    },

    set(ref, values) {
      const sub = subNameOf(ref);
      if (sub === undefined)
        return Promise.resolve(
          refuse(
            `${ref.name} is not a DuckDNS domain: ${ref.type === 'TXT' ? 'a name ending in' : 'exactly'} <name>.duckdns.org`,
            'not-duckdns',
          ),
        );
      const [value, ...more] = values;
      if (value === undefined || more.length > 0)
        return Promise.resolve(
          refuse(
            `a DuckDNS domain holds exactly one ${ref.type} record, not ${values.length} (${ref.name})`,
            'one-value',
          ),
        );
      if (ref.type === 'TXT')
        return update(sub, { txt: value }, (lines) =>
          lines.length === 3 && lines[1] !== value
            ? `DuckDNS now holds the TXT ${JSON.stringify(lines[1])}, not the one sent`
            : undefined,
        );
      const family = ref.type === 'A' ? 'ipv4' : 'ipv6';
      if (familyOf(value) !== family)
        return Promise.resolve(
          refuse(
            `${value} is not an ${ref.type === 'A' ? 'IPv4' : 'IPv6'} address (${ref.name})`,
            'bad-address',
          ),
        );
      return family === 'ipv4'
        ? update(sub, { ip: value }, addressCheck(value, 1))
        : update(sub, { ipv6: value }, addressCheck(value, 2));
    },

    async delete(ref) {
      const sub = subNameOf(ref);
      if (ref.type !== 'TXT')
        return refuse(
          `DuckDNS can only clear the A and AAAA records together, so ${ref.type} ${ref.name} is left as it is`,
          'no-delete',
        );
      if (sub === undefined) return refuse(`${ref.name} is not under a DuckDNS domain`, 'not-duckdns');
      const r = await update(sub, { txt: '', clear: 'true' }, (lines) =>
        lines.length === 3 && lines[1] !== '' ? 'the TXT record is still there' : undefined,
      );
      return r.ok ? ok(undefined) : r;
    },
  };
}

export const duckdnsProvider: ProviderDescriptor<DuckdnsSettings, DuckdnsSecrets> = {
  kind: 'duckdns',
  label: 'DuckDNS',
  docsUrl: 'https://www.duckdns.org/spec.jsp',
  fields: [
    {
      name: 'token',
      label: 'Token',
      help: 'The account token shown at the top of duckdns.org after signing in.',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'Update URL',
      help: `Leave empty for ${duckdnsUpdateUrl}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: false, txt: true },
  create: createDuckdns,
};

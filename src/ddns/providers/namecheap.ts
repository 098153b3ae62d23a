/**
 * @module Namecheap dynamic DNS adapter: one `GET https://dynamicdns.park-your-domain.com/update?host=<host>&domain=
 * <domain>&password=<Dynamic DNS password>&ip=<IPv4>` per change. The password is per domain (Advanced DNS → Dynamic
 * DNS) and travels in the query string, so a URL of this adapter never goes into a message (the shared request helper
 * drops the query). Only IPv4: the endpoint updates "A + Dynamic DNS" records, so an AAAA or TXT record is refused as a
 * configuration error before any request.
 *
 * Documentation followed: Namecheap's knowledge base article "How do I use a browser to dynamically update the host's
 * IP?" (https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/
 * — UNCONFIRMED: the page was not among the stored copies read for this adapter; the request and answer below agree in
 * every client and write-up that was, e.g. https://gist.github.com/rgl/1518960 and qdm12/ddns-updater's namecheap
 * provider). `host` is the record's name relative to the domain (`@` for the domain itself), `domain` the registered
 * domain, `ip` the IPv4 address (left out, Namecheap takes the source address; this adapter always sends it). The
 * answer is an XML `<interface-response>` with `<ErrCount>`, `<errors><Err1>…</Err1></errors>` and `<IP>`, with HTTP
 * 200 even when the update failed. Error texts seen in clients: "Passwords do not match" (auth), "Domain name not
 * found", "No Records updated. A record not Found;" (config). Namecheap does not say whether the address changed, so a
 * success is reported as a change.
 */
import { z } from 'zod';
import { fail, ok } from '../../core/outcome.js';
import { familyOf } from '../../reach/addresses.js';
import type { DnsProvider, ProviderDeps, ProviderFailure, ProviderResult, RecordRef } from '../provider.js';
import type { ProviderDescriptor } from './descriptor.js';
import { endpointSetting, pathOf, providerRequest, unexpectedAnswer, type ProviderRequest } from './http.js';
import { relativeName } from './values.js';

const label = 'Namecheap';
export const namecheapUpdateUrl = 'https://dynamicdns.park-your-domain.com/update';

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name such as example.com');
const settingsSchema = z.object({
  /** The domain whose Dynamic DNS password this is (Namecheap gives each domain its own). */
  domain: domainName,
  endpoint: endpointSetting(namecheapUpdateUrl),
});
const secretsSchema = z.object({ password: z.string().trim().min(1) });
export type NamecheapSettings = z.infer<typeof settingsSchema>;
export type NamecheapSecrets = z.infer<typeof secretsSchema>;

/** The answer is a few hundred bytes; anything much larger is not this endpoint's answer. */
const maxAnswerChars = 16_384;

export interface NamecheapAnswer {
  readonly errCount: number;
  readonly errors: readonly string[];
  readonly ip?: string;
}

const answerSchema = z.object({
  errCount: z.coerce.number().int().min(0),
  errors: z.array(z.string()),
  ip: z.string().optional(),
});

function decodeEntities(text: string): string {
  return text
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) =>
      e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'apos' ? "'" : '&',
    )
    .trim();
}

/**
 * Reads the `<interface-response>` document with a few bounded, non-nested patterns (the answer is flat and small; no
 * XML library for it). Undefined when the text is not that document.
 */
export function parseNamecheapAnswer(text: string): NamecheapAnswer | undefined {
  if (text.length > maxAnswerChars || !/<interface-response[\s>]/i.test(text)) return undefined;
  const tag = (name: string): string | undefined =>
    new RegExp(`<${name}>([^<]*)</${name}>`, 'i').exec(text)?.[1];
  const errorsBlock = /<errors>([\s\S]*?)<\/errors>/i.exec(text)?.[1] ?? '';
  const errors = [...errorsBlock.matchAll(/<Err(\d+)>([\s\S]*?)<\/Err\1>/gi)].map((m) =>
    decodeEntities(String(m[2])),
  );
  const ip = tag('IP');
  const parsed = answerSchema.safeParse({
    errCount: tag('ErrCount'),
    errors,
    ...(ip === undefined || ip.trim() === '' ? {} : { ip: ip.trim() }),
  });
  return parsed.success ? parsed.data : undefined;
}

/** What Namecheap's error text means for the engine (texts as clients report them). */
export function classifyNamecheapError(text: string): ProviderFailure['kind'] {
  if (/password/i.test(text)) return 'auth';
  if (/domain name not found|record not found|no records updated|invalid (?:host|domain)/i.test(text))
    return 'config';
  return 'transient';
}

function createNamecheap(
  settings: NamecheapSettings,
  secrets: NamecheapSecrets,
  deps: ProviderDeps,
): DnsProvider {
  function refuse(message: string, code: string): ProviderResult<never> {
    return fail({ kind: 'config', message: `${label}: ${message}`, code });
  }

  async function update(host: string, ip: string): Promise<ProviderResult<{ readonly changed: boolean }>> {
    const query = new URLSearchParams({ host, domain: settings.domain, password: secrets.password, ip });
    const request: ProviderRequest = { method: 'GET', url: `${settings.endpoint}?${query.toString()}` };
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    const parsed = parseNamecheapAnswer(answer.text);
    if (parsed === undefined)
      return fail(unexpectedAnswer(label, request, answer, 'not an <interface-response> with <ErrCount>'));
    const name = host === '@' ? settings.domain : `${host}.${settings.domain}`;
    const what = `${label}: GET ${pathOf(request.url)} for ${name}`;
    if (parsed.errCount > 0 || parsed.errors.length > 0) {
      const said = parsed.errors.join('; ').slice(0, 300) || `${parsed.errCount} error(s) without text`;
      const kind = classifyNamecheapError(said);
      const hint =
        kind === 'auth'
          ? ` (the Dynamic DNS password of ${settings.domain} was refused)`
          : kind === 'config'
            ? ` (is there an "A + Dynamic DNS" record for ${host} in ${settings.domain}?)`
            : '';
      return fail({ kind, message: `${what}: ${said}${hint}`, code: `ErrCount ${parsed.errCount}` });
    }
    if (answer.status >= 300)
      return fail(unexpectedAnswer(label, request, answer, `no error but HTTP ${answer.status}`));
    if (parsed.ip !== undefined && parsed.ip !== ip)
      return fail({
        kind: 'transient',
        message: `${what}: Namecheap set ${parsed.ip}, not ${ip}`,
        code: 'IP',
      });
    return ok({ changed: true });
  }

  return {
    kind: 'namecheap',
    can: { read: false, txt: false },

    test(zone) {
      if (zone !== undefined && zone !== settings.domain)
        return Promise.resolve(
          refuse(`this Dynamic DNS password is for ${settings.domain}, not ${zone}`, 'other-domain'),
        );
      // Every request to this endpoint is an update.
      return Promise.resolve(
        ok({ detail: 'Namecheap has no read-only request: the password is checked by the first update' }),
      );
    },

    set(ref: RecordRef, values: readonly string[]) {
      if (ref.type !== 'A')
        return Promise.resolve(
          refuse(
            `the dynamic DNS endpoint updates only A records (IPv4), not ${ref.type} (${ref.name})`,
            'ipv4-only',
          ),
        );
      // The host as Namecheap wants it: the name relative to the domain, `@` for the domain itself.
      const host = relativeName(ref.name, settings.domain, '@');
      if (host === undefined)
        return Promise.resolve(
          refuse(`${ref.name} is not in ${settings.domain}, the domain of this password`, 'other-domain'),
        );
      const [value, ...more] = values;
      if (value === undefined || more.length > 0)
        return Promise.resolve(
          refuse(
            `a dynamic host holds exactly one address, not ${values.length} (${ref.name})`,
            'one-address',
          ),
        );
      if (familyOf(value) !== 'ipv4')
        return Promise.resolve(refuse(`${value} is not an IPv4 address (${ref.name})`, 'bad-address'));
      return update(host, value);
    },
  };
}

export const namecheapProvider: ProviderDescriptor<NamecheapSettings, NamecheapSecrets> = {
  kind: 'namecheap',
  label: 'Namecheap (Dynamic DNS)',
  docsUrl:
    'https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/',
  fields: [
    { name: 'domain', label: 'Domain', help: 'The domain at Namecheap, e.g. example.com.', secret: false },
    {
      name: 'password',
      label: 'Dynamic DNS password',
      help: 'Domain List → Manage → Advanced DNS → Dynamic DNS (each domain has its own). Hosts must be "A + Dynamic DNS" records.',
      secret: true,
    },
    {
      name: 'endpoint',
      label: 'Update URL',
      help: `Leave empty for ${namecheapUpdateUrl}.`,
      secret: false,
      optional: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: false, txt: false },
  create: createNamecheap,
};

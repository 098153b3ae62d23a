/**
 * @module The dyndns2 protocol family ("Members NIC Update API"): one `GET /nic/update?hostname=…&myip=…` with HTTP
 * Basic auth, answered by one text line per hostname (`good <ip>`, `nochg <ip>`, `badauth`, …). Presets for Dyn,
 * No-IP and Dynu, and any other dyndns2 server by its URL (ddclient-compatible self-hosted servers, Gatehouse's own
 * inbound endpoint). The protocol cannot read what a host holds, so `can.read` is false and the engine verifies at the
 * authoritative servers; it cannot write TXT either.
 *
 * Documentation followed:
 * - Dyn, the reference ("Perform Update" and its return codes):
 *   https://help.dyn.com/remote-access-api/perform-update/ and https://help.dyn.com/remote-access-api/return-codes/
 *   (HTTPS, GET, Basic auth, a User-Agent "Company - Device - Version"; `myip` takes IPv4 and IPv6 "separated by
 *   commas"; one answer line per hostname; `911` asks for a pause; a fatal answer stops the client until a person
 *   changes its configuration; repeated `nochg` is abuse).
 * - No-IP: https://www.noip.com/integrate/request , https://www.noip.com/integrate/response and
 *   https://developer.noip.com/ddns-integration/get_nic_update/ (A and AAAA "updated individually or dual-stacked",
 *   `good`/`nochg` echo "v4,v6"; User-Agent "Company NameOfProgram/Version maintainer-contact"; `911`: retry no sooner
 *   than 30 minutes).
 * - Dynu: https://www.dynu.com/DynamicDNS/IP-Update-Protocol and
 *   https://www.dynu.com/DynamicDNS/IPUpdateClient/Wget (`myip` and `myipv6`; `no` leaves that family as it is).
 *
 * Keeping the other family: Dyn replaces both address records with what `myip` lists, so `myip=<v4>` alone removes the
 * AAAA record (observed, openwrt/packages#17875; the documented way to keep both is `myip=<v4>,<v6>`), and No-IP reads
 * a missing family from the request's source address (qdm12/ddns-updater#633). For those presets (and custom servers,
 * which follow Dyn) every update sends both families: `setAddresses` takes both from the engine; `set` adds the other
 * family's value this client last sent. Dynu's `myipv6=no` / `myip=no` leave the other family alone.
 */
import { z } from 'zod';
import { fail, ok } from '../../core/outcome.js';
import { familyOf, toBigInt } from '../../reach/addresses.js';
import type { DnsProvider, ProviderDeps, ProviderFailure, ProviderResult, RecordRef } from '../provider.js';
import type { ProviderDescriptor } from './descriptor.js';
import { pathOf, providerRequest, unexpectedAnswer, type ProviderRequest } from './http.js';

export type Dyndns2Preset = 'dyn' | 'noip' | 'dynu' | 'custom';

/** How a server takes both address families in one update. */
type DualStack =
  /** `myip=<v4>,<v6>`; a family left out is replaced (Dyn) or taken from the source address (No-IP). */
  | 'myip-list'
  /** `myip=<v4>&myipv6=<v6>`; `no` leaves that family as it is (Dynu). */
  | 'myipv6';

interface PresetInfo {
  readonly label: string;
  /** The update URL; empty for a custom server (the settings require its `serverUrl`). */
  readonly url: string;
  readonly dualStack: DualStack;
}

export const dyndns2Presets: Readonly<Record<Dyndns2Preset, PresetInfo>> = {
  dyn: { label: 'Dyn', url: 'https://members.dyndns.org/nic/update', dualStack: 'myip-list' },
  noip: { label: 'No-IP', url: 'https://dynupdate.no-ip.com/nic/update', dualStack: 'myip-list' },
  dynu: { label: 'Dynu', url: 'https://api.dynu.com/nic/update', dualStack: 'myipv6' },
  custom: { label: 'dyndns2 server', url: '', dualStack: 'myip-list' },
};

/** dyndns2 asks for a pause after `911` and `dnserr`: Dyn says "no sooner than 10 minutes", No-IP 30. */
export const serverTroubleWaitMs = 30 * 60_000;

const settingsSchema = z
  .object({
    preset: z.enum(['dyn', 'noip', 'dynu', 'custom']),
    /** The update URL (with its path, e.g. `https://ddns.example/nic/update`); overrides a preset's. */
    serverUrl: z
      .url({ protocol: /^https?$/ })
      .refine((u) => {
        // zod runs this check after a failed URL check too.
        const url = URL.canParse(u) ? new URL(u) : undefined;
        return url?.search === '' && url.hash === '' && url.username === '' && url.password === '';
      }, 'a URL without query, fragment or credentials (the password goes in its own field)')
      .optional(),
    // RFC 7617: the user-id of Basic auth cannot hold a colon.
    username: z
      .string()
      .trim()
      .min(1)
      .regex(/^[^:\p{Cc}]+$/u, 'no colon and no control characters'),
  })
  .refine((s) => s.preset !== 'custom' || s.serverUrl !== undefined, {
    message: 'a custom dyndns2 server needs its update URL',
    path: ['serverUrl'],
  });
const secretsSchema = z.object({ password: z.string().min(1) });
export type Dyndns2Settings = z.infer<typeof settingsSchema>;
export type Dyndns2Secrets = z.infer<typeof secretsSchema>;

/** The addresses one update sends for a hostname; a family left undefined is not sent (see the module comment). */
export interface AddressPair {
  readonly ipv4?: string;
  readonly ipv6?: string;
}

/**
 * A dyndns2 client. Besides the port, `setAddresses` updates both families of a hostname in one request: the engine
 * should use it when it manages both (see the module comment on why `set` alone may lose the other family).
 */
export interface Dyndns2Provider extends DnsProvider {
  setAddresses(name: string, addresses: AddressPair): Promise<ProviderResult<{ readonly changed: boolean }>>;
}

/** Whether a provider client can update both families of a name at once. */
export function canSetAddresses(provider: DnsProvider): provider is Dyndns2Provider {
  return typeof (provider as Partial<Dyndns2Provider>).setAddresses === 'function';
}

/**
 * The User-Agent a preset's documentation asks for, from Gatehouse's own (`Gatehouse/0.1.0 (+https://…)`): Dyn wants
 * "Company - Device - Version", No-IP "Company NameOfProgram/Version contact"; Dynu and custom servers take it as it is.
 * A base that is not `Name/Version …` is sent as it is.
 */
export function userAgentFor(preset: Dyndns2Preset, base: string): string {
  const m = /^([^\s/]+)\/(\S+)(?:\s+(.*))?$/.exec(base.trim()) as [string, string, string, string?] | null;
  if (!m) return base;
  const [, name, version, rest = ''] = m;
  // `(+https://…)` or `(ops@example.com)` as in Gatehouse's own User-Agent: the contact is what the brackets hold.
  const contact = (/^\(\+?(.*)\)$/.exec(rest)?.[1] ?? rest).trim();
  if (preset === 'dyn') return `${name} - ${name} - ${version}`;
  if (preset === 'noip') return `${name} ${name}/${version}${contact === '' ? '' : ` ${contact}`}`;
  return base;
}

/** The update URL for one hostname; every value goes through URLSearchParams, so none can add a parameter. */
export function updateUrl(
  serverUrl: string,
  dualStack: DualStack,
  hostname: string,
  addresses: AddressPair,
): string {
  const query = new URLSearchParams({ hostname });
  if (dualStack === 'myip-list') {
    query.set('myip', [addresses.ipv4, addresses.ipv6].filter((a) => a !== undefined).join(','));
  } else {
    query.set('myip', addresses.ipv4 ?? 'no');
    query.set('myipv6', addresses.ipv6 ?? 'no');
  }
  return `${serverUrl}?${query.toString()}`;
}

/** One answer line: a code and, after `good`/`nochg`, the addresses the server now holds. */
const answerLineSchema = z
  .string()
  .regex(/^[!\w.-]+(?: .*)?$/)
  .transform((line) => {
    // split() always yields a first element.
    const [code, ...rest] = line.split(' ') as [string, ...string[]];
    return { code, rest: rest.join(' ') };
  });

export type Dyndns2Answer =
  | {
      readonly ok: true;
      readonly code: 'good' | 'nochg';
      readonly changed: boolean;
      readonly echoed: readonly string[];
    }
  | { readonly ok: false; readonly failure: Omit<ProviderFailure, 'message'>; readonly says: string };

/** The failure words of the protocol: what they mean for the engine, in words for people. */
const serverTrouble = 'the server has a problem or is in maintenance; the next try waits 30 minutes';
const failureWords = new Map<
  string,
  { readonly kind: ProviderFailure['kind']; readonly says: string; readonly waitMs?: number }
>([
  ['badauth', { kind: 'auth', says: 'the username or password was refused' }],
  ['!donator', { kind: 'account-stopped', says: 'the update asked for a feature of paid accounts only' }],
  ['badagent', { kind: 'account-stopped', says: "the server refused this client's User-Agent" }],
  ['abuse', { kind: 'account-stopped', says: 'the host is blocked for update abuse' }],
  ['notfqdn', { kind: 'config', says: 'the hostname is not a fully qualified domain name' }],
  ['nohost', { kind: 'config', says: 'the hostname is not a host of this account' }],
  ['numhost', { kind: 'config', says: 'too many hosts, or a round-robin host the protocol cannot update' }],
  ['911', { kind: 'transient', says: serverTrouble, waitMs: serverTroubleWaitMs }],
  ['dnserr', { kind: 'transient', says: serverTrouble, waitMs: serverTroubleWaitMs }],
]);

/**
 * What one answer line means (Dyn's and No-IP's return codes). Undefined: not a dyndns2 answer.
 */
export function readAnswer(line: string): Dyndns2Answer | undefined {
  const parsed = answerLineSchema.safeParse(line);
  if (!parsed.success) return undefined;
  const { code, rest } = parsed.data;
  if (code === 'good' || code === 'nochg')
    return {
      ok: true,
      code,
      changed: code === 'good',
      // Empty pieces (from ", " or double spaces) are no address and drop out with the rest.
      echoed: rest.split(/[\s,]/).filter((a) => familyOf(a) !== undefined),
    };
  const word = failureWords.get(code);
  if (word === undefined) return undefined;
  const { kind, says, waitMs } = word;
  return {
    ok: false,
    failure: { kind, code, ...(waitMs === undefined ? {} : { retryAfterMs: waitMs }) },
    says,
  };
}

function createDyndns2(
  settings: Dyndns2Settings,
  secrets: Dyndns2Secrets,
  deps: ProviderDeps,
): Dyndns2Provider {
  const preset = dyndns2Presets[settings.preset];
  const label = settings.preset === 'custom' ? preset.label : `dyndns2 (${preset.label})`;
  // The settings schema requires a URL for a custom server; a preset always has one.
  const serverUrl = settings.serverUrl ?? preset.url;
  const headers = {
    authorization: `Basic ${Buffer.from(`${settings.username}:${secrets.password}`).toString('base64')}`,
    'user-agent': userAgentFor(settings.preset, deps.userAgent),
  };
  /** What this client last had accepted per hostname, so `set` of one family can resend the other. */
  const sent = new Map<string, AddressPair>();

  function refuse(what: string, code: string): ProviderResult<never> {
    return fail({ kind: 'config', message: `${label}: ${what}`, code });
  }

  async function update(
    hostname: string,
    addresses: AddressPair,
  ): Promise<ProviderResult<{ readonly changed: boolean }>> {
    const request: ProviderRequest = {
      method: 'GET',
      url: updateUrl(serverUrl, preset.dualStack, hostname, addresses),
      headers,
    };
    const r = await providerRequest(deps, label, request);
    if (!r.ok) return r;
    const answer = r.value;
    const lines = answer.text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    // One hostname per request, so one line: an account-level code is also given once.
    const read = lines.length === 1 ? readAnswer(String(lines[0])) : undefined;
    if (read === undefined)
      return fail(unexpectedAnswer(label, request, answer, 'not one dyndns2 answer line'));
    const what = `${label}: GET ${pathOf(request.url)} for ${hostname}`;
    if (!read.ok) return fail({ ...read.failure, message: `${what}: ${read.says} (${read.failure.code})` });
    if (answer.status >= 300)
      return fail(unexpectedAnswer(label, request, answer, `success word with HTTP ${answer.status}`));
    // A server that ignored myip (and took the source address) says so in its echo: that is not what we asked.
    for (const want of [addresses.ipv4, addresses.ipv6].filter((a) => a !== undefined)) {
      const echoed = read.echoed.filter((a) => familyOf(a) === familyOf(want));
      if (echoed.length > 0 && !echoed.some((a) => toBigInt(a) === toBigInt(want)))
        return fail({
          kind: 'transient',
          message: `${what}: the server set ${echoed.join(', ')}, not ${want}`,
          code: read.code,
        });
    }
    sent.set(hostname, addresses);
    return ok({ changed: read.changed });
  }

  function checkPair(addresses: AddressPair): string | undefined {
    if (addresses.ipv4 === undefined && addresses.ipv6 === undefined) return 'no address to send';
    if (addresses.ipv4 !== undefined && familyOf(addresses.ipv4) !== 'ipv4')
      return `${addresses.ipv4} is not an IPv4 address`;
    if (addresses.ipv6 !== undefined && familyOf(addresses.ipv6) !== 'ipv6')
      return `${addresses.ipv6} is not an IPv6 address`;
    return undefined;
  }

  return {
    kind: 'dyndns2',
    can: { read: false, txt: false },

    test() {
      // Every dyndns2 request is an update (and a needless one counts toward abuse), so nothing is sent here.
      return Promise.resolve(
        ok({
          detail:
            'dyndns2 has no read-only request: the username and password are checked by the first update',
        }),
      );
    },

    set(ref: RecordRef, values: readonly string[]) {
      if (ref.type === 'TXT')
        return Promise.resolve(refuse('dyndns2 updates only A and AAAA records, not TXT', 'no-txt'));
      const [value, ...more] = values;
      if (value === undefined || more.length > 0)
        return Promise.resolve(
          refuse(
            `dyndns2 holds exactly one address per family for ${ref.name}, not ${values.length}`,
            'one-address',
          ),
        );
      const other = preset.dualStack === 'myipv6' ? undefined : sent.get(ref.name);
      const pair: AddressPair =
        ref.type === 'A'
          ? { ipv4: value, ...(other?.ipv6 === undefined ? {} : { ipv6: other.ipv6 }) }
          : { ...(other?.ipv4 === undefined ? {} : { ipv4: other.ipv4 }), ipv6: value };
      const bad = checkPair(pair);
      if (bad !== undefined) return Promise.resolve(refuse(`${ref.type} ${ref.name}: ${bad}`, 'bad-address'));
      return update(ref.name, pair);
    },

    setAddresses(name, addresses) {
      const bad = checkPair(addresses);
      if (bad !== undefined) return Promise.resolve(refuse(`${name}: ${bad}`, 'bad-address'));
      return update(name, addresses);
    },
  };
}

export const dyndns2Provider: ProviderDescriptor<Dyndns2Settings, Dyndns2Secrets> = {
  kind: 'dyndns2',
  label: 'dyndns2 (Dyn, No-IP, Dynu, custom)',
  docsUrl: 'https://help.dyn.com/remote-access-api/perform-update/',
  fields: [
    {
      name: 'preset',
      label: 'Service',
      help: 'dyn (members.dyndns.org), noip (dynupdate.no-ip.com), dynu (api.dynu.com) or custom.',
      secret: false,
    },
    {
      name: 'serverUrl',
      label: 'Update URL',
      help: 'For a custom server, its full update URL, e.g. https://ddns.example.com/nic/update.',
      secret: false,
      optional: true,
    },
    {
      name: 'username',
      label: 'Username',
      help: 'No-IP: the DDNS key username; Dynu: the account username.',
      secret: false,
    },
    {
      name: 'password',
      label: 'Password',
      help: 'The updater password (No-IP: the DDNS key password; Dyn: the updater client key).',
      secret: true,
    },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: false, txt: false },
  create: createDyndns2,
};

export { createDyndns2 };

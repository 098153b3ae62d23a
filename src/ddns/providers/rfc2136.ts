/**
 * @module RFC 2136 dynamic update signed with TSIG (RFC 8945): the records of a zone on one's own DNS server
 * (BIND, Knot, PowerDNS, Technitium …), spoken on the wire by src/ddns/dns/ (no library can write RFC 2136
 * deletions or TSIG).
 *
 * Documentation followed:
 * - RFC 2136 (https://www.rfc-editor.org/rfc/rfc2136): §2.3 zone section, §2.4 prerequisites, §2.5 updates
 *   (delete an RRset: class ANY, TTL 0, no RDATA; add: class IN), §3 atomic processing, §2.2 RCODEs;
 * - RFC 8945 (https://www.rfc-editor.org/rfc/rfc8945): TSIG, answers signed with the request's MAC;
 * - BIND 9 `nsupdate` / `update-policy` (https://bind9.readthedocs.io/en/latest/manpages.html#nsupdate).
 *
 * `set` sends ONE update message — delete the name's RRset of that type, then add each value — which the server
 * applies atomically (RFC 2136 §3.4), so no reader ever sees the name without an address. It reads first and
 * sends nothing when the server already holds exactly those values and TTL (`changed: false`). `test` sends an
 * UPDATE with a single prerequisite — "the zone's apex name is in use" (§2.4.4, always true) — and no update
 * section: it proves the key and that the server takes updates for the zone, and changes nothing.
 */
import { randomInt } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import type { UdpEndpoint } from '../../core/udp.js';
import {
  canonicalIpv6,
  createMessage,
  Opcode,
  Rcode,
  rcodeName,
  RRClass,
  RRType,
  sameName,
  TsigError,
  type DnsMessage,
  type RData,
  type ResourceRecord,
} from '../dns/codec.js';
import { exchange, type DnsStreamTransport } from '../dns/client.js';
import { dnsNamePattern, parseServer } from '../dns/server.js';
import { decodeSecret, signMessage, tsigAlgorithms, verifyMessage, type TsigKey } from '../dns/tsig.js';
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
import { sameValues } from './values.js';

const label = 'RFC 2136 (TSIG)';

const settingsSchema = z.object({
  server: z
    .string()
    .trim()
    .refine((s) => parseServer(s) !== undefined, 'a host name or IP address, with an optional :port'),
  zone: z
    .string()
    .trim()
    .toLowerCase()
    .regex(dnsNamePattern, 'a DNS zone name such as example.com')
    .transform((z) => z.replace(/\.$/, ''))
    .optional(),
  keyName: z.string().trim().regex(dnsNamePattern, 'the TSIG key name as the server knows it'),
  algorithm: z.enum(tsigAlgorithms).default('hmac-sha256'),
});
const secretsSchema = z.object({
  secret: z
    .string()
    .trim()
    .refine((s) => decodeSecret(s) !== undefined, 'the base64 secret of the TSIG key'),
});
export type Rfc2136Settings = z.infer<typeof settingsSchema>;
export type Rfc2136Secrets = z.infer<typeof secretsSchema>;

/** What the adapter may be given besides ProviderDeps. */
export interface Rfc2136Deps extends ProviderDeps {
  /** DNS over TCP for truncated answers; without it they are a transient failure. */
  readonly tcp?: DnsStreamTransport;
  /** Addresses of a server given by name (the system resolver when absent). */
  readonly resolveHost?: (host: string) => Promise<readonly string[]>;
  /** The message ID (random when absent). */
  readonly randomId?: () => number;
  /** Per exchange, retransmissions included. Default 5 s. */
  readonly timeoutMs?: number;
}

const typeCode: Record<RecordType, number> = { A: RRType.A, AAAA: RRType.AAAA, TXT: RRType.TXT };

/** One RDATA per value (TXT values longer than 255 bytes become several character-strings). */
export function rdataOf(type: RecordType, value: string): Outcome<RData, string> {
  switch (type) {
    case 'A':
      return isIP(value) === 4
        ? ok({ kind: 'a', address: value })
        : fail(`"${value}" is not an IPv4 address`);
    case 'AAAA':
      return isIP(value) === 6
        ? ok({ kind: 'aaaa', address: value })
        : fail(`"${value}" is not an IPv6 address`);
    case 'TXT': {
      // Character-strings of at most 255 bytes, cut between characters (never inside a UTF-8 sequence).
      const strings: string[] = [];
      let current = '';
      let bytes = 0;
      for (const ch of value) {
        const n = new TextEncoder().encode(ch).length;
        if (bytes + n > 255) {
          strings.push(current);
          current = '';
          bytes = 0;
        }
        current += ch;
        bytes += n;
      }
      strings.push(current);
      return ok({ kind: 'txt', strings });
    }
  }
}

/** The value of a record as the port reports it (A dotted quad, AAAA RFC 5952, TXT strings joined). */
function valueOf(data: RData): string | undefined {
  if (data.kind === 'a' || data.kind === 'aaaa') return data.address;
  return data.kind === 'txt' ? data.strings.join('') : undefined;
}

/** A/AAAA values in canonical form, for comparing what is held with what is wanted. */
function canonical(type: RecordType, value: string): string {
  return type === 'AAAA' ? (canonicalIpv6(value) ?? value) : value;
}

/** Whether `name` is `zone` or lies below it. */
export function inZone(name: string, zone: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const z = zone.toLowerCase().replace(/\.$/, '');
  return z === '' || n === z || n.endsWith(`.${z}`);
}

/**
 * The failure an answer's RCODE means for the engine (RFC 2136 §2.2), or undefined for NOERROR. TSIG errors
 * (the server refused our signature) come before: see `signedExchange`.
 */
export function failureOfRcode(rcode: number, what: string): ProviderFailure | undefined {
  const code = rcodeName(rcode);
  switch (rcode) {
    case Rcode.NOERROR:
      return undefined;
    case Rcode.NOTAUTH:
      return {
        kind: 'config',
        code,
        message: `${what}: NOTAUTH — the server is not authoritative for this zone`,
      };
    case Rcode.NOTZONE:
      return { kind: 'config', code, message: `${what}: NOTZONE — the name is not inside the zone` };
    case Rcode.REFUSED:
      return {
        kind: 'config',
        code,
        message: `${what}: REFUSED — the server does not let this key change this name (update-policy / allow-update)`,
      };
    case Rcode.NOTIMP:
      return { kind: 'config', code, message: `${what}: NOTIMP — the server does not take dynamic updates` };
    case Rcode.NXDOMAIN:
    case Rcode.YXDOMAIN:
    case Rcode.YXRRSET:
    case Rcode.NXRRSET:
      return { kind: 'config', code, message: `${what}: ${code} — a prerequisite failed` };
    case Rcode.SERVFAIL:
      return {
        kind: 'transient',
        code,
        message: `${what}: SERVFAIL — the server failed; trying again later`,
      };
    default:
      return { kind: 'transient', code, message: `${what}: ${code}` };
  }
}

async function systemResolve(host: string): Promise<readonly string[]> {
  return (await lookup(host, { all: true })).map((a) => a.address);
}

class Rfc2136Client implements DnsProvider {
  readonly kind = 'rfc2136';
  readonly can = { read: true, txt: true };
  private readonly key: TsigKey;
  private readonly server: UdpEndpoint;
  private readonly where: string;

  constructor(
    private readonly settings: Rfc2136Settings,
    secret: Uint8Array,
    private readonly deps: Rfc2136Deps,
  ) {
    this.key = { name: settings.keyName, algorithm: settings.algorithm, secret };
    this.server = parseServer(settings.server) ?? { address: settings.server, port: 53 };
    this.where = `RFC 2136 ${settings.server}`;
  }

  private async serverAddress(): Promise<ProviderResult<UdpEndpoint>> {
    if (isIP(this.server.address) !== 0) return ok(this.server);
    try {
      const found = await (this.deps.resolveHost ?? systemResolve)(this.server.address);
      const address = found[0];
      if (address === undefined) throw new Error('no address');
      return ok({ address, port: this.server.port });
    } catch (e) {
      return fail({
        kind: 'transient',
        message: `${this.where}: cannot resolve ${this.server.address} (${e instanceof Error ? e.message : String(e)})`,
      });
    }
  }

  /** Signs `message`, exchanges it and checks the answer's signature; the answer, or a failure for the engine. */
  private async signedExchange(message: DnsMessage, what: string): Promise<ProviderResult<DnsMessage>> {
    const server = await this.serverAddress();
    if (!server.ok) return server;
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    const signed = signMessage(message, this.key, { timeSigned: now });
    if (!signed.ok) return fail({ kind: 'config', message: `${what}: ${signed.error}` });
    const answer = await exchange(
      server.value,
      { bytes: signed.value.bytes, message },
      this.deps,
      this.deps.timeoutMs === undefined ? {} : { timeoutMs: this.deps.timeoutMs },
    );
    if (!answer.ok) return fail({ kind: 'transient', message: `${what}: ${answer.error.message}` });
    const checked = verifyMessage(answer.value.bytes, answer.value.decoded, this.key, {
      now: Math.floor(this.deps.clock.now().getTime() / 1000),
      requestMac: signed.value.mac,
    });
    if (!checked.ok) {
      const e = checked.error;
      if (
        e.reason === 'server-error' &&
        (e.tsigError === TsigError.BADSIG || e.tsigError === TsigError.BADKEY)
      ) {
        const code = rcodeName(e.tsigError);
        return fail({
          kind: 'auth',
          code,
          message: `${what}: ${code} — the server refused TSIG key "${this.key.name}" (${this.key.algorithm}); check the key name, algorithm and secret`,
        });
      }
      if (e.reason === 'server-error' && e.tsigError === TsigError.BADTIME)
        return fail({
          kind: 'transient',
          code: 'BADTIME',
          message: `${what}: BADTIME — this box's clock and the server's differ by more than 5 minutes`,
        });
      return fail({
        kind: 'transient',
        message: `${what}: the answer was not signed with the key (${e.message}); not trusted`,
      });
    }
    return ok(answer.value.decoded.message);
  }

  private id(): number {
    return this.deps.randomId?.() ?? randomInt(0, 0x10000);
  }

  private zoneOf(ref: RecordRef): ProviderResult<string> {
    const zone = this.settings.zone ?? ref.zone.replace(/\.$/, '');
    if (zone === '')
      return fail({ kind: 'config', message: `${this.where}: no zone for ${ref.name} (set the zone)` });
    if (!inZone(ref.name, zone))
      return fail({ kind: 'config', message: `${this.where}: ${ref.name} is not inside the zone ${zone}` });
    return ok(zone);
  }

  private async update(
    zone: string,
    updates: readonly ResourceRecord[],
    prerequisites: readonly ResourceRecord[],
    what: string,
  ): Promise<ProviderResult<void>> {
    const message = createMessage({
      id: this.id(),
      opcode: Opcode.UPDATE,
      questions: [{ name: zone, type: RRType.SOA, class: RRClass.IN }],
      answers: prerequisites,
      authorities: updates,
    });
    const answer = await this.signedExchange(message, what);
    if (!answer.ok) return answer;
    const failure = failureOfRcode(answer.value.rcode, what);
    return failure ? fail(failure) : ok(undefined);
  }

  async test(zone?: string): Promise<ProviderResult<{ readonly detail: string }>> {
    const z = (zone ?? this.settings.zone ?? '').replace(/\.$/, '');
    if (z === '') {
      // Without a zone only the key can be checked: a signed SOA query for the root, whose answer the server
      // signs (whatever it says) when it knows the key.
      const what = `${this.where}: signed query`;
      const answer = await this.signedExchange(
        createMessage({ id: this.id(), questions: [{ name: '', type: RRType.SOA, class: RRClass.IN }] }),
        what,
      );
      if (!answer.ok) return answer;
      return ok({ detail: `the server knows TSIG key "${this.key.name}" (no zone given to check)` });
    }
    const what = `${this.where}: UPDATE ${z} (prerequisite only)`;
    const apexInUse: ResourceRecord = {
      name: z,
      type: RRType.ANY,
      class: RRClass.ANY,
      ttl: 0,
      data: { kind: 'empty' },
    };
    const r = await this.update(z, [], [apexInUse], what);
    if (!r.ok) return r;
    return ok({ detail: `the server takes updates for ${z} signed with TSIG key "${this.key.name}"` });
  }

  async read(ref: RecordRef): Promise<ProviderResult<ProviderRecord>> {
    const what = `${this.where}: ${ref.type} ${ref.name}`;
    const type = typeCode[ref.type];
    const answer = await this.signedExchange(
      createMessage({ id: this.id(), questions: [{ name: ref.name, type, class: RRClass.IN }] }),
      what,
    );
    if (!answer.ok) return answer;
    const m = answer.value;
    if (m.rcode === Rcode.NXDOMAIN && m.aa) return ok({ values: [], ttl: null });
    const failure = failureOfRcode(m.rcode, what);
    if (failure) return fail(failure);
    if (!m.aa)
      return fail({
        kind: 'config',
        code: 'not authoritative',
        message: `${what}: the server answered without authority (it does not serve this zone)`,
      });
    const records = m.answers.filter(
      (rr) => rr.type === type && rr.class === RRClass.IN && sameName(rr.name, ref.name),
    );
    const values = records.map((rr) => valueOf(rr.data)).filter((v): v is string => v !== undefined);
    const ttl = records.length === 0 ? null : Math.min(...records.map((rr) => rr.ttl));
    return ok({ values: values.sort(), ttl });
  }

  async set(
    ref: RecordRef,
    values: readonly string[],
    ttl: number,
  ): Promise<ProviderResult<{ readonly changed: boolean }>> {
    const what = `${this.where}: UPDATE ${ref.type} ${ref.name}`;
    const zone = this.zoneOf(ref);
    if (!zone.ok) return zone;
    const type = typeCode[ref.type];
    const adds: ResourceRecord[] = [];
    for (const value of new Set(values)) {
      const data = rdataOf(ref.type, value);
      if (!data.ok) return fail({ kind: 'config', message: `${what}: ${data.error}` });
      adds.push({ name: ref.name, type, class: RRClass.IN, ttl, data: data.value });
    }
    const held = await this.read(ref);
    // A server that does not answer, or refuses the key, would do the same to the update; one whose policy only
    // refuses queries (config) may still take it.
    if (!held.ok && held.error.kind !== 'config') return held;
    if (held.ok) {
      const want = [...new Set(values.map((v) => canonical(ref.type, v)))].sort();
      const have = [...new Set(held.value.values.map((v) => canonical(ref.type, v)))].sort();
      const sameTtl = held.value.ttl === ttl || want.length === 0;
      if (sameTtl && sameValues(want, have)) return ok({ changed: false });
    }
    const deleteSet: ResourceRecord = {
      name: ref.name,
      type,
      class: RRClass.ANY,
      ttl: 0,
      data: { kind: 'empty' },
    };
    const r = await this.update(zone.value, [deleteSet, ...adds], [], what);
    return r.ok ? ok({ changed: true }) : r;
  }

  async delete(ref: RecordRef): Promise<ProviderResult<void>> {
    const what = `${this.where}: UPDATE delete ${ref.type} ${ref.name}`;
    const zone = this.zoneOf(ref);
    if (!zone.ok) return zone;
    const deleteSet: ResourceRecord = {
      name: ref.name,
      type: typeCode[ref.type],
      class: RRClass.ANY,
      ttl: 0,
      data: { kind: 'empty' },
    };
    return this.update(zone.value, [deleteSet], [], what);
  }
}

function createRfc2136(settings: Rfc2136Settings, secrets: Rfc2136Secrets, deps: Rfc2136Deps): DnsProvider {
  // The schema checked the secret; an empty key here would only make every signature fail.
  return new Rfc2136Client(settings, decodeSecret(secrets.secret) ?? new Uint8Array(), deps);
}

export const rfc2136Provider: ProviderDescriptor<Rfc2136Settings, Rfc2136Secrets> = {
  kind: 'rfc2136',
  label,
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc2136',
  fields: [
    {
      name: 'server',
      label: 'DNS server',
      help: 'The primary server that takes updates: host name or IP address, optionally :port (53).',
      secret: false,
    },
    {
      name: 'zone',
      label: 'Zone',
      help: "The zone to update, e.g. example.com (the record's zone when empty).",
      secret: false,
      optional: true,
    },
    {
      name: 'keyName',
      label: 'TSIG key name',
      help: 'As in the server configuration, e.g. key "gatehouse" { … }; (tsig-keygen -a hmac-sha256 gatehouse).',
      secret: false,
    },
    {
      name: 'algorithm',
      label: 'TSIG algorithm',
      help: 'hmac-sha256 (default) or hmac-sha512.',
      secret: false,
      optional: true,
    },
    { name: 'secret', label: 'TSIG secret', help: 'The base64 secret of the key.', secret: true },
  ],
  settings: settingsSchema,
  secrets: secretsSchema,
  can: { read: true, txt: true },
  create: createRfc2136,
};

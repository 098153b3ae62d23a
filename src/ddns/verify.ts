/**
 * @module The authoritative verifier: what each of a zone's authoritative servers serves for a name, asked directly
 * (RD=0, no cache in between), so the engine can wait until EVERY server serves the new value. The servers are
 * found through a resolver (the system's, from resolv.conf, given by the composition root): the zone by its SOA,
 * the zone's NS names, their IPv4 addresses (glue when the answer carries it). An explicit server list overrides
 * all of that (split DNS, tests).
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { UdpEndpoint } from '../core/udp.js';
import {
  canonicalIpv6,
  createMessage,
  encodeMessage,
  Rcode,
  rcodeName,
  RRClass,
  RRType,
  sameName,
  type DnsMessage,
  type RData,
} from './dns/codec.js';
import { exchange, type DnsClientDeps } from './dns/client.js';
import type { RecordType } from './provider.js';
import { parseServer } from './dns/server.js';

export interface VerifyDeps extends DnsClientDeps {
  /** The recursive resolver that finds the zone's servers (the first `nameserver` of resolv.conf). */
  readonly resolver: UdpEndpoint;
  /** Per question, retransmissions included. Default 3 s. */
  readonly timeoutMs?: number;
  /** The message ID (random when absent). */
  readonly randomId?: () => number;
}

export interface VerifyOptions {
  /** Ask exactly these servers (`203.0.113.65`, `ns1.example.com:5353`, `[2001:db8::53]:53`). */
  readonly servers?: readonly string[];
}

/** One authoritative server's answer: the values it serves (sorted; empty when it has none), or why not. */
export interface ServerAnswer {
  /** `address:port` asked. */
  readonly server: string;
  /** The NS name it was found by, when found through NS records. */
  readonly nsName?: string;
  readonly result: Outcome<{ readonly values: readonly string[]; readonly ttl: number | null }, string>;
}

export interface AuthoritativeAnswers {
  /** The zone found by SOA (undefined with an explicit server list). */
  readonly zone?: string;
  readonly servers: readonly ServerAnswer[];
}

const typeCode: Record<RecordType, number> = { A: RRType.A, AAAA: RRType.AAAA, TXT: RRType.TXT };

/** The `nameserver` addresses of a resolv.conf text, in order (port 53). Pure. */
export function parseResolvConf(text: string): UdpEndpoint[] {
  const out: UdpEndpoint[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const address = m?.[1]?.replace(/%.*$/, '');
    if (address && isIP(address) !== 0) out.push({ address, port: 53 });
  }
  return out;
}

function valueOf(data: RData): string | undefined {
  if (data.kind === 'a' || data.kind === 'aaaa') return data.address;
  return data.kind === 'txt' ? data.strings.join('') : undefined;
}

const show = (e: UdpEndpoint): string =>
  e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;

async function ask(
  server: UdpEndpoint,
  name: string,
  type: number,
  recursion: boolean,
  deps: VerifyDeps,
): Promise<Outcome<DnsMessage, string>> {
  const message = createMessage({
    id: deps.randomId?.() ?? randomInt(0, 0x10000),
    rd: recursion,
    questions: [{ name, type, class: RRClass.IN }],
  });
  const bytes = encodeMessage(message);
  if (!bytes.ok) return fail(bytes.error);
  const r = await exchange(server, { bytes: bytes.value, message }, deps, {
    timeoutMs: deps.timeoutMs ?? 3000,
  });
  return r.ok ? ok(r.value.decoded.message) : fail(r.error.message);
}

/** The zone holding `name`: the owner of the SOA in the answer (the apex) or in the authority section. */
async function findZone(name: string, deps: VerifyDeps): Promise<Outcome<string, string>> {
  const r = await ask(deps.resolver, name, RRType.SOA, true, deps);
  if (!r.ok) return fail(`the resolver ${show(deps.resolver)}: ${r.error}`);
  const m = r.value;
  if (m.rcode !== Rcode.NOERROR && m.rcode !== Rcode.NXDOMAIN)
    return fail(`the resolver ${show(deps.resolver)} answered ${rcodeName(m.rcode)} for the SOA of ${name}`);
  const soa = [...m.answers, ...m.authorities].find((rr) => rr.type === RRType.SOA);
  if (!soa) return fail(`no SOA for ${name} at the resolver ${show(deps.resolver)}`);
  return ok(soa.name.toLowerCase());
}

/** The zone's servers: NS names and their IPv4 addresses (glue first, else asked of the resolver). */
async function findServers(
  zone: string,
  deps: VerifyDeps,
): Promise<Outcome<{ nsName: string; address: UdpEndpoint | string }[], string>> {
  const r = await ask(deps.resolver, zone, RRType.NS, true, deps);
  if (!r.ok) return fail(`the resolver ${show(deps.resolver)}: ${r.error}`);
  const m = r.value;
  const names = m.answers
    .filter((rr) => rr.type === RRType.NS && sameName(rr.name, zone) && rr.data.kind === 'name')
    .map((rr) => (rr.data.kind === 'name' ? rr.data.name.toLowerCase() : ''));
  if (names.length === 0) return fail(`no NS records for ${zone} at the resolver ${show(deps.resolver)}`);
  const out: { nsName: string; address: UdpEndpoint | string }[] = [];
  for (const nsName of [...new Set(names)].sort()) {
    let glue = m.additionals
      .filter((rr) => rr.type === RRType.A && sameName(rr.name, nsName) && rr.data.kind === 'a')
      .map((rr) => valueOf(rr.data) ?? '');
    if (glue.length === 0) {
      const a = await ask(deps.resolver, nsName, RRType.A, true, deps);
      if (!a.ok) {
        out.push({ nsName, address: `cannot find the address of ${nsName}: ${a.error}` });
        continue;
      }
      glue = a.value.answers
        .filter((rr) => rr.type === RRType.A && rr.data.kind === 'a')
        .map((rr) => valueOf(rr.data) ?? '');
    }
    if (glue.length === 0) out.push({ nsName, address: `${nsName} has no IPv4 address` });
    for (const address of [...new Set(glue)].sort()) out.push({ nsName, address: { address, port: 53 } });
  }
  return ok(out);
}

/** What one server serves for the name, asked without recursion; it must answer with authority. */
async function askAuthoritative(
  server: UdpEndpoint,
  name: string,
  type: RecordType,
  deps: VerifyDeps,
): Promise<ServerAnswer['result']> {
  const r = await ask(server, name, typeCode[type], false, deps);
  if (!r.ok) return r;
  const m = r.value;
  if (!m.aa) return fail(`${show(server)} answered without authority (${rcodeName(m.rcode)})`);
  if (m.rcode === Rcode.NXDOMAIN) return ok({ values: [], ttl: null });
  if (m.rcode !== Rcode.NOERROR) return fail(`${show(server)} answered ${rcodeName(m.rcode)}`);
  const records = m.answers.filter((rr) => rr.type === typeCode[type] && sameName(rr.name, name));
  const values = records.map((rr) => valueOf(rr.data)).filter((v): v is string => v !== undefined);
  return ok({
    values: values.sort(),
    ttl: records.length === 0 ? null : Math.min(...records.map((rr) => rr.ttl)),
  });
}

/**
 * Asks each authoritative server of `name`'s zone for `name`/`type`, all at once. A failure to find the servers at
 * all is an error; a server that does not answer is a per-server failure (so "every server serves the new value"
 * is never true by accident).
 */
export async function lookupAuthoritative(
  name: string,
  type: RecordType,
  deps: VerifyDeps,
  options: VerifyOptions = {},
): Promise<Outcome<AuthoritativeAnswers, string>> {
  if (options.servers && options.servers.length > 0) {
    const targets = await Promise.all(
      options.servers.map(async (text): Promise<{ nsName?: string; address: UdpEndpoint | string }> => {
        const parsed = parseServer(text);
        if (!parsed) return { address: `"${text}" is not a server address` };
        if (isIP(parsed.address) !== 0) return { address: parsed };
        const a = await ask(deps.resolver, parsed.address, RRType.A, true, deps);
        const address = a.ok
          ? a.value.answers.map((rr) => valueOf(rr.data)).find((v) => v !== undefined && isIP(v) === 4)
          : undefined;
        return address
          ? { nsName: parsed.address, address: { address, port: parsed.port } }
          : { nsName: parsed.address, address: `cannot find the address of ${parsed.address}` };
      }),
    );
    return ok({ servers: await askAll(targets, name, type, deps) });
  }
  const zone = await findZone(name, deps);
  if (!zone.ok) return zone;
  const servers = await findServers(zone.value, deps);
  if (!servers.ok) return servers;
  return ok({ zone: zone.value, servers: await askAll(servers.value, name, type, deps) });
}

function askAll(
  targets: readonly { nsName?: string; address: UdpEndpoint | string }[],
  name: string,
  type: RecordType,
  deps: VerifyDeps,
): Promise<ServerAnswer[]> {
  return Promise.all(
    targets.map(async (t): Promise<ServerAnswer> => {
      const nsName = t.nsName === undefined ? {} : { nsName: t.nsName };
      if (typeof t.address === 'string') return { server: '', ...nsName, result: fail(t.address) };
      return {
        server: show(t.address),
        ...nsName,
        result: await askAuthoritative(t.address, name, type, deps),
      };
    }),
  );
}

/** Whether every server answered and serves exactly `values` (IPv6 in any spelling; order does not matter). Pure. */
export function allServe(answers: AuthoritativeAnswers, values: readonly string[]): boolean {
  const norm = (list: readonly string[]): string[] =>
    [...new Set(list.map((v) => canonicalIpv6(v) ?? v))].sort();
  const want = norm(values);
  return (
    answers.servers.length > 0 &&
    answers.servers.every((s) => {
      if (!s.result.ok) return false;
      const have = norm(s.result.value.values);
      return have.length === want.length && have.every((v, i) => v === want[i]);
    })
  );
}

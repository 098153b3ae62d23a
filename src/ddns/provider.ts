/**
 * @module The DnsProvider port: how the DDNS engine (and later ACME's DNS-01) reads and writes records at one DNS
 * provider account. Adapters live in `providers/`, one file per provider, each citing the provider's documentation.
 */
import type { Clock } from '../core/clock.js';
import type { Fetch } from '../core/fetch.js';
import type { Outcome } from '../core/outcome.js';
import type { UdpTransport } from '../core/udp.js';
import type { DnsStreamTransport } from './dns/client.js';

export type RecordType = 'A' | 'AAAA' | 'TXT';

/** One record set: a name and a type inside a zone. Names are lowercase FQDNs without the trailing dot. */
export interface RecordRef {
  /** The zone the name lies in (`example.com`); equal to `name` for a record at the apex. */
  readonly zone: string;
  readonly name: string;
  readonly type: RecordType;
}

/** A record set as the provider holds it. */
export interface ProviderRecord {
  /** Addresses in their canonical text form (A, AAAA) or the TXT strings; sorted. Empty: the set does not exist. */
  readonly values: readonly string[];
  /** Null when the provider does not say (or uses "automatic"). */
  readonly ttl: number | null;
}

/**
 * Why a call failed, in the terms the engine acts on:
 * - `auth`: the credentials were refused (HTTP 401/403, dyndns2 `badauth`, TSIG BADKEY/BADSIG): the account stops
 *   until its configuration changes; retrying would only look like an attack.
 * - `account-stopped`: the provider stopped this account or client (dyndns2 `!donator`, `badagent`, `abuse`): as `auth`.
 * - `config`: this name or zone is not at this account (dyndns2 `nohost`, `notfqdn`, `numhost`; HTTP 404 for the
 *   zone; RFC 2136 NOTZONE / NOTAUTH): the record stops until its configuration changes.
 * - `rate-limited`: the provider asked us to slow down; `retryAfterMs` when it said how long.
 * - `transient`: timeouts, connection errors, HTTP 5xx, a garbage or unexpected answer, dyndns2 `911` / `dnserr`
 *   (then `retryAfterMs` is at least 30 minutes, as the protocol asks): retried with backoff.
 */
export type ProviderFailureKind = 'auth' | 'account-stopped' | 'config' | 'rate-limited' | 'transient';

export interface ProviderFailure {
  readonly kind: ProviderFailureKind;
  /** For people: names the provider, the request and what it answered. Never a credential. */
  readonly message: string;
  /** The provider's own word for it, when it has one (`badauth`, `10000`, `NOTAUTH`, `HTTP 503`). */
  readonly code?: string;
  /** Wait at least this long before the next call to this account (rate limits, dyndns2 `911`). */
  readonly retryAfterMs?: number;
}

export type ProviderResult<T> = Outcome<T, ProviderFailure>;

/**
 * One account at one DNS provider. Contract, for every adapter:
 * - every call is bounded in time (the adapter's own timeout, well under a minute) and never throws: failures are
 *   values, and a body that is not what the documentation says is `transient` with a message that says so;
 * - `set` makes the record set hold exactly `values` (creating it when missing) and changes nothing else: no other
 *   name, no other type, and no provider option the user chose (Cloudflare's `proxied` is kept as it is);
 * - `set` with the values the provider already holds is a success with `changed: false` (dyndns2 `nochg`);
 * - no credential appears in a message, a log line, or a URL that could be logged;
 * - names and values were validated before the call (hostnames, addresses): the adapter still encodes them for its
 *   wire format, so no input can add a field, a header or a record.
 */
export interface DnsProvider {
  /** The provider kind, e.g. `cloudflare`. */
  readonly kind: string;
  /**
   * Whether `read` can see what the provider holds (dyndns2 cannot: the engine then asks the authoritative
   * servers), and whether TXT records can be written (for ACME DNS-01).
   */
  readonly can: { readonly read: boolean; readonly txt: boolean };
  /** Checks the credentials (and the zone, when given) without changing anything. */
  test(zone?: string): Promise<ProviderResult<{ readonly detail: string }>>;
  /** What the provider holds for the record set; values empty when it does not exist. Only when `can.read`. */
  read?(ref: RecordRef): Promise<ProviderResult<ProviderRecord>>;
  /** Makes the record set hold exactly `values` with `ttl`; see the contract above. */
  set(ref: RecordRef, values: readonly string[], ttl: number): Promise<ProviderResult<SetResult>>;
  /**
   * Sets both address families of one name in one request, for protocols where an update names every address the
   * name keeps (dyndns2: Dyn replaces the AAAA with what `myip` lists, No-IP fills a missing family from the
   * request's source address — so two separate `set`s would undo each other). A family left undefined is not
   * managed by Gatehouse. When present, the engine uses it instead of `set` for A and AAAA.
   */
  setAddresses?(
    name: string,
    addresses: { readonly ipv4?: string; readonly ipv6?: string },
  ): Promise<ProviderResult<SetResult>>;
  /** Removes the record set (DNS-01 clean-up); success when it did not exist. Only when `can.txt`. */
  delete?(ref: RecordRef): Promise<ProviderResult<void>>;
}

export interface SetResult {
  /** False when the provider already held these values (dyndns2 `nochg`). */
  readonly changed: boolean;
  /** What a person should know of how it was done, e.g. a TTL raised to the provider's minimum. */
  readonly detail?: string;
}

/** What an adapter factory is given besides its settings and secrets. */
export interface ProviderDeps {
  readonly fetch: Fetch;
  readonly clock: Clock;
  /** For RFC 2136 (DNS over UDP). */
  readonly udp: UdpTransport;
  /** For RFC 2136 answers too long for UDP (TC bit) and updates over 512 bytes; without it those fail. */
  readonly tcp?: DnsStreamTransport;
  /** Sent with every HTTP request, e.g. `Gatehouse/0.1.0 (+https://github.com/…)`; dyndns2 requires one. */
  readonly userAgent: string;
}

/**
 * @module The DDNS planner, pure: what value each record should hold (from the accepted public addresses, a fixed
 * address, or the IPv6 prefix and a device's suffix), whether to update it now, and when to try again after a
 * failure. A detection that failed or disagrees gives no value, and no value never changes or blanks a record.
 */
import { isIP } from 'node:net';
import { checkBogon } from '../reach/addresses.js';
import type { ProviderFailure } from './provider.js';
import type { DdnsAccount, DdnsRecord, DdnsRecordState, DdnsValue } from './slice.js';

/** What the box knows of itself: the public addresses reachability accepted (null: none agreed). */
export interface AddressInputs {
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  /** Ranges counted as public although reserved (reachability's `publicRanges`, e.g. documentation ranges in tests). */
  readonly publicRanges: readonly string[];
}

export type Desired =
  { readonly kind: 'value'; readonly value: string } | { readonly kind: 'unknown'; readonly reason: string };

/** The family a record type holds. */
export const familyOf = (type: DdnsRecord['type']): 'ipv4' | 'ipv6' => (type === 'A' ? 'ipv4' : 'ipv6');

/** Parses an IPv6 address into its 128 bits (canonical or not); undefined when it is none. */
export function ipv6ToBigInt(address: string): bigint | undefined {
  if (isIP(address) !== 6 || address.includes('%')) return undefined;
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  // Stryker disable next-line Regex: in an address isIP accepts, a dotted quad can only be its tail
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4 !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
    text = `${text.slice(0, -v4.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  // Stryker disable next-line StringLiteral: unreachable default, split() yields at least one part
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  // Without "::" there are eight groups already, so nothing is missing.
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The canonical text (RFC 5952: lowercase, longest run of zero groups as ::, no leading zeros). */
export function bigIntToIpv6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt((7 - i) * 16)) & 0xffffn));
  let best = { start: 0, length: 0 };
  // Stryker disable next-line EqualityOperator: groups[8] is undefined, which ends the loop the same way
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

const low64 = (1n << 64n) - 1n;

/** The record's value now, or why none can be given. */
export function desiredValue(value: DdnsValue, type: DdnsRecord['type'], inputs: AddressInputs): Desired {
  const family = familyOf(type);
  switch (value.kind) {
    case 'fixed':
      return { kind: 'value', value: canonical(value.address) };
    case 'public': {
      const address = inputs[family];
      if (address === null)
        return {
          kind: 'unknown',
          reason: `no public ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address is agreed on`,
        };
      return { kind: 'value', value: canonical(address) };
    }
    case 'ipv6-host': {
      // Stryker disable next-line StringLiteral: any text that is no IPv6 address gives no prefix
      const prefixSource = ipv6ToBigInt(inputs.ipv6 ?? '');
      if (prefixSource === undefined)
        return { kind: 'unknown', reason: 'the box has no agreed global IPv6 address' };
      const suffix = ipv6ToBigInt(value.suffix) ?? 0n;
      const address = bigIntToIpv6((prefixSource & ~low64) | (suffix & low64));
      // The box's address is global, so prefix + suffix is too, unless the suffix is all zeros (the subnet-router
      // anycast address) — refused when the record is made; checked here once more since it is the box's prefix.
      if (checkBogon(address, inputs.publicRanges).bogon)
        return { kind: 'unknown', reason: `${address} is not a public address` };
      return { kind: 'value', value: address };
    }
  }
}

/** One address in the form DNS answers and providers hold it. */
export function canonical(address: string): string {
  const v6 = ipv6ToBigInt(address);
  return v6 === undefined ? address : bigIntToIpv6(v6);
}

export type RecordAction =
  /** Nothing to do: the record holds the value (`served` agrees). */
  | { readonly kind: 'in-sync'; readonly value: string }
  /** Send `value` to the provider now. `drift`: the record held something else that we had not set. */
  | {
      readonly kind: 'update';
      readonly value: string;
      readonly previous: string | null;
      readonly drift: boolean;
    }
  /** Not now: the account or the record's last failure asks to wait until `until`. */
  | { readonly kind: 'wait'; readonly value: string; readonly until: Date; readonly reason: string }
  /** Not without a person: disabled, stopped account or record, no value known. */
  | { readonly kind: 'hold'; readonly reason: string };

/**
 * What to do with one record. `served` is what the zone's authoritative servers (or the provider) hold now:
 * the sorted values, or undefined when that could not be found out (then the record is updated only when its
 * value differs from the one last applied).
 */
export function planRecord(input: {
  readonly record: DdnsRecord;
  readonly account: DdnsAccount | undefined;
  readonly state: DdnsRecordState | undefined;
  readonly desired: Desired;
  readonly served: readonly string[] | undefined;
  readonly now: Date;
  /** The account's update budget is spent until then (rate-limits.ts); absent when an update may go now. */
  readonly rateLimitedUntil?: Date;
}): RecordAction {
  const { record, account, state, desired, served, now, rateLimitedUntil } = input;
  if (!record.enabled) return { kind: 'hold', reason: 'turned off' };
  if (!account) return { kind: 'hold', reason: `its provider account ${record.accountId} no longer exists` };
  if (account.stopped)
    return { kind: 'hold', reason: `the provider account is stopped: ${account.stopped.message}` };
  if (state?.stopped) return { kind: 'hold', reason: `stopped: ${state.stopped.message}` };
  if (desired.kind === 'unknown') return { kind: 'hold', reason: `no value: ${desired.reason}` };
  const value = desired.value;
  const holds =
    served === undefined
      ? state?.applied === value
      : // Stryker disable next-line StringLiteral: unreachable default, the length is 1
        served.length === 1 && canonical(served[0] ?? '') === value;
  if (holds) return { kind: 'in-sync', value };
  const waits = [
    { at: account.notBefore, reason: 'the provider asked to wait' },
    { at: state?.pending?.value === value ? state.pending.nextAttemptAt : null, reason: 'retrying later' },
    { at: rateLimitedUntil?.toISOString() ?? null, reason: 'pacing updates to the provider’s rate limit' },
  ]
    // A wait without a time is none: the epoch is in the past, and the filter drops it.
    .map((w) => ({ until: new Date(w.at ?? 0), reason: w.reason }))
    .filter((w) => w.until > now)
    .sort((a, b) => b.until.getTime() - a.until.getTime());
  const wait = waits[0];
  if (wait) return { kind: 'wait', value, until: wait.until, reason: wait.reason };
  const previous = served === undefined ? (state?.applied ?? null) : served.join(',') || null;
  // Drift: the servers show something else although we set this very value and saw it served.
  // (Not served: a record whose applied value is the desired one was in sync above, so it is no drift.)
  const drift = state?.applied === value && state.verifiedAt !== null && state.pending === null;
  return { kind: 'update', value, previous, drift };
}

/** Backoff for failed updates: 5 s, doubling, at most 30 min; ±20 % jitter; never sooner than the provider asked. */
export const retryPolicy = { baseMs: 5_000, maxMs: 30 * 60_000, jitter: 0.2 } as const;

/** When to try again after the `attempts`-th failure in a row (1 = the first). `random` in [0, 1). */
export function nextAttemptAt(attempts: number, failure: ProviderFailure, now: Date, random: number): Date {
  const exponential = Math.min(retryPolicy.maxMs, retryPolicy.baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = exponential * (1 + (random * 2 - 1) * retryPolicy.jitter);
  const wait = Math.max(jittered, failure.retryAfterMs ?? 0);
  return new Date(now.getTime() + Math.round(wait));
}

/** Failures that need a person: the account (credentials, abuse) or the record's configuration. */
export function stopsAccount(failure: ProviderFailure): boolean {
  return failure.kind === 'auth' || failure.kind === 'account-stopped';
}

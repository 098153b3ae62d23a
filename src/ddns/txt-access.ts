/**
 * @module TXT access for ACME DNS-01: which DDNS provider account can write the TXT record of a name (the account of
 * the name's own record, else an account whose zone covers it), the DnsProvider built for it the way the engine
 * builds one (credentials from the secrets port), and a lookup of what the zone's authoritative servers serve.
 */
import type { Outcome } from '../core/outcome.js';
import { fail, ok } from '../core/outcome.js';
import type { Secrets } from '../core/secrets.js';
import type { Store } from '../store/store.js';
import { secretName, type ServedLookup, type ServerAnswer } from './engine.js';
import type { DnsProvider, ProviderDeps } from './provider.js';
import type { ProviderDescriptor } from './providers/descriptor.js';
import type { DdnsAccount, DdnsRecord } from './slice.js';

/** What each authoritative server of `zone` serves for the TXT name (values null: the server did not answer). */
export type TxtLookup = (name: string, zone: string) => Promise<Outcome<readonly ServerAnswer[], string>>;

/** Where a name's TXT records can be written, and how to see them served. */
export interface TxtAccess {
  /** The account, for messages. */
  readonly account: {
    readonly id: string;
    readonly name: string;
    readonly kind: string;
    readonly label: string;
  };
  /** The zone at the provider the name lies in (the `zone` of a RecordRef). */
  readonly zone: string;
  readonly provider: DnsProvider;
  readonly served: TxtLookup;
}

/**
 * Why no TXT record can be written for the name: `config` (no account covers it, its provider cannot write TXT,
 * the account is stopped, its credentials are missing) — nothing changes until a person acts.
 */
export interface TxtAccessFailure {
  readonly kind: 'config';
  readonly message: string;
}

/** Port: the TXT access for a name (`*.` is ignored: a wildcard's TXT record is the base name's). */
export type TxtAccessPort = (name: string) => Promise<Outcome<TxtAccess, TxtAccessFailure>>;

/** One account that may hold the name, and the zone it holds it in. */
export interface TxtCandidate {
  readonly account: DdnsAccount;
  readonly zone: string;
  /** Found by a record of this very name (rather than by a zone that covers it). */
  readonly exact: boolean;
}

/** Lowercase, no trailing dot, no leading `*.`. */
export function baseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
}

/** Whether `name` is `zone` or lies below it. */
export function zoneCovers(zone: string, name: string): boolean {
  const z = baseName(zone);
  return z !== '' && (name === z || name.endsWith(`.${z}`));
}

/**
 * The accounts that may hold `name`, best first: those with a record of the name itself (its zone), then those
 * whose zone covers the name (a record's zone, or the account's own `zone` setting, as RFC 2136 has), the longest
 * zone first. Pure.
 */
export function txtCandidates(
  ddns: { readonly accounts: readonly DdnsAccount[]; readonly records: readonly DdnsRecord[] },
  name: string,
): TxtCandidate[] {
  const base = baseName(name);
  const found: TxtCandidate[] = [];
  const add = (accountId: string, zone: string, exact: boolean): void => {
    const account = ddns.accounts.find((a) => a.id === accountId);
    const z = baseName(zone);
    if (!account || found.some((c) => c.account.id === accountId && c.zone === z)) return;
    found.push({ account, zone: z, exact });
  };
  // Enabled records first: a disabled one still says where the zone is, but a live one is what the user uses.
  const records = [...ddns.records].sort((a, b) => Number(b.enabled) - Number(a.enabled));
  for (const r of records) if (r.hostname === base) add(r.accountId, r.zone, true);
  const covering: { accountId: string; zone: string }[] = [];
  for (const r of records)
    if (zoneCovers(r.zone, base)) covering.push({ accountId: r.accountId, zone: r.zone });
  for (const a of ddns.accounts) {
    const zone = a.settings.zone;
    if (typeof zone === 'string' && zoneCovers(zone, base)) covering.push({ accountId: a.id, zone });
  }
  covering.sort((a, b) => baseName(b.zone).length - baseName(a.zone).length);
  for (const c of covering) add(c.accountId, c.zone, false);
  return found;
}

/** The labels of the providers that can write TXT records, for "add one of these" advice. */
export function txtCapableLabels(providers: ReadonlyMap<string, ProviderDescriptor>): string[] {
  return [...providers.values()].filter((p) => p.can.txt).map((p) => p.label);
}

/**
 * The account to write `name`'s TXT record with, or why there is none (naming the provider and what to do). Pure:
 * the first candidate whose provider can write TXT and whose account is not stopped.
 */
export function chooseTxtAccount(
  candidates: readonly TxtCandidate[],
  name: string,
  providers: ReadonlyMap<string, ProviderDescriptor>,
): Outcome<TxtCandidate & { readonly descriptor: ProviderDescriptor }, TxtAccessFailure> {
  const base = baseName(name);
  const capable = txtCapableLabels(providers);
  const advice = `add a DDNS account that can write TXT records (${capable.join(', ')}) for the zone of ${base}, or use HTTP-01`;
  let stopped: { c: TxtCandidate; label: string; reason: string } | undefined;
  let cannot: { c: TxtCandidate; label: string } | undefined;
  for (const c of candidates) {
    const descriptor = providers.get(c.account.kind);
    if (!descriptor) {
      cannot ??= { c, label: `unknown provider "${c.account.kind}"` };
      continue;
    }
    if (!descriptor.can.txt) {
      cannot ??= { c, label: descriptor.label };
      continue;
    }
    if (c.account.stopped !== null) {
      stopped ??= { c, label: descriptor.label, reason: c.account.stopped.message };
      continue;
    }
    return ok({ ...c, descriptor });
  }
  if (stopped)
    return fail({
      kind: 'config',
      message: `the DDNS account "${stopped.c.account.name}" (${stopped.label}) that holds ${stopped.c.zone} is stopped (${stopped.reason}): fix its credentials in DDNS so it can write the DNS-01 TXT record for ${base}`,
    });
  if (cannot)
    return fail({
      kind: 'config',
      message: `${base} is at the DDNS account "${cannot.c.account.name}" (${cannot.label}), which cannot write TXT records, so DNS-01 cannot prove it: ${advice}`,
    });
  return fail({
    kind: 'config',
    message: `no DDNS account holds ${base}, so DNS-01 cannot prove it: ${advice}`,
  });
}

export interface TxtAccessDeps {
  readonly store: Pick<Store, 'read'>;
  readonly secrets: Secrets;
  readonly providers: ReadonlyMap<string, ProviderDescriptor>;
  readonly providerDeps: ProviderDeps;
  /** The DDNS engine's authoritative lookup (created by served.ts, which asks for any record type). */
  readonly served: ServedLookup;
}

/** The TXT lookup over the engine's authoritative lookup. */
export function txtLookupOf(served: ServedLookup): TxtLookup {
  return (name, zone) => served({ zone, name, type: 'TXT' });
}

/** The TXT access port over the DDNS store, its providers and the secrets port. */
export function createTxtAccess(deps: TxtAccessDeps): TxtAccessPort {
  const served = txtLookupOf(deps.served);
  return async (name) => {
    const chosen = chooseTxtAccount(txtCandidates(deps.store.read().ddns, name), name, deps.providers);
    if (!chosen.ok) return chosen;
    const { account, zone, descriptor } = chosen.value;
    const where = `the DDNS account "${account.name}" (${descriptor.label})`;
    const settings = descriptor.settings.safeParse(account.settings);
    if (!settings.success)
      return fail({
        kind: 'config',
        message: `${where}: its settings are not valid: ${settings.error.message}`,
      });
    const values: Record<string, string> = {};
    for (const field of descriptor.fields.filter((f) => f.secret)) {
      const got = await deps.secrets.get(secretName(account.id, field.name));
      if (!got.ok) return fail({ kind: 'config', message: `${where}: ${got.error.message}` });
      if (got.value !== undefined) values[field.name] = got.value;
    }
    const secrets = descriptor.secrets.safeParse(values);
    if (!secrets.success)
      return fail({ kind: 'config', message: `${where}: its credentials are missing or incomplete` });
    return ok({
      account: { id: account.id, name: account.name, kind: account.kind, label: descriptor.label },
      zone,
      provider: descriptor.create(settings.data, secrets.data, deps.providerDeps),
      served,
    });
  };
}

/**
 * @module The DDNS page's words and bodies, pure: what a record's value source and last result say, how long the
 * authoritative servers took, what "Update now" did, and the bodies the record and account forms send (only the
 * fields filled in; a write-only credential only when typed), or the field to fix first.
 */
import type {
  AccountItem,
  HistoryEntry,
  ProviderField,
  ProviderItem,
  RecordItem,
  RecordType,
  Run,
} from './api.js';

/** A body to send, or what the person must fix first, named as the API names the field (`value.address`). */
export type Checked<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly field: string; readonly message: string };

export type Tone = 'ok' | 'warning' | 'error' | 'unknown';

/** 1234 ms → "1.2 s", 61_000 → "61 s", 400 → "0.4 s". */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** "served by the authoritative servers 1.2 s after the change", or undefined when never measured. */
export function propagationWords(ms: number | null | undefined): string | undefined {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return undefined;
  return `served by the authoritative servers ${formatSeconds(ms)} after the change`;
}

/** Where a record's value comes from, in words. */
export function valueSourceWords(value: RecordItem['value']): string {
  const text = (v: unknown) => (typeof v === 'string' ? v : '?');
  if (value.kind === 'public') return 'This box’s public address';
  if (value.kind === 'fixed') return `Fixed: ${text(value.address)}`;
  if (value.kind === 'ipv6-host') return `Device ${text(value.suffix)} behind the IPv6 prefix`;
  return typeof value.kind === 'string' ? value.kind : 'unknown';
}

export interface ResultSummary {
  readonly tone: Tone;
  /** One or two words for the badge: "ok", "pending", "stopped", "drift", "off", "failed", "not yet". */
  readonly label: string;
  /** The sentence beside it, or undefined. */
  readonly detail?: string;
}

/**
 * A record's last result. What needs the person comes first: stopped (a change of the record or its account
 * resumes it), then a hand-made change someone made at the provider (drift), then a retry under way, then the
 * last attempt. A record turned off says so before anything else.
 */
export function lastResultOf(
  record: Pick<RecordItem, 'enabled' | 'state'>,
  formatDate: (iso: string) => string = (iso) => iso,
): ResultSummary {
  if (!record.enabled) return { tone: 'unknown', label: 'off', detail: 'Turned off: not updated.' };
  const s = record.state;
  if (s === null) return { tone: 'unknown', label: 'not yet', detail: 'Not tried yet.' };
  if (s.stopped)
    return {
      tone: 'error',
      label: 'stopped',
      detail: `Stopped: ${s.stopped.message}. Change the record or its account to try again.`,
    };
  if (s.drift)
    return {
      tone: 'warning',
      label: 'drift',
      detail: `Changed by hand at the provider: the servers answered ${s.drift.served}.`,
    };
  if (s.pending) {
    const n = s.pending.attempts;
    return {
      tone: 'warning',
      label: 'pending',
      detail: `Setting ${s.pending.value}: ${n} ${n === 1 ? 'attempt' : 'attempts'} so far${
        s.lastAttempt && !s.lastAttempt.ok ? ` (last: ${s.lastAttempt.message})` : ''
      }; next try at ${formatDate(s.pending.nextAttemptAt)}.`,
    };
  }
  if (s.lastAttempt === null) return { tone: 'unknown', label: 'not yet', detail: 'Not tried yet.' };
  if (!s.lastAttempt.ok) return { tone: 'error', label: 'failed', detail: s.lastAttempt.message };
  return {
    tone: 'ok',
    label: 'ok',
    detail: s.lastAttempt.message === '' ? undefined : s.lastAttempt.message,
  };
}

/** What "Update now" did with one record, in a sentence. */
export function runWords(
  run: Pick<Run, 'hostname' | 'type' | 'action' | 'result' | 'message' | 'propagationMs'>,
  formatDate: (iso: string) => string = (iso) => iso,
): { readonly tone: Tone; readonly text: string } {
  const name = `${run.hostname} ${run.type}`;
  const a = run.action;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const served = propagationWords(run.propagationMs);
  if (run.result === 'failed')
    return { tone: 'error', text: `${name}: failed${run.message === null ? '' : `: ${run.message}`}.` };
  const kind = str(a.kind);
  if (kind === 'in-sync') return { tone: 'ok', text: `${name}: already ${str(a.value)}, nothing to do.` };
  if (kind === 'update')
    return {
      tone: 'ok',
      text: `${name}: set to ${str(a.value)}${typeof a.previous === 'string' ? ` (was ${a.previous})` : ''}${
        served === undefined ? '' : `, ${served}`
      }.`,
    };
  if (kind === 'wait')
    return {
      tone: 'warning',
      text: `${name}: waiting until ${formatDate(str(a.until))} before setting ${str(a.value)}: ${str(a.reason)}.`,
    };
  if (kind === 'hold') return { tone: 'unknown', text: `${name}: left alone: ${str(a.reason)}.` };
  return { tone: 'unknown', text: `${name}: ${run.message ?? kind}.` };
}

/** A history line's change: "203.0.113.5 → 203.0.113.7", or only the new value for a first setting. */
export function changeWords(entry: Pick<HistoryEntry, 'value' | 'previous'>): string {
  return entry.previous === null ? entry.value : `${entry.previous} → ${entry.value}`;
}

/** The newest first, whatever order the server sent. */
export function newestFirst<T extends { readonly at: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

// ----- Records

export type ValueKind = 'public' | 'fixed' | 'ipv6-host';

export interface RecordDraft {
  readonly hostname: string;
  readonly type: RecordType;
  readonly accountId: string;
  readonly valueKind: ValueKind;
  readonly address: string;
  readonly suffix: string;
  readonly ttl: string;
}

export const emptyRecordDraft = (accountId: string): RecordDraft => ({
  hostname: '',
  type: 'A',
  accountId,
  valueKind: 'public',
  address: '',
  suffix: '',
  ttl: '60',
});

export type NewRecordBody = {
  readonly hostname: string;
  readonly type: RecordType;
  readonly accountId: string;
  readonly value:
    | { readonly kind: 'public' }
    | { readonly kind: 'fixed'; readonly address: string }
    | { readonly kind: 'ipv6-host'; readonly suffix: string };
  readonly ttl: number;
};

/** The body that adds a record; whether an address suits the type stays the server's to say. */
export function newRecordOf(d: RecordDraft): Checked<NewRecordBody> {
  const hostname = d.hostname.trim();
  if (hostname === '')
    return { ok: false, field: 'hostname', message: 'Enter the hostname, e.g. home.example.com.' };
  if (d.accountId === '') return { ok: false, field: 'accountId', message: 'Add a provider account first.' };
  if (d.valueKind === 'ipv6-host' && d.type !== 'AAAA')
    return {
      ok: false,
      field: 'value.kind',
      message: 'A device behind the IPv6 prefix needs an AAAA record.',
    };
  const ttl = Number(d.ttl.trim());
  if (d.ttl.trim() === '' || !Number.isInteger(ttl) || ttl < 1 || ttl > 86_400)
    return { ok: false, field: 'ttl', message: 'TTL: whole seconds from 1 to 86400.' };
  let value: NewRecordBody['value'];
  switch (d.valueKind) {
    case 'public':
      value = { kind: 'public' };
      break;
    case 'fixed':
      if (d.address.trim() === '')
        return { ok: false, field: 'value.address', message: 'Enter the address the name should point to.' };
      value = { kind: 'fixed', address: d.address.trim() };
      break;
    case 'ipv6-host':
      if (d.suffix.trim() === '')
        return {
          ok: false,
          field: 'value.suffix',
          message: 'Enter the device’s interface identifier, e.g. ::211:32ff:fe12:3456.',
        };
      value = { kind: 'ipv6-host', suffix: d.suffix.trim() };
      break;
  }
  return { ok: true, body: { hostname, type: d.type, accountId: d.accountId, value, ttl } };
}

// ----- Provider accounts

/** Where a provider field goes in a request, which is also how the server names it in a problem. */
export function fieldPath(field: Pick<ProviderField, 'name' | 'secret'>): string {
  return `${field.secret ? 'secrets' : 'settings'}.${field.name}`;
}

export interface AccountDraft {
  readonly kind: string;
  readonly name: string;
  /** Each provider field as typed, by its name. Secrets start empty, always. */
  readonly values: Readonly<Record<string, string>>;
}

/** A new account's draft (secret fields empty), or an existing one's: its name and settings, secrets empty. */
export function accountDraftOf(provider: ProviderItem, account?: AccountItem): AccountDraft {
  const values: Record<string, string> = {};
  for (const f of provider.fields) {
    const stored = f.secret ? undefined : account?.settings[f.name];
    values[f.name] = typeof stored === 'string' || typeof stored === 'number' ? String(stored) : '';
  }
  return { kind: provider.kind, name: account?.name ?? '', values };
}

export type AccountBody = {
  readonly kind: string;
  readonly name: string;
  readonly settings: Record<string, string>;
  readonly secrets: Record<string, string>;
};

/**
 * Settings trimmed and left out when empty (the provider's default applies); a secret exactly as typed (a
 * password may hold spaces), left out when empty.
 */
function splitValues(provider: ProviderItem, values: Readonly<Record<string, string>>) {
  const settings: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const f of provider.fields) {
    const raw = values[f.name] ?? '';
    if (f.secret) {
      if (raw.trim() !== '') secrets[f.name] = raw;
    } else if (raw.trim() !== '') settings[f.name] = raw.trim();
  }
  return { settings, secrets };
}

/** The body that adds an account (also what "Test credentials" sends before saving). */
export function newAccountOf(provider: ProviderItem, d: AccountDraft): Checked<AccountBody> {
  const name = d.name.trim();
  if (name === '') return { ok: false, field: 'name', message: 'Enter a name for the account.' };
  const { settings, secrets } = splitValues(provider, d.values);
  for (const f of provider.fields) {
    const given = f.secret ? secrets[f.name] : settings[f.name];
    if (given === undefined && f.optional !== true)
      return { ok: false, field: fieldPath(f), message: `Enter the ${f.label.toLowerCase()}.` };
  }
  return { ok: true, body: { kind: provider.kind, name, settings, secrets } };
}

export type AccountPatchBody = {
  readonly name?: string;
  readonly settings?: Record<string, string>;
  readonly secrets?: Record<string, string>;
};

/**
 * The change to an account: the name when changed, the settings when any changed (they are replaced as a
 * whole), and only the credentials typed (empty keeps the stored one). Nothing changed: a problem, not a
 * request that would only resume a stopped account without new credentials.
 */
export function accountPatchOf(
  provider: ProviderItem,
  account: AccountItem,
  d: AccountDraft,
): Checked<AccountPatchBody> {
  const name = d.name.trim();
  if (name === '') return { ok: false, field: 'name', message: 'Enter a name for the account.' };
  const { settings, secrets } = splitValues(provider, d.values);
  for (const f of provider.fields) {
    if (!f.secret && f.optional !== true && settings[f.name] === undefined)
      return { ok: false, field: fieldPath(f), message: `Enter the ${f.label.toLowerCase()}.` };
  }
  const before = accountDraftOf(provider, account).values;
  const settingsChanged = provider.fields.some(
    (f) => !f.secret && (before[f.name] ?? '').trim() !== (d.values[f.name] ?? '').trim(),
  );
  const body: AccountPatchBody = {
    ...(name === account.name ? {} : { name }),
    ...(settingsChanged ? { settings } : {}),
    ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
  };
  if (Object.keys(body).length === 0)
    return {
      ok: false,
      field: 'form',
      message: account.stopped
        ? 'Nothing changed: enter the new credentials (the account stays stopped until they change).'
        : 'Nothing changed.',
    };
  return { ok: true, body };
}

/** A credential as the list shows it: never its value, only whether it is set and since when. */
export function credentialWords(
  c: AccountItem['credentials'][number],
  formatDate: (iso: string) => string,
): string {
  if (!c.set) return 'not set';
  return c.updatedAt === null ? 'set' : `set (${formatDate(c.updatedAt)})`;
}

/** The label of a credential field by its name, from the provider's form. */
export function fieldLabel(provider: ProviderItem | undefined, name: string): string {
  return provider?.fields.find((f) => f.name === name)?.label ?? name;
}

/** Why an account cannot be removed (409 `ddns.account-in-use`), in words; other failures keep theirs. */
export function removeAccountProblem(code: string, message: string): string {
  if (code !== 'ddns.account-in-use') return message;
  const names = message.replace(/^.*?:\s*/, '').replace(/\.$/, '');
  return `Records still use this account (${names}): remove them or move them to another account first.`;
}

/** Hint of a provider field: its own help, and "Optional." for an optional one; for a secret when editing, how to keep it. */
export function fieldHint(field: ProviderField, editing: boolean): string | undefined {
  const parts = [
    field.help,
    field.secret && editing ? 'Leave empty to keep the stored one.' : undefined,
    field.optional === true && !(field.secret && editing) ? 'Optional.' : undefined,
  ].filter((p): p is string => p !== undefined && p !== '');
  return parts.length === 0 ? undefined : parts.join(' ');
}

/**
 * A server problem beside its field, without the field's API path in front ("Settings.serverUrl: Invalid URL." →
 * "Invalid URL."): the field's label already says which.
 */
export function plainProblem(path: string, message: string): string {
  const prefix = `${path}: `;
  if (message.toLowerCase().startsWith(prefix.toLowerCase())) {
    const rest = message.slice(prefix.length).trim();
    return rest === '' ? message : rest.charAt(0).toUpperCase() + rest.slice(1);
  }
  return message;
}

// ---- the clients of the inbound dyndns2 endpoint ----

export interface ClientDraft {
  readonly name: string;
  /** Hostnames as typed: separated by commas, spaces or new lines. */
  readonly hostnames: string;
  readonly trusted: boolean;
}

export const emptyClientDraft: ClientDraft = { name: '', hostnames: '', trusted: false };

/** The hostnames typed into one field, in order, each once. */
export function hostnameList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((h) => h !== ''))];
}

export interface NewClientBody {
  readonly name: string;
  readonly hostnames: string[];
  readonly trusted: boolean;
}

/** The most a dyndns2 request may name (src/ddns/inbound/plan.ts); the server checks each hostname itself. */
const maxClientHostnames = 20;

/** The add's body, or the field to fix first; the server checks the same and more (each hostname a FQDN). */
export function newClientOf(d: ClientDraft): Checked<NewClientBody> {
  const name = d.name.trim();
  if (name === '') return { ok: false, field: 'name', message: 'Give it a name, e.g. fritzbox.' };
  // A letter or digit first: "." and ".." would be folded out of the remove's URL, so never removable.
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
    return {
      ok: false,
      field: 'name',
      message:
        'Use only a–z, 0–9, “.”, “_” and “-”, beginning with a letter or digit: it is the user name the router sends.',
    };
  const hostnames = hostnameList(d.hostnames);
  if (hostnames.length === 0)
    return { ok: false, field: 'hostnames', message: 'Name at least one hostname it may push for.' };
  if (hostnames.length > maxClientHostnames)
    return { ok: false, field: 'hostnames', message: `At most ${maxClientHostnames} hostnames.` };
  return { ok: true, body: { name, hostnames, trusted: d.trusted } };
}

/**
 * The server's reason for refusing a client ("Hostnames.1: "x" is not a fully qualified domain name"): the form
 * field it is about and the reason without the path, so it shows beside that field.
 */
export function clientProblem(message: string): {
  readonly field?: 'name' | 'hostnames';
  readonly message: string;
} {
  // The page's API client starts every message with a capital: "Hostnames.1: …".
  const m = /^(name|hostnames)(?:\.\d+)?: (.+)$/is.exec(message);
  if (!m?.[1] || m[2] === undefined) return { message };
  return { field: m[1].toLowerCase() === 'name' ? 'name' : 'hostnames', message: m[2] };
}

/** The URL a router calls, on the address this page was opened by; `<ipaddr>` is the router's placeholder. */
export function updateUrlOf(origin: string, hostnames: readonly string[]): string {
  return `${origin.replace(/\/+$/, '')}/nic/update?hostname=${hostnames.join(',')}&myip=<ipaddr>`;
}

/** What the trusted flag means, in one line. */
export function trustWords(trusted: boolean): string {
  return trusted
    ? 'Trusted: an address it pushes is accepted on its own.'
    : 'One vote: an address it pushes counts with the other sources.';
}

export function lastUsedWords(lastUsedAt: string | null, formatDate: (iso: string) => string): string {
  return lastUsedAt === null ? 'never' : formatDate(lastUsedAt);
}

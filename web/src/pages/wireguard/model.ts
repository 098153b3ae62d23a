/**
 * @module The WireGuard pages' words and bodies, pure: bytes and handshake ages for people, a peer's state and
 * badges, the add/edit peer form and the service form turned into request bodies (or the field to fix first), the
 * grants matrix (rows, checked cells, what changed, the PUT body) and the interface banner's sentences.
 */
import type {
  Grant,
  GrantSubject,
  KeyMode,
  NewPeerBody,
  PeerPatchBody,
  PeerView,
  Plan,
  Protocol,
  ServiceBody,
  ServiceView,
  TunnelMode,
  WireguardOverview,
} from './api.js';

/** A body to send, or what the person must fix first, named as the API names the field. */
export type Checked<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly field: string; readonly message: string };

export type Tone = 'ok' | 'warning' | 'error' | 'unknown';

const units = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 0 → "0 B", 1536 → "1.5 KiB", 5_000_000 → "4.8 MiB", 12 GiB → "12 GiB" (three significant figures at most). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text.replace(/\.0$/, '')} ${units[unit] ?? 'TiB'}`;
}

/** How long ago `iso` was, to the second under a minute: "12 s ago", "2 min ago", "3 h ago", "4 d ago". */
export function agoWords(iso: string, now: Date): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = Math.floor((now.getTime() - t) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** How long until `iso`: "in 5 min", "in 3 h", "in 2 d", or "now" once it has passed. */
export function untilWords(iso: string, now: Date): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = Math.floor((t - now.getTime()) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 3600) return `in ${Math.max(1, Math.floor(seconds / 60))} min`;
  if (seconds < 86_400) return `in ${Math.floor(seconds / 3600)} h`;
  return `in ${Math.floor(seconds / 86_400)} d`;
}

export interface Badge {
  readonly tone: Tone;
  readonly label: string;
}

/** The peer's badges: disabled, expired or expiring soon (within a day), config outdated. */
export function peerBadges(
  peer: Pick<PeerView, 'enabled' | 'disabledReason' | 'expiresAt' | 'configOutdated'>,
  now: Date,
): Badge[] {
  const badges: Badge[] = [];
  if (!peer.enabled) {
    badges.push(
      peer.disabledReason === 'expired'
        ? { tone: 'error', label: 'expired' }
        : { tone: 'unknown', label: 'disabled' },
    );
  } else if (peer.expiresAt !== null) {
    const left = new Date(peer.expiresAt).getTime() - now.getTime();
    if (left <= 0) badges.push({ tone: 'error', label: 'expired' });
    else if (left <= 86_400_000)
      badges.push({ tone: 'warning', label: `expires ${untilWords(peer.expiresAt, now)}` });
  }
  if (peer.configOutdated) badges.push({ tone: 'warning', label: 'config outdated' });
  return badges;
}

export interface Connection {
  readonly online: boolean;
  /** "online", "offline", "never connected", "off". */
  readonly label: string;
  /** "last handshake 2 min ago", "no handshake yet", or "the interface is not running". */
  readonly detail: string;
}

/** "Can this phone reach home right now": online from the latest handshake, in words. */
export function connectionOf(peer: Pick<PeerView, 'enabled' | 'status'>, now: Date): Connection {
  const s = peer.status;
  if (s === null)
    return { online: false, label: 'unknown', detail: 'no status: the interface is not running' };
  const handshake =
    s.latestHandshakeAt === null
      ? 'no handshake yet'
      : `last handshake ${agoWords(s.latestHandshakeAt, now)}`;
  if (s.online) return { online: true, label: 'online', detail: handshake };
  if (!peer.enabled) return { online: false, label: 'off', detail: handshake };
  if (s.latestHandshakeAt === null) return { online: false, label: 'never connected', detail: handshake };
  return { online: false, label: 'offline', detail: handshake };
}

/** "↓ 1.5 KiB ↑ 20 MiB" from the peer's side: what it downloaded (the box sent) and uploaded (the box received). */
export function transferWords(status: PeerView['status']): string {
  if (status === null) return '—';
  return `↓ ${formatBytes(status.txBytes)} ↑ ${formatBytes(status.rxBytes)}`;
}

/** The reasons a config is outdated, in one sentence: "A new grant: nas; the endpoint changed." */
export function reasonsWords(reasons: readonly string[]): string {
  const why = reasons.map((r) => r.trim().replace(/[.]$/, '')).filter((r) => r !== '');
  if (why.length === 0) return 'Scan the new QR code on the device.';
  const text = why.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** "Config outdated: a new grant; the endpoint changed. Scan the new QR code or import the new file on the device." */
export function outdatedWords(reasons: readonly string[]): string {
  const why = reasons.map((r) => r.trim().replace(/[.]$/, '')).filter((r) => r !== '');
  return `Config outdated${why.length === 0 ? '' : `: ${why.join('; ')}`}. Scan the new QR code or import the new file on the device.`;
}

export const tunnelWords: Record<TunnelMode, string> = {
  services: 'Only the granted services (split tunnel)',
  lan: 'The whole home network (LAN ranges)',
  full: 'All traffic (full tunnel)',
};

/** The tunnel mode in a table cell. */
export const tunnelShortWords: Record<TunnelMode, string> = {
  services: 'split tunnel',
  lan: 'whole LAN',
  full: 'full tunnel',
};

export const keyModeWords: Record<KeyMode, string> = {
  kept: 'This box keeps the key (the config can be shown again)',
  'forget-after-download': 'Forget the key after the first download',
  own: 'I bring my own public key',
};

/**
 * Whether a peer matches what was typed in the peers' search box: every word must be found in its name, a group
 * ("@family" or "family"), its tunnel address or its endpoint. Case does not matter; an empty query matches all.
 */
export function matchesPeer(
  peer: Pick<PeerView, 'name' | 'groups' | 'ipv4' | 'ipv6' | 'status'>,
  query: string,
): boolean {
  const words = query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '');
  const haystack = [
    peer.name,
    ...peer.groups.map((g) => `@${g}`),
    peer.ipv4,
    peer.ipv6 ?? '',
    peer.status?.endpoint ?? '',
  ]
    .join(' ')
    .toLowerCase();
  return words.every((w) => haystack.includes(w));
}

// ---------- The peer form ----------

/** The problem the server named for field `name`, also when it named an item of it (`groups.1`, `dns.0`). */
export function problemOf(fields: Readonly<Record<string, string>>, name: string): string | undefined {
  if (fields[name] !== undefined) return fields[name];
  const item = Object.keys(fields).find((k) => k.startsWith(`${name}.`));
  return item === undefined ? undefined : fields[item];
}

export interface PeerDraft {
  readonly name: string;
  /** Comma-separated. */
  readonly groups: string;
  /** Service ids ticked. */
  readonly services: readonly string[];
  readonly tunnel: TunnelMode;
  /** `YYYY-MM-DD` from <input type=date>, or ''. */
  readonly expiresDate: string;
  /** `HH:MM` from <input type=time>, or '' (then the end of that day). */
  readonly expiresTime: string;
  /** Comma- or space-separated addresses, or '' for the interface default. */
  readonly dns: string;
  /** Seconds, or '' for the interface default. */
  readonly keepalive: string;
  readonly keyMode: KeyMode;
  readonly publicKey: string;
}

export const emptyPeerDraft: PeerDraft = {
  name: '',
  groups: '',
  services: [],
  tunnel: 'services',
  expiresDate: '',
  expiresTime: '',
  dns: '',
  keepalive: '',
  keyMode: 'kept',
  publicKey: '',
};

/** The local date and time, two digits each: what the date and time inputs show for `iso`. */
export function localParts(iso: string): { date: string; time: string } {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return { date: '', time: '' };
  const two = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`,
    time: `${two(d.getHours())}:${two(d.getMinutes())}`,
  };
}

/** The draft of an existing peer, for the edit form (its services are set in the grants matrix). */
export function peerDraftOf(peer: PeerView): PeerDraft {
  const expires = peer.expiresAt === null ? { date: '', time: '' } : localParts(peer.expiresAt);
  return {
    name: peer.name,
    groups: peer.groups.join(', '),
    services: peer.services,
    tunnel: peer.tunnel,
    expiresDate: expires.date,
    expiresTime: expires.time,
    dns: peer.dns === null ? '' : peer.dns.join(', '),
    keepalive: peer.persistentKeepalive === null ? '' : String(peer.persistentKeepalive),
    keyMode: peer.keyMode,
    publicKey: '',
  };
}

/** "a, b ,,c" → ["a", "b", "c"]; also splits on spaces when `spaces`. Duplicates go. */
export function listOf(text: string, spaces = false): string[] {
  const parts = text.split(spaces ? /[\s,]+/ : /,/).map((p) => p.trim());
  return [...new Set(parts.filter((p) => p !== ''))];
}

/** Control and format characters, line and paragraph separators: what the server refuses in a peer name. */
const controlChars = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
/** Group and service names: a lowercase word (the server lowercases what it is sent). */
const word = /^[a-z0-9][a-z0-9._-]*$/;
const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv6 = /^[0-9a-f:.]+$/i;

/** An IPv4 or IPv6 literal (the server checks it fully; this catches typos and names). */
export function looksLikeIp(text: string): boolean {
  if (ipv4.test(text)) return true;
  return text.includes(':') && ipv6.test(text) && (text.match(/::/g) ?? []).length <= 1;
}

/** A WireGuard public key: 32 bytes in standard base64, 44 characters ending in `=`. */
export function looksLikeKey(text: string): boolean {
  return /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(text);
}

/** The draft's expiry as an ISO time: null without a date; the end of the day without a time. */
export function expiryOf(draft: Pick<PeerDraft, 'expiresDate' | 'expiresTime'>): Checked<string | null> {
  if (draft.expiresDate === '') {
    return draft.expiresTime === ''
      ? { ok: true, body: null }
      : { ok: false, field: 'expiresAt', message: 'Choose the day too, or clear the time.' };
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(draft.expiresDate);
  const time = /^(\d{2}):(\d{2})$/.exec(draft.expiresTime === '' ? '23:59' : draft.expiresTime);
  if (date === null || time === null)
    return { ok: false, field: 'expiresAt', message: 'Enter a date and a time.' };
  const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const [h, min] = [Number(time[1]), Number(time[2])];
  const at = new Date(y, m - 1, d, h, min);
  if (at.getFullYear() !== y || at.getMonth() !== m - 1 || at.getDate() !== d || h > 23 || min > 59) {
    return { ok: false, field: 'expiresAt', message: 'Enter a date and a time.' };
  }
  return { ok: true, body: at.toISOString() };
}

interface CommonFields {
  readonly name: string;
  readonly groups: string[];
  readonly expiresAt: string | null;
  readonly dns: string[];
  readonly keepalive: number | null;
}

/** `keptExpiry`: the expiry is the peer's own, unchanged (an edit need not move an expiry that has passed). */
function commonOf(draft: PeerDraft, now: Date, keptExpiry = false): Checked<CommonFields> {
  const name = draft.name.trim();
  if (name === '') return { ok: false, field: 'name', message: 'Give the peer a name, e.g. “Anna’s phone”.' };
  if (name.length > 64) return { ok: false, field: 'name', message: 'At most 64 characters.' };
  if (controlChars.test(name))
    return { ok: false, field: 'name', message: 'One line of text, without control characters.' };
  const groups = [...new Set(listOf(draft.groups).map((g) => g.replace(/^@/, '').toLowerCase()))];
  const badGroup = groups.find((g) => g.length > 32 || !word.test(g));
  if (badGroup !== undefined) {
    return {
      ok: false,
      field: 'groups',
      message: `“${badGroup}” is not a group name: up to 32 letters, digits, “.”, “_” or “-”, separated by commas.`,
    };
  }
  const expiry = expiryOf(draft);
  if (!expiry.ok) return expiry;
  if (!keptExpiry && expiry.body !== null && new Date(expiry.body).getTime() <= now.getTime()) {
    return { ok: false, field: 'expiresAt', message: 'The expiry is in the past: choose a later time.' };
  }
  const dns = listOf(draft.dns, true);
  const badDns = dns.find((a) => !looksLikeIp(a));
  if (badDns !== undefined) {
    return {
      ok: false,
      field: 'dns',
      message: `“${badDns}” is not an IP address (e.g. 10.8.0.1 or 1.1.1.1).`,
    };
  }
  const k = draft.keepalive.trim();
  if (k !== '' && !/^\d{1,5}$/.test(k))
    return { ok: false, field: 'persistentKeepalive', message: 'Seconds, 0 to 65535 (0 = off).' };
  const keepalive = k === '' ? null : Number(k);
  if (keepalive !== null && keepalive > 65_535) {
    return { ok: false, field: 'persistentKeepalive', message: 'Seconds, 0 to 65535 (0 = off).' };
  }
  return { ok: true, body: { name, groups, expiresAt: expiry.body, dns, keepalive } };
}

/** The POST body of a new peer: only the fields filled in (the server's defaults for the rest). */
export function newPeerOf(draft: PeerDraft, now: Date): Checked<NewPeerBody> {
  const c = commonOf(draft, now);
  if (!c.ok) return c;
  const publicKey = draft.publicKey.trim();
  if (draft.keyMode === 'own' && !looksLikeKey(publicKey)) {
    return {
      ok: false,
      field: 'publicKey',
      message: 'Paste the device’s public key: 44 characters of base64 ending in “=” (wg pubkey).',
    };
  }
  const { name, groups, expiresAt, dns, keepalive } = c.body;
  return {
    ok: true,
    body: {
      name,
      ...(groups.length === 0 ? {} : { groups }),
      ...(draft.services.length === 0 ? {} : { services: [...draft.services] }),
      tunnel: draft.tunnel,
      ...(expiresAt === null ? {} : { expiresAt }),
      ...(dns.length === 0 ? {} : { dns }),
      ...(keepalive === null ? {} : { persistentKeepalive: keepalive }),
      keyMode: draft.keyMode,
      ...(draft.keyMode === 'own' ? { publicKey } : {}),
    },
  };
}

/** The PATCH body of an edit: only what changed; a cleared expiry, DNS or keepalive is sent as null. */
export function peerPatchOf(draft: PeerDraft, peer: PeerView, now: Date): Checked<PeerPatchBody> {
  const keptExpiry = sameExpiry(draft, peer);
  const c = commonOf(draft, now, keptExpiry);
  if (!c.ok) return c;
  const { name, groups, expiresAt, dns, keepalive } = c.body;
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const body: { -readonly [K in keyof PeerPatchBody]: PeerPatchBody[K] } = {};
  if (name !== peer.name) body.name = name;
  if (!same(groups, peer.groups)) body.groups = groups;
  if (draft.tunnel !== peer.tunnel) body.tunnel = draft.tunnel;
  if (!keptExpiry) body.expiresAt = expiresAt;
  const newDns = dns.length === 0 ? null : dns;
  if (newDns === null ? peer.dns !== null : peer.dns === null || !same(newDns, peer.dns)) body.dns = newDns;
  if (keepalive !== peer.persistentKeepalive) body.persistentKeepalive = keepalive;
  return { ok: true, body };
}

function sameExpiry(draft: PeerDraft, peer: PeerView): boolean {
  const before = peer.expiresAt === null ? { date: '', time: '' } : localParts(peer.expiresAt);
  return draft.expiresDate === before.date && draft.expiresTime === before.time;
}

// ---------- Services ----------

export interface ServiceDraft {
  readonly name: string;
  readonly host: string;
  readonly protocol: Protocol;
  /** "443" or "8000-8100". */
  readonly ports: string;
  readonly webUrl: string;
}

export const emptyServiceDraft: ServiceDraft = { name: '', host: '', protocol: 'tcp', ports: '', webUrl: '' };

/** "443", or "8000–8100" for a range. */
export function portsWords(service: Pick<ServiceView, 'portFrom' | 'portTo'>): string {
  return service.portFrom === service.portTo
    ? String(service.portFrom)
    : `${service.portFrom}–${service.portTo}`;
}

export function serviceDraftOf(service: ServiceView): ServiceDraft {
  return {
    name: service.name,
    host: service.host,
    protocol: service.protocol,
    ports:
      service.portFrom === service.portTo
        ? String(service.portFrom)
        : `${service.portFrom}-${service.portTo}`,
    webUrl: service.webUrl ?? '',
  };
}

/** "443" → [443, 443]; "8000-8100" (or with an en dash) → [8000, 8100]; anything else → undefined. */
export function parsePorts(text: string): [number, number] | undefined {
  const m = /^(\d{1,5})(?:\s*[-–]\s*(\d{1,5}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65_535 || from > to) return undefined;
  return [from, to];
}

/** The service form as a POST/PATCH body, or the field to fix first (named as the API names it). */
export function serviceBodyOf(draft: ServiceDraft): Checked<ServiceBody> {
  const name = draft.name.trim().toLowerCase();
  if (name === '') return { ok: false, field: 'name', message: 'Give the service a name, e.g. “nas”.' };
  if (name.length > 32 || !word.test(name)) {
    return {
      ok: false,
      field: 'name',
      message: 'One word of up to 32 letters, digits, “.”, “_” or “-”, e.g. nas or home-assistant.',
    };
  }
  const host = draft.host.trim();
  if (!looksLikeIp(host)) {
    return {
      ok: false,
      field: 'host',
      message: 'The device’s address on the home network, e.g. 192.168.1.20.',
    };
  }
  const ports = parsePorts(draft.ports);
  if (ports === undefined) {
    return { ok: false, field: 'port', message: 'A port (1–65535) or a range such as 8000-8100.' };
  }
  const webUrl = draft.webUrl.trim();
  if (webUrl !== '' && !/^https?:\/\/[^\s/]+/i.test(webUrl)) {
    return { ok: false, field: 'webUrl', message: 'An http:// or https:// address, or leave it empty.' };
  }
  return {
    ok: true,
    body: {
      name,
      host,
      protocol: draft.protocol,
      port: ports[0] === ports[1] ? String(ports[0]) : `${ports[0]}-${ports[1]}`,
      webUrl: webUrl === '' ? null : webUrl,
    },
  };
}

// ---------- The grants matrix ----------

/** One cell's key: `peer:<id>|<serviceId>` or `group:<name>|<serviceId>`. */
export function grantKey(subject: GrantSubject, serviceId: string): string {
  return `${subjectKey(subject)}|${serviceId}`;
}

export function subjectKey(subject: GrantSubject): string {
  return subject.kind === 'peer' ? `peer:${subject.peerId}` : `group:${subject.group}`;
}

export function grantSetOf(grants: readonly Grant[]): ReadonlySet<string> {
  return new Set(grants.map((g) => grantKey(g.subject, g.serviceId)));
}

/** The set with `key` ticked or unticked. */
export function toggled(set: ReadonlySet<string>, key: string, on: boolean): ReadonlySet<string> {
  const next = new Set(set);
  if (on) next.add(key);
  else next.delete(key);
  return next;
}

export interface MatrixRow {
  readonly subject: GrantSubject;
  /** "@family" or the peer's name. */
  readonly label: string;
  /** For a peer: its groups (its access through them shows in its row). */
  readonly groups: readonly string[];
  readonly enabled: boolean;
}

/**
 * The matrix's rows: the groups first (those peers carry and those a grant names, sorted), then the peers by
 * name. A group is written "@name", as the CLI's `grant @GROUP`.
 */
export function matrixRows(
  peers: readonly Pick<PeerView, 'id' | 'name' | 'groups' | 'enabled'>[],
  grants: readonly Grant[],
): MatrixRow[] {
  const groups = new Set<string>();
  for (const p of peers) for (const g of p.groups) groups.add(g);
  for (const g of grants) if (g.subject.kind === 'group') groups.add(g.subject.group);
  const groupRows = [...groups]
    .sort((a, b) => a.localeCompare(b))
    .map((group): MatrixRow => ({
      subject: { kind: 'group', group },
      label: `@${group}`,
      groups: [],
      enabled: true,
    }));
  const peerRows = [...peers]
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
    .map((p): MatrixRow => ({
      subject: { kind: 'peer', peerId: p.id },
      label: p.name,
      groups: p.groups,
      enabled: p.enabled,
    }));
  return [...groupRows, ...peerRows];
}

/** The groups through which `row` (a peer) reaches `serviceId` in `set`: "via @family". */
export function viaGroups(row: MatrixRow, serviceId: string, set: ReadonlySet<string>): string[] {
  return row.groups.filter((group) => set.has(grantKey({ kind: 'group', group }, serviceId)));
}

/** What the unsaved matrix changes: cells ticked and unticked since the saved grants. */
export function matrixChanges(
  saved: ReadonlySet<string>,
  current: ReadonlySet<string>,
): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const k of current) if (!saved.has(k)) added += 1;
  for (const k of saved) if (!current.has(k)) removed += 1;
  return { added, removed };
}

/** The PUT body's grants for the ticked cells, in a stable order. */
export function grantsOf(set: ReadonlySet<string>): Grant[] {
  return [...set].sort().flatMap((key): Grant[] => {
    const bar = key.lastIndexOf('|');
    const subject = key.slice(0, bar);
    const serviceId = key.slice(bar + 1);
    if (bar < 0 || serviceId === '') return [];
    if (subject.startsWith('peer:'))
      return [{ subject: { kind: 'peer', peerId: subject.slice(5) }, serviceId }];
    if (subject.startsWith('group:'))
      return [{ subject: { kind: 'group', group: subject.slice(6) }, serviceId }];
    return [];
  });
}

/** "2 access rights to add, 1 to remove", or undefined when nothing changed. */
export function changesWords(changes: { added: number; removed: number }): string | undefined {
  const parts = [
    changes.added === 0 ? '' : `${changes.added} to grant`,
    changes.removed === 0 ? '' : `${changes.removed} to revoke`,
  ].filter((p) => p !== '');
  return parts.length === 0 ? undefined : `Unsaved: ${parts.join(', ')}.`;
}

// ---------- The interface banner ----------

export interface Banner {
  readonly tone: Tone;
  readonly headline: string;
  /** Sentences under the headline, in order: endpoint, implementation, last apply, proof. */
  readonly lines: readonly string[];
  /** Hand-made changes found on the interface. */
  readonly drift: readonly string[];
  /** When they were found, or undefined. */
  readonly driftAt: string | undefined;
  readonly warnings: readonly string[];
}

/** The banner over both pages: running or not and why, where clients connect, and the last proof from outside. */
export function bannerOf(o: WireguardOverview, now: Date): Banner {
  const i = o.interface;
  const impl =
    i.implementation === null
      ? undefined
      : i.implementation === 'kernel'
        ? 'kernel module'
        : 'wireguard-go (userspace)';
  const headline = i.running
    ? `WireGuard is running on ${i.name}, UDP port ${i.listenPort}${impl === undefined ? '' : `, ${impl}`}.`
    : `WireGuard is not running${i.reason === null ? '.' : `: ${i.reason.trim().replace(/[.]$/, '')}.`}`;
  const lines: string[] = [];
  lines.push(
    i.endpoint === null
      ? 'Clients have no endpoint yet: set up a DDNS hostname (or the public address must be known) so configs can say where to connect.'
      : `Clients connect to ${endpointText(i.endpoint)}.`,
  );
  if (!i.running && impl !== undefined) lines.push(`Implementation found: ${impl}.`);
  if (i.addresses.length > 0) lines.push(`Tunnel addresses: ${i.addresses.join(', ')}.`);
  if (i.lastApply !== null) {
    lines.push(
      `Last apply ${agoWords(i.lastApply.at, now)}: ${i.lastApply.ok ? 'done' : 'failed'}${i.lastApply.message === '' ? '' : ` — ${i.lastApply.message}`}.`,
    );
  }
  if (o.firewall.droppedPackets !== null && o.firewall.droppedPackets > 0) {
    lines.push(`The firewall dropped ${o.firewall.droppedPackets} packets that no grant allows.`);
  }
  const p = o.proof.lastPublicHandshake;
  lines.push(
    p === null
      ? 'No peer has completed a handshake from outside yet: that is the proof the box is reachable.'
      : `Last handshake from outside: ${p.peerName} from ${p.endpoint}, ${agoWords(p.at, now)}.`,
  );
  const tone: Tone = !i.running
    ? 'error'
    : (i.drift !== null && i.drift.changes.length > 0) ||
        o.firewall.warnings.length > 0 ||
        (i.lastApply !== null && !i.lastApply.ok) ||
        i.endpoint === null
      ? 'warning'
      : 'ok';
  return {
    tone,
    headline,
    lines,
    drift: i.drift?.changes ?? [],
    driftAt: i.drift?.at,
    warnings: o.firewall.warnings,
  };
}

/** "home.example.com:51820", "[2001:db8::1]:51820". */
export function endpointText(e: { readonly host: string; readonly port: number }): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** "3 lines added, 1 removed; 2 device changes" or "Nothing to change: the interface and the firewall match." */
export function planWords(
  plan: Pick<Plan, 'device'> & { readonly firewall: Pick<Plan['firewall'], 'added' | 'removed'> },
): string {
  const d = plan.device.changes.length;
  const a = plan.firewall.added.length;
  const r = plan.firewall.removed.length;
  if (d === 0 && a === 0 && r === 0) return 'Nothing to change: the interface and the firewall match.';
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `Firewall: ${plural(a, 'line', 'lines')} added, ${r} removed; interface: ${plural(d, 'change', 'changes')}.`;
}

/** A service's name for a peer's row: the names of its granted services, or the ids of unknown ones. */
export function serviceNames(
  ids: readonly string[],
  services: readonly Pick<ServiceView, 'id' | 'name'>[],
): string[] {
  return ids.map((id) => services.find((s) => s.id === id)?.name ?? id);
}

/**
 * @module `gatehouse peer …`, `service …`, `grant`, `revoke` and `wg apply`: the command definitions, the pure
 * parsing of their input (expiry times, lists) and the text tables, over one port — a call of the WireGuard
 * control routes (src/wireguard/control-routes.ts), answered by the running server through its socket or, with no
 * server, by the same routes on the store (src/cli.ts decides which). Answers are checked here with zod.
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { checkAnswer, commandOutput, type CommandEnv, exitCodes } from '../control/cli-output.js';
import { fail, ok, type Failure, type Outcome } from '../core/outcome.js';
import type { CommandRunner, ProcessLauncher } from '../core/runner.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Port: one call of the WireGuard control routes (paths under `/v1/wireguard`), wherever it is answered. */
export interface WireguardAccess {
  call(method: Method, path: string, body?: unknown): Promise<Outcome<unknown>>;
  /** False when no server runs and there is no store yet: the lists answer "none" without making a data directory. */
  hasState(): Promise<boolean>;
}

/** What the offline path refuses: applying belongs to the running server, which holds the interface. */
export function offlineRefusal(method: Method, path: string, body: unknown): Failure | undefined {
  if (method !== 'POST' || path !== '/apply') return undefined;
  const dry = z.object({ dryRun: z.literal(true) }).safeParse(body);
  if (dry.success) return undefined;
  return {
    code: 'wireguard.offline',
    message:
      'no Gatehouse server runs: the WireGuard interface and its firewall belong to the server — start the server ' +
      '(gatehouse serve), it applies at start; `gatehouse wg apply --dry-run` shows what it would change',
  };
}

/**
 * Offline, nothing on the system may change: the interface and the firewall belong to the running server. Reads
 * (`wg show`, `nft list`) pass, so that `wg apply --dry-run` can compare; every other program is refused.
 */
export function readOnlyRunner(real: CommandRunner): CommandRunner {
  return {
    run(argv, options) {
      const [program, ...args] = argv;
      const firstWord = args.find((a) => !a.startsWith('-'));
      const reads =
        (program === 'wg' && args[0] === 'show') ||
        (program === 'nft' && firstWord === 'list' && !args.includes('-f'));
      if (reads) return real.run(argv, options);
      return Promise.resolve({
        ok: false,
        error: {
          kind: 'spawn-failed',
          program,
          message: `${program} is not run without a server: offline commands change nothing on the system`,
        },
      });
    },
  };
}

/** Offline no program is started either (wireguard-go): the launch ends at once, saying why. */
export const refusingLauncher: ProcessLauncher = {
  launch(argv, handlers) {
    handlers.onExit(
      `${argv[0]} is not started without a server: offline commands change nothing on the system`,
    );
    return { stop: () => Promise.resolve() };
  },
};

// ---- answers, as the CLI reads them (other fields pass through to --json) ----

export const peerRowSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  groups: z.array(z.string()),
  publicKey: z.string(),
  keyMode: z.string(),
  ipv4: z.string(),
  ipv6: z.string().nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  expiresAt: z.string().nullable(),
  tunnel: z.string(),
  services: z.array(z.string()),
  configOutdated: z.boolean(),
  status: z
    .looseObject({
      latestHandshakeAt: z.string().nullable(),
      endpoint: z.string().nullable(),
      rxBytes: z.number(),
      txBytes: z.number(),
    })
    .nullable()
    .optional(),
});
export type PeerRow = z.infer<typeof peerRowSchema>;

export const serviceRowSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  protocol: z.string(),
  portFrom: z.number(),
  portTo: z.number(),
  webUrl: z.string().nullable(),
});
export type ServiceRow = z.infer<typeof serviceRowSchema>;

export const reportSchema = z.looseObject({
  ok: z.boolean(),
  message: z.string(),
  device: z.looseObject({ changes: z.array(z.string()) }),
  firewall: z.looseObject({ script: z.string(), added: z.array(z.string()), removed: z.array(z.string()) }),
  warnings: z.array(z.string()),
});
export type ReportRow = z.infer<typeof reportSchema>;

const peersSchema = z.object({ peers: z.array(peerRowSchema) });
const servicesSchema = z.object({ services: z.array(serviceRowSchema) });
const configSchema = z.object({ fileName: z.string(), text: z.string() });
const qrSchema = z.object({ format: z.enum(['svg', 'png']), data: z.string() });
const changedSchema = z.object({ changed: z.number() });
const linkSchema = z.object({ path: z.string().startsWith('/onboard/'), expiresAt: z.string() });

/** Checks an answer (`wireguard.bad-answer` when it does not match: a server of another version, say). */
export function readAnswer<T>(schema: z.ZodType<T>, value: unknown): Outcome<T> {
  return checkAnswer(schema, value, 'wireguard.bad-answer');
}

/** An answer of the control API as an Outcome: the JSON body, or the error shape's code and message. */
export function answerOf(status: number, text: string): Outcome<unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail({ code: 'control.bad-answer', message: `the answer (${status}) is not JSON` });
  }
  if (status >= 200 && status < 300) return ok(json);
  const problem = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).safeParse(json);
  return problem.success
    ? fail({ code: problem.data.error.code, message: problem.data.error.message })
    : fail({ code: 'control.bad-answer', message: `the answer (${status}) has no error body` });
}

// ---- input parsing (pure) ----

const usageError = (message: string): Outcome<never> => fail({ code: 'usage', message });

const units = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/**
 * An expiry from the command line, as an ISO time that must lie after `now`: a relative `30m`, `12h`, `7d` or
 * `2w`; a date `2026-12-24` (valid through that day, UTC); or an ISO date-time with its zone
 * (`2026-12-24T18:00Z`, `2026-12-24T18:00:00+01:00`).
 */
export function parseWhen(text: string, now: Date): Outcome<string> {
  const s = text.trim();
  const hint = 'e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z';
  let at: number;
  const relative = /^(\d{1,6})([mhdw])$/.exec(s);
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const dateTime = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i.exec(s);
  if (relative) {
    const [, n, unit] = relative as unknown as [string, string, keyof typeof units];
    at = now.getTime() + Number(n) * units[unit];
  } else if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    const start = Date.UTC(y, m - 1, d);
    if (!sameDay(start, y, m, d)) return usageError(`--expires ${s}: no such date`);
    at = start + units.d;
  } else if (dateTime) {
    const [, y, m, d] = dateTime.slice(0, 4).map(Number) as [number, number, number, number];
    if (!sameDay(Date.UTC(y, m - 1, d), y, m, d)) return usageError(`--expires ${s}: no such date`);
    at = Date.parse(s.toUpperCase());
    if (Number.isNaN(at)) return usageError(`--expires ${s}: not a time (${hint})`);
  } else if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/i.test(s)) {
    return usageError(`--expires ${s}: give the time zone, e.g. ${s}Z (UTC) or ${s}+01:00`);
  } else {
    return usageError(`--expires ${s}: expected a duration, a date or a date-time (${hint})`);
  }
  if (at <= now.getTime()) return usageError(`--expires ${s}: that is not in the future`);
  return ok(new Date(at).toISOString());
}

function sameDay(ms: number, y: number, m: number, d: number): boolean {
  const t = new Date(ms);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** `a,b, c` → `['a', 'b', 'c']` (empty items dropped). */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

export interface PeerFlags {
  readonly group?: readonly string[];
  readonly services?: string;
  readonly expires?: string;
  readonly publicKey?: string;
  readonly tunnel?: string;
  readonly dns?: string;
  readonly keepalive?: string;
  readonly forgetKey?: boolean;
}

/** The body of `POST /peers` from `peer add`'s command line. */
export function peerInput(name: string, flags: PeerFlags, now: Date): Outcome<Record<string, unknown>> {
  if (flags.publicKey !== undefined && flags.forgetKey === true)
    return usageError(
      '--public-key and --forget-key exclude each other (with its own key the box never holds one)',
    );
  let expiresAt: string | undefined;
  if (flags.expires !== undefined) {
    const when = parseWhen(flags.expires, now);
    if (!when.ok) return when;
    expiresAt = when.value;
  }
  let keepalive: number | undefined;
  if (flags.keepalive !== undefined) {
    if (!/^\d{1,5}$/.test(flags.keepalive) || Number(flags.keepalive) > 65535)
      return usageError('--keepalive must be a number of seconds (0–65535; 25 keeps a NAT open)');
    keepalive = Number(flags.keepalive);
  }
  const keyMode =
    flags.publicKey !== undefined ? 'own' : flags.forgetKey === true ? 'forget-after-download' : 'kept';
  return ok({
    name,
    keyMode,
    ...(flags.group && flags.group.length > 0 ? { groups: [...flags.group] } : {}),
    ...(flags.services === undefined ? {} : { services: parseList(flags.services) }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(flags.publicKey === undefined ? {} : { publicKey: flags.publicKey }),
    ...(flags.tunnel === undefined ? {} : { tunnel: flags.tunnel }),
    ...(flags.dns === undefined ? {} : { dns: parseList(flags.dns) }),
    ...(keepalive === undefined ? {} : { persistentKeepalive: keepalive }),
  });
}

export interface PeerSetFlags {
  readonly name?: string;
  readonly group?: readonly string[];
  readonly noGroups?: boolean;
  readonly tunnel?: string;
  readonly dns?: string;
  readonly keepalive?: string;
  readonly expires?: string;
}

/**
 * The body of `PATCH /peers/:id` from `peer set`'s command line: only what is given changes. `--group` replaces
 * the groups (`--no-groups` clears them); `--dns default`, `--keepalive default` and `--expires never` go back to
 * the box's setting / no expiry.
 */
export function peerPatchInput(flags: PeerSetFlags, now: Date): Outcome<Record<string, unknown>> {
  const groups = flags.group ?? [];
  if (flags.noGroups === true && groups.length > 0)
    return usageError('--group and --no-groups exclude each other');
  const out: Record<string, unknown> = {};
  if (flags.name !== undefined) out.name = flags.name;
  if (groups.length > 0) out.groups = [...groups];
  if (flags.noGroups === true) out.groups = [];
  if (flags.tunnel !== undefined) out.tunnel = flags.tunnel;
  if (flags.dns !== undefined)
    out.dns = flags.dns.trim().toLowerCase() === 'default' ? null : parseList(flags.dns);
  if (flags.keepalive !== undefined) {
    if (flags.keepalive.trim().toLowerCase() === 'default') out.persistentKeepalive = null;
    else if (!/^\d{1,5}$/.test(flags.keepalive) || Number(flags.keepalive) > 65535)
      return usageError('--keepalive must be a number of seconds (0–65535) or "default"');
    else out.persistentKeepalive = Number(flags.keepalive);
  }
  if (flags.expires !== undefined) {
    if (flags.expires.trim().toLowerCase() === 'never') out.expiresAt = null;
    else {
      const when = parseWhen(flags.expires, now);
      if (!when.ok) return when;
      out.expiresAt = when.value;
    }
  }
  if (Object.keys(out).length === 0)
    return usageError(
      'nothing to change: give --name, --group, --no-groups, --tunnel, --dns, --keepalive or --expires',
    );
  return ok(out);
}

/** The body of `POST /services` from `service add`'s command line (the server checks host, port and URL). */
export function serviceInput(
  name: string,
  flags: { readonly host?: string; readonly proto?: string; readonly port?: string; readonly url?: string },
): Outcome<Record<string, unknown>> {
  if (flags.host === undefined) return usageError('give the service its LAN address: --host 10.0.0.5');
  if (flags.port === undefined)
    return usageError('give the service its port: --port 443 (or a range, 8000-8010)');
  return ok({
    name,
    host: flags.host,
    protocol: flags.proto ?? 'tcp',
    port: flags.port,
    ...(flags.url === undefined ? {} : { webUrl: flags.url }),
  });
}

/** The body of `PATCH /services/:id` from `service set`: only what is given; `--url none` removes the web page. */
export function servicePatchInput(flags: {
  readonly name?: string;
  readonly host?: string;
  readonly proto?: string;
  readonly port?: string;
  readonly url?: string;
}): Outcome<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  if (flags.name !== undefined) out.name = flags.name;
  if (flags.host !== undefined) out.host = flags.host;
  if (flags.proto !== undefined) out.protocol = flags.proto;
  if (flags.port !== undefined) out.port = flags.port;
  if (flags.url !== undefined) out.webUrl = flags.url.trim().toLowerCase() === 'none' ? null : flags.url;
  if (Object.keys(out).length === 0)
    return usageError('nothing to change: give --name, --host, --proto, --port or --url');
  return ok(out);
}

/** A peer by exact name, else case-insensitive name, else id; a failure that lists the names otherwise. */
export function findPeer(peers: readonly PeerRow[], ref: string): Outcome<PeerRow> {
  const found =
    peers.find((p) => p.name === ref) ??
    peers.find((p) => p.name.toLowerCase() === ref.toLowerCase()) ??
    peers.find((p) => p.id === ref);
  if (found) return ok(found);
  return fail({
    code: 'wireguard.peer-not-found',
    message: `no peer named "${ref}"${peers.length ? `; there are: ${peers.map((p) => p.name).join(', ')}` : ''}`,
  });
}

/** A service by name (service names are lowercase) or id. */
export function findService(services: readonly ServiceRow[], ref: string): Outcome<ServiceRow> {
  const found = services.find((s) => s.name === ref.toLowerCase()) ?? services.find((s) => s.id === ref);
  if (found) return ok(found);
  return fail({
    code: 'wireguard.service-not-found',
    message: `no service named "${ref}"${services.length ? `; there are: ${services.map((s) => s.name).join(', ')}` : ''}`,
  });
}

/**
 * The one-time link a phone opens: on `base` (--base-url, else the address the UI listens on when others can reach
 * it), or with a placeholder for the box's address when there is none.
 */
export function linkUrl(base: string | undefined, linkPath: string): string {
  return `${base === undefined ? 'https://<this box>' : base.replace(/\/+$/, '')}${linkPath}`;
}

/** The UI's address as others reach it: none for a loopback or wildcard listen address (the device needs a real one). */
export function reachableUrl(host: string, port: number, tls: boolean): string | undefined {
  const h = host.toLowerCase();
  if (h === '0.0.0.0' || h === '::' || h === '::1' || h === 'localhost' || h.startsWith('127.'))
    return undefined;
  return `${tls ? 'https' : 'http'}://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/** `--minutes`: 5 to 1440 (a day). */
export function parseMinutes(text: string | undefined): Outcome<number> {
  if (text === undefined) return ok(60);
  if (!/^\d{1,4}$/.test(text) || Number(text) < 5 || Number(text) > 1440)
    return usageError('--minutes must be 5 to 1440 (a day)');
  return ok(Number(text));
}

// ---- text output (pure) ----

/** Columns padded to their widest cell; the last one is not padded. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.floor(s / 60)} min ago`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

export function peerState(p: PeerRow): string {
  const base = p.enabled ? 'enabled' : p.disabledReason === 'expired' ? 'expired' : 'disabled';
  return p.configOutdated ? `${base}, config outdated` : base;
}

/** Online when the last handshake is at most `onlineWithinSeconds` old; `-` when the server did not say. */
export function peerOnline(p: PeerRow, now: Date, onlineWithinSeconds: number): [string, string] {
  const st = p.status;
  if (st === null || st === undefined) return ['-', '-'];
  if (st.latestHandshakeAt === null) return ['offline', 'never'];
  const age = now.getTime() - Date.parse(st.latestHandshakeAt);
  return [age <= onlineWithinSeconds * 1000 ? 'online' : 'offline', ago(st.latestHandshakeAt, now)];
}

export function renderPeers(
  peers: readonly PeerRow[],
  services: readonly ServiceRow[],
  now: Date,
  onlineWithinSeconds: number,
): string {
  if (peers.length === 0) return 'No peers. Add one with `gatehouse peer add NAME --services SERVICE`.\n';
  const names = new Map(services.map((s) => [s.id, s.name]));
  return renderTable(
    ['NAME', 'ADDRESS', 'STATE', 'GROUPS', 'SERVICES', 'TUNNEL', 'EXPIRES', 'ONLINE', 'LAST HANDSHAKE'],
    peers.map((p) => {
      const [online, handshake] = peerOnline(p, now, onlineWithinSeconds);
      return [
        p.name,
        p.ipv6 === null ? p.ipv4 : `${p.ipv4},${p.ipv6}`,
        peerState(p),
        p.groups.join(',') || '-',
        p.services.map((id) => names.get(id) ?? id).join(',') || '-',
        p.tunnel,
        p.expiresAt === null ? 'never' : p.expiresAt.replace(/\.\d{3}Z$/, 'Z'),
        online,
        handshake,
      ];
    }),
  );
}

export const portText = (s: Pick<ServiceRow, 'portFrom' | 'portTo'>): string =>
  s.portFrom === s.portTo ? String(s.portFrom) : `${s.portFrom}-${s.portTo}`;

export function renderServices(services: readonly ServiceRow[]): string {
  if (services.length === 0)
    return 'No services. Add one with `gatehouse service add NAME --host IP --proto tcp --port PORT`.\n';
  return renderTable(
    ['NAME', 'HOST', 'PROTO', 'PORT', 'URL'],
    services.map((s) => [s.name, s.host, s.protocol, portText(s), s.webUrl ?? '-']),
  );
}

/** `wg apply`: the verdict, the interface's changes, the firewall's added (+) and removed (-) lines, warnings. */
export function renderReport(r: ReportRow, dryRun: boolean): string {
  const out: string[] = [`${r.ok ? (dryRun ? 'Plan' : 'OK') : 'FAILED'}: ${r.message}`];
  if (r.device.changes.length > 0) out.push('', 'Interface:', ...r.device.changes.map((c) => `  ${c}`));
  if (r.firewall.added.length + r.firewall.removed.length > 0)
    out.push(
      '',
      'Firewall:',
      ...r.firewall.removed.map((l) => `  - ${l}`),
      ...r.firewall.added.map((l) => `  + ${l}`),
    );
  if (r.warnings.length > 0) out.push('', 'Warnings:', ...r.warnings.map((w) => `  ${w}`));
  return `${out.join('\n')}\n`;
}

export function renderPeerAdded(p: PeerRow, services: readonly ServiceRow[]): string {
  const names = new Map(services.map((s) => [s.id, s.name]));
  const granted = p.services.map((id) => names.get(id) ?? id);
  const q = shellQuote(p.name);
  return [
    `Added the peer "${p.name}" (${p.ipv4}${p.ipv6 === null ? '' : `, ${p.ipv6}`}; services: ${granted.join(', ') || 'none yet'}; tunnel: ${p.tunnel}${p.expiresAt === null ? '' : `; expires ${p.expiresAt}`}).`,
    p.keyMode === 'own'
      ? `It uses its own key: \`gatehouse peer config ${q}\` prints the config without a private key; add yours on the device.`
      : `Scan its QR code with the WireGuard app: \`gatehouse peer qr ${q}\`, or save its config: \`gatehouse peer config ${q} > ${p.name.replace(/[^A-Za-z0-9._-]/g, '_')}.conf\`.`,
    '',
  ].join('\n');
}

/** A word for a shell: as it is when plain, else in single quotes. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9._@%+=:,/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---- the commands ----

export interface WireguardCommandEnv<Flags> extends CommandEnv<Flags, WireguardAccess> {
  /** `wireguard.onlineWithinSeconds` of the resolved settings. */
  readonly onlineWithinSeconds: (flags: Flags) => number;
  readonly now: () => Date;
  /** Writes a file (mode 0600: a config or its QR code holds the private key), relative to the working directory. */
  readonly writeFile: (file: string, data: string | Uint8Array) => void;
  /** The QR code of `text` for a terminal; the failure `wireguard.qr-too-long` when it would not scan. */
  readonly terminalQr: (text: string) => Promise<Outcome<string>>;
  /** Where a phone reaches the UI (the listen address when it is not loopback or a wildcard), for one-time links. */
  readonly publicUrl: (flags: Flags) => string | undefined;
}

const exit = exitCodes;

interface Common {
  json?: boolean;
}

/**
 * Adds `peer`, `service`, `grant`, `revoke` and `wg` to the program. Failures end in exit 1 with the message,
 * mistakes in the command line in exit 2; `--json` prints the answer as the API gives it (an error as
 * `{ "error": … }`).
 */
export function addWireguardCommands<Flags extends object>(
  program: Command,
  env: WireguardCommandEnv<Flags>,
): void {
  const { say, printJson, usage, failed } = commandOutput(env);

  async function get<T>(
    access: WireguardAccess,
    schema: z.ZodType<T>,
    method: Method,
    path: string,
    body?: unknown,
  ): Promise<Outcome<T>> {
    const r = await access.call(method, path, body);
    return r.ok ? readAnswer(schema, r.value) : r;
  }

  async function peerByRef(access: WireguardAccess, ref: string): Promise<Outcome<PeerRow>> {
    const list = await get(access, peersSchema, 'GET', '/peers');
    return list.ok ? findPeer(list.value.peers, ref) : list;
  }

  const run =
    <A extends unknown[]>(body: (...args: A) => Promise<number>) =>
    (...args: A) =>
      body(...args).then(env.finish);

  const json = (cmd: Command, what = 'JSON output') => cmd.option('--json', what);
  const peerPath = (p: PeerRow, rest = '') => `/peers/${encodeURIComponent(p.id)}${rest}`;

  // ---- peer ----
  const peer = program
    .command('peer')
    .description(
      'WireGuard peers (phones, laptops): add, list, config, QR code, one-time link, set, disable, enable, remove (through the running server, else offline)',
    );

  env
    .withSettings(
      json(
        peer
          .command('add')
          .description('add the peer NAME: the box makes its keys and gives it the next free address')
          .argument('<name>', 'any printable name, e.g. "Anna\'s phone"')
          .option(
            '--group <group>',
            'a group it belongs to (repeatable); grants to @group apply to it',
            (v: string, all?: string[]) => [...(all ?? []), v],
          )
          .option('--services <names>', 'services it may reach, comma-separated, e.g. nas,plex')
          .option(
            '--expires <when>',
            'disable it then: 7d, 12h, a date 2026-12-24 (through that day, UTC) or 2026-12-24T18:00Z',
          )
          .option(
            '--public-key <key>',
            "the device's own public key (wg pubkey): the box never holds its private key",
          )
          .addOption(
            new Option(
              '--tunnel <mode>',
              'what goes through the tunnel: the granted services, the whole LAN, or everything',
            ).choices(['services', 'lan', 'full']),
          )
          .option('--dns <ips>', 'DNS servers for the device, comma-separated')
          .option('--keepalive <seconds>', 'PersistentKeepalive for the device (25 keeps a NAT open)')
          .option('--forget-key', 'remove the private key from the box once the config was fetched'),
        'print the new peer as JSON',
      ),
    )
    .action(
      run(async (name: string, opts: Flags & Common & PeerFlags) => {
        const input = peerInput(name, opts, env.now());
        if (!input.ok) return usage(input.error.message);
        const access = env.connect(opts);
        const r = await get(access, peerRowSchema, 'POST', '/peers', input.value);
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else {
          const services = await get(access, servicesSchema, 'GET', '/services');
          say(renderPeerAdded(r.value, services.ok ? services.value.services : []));
        }
        return exit.ok;
      }),
    );

  env
    .withSettings(
      json(
        peer
          .command('list')
          .description(
            'the peers: address, state, groups, services, and online / last handshake when the server runs',
          ),
        'stable JSON output for scripts',
      ),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        if (!(await access.hasState())) {
          if (opts.json) printJson({ peers: [] });
          else say(renderPeers([], [], env.now(), 0));
          return exit.ok;
        }
        const r = await get(access, peersSchema, 'GET', '/peers');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) {
          printJson(r.value);
          return exit.ok;
        }
        const services = await get(access, servicesSchema, 'GET', '/services');
        if (!services.ok) return failed(services.error, opts.json);
        say(renderPeers(r.value.peers, services.value.services, env.now(), env.onlineWithinSeconds(opts)));
        return exit.ok;
      }),
    );

  env
    .withSettings(
      peer
        .command('config')
        .description("print the peer's WireGuard config (it holds the private key); marks it as fetched")
        .argument('<name>'),
    )
    .action(
      run(async (name: string, opts: Flags) => {
        const access = env.connect(opts);
        const p = await peerByRef(access, name);
        if (!p.ok) return failed(p.error, false);
        const r = await get(access, configSchema, 'POST', peerPath(p.value, '/config'), { fetch: true });
        if (!r.ok) return failed(r.error, false);
        say(r.value.text.endsWith('\n') ? r.value.text : `${r.value.text}\n`);
        return exit.ok;
      }),
    );

  env
    .withSettings(
      peer
        .command('qr')
        .description(
          "show the peer's config as a QR code to scan with the WireGuard app; marks it as fetched",
        )
        .argument('<name>')
        .option('--svg <file>', 'write an SVG image instead (mode 0600: it holds the private key)')
        .option('--png <file>', 'write a PNG image instead (mode 0600)'),
    )
    .action(
      run(async (name: string, opts: Flags & { svg?: string; png?: string }) => {
        if (opts.svg !== undefined && opts.png !== undefined) return usage('give --svg or --png, not both');
        const access = env.connect(opts);
        const p = await peerByRef(access, name);
        if (!p.ok) return failed(p.error, false);
        const file = opts.svg ?? opts.png;
        if (file !== undefined) {
          const format = opts.svg !== undefined ? 'svg' : 'png';
          const r = await get(access, qrSchema, 'POST', peerPath(p.value, '/qr'), { format });
          if (!r.ok) return failed(r.error, false);
          env.writeFile(file, format === 'svg' ? r.value.data : Buffer.from(r.value.data, 'base64'));
          say(
            `Wrote the QR code of "${p.value.name}" to ${file} (it holds the private key: delete it after scanning).\n`,
          );
          return exit.ok;
        }
        // Read first, marked fetched only once the code is shown: a forget-after-download peer's key must
        // outlive a code too long to scan.
        const seen = await get(access, configSchema, 'POST', peerPath(p.value, '/config'), { fetch: false });
        if (!seen.ok) return failed(seen.error, false);
        const fits = await env.terminalQr(seen.value.text);
        if (!fits.ok) return failed(fits.error, false);
        const config = await get(access, configSchema, 'POST', peerPath(p.value, '/config'), { fetch: true });
        if (!config.ok) return failed(config.error, false);
        const qr = config.value.text === seen.value.text ? fits : await env.terminalQr(config.value.text);
        if (!qr.ok) return failed(qr.error, false);
        say(qr.value);
        return exit.ok;
      }),
    );

  env
    .withSettings(
      json(
        peer
          .command('link')
          .description(
            'a one-time link that shows the QR code and the download once (send it to the device; it replaces the last one)',
          )
          .argument('<name>')
          .option('--minutes <n>', 'how long it works unopened: 5 to 1440', '60')
          .option(
            '--base-url <url>',
            'the address the device reaches this box by, e.g. https://home.example.com:8443',
          ),
        'print {url, expiresAt} as JSON',
      ),
    )
    .action(
      run(async (name: string, opts: Flags & Common & { minutes?: string; baseUrl?: string }) => {
        const minutes = parseMinutes(opts.minutes);
        if (!minutes.ok) return usage(minutes.error.message);
        if (opts.baseUrl !== undefined && !/^https?:\/\/[^/\s]+\/?$/i.test(opts.baseUrl))
          return usage('--base-url must be http(s)://host[:port], e.g. https://home.example.com:8443');
        const access = env.connect(opts);
        const p = await peerByRef(access, name);
        if (!p.ok) return failed(p.error, opts.json);
        const r = await get(access, linkSchema, 'POST', peerPath(p.value, '/link'), {
          minutes: minutes.value,
        });
        if (!r.ok) return failed(r.error, opts.json);
        const url = linkUrl(opts.baseUrl ?? env.publicUrl(opts), r.value.path);
        if (opts.json) printJson({ url, expiresAt: r.value.expiresAt });
        else
          say(
            `One-time link for "${p.value.name}" (until ${r.value.expiresAt}; it works once):\n    ${url}\n` +
              (url.includes('<this box>')
                ? 'Put in the address the device reaches this box by (or give --base-url).\n'
                : ''),
          );
        return exit.ok;
      }),
    );

  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    const cmd = peer
      .command(verb)
      .description(
        enabled
          ? 'let the peer connect again (an expired one needs --expires WHEN or --expires never)'
          : 'cut the peer off at once (it keeps its address, keys and grants)',
      )
      .argument('<name>');
    if (enabled) cmd.option('--expires <when>', 'a new expiry (7d, 2026-12-24, …) or "never"');
    env.withSettings(json(cmd, 'print the peer as JSON')).action(
      run(async (name: string, opts: Flags & Common & { expires?: string }) => {
        let expiresAt: string | null | undefined;
        if (opts.expires !== undefined) {
          if (opts.expires.trim().toLowerCase() === 'never') expiresAt = null;
          else {
            const when = parseWhen(opts.expires, env.now());
            if (!when.ok) return usage(when.error.message);
            expiresAt = when.value;
          }
        }
        const access = env.connect(opts);
        const p = await peerByRef(access, name);
        if (!p.ok) return failed(p.error, opts.json);
        const body = { enabled, ...(expiresAt === undefined ? {} : { expiresAt }) };
        const r = await get(access, peerRowSchema, 'PATCH', peerPath(p.value), body);
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else
          say(
            enabled
              ? `Enabled the peer "${r.value.name}"${r.value.expiresAt === null ? '' : ` until ${r.value.expiresAt}`}.\n`
              : `Disabled the peer "${r.value.name}": it can no longer connect.\n`,
          );
        return exit.ok;
      }),
    );
  }

  env
    .withSettings(
      json(
        peer
          .command('set')
          .description('change the peer: only what is given changes (its config then needs fetching again)')
          .argument('<name>')
          .option('--name <new>', 'a new name')
          .option(
            '--group <group>',
            'its groups (repeatable; replaces the groups it has)',
            (v: string, all?: string[]) => [...(all ?? []), v],
          )
          .option('--no-groups', 'in no group')
          .addOption(
            new Option('--tunnel <mode>', 'what goes through the tunnel').choices([
              'services',
              'lan',
              'full',
            ]),
          )
          .option('--dns <ips>', 'DNS servers for the device, comma-separated, or "default"')
          .option('--keepalive <seconds>', 'PersistentKeepalive for the device, or "default"')
          .option('--expires <when>', 'a new expiry (7d, 2026-12-24, …) or "never"'),
        'print the peer as JSON',
      ),
    )
    .action(
      run(
        async (
          name: string,
          opts: Flags & Common & Omit<PeerSetFlags, 'noGroups'> & { groups?: boolean },
        ) => {
          // commander's --no-groups sets `groups: false`.
          const patch = peerPatchInput({ ...opts, noGroups: opts.groups === false }, env.now());
          if (!patch.ok) return usage(patch.error.message);
          const access = env.connect(opts);
          const p = await peerByRef(access, name);
          if (!p.ok) return failed(p.error, opts.json);
          const r = await get(access, peerRowSchema, 'PATCH', peerPath(p.value), patch.value);
          if (!r.ok) return failed(r.error, opts.json);
          if (opts.json) printJson(r.value);
          else
            say(
              `Changed the peer "${r.value.name}"${r.value.configOutdated ? ': its config changed, fetch it again (gatehouse peer qr|config)' : ''}.\n`,
            );
          return exit.ok;
        },
      ),
    );

  env
    .withSettings(
      json(
        peer
          .command('remove')
          .description('remove the peer: its keys, address and grants go; its config stops working')
          .argument('<name>'),
      ),
    )
    .action(
      run(async (name: string, opts: Flags & Common) => {
        const access = env.connect(opts);
        const p = await peerByRef(access, name);
        if (!p.ok) return failed(p.error, opts.json);
        const r = await get(access, z.object({ id: z.string() }), 'DELETE', peerPath(p.value));
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson({ removed: { id: p.value.id, name: p.value.name } });
        else say(`Removed the peer "${p.value.name}" (${p.value.ipv4}).\n`);
        return exit.ok;
      }),
    );

  // ---- service ----
  const service = program
    .command('service')
    .description('the LAN services peers may be granted (host, protocol, ports)');

  env
    .withSettings(
      json(
        service
          .command('add')
          .description('add the service NAME: one LAN host, one protocol, a port or a range')
          .argument('<name>', 'lowercase letters, digits, ".", "_" or "-", e.g. nas')
          .option('--host <ip>', 'its LAN address (inside the LAN ranges)')
          .addOption(new Option('--proto <proto>', 'its protocol').choices(['tcp', 'udp']).default('tcp'))
          .option('--port <port>', 'its port (443) or range (8000-8010)')
          .option('--url <url>', 'its web page, for the peers page (http:// or https://)'),
        'print the new service as JSON',
      ),
    )
    .action(
      run(
        async (
          name: string,
          opts: Flags & Common & { host?: string; proto?: string; port?: string; url?: string },
        ) => {
          const input = serviceInput(name, opts);
          if (!input.ok) return usage(input.error.message);
          const r = await get(env.connect(opts), serviceRowSchema, 'POST', '/services', input.value);
          if (!r.ok) return failed(r.error, opts.json);
          if (opts.json) printJson(r.value);
          else
            say(
              `Added the service "${r.value.name}" (${r.value.host} ${r.value.protocol} ${portText(r.value)}). Grant it with \`gatehouse grant PEER ${r.value.name}\`.\n`,
            );
          return exit.ok;
        },
      ),
    );

  env
    .withSettings(json(service.command('list').description('the services'), 'stable JSON output for scripts'))
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        if (!(await access.hasState())) {
          if (opts.json) printJson({ services: [] });
          else say(renderServices([]));
          return exit.ok;
        }
        const r = await get(access, servicesSchema, 'GET', '/services');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderServices(r.value.services));
        return exit.ok;
      }),
    );

  env
    .withSettings(
      json(
        service
          .command('set')
          .description(
            'change the service: only what is given changes (peers granted it need a new config when the host changes)',
          )
          .argument('<name>')
          .option('--name <new>', 'a new name')
          .option('--host <ip>', 'its LAN address')
          .addOption(new Option('--proto <proto>', 'its protocol').choices(['tcp', 'udp']))
          .option('--port <port>', 'its port or range')
          .option('--url <url>', 'its web page, or "none"'),
        'print the service as JSON',
      ),
    )
    .action(
      run(
        async (
          name: string,
          opts: Flags &
            Common & { name?: string; host?: string; proto?: string; port?: string; url?: string },
        ) => {
          const patch = servicePatchInput(opts);
          if (!patch.ok) return usage(patch.error.message);
          const access = env.connect(opts);
          const list = await get(access, servicesSchema, 'GET', '/services');
          if (!list.ok) return failed(list.error, opts.json);
          const s = findService(list.value.services, name);
          if (!s.ok) return failed(s.error, opts.json);
          const r = await get(
            access,
            serviceRowSchema,
            'PATCH',
            `/services/${encodeURIComponent(s.value.id)}`,
            patch.value,
          );
          if (!r.ok) return failed(r.error, opts.json);
          if (opts.json) printJson(r.value);
          else
            say(
              `Changed the service "${r.value.name}" (${r.value.host} ${r.value.protocol} ${portText(r.value)}).\n`,
            );
          return exit.ok;
        },
      ),
    );

  env
    .withSettings(
      json(
        service.command('remove').description('remove the service and every grant of it').argument('<name>'),
      ),
    )
    .action(
      run(async (name: string, opts: Flags & Common) => {
        const access = env.connect(opts);
        const list = await get(access, servicesSchema, 'GET', '/services');
        if (!list.ok) return failed(list.error, opts.json);
        const s = findService(list.value.services, name);
        if (!s.ok) return failed(s.error, opts.json);
        const r = await get(
          access,
          z.object({ id: z.string() }),
          'DELETE',
          `/services/${encodeURIComponent(s.value.id)}`,
        );
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson({ removed: { id: s.value.id, name: s.value.name } });
        else say(`Removed the service "${s.value.name}" and its grants.\n`);
        return exit.ok;
      }),
    );

  // ---- grant / revoke ----
  for (const [verb, grant] of [
    ['grant', true],
    ['revoke', false],
  ] as const) {
    env
      .withSettings(
        json(
          program
            .command(verb)
            .description(
              grant
                ? 'let a peer (NAME) or a group (@GROUP) reach services'
                : 'take services away from a peer (NAME) or a group (@GROUP)',
            )
            .argument('<subject>', 'a peer name, or @group')
            .argument('<services...>', 'service names'),
        ),
      )
      .action(
        run(async (subject: string, services: string[], opts: Flags & Common) => {
          const r = await get(env.connect(opts), changedSchema, 'POST', '/grants/change', {
            subject,
            services,
            grant,
          });
          if (!r.ok) return failed(r.error, opts.json);
          if (opts.json) printJson(r.value);
          else {
            const what = `${services.join(', ')} ${grant ? 'to' : 'from'} ${subject}`;
            say(
              r.value.changed === 0
                ? `Nothing to change: ${grant ? 'already granted' : 'not granted'} (${what}).\n`
                : `${grant ? 'Granted' : 'Revoked'} ${what}.\n`,
            );
          }
          return exit.ok;
        }),
      );
  }

  // ---- wg ----
  const wg = program.command('wg').description('the WireGuard interface and its firewall');
  env
    .withSettings(
      json(
        wg
          .command('apply')
          .description(
            'make the interface and the firewall match the peers, services and grants now; exit 1 when it fails',
          )
          .option('--dry-run', 'only show what would change (works without a running server)'),
      ),
    )
    .action(
      run(async (opts: Flags & Common & { dryRun?: boolean }) => {
        const dryRun = opts.dryRun === true;
        const r = await get(env.connect(opts), reportSchema, 'POST', '/apply', { dryRun });
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderReport(r.value, dryRun));
        return r.value.ok ? exit.ok : exit.failure;
      }),
    );
}

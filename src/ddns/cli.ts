/**
 * @module `gatehouse ddns …`: the command definitions, parsing of their input (credentials on standard input,
 * `--set key=value`) and the text tables, over one port — a call of the DDNS control routes, answered by the
 * running server through its socket or, with no server, by the same admin and engine on the store (the
 * composition root in src/cli.ts decides which). Answers are checked here with zod, whichever path gave them.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { checkAnswer, commandOutput, type CommandEnv, exitCodes } from '../control/cli-output.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { DdnsAdmin, DdnsActor } from './admin.js';
import type { DdnsEngine } from './engine.js';
import type { DdnsClients } from './inbound/clients.js';
import { addClientInputSchema, clientNameSchema } from './inbound/clients.js';
import { runJson } from './routes.js';

/** The DDNS control routes (src/ddns/capability.ts, src/ddns/inbound/control-routes.ts), under `/v1/ddns`. */
export type DdnsRoute =
  | CredentialRemoveRoute
  | 'GET /credentials'
  | 'POST /credentials'
  | 'GET /list'
  | 'GET /providers'
  | 'GET /plan'
  | 'POST /update'
  | 'POST /records'
  | 'POST /records/remove'
  | 'POST /accounts'
  | 'POST /accounts/test'
  | 'POST /accounts/remove';

/** Removing the dyndns2 client NAME: its name is the last path segment (a checked name, so no `/` or space). */
export type CredentialRemoveRoute = `DELETE /credentials/${string}`;

export const removeCredentialRoute = (name: string): CredentialRemoveRoute =>
  `DELETE /credentials/${encodeURIComponent(name)}`;

const isCredentialRemove = (route: DdnsRoute): route is CredentialRemoveRoute =>
  route.startsWith('DELETE /credentials/');

/** Port: one DDNS control call, wherever it is answered. */
export interface DdnsAccess {
  call(route: DdnsRoute, body?: unknown): Promise<Outcome<unknown>>;
  /**
   * Whether there is anything to read: false when no server runs and there is no store yet, so that `list` and
   * `plan` answer "nothing" without creating a data directory.
   */
  hasState(): Promise<boolean>;
}

const local: DdnsActor = { actor: 'local', clientAddress: 'local' };

const off = (): Outcome<never> =>
  fail({ code: 'ddns.off', message: 'the DDNS engine is turned off (ddns.enabled)' });

const idOf = (body: unknown): string => z.object({ id: z.string() }).parse(body).id;

/**
 * The offline answers to the control routes: the same admin, engine and clients calls the server's routes make,
 * with the local administrator as the actor (as on the socket). Bodies come from this module, so they are trusted
 * here.
 */
export async function callOffline(
  admin: DdnsAdmin,
  engine: DdnsEngine | undefined,
  route: DdnsRoute,
  body: unknown,
  clients: DdnsClients,
): Promise<Outcome<unknown>> {
  if (isCredentialRemove(route) || route === 'GET /credentials' || route === 'POST /credentials')
    return callClientsOffline(clients, route, body);
  switch (route) {
    case 'GET /list':
      return ok({ records: admin.records(), accounts: await admin.accounts() });
    case 'GET /providers':
      return ok(admin.providers());
    case 'GET /plan':
      return engine ? ok((await engine.plan()).map(runJson)) : off();
    case 'POST /update': {
      if (!engine) return off();
      await admin.auditUpdateRequest(local);
      return ok((await engine.reconcile('asked from the command line')).map(runJson));
    }
    case 'POST /records':
      return admin.addRecord(body, local);
    case 'POST /records/remove':
      return mapOk(await admin.removeRecord(idOf(body), local));
    case 'POST /accounts':
      return admin.addAccount(body, local);
    case 'POST /accounts/test': {
      const b = z.object({ id: z.string(), zone: z.string().optional() }).parse(body);
      return admin.testAccount({ id: b.id }, b.zone, local);
    }
    case 'POST /accounts/remove':
      return mapOk(await admin.removeAccount(idOf(body), local));
  }
}

/** The answers of src/ddns/inbound/control-routes.ts, offline: the same bodies as its 200 and 201. */
async function callClientsOffline(
  clients: DdnsClients,
  route: CredentialRemoveRoute | 'GET /credentials' | 'POST /credentials',
  body: unknown,
): Promise<Outcome<unknown>> {
  if (route === 'GET /credentials') return ok({ clients: clients.list() });
  if (route === 'POST /credentials') return clients.add(body, local);
  const name = decodeURIComponent(route.slice('DELETE /credentials/'.length));
  const r = await clients.remove(name, local);
  return r.ok ? ok({ client: r.value }) : r;
}

function mapOk(r: Outcome<void>): Outcome<unknown> {
  return r.ok ? ok({ ok: true }) : r;
}

// ---- answers, as the CLI reads them (only what it shows; other fields pass through to --json) ----

const attemptSchema = z.object({ at: z.string(), ok: z.boolean(), message: z.string() }).nullable();

export const recordViewSchema = z.looseObject({
  id: z.string(),
  hostname: z.string(),
  zone: z.string(),
  type: z.enum(['A', 'AAAA']),
  accountId: z.string(),
  value: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('public') }),
    z.object({ kind: z.literal('fixed'), address: z.string() }),
    z.object({ kind: z.literal('ipv6-host'), suffix: z.string() }),
  ]),
  ttl: z.number(),
  enabled: z.boolean(),
  state: z
    .looseObject({
      desired: z.string().nullable(),
      applied: z.string().nullable(),
      propagationMs: z.number().nullable(),
      pending: z.looseObject({ value: z.string(), nextAttemptAt: z.string() }).nullable(),
      stopped: z.looseObject({ message: z.string() }).nullable(),
      drift: z.looseObject({ served: z.string() }).nullable(),
      lastAttempt: attemptSchema,
    })
    .nullable(),
});
export type RecordRow = z.infer<typeof recordViewSchema>;

export const accountViewSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  provider: z.string(),
  settings: z.record(z.string(), z.unknown()),
  credentials: z.array(z.object({ field: z.string(), set: z.boolean() }).loose()),
  stopped: z.looseObject({ message: z.string() }).nullable(),
  notBefore: z.string().nullable(),
});
export type AccountRow = z.infer<typeof accountViewSchema>;

export const listSchema = z.object({
  records: z.array(recordViewSchema),
  accounts: z.array(accountViewSchema),
});

export const providerViewSchema = z.looseObject({
  kind: z.string(),
  label: z.string(),
  docsUrl: z.string(),
  fields: z.array(
    z.looseObject({
      name: z.string(),
      label: z.string(),
      help: z.string().optional(),
      secret: z.boolean(),
      optional: z.boolean().optional(),
    }),
  ),
});
export type ProviderRow = z.infer<typeof providerViewSchema>;

export const runSchema = z.looseObject({
  recordId: z.string(),
  hostname: z.string(),
  type: z.enum(['A', 'AAAA']),
  action: z.discriminatedUnion('kind', [
    z.looseObject({ kind: z.literal('in-sync'), value: z.string() }),
    z.looseObject({
      kind: z.literal('update'),
      value: z.string(),
      previous: z.string().nullable(),
      drift: z.boolean(),
    }),
    z.looseObject({ kind: z.literal('wait'), value: z.string(), until: z.string(), reason: z.string() }),
    z.looseObject({ kind: z.literal('hold'), reason: z.string() }),
  ]),
  served: z.array(z.string()).nullable(),
  result: z.enum(['updated', 'unchanged', 'failed']).nullable(),
  message: z.string().nullable(),
  propagationMs: z.number().nullable(),
});
export type RunRow = z.infer<typeof runSchema>;

/**
 * A dyndns2 client as `credential list` shows it. A plain object, not a loose one: whatever else an answer holds
 * (a hash from a server of another version, say) is dropped here and never printed, not even with --json.
 */
export const clientViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  hostnames: z.array(z.string()),
  trusted: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export type ClientRow = z.infer<typeof clientViewSchema>;

export const clientListSchema = z.object({ clients: z.array(clientViewSchema) });
export const clientAddedSchema = z.object({ client: clientViewSchema, password: z.string().min(1) });
export type ClientAdded = z.infer<typeof clientAddedSchema>;
export const clientRemovedSchema = z.object({ client: clientViewSchema });

/** Checks an answer (`ddns.bad-answer` when it does not match: a server of another version, say). */
export function readAnswer<T>(schema: z.ZodType<T>, value: unknown): Outcome<T> {
  return checkAnswer(schema, value, 'ddns.bad-answer');
}

// ---- input parsing (pure) ----

/**
 * Credentials from standard input: a JSON object of strings, or `field=value` lines (blank lines and `#` comments
 * skipped; the value is everything after the first `=`, kept as written but for the line ending).
 */
export function parseCredentials(text: string): Outcome<Record<string, string>> {
  const trimmed = text.trim();
  if (trimmed === '') return ok({});
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      return fail({ code: 'usage', message: 'standard input starts with "{" but is not valid JSON' });
    }
    const parsed = z.record(z.string(), z.string()).safeParse(json);
    if (!parsed.success)
      return fail({
        code: 'usage',
        message: 'the JSON on standard input must be an object of strings, e.g. {"secret": "…"}',
      });
    return ok(parsed.data);
  }
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    const field = eq < 0 ? '' : line.slice(0, eq).trim();
    // The line number only: the line itself may hold a credential.
    if (field === '')
      return fail({ code: 'usage', message: `standard input line ${i + 1}: expected field=value` });
    if (field in out) return fail({ code: 'usage', message: `standard input: "${field}" is given twice` });
    out[field] = line.slice(eq + 1);
  }
  return ok(out);
}

/** `--set key=value` pairs into settings; a repeated key is a mistake, not an override. */
export function parseSettings(pairs: readonly string[]): Outcome<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (key === '') return fail({ code: 'usage', message: `--set ${pair}: expected key=value` });
    if (key in out) return fail({ code: 'usage', message: `--set ${key} is given twice` });
    out[key] = pair.slice(eq + 1);
  }
  return ok(out);
}

/**
 * Checks the command line of `provider add` before standard input is read: the kind must exist, and no credential
 * may be in `--set` (the command line is visible to every user in `ps` and kept in shell history).
 */
export function checkAccountFlags(
  provider: ProviderRow | undefined,
  kind: string,
  settings: Readonly<Record<string, string>>,
  kinds: readonly string[],
): Outcome<void> {
  if (!provider)
    return fail({ code: 'usage', message: `unknown kind "${kind}"; one of: ${kinds.join(', ')}` });
  for (const key of Object.keys(settings)) {
    if (provider.fields.some((f) => f.name === key && f.secret))
      return fail({
        code: 'usage',
        message: `"${key}" is a credential: give it on standard input, never on the command line (other users see it in ps, and the shell keeps it in its history)`,
      });
  }
  return ok(undefined);
}

/** Required credentials missing from standard input: a usage error that shows how to give them. */
export function checkCredentials(
  provider: ProviderRow,
  secrets: Readonly<Record<string, string>>,
): Outcome<void> {
  const missing = provider.fields.filter((f) => f.secret && f.optional !== true && !(f.name in secrets));
  const first = missing[0];
  if (first === undefined) return ok(undefined);
  return fail({
    code: 'usage',
    message: `${provider.label} needs ${missing.map((f) => `"${f.name}"`).join(', ')} on standard input, e.g. printf '${first.name}=%s\\n' "$VALUE" | gatehouse ddns provider add …`,
  });
}

export interface RecordFlags {
  readonly type?: string;
  readonly account?: string;
  readonly zone?: string;
  readonly ttl?: string;
  readonly fixed?: string;
  readonly deviceSuffix?: string;
}

/** The body of `POST /records` from the command line; the account already resolved to its id. */
export function recordInput(
  hostname: string,
  flags: RecordFlags,
  accountId: string,
): Outcome<Record<string, unknown>> {
  const type = flags.type?.toUpperCase();
  if (type !== 'A' && type !== 'AAAA') return fail({ code: 'usage', message: '--type must be A or AAAA' });
  if (flags.fixed !== undefined && flags.deviceSuffix !== undefined)
    return fail({ code: 'usage', message: '--fixed and --device-suffix exclude each other' });
  let ttl: number | undefined;
  if (flags.ttl !== undefined) {
    if (!/^\d{1,6}$/.test(flags.ttl))
      return fail({ code: 'usage', message: '--ttl must be a number of seconds (1–86400)' });
    ttl = Number(flags.ttl);
  }
  const value =
    flags.fixed !== undefined
      ? { kind: 'fixed', address: flags.fixed }
      : flags.deviceSuffix !== undefined
        ? { kind: 'ipv6-host', suffix: flags.deviceSuffix }
        : { kind: 'public' };
  return ok({
    hostname,
    type,
    accountId,
    value,
    ...(flags.zone === undefined ? {} : { zone: flags.zone }),
    ...(ttl === undefined ? {} : { ttl }),
  });
}

/**
 * The body of `POST /credentials` from the command line, checked with the clients' own schema before anything is
 * asked, so a bad name or hostname is the same usage error online and offline. The message names the flag.
 */
export function clientInput(
  name: string,
  hostnames: readonly string[],
  trusted: boolean,
): Outcome<{ name: string; hostnames: string[]; trusted: boolean }> {
  if (hostnames.length === 0)
    return fail({ code: 'usage', message: 'give at least one --hostname, e.g. --hostname home.example.com' });
  // "." and ".." pass the schema but could never be removed: URL parsers fold them out of the DELETE's path.
  if (/^[._-]/.test(name.trim()))
    return fail({ code: 'usage', message: 'NAME: begin it with a letter or a digit, e.g. fritzbox' });
  const parsed = addClientInputSchema.safeParse({ name, hostnames: [...hostnames], trusted });
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue?.path[0] === 'hostnames' ? '--hostname' : 'NAME';
  return fail({ code: 'usage', message: `${where}: ${issue?.message ?? 'invalid'}` });
}

/** The NAME of `credential remove`, checked before it goes into a path. */
export function clientName(name: string): Outcome<string> {
  const parsed = clientNameSchema.safeParse(name);
  if (parsed.success) return ok(parsed.data);
  return fail({ code: 'usage', message: `NAME: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
}

/** A hostname as the store keeps it (lowercase, no trailing dot), for finding it again. */
export const normalHostname = (h: string): string => h.trim().toLowerCase().replace(/\.$/, '');

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

/** A propagation time for people: "1.2 s", "340 ms", "-" when none was measured. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Where the value comes from, when no value is known yet. */
export function describeValue(value: RecordRow['value']): string {
  switch (value.kind) {
    case 'public':
      return '(public address)';
    case 'fixed':
      return value.address;
    case 'ipv6-host':
      return `(IPv6 prefix)${value.suffix}`;
  }
}

function lastResult(row: RecordRow): string {
  if (!row.enabled) return 'turned off';
  const s = row.state;
  if (!s) return 'not run yet';
  if (s.stopped) return `stopped: ${s.stopped.message}`;
  if (s.pending) return `pending ${s.pending.value}, next try ${s.pending.nextAttemptAt}`;
  if (s.drift) return `drifted (was ${s.drift.served})`;
  if (!s.lastAttempt) return s.applied === null ? 'not run yet' : 'in sync';
  return s.lastAttempt.ok ? 'ok' : `failed: ${s.lastAttempt.message}`;
}

export function renderList(list: z.infer<typeof listSchema>): string {
  const accountName = new Map(list.accounts.map((a) => [a.id, a.name]));
  const parts: string[] = [];
  if (list.records.length === 0) parts.push('No DDNS records. Add one with `gatehouse ddns record add`.\n');
  else
    parts.push(
      renderTable(
        ['HOSTNAME', 'TYPE', 'ACCOUNT', 'CURRENT', 'DESIRED', 'PROPAGATION', 'LAST RESULT'],
        list.records.map((r) => [
          r.hostname,
          r.type,
          accountName.get(r.accountId) ?? r.accountId,
          r.state?.applied ?? '-',
          r.state?.desired ?? describeValue(r.value),
          formatDuration(r.state?.propagationMs),
          lastResult(r),
        ]),
      ),
    );
  if (list.accounts.length === 0)
    parts.push('No provider accounts. Add one with `gatehouse ddns provider add`.\n');
  else
    parts.push(
      renderTable(
        ['ACCOUNT', 'KIND', 'CREDENTIALS', 'STATUS'],
        list.accounts.map((a) => [
          a.name,
          a.kind,
          a.credentials.map((c) => `${c.field} ${c.set ? 'set' : 'MISSING'}`).join(', ') || '-',
          a.stopped ? `stopped: ${a.stopped.message}` : a.notBefore ? `waiting until ${a.notBefore}` : 'ok',
        ]),
      ),
    );
  return parts.join('\n');
}

function actionText(a: RunRow['action']): string {
  switch (a.kind) {
    case 'in-sync':
      return `in sync (${a.value})`;
    case 'update':
      return `${a.drift ? 'set back' : 'update'} ${a.previous ?? '(none)'} → ${a.value}`;
    case 'wait':
      return `wait until ${a.until} (${a.reason})`;
    case 'hold':
      return `hold: ${a.reason}`;
  }
}

/** The plan (no results yet) or a run's outcome, one row per record. */
export function renderRuns(runs: readonly RunRow[], mode: 'plan' | 'update'): string {
  if (runs.length === 0) return 'No DDNS records.\n';
  const served = (r: RunRow) => (r.served === null ? '?' : r.served.join(',') || '(none)');
  if (mode === 'plan')
    return renderTable(
      ['HOSTNAME', 'TYPE', 'SERVED', 'PLAN'],
      runs.map((r) => [r.hostname, r.type, served(r), actionText(r.action)]),
    );
  return renderTable(
    ['HOSTNAME', 'TYPE', 'SERVED BEFORE', 'ACTION', 'RESULT', 'PROPAGATION'],
    runs.map((r) => [
      r.hostname,
      r.type,
      served(r),
      actionText(r.action),
      r.result === null ? '-' : `${r.result}${r.result === 'failed' && r.message ? `: ${r.message}` : ''}`,
      formatDuration(r.propagationMs),
    ]),
  );
}

/** An ISO time to the second, "never" for none. */
const isoSeconds = (iso: string | null): string => (iso === null ? 'never' : iso.replace(/\.\d{3}Z$/, 'Z'));

/** `credential list`: never a password or a hash (the rows carry neither). */
export function renderClients(clients: readonly ClientRow[]): string {
  if (clients.length === 0)
    return 'No dyndns2 clients. Add one with `gatehouse ddns credential add NAME --hostname HOSTNAME`.\n';
  return renderTable(
    ['NAME', 'HOSTNAMES', 'TRUSTED', 'CREATED', 'LAST USED'],
    clients.map((c) => [
      c.name,
      c.hostnames.join(','),
      c.trusted ? 'yes' : 'no',
      isoSeconds(c.createdAt),
      isoSeconds(c.lastUsedAt),
    ]),
  );
}

/**
 * `credential add`: the password once, then how to point a router, ddclient or inadyn at the endpoint. The box's
 * own name is a placeholder: the command cannot know which name the router reaches it by.
 */
export function renderClientAdded(added: ClientAdded): string {
  const { client, password } = added;
  const hosts = client.hostnames;
  const trust = client.trusted
    ? 'trusted: an address it pushes is accepted on its own'
    : 'an address it pushes is one vote in the quorum';
  const inadynHosts = hosts.length === 1 ? (hosts[0] ?? '') : `{ ${hosts.map((h) => `"${h}"`).join(', ')} }`;
  return [
    `Added the dyndns2 client "${client.name}" for ${hosts.join(', ')} (${trust}).`,
    '',
    'Its password, shown only this once (Gatehouse keeps only a hash of it):',
    '',
    `    ${password}`,
    '',
    "Point the router's custom DynDNS at this box, user name and password as above (HTTP Basic auth):",
    `    https://<this box>/nic/update?hostname=${hosts.join(',')}&myip=<ipaddr>`,
    '(Until an ACME certificate replaces the self-signed one, a router that checks certificates refuses it.)',
    '',
    'ddclient (ddclient.conf):',
    '    protocol=dyndns2',
    '    ssl=yes',
    '    server=<this box>',
    `    login=${client.name}`,
    "    password='<the password above>'",
    `    ${hosts.join(',')}`,
    '',
    'inadyn (inadyn.conf):',
    '    custom gatehouse {',
    '        ssl         = true',
    `        username    = ${client.name}`,
    '        password    = <the password above>',
    '        ddns-server = <this box>',
    '        ddns-path   = "/nic/update?hostname=%h&myip=%i"',
    `        hostname    = ${inadynHosts}`,
    '    }',
    '',
  ].join('\n');
}

export function renderProviders(providers: readonly ProviderRow[]): string {
  const field = (f: ProviderRow['fields'][number]) =>
    `${f.name}${f.secret ? ' (secret, stdin)' : ''}${f.optional ? ' (optional)' : ''}`;
  return renderTable(
    ['KIND', 'PROVIDER', 'FIELDS'],
    providers.map((p) => [p.kind, p.label, p.fields.map(field).join(', ')]),
  );
}

// ---- the commands ----

export interface DdnsCommandEnv<Flags> extends CommandEnv<Flags, DdnsAccess> {
  readonly readStdin: () => Promise<string>;
}

const exit = exitCodes;

interface Common {
  json?: boolean;
}

/**
 * Adds `gatehouse ddns …` to the program. Failures end in exit 1 with the domain failure's message, mistakes in
 * the command line in exit 2; `--json` prints the answer as the API gives it (an error as `{ "error": … }`).
 */
export function addDdnsCommands<Flags extends object>(program: Command, env: DdnsCommandEnv<Flags>): void {
  const { say, printJson, usage, failed } = commandOutput(env);

  async function get<T>(access: DdnsAccess, schema: z.ZodType<T>, route: DdnsRoute, body?: unknown) {
    const r = await access.call(route, body);
    return r.ok ? readAnswer(schema, r.value) : r;
  }

  async function accountId(access: DdnsAccess, name: string): Promise<Outcome<string>> {
    const list = await get(access, listSchema, 'GET /list');
    if (!list.ok) return list;
    const found = list.value.accounts.find((a) => a.name === name);
    if (found) return ok(found.id);
    const names = list.value.accounts.map((a) => a.name);
    return fail({
      code: 'ddns.account-not-found',
      message: `no provider account named "${name}"${names.length ? `; there are: ${names.join(', ')}` : ''}`,
    });
  }

  const run =
    <A extends unknown[]>(body: (...args: A) => Promise<number>) =>
    (...args: A) =>
      body(...args).then(env.finish);

  const ddns = program
    .command('ddns')
    .description(
      'dynamic DNS: records, provider accounts, plan and update, the credentials of clients that push their address (through the running server, else offline)',
    );

  env
    .withSettings(
      ddns
        .command('list')
        .description(
          'the records with their current and desired value, last result and propagation time; the accounts',
        )
        .option('--json', 'stable JSON output for scripts'),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        if (!(await access.hasState())) {
          if (opts.json) printJson({ records: [], accounts: [] });
          else say(renderList({ records: [], accounts: [] }));
          return exit.ok;
        }
        const r = await get(access, listSchema, 'GET /list');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderList(r.value));
        return exit.ok;
      }),
    );

  env
    .withSettings(
      ddns
        .command('plan')
        .description('what an update would do now (asks the authoritative servers; changes nothing)')
        .option('--json', 'stable JSON output for scripts'),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        if (!(await access.hasState())) {
          if (opts.json) printJson([]);
          else say(renderRuns([], 'plan'));
          return exit.ok;
        }
        const r = await get(access, z.array(runSchema), 'GET /plan');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderRuns(r.value, 'plan'));
        return exit.ok;
      }),
    );

  env
    .withSettings(
      ddns
        .command('update')
        .description(
          'update every record now and wait for the authoritative servers (with no server running, it first finds the public address, as the server would); exit 1 when any update failed',
        )
        .option('--once', 'one run, then exit (the running server keeps the records updated by itself)')
        .option('--json', 'stable JSON output for scripts'),
    )
    .action(
      run(async (opts: Flags & Common & { once?: boolean }) => {
        if (!opts.once)
          return usage(
            'give --once: `gatehouse serve` keeps the records updated by itself; `ddns update --once` makes one run now',
          );
        const r = await get(env.connect(opts), z.array(runSchema), 'POST /update');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderRuns(r.value, 'update'));
        return r.value.some((x) => x.result === 'failed') ? exit.failure : exit.ok;
      }),
    );

  const record = ddns.command('record').description('add or remove a DDNS record');
  env
    .withSettings(
      record
        .command('add')
        .description('manage HOSTNAME: its A or AAAA record follows the public address (or a fixed one)')
        .argument('<hostname>', 'e.g. home.example.com')
        .requiredOption('--type <type>', 'A or AAAA')
        .requiredOption('--account <name>', 'the provider account (see `gatehouse ddns list`)')
        .option('--zone <zone>', 'the zone at the provider (default: the hostname without its first label)')
        .option('--ttl <seconds>', 'time to live (default 60)')
        .option('--fixed <address>', 'a fixed address instead of the public one')
        .option(
          '--device-suffix <suffix>',
          "AAAA of a LAN device: the box's IPv6 prefix + this interface identifier, e.g. ::211:32ff:fe12:3456",
        )
        .option('--json', 'print the record as JSON'),
    )
    .action(
      run(async (hostname: string, opts: Flags & Common & RecordFlags) => {
        const check = recordInput(hostname, opts, 'placeholder');
        if (!check.ok) return usage(check.error.message);
        const access = env.connect(opts);
        const id = await accountId(access, opts.account ?? '');
        if (!id.ok) return failed(id.error, opts.json);
        const input = recordInput(hostname, opts, id.value);
        if (!input.ok) return usage(input.error.message);
        const r = await get(access, recordViewSchema, 'POST /records', input.value);
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(`Added ${r.value.hostname} ${r.value.type} (zone ${r.value.zone}, TTL ${r.value.ttl} s).\n`);
        return exit.ok;
      }),
    );
  env
    .withSettings(
      record
        .command('remove')
        .description('stop managing HOSTNAME (the record at the provider is left as it is)')
        .argument('<hostname>')
        .option('--type <type>', 'only this type (A or AAAA); default: both')
        .option('--json', 'JSON output'),
    )
    .action(
      run(async (hostname: string, opts: Flags & Common & { type?: string }) => {
        const type = opts.type?.toUpperCase();
        if (type !== undefined && type !== 'A' && type !== 'AAAA') return usage('--type must be A or AAAA');
        const access = env.connect(opts);
        const list = await get(access, listSchema, 'GET /list');
        if (!list.ok) return failed(list.error, opts.json);
        const name = normalHostname(hostname);
        const matches = list.value.records.filter(
          (r) => r.hostname === name && (type === undefined || r.type === type),
        );
        if (matches.length === 0)
          return failed(
            { code: 'ddns.record-not-found', message: `no DDNS record ${name}${type ? ` ${type}` : ''}` },
            opts.json,
          );
        const removed: { hostname: string; type: string }[] = [];
        for (const m of matches) {
          const r = await access.call('POST /records/remove', { id: m.id });
          if (!r.ok) return failed(r.error, opts.json);
          removed.push({ hostname: m.hostname, type: m.type });
        }
        if (opts.json) printJson({ removed });
        else say(`Removed ${removed.map((x) => `${x.hostname} ${x.type}`).join(', ')}.\n`);
        return exit.ok;
      }),
    );

  const provider = ddns.command('provider').description('add, test or remove a DNS provider account');
  env
    .withSettings(
      provider
        .command('add')
        .description(
          'add the provider account NAME. Its credentials are read from standard input, as JSON ({"secret": "…"}) or field=value lines — never from the command line, where every user of the machine can read them (ps, /proc) and the shell keeps them in its history. Example: printf \'secret=%s\\n\' "$TSIG_SECRET" | gatehouse ddns provider add home --kind rfc2136 --set server=ns1.example.com --set keyName=gatehouse',
        )
        .argument('<name>', 'a name of your choice, e.g. home')
        .requiredOption('--kind <kind>', 'the provider (see `gatehouse ddns providers`)')
        .option(
          '--set <key=value>',
          'a non-secret setting (repeatable)',
          (v: string, all: string[]) => [...all, v],
          [] as string[],
        )
        .option('--json', 'print the account (without credentials) as JSON'),
    )
    .action(
      run(async (name: string, opts: Flags & Common & { kind?: string; set?: string[] }) => {
        const kind = opts.kind ?? '';
        const settings = parseSettings(opts.set ?? []);
        if (!settings.ok) return usage(settings.error.message);
        const access = env.connect(opts);
        const providers = await get(access, z.array(providerViewSchema), 'GET /providers');
        if (!providers.ok) return failed(providers.error, opts.json);
        const descriptor = providers.value.find((p) => p.kind === kind);
        const kinds = providers.value.map((p) => p.kind);
        // Before reading standard input: a credential on the command line is refused without waiting for input.
        const flags = checkAccountFlags(descriptor, kind, settings.value, kinds);
        if (!flags.ok || !descriptor) return usage(flags.ok ? `unknown kind "${kind}"` : flags.error.message);
        const hasSecrets = descriptor.fields.some((f) => f.secret);
        const secrets = hasSecrets ? parseCredentials(await env.readStdin()) : ok({});
        if (!secrets.ok) return usage(secrets.error.message);
        const checked = checkCredentials(descriptor, secrets.value);
        if (!checked.ok) return usage(checked.error.message);
        const r = await get(access, accountViewSchema, 'POST /accounts', {
          name,
          kind,
          settings: settings.value,
          secrets: secrets.value,
        });
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else
          say(
            `Added the ${r.value.provider} account "${r.value.name}" (credentials: ${
              r.value.credentials.map((c) => `${c.field} ${c.set ? 'stored' : 'MISSING'}`).join(', ') ||
              'none'
            }). Test it with \`gatehouse ddns provider test ${r.value.name}\`.\n`,
          );
        return exit.ok;
      }),
    );
  env
    .withSettings(
      provider
        .command('test')
        .description("test the account's stored credentials (and a zone, when given); changes nothing")
        .argument('<name>')
        .option('--zone <zone>', 'also check that the account may update this zone')
        .option('--json', 'JSON output'),
    )
    .action(
      run(async (name: string, opts: Flags & Common & { zone?: string }) => {
        const access = env.connect(opts);
        const id = await accountId(access, name);
        if (!id.ok) return failed(id.error, opts.json);
        const r = await get(access, z.object({ detail: z.string() }), 'POST /accounts/test', {
          id: id.value,
          ...(opts.zone === undefined ? {} : { zone: opts.zone }),
        });
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(`OK: ${r.value.detail}\n`);
        return exit.ok;
      }),
    );
  env
    .withSettings(
      provider
        .command('remove')
        .description('remove the account and its stored credentials (refused while records use it)')
        .argument('<name>')
        .option('--json', 'JSON output'),
    )
    .action(
      run(async (name: string, opts: Flags & Common) => {
        const access = env.connect(opts);
        const id = await accountId(access, name);
        if (!id.ok) return failed(id.error, opts.json);
        const r = await access.call('POST /accounts/remove', { id: id.value });
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson({ removed: name });
        else say(`Removed the account "${name}" and its credentials.\n`);
        return exit.ok;
      }),
    );

  const credential = ddns
    .command('credential')
    .description(
      'the credentials of routers, ddclient or inadyn that push their WAN address to this box (dyndns2, /nic/update)',
    );
  env
    .withSettings(
      credential
        .command('add')
        .description(
          'add the client NAME (its Basic-auth user name) that may push for the given hostnames; prints its generated password once',
        )
        .argument('<name>', 'a-z, 0-9, ".", "_" and "-", e.g. fritzbox')
        .option(
          '--hostname <fqdn>',
          'a hostname it may push for (repeatable; at least one)',
          (v: string, all: string[]) => [...all, v],
          [] as string[],
        )
        .option(
          '--trusted',
          'accept the address it pushes on its own (otherwise it is one vote in the address quorum)',
        )
        .option('--json', 'print {client, password} as JSON'),
    )
    .action(
      run(async (name: string, opts: Flags & Common & { hostname?: string[]; trusted?: boolean }) => {
        const input = clientInput(name, opts.hostname ?? [], opts.trusted === true);
        if (!input.ok) return usage(input.error.message);
        const r = await get(env.connect(opts), clientAddedSchema, 'POST /credentials', input.value);
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderClientAdded(r.value));
        return exit.ok;
      }),
    );
  env
    .withSettings(
      credential
        .command('remove')
        .description('remove the client NAME: its password stops working at once')
        .argument('<name>')
        .option('--json', 'JSON output'),
    )
    .action(
      run(async (name: string, opts: Flags & Common) => {
        const checked = clientName(name);
        if (!checked.ok) return usage(checked.error.message);
        const r = await get(env.connect(opts), clientRemovedSchema, removeCredentialRoute(checked.value));
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson({ removed: r.value.client });
        else say(`Removed the dyndns2 client "${r.value.client.name}": its password no longer works.\n`);
        return exit.ok;
      }),
    );
  env
    .withSettings(
      credential
        .command('list')
        .description('the clients: hostnames, trusted, created, last used (never a password)')
        .option('--json', 'stable JSON output for scripts'),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        if (!(await access.hasState())) {
          if (opts.json) printJson({ clients: [] });
          else say(renderClients([]));
          return exit.ok;
        }
        const r = await get(access, clientListSchema, 'GET /credentials');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderClients(r.value.clients));
        return exit.ok;
      }),
    );

  env
    .withSettings(
      ddns
        .command('providers')
        .description('the provider kinds and their fields (secret ones are read from standard input)')
        .option('--json', 'JSON output'),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const r = await get(env.connect(opts), z.array(providerViewSchema), 'GET /providers');
        if (!r.ok) return failed(r.error, opts.json);
        if (opts.json) printJson(r.value);
        else say(renderProviders(r.value));
        return exit.ok;
      }),
    );
}

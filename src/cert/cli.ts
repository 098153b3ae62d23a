/**
 * @module `gatehouse cert status|issue|renew`: the command definitions, the pure parts (flags → request bodies,
 * the status and result texts, the remedies) over one port — a call of the certificate control routes
 * (src/cert/control-routes.ts), answered by the running server on its socket or, with no server, by the same routes
 * on the store (src/cli.ts decides which). Answers are checked here with zod; secrets (the EAB HMAC key) come only
 * from standard input and are never printed.
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import {
  checkAnswer,
  commandOutput,
  type CommandEnv,
  errorPrefix,
  exitCodes,
} from '../control/cli-output.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import { describeLeft, failureRemedies } from './conditions.js';
import { formatWhen } from './renewal.js';
import { certViewSchema, issuedViewSchema, knownDirectories, type CertView } from './view.js';

export type CertMethod = 'GET' | 'PUT' | 'POST';

/** An answer of the control routes, and whether it came from the store because no server runs. */
export interface CertAnswer {
  readonly value: unknown;
  readonly offline: boolean;
}

/** Port: one call of the certificate control routes (paths under `/v1/cert`), wherever it is answered. */
export interface CertAccess {
  call(method: CertMethod, path: string, body?: unknown): Promise<Outcome<CertAnswer>>;
  /** False when no server runs and there is no store yet: `status` says so without making a data directory. */
  hasState(): Promise<boolean>;
}

// ---- answers ----

export type IssuedView = z.infer<typeof issuedViewSchema>;

/** POST /issue and /renew with waiting: the new certificate, or why the order failed. */
export const runAnswerSchema = z.union([
  z.object({ ok: z.literal(true), current: issuedViewSchema.nullable() }),
  z.object({ ok: z.literal(false), error: z.object({ kind: z.string(), message: z.string() }) }),
]);
export type RunAnswer = z.infer<typeof runAnswerSchema>;

/** Checks an answer (`cert.bad-answer` when it does not match: a server of another version, say). */
export function readAnswer<T>(schema: z.ZodType<T>, value: unknown): Outcome<T> {
  return checkAnswer(schema, value, 'cert.bad-answer');
}

// ---- flags → requests (pure) ----

export interface IssueFlags {
  readonly directory?: string;
  readonly email?: string;
  readonly agreeTos?: boolean;
  readonly eabKid?: string;
  readonly eabHmacKeyStdin?: boolean;
  readonly caBundle?: string;
  readonly name?: readonly string[];
  readonly challenge?: 'auto' | 'http-01' | 'dns-01';
  readonly keyType?: 'ecdsa-p256' | 'rsa-2048';
}

/** What `cert issue` sets before ordering, as the command line says it. */
export interface IssuePlan {
  /** The account is changed (PUT /account) when any of its flags is given. */
  readonly account: boolean;
  readonly directoryUrl?: string;
  readonly email?: string;
  readonly agreeTerms: boolean;
  readonly eabKid?: string;
  /** The EAB HMAC key is to be read from standard input. */
  readonly readHmacKey: boolean;
  readonly caBundleFile?: string;
  /** The names/challenge/key type are changed (PUT /certificate) when any of their flags is given. */
  readonly certificate: boolean;
  readonly names?: readonly string[];
  readonly challenge?: 'auto' | 'http-01' | 'dns-01';
  readonly keyType?: 'ecdsa-p256' | 'rsa-2048';
}

const usageError = (message: string): Outcome<never> => fail({ code: 'usage', message });

/** `letsencrypt`, `letsencrypt-staging` or an https:// URL → the directory URL. */
export function resolveDirectory(text: string): Outcome<string> {
  const s = text.trim();
  const known = Object.entries(knownDirectories).find(([alias]) => alias === s.toLowerCase());
  if (known) return ok(known[1]);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return usageError(
      `--directory ${s}: give letsencrypt, letsencrypt-staging or the https:// URL of an ACME directory`,
    );
  }
  if (url.protocol !== 'https:')
    return usageError(`--directory ${s}: an ACME directory is an https:// URL (RFC 8555 requires HTTPS)`);
  return ok(s);
}

/** The command line of `cert issue`, checked before anything is read or asked. */
export function parseIssueFlags(flags: IssueFlags): Outcome<IssuePlan> {
  const hmac = flags.eabHmacKeyStdin === true;
  if (flags.eabKid !== undefined && !hmac)
    return usageError('--eab-kid needs the HMAC key on standard input: add --eab-hmac-key-stdin');
  if (hmac && flags.eabKid === undefined)
    return usageError('--eab-hmac-key-stdin needs the key id: add --eab-kid KID');
  let directoryUrl: string | undefined;
  if (flags.directory !== undefined) {
    const d = resolveDirectory(flags.directory);
    if (!d.ok) return d;
    directoryUrl = d.value;
  }
  const names = (flags.name ?? []).map((n) => n.trim()).filter((n) => n !== '');
  if (flags.name !== undefined && names.length === 0) return usageError('--name needs a hostname');
  const account =
    directoryUrl !== undefined ||
    flags.email !== undefined ||
    flags.agreeTos === true ||
    flags.eabKid !== undefined ||
    flags.caBundle !== undefined;
  const certificate = names.length > 0 || flags.challenge !== undefined || flags.keyType !== undefined;
  return ok({
    account,
    ...(directoryUrl === undefined ? {} : { directoryUrl }),
    ...(flags.email === undefined ? {} : { email: flags.email.trim() }),
    agreeTerms: flags.agreeTos === true,
    ...(flags.eabKid === undefined ? {} : { eabKid: flags.eabKid }),
    readHmacKey: hmac,
    ...(flags.caBundle === undefined ? {} : { caBundleFile: flags.caBundle }),
    certificate,
    ...(names.length === 0 ? {} : { names }),
    ...(flags.challenge === undefined ? {} : { challenge: flags.challenge }),
    ...(flags.keyType === undefined ? {} : { keyType: flags.keyType }),
  });
}

/**
 * The body of PUT /account: the directory given, else the one set up; the terms agreed only with --agree-tos; the
 * email, EAB and CA bundle only when given (the server keeps the others).
 */
export function accountBody(
  plan: IssuePlan,
  existing: CertView['account'],
  secrets: { readonly hmacKey?: string; readonly caBundlePem?: string },
): Outcome<Record<string, unknown>> {
  const directoryUrl = plan.directoryUrl ?? existing?.directoryUrl;
  if (directoryUrl === undefined)
    return usageError(
      'no CA is set up yet: give --directory letsencrypt (or letsencrypt-staging, or an https:// URL)',
    );
  return ok({
    directoryUrl,
    agreeTerms: plan.agreeTerms,
    ...(plan.email === undefined ? {} : { email: plan.email }),
    ...(plan.eabKid === undefined || secrets.hmacKey === undefined
      ? {}
      : { eab: { kid: plan.eabKid, hmacKey: secrets.hmacKey } }),
    ...(secrets.caBundlePem === undefined ? {} : { caBundlePem: secrets.caBundlePem }),
  });
}

/**
 * The body of PUT /certificate: what is given over what is set up (a new --key-type keeps the names and the
 * challenge), the server's defaults for a first certificate.
 */
export function certificateBody(
  plan: IssuePlan,
  existing: CertView['certificate'],
  suggested: readonly string[],
): Outcome<Record<string, unknown>> {
  const names = plan.names ?? existing?.names;
  if (names === undefined)
    return usageError(
      `no names are set up yet: give --name HOST${suggested.length > 0 ? ` (DDNS keeps ${suggested.join(', ')} pointed here)` : ''}`,
    );
  return ok({
    names: [...names],
    challenge: plan.challenge ?? existing?.challenge ?? 'auto',
    keyType: plan.keyType ?? existing?.keyType ?? 'ecdsa-p256',
  });
}

/** An HMAC key piped in: the text without its line end; empty is a mistake. */
export function readHmacKey(stdin: string): Outcome<string> {
  const key = stdin.replace(/\r?\n$/, '').trim();
  if (key === '') return usageError('--eab-hmac-key-stdin: standard input was empty (pipe the HMAC key in)');
  return ok(key);
}

/** A CA bundle file's text: undefined when unreadable; it must hold PEM certificates. */
export function checkCaBundle(file: string, text: string | undefined): Outcome<string> {
  if (text === undefined) return usageError(`--ca-bundle ${file}: cannot read the file`);
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    return usageError(`--ca-bundle ${file}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return ok(text);
}

// ---- remedies (pure) ----

const cliRemedies: Readonly<Record<string, string>> = {
  challenge:
    'The CA could not validate a challenge: `gatehouse cert status` shows which one. For HTTP-01 forward TCP 80 to ' +
    'this box (or turn on UPnP / NAT-PMP); for DNS-01 check the DNS provider account can write TXT records.',
  rejected:
    'The CA refused the order: its message says why (a CAA record, a name it does not issue for, a policy). Fix ' +
    'that, then run `gatehouse cert renew`.',
  transient:
    'A passing problem at the CA or on the way to it: the server retries with a growing pause, or run ' +
    '`gatehouse cert renew` in a few minutes.',
};

/** What to do about a failed order, by its kind (and for a challenge, its type). */
export function remedyForFailure(kind: string, challenge: 'http-01' | 'dns-01' | null): string | undefined {
  const key = kind === 'challenge' ? challenge : kind;
  if (key !== null && Object.hasOwn(failureRemedies, key))
    return failureRemedies[key as keyof typeof failureRemedies];
  return Object.hasOwn(cliRemedies, kind) ? cliRemedies[kind] : undefined;
}

/** What to do about a refusal of the control routes, in this command's flags. */
export function remedyForCode(code: string, suggested: readonly string[] = []): string | undefined {
  switch (code) {
    case 'cert.server-not-running':
      return 'start the server (`gatehouse serve`, or its system service), then run the command again';
    case 'cert.no-account':
      return 'choose a CA and agree to its terms: gatehouse cert issue --directory letsencrypt --email you@example.com --agree-tos';
    case 'cert.terms-not-agreed':
      return "read the CA's terms of service (the link above), then run the command again with --agree-tos";
    case 'cert.eab-required':
      return 'give --eab-kid KID and pipe the HMAC key from your CA account into --eab-hmac-key-stdin';
    case 'cert.no-names':
      return `give the names: --name HOST${suggested.length > 0 ? ` (DDNS keeps ${suggested.join(', ')} pointed here)` : ''}`;
    case 'cert.off':
      return 'set "acme": { "enabled": true } in the config file and restart Gatehouse';
    case 'cert.ca-unreachable':
      return failureRemedies.unreachable;
    case 'cert.ca-refused':
      return 'check the directory URL, the email, and for ZeroSSL or Google the External Account Binding key id and HMAC key';
    default:
      return undefined;
  }
}

// ---- text (pure) ----

/** "expires in 62 days" / "expired 3 days ago". */
export function expiryText(notAfter: string, now: Date): string {
  const ms = Date.parse(notAfter) - now.getTime();
  return ms > 0 ? `expires in ${describeLeft(ms)}` : `expired ${describeLeft(-ms)} ago`;
}

const at = (iso: string) => formatWhen(new Date(iso));

const stateLabels: Readonly<Record<CertView['renewal']['state'], string>> = {
  none: 'nothing to do',
  waiting: 'waiting',
  due: 'due now',
  running: 'running now',
  failing: 'failing',
  stopped: 'stopped',
};

function directoryLabel(url: string): string {
  if (url === knownDirectories.letsencrypt) return `Let's Encrypt (${url})`;
  if (url === knownDirectories['letsencrypt-staging']) return `Let's Encrypt staging (${url})`;
  return url;
}

function servedText(v: CertView, offline: boolean, now: Date): string {
  const s = v.serving;
  if (s.kind === 'acme')
    return `${offline ? 'at start: ' : ''}the CA-issued certificate for ${s.names.join(', ')}${s.notAfter === null ? '' : ` (${expiryText(s.notAfter, now)})`}`;
  if (s.kind === 'bootstrap') return 'the self-signed certificate (browsers warn)';
  return offline ? 'nothing (the server is not running)' : 'nothing: the web UI listens on plain HTTP';
}

/** `gatehouse cert status`: what is served, the names, the current certificate, the renewal, errors and remedies. */
export function renderStatus(
  v: CertView,
  context: { readonly offline: boolean; readonly now: Date },
): string {
  const { now, offline } = context;
  const out: string[] = [];
  const row = (label: string, value: string) => out.push(`${`${label}:`.padEnd(12)}${value}`);
  if (offline)
    out.push(
      'The server is not running: this is what the store holds. Issuing and renewing need the server.',
      '',
    );
  if (!v.enabled) out.push('Certificates are turned off (acme.enabled is false in the config file).', '');
  row('Served', servedText(v, offline, now));
  if (v.certificate === null) {
    out.push(
      '',
      'No certificate is set up. Get one:',
      `  gatehouse cert issue --directory letsencrypt --email you@example.com --agree-tos --name ${v.suggestedNames[0] ?? 'HOST'}`,
    );
    if (v.suggestedNames.length > 0)
      out.push(`DDNS keeps these names pointed here: ${v.suggestedNames.join(', ')}`);
    return `${out.join('\n')}\n`;
  }
  row(
    'Names',
    `${v.certificate.names.join(', ')} (challenge: ${v.certificate.challenge}, key: ${v.certificate.keyType})`,
  );
  const c = v.current;
  if (c === null) row('Current', 'none issued yet');
  else {
    row(
      'Current',
      `${c.names.join(', ')}, serial ${c.serial}, ${expiryText(c.notAfter, now)} (${at(c.notAfter)})`,
    );
    row('Issuer', c.issuer);
    row('Issued', `${at(c.issuedAt)} with ${c.challenge}`);
  }
  const r = v.renewal;
  row('Renewal', `${stateLabels[r.state]}: ${r.reason}`);
  if (r.ari !== null)
    row(
      'ARI window',
      `${at(r.ari.start)} – ${at(r.ari.end)}${r.ari.explanationUrl === null ? '' : ` (${r.ari.explanationUrl})`}`,
    );
  if (r.lastError !== null && r.failures > 0) {
    const e = r.lastError;
    row(
      'Last error',
      `${at(e.at)}, ${e.kind}${e.challenge === null ? '' : ` (${e.challenge})`}, ${r.failures} failure${r.failures === 1 ? '' : 's'} in a row: ${e.message}`,
    );
    const remedy = remedyForFailure(e.kind, e.challenge);
    if (remedy !== undefined) row('What to do', remedy);
  }
  const ch = v.challenge;
  row('Challenge', ch.chosen === null ? `none usable: ${ch.why}` : `${ch.chosen}: ${ch.why}`);
  for (const w of ch.warnings) row('Warning', w);
  const a = v.account;
  if (a === null) row('CA', 'none set up (give --directory with `gatehouse cert issue`)');
  else {
    row('CA', directoryLabel(a.directoryUrl));
    row(
      'Account',
      [
        a.email ?? 'no email',
        a.termsOfService === null
          ? 'the CA has no terms'
          : a.termsAgreedAt === null
            ? `terms NOT agreed (${a.termsOfService})`
            : `terms agreed ${at(a.termsAgreedAt)}`,
        ...(a.eabKid === null
          ? []
          : [`EAB key id ${a.eabKid}${a.eabHmacKeySet ? '' : ' (HMAC key missing)'}`]),
        ...(a.caBundleSet ? ['extra CA bundle'] : []),
        a.accountUrl === null ? 'not registered yet' : 'registered',
      ].join(', '),
    );
  }
  if (v.history.length > 0)
    row('History', `${v.history.length} earlier certificate${v.history.length === 1 ? '' : 's'} kept`);
  return `${out.join('\n')}\n`;
}

/** The line after a successful order. */
export function renderIssued(kind: 'issue' | 'renew', c: IssuedView, now: Date): string {
  return (
    `${kind === 'issue' ? 'Issued a certificate' : 'Renewed the certificate'} for ${c.names.join(', ')} ` +
    `(issuer ${c.issuer}, serial ${c.serial}, via ${c.challenge}): valid until ${at(c.notAfter)}, ` +
    `${expiryText(c.notAfter, now)}. The server serves it now.\n`
  );
}

// ---- the commands ----

export interface CertCommandEnv<Flags> extends CommandEnv<Flags, CertAccess> {
  readonly readStdin: () => Promise<string>;
  /** A file's text relative to the working directory; undefined when it cannot be read. */
  readonly readFile: (file: string) => string | undefined;
  readonly now: () => Date;
  /** Waits between looks at an order someone else started. */
  readonly sleep: (ms: number) => Promise<void>;
}

const exit = exitCodes;

/** How long `issue`/`renew` wait for an order the server started itself (an order has its own deadlines). */
const busyPollMs = 1000;
const busyMaxPolls = 30 * 60;

interface Common {
  json?: boolean;
}

/**
 * Adds `cert status|issue|renew`. Failures end in exit 1 with the message and what to do, mistakes in the command
 * line in exit 2; `--json` prints the answer as the control routes give it (an error as `{ "error": … }`).
 */
export function addCertCommands<Flags extends object>(program: Command, env: CertCommandEnv<Flags>): void {
  const { say, printJson, usage, failed } = commandOutput(env);
  const run =
    <A extends unknown[]>(body: (...args: A) => Promise<number>) =>
    (...args: A) =>
      body(...args).then(env.finish);

  async function call<T>(
    access: CertAccess,
    schema: z.ZodType<T>,
    method: CertMethod,
    path: string,
    body?: unknown,
  ): Promise<Outcome<{ value: T; offline: boolean }>> {
    const r = await access.call(method, path, body);
    if (!r.ok) return r;
    const checked = readAnswer(schema, r.value.value);
    return checked.ok ? ok({ value: checked.value, offline: r.value.offline }) : checked;
  }
  const status = (access: CertAccess) => call(access, certViewSchema, 'GET', '/status');

  /**
   * An order already runs (the server's loop starts one as soon as the names are set): waits for it to end and
   * tells its outcome by what changed against `before`.
   */
  async function awaitRunning(access: CertAccess, before: CertView): Promise<Outcome<RunAnswer>> {
    env.stderr('A certificate order is already running on the server; waiting for it to finish…\n');
    for (let i = 0; i < busyMaxPolls; i++) {
      const v = await status(access);
      if (!v.ok) return v;
      const now = v.value.value;
      if (now.renewal.state !== 'running') {
        if (now.current !== null && now.current.serial !== before.current?.serial)
          return ok({ ok: true, current: now.current });
        const e = now.renewal.lastError;
        if (
          e !== null &&
          (e.at !== before.renewal.lastError?.at || now.renewal.failures !== before.renewal.failures)
        )
          return ok({ ok: false, error: { kind: e.kind, message: e.message } });
        return fail({
          code: 'cert.busy',
          message:
            'the order that was running ended without a new certificate or error; run the command again',
        });
      }
      await env.sleep(busyPollMs);
    }
    return fail({
      code: 'cert.busy',
      message: 'an order has been running for 30 minutes; see the server log',
    });
  }

  /** POST /issue or /renew, waiting; then the result in words or JSON. */
  async function order(
    access: CertAccess,
    kind: 'issue' | 'renew',
    before: CertView,
    json: boolean | undefined,
    saved: boolean,
  ): Promise<number> {
    const r = await call(access, runAnswerSchema, 'POST', `/${kind}`, { wait: true });
    const answer: Outcome<RunAnswer> =
      !r.ok && r.error.code === 'cert.busy'
        ? await awaitRunning(access, before)
        : r.ok
          ? ok(r.value.value)
          : r;
    if (!answer.ok) {
      const note = saved ? 'The settings given with this command were saved.' : undefined;
      return failed(answer.error, json, {
        remedy: remedyForCode(answer.error.code, before.suggestedNames),
        note,
      });
    }
    const result = answer.value;
    if (result.ok) {
      if (json) printJson(result);
      else if (result.current !== null) say(renderIssued(kind, result.current, env.now()));
      return exit.ok;
    }
    // The certificate's record says which challenge failed (a better remedy) and what keeps serving.
    const after = await status(access);
    const last = after.ok ? after.value.value.renewal.lastError : null;
    const challenge = last !== null && last.kind === result.error.kind ? last.challenge : null;
    const remedy = remedyForFailure(result.error.kind, challenge);
    if (json)
      printJson({ ok: false, error: { ...result.error, ...(remedy === undefined ? {} : { remedy }) } });
    const serving = after.ok ? after.value.value.serving.kind : null;
    env.stderr(
      `${errorPrefix}${kind === 'issue' ? 'issuing the certificate' : 'renewing the certificate'} failed ` +
        `(${result.error.kind}${challenge === null ? '' : `, ${challenge}`}): ${result.error.message}\n` +
        (remedy === undefined ? '' : `  what to do: ${remedy}\n`) +
        (serving === 'acme'
          ? '  The previous certificate keeps serving.\n'
          : serving === 'bootstrap'
            ? '  The self-signed certificate keeps serving.\n'
            : ''),
    );
    return exit.failure;
  }

  const cert = program
    .command('cert')
    .description(
      "TLS certificates from an ACME CA (Let's Encrypt, ZeroSSL, …): status, issue, renew (through the running server; status and settings also offline)",
    );

  env
    .withSettings(
      cert
        .command('status')
        .description(
          'what is served, the names, expiry, when it renews and why (ARI or a third of the lifetime), the last error and what to do, the challenge',
        )
        .option('--json', 'the certificate view as JSON (as GET /api/v1/cert gives it)'),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        if (!(await access.hasState())) {
          const message = 'nothing is set up yet (no data directory, no server): no certificate';
          if (opts.json) return failed({ code: 'cert.not-initialized', message }, true);
          say(
            'Nothing is set up yet (no data directory and no server running): no certificate.\n' +
              'Get one: gatehouse cert issue --directory letsencrypt --email you@example.com --agree-tos --name HOST\n',
          );
          return exit.ok;
        }
        const v = await status(access);
        if (!v.ok) return failed(v.error, opts.json);
        if (opts.json) printJson(v.value.value);
        else say(renderStatus(v.value.value, { offline: v.value.offline, now: env.now() }));
        return exit.ok;
      }),
    );

  env
    .withSettings(
      cert
        .command('issue')
        .description(
          'set the CA account and names when given, then order a certificate now and wait for it; exit 0 issued, 1 failed (with what to do), 2 usage',
        )
        .option(
          '--directory <ca>',
          'letsencrypt, letsencrypt-staging, or the https:// URL of an ACME directory',
        )
        .option('--email <address>', 'contact email for the CA account (expiry notices)')
        .option('--agree-tos', "agree to the CA's terms of service (read them first; never implied)")
        .option('--eab-kid <kid>', 'External Account Binding key id (ZeroSSL, Google)')
        .option('--eab-hmac-key-stdin', 'read the External Account Binding HMAC key from standard input')
        .option('--ca-bundle <file>', "PEM file of extra CA certificates to trust for the CA's own HTTPS")
        .option(
          '--name <name>',
          'a name for the certificate (repeatable; *.example.com needs DNS-01); replaces the names set up',
          (v: string, all?: string[]) => [...(all ?? []), v],
        )
        .addOption(
          new Option(
            '--challenge <type>',
            'how the CA checks the names (auto: from the reachability)',
          ).choices(['auto', 'http-01', 'dns-01']),
        )
        .addOption(
          new Option('--key-type <type>', "the certificate's key").choices(['ecdsa-p256', 'rsa-2048']),
        )
        .option('--json', 'print the result as JSON'),
    )
    .action(
      run(async (opts: Flags & Common & IssueFlags) => {
        const plan = parseIssueFlags(opts);
        if (!plan.ok) return usage(plan.error.message);
        const p = plan.value;
        let hmacKey: string | undefined;
        if (p.readHmacKey) {
          const key = readHmacKey(await env.readStdin());
          if (!key.ok) return usage(key.error.message);
          hmacKey = key.value;
        }
        let caBundlePem: string | undefined;
        if (p.caBundleFile !== undefined) {
          const bundle = checkCaBundle(p.caBundleFile, env.readFile(p.caBundleFile));
          if (!bundle.ok) return usage(bundle.error.message);
          caBundlePem = bundle.value;
        }
        const access = env.connect(opts);
        const first = await status(access);
        if (!first.ok) return failed(first.error, opts.json);
        let view = first.value.value;
        let saved = false;
        if (p.account) {
          const body = accountBody(p, view.account, {
            ...(hmacKey === undefined ? {} : { hmacKey }),
            ...(caBundlePem === undefined ? {} : { caBundlePem }),
          });
          if (!body.ok) return usage(body.error.message);
          const r = await call(access, certViewSchema, 'PUT', '/account', body.value);
          if (!r.ok) return failed(r.error, opts.json, { remedy: remedyForCode(r.error.code) });
          view = r.value.value;
          saved = true;
        }
        if (p.certificate) {
          const body = certificateBody(p, view.certificate, view.suggestedNames);
          if (!body.ok) return usage(body.error.message);
          const r = await call(access, certViewSchema, 'PUT', '/certificate', body.value);
          if (!r.ok) return failed(r.error, opts.json, { remedy: remedyForCode(r.error.code) });
          view = r.value.value;
          saved = true;
        }
        return order(access, 'issue', view, opts.json, saved);
      }),
    );

  env
    .withSettings(
      cert
        .command('renew')
        .description('renew the certificate now and wait for it; exit 0 renewed, 1 failed (with what to do)')
        .option('--json', 'print the result as JSON'),
    )
    .action(
      run(async (opts: Flags & Common) => {
        const access = env.connect(opts);
        const before = await status(access);
        if (!before.ok) return failed(before.error, opts.json);
        return order(access, 'renew', before.value.value, opts.json, false);
      }),
    );
}

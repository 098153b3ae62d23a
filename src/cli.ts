/**
 * @module The `gatehouse` command: serve, status, setup-token, doctor, admin reset-password, ddns, cert, and
 * WireGuard's peer, service, grant, revoke and wg.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { z } from 'zod';
import { passwordSchema } from './auth/passwords.js';
import { ensureSetupToken } from './auth/setup-token.js';
import { loadConfig, type AppConfig } from './config/index.js';
import { FatalStartupError, describeError } from './core/errors.js';
import { nodePrivateFiles } from './core/node-fs.js';
import { startGatehouse } from './main.js';
import { probeBeforeOfflineDdnsRun, resetAdminPassword, runReachabilityProbe } from './offline.js';
import type { ReachabilityReport } from './reach/probe.js';
import { reportJson, reportText } from './reach/report-format.js';
import { ensureDataDir, lockHolder } from './store/data-dir.js';
import { readStoreSnapshot } from './store/lowdb-store.js';
import { commanderError, errorPrefix, exitCodes } from './control/cli-output.js';
import { readStoreOffline } from './control/offline.js';
import { createControlClient, type ControlClient } from './control/socket-client.js';
import { controlSocketPath } from './control/socket-path.js';
import { gatherStatus, renderStatusText, statusExitCode, statusExitCodes } from './control/status-report.js';
import { readVersion } from './version.js';
import { coreAuditTypes } from './audit/core-types.js';
import { runLocalCommand } from './control/offline.js';
import type { CertCapability } from './cert/capability.js';
import { addCertCommands, type CertAccess, type CertAnswer } from './cert/cli.js';
import type { DdnsCapability } from './ddns/capability.js';
import { addDdnsCommands, callOffline, type DdnsAccess } from './ddns/cli.js';
import { createCapabilities, createPorts, reachabilityAdapters } from './main.js';
import { openLowdbStore } from './store/lowdb-store.js';
import { createControlApi } from './control/api.js';
import type { Capability } from './core/capability.js';
import type { Logger } from './core/log.js';
import { fail, ok, type Outcome } from './core/outcome.js';
import type { WireguardCapability } from './wireguard/capability.js';
import {
  addWireguardCommands,
  answerOf,
  offlineRefusal,
  reachableUrl,
  readOnlyRunner,
  refusingLauncher,
  type WireguardAccess,
} from './wireguard/cli.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly readStdin: () => Promise<string>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `serve` returns then. */
  readonly untilStopped: () => Promise<void>;
  readonly fetch: typeof fetch;
}

/** What the commands reach beyond this process with; the real adapters unless a test scripts them. */
export interface CliDeps {
  /** One reachability probe for `gatehouse doctor`, with the resolved settings. */
  readonly probeReachability: (config: AppConfig) => Promise<ReachabilityReport>;
}

const realDeps: CliDeps = { probeReachability: (config) => runReachabilityProbe(config) };

class UsageError extends Error {}

interface SettingFlags {
  dataDir?: string;
  listen?: string;
  insecureHttp?: boolean;
  logLevel?: string;
  trustProxy?: boolean;
  allowedHosts?: string;
  config?: string;
}

function addSettingOptions(cmd: Command, all: boolean): Command {
  cmd
    .option('--data-dir <dir>', 'data directory (env GATEHOUSE_DATA_DIR, default ./data)')
    .option('--config <file>', 'JSON config file (env GATEHOUSE_CONFIG)');
  if (all) {
    cmd
      .option('--listen <host:port>', 'listen address (env GATEHOUSE_LISTEN, default 127.0.0.1:8080)')
      .option('--insecure-http', 'allow plain HTTP on a non-loopback address (env GATEHOUSE_INSECURE_HTTP)')
      .addOption(
        new Option('--log-level <level>', 'log level (env GATEHOUSE_LOG_LEVEL)').choices([
          'fatal',
          'error',
          'warn',
          'info',
          'debug',
          'trace',
          'silent',
        ]),
      )
      .option('--trust-proxy', 'take the client address from X-Forwarded-For (env GATEHOUSE_TRUST_PROXY)')
      .option(
        '--allowed-hosts <names>',
        'comma-separated names the UI is reached by besides its own (env GATEHOUSE_ALLOWED_HOSTS)',
      );
  } else {
    cmd.option('--listen <host:port>', 'listen address, to find the running server (env GATEHOUSE_LISTEN)');
  }
  return cmd;
}

function resolveConfig(io: CliIo, flags: SettingFlags): AppConfig {
  const result = loadConfig({
    flags: {
      dataDir: flags.dataDir,
      listen: flags.listen,
      insecureHttp: flags.insecureHttp,
      logLevel: flags.logLevel,
      trustProxy: flags.trustProxy,
      allowedHosts: flags.allowedHosts,
      config: flags.config,
    },
    env: io.env,
    cwd: io.cwd,
    readFile: (file) => nodePrivateFiles.read(file),
  });
  if (!result.ok) {
    if (result.error.message.startsWith('command line')) throw new UsageError(result.error.message);
    throw new FatalStartupError(result.error.message);
  }
  return result.value;
}

async function cmdServe(io: CliIo, flags: SettingFlags): Promise<number> {
  const config = resolveConfig(io, flags);
  const gatehouse = await startGatehouse(config);
  await io.untilStopped();
  gatehouse.logger.info({}, 'stopping');
  await gatehouse.stop();
  return exitCodes.ok;
}

/**
 * `gatehouse status`: the running server's status cards over the control socket, or — when none runs — what the
 * store shows, read under the data-directory lock. Exit 0 once it has said what it found (4 when it cannot tell);
 * with `--check`, the LSB status codes in src/control/status-report.ts (0/1/3/4) for scripts and monitors.
 */
async function cmdStatus(
  io: CliIo,
  flags: SettingFlags & { json?: boolean; check?: boolean },
): Promise<number> {
  const config = resolveConfig(io, flags);
  const scheme = config.tls ? 'https' : 'http';
  const host = config.listen.host;
  const outcome = await gatherStatus({
    dataDir: config.dataDir,
    cliVersion: readVersion(),
    configuredUrl: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${config.listen.port}`,
    client: createControlClient(controlSocketPath(config.dataDir)),
    lockHolder: () => lockHolder(config.dataDir),
    readSnapshot: () => readStoreSnapshot(config.dataDir),
    readOffline: () => readStoreOffline(config.dataDir),
    healthz: (url) => checkHealthz(io, url),
  });
  if (!outcome.ok) {
    if (flags.json) io.stdout(`${JSON.stringify({ error: outcome.error }, null, 2)}\n`);
    io.stderr(`${errorPrefix}${outcome.error.message}\n`);
    return statusExitCodes.unknown;
  }
  const report = outcome.value;
  io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatusText(report));
  return flags.check ? statusExitCode(report) : statusExitCodes.ok;
}

/** GET /healthz on the public listener; null over HTTPS (its self-signed bootstrap certificate is not trusted). */
async function checkHealthz(io: CliIo, url: string): Promise<boolean | null> {
  if (!url.startsWith('http:')) return null;
  const probe = url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
  try {
    const res = await io.fetch(`${probe}/healthz`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

function cmdSetupToken(io: CliIo, flags: SettingFlags & { json?: boolean }): number {
  const config = resolveConfig(io, flags);
  const state = readStoreSnapshot(config.dataDir);
  if (state && state.setupCompletedAt !== null) {
    io.stderr(
      'Setup is already complete; there is no setup token. Log in, or use `gatehouse admin reset-password`.\n',
    );
    return exitCodes.failure;
  }
  ensureDataDir(config.dataDir);
  const token = ensureSetupToken(nodePrivateFiles, config.dataDir);
  io.stdout(flags.json ? `${JSON.stringify({ setupToken: token })}\n` : `${token}\n`);
  return exitCodes.ok;
}

async function cmdResetPassword(
  io: CliIo,
  flags: SettingFlags & { username?: string; passwordStdin?: boolean; disableTotp?: boolean },
): Promise<number> {
  const config = resolveConfig(io, flags);
  let password: string;
  let generated = false;
  if (flags.passwordStdin) {
    password = (await io.readStdin()).replace(/\r?\n$/, '');
  } else {
    password = randomBytes(15).toString('base64url');
    generated = true;
  }
  const valid = passwordSchema.safeParse(password);
  if (!valid.success) throw new UsageError(valid.error.issues[0]?.message ?? 'invalid password');
  const result = await resetAdminPassword(config, {
    username: flags.username,
    password,
    disableTotp: flags.disableTotp ?? false,
  });
  if (!result.ok) {
    io.stderr(`${result.error.message}\n`);
    return exitCodes.failure;
  }
  {
    io.stdout(
      `Password of "${result.value.username}" reset; every session was logged out${
        flags.disableTotp ? ' and two-factor authentication is off' : ''
      }.\n${generated ? `New password: ${password}\n` : ''}`,
    );
    return exitCodes.ok;
  }
}

async function cmdDoctor(
  io: CliIo,
  deps: CliDeps,
  flags: SettingFlags & { json?: boolean },
): Promise<number> {
  const config = resolveConfig(io, flags);
  const report = await deps.probeReachability(config);
  io.stdout(flags.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : reportText(report));
  const reachable = report.verdict.inbound === 'yes' || report.verdict.inbound === 'via-port-mapping';
  return reachable ? exitCodes.ok : exitCodes.failure;
}

/**
 * What the access of every capability's commands shares: the resolved settings, the control client, the ports
 * (`readOnly`: a runner that refuses anything that changes the system), whether there is anything yet (a store or
 * a server), and the store opened under the data-directory lock when no server runs.
 */
function localAccess(io: CliIo, flags: SettingFlags, options: { readOnly: boolean }) {
  const config = resolveConfig(io, flags);
  const client = createControlClient(controlSocketPath(config.dataDir));
  const base = createPorts({ ...config, logLevel: 'silent' });
  const ports = options.readOnly ? { ...base, runner: readOnlyRunner(base.runner) } : base;
  const auditTypes = coreAuditTypes();
  return {
    config,
    client,
    ports,
    auditTypes,
    hasState: async () =>
      readStoreSnapshot(config.dataDir) !== undefined || (await client.probe()).kind === 'up',
    openStore: async () =>
      (await openLowdbStore(config.dataDir, ports.clock, { checkRecord: auditTypes.checkRecord })).store,
  };
}

/** The control socket's answer as an outcome: a failure keeps the server's code, a transport problem `control.*`. */
async function requestControl(
  client: ControlClient,
  method: Parameters<ControlClient['request']>[0],
  path: string,
  body: unknown,
): Promise<Outcome<unknown>> {
  const r = await client.request(method, path, z.unknown(), body);
  if (r.kind === 'ok') return ok(r.value);
  return fail({ code: r.kind === 'failed' ? r.code : `control.${r.reason}`, message: r.message });
}

/** One request to a capability's control routes, served in this process (offline: no server, no socket). */
async function requestInProcess(
  capability: Capability,
  logger: Logger,
  method: string,
  path: string,
  body: unknown,
): Promise<Outcome<unknown>> {
  const app = createControlApi({
    status: () => Promise.reject(new Error('no status offline')),
    capabilities: [capability],
    logger,
  });
  const res = await app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return answerOf(res.status, await res.text());
}

/**
 * `gatehouse ddns …` reaches the DDNS capability's control routes: on the running server's socket, or — with no
 * server — the same admin and engine built here on the store (real providers and DNS), under the data-directory
 * lock, so `ddns update --once` works without a daemon as ddclient users expect.
 */
function ddnsAccess(io: CliIo, flags: SettingFlags): DdnsAccess {
  const local = localAccess(io, flags, { readOnly: false });
  const { config, ports, auditTypes } = local;
  return {
    hasState: local.hasState,
    call: (route, body) =>
      runLocalCommand({
        dataDir: config.dataDir,
        client: local.client,
        openStore: local.openStore,
        online: (c) => {
          const [method, path] = route.split(' ') as ['GET' | 'POST' | 'DELETE', string];
          return requestControl(c, method, `/v1/ddns${path}`, body);
        },
        offline: async (store) => {
          const adapters = reachabilityAdapters(ports.clock);
          const made = createCapabilities(ports, config, { store, auditTypes, adapters });
          const ddns = made.capabilities.find((c): c is DdnsCapability => c.id === 'ddns');
          if (!ddns) throw new Error('the DDNS capability is missing from the composition');
          // Without the server nobody keeps the public address current: look now, as ddclient does each run.
          if (route === 'POST /update' && ddns.engine)
            await probeBeforeOfflineDdnsRun(config, made.capabilities);
          return callOffline(ddns.admin, ddns.engine, route, body, ddns.inbound.clients);
        },
      }),
  };
}

/**
 * `gatehouse peer|service|grant|revoke|wg …` reach the WireGuard capability's control routes: on the running
 * server's socket, or — with no server — the same routes, served in this process by the capability built on the
 * store under the data-directory lock. Offline nothing is applied (the interface is the server's).
 */
function wireguardAccess(io: CliIo, flags: SettingFlags): WireguardAccess {
  const local = localAccess(io, flags, { readOnly: true });
  const { config, ports, auditTypes } = local;
  return {
    hasState: local.hasState,
    call: (method, route, body) =>
      runLocalCommand<unknown>({
        dataDir: config.dataDir,
        client: local.client,
        openStore: local.openStore,
        online: (c) => requestControl(c, method, `/v1/wireguard${route}`, body),
        offline: async (store) => {
          const refused = offlineRefusal(method, route, body);
          if (refused) return fail(refused);
          // Nothing offline starts a program: the launcher (wireguard-go) refuses as the runner does.
          const adapters = { ...reachabilityAdapters(ports.clock), launcher: refusingLauncher };
          const made = createCapabilities(ports, config, { store, auditTypes, adapters, offline: true });
          const wireguard = made.capabilities.find((c): c is WireguardCapability => c.id === 'wireguard');
          if (!wireguard) throw new Error('the WireGuard capability is missing from the composition');
          return requestInProcess(wireguard, ports.logger, method, `/v1/wireguard${route}`, body);
        },
      }),
  };
}

/** How long `cert issue|renew` wait for the server's answer: an order has its own deadlines (CA, DNS propagation). */
const certOrderTimeoutMs = 30 * 60_000;

/**
 * `gatehouse cert …` reaches the certificate capability's control routes: on the running server's socket (issue
 * and renew wait for the order), or — with no server — the same routes served in this process by the capability
 * built on the store under the data-directory lock: status and settings work, orders are refused (they need the
 * server's port-80 listener and serve the result). Offline nothing is applied to the system.
 */
function certAccess(io: CliIo, flags: SettingFlags): CertAccess {
  const local = localAccess(io, flags, { readOnly: true });
  const { config, ports, auditTypes } = local;
  const waiting = createControlClient(controlSocketPath(config.dataDir), { timeoutMs: certOrderTimeoutMs });
  return {
    hasState: local.hasState,
    call: (method, route, body) =>
      runLocalCommand<CertAnswer>({
        dataDir: config.dataDir,
        client: local.client,
        openStore: local.openStore,
        online: async () => {
          const r = await requestControl(
            method === 'POST' ? waiting : local.client,
            method,
            `/v1/cert${route}`,
            body,
          );
          return r.ok ? ok({ value: r.value, offline: false }) : r;
        },
        offline: async (store) => {
          const adapters = { ...reachabilityAdapters(ports.clock), launcher: refusingLauncher };
          const made = createCapabilities(ports, config, { store, auditTypes, adapters, offline: true });
          const cert = made.capabilities.find((c): c is CertCapability => c.id === 'cert');
          if (!cert) throw new Error('the certificate capability is missing from the composition');
          // What the server serves when it starts (the current certificate's file and key), for the status.
          await cert.manager.load();
          try {
            const answer = await requestInProcess(cert, ports.logger, method, `/v1/cert${route}`, body);
            return answer.ok ? ok({ value: answer.value, offline: true }) : answer;
          } finally {
            // A status may have opened the port-80 listener (a certificate is wanted); a command line holds none.
            await cert.stop?.();
          }
        },
      }),
  };
}

/**
 * A QR code of the text for a terminal (half blocks, black on white), at the error correction the images use; text a phone could
 * not scan is refused with the images' own failure. qrcode is loaded only when asked for.
 */
async function terminalQr(text: string): Promise<Outcome<string>> {
  const { maxQrVersion, qrByteLimit, renderQr } = await import('./wireguard/qr.js');
  if (Buffer.byteLength(text, 'utf8') > qrByteLimit) {
    const refused = await renderQr(text, 'svg');
    if (!refused.ok) return fail(refused.error);
  }
  const { default: QRCode } = await import('qrcode');
  const level = QRCode.create(text, { errorCorrectionLevel: 'M' }).version <= maxQrVersion ? 'M' : 'L';
  // Black on white whatever the terminal's colours (a code drawn light on dark does not scan everywhere).
  return ok(await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: level }));
}

/** `finish` receives each command's exit code; commander awaits the async actions in parseAsync. */
function buildProgram(io: CliIo, deps: CliDeps, finish: (code: number) => void): Command {
  const program = new Command('gatehouse')
    .description('Self-hosted remote-access gateway: reachability, DDNS, certificates, WireGuard, exposure.')
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(commanderError(message)),
    })
    .showHelpAfterError('(run with --help for usage)');

  addSettingOptions(
    program.command('serve').description('run the Gatehouse server (web UI, API)'),
    true,
  ).action((opts: SettingFlags) => cmdServe(io, opts).then(finish));
  addSettingOptions(
    program
      .command('status')
      .description(
        "show the running server's status cards (over its control socket), or what the store shows when it is stopped; exit 0, or 4 when it cannot tell",
      )
      .option('--json', 'stable JSON output for scripts')
      .option('--check', 'exit 0 all ok, 1 needs attention, 3 not running, 4 cannot tell (LSB status codes)'),
    false,
  ).action((opts: SettingFlags & { json?: boolean; check?: boolean }) => cmdStatus(io, opts).then(finish));
  addSettingOptions(
    program
      .command('setup-token')
      .description('print the one-time token that the first-run setup page asks for')
      .option('--json', 'JSON output'),
    false,
  ).action((opts: SettingFlags & { json?: boolean }) => {
    finish(cmdSetupToken(io, opts));
  });
  addSettingOptions(
    program
      .command('doctor')
      .description(
        'probe how the internet reaches this box (STUN, router, interfaces, echo services): verdict, evidence, remedies; exit 0 when peers can reach it, 1 when not',
      )
      .option('--json', 'stable JSON output for scripts'),
    false,
  ).action((opts: SettingFlags & { json?: boolean }) => cmdDoctor(io, deps, opts).then(finish));
  const admin = program.command('admin').description('offline administration (stop the server first)');
  addSettingOptions(
    admin
      .command('reset-password')
      .description(
        'set a new admin password and log out every session; prints a generated password unless --password-stdin',
      )
      .option('--username <name>', 'account to reset (default: the first admin)')
      .option('--password-stdin', 'read the new password from standard input')
      .option('--disable-totp', 'also turn off two-factor authentication (lost phone)'),
    false,
  ).action((opts: SettingFlags & { username?: string; passwordStdin?: boolean; disableTotp?: boolean }) =>
    cmdResetPassword(io, opts).then(finish),
  );
  addDdnsCommands<SettingFlags>(program, {
    ...{ stdout: io.stdout, stderr: io.stderr, readStdin: io.readStdin, finish },
    withSettings: (cmd) => addSettingOptions(cmd, false),
    connect: (flags) => ddnsAccess(io, flags),
  });
  addWireguardCommands<SettingFlags>(program, {
    ...{ stdout: io.stdout, stderr: io.stderr, finish },
    withSettings: (cmd) => addSettingOptions(cmd, false),
    connect: (flags) => wireguardAccess(io, flags),
    onlineWithinSeconds: (flags) => resolveConfig(io, flags).wireguard.onlineWithinSeconds,
    now: () => new Date(),
    writeFile: (file, data) => {
      // 0600 before the first byte: an existing file keeps its mode through open(), so it is changed first.
      const fd = fs.openSync(path.resolve(io.cwd, file), 'w', 0o600);
      try {
        fs.fchmodSync(fd, 0o600);
        fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      } finally {
        fs.closeSync(fd);
      }
    },
    terminalQr,
    publicUrl: (flags) => {
      const config = resolveConfig(io, flags);
      return reachableUrl(config.listen.host, config.listen.port, config.tls);
    },
  });
  addCertCommands<SettingFlags>(program, {
    ...{ stdout: io.stdout, stderr: io.stderr, readStdin: io.readStdin, finish },
    withSettings: (cmd) => addSettingOptions(cmd, false),
    connect: (flags) => certAccess(io, flags),
    readFile: (file) => {
      try {
        return fs.readFileSync(path.resolve(io.cwd, file), 'utf8');
      } catch {
        return undefined;
      }
    },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  return program;
}

/**
 * Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage error (`status` adds 3 not running and 4 cannot
 * tell). Never calls process.exit.
 */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = realDeps): Promise<number> {
  const outcome = { code: exitCodes.ok as number };
  const program = buildProgram(io, deps, (code) => {
    outcome.code = code;
  });
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return exitCodes.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version succeed; help shown because a subcommand is missing ('commander.help') is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return exitCodes.ok;
      return exitCodes.usage;
    }
    if (e instanceof UsageError) {
      io.stderr(`${errorPrefix}${e.message}\n`);
      return exitCodes.usage;
    }
    if (e instanceof FatalStartupError) {
      io.stderr(`${errorPrefix}${e.message}\n${e.hint ? `  what to do: ${e.hint}\n` : ''}`);
      return exitCodes.failure;
    }
    io.stderr(`${errorPrefix}${describeError(e)}\n`);
    return exitCodes.failure;
  }
}

/** The real process's IO. */
export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    untilStopped: () =>
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }),
    fetch: globalThis.fetch,
  };
}

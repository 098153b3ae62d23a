/**
 * @module The WireGuard interface through `ip`, `wg` and `wireguard-go` (CommandRunner / ProcessLauncher ports):
 * create it (kernel, else userspace), read it (`wg show dump`), and apply a DevicePlan with `wg set` / `wg syncconf`.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import {
  describeFailedExit,
  type CommandResult,
  type CommandRunner,
  type ProcessLauncher,
  type RunningProcess,
  type RunOptions,
} from '../core/runner.js';
import { parseCidr } from '../reach/addresses.js';
import { canonicalCidr, shortKey, type DevicePlan, type DeviceStep } from './device-plan.js';
import { parseDump } from './dump.js';
import { ConfigValueError, renderDeviceConfig } from './render.js';
import { checkKey } from './keys.js';
import type { DevicePeer, DumpState, InterfaceSpec } from './model.js';

export type DeviceFailureCode =
  /** `wg`, `ip` or `wireguard-go` is not installed (the message names the Debian package). */
  | 'wireguard.tools-missing'
  /** The process lacks CAP_NET_ADMIN. */
  | 'wireguard.not-permitted'
  /** wireguard-go found no /dev/net/tun (a container without the device). */
  | 'wireguard.no-tun'
  /** implementation 'kernel' on a kernel without the WireGuard module. */
  | 'wireguard.no-kernel-module'
  /** The name is taken: by an interface that is not WireGuard, or by a wireguard-go socket of another namespace. */
  | 'wireguard.name-taken'
  /** wireguard-go ended, or did not answer in time, before the interface was ready. */
  | 'wireguard.not-ready'
  /** `wg show dump` printed something the parser refused. */
  | 'wireguard.bad-dump'
  /** A value that must not reach `wg` (a malformed key, allowed IP or interface name); the value is not quoted. */
  | 'wireguard.bad-input'
  /** apply() on an interface that does not exist. */
  | 'wireguard.no-interface'
  | 'wireguard.command-failed';

export interface DeviceFailure {
  readonly code: DeviceFailureCode;
  /** For people; never carries a private or preshared key. */
  readonly message: string;
}

export interface WgProbe {
  /** The kernel has the WireGuard module loaded or built in, or can load it (`modinfo`). A hint: creation decides. */
  readonly kernel: boolean;
  /** `wireguard-go --version` runs. */
  readonly userspace: boolean;
  /** `wg --version` runs. */
  readonly wg: boolean;
  /** Why no interface can be made here (null when one can), naming the package to install. */
  readonly reason: string | null;
}

export type Implementation = 'kernel' | 'userspace';

export interface DeviceSecrets {
  readonly privateKey: string;
  /** Preshared keys by peer public key; a step's own `peer.presharedKey` is used when the map has none. */
  readonly presharedKeys: ReadonlyMap<string, string>;
  readonly listenPort: number;
  /** Every peer the interface must carry: what `sync-all` writes. */
  readonly allPeers: readonly DevicePeer[];
}

export interface WgDevice {
  /** What this machine can run; creates nothing. */
  probe(): Promise<WgProbe>;
  /**
   * Makes the interface exist with its addresses, MTU and link up. An existing WireGuard interface of that name is
   * kept (sessions and all): `created` false, its implementation as found. Otherwise 'kernel'/'auto' try
   * `ip link add … type wireguard`; 'auto' falls back to a `wireguard-go -f` this adapter starts and holds.
   * Private key, port and peers are apply()'s.
   */
  ensureInterface(
    spec: InterfaceSpec,
    implementation: 'auto' | Implementation,
  ): Promise<Outcome<{ implementation: Implementation; created: boolean }, DeviceFailure>>;
  /** The live state (null when there is no such interface). The raw dump carries the private key: never logged. */
  dump(name: string): Promise<Outcome<DumpState | null, DeviceFailure>>;
  /**
   * Runs the plan's steps in order, stopping at the first failure; one apply at a time. Keys reach wg through a
   * named pipe (see runWithSecret), never argv, a file on disk or a log; no failure message quotes one.
   */
  apply(name: string, plan: DevicePlan, secrets: DeviceSecrets): Promise<Outcome<void, DeviceFailure>>;
  /** Removes the interface: stops the wireguard-go this adapter started for it, or `ip link del`. Gone is fine. */
  remove(name: string): Promise<Outcome<void, DeviceFailure>>;
  /**
   * Stops every wireguard-go this adapter started, which takes their interfaces away (a userspace interface lives
   * as long as its process): stopping the server takes a userspace interface down; a kernel one stays.
   */
  stop(): Promise<void>;
}

export interface WgDeviceDeps {
  readonly runner: CommandRunner;
  readonly launcher: ProcessLauncher;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Interface names as wg-quick takes them (IFNAMSIZ 16 with the terminating zero; research 2.3). */
const interfaceNamePattern = /^[A-Za-z0-9_=+.-]{1,15}$/;
const commandTimeoutMs = 10_000;
/** syncconf reads and writes every peer: at 1,000 peers it takes tens of ms, this is only a backstop. */
const syncTimeoutMs = 60_000;
/** Polls for wireguard-go's control socket: 5 ms doubling to 500 ms, about 5 s in all. */
const readinessDelaysMs = [5, 10, 20, 40, 80, 160, 320, 500, 500, 500, 500, 500, 500, 500, 500, 500];

const packages = {
  wg: 'wireguard-tools',
  'wireguard-go': 'wireguard-go',
  ip: 'iproute2',
  rm: 'coreutils',
  mkfifo: 'coreutils',
  dd: 'coreutils',
} as const;

const linkDetails = z.array(
  z.object({ linkinfo: z.object({ info_kind: z.string().optional() }).optional() }).loose(),
);

interface Held {
  readonly process: RunningProcess;
  readonly state: ProcessState;
}

interface ProcessState {
  /** wireguard-go's last lines (it logs at level error only: no keys). */
  readonly lines: string[];
  /** Why it ended, once it has. */
  exit: string | null;
}

type Run = Outcome<CommandResult, DeviceFailure>;

export function createWgDevice(deps: WgDeviceDeps): WgDevice {
  const { runner, launcher, clock, logger } = deps;
  const held = new Map<string, Held>();

  /** Runs a command; a missing program is a failure naming its package, a non-zero exit a normal result. */
  async function run(argv: readonly [string, ...string[]], options: RunOptions = {}): Promise<Run> {
    const result = await runner.run(argv, { timeoutMs: commandTimeoutMs, ...options });
    if (result.ok) return result;
    const program = result.error.program;
    if (result.error.kind === 'not-found') return fail(missing(program));
    return fail({ code: 'wireguard.command-failed', message: result.error.message });
  }

  /** Whether `wg show <if>` sees the interface; `listen-port` prints no key. */
  async function exists(name: string): Promise<Outcome<boolean, DeviceFailure>> {
    const shown = await run(['wg', 'show', name, 'listen-port']);
    if (!shown.ok) return shown;
    if (shown.value.exitCode === 0) return ok(true);
    return noDevice(shown.value) ? ok(false) : fail(wgShowFailure(name, shown.value));
  }

  /** What serves an existing interface: the kernel ("wireguard" link) or a wireguard-go (a "tun" link). */
  async function implementationOf(name: string): Promise<Outcome<Implementation, DeviceFailure>> {
    if (held.has(name)) return ok('userspace');
    const shown = await run(['ip', '-d', '-j', 'link', 'show', 'dev', name]);
    if (!shown.ok) return shown;
    if (shown.value.exitCode !== 0) {
      // wg found it, ip does not: a wireguard-go socket (/var/run/wireguard is not per namespace) of another one.
      return noDevice(shown.value)
        ? fail({
            code: 'wireguard.name-taken',
            message: `a wireguard-go in another network namespace serves ${name} (/var/run/wireguard/${name}.sock); choose another wireguard.interface`,
          })
        : fail(ipFailure('ip link show', shown.value));
    }
    const parsed = linkDetails.safeParse(safeJson(shown.value.stdout));
    return ok(parsed.success && parsed.data[0]?.linkinfo?.info_kind === 'wireguard' ? 'kernel' : 'userspace');
  }

  async function createKernel(name: string): Promise<Outcome<boolean, DeviceFailure>> {
    const added = await run(['ip', 'link', 'add', name, 'type', 'wireguard']);
    if (!added.ok) return added;
    if (added.value.exitCode === 0) return ok(true);
    const said = added.value.stderr;
    if (notPermitted(said)) return fail(capability('creating the WireGuard interface'));
    if (/file exists/i.test(said)) return fail(nameTaken(name));
    if (/unknown device type|not supported|no such device/i.test(said)) return ok(false);
    return fail(commandFailed('ip link add', added.value));
  }

  async function createUserspace(name: string): Promise<Outcome<void, DeviceFailure>> {
    const version = await run(['wireguard-go', '--version']);
    if (!version.ok) return version;
    const state: ProcessState = { lines: [], exit: null };
    // `env` sets the child's environment (the port takes none): LOG_LEVEL=error logs no keys, and a LOG_LEVEL=debug
    // meant for Gatehouse does not turn wireguard-go verbose; WG_PROCESS_FOREGROUND=1 spares the "kernel has first
    // class support" banner. env execs, so the stop signal reaches wireguard-go itself.
    const argv = ['env', 'LOG_LEVEL=error', 'WG_PROCESS_FOREGROUND=1', 'wireguard-go', '-f', name] as const;
    const started = launcher.launch(argv, {
      onLine: (line) => {
        state.lines.push(line);
        if (state.lines.length > 20) state.lines.shift();
      },
      onExit: (reason) => {
        state.exit = reason;
        if (held.get(name)?.state === state) {
          held.delete(name);
          logger.warn({ interface: name, reason, said: state.lines.slice(-3) }, 'wireguard-go ended');
        }
      },
    });
    held.set(name, { process: started, state });
    for (const delay of readinessDelaysMs) {
      if (state.exit !== null) break;
      const up = await exists(name);
      if (up.ok && up.value) {
        logger.info({ interface: name }, 'wireguard-go is up');
        return ok(undefined);
      }
      await clock.sleep(delay);
    }
    held.delete(name);
    const exited = state.exit;
    await started.stop();
    return fail(wireguardGoFailure(name, exited, state.lines));
  }

  async function configure(spec: InterfaceSpec): Promise<Outcome<void, DeviceFailure>> {
    for (const address of spec.addresses) {
      if (parseCidr(address) === undefined)
        return fail(badInput('an interface address is not an IP with prefix'));
      const added = await run(['ip', 'address', 'replace', address, 'dev', spec.name]);
      if (!added.ok) return added;
      if (added.value.exitCode !== 0) return fail(ipFailure('ip address replace', added.value));
    }
    const mtu = spec.mtu === null ? [] : ['mtu', String(spec.mtu)];
    const up = await run(['ip', 'link', 'set', 'dev', spec.name, ...mtu, 'up']);
    if (!up.ok) return up;
    if (up.value.exitCode !== 0) return fail(ipFailure('ip link set', up.value));
    return ok(undefined);
  }

  async function applyStep(
    name: string,
    step: DeviceStep,
    secrets: DeviceSecrets,
    fifo: string,
  ): Promise<Run> {
    switch (step.kind) {
      case 'set-private-key':
        return runWithSecret(fifo, ['wg', 'set', name, 'private-key', fifo], `${secrets.privateKey}\n`);
      case 'set-listen-port':
        return run(['wg', 'set', name, 'listen-port', String(step.port)]);
      case 'remove-peer':
        return run(['wg', 'set', name, 'peer', step.publicKey, 'remove']);
      case 'set-peer': {
        const psk = presharedKeyOf(step.peer, secrets);
        const ips = step.replaceAllowedIps
          ? ['allowed-ips', step.peer.allowedIps.map(canonicalCidr).join(',')]
          : [];
        const keepalive = step.peer.persistentKeepalive === 0 ? 'off' : String(step.peer.persistentKeepalive);
        const argv = (path: string): [string, ...string[]] => [
          'wg',
          'set',
          name,
          'peer',
          step.peer.publicKey,
          'preshared-key',
          path,
          ...ips,
          'persistent-keepalive',
          keepalive,
        ];
        // /dev/null removes a preshared key the peer should not have (wg.8).
        return psk === null ? run(argv('/dev/null')) : runWithSecret(fifo, argv(fifo), `${psk}\n`);
      }
      case 'set-peers': {
        if (step.remove.length > 0) {
          const removed = await run([
            'wg',
            'set',
            name,
            ...step.remove.flatMap((k) => ['peer', k, 'remove']),
          ]);
          if (!removed.ok || removed.value.exitCode !== 0 || step.peers.length === 0) return removed;
        }
        if (step.peers.length === 0) return ok({ exitCode: 0, stdout: '', stderr: '' });
        const text = renderPeersConfig(step.peers, secrets);
        return runWithSecret(fifo, ['wg', 'addconf', name, fifo], text, syncTimeoutMs);
      }
      case 'sync-all': {
        const text = renderSyncConfig(secrets);
        if (!text.ok) return text;
        return runWithSecret(fifo, ['wg', 'syncconf', name, fifo], text.value, syncTimeoutMs);
      }
    }
  }

  /**
   * Runs `argv`, which names `fifo` as the file wg reads `secret` from: wg reads keys and configurations only from a
   * path it fopen()s, and a child's stdin from Node is a socket, which /dev/stdin cannot open (ENXIO). So a named
   * pipe (apply() makes it, mode 0600, and removes it), fed by `dd` from its stdin: the secret never touches a disk,
   * argv or a log. Each side blocks in open() until the other comes; whichever ends first releases the other, so
   * the pipe is empty again for the next step.
   */
  async function runWithSecret(
    fifo: string,
    argv: readonly [string, ...string[]],
    secret: string,
    timeoutMs: number = commandTimeoutMs,
  ): Promise<Run> {
    const writerStop = new AbortController();
    const readerStop = new AbortController();
    const writer = run(['dd', `of=${fifo}`, 'status=none'], {
      stdin: secret,
      timeoutMs,
      signal: writerStop.signal,
    }).then((r) => {
      if (!r.ok || r.value.exitCode !== 0) readerStop.abort();
      return r;
    });
    const read = await run(argv, { timeoutMs, signal: readerStop.signal });
    writerStop.abort();
    const wrote = await writer;
    if (!read.ok && !wrote.ok && wrote.error.code === 'wireguard.tools-missing') return wrote;
    if (!read.ok && wrote.ok && wrote.value.exitCode !== 0) return fail(commandFailed('dd', wrote.value));
    return read;
  }

  async function applyPlan(
    name: string,
    plan: DevicePlan,
    secrets: DeviceSecrets,
  ): Promise<Outcome<void, DeviceFailure>> {
    // One pipe for the whole plan (steps run one after another): two processes, whatever the number of secrets.
    const fifo = join(tmpdir(), `gatehouse-wg-${randomBytes(12).toString('hex')}`);
    const needsFifo = plan.steps.some(
      (s) =>
        s.kind === 'set-private-key' ||
        s.kind === 'sync-all' ||
        (s.kind === 'set-peers' && s.peers.length > 0) ||
        (s.kind === 'set-peer' && presharedKeyOf(s.peer, secrets) !== null),
    );
    if (needsFifo) {
      // mkfifo refuses a path that exists (a planted file or link), and -m 600 keeps it root's.
      const made = await run(['mkfifo', '-m', '600', fifo]);
      if (!made.ok) return made;
      if (made.value.exitCode !== 0) return fail(commandFailed('mkfifo', made.value));
    }
    try {
      return await runSteps(name, plan, secrets, fifo);
    } finally {
      if (needsFifo) await run(['rm', '-f', '--', fifo]);
    }
  }

  async function runSteps(
    name: string,
    plan: DevicePlan,
    secrets: DeviceSecrets,
    fifo: string,
  ): Promise<Outcome<void, DeviceFailure>> {
    const planned = plan.steps.flatMap((s) =>
      s.kind === 'set-peer' ? [s.peer] : s.kind === 'set-peers' ? s.peers : [],
    );
    const hidden = [
      secrets.privateKey,
      ...secrets.presharedKeys.values(),
      ...pskValues(secrets.allPeers),
      ...pskValues(planned),
    ];
    for (const step of plan.steps) {
      const result = await applyStep(name, step, secrets, fifo);
      if (!result.ok) return result;
      if (result.value.exitCode !== 0) {
        const what = describeStep(step);
        if (noDevice(result.value)) {
          return fail({
            code: 'wireguard.no-interface',
            message: `${what}: interface ${name} does not exist`,
          });
        }
        if (notPermitted(result.value.stderr)) return fail(capability(what));
        const timeout =
          step.kind === 'sync-all' || step.kind === 'set-peers' ? syncTimeoutMs : commandTimeoutMs;
        const said = hide(describeFailedExit('wg', result.value, timeout), hidden);
        return fail({ code: 'wireguard.command-failed', message: `${what}: ${said}` });
      }
      logger.info({ interface: name, step: describeStep(step) }, 'WireGuard interface changed');
    }
    return ok(undefined);
  }

  /** apply() calls run one at a time: two plans interleaving on one interface would each undo the other. */
  let applying: Promise<unknown> = Promise.resolve();

  return {
    async probe() {
      const [wg, userspace, loaded, loadable] = await Promise.all([
        runner.run(['wg', '--version'], { timeoutMs: commandTimeoutMs }),
        runner.run(['wireguard-go', '--version'], { timeoutMs: commandTimeoutMs }),
        runner.run(['test', '-d', '/sys/module/wireguard'], { timeoutMs: commandTimeoutMs }),
        runner.run(['modinfo', '-n', 'wireguard'], { timeoutMs: commandTimeoutMs }),
      ]);
      const works = (r: typeof wg): boolean => r.ok && r.value.exitCode === 0;
      const facts = { kernel: works(loaded) || works(loadable), userspace: works(userspace), wg: works(wg) };
      const reason = !facts.wg
        ? `wg is not installed (Debian package ${packages.wg})`
        : !facts.kernel && !facts.userspace
          ? `the kernel has no WireGuard module and wireguard-go is not installed (Debian package ${packages['wireguard-go']})`
          : null;
      return { ...facts, reason };
    },

    async ensureInterface(spec, implementation) {
      if (!interfaceNamePattern.test(spec.name)) {
        return fail(badInput('the interface name must be 1 to 15 characters of A-Z a-z 0-9 _ = + . -'));
      }
      const found = await exists(spec.name);
      if (!found.ok) return found;
      let kind: Implementation;
      let created = false;
      if (found.value) {
        const served = await implementationOf(spec.name);
        if (!served.ok) return served;
        kind = served.value;
      } else {
        const kernel = implementation === 'userspace' ? ok(false) : await createKernel(spec.name);
        if (!kernel.ok) return kernel;
        if (kernel.value) {
          kind = 'kernel';
        } else if (implementation === 'kernel') {
          return fail({
            code: 'wireguard.no-kernel-module',
            message:
              'the kernel has no WireGuard module (ip link add: Unknown device type); set wireguard.implementation ' +
              `to 'auto' or 'userspace' and install wireguard-go (Debian package ${packages['wireguard-go']})`,
          });
        } else {
          const userspace = await createUserspace(spec.name);
          if (!userspace.ok) return userspace;
          kind = 'userspace';
        }
        created = true;
        logger.info({ interface: spec.name, implementation: kind }, 'WireGuard interface created');
        // Before the link goes up, or wireguard-go binds a random port first (a later change is apply()'s).
        const port = await run(['wg', 'set', spec.name, 'listen-port', String(spec.listenPort)]);
        if (!port.ok) return port;
        if (port.value.exitCode !== 0) return fail(commandFailed('wg set listen-port', port.value));
      }
      const configured = await configure(spec);
      if (!configured.ok) return configured;
      return ok({ implementation: kind, created });
    },

    async dump(name) {
      if (!interfaceNamePattern.test(name)) return fail(badInput('not an interface name'));
      const shown = await run(['wg', 'show', name, 'dump']);
      if (!shown.ok) return shown;
      // stdout holds the private key in clear: only the parser sees it, nothing here logs or quotes it.
      if (shown.value.exitCode !== 0) {
        return noDevice(shown.value) ? ok(null) : fail(wgShowFailure(name, shown.value));
      }
      const parsed = parseDump(shown.value.stdout);
      return parsed.ok ? parsed : fail(parsed.error);
    },

    apply(name, plan, secrets) {
      if (!interfaceNamePattern.test(name)) return Promise.resolve(fail(badInput('not an interface name')));
      const invalid = checkSecrets(plan, secrets);
      if (invalid !== undefined) return Promise.resolve(fail(badInput(invalid)));
      const next = applying.then(() => applyPlan(name, plan, secrets));
      applying = next.catch(() => undefined);
      return next;
    },

    async remove(name) {
      if (!interfaceNamePattern.test(name)) return fail(badInput('not an interface name'));
      const mine = held.get(name);
      if (mine !== undefined) {
        held.delete(name);
        // SIGTERM: wireguard-go closes its socket and the TUN device, which takes the interface with it.
        await mine.process.stop();
      }
      const deleted = await run(['ip', 'link', 'del', 'dev', name]);
      if (!deleted.ok) return deleted;
      if (deleted.value.exitCode === 0 || /cannot find device|does not exist/i.test(deleted.value.stderr)) {
        logger.info({ interface: name }, 'WireGuard interface removed');
        return ok(undefined);
      }
      if (notPermitted(deleted.value.stderr)) return fail(capability('removing the WireGuard interface'));
      return fail(commandFailed('ip link del', deleted.value));
    },

    async stop() {
      const all = [...held.entries()];
      held.clear();
      await Promise.all(
        all.map(async ([name, entry]) => {
          await entry.process.stop();
          logger.info({ interface: name }, 'wireguard-go stopped');
        }),
      );
    },
  };
}

/**
 * The whole wg-only configuration `wg syncconf` reads (render.ts: no Address/DNS/MTU, which wg refuses; research
 * 2.1), with each peer's preshared key from the secrets; a failure when a value cannot be written (a bad key, a
 * public key twice): render.ts names the field, never the value.
 */
function renderSyncConfig(secrets: DeviceSecrets): Outcome<string, DeviceFailure> {
  try {
    return ok(
      renderDeviceConfig({
        privateKey: secrets.privateKey,
        listenPort: secrets.listenPort,
        peers: secrets.allPeers.map((p) => ({ ...p, presharedKey: presharedKeyOf(p, secrets) })),
      }),
    );
  } catch (e) {
    if (e instanceof ConfigValueError) return fail(badInput(e.message));
    throw e;
  }
}

/** No preshared key, as wg stores it: `wg show` prints an all-zero key as (none). */
const zeroKey = `${'A'.repeat(43)}=`;

/**
 * Only `peers`, for `wg addconf` (which leaves the interface and every other peer alone). wg replaces the allowed IPs
 * of every peer a file names and keeps a preshared key or keepalive the file does not mention, so each is written
 * out: no preshared key as zeros, keepalive 0 as 0.
 */
export function renderPeersConfig(peers: readonly DevicePeer[], secrets: DeviceSecrets): string {
  const lines: string[] = [];
  for (const peer of peers) {
    if (lines.length > 0) lines.push('');
    lines.push(
      '[Peer]',
      `PublicKey = ${peer.publicKey}`,
      `PresharedKey = ${presharedKeyOf(peer, secrets) ?? zeroKey}`,
    );
    if (peer.allowedIps.length > 0)
      lines.push(`AllowedIPs = ${peer.allowedIps.map(canonicalCidr).join(', ')}`);
    lines.push(`PersistentKeepalive = ${String(peer.persistentKeepalive)}`);
  }
  return `${lines.join('\n')}\n`;
}

function presharedKeyOf(peer: DevicePeer, secrets: DeviceSecrets): string | null {
  return secrets.presharedKeys.get(peer.publicKey) ?? peer.presharedKey;
}

function pskValues(peers: readonly DevicePeer[]): string[] {
  return peers.flatMap((p) => (p.presharedKey === null ? [] : [p.presharedKey]));
}

/**
 * Why a value must not reach `wg` (keys go into a config file and argv, allowed IPs into both; a newline or `#`
 * would change what wg reads), or undefined. Never quotes the value.
 */
function checkSecrets(plan: DevicePlan, secrets: DeviceSecrets): string | undefined {
  const peers = [
    ...plan.steps.flatMap((s) => (s.kind === 'set-peer' ? [s.peer] : s.kind === 'set-peers' ? s.peers : [])),
    ...(plan.steps.some((s) => s.kind === 'sync-all') ? secrets.allPeers : []),
  ];
  const needsKey = plan.steps.some((s) => s.kind === 'set-private-key' || s.kind === 'sync-all');
  if (needsKey && checkKey(secrets.privateKey) !== undefined)
    return 'the server private key is not a WireGuard key';
  for (const s of plan.steps) {
    const removed = s.kind === 'remove-peer' ? [s.publicKey] : s.kind === 'set-peers' ? s.remove : [];
    if (removed.some((k) => checkKey(k) !== undefined)) return 'a peer public key to remove is malformed';
  }
  for (const peer of peers) {
    if (checkKey(peer.publicKey) !== undefined)
      return `peer ${shortKey(peer.publicKey)}: malformed public key`;
    const psk = presharedKeyOf(peer, secrets);
    if (psk !== null && checkKey(psk) !== undefined) {
      return `peer ${shortKey(peer.publicKey)}: malformed preshared key`;
    }
    if (peer.allowedIps.some((ip) => parseCidr(ip.trim()) === undefined)) {
      return `peer ${shortKey(peer.publicKey)}: an allowed IP is not an IP with prefix`;
    }
    if (!Number.isInteger(peer.persistentKeepalive) || peer.persistentKeepalive < 0) {
      return `peer ${shortKey(peer.publicKey)}: keepalive must be a whole number of seconds`;
    }
  }
  return undefined;
}

function describeStep(step: DeviceStep): string {
  switch (step.kind) {
    case 'set-private-key':
      return 'set the private key';
    case 'set-listen-port':
      return `set listen port ${String(step.port)}`;
    case 'set-peer':
      return `set peer ${shortKey(step.peer.publicKey)}`;
    case 'remove-peer':
      return `remove peer ${shortKey(step.publicKey)}`;
    case 'set-peers':
      return `set ${String(step.peers.length)} peers, remove ${String(step.remove.length)} (wg addconf)`;
    case 'sync-all':
      return 'wg syncconf';
  }
}

function hide(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s === '' ? t : t.split(s).join('(hidden)')), text);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * wg's (and ip's) words for "no such interface". Without the kernel module, wg cannot even ask netlink about a name
 * that has no userspace socket: "Protocol not supported" then means there is none.
 */
function noDevice(result: CommandResult): boolean {
  return /no such device|cannot find device|does not exist|protocol not supported/i.test(result.stderr);
}

function notPermitted(stderr: string): boolean {
  return /operation not permitted|permission denied/i.test(stderr);
}

function missing(program: string): DeviceFailure {
  const pkg = (packages as Record<string, string | undefined>)[program];
  return {
    code: 'wireguard.tools-missing',
    message: `${program} is not installed${pkg === undefined ? '' : ` (Debian package ${pkg})`}`,
  };
}

function capability(what: string): DeviceFailure {
  return {
    code: 'wireguard.not-permitted',
    message:
      `${what} was refused (Operation not permitted): the service needs CAP_NET_ADMIN, ` +
      'which the Gatehouse systemd unit grants',
  };
}

function nameTaken(name: string): DeviceFailure {
  return {
    code: 'wireguard.name-taken',
    message: `an interface named ${name} exists and is not a WireGuard interface Gatehouse can use; choose another wireguard.interface`,
  };
}

function badInput(message: string): DeviceFailure {
  return { code: 'wireguard.bad-input', message };
}

function commandFailed(program: string, result: CommandResult): DeviceFailure {
  return { code: 'wireguard.command-failed', message: describeFailedExit(program, result, commandTimeoutMs) };
}

function ipFailure(program: string, result: CommandResult): DeviceFailure {
  return notPermitted(result.stderr) ? capability(program) : commandFailed(program, result);
}

function wgShowFailure(name: string, result: CommandResult): DeviceFailure {
  if (notPermitted(result.stderr)) return capability(`reading interface ${name}`);
  // "Operation not supported": a link of that name that is not WireGuard.
  if (/not supported/i.test(result.stderr)) return nameTaken(name);
  return commandFailed('wg show', result);
}

function wireguardGoFailure(name: string, exit: string | null, lines: readonly string[]): DeviceFailure {
  const said = lines.join('\n');
  const last = lines.at(-1)?.replace(/^\w+: \([^)]*\) [\d/]+ [\d:]+ /, '') ?? '';
  const detail = `${exit ?? 'it did not answer within 5 s'}${last === '' ? '' : `: ${last}`}`;
  if (/\/dev\/net\/tun/i.test(said) && /not exist|no such file/i.test(said)) {
    return {
      code: 'wireguard.no-tun',
      message: `wireguard-go found no /dev/net/tun (in a container, pass the device /dev/net/tun): ${detail}`,
    };
  }
  if (notPermitted(said)) return capability(`starting wireguard-go for ${name}`);
  if (/socket in use|address already in use/i.test(said)) {
    return {
      code: 'wireguard.name-taken',
      message: `another wireguard-go already serves an interface named ${name} (/var/run/wireguard/${name}.sock): ${detail}`,
    };
  }
  return { code: 'wireguard.not-ready', message: `wireguard-go for ${name} did not come up: ${detail}` };
}

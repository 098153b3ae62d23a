/**
 * @module The network test bed: builds the namespaces of plan.ts, starts the real servers (coturn, BIND9,
 * pebble, miniupnpd, LAN services, wireguard-go) with readiness checks, switches scenarios and always tears down.
 * Needs root. Used by the e2e suite and by `npm run testbed` for people exploring by hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import type { CommandResult } from '../../src/core/runner.js';
import {
  addr,
  bedNames,
  hostInPrefix6,
  initialLanPrefix6,
  initialWan,
  isLanPrefix6,
  lanHostIpv6Commands,
  lanHostIpv6FlushCommands,
  lanIid6,
  ispRuleset,
  isBedNamespace,
  miniupnpdConf,
  namedConf,
  noWebForward,
  pebbleConfig,
  ports,
  resolvConf,
  routerRuleset,
  routerRenumberCommands,
  scenarioCommands,
  scenarioShape,
  topologyCommands,
  tsigKeyConf,
  tsigKeyName,
  v6PrefixRenumberCommands,
  webForwardRuleset,
  zoneFile,
  zoneName,
  type Argv,
  type BedNames,
  type PebbleOptions,
  type Role,
  type Scenario,
  type WanState,
  type WebForward,
} from './plan.js';

const runner = createChildProcessRunner();
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
/** Where every run keeps its scratch files (configs, logs, state). */
export const workRoot = path.join(os.tmpdir(), 'gatehouse-testbed');

export class TestbedError extends Error {
  override readonly name = 'TestbedError';
}

/** Tools the bed needs, with the Debian package that provides each. */
export const requiredTools: readonly (readonly [string, string])[] = [
  ['ip', 'iproute2'],
  ['ss', 'iproute2'],
  ['nft', 'nftables'],
  ['conntrack', 'conntrack'],
  ['wg', 'wireguard-tools'],
  ['wireguard-go', 'wireguard-go'],
  ['turnserver', 'coturn'],
  ['named', 'bind9'],
  ['nsupdate', 'bind9-dnsutils'],
  ['dig', 'bind9-dnsutils'],
  ['pebble', 'pebble'],
  ['miniupnpd', 'miniupnpd-nftables'],
  ['upnpc', 'miniupnpc'],
  ['natpmpc', 'natpmpc'],
  ['curl', 'curl'],
  ['socat', 'socat'],
  ['ping', 'iputils-ping'],
  // The path evidence: the hop after the router tells CGNAT and double NAT apart.
  ['traceroute', 'traceroute'],
];

function onPath(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  return dirs.some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why the bed cannot run here (not root, tools missing), or undefined when it can. */
export function unavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'the network test bed needs root (network namespaces, nftables)';
  const missing = requiredTools.filter(([cmd]) => !onPath(cmd));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
    return `missing tools: ${missing.map(([c]) => c).join(', ')} (apt-get install ${pkgs})`;
  }
  return undefined;
}

/** Polls `check` until it returns a value (not undefined); a readiness check, not a fixed sleep. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new TestbedError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 100);
  }
}

async function run(argv: Argv, options: { stdin?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  const r = await runner.run(argv, {
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
  if (!r.ok) throw new TestbedError(r.error.message);
  return r.value;
}

async function runOk(
  argv: Argv,
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const r = await run(argv, options);
  if (r.exitCode !== 0)
    throw new TestbedError(`${argv.join(' ')} failed (${r.exitCode}): ${r.stderr.trim()}`);
  return r;
}

interface TrackedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child?: ChildProcess;
}

interface SavedState {
  readonly runId: string;
  readonly scenario: Scenario;
  readonly wan: WanState;
  readonly processes: readonly { name: string; pid: number }[];
}

export interface TestbedOptions {
  readonly runId?: string;
  /** Start daemons detached so this process may exit and leave the bed running (`npm run testbed -- up`). */
  readonly detached?: boolean;
}

export interface FirewallCounter {
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  readonly handle: number;
  /** The rule as `nft list` prints it, e.g. `oifname "wan-pub" meta l4proto udp counter packets 3 bytes 180 drop`. */
  readonly rule: string;
  readonly packets: number;
  readonly bytes: number;
}

export interface WireguardPair {
  readonly gwInterface: string;
  readonly phoneInterface: string;
  readonly gwTunnelAddress: string;
  readonly phoneTunnelAddress: string;
}

export class Testbed {
  readonly names: BedNames;
  readonly dir: string;
  /** TSIG secret (base64) that BIND accepts for RFC 2136 updates of the test zone. */
  readonly tsigSecret: string;
  readonly tsigKeyName = tsigKeyName;
  readonly zone = zoneName;
  private processes: TrackedProcess[] = [];
  private currentScenario: Scenario = 'nat';
  private wan: WanState = initialWan;
  /** The IPv6 /64 the "ISP" routes to the LAN (cgnat-v6); changed by renumberV6Prefix. */
  private lan6: string = initialLanPrefix6;
  /** The LAN host's IPv6 interface identifier, while it has an address in the LAN prefix (addLanHostIpv6). */
  private lanHostIid: string | undefined;
  private miniupnpd: TrackedProcess | undefined;
  private pebble: TrackedProcess | undefined;
  /** The router's static web forwards (setWebForward); kept across scenario switches. */
  private webForward: WebForward = noWebForward;
  private built = false;

  private constructor(
    runId: string,
    private readonly options: TestbedOptions,
  ) {
    this.names = bedNames(runId);
    this.dir = path.join(workRoot, runId);
    this.tsigSecret = randomBytes(32).toString('base64');
  }

  /** Builds the topology, starts the servers and enters `scenario`. On any failure everything is torn down. */
  static async up(scenario: Scenario, options: TestbedOptions = {}): Promise<Testbed> {
    const reason = unavailableReason();
    if (reason) throw new TestbedError(reason);
    const bed = new Testbed(options.runId ?? randomBytes(3).toString('hex'), options);
    try {
      await bed.build();
      await bed.setScenario(scenario);
      return bed;
    } catch (e) {
      await bed.down();
      throw e;
    }
  }

  get scenario(): Scenario {
    return this.currentScenario;
  }

  /** The public addresses the "ISP" has currently assigned. */
  get publicAddresses(): WanState {
    return this.wan;
  }

  /** The address the internet sees for the gateway in the current scenario. */
  get expectedPublicAddress(): string {
    const shape = scenarioShape(this.currentScenario);
    if (shape.gwPublic) return this.wan.gwPublic;
    return shape.routerUplink === 'public' ? this.wan.routerWan : this.wan.ispPublic;
  }

  /** The IPv6 /64 currently routed to the site's LAN (meaningful in cgnat-v6). */
  get lanPrefix6(): string {
    return this.lan6;
  }

  /** The box's global IPv6 address in the current scenario (its address in the LAN prefix), or undefined. */
  get expectedPublicIpv6(): string | undefined {
    return scenarioShape(this.currentScenario).ipv6 ? hostInPrefix6(this.lan6, lanIid6.gw) : undefined;
  }

  /** The LAN host's global IPv6 address (addLanHostIpv6), or undefined. */
  get lanHostIpv6(): string | undefined {
    return this.lanHostIid === undefined ? undefined : hostInPrefix6(this.lan6, this.lanHostIid);
  }

  ns(role: Role): string {
    return this.names.ns[role];
  }

  /** Runs a command inside a namespace (argv, never a shell string). */
  exec(role: Role, argv: Argv, options: { stdin?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return run(['ip', 'netns', 'exec', this.ns(role), ...argv], options);
  }

  /** Starts a long-running process inside a namespace; it is ended (by PID) at teardown. */
  spawn(role: Role, name: string, argv: Argv, env: Record<string, string> = {}): TrackedProcess {
    const log = fs.openSync(path.join(this.dir, `${name}.log`), 'a');
    const child = spawn('ip', ['netns', 'exec', this.ns(role), ...argv], {
      stdio: ['ignore', log, log],
      detached: this.options.detached === true,
      env: { ...process.env, ...env },
    });
    fs.closeSync(log);
    if (child.pid === undefined) throw new TestbedError(`could not start ${name}`);
    if (this.options.detached) child.unref();
    const tracked = { name, pid: child.pid, child };
    this.processes.push(tracked);
    this.saveState();
    return tracked;
  }

  /** The port mappings miniupnpd holds on the router (its nftables DNAT chain), as `nft list` prints them. */
  async routerMappings(): Promise<string> {
    return (await this.exec('router', ['nft', 'list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd']))
      .stdout;
  }

  /** Log output of a process started by the bed. */
  log(name: string): string {
    try {
      return fs.readFileSync(path.join(this.dir, `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  }

  async setScenario(scenario: Scenario): Promise<void> {
    const shape = scenarioShape(scenario);
    await this.stopMiniupnpd();
    // After renumberV6Prefix, the original prefix comes back first: scenarioCommands knows only that one.
    if (this.lan6 !== initialLanPrefix6) await this.moveLanPrefix6(initialLanPrefix6);
    // The LAN host's IPv6 address (addLanHostIpv6) lasts until the next scenario switch.
    if (this.lanHostIid !== undefined) {
      for (const argv of lanHostIpv6FlushCommands(this.names)) await runOk(argv);
      this.lanHostIid = undefined;
    }
    for (const argv of scenarioCommands(this.names, shape, this.wan)) {
      // conntrack -F answers 1 when the table was already empty; everything else must succeed.
      const r = await run(argv);
      if (r.exitCode !== 0 && argv[4] !== 'conntrack') {
        throw new TestbedError(`${argv.join(' ')} failed (${r.exitCode}): ${r.stderr.trim()}`);
      }
    }
    await runOk(['ip', 'netns', 'exec', this.ns('router'), 'nft', '-f', '-'], {
      stdin: routerRuleset(shape, this.wan),
    });
    await runOk(['ip', 'netns', 'exec', this.ns('isp'), 'nft', '-f', '-'], {
      stdin: ispRuleset(shape, this.wan),
    });
    this.currentScenario = scenario;
    // `flush ruleset` above took the web forwards with it.
    await this.loadWebForward();
    // Links brought up again need a moment (neighbour discovery) before traffic flows: wait until it does.
    if (!shape.offline)
      await waitFor(`gw reaching the internet over IPv4 in ${scenario}`, async () => {
        const r = await this.exec('gw', ['ping', '-n', '-c', '1', '-W', '1', addr.stunPrimary]);
        return r.exitCode === 0 ? true : undefined;
      });
    if (shape.ipv6) {
      await waitFor(`gw reaching the internet over IPv6 in ${scenario}`, async () => {
        const r = await this.exec('gw', ['ping', '-6', '-n', '-c', '1', '-W', '1', addr.inet6Server]);
        return r.exitCode === 0 ? true : undefined;
      });
    }
    if (shape.upnp) await this.startMiniupnpd();
    this.saveState();
  }

  /** The ISP hands out a new public address: the router's WAN (single NAT), the CGNAT pool, or gw's own. */
  async setPublicAddress(address: string): Promise<void> {
    const shape = scenarioShape(this.currentScenario);
    if (shape.gwPublic) this.wan = { ...this.wan, gwPublic: address };
    else if (shape.routerUplink === 'public') this.wan = { ...this.wan, routerWan: address };
    else this.wan = { ...this.wan, ispPublic: address };
    await this.setScenario(this.currentScenario);
  }

  /**
   * The ISP renumbers the router's WAN while the router keeps running, and the router's WAN-up hook tells
   * miniupnpd (SIGUSR1) when it runs — unlike setPublicAddress, which rebuilds the router and restarts miniupnpd
   * (dropping its UPnP event subscribers). Single NAT scenarios only.
   */
  async renumberRouterWan(address: string): Promise<void> {
    const shape = scenarioShape(this.currentScenario);
    if (shape.gwPublic || shape.routerUplink !== 'public')
      throw new TestbedError(`renumberRouterWan needs a single NAT scenario, not ${this.currentScenario}`);
    for (const argv of routerRenumberCommands(this.names, address)) await runOk(argv);
    this.wan = { ...this.wan, routerWan: address };
    this.saveState();
    if (shape.upnp) await this.signalMiniupnpd('SIGUSR1');
  }

  /**
   * The ISP changes the IPv6 prefix routed to the site (cgnat-v6 only), while everything keeps running: the box's
   * address in the old /64 is removed and its address in `prefix` (same interface identifier) added on its LAN
   * interface, the router's LAN address and the routes upstream move with it (plan.ts, v6PrefixRenumberCommands).
   * `prefix` is a /64 in 2001:db8::/32 written as `2001:db8:<group>[:<group>]::/64`. Resolves once the box reaches
   * the internet's IPv6 server from its new address.
   */
  async renumberV6Prefix(prefix: string): Promise<void> {
    if (!scenarioShape(this.currentScenario).ipv6)
      throw new TestbedError(
        `renumberV6Prefix needs an IPv6 scenario (cgnat-v6), not ${this.currentScenario}`,
      );
    if (!isLanPrefix6(prefix))
      throw new TestbedError(`${prefix} is not a /64 of 2001:db8::/32 written as 2001:db8:<group>::/64`);
    await this.moveLanPrefix6(prefix);
    await waitFor(`gw reaching the internet over IPv6 from ${prefix}`, async () => {
      const r = await this.exec('gw', [
        'ping',
        '-6',
        '-n',
        '-c',
        '1',
        '-W',
        '1',
        '-I',
        hostInPrefix6(prefix, lanIid6.gw),
        addr.inet6Server,
      ]);
      return r.exitCode === 0 ? true : undefined;
    });
  }

  private async moveLanPrefix6(prefix: string): Promise<void> {
    for (const argv of v6PrefixRenumberCommands(this.names, this.lan6, prefix, this.lanHostIid))
      await runOk(argv);
    this.lan6 = prefix;
  }

  /**
   * The LAN host (lan, the camera) gets a global IPv6 address: the LAN prefix + `iid` (its interface identifier,
   * e.g. `211:32ff:fe12:3456`). IPv6 scenarios only; renumberV6Prefix moves it with the prefix; it goes at the next
   * scenario switch. Resolves with the address once the phone reaches it over IPv6.
   */
  async addLanHostIpv6(iid: string): Promise<string> {
    if (!scenarioShape(this.currentScenario).ipv6)
      throw new TestbedError(`addLanHostIpv6 needs an IPv6 scenario (cgnat-v6), not ${this.currentScenario}`);
    if (this.lanHostIid !== undefined) throw new TestbedError('the LAN host has an IPv6 address already');
    for (const argv of lanHostIpv6Commands(this.names, this.lan6, iid)) await runOk(argv);
    this.lanHostIid = iid;
    const address = hostInPrefix6(this.lan6, iid);
    await waitFor(`the phone reaching the LAN host at ${address}`, async () => {
      const r = await this.exec('phone', ['ping', '-6', '-n', '-c', '1', '-W', '1', address]);
      return r.exitCode === 0 ? true : undefined;
    });
    return address;
  }

  /** Signals the running miniupnpd by the PID in its pid file (SIGUSR1: a WAN-up hook's "the address changed"). */
  async signalMiniupnpd(signal: NodeJS.Signals): Promise<void> {
    const r = await this.exec('router', ['cat', path.join(this.dir, 'miniupnpd', 'miniupnpd.pid')]);
    const pid = Number(r.stdout.trim());
    if (r.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0)
      throw new TestbedError('miniupnpd is not running');
    process.kill(pid, signal);
  }

  /** Packet counters of every nftables rule that has a counter in a namespace, with the rule's own text. */
  async counters(role: Role): Promise<FirewallCounter[]> {
    const ns = this.ns(role);
    const [json, text] = await Promise.all([
      runOk(['ip', 'netns', 'exec', ns, 'nft', '-j', '-a', 'list', 'ruleset']),
      runOk(['ip', 'netns', 'exec', ns, 'nft', '-a', 'list', 'ruleset']),
    ]);
    const ruleText = new Map<string, string>();
    let table = '';
    let chain = '';
    for (const line of text.stdout.split('\n')) {
      const t = /^table (\S+) (\S+) \{/.exec(line);
      if (t) table = `${t[1] ?? ''} ${t[2] ?? ''}`;
      const c = /^\s*chain (\S+) \{/.exec(line);
      if (c) chain = c[1] ?? '';
      const r = /^\s*(.*\S)\s+# handle (\d+)$/.exec(line);
      if (r && !/^(chain|table|type) /.test(r[1] ?? ''))
        ruleText.set(`${table} ${chain} ${r[2] ?? ''}`, r[1] ?? '');
    }
    const doc = JSON.parse(json.stdout) as { nftables: Record<string, unknown>[] };
    const out: FirewallCounter[] = [];
    for (const item of doc.nftables) {
      const rule = item.rule as
        | { family: string; table: string; chain: string; handle: number; expr: Record<string, unknown>[] }
        | undefined;
      if (!rule) continue;
      const counter = rule.expr.find((e) => 'counter' in e)?.counter as
        { packets: number; bytes: number } | undefined;
      if (!counter) continue;
      out.push({
        family: rule.family,
        table: rule.table,
        chain: rule.chain,
        handle: rule.handle,
        rule: ruleText.get(`${rule.family} ${rule.table} ${rule.chain} ${rule.handle}`) ?? '',
        packets: counter.packets,
        bytes: counter.bytes,
      });
    }
    return out;
  }

  /** Every record of the test zone, as BIND serves it (zone transfer from inside the bed). */
  async zoneRecords(): Promise<{ name: string; type: string; value: string }[]> {
    const r = await runOk([
      'ip',
      'netns',
      'exec',
      this.ns('phone'),
      'dig',
      '+noall',
      '+answer',
      '+nocmd',
      `@${addr.dns}`,
      zoneName,
      'AXFR',
    ]);
    return r.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length >= 5)
      .map((f) => ({ name: f[0] ?? '', type: f[3] ?? '', value: f.slice(4).join(' ') }));
  }

  /** nsupdate input lines signed with the bed's TSIG key, run from `role`. */
  nsupdate(role: Role, commands: readonly string[], secret = this.tsigSecret): Promise<CommandResult> {
    const script = [`server ${addr.dns} ${ports.dns}`, `zone ${zoneName}`, ...commands, 'send', ''].join(
      '\n',
    );
    return this.exec(role, ['nsupdate', '-t', '5', '-y', `hmac-sha256:${tsigKeyName}:${secret}`], {
      stdin: script,
    });
  }

  /** PEM of the CA that signed pebble's listener certificate (trust it to talk to the ACME directory). */
  get pebbleListenerCa(): string {
    return fs.readFileSync(path.join(this.dir, 'pebble', 'ca.crt'), 'utf8');
  }

  get pebbleListenerCaFile(): string {
    return path.join(this.dir, 'pebble', 'ca.crt');
  }

  get acmeDirectoryUrl(): string {
    return `https://acme.${zoneName}:${ports.acme}/dir`;
  }

  /**
   * The router's static web forwards (single NAT scenarios): public TCP 80 to the box's port 80 — the path pebble's
   * HTTP-01 validation takes, as a user's port forward gives it — and public TCP 443 to the box's HTTPS listener.
   * Off by default; kept across scenario switches; `{ http: false, httpsToPort: null }` turns both off. Conntrack is
   * flushed, so a connection the old forward carried does not go on through it.
   */
  async setWebForward(forward: WebForward): Promise<void> {
    this.webForward = forward;
    await this.loadWebForward();
    await run(['ip', 'netns', 'exec', this.ns('router'), 'conntrack', '-F']);
  }

  get webForwards(): WebForward {
    return this.webForward;
  }

  private async loadWebForward(): Promise<void> {
    await runOk(['ip', 'netns', 'exec', this.ns('router'), 'nft', '-f', '-'], {
      stdin: webForwardRuleset(scenarioShape(this.currentScenario), this.webForward),
    });
  }

  /**
   * Pebble's issuing root and intermediate (PEM), from its management port. Pebble makes a new random CA at every
   * start: fetch them again after each (re)start. A TLS client that trusts `root` accepts what pebble issued.
   */
  async pebbleRoots(): Promise<{ root: string; intermediate: string }> {
    const get = async (what: string) => {
      const r = await runOk([
        'ip',
        'netns',
        'exec',
        this.ns('inet'),
        'curl',
        '-sSf',
        '--max-time',
        '5',
        '--cacert',
        this.pebbleListenerCaFile,
        `https://${addr.acme}:${ports.acmeManagement}/${what}/0`,
      ]);
      if (!r.stdout.includes('-----BEGIN CERTIFICATE-----'))
        throw new TestbedError(`pebble's /${what}/0 is not a PEM certificate`);
      return r.stdout;
    };
    return { root: await get('roots'), intermediate: await get('intermediates') };
  }

  /** Stops pebble (by PID): the CA is unreachable until startPebble. Its state (accounts, orders, CA) is gone. */
  async stopPebble(): Promise<void> {
    if (!this.pebble) return;
    const p = this.pebble;
    this.pebble = undefined;
    await stopProcesses([p]);
    this.processes = this.processes.filter((x) => x !== p);
    this.saveState();
  }

  /**
   * (Re)starts pebble with `options` (e.g. short-lived certificates). The listener certificate stays the same (so
   * `pebbleListenerCa` stays right); the issuing CA is new: call pebbleRoots afterwards.
   */
  async restartPebble(options: PebbleOptions = {}): Promise<void> {
    await this.stopPebble();
    await this.startPebble(options);
  }

  /**
   * Removes every AAAA record of `name` at the bed's BIND and waits until BIND serves none: pebble's VA prefers IPv6,
   * and an AAAA that does not lead to the box fails HTTP-01 (TESTBED-NOTES, section 6).
   */
  async removeAaaa(name: string): Promise<void> {
    const r = await this.nsupdate('inet', [`update delete ${name}. AAAA`]);
    if (r.exitCode !== 0) throw new TestbedError(`nsupdate: ${r.stderr.trim()}`);
    await waitFor(`BIND serving no AAAA for ${name}`, async () => {
      const d = await this.exec('inet', [
        'dig',
        '+short',
        '+time=1',
        '+tries=1',
        `@${addr.dns}`,
        name,
        'AAAA',
      ]);
      return d.exitCode === 0 && d.stdout.trim() === '' ? true : undefined;
    });
  }

  /**
   * Starts `gatehouse serve` (from source) inside gw with a config file and data directory; ended at teardown.
   * `listen` defaults to gw's loopback (plain HTTP); an address off loopback makes it serve HTTPS.
   */
  spawnGatehouse(configFile: string, dataDir: string, listen = '127.0.0.1:0'): TrackedProcess {
    const cli = path.join(repoRoot, 'test/support/cli-entry.ts');
    return this.spawn('gw', 'gatehouse', [
      process.execPath,
      '--import',
      'tsx',
      cli,
      'serve',
      '--config',
      configFile,
      '--data-dir',
      dataDir,
      '--listen',
      listen,
    ]);
  }

  /**
   * Ends a server `spawnGatehouse` started (SIGTERM, by its PID) and waits until its data directory's lock is gone:
   * the store is flushed and closed, so the next server or an offline command can take the directory.
   */
  async stopGatehouse(server: { readonly pid: number }, dataDir: string): Promise<void> {
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    await waitFor(
      'the server to exit',
      () => Promise.resolve(fs.existsSync(path.join(dataDir, 'gatehouse.lock')) ? undefined : true),
      30_000,
    );
  }

  /** Runs a TypeScript file of this repository inside a namespace (node --import tsx). */
  node(
    role: Role,
    script: string,
    args: readonly string[] = [],
    options: { timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    return this.exec(role, [process.execPath, '--import', 'tsx', path.resolve(repoRoot, script), ...args], {
      timeoutMs: options.timeoutMs ?? 20_000,
    });
  }

  /** STUN Binding requests from one socket in `role` to each server; what each server saw. */
  async stunProbe(
    role: Role,
    servers: readonly string[],
    localPort = 0,
    options: { changeRequest?: boolean } = {},
  ): Promise<{
    localPort: number;
    results: {
      server: string;
      mapped: { address: string; port: number } | null;
      otherAddress?: { address: string; port: number } | null;
      responseOrigin?: { address: string; port: number } | null;
      /** Where the answer actually came from. */
      from?: string;
      error?: string;
    }[];
  }> {
    const flags = ['--local-port', String(localPort), ...(options.changeRequest ? ['--change'] : [])];
    const r = await this.node(role, 'test/testbed/stun-probe.ts', [...flags, ...servers]);
    if (r.exitCode !== 0) throw new TestbedError(`stun probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Awaited<ReturnType<Testbed['stunProbe']>>;
  }

  /**
   * A WireGuard tunnel between gw (10.99.0.1, listening on 51820) and the phone (10.99.0.2), wireguard-go on both
   * ends. The phone's endpoint is the address the internet sees for gw in this scenario.
   */
  async startWireguardPair(): Promise<WireguardPair> {
    const { wgGw, wgPhone } = this.names;
    const keys = async () => {
      const priv = (await runOk(['wg', 'genkey'])).stdout.trim();
      const pub = (await runOk(['wg', 'pubkey'], { stdin: `${priv}\n` })).stdout.trim();
      return { priv, pub };
    };
    const gwKeys = await keys();
    const phoneKeys = await keys();
    const writeConf = (name: string, text: string) => {
      const file = path.join(this.dir, name);
      fs.writeFileSync(file, text, { mode: 0o600 });
      return file;
    };
    const gwConf = writeConf(
      `${wgGw}.conf`,
      `[Interface]\nPrivateKey = ${gwKeys.priv}\nListenPort = ${ports.wireguard}\n\n[Peer]\nPublicKey = ${phoneKeys.pub}\nAllowedIPs = 10.99.0.2/32\n`,
    );
    const phoneConf = writeConf(
      `${wgPhone}.conf`,
      `[Interface]\nPrivateKey = ${phoneKeys.priv}\n\n[Peer]\nPublicKey = ${gwKeys.pub}\nEndpoint = ${this.expectedPublicAddress}:${ports.wireguard}\nAllowedIPs = 10.99.0.0/24\nPersistentKeepalive = 25\n`,
    );
    for (const [role, ifname, conf, address] of [
      ['gw', wgGw, gwConf, '10.99.0.1/24'],
      ['phone', wgPhone, phoneConf, '10.99.0.2/24'],
    ] as const) {
      this.spawn(role, `wireguard-go-${role}`, ['wireguard-go', '-f', ifname], { LOG_LEVEL: 'error' });
      await waitFor(`wireguard-go ${ifname} socket`, () =>
        Promise.resolve(fs.existsSync(`/run/wireguard/${ifname}.sock`) ? true : undefined),
      );
      await runOk(['ip', 'netns', 'exec', this.ns(role), 'wg', 'setconf', ifname, conf]);
      await runOk(['ip', '-n', this.ns(role), 'addr', 'add', address, 'dev', ifname]);
      await runOk(['ip', '-n', this.ns(role), 'link', 'set', ifname, 'up']);
    }
    return {
      gwInterface: wgGw,
      phoneInterface: wgPhone,
      gwTunnelAddress: '10.99.0.1',
      phoneTunnelAddress: '10.99.0.2',
    };
  }

  /** Ends every process this bed started (by PID), removes its namespaces and files. Safe to call twice. */
  async down(): Promise<void> {
    await stopProcesses(this.processes);
    this.processes = [];
    this.miniupnpd = undefined;
    await removeBed(this.names);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Removes every bed left behind (crashed runs or `up` by hand): processes inside their namespaces, then them. */
  static async downAll(options: { only?: readonly string[] } = {}): Promise<string[]> {
    const removed: string[] = [];
    const list = await run(['ip', 'netns', 'list']);
    const runIds = new Set(
      list.stdout
        .split('\n')
        .map((l) => l.split(' ')[0] ?? '')
        .filter(isBedNamespace)
        .map((n) => n.slice('ghtb'.length).split('-')[0] ?? ''),
    );
    if (fs.existsSync(workRoot))
      for (const d of fs.readdirSync(workRoot)) if (/^[a-z0-9]{4,8}$/.test(d)) runIds.add(d);
    for (const runId of runIds) {
      if (options.only && !options.only.includes(runId)) continue;
      const state = readState(runId);
      await stopProcesses(state?.processes ?? []);
      await removeBed(bedNames(runId));
      fs.rmSync(path.join(workRoot, runId), { recursive: true, force: true });
      removed.push(runId);
    }
    return removed;
  }

  /** Tears down the bed whose state a `testbed up` saved. */
  static async downRun(runId: string): Promise<void> {
    const state = readState(runId);
    await stopProcesses(state?.processes ?? []);
    await removeBed(bedNames(runId));
    fs.rmSync(path.join(workRoot, runId), { recursive: true, force: true });
  }

  private async build(): Promise<void> {
    if (this.built) return;
    this.built = true;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.saveState();
    for (const ns of Object.values(this.names.ns)) {
      fs.mkdirSync(`/etc/netns/${ns}`, { recursive: true });
      fs.writeFileSync(`/etc/netns/${ns}/resolv.conf`, resolvConf);
    }
    // Bridged LAN frames must not traverse IP netfilter in the router (br_netfilter breaks hairpin NAT);
    // the bridge sysctls exist only where br_netfilter is loaded, hence a separate, tolerant step.
    for (const argv of topologyCommands(this.names)) await runOk(argv);
    await run([
      'ip',
      'netns',
      'exec',
      this.ns('router'),
      'sysctl',
      '-qw',
      'net.bridge.bridge-nf-call-iptables=0',
      'net.bridge.bridge-nf-call-ip6tables=0',
    ]);
    await Promise.all([
      this.startLanServices(),
      this.startStun(),
      this.startDns(),
      this.startPebble(),
      this.startEchoServices(),
    ]);
  }

  private async listening(role: Role, proto: 'tcp' | 'udp', port: number): Promise<true | undefined> {
    const r = await run([
      'ip',
      'netns',
      'exec',
      this.ns(role),
      'ss',
      '-Hln',
      proto === 'tcp' ? '-t' : '-u',
      'sport',
      '=',
      `:${port}`,
    ]);
    return r.exitCode === 0 && r.stdout.trim() !== '' ? true : undefined;
  }

  private async startLanServices(): Promise<void> {
    const p = this.spawn('lan', 'lan-services', [
      process.execPath,
      '--import',
      'tsx',
      path.join(repoRoot, 'test/testbed/lan-services.ts'),
      addr.lanHost,
    ]);
    await waitFor(
      'LAN services',
      () => Promise.resolve(this.log(p.name).includes('ready') ? true : undefined),
      15_000,
    );
  }

  /** HTTP echo on 203.0.113.65:8088 and [2001:db8:ff::65]:8088; a lying echo on 203.0.113.66:8089. */
  private async startEchoServices(): Promise<void> {
    const p = this.spawn('inet', 'echo-services', [
      process.execPath,
      '--import',
      'tsx',
      path.join(repoRoot, 'test/testbed/echo-services.ts'),
    ]);
    await waitFor(
      'HTTP echo services',
      () => Promise.resolve(this.log(p.name).includes('ready') ? true : undefined),
      15_000,
    );
  }

  private async startStun(): Promise<void> {
    const dir = path.join(this.dir, 'coturn');
    fs.mkdirSync(dir, { recursive: true });
    this.spawn('inet', 'coturn', [
      'turnserver',
      '-n',
      '--stun-only',
      '-L',
      addr.stunPrimary,
      '-L',
      addr.stunAlternate,
      '-L',
      addr.inet6Server,
      '-p',
      String(ports.stun),
      '--alt-listening-port',
      String(ports.stunAlt),
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-software-attribute',
      '--log-file',
      'stdout',
      '--simple-log',
      '--pidfile',
      path.join(dir, 'turnserver.pid'),
    ]);
    await waitFor('coturn on UDP 3478', () => this.listening('inet', 'udp', ports.stun));
    await waitFor('coturn on UDP 3479', () => this.listening('inet', 'udp', ports.stunAlt));
  }

  private async startDns(): Promise<void> {
    const dir = path.join(this.dir, 'named');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'tsig.key'), tsigKeyConf(this.tsigSecret), { mode: 0o600 });
    fs.writeFileSync(path.join(dir, `${zoneName}.zone`), zoneFile());
    fs.writeFileSync(path.join(dir, 'named.conf'), namedConf(dir));
    this.spawn('inet', 'named', ['named', '-g', '-c', path.join(dir, 'named.conf')]);
    await waitFor('BIND answering for the test zone', async () => {
      const r = await this.exec('inet', [
        'dig',
        '+short',
        '+time=1',
        '+tries=1',
        `@${addr.dns}`,
        zoneName,
        'SOA',
      ]);
      return r.exitCode === 0 && r.stdout.includes('hostmaster') ? true : undefined;
    });
  }

  private async startPebble(options: PebbleOptions = {}): Promise<void> {
    const dir = path.join(this.dir, 'pebble');
    fs.mkdirSync(dir, { recursive: true });
    if (!fs.existsSync(path.join(dir, 'ca.crt'))) {
      const { caPem, certPem, keyPem } = listenerCertificates();
      fs.writeFileSync(path.join(dir, 'ca.crt'), caPem);
      fs.writeFileSync(path.join(dir, 'listener.crt'), certPem);
      fs.writeFileSync(path.join(dir, 'listener.key'), keyPem, { mode: 0o600 });
    }
    fs.writeFileSync(path.join(dir, 'pebble-config.json'), pebbleConfig(dir, options));
    this.pebble = this.spawn(
      'inet',
      'pebble',
      ['pebble', '-config', path.join(dir, 'pebble-config.json'), '-dnsserver', `${addr.dns}:${ports.dns}`],
      // No random validation sleeps, no rejected nonces, no reused authorizations: timings that mean something,
      // and every order really validates.
      { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
    );
    await waitFor('pebble on TCP 14000', () => this.listening('inet', 'tcp', ports.acme));
    await waitFor('pebble management on TCP 15000', () =>
      this.listening('inet', 'tcp', ports.acmeManagement),
    );
  }

  private async startMiniupnpd(): Promise<void> {
    const dir = path.join(this.dir, 'miniupnpd');
    fs.mkdirSync(dir, { recursive: true });
    const conf = path.join(dir, 'miniupnpd.conf');
    const shape = scenarioShape(this.currentScenario);
    fs.writeFileSync(conf, miniupnpdConf(dir, shape));
    // The log is appended to across starts: only what this start writes counts.
    const earlier = this.log('miniupnpd').length;
    this.miniupnpd = this.spawn('router', 'miniupnpd', [
      'miniupnpd',
      '-d',
      '-f',
      conf,
      '-P',
      path.join(dir, 'miniupnpd.pid'),
    ]);
    await waitFor('miniupnpd (UPnP HTTP)', () => this.listening('router', 'tcp', ports.upnpHttp));
    await waitFor('miniupnpd (NAT-PMP)', () => this.listening('router', 'udp', ports.natpmp));
    // Port forwarding is enabled (or, behind CGNAT, disabled) only after its STUN self-check (see TESTBED-NOTES):
    // wait for that verdict. Behind CGNAT the check waits for filtered answers (about 9 s).
    const decided = shape.upnpStun
      ? /Port forwarding is now (enabled|disabled)|public IP address/
      : /Port forwarding|not public|private|reserved/i;
    await waitFor(
      'miniupnpd STUN check',
      () => Promise.resolve(decided.test(this.log('miniupnpd').slice(earlier)) ? true : undefined),
      20_000,
    );
  }

  private async stopMiniupnpd(): Promise<void> {
    if (!this.miniupnpd) return;
    const p = this.miniupnpd;
    this.miniupnpd = undefined;
    await stopProcesses([p]);
    this.processes = this.processes.filter((x) => x !== p);
    fs.rmSync(path.join(this.dir, 'miniupnpd', 'upnp.leases'), { force: true });
    // Its rules survive SIGTERM; the next scenario's ruleset (flush ruleset) removes them.
    this.saveState();
  }

  private saveState(): void {
    if (!fs.existsSync(this.dir)) return;
    const state: SavedState = {
      runId: this.names.runId,
      scenario: this.currentScenario,
      wan: this.wan,
      processes: this.processes.map(({ name, pid }) => ({ name, pid })),
    };
    fs.writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify(state, null, 2));
  }
}

function readState(runId: string): SavedState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(workRoot, runId, 'state.json'), 'utf8')) as SavedState;
  } catch {
    return undefined;
  }
}

/** Whether a process with this PID still runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, wait for the exit, SIGKILL what remains. Only PIDs this bed started are touched. */
async function stopProcesses(list: readonly { pid: number; child?: ChildProcess }[]): Promise<void> {
  await Promise.all(
    list.map(async (p) => {
      if (!alive(p.pid)) return;
      const exited = p.child
        ? new Promise<void>((resolve) => {
            if (p.child?.exitCode !== null || p.child.signalCode !== null) resolve();
            else p.child.once('exit', () => resolve());
          })
        : waitFor(`pid ${p.pid} to exit`, () => Promise.resolve(alive(p.pid) ? undefined : true), 3000).then(
            () => undefined,
            () => undefined,
          );
      try {
        process.kill(p.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** Deletes a bed's namespaces (after ending any process still inside them) and its /etc/netns entries. */
async function removeBed(names: BedNames): Promise<void> {
  for (const ns of Object.values(names.ns)) {
    const pids = await run(['ip', 'netns', 'pids', ns]);
    if (pids.exitCode === 0) {
      // Processes inside our own namespaces were started by the bed (e.g. a daemon that re-parented itself).
      await stopProcesses(
        pids.stdout
          .split('\n')
          .filter(Boolean)
          .map((p) => ({ pid: Number(p) })),
      );
    }
    await run(['ip', 'netns', 'del', ns]);
    fs.rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
  }
  for (const ifname of [names.wgGw, names.wgPhone])
    fs.rmSync(`/run/wireguard/${ifname}.sock`, { force: true });
}

/** A CA and a listener certificate for pebble (Debian ships none): acme.example.test and 203.0.113.65. */
function listenerCertificates(): { caPem: string; certPem: string; keyPem: string } {
  const now = new Date();
  const make = (
    subject: string,
    issuer: forge.pki.CertificateField[] | undefined,
    signer: forge.pki.rsa.PrivateKey | undefined,
    ca: boolean,
  ) => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
    cert.validity.notBefore = new Date(now.getTime() - 60_000);
    cert.validity.notAfter = new Date(now.getTime() + 30 * 86_400_000);
    const attrs = [{ name: 'commonName', value: subject }];
    cert.setSubject(attrs);
    cert.setIssuer(issuer ?? attrs);
    cert.setExtensions(
      ca
        ? [
            { name: 'basicConstraints', cA: true },
            { name: 'keyUsage', keyCertSign: true, cRLSign: true },
          ]
        : [
            { name: 'basicConstraints', cA: false },
            { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
            { name: 'extKeyUsage', serverAuth: true },
            {
              name: 'subjectAltName',
              altNames: [
                { type: 2, value: `acme.${zoneName}` },
                { type: 2, value: 'localhost' },
                { type: 7, ip: addr.acme },
              ],
            },
          ],
    );
    cert.sign(signer ?? keys.privateKey, forge.md.sha256.create());
    return { cert, keys, attrs };
  };
  const ca = make('Gatehouse test bed pebble listener CA', undefined, undefined, true);
  const leaf = make(`acme.${zoneName}`, ca.attrs, ca.keys.privateKey, false);
  return {
    caPem: forge.pki.certificateToPem(ca.cert),
    certPem: forge.pki.certificateToPem(leaf.cert),
    keyPem: forge.pki.privateKeyToPem(leaf.keys.privateKey),
  };
}

/**
 * @module The phone's side of the WireGuard tests: brings up wireguard-go in the phone namespace from exactly the
 * client config text a server produced (wg-quick format), the way wg-quick would, and probes through it (TCP
 * connects, HTTP, a sequenced UDP stream, a TCP throughput run). Also a hand-made server in gw (wireguard-go + wg +
 * masquerade, no Gatehouse) to prove these helpers and to serve as the benchmark's no-ruleset baseline.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import { addr, ports, type Argv, type Role } from './plan.js';
import { TestbedError, waitFor, type Testbed } from './testbed.js';
import type { ConnectOutcome, ConnectResult, TcpSourceReport, UdpStreamReport } from './wireguard-probe.js';

export type { ConnectOutcome, ConnectResult, TcpSourceReport, UdpStreamReport };

const probeScript = 'test/testbed/wireguard-probe.ts';
const runner = createChildProcessRunner();

/** What wg-quick reads from a client config, and the part `wg setconf` takes. */
export interface ClientConfig {
  /** The config without wg-quick's own keys (Address, DNS, MTU, Table, SaveConfig): what `wg setconf` reads. */
  readonly wgOnly: string;
  readonly addresses: readonly string[];
  readonly dns: readonly string[];
  readonly mtu: number | null;
  /** Every peer's AllowedIPs, in order, without duplicates. */
  readonly allowedIps: readonly string[];
  readonly endpoints: readonly string[];
  readonly hasPrivateKey: boolean;
}

/** Keys wg-quick handles itself; the rest goes to `wg`. */
const wgQuickKeys = new Set(['address', 'dns', 'mtu', 'table', 'saveconfig']);
/** Keys that would run commands on the client: a server-produced config must never carry them. */
const hookKeys = new Set(['preup', 'postup', 'predown', 'postdown']);

const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

/**
 * Splits a wg-quick config as wg-quick does (a `#` starts a comment anywhere, key = text before the first `=`,
 * case-insensitive). Throws on hook keys (PreUp…): running them would be an injection, never a feature here.
 */
export function parseClientConfig(text: string): ClientConfig {
  const wgLines: string[] = [];
  const addresses: string[] = [];
  const dns: string[] = [];
  const allowedIps: string[] = [];
  const endpoints: string[] = [];
  let mtu: number | null = null;
  let section: 'interface' | 'peer' | null = null;
  let hasPrivateKey = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = (raw.split('#')[0] ?? '').trim();
    if (line === '') {
      wgLines.push(raw);
      continue;
    }
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      const name = (header[1] ?? '').toLowerCase();
      if (name !== 'interface' && name !== 'peer') throw new TestbedError(`unknown section [${name}]`);
      section = name;
      wgLines.push(raw);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || section === null) throw new TestbedError(`not a config line: ${JSON.stringify(raw)}`);
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (hookKeys.has(key)) throw new TestbedError(`the config carries a command hook (${key})`);
    if (section === 'interface' && wgQuickKeys.has(key)) {
      if (key === 'address') addresses.push(...commaList(value));
      else if (key === 'dns') dns.push(...commaList(value));
      else if (key === 'mtu') mtu = Number(value);
      continue;
    }
    if (section === 'interface' && key === 'privatekey') hasPrivateKey = value !== '';
    if (section === 'peer' && key === 'allowedips')
      for (const ip of commaList(value)) if (!allowedIps.includes(ip)) allowedIps.push(ip);
    if (section === 'peer' && key === 'endpoint') endpoints.push(value);
    wgLines.push(raw);
  }
  return {
    wgOnly: `${wgLines.join('\n').trim()}\n`,
    addresses,
    dns,
    mtu,
    allowedIps,
    endpoints,
    hasPrivateKey,
  };
}

/** The table and fwmark wg-quick uses for a default route through the tunnel. */
export const fullTunnelTable = 51820;

/**
 * What wg-quick runs after `wg setconf`, as argv for the namespace: addresses, MTU (1420 when unset, as wg-quick
 * computes for a 1500 path) and up, a route for every AllowedIPs entry, and for a /0 the fwmark table and rules
 * so the tunnel's own packets still leave by the real default route.
 */
export function interfaceUpCommands(ns: string, ifname: string, config: ClientConfig): Argv[] {
  const ipn = (...args: string[]): Argv => ['ip', '-n', ns, ...args];
  const family = (cidr: string) => (cidr.includes(':') ? '-6' : '-4');
  const cmds: Argv[] = config.addresses.map((a) => ipn(family(a), 'address', 'add', a, 'dev', ifname));
  cmds.push(ipn('link', 'set', 'mtu', String(config.mtu ?? 1420), 'up', 'dev', ifname));
  const defaults = config.allowedIps.filter((c) => /\/0$/.test(c));
  for (const cidr of config.allowedIps.filter((c) => !/\/0$/.test(c)))
    cmds.push(ipn(family(cidr), 'route', 'replace', cidr, 'dev', ifname));
  if (defaults.length > 0)
    cmds.push(['ip', 'netns', 'exec', ns, 'wg', 'set', ifname, 'fwmark', String(fullTunnelTable)]);
  for (const cidr of defaults) {
    const f = family(cidr);
    cmds.push(
      ipn(f, 'route', 'add', cidr, 'dev', ifname, 'table', String(fullTunnelTable)),
      ipn(f, 'rule', 'add', 'not', 'fwmark', String(fullTunnelTable), 'table', String(fullTunnelTable)),
      ipn(f, 'rule', 'add', 'table', 'main', 'suppress_prefixlength', '0'),
    );
  }
  return cmds;
}

/** The rules interfaceUpCommands added for a default route (the routes go with the interface). */
export function interfaceDownCommands(ns: string, config: ClientConfig): Argv[] {
  const cmds: Argv[] = [];
  for (const cidr of config.allowedIps.filter((c) => /\/0$/.test(c))) {
    const f = cidr.includes(':') ? '-6' : '-4';
    cmds.push(
      [
        'ip',
        '-n',
        ns,
        f,
        'rule',
        'del',
        'not',
        'fwmark',
        String(fullTunnelTable),
        'table',
        String(fullTunnelTable),
      ],
      ['ip', '-n', ns, f, 'rule', 'del', 'table', 'main', 'suppress_prefixlength', '0'],
    );
  }
  return cmds;
}

export interface WireguardPeerDump {
  readonly publicKey: string;
  readonly endpoint: string | null;
  readonly allowedIps: readonly string[];
  /** Unix seconds; null = never. */
  readonly latestHandshake: number | null;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** The peer lines of `wg show <if> dump` (the interface line, which holds the private key, is dropped unread). */
export function parseDumpPeers(dump: string): WireguardPeerDump[] {
  return dump
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((line) => {
      const f = line.split('\t');
      const handshake = Number(f[4]);
      return {
        publicKey: f[0] ?? '',
        endpoint: f[2] === '(none)' ? null : (f[2] ?? null),
        allowedIps: f[3] === '(none)' ? [] : (f[3] ?? '').split(','),
        latestHandshake: handshake > 0 ? handshake : null,
        rxBytes: Number(f[5]),
        txBytes: Number(f[6]),
      };
    });
}

async function must(bed: Testbed, role: Role, argv: Argv, stdin?: string): Promise<string> {
  const r = await bed.exec(role, argv, stdin === undefined ? {} : { stdin });
  if (r.exitCode !== 0) throw new TestbedError(`${argv.join(' ')} in ${role} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

let secretFiles = 0;

/**
 * Runs `use` with `text` in a 0600 file in the bed's (0700) directory, removed afterwards. `wg` opens its config
 * and key arguments with fopen(), which fails on /dev/stdin when stdin is a socket (as Node's piped stdio is).
 */
async function withSecretFile<T>(bed: Testbed, text: string, use: (file: string) => Promise<T>): Promise<T> {
  secretFiles += 1;
  const file = path.join(bed.dir, `wg-secret-${process.pid}-${secretFiles}`);
  fs.writeFileSync(file, text, { mode: 0o600 });
  try {
    return await use(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Runs argv that names its namespace itself (`ip -n <ns> …`, `ip netns exec <ns> …`), failing loudly. */
async function mustRaw(argv: Argv): Promise<void> {
  const r = await runner.run(argv, { timeoutMs: 30_000 });
  if (!r.ok) throw new TestbedError(r.error.message);
  if (r.value.exitCode !== 0) throw new TestbedError(`${argv.join(' ')} failed: ${r.value.stderr.trim()}`);
}

/** Starts wireguard-go (foreground, tracked by PID by the bed) and waits for its UAPI socket. */
async function startWireguardGo(bed: Testbed, role: Role, ifname: string) {
  const p = bed.spawn(role, `wireguard-go-${ifname}`, ['wireguard-go', '-f', ifname], {
    LOG_LEVEL: 'error',
  });
  await waitFor(`wireguard-go ${ifname} (UAPI socket)`, async () => {
    const r = await bed.exec(role, ['wg', 'show', ifname, 'listen-port']);
    return r.exitCode === 0 ? true : undefined;
  });
  return p;
}

/** Ends wireguard-go: deleting the link makes it exit; then its PID, if it lingers. */
async function stopWireguardGo(bed: Testbed, role: Role, ifname: string, pid: number): Promise<void> {
  await bed.exec(role, ['ip', 'link', 'del', ifname]);
  await waitFor(
    `wireguard-go ${ifname} to exit`,
    () => {
      try {
        process.kill(pid, 0);
        return Promise.resolve(undefined);
      } catch {
        return Promise.resolve(true);
      }
    },
    3000,
  ).catch(() => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  });
}

export interface PhoneTunnel {
  readonly interface: string;
  readonly config: ClientConfig;
  /** wireguard-go's PID. */
  readonly pid: number;
  /** The phone's view of its peers (`wg show dump`, interface line dropped). */
  dump(): Promise<WireguardPeerDump[]>;
  down(): Promise<void>;
}

export interface PhoneTunnelOptions {
  /** The interface name; default bed.names.wgPhone (unique per run: UAPI sockets are global). */
  readonly ifname?: string;
  readonly role?: Role;
  /**
   * For a config with no private key (the peer brought its own public key): the key the phone adds. It goes to
   * `wg` on stdin with the rest, never in argv.
   */
  readonly privateKey?: string;
}

/**
 * Brings up wireguard-go in the phone namespace from exactly `configText` (wg-quick format): the wg part through
 * `wg setconf` (from a 0600 file in the bed's directory, removed at once; keys never in argv), then addresses, MTU and routes as wg-quick
 * does. DNS lines are read and not applied (the namespace's resolver stays the bed's).
 */
export async function phoneTunnel(
  bed: Testbed,
  configText: string,
  options: PhoneTunnelOptions = {},
): Promise<PhoneTunnel> {
  const role = options.role ?? 'phone';
  const ifname = options.ifname ?? bed.names.wgPhone;
  const config = parseClientConfig(configText);
  let wgText = config.wgOnly;
  if (!config.hasPrivateKey) {
    if (options.privateKey === undefined)
      throw new TestbedError('the config has no private key and none was given');
    wgText = wgText.replace(
      /^\[Interface\][^\n]*\n/im,
      (h) => `${h}PrivateKey = ${options.privateKey ?? ''}\n`,
    );
  }
  const p = await startWireguardGo(bed, role, ifname);
  const ns = bed.ns(role);
  try {
    await withSecretFile(bed, wgText, (f) => must(bed, role, ['wg', 'setconf', ifname, f]));
    for (const argv of interfaceUpCommands(ns, ifname, config)) await mustRaw(argv);
  } catch (e) {
    await stopWireguardGo(bed, role, ifname, p.pid);
    throw e;
  }
  return {
    interface: ifname,
    config,
    pid: p.pid,
    dump: async () => parseDumpPeers(await must(bed, role, ['wg', 'show', ifname, 'dump'])),
    down: async () => {
      for (const argv of interfaceDownCommands(ns, config)) await runner.run(argv, { timeoutMs: 10_000 });
      await stopWireguardGo(bed, role, ifname, p.pid);
    },
  };
}

/** One TCP connect from `role`: connected, refused (a RST came back) or timeout (dropped somewhere). */
export async function tcpConnect(
  bed: Testbed,
  role: Role,
  host: string,
  port: number,
  timeoutMs = 1500,
): Promise<ConnectOutcome> {
  const [r] = await tcpConnectAll(bed, role, [`${host}:${port}`], timeoutMs);
  if (!r || r.outcome === 'error')
    throw new TestbedError(`connect ${host}:${port}: ${r?.error ?? 'no result'}`);
  return r.outcome;
}

/** Several connects at once from one process (one start-up cost), e.g. `['10.10.0.20:8000', '10.10.0.1:80']`. */
export async function tcpConnectAll(
  bed: Testbed,
  role: Role,
  targets: readonly string[],
  timeoutMs = 1500,
): Promise<ConnectResult[]> {
  const r = await bed.node(role, probeScript, ['connect', String(timeoutMs), ...targets], {
    timeoutMs: timeoutMs + 15_000,
  });
  if (r.exitCode !== 0) throw new TestbedError(`connect probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ConnectResult[];
}

/** The outcome of each target as a map, for assertions that read as a table. */
export async function reachability(
  bed: Testbed,
  role: Role,
  targets: readonly string[],
  timeoutMs = 1500,
): Promise<Record<string, ConnectResult['outcome']>> {
  return Object.fromEntries(
    (await tcpConnectAll(bed, role, targets, timeoutMs)).map((r) => [r.target, r.outcome]),
  );
}

/** HTTP GET with curl from `role`: the status and body, or curl's exit code when no answer came. */
export async function httpGet(
  bed: Testbed,
  role: Role,
  url: string,
  timeoutMs = 5000,
): Promise<{ status: number; body: string } | { error: number }> {
  const r = await bed.exec(role, [
    'curl',
    '-s',
    '-m',
    String(timeoutMs / 1000),
    '-o',
    '-',
    '-w',
    '\n%{http_code}',
    url,
  ]);
  if (r.exitCode !== 0) return { error: r.exitCode };
  const i = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

/** `ping -i <interval> -c <count>` from `role`: packets sent and received. */
export async function pingStream(
  bed: Testbed,
  role: Role,
  host: string,
  count: number,
  intervalMs = 10,
): Promise<{ sent: number; received: number }> {
  const r = await bed.exec(
    role,
    ['ping', '-n', '-q', '-i', String(intervalMs / 1000), '-c', String(count), '-W', '1', host],
    { timeoutMs: count * intervalMs + 15_000 },
  );
  const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  if (!m) throw new TestbedError(`ping gave no summary: ${r.stdout} ${r.stderr}`);
  return { sent: Number(m[1]), received: Number(m[2]) };
}

let streams = 0;

/** A sequenced UDP stream running in the background; resolves once it is sending. */
export interface RunningUdpStream {
  readonly startedAt: number;
  /** When the first answer came (null: none within the wait). */
  readonly firstAnswerAt: number | null;
  /** The report once the stream ended (its duration plus a second for late answers). */
  readonly result: Promise<UdpStreamReport>;
}

/**
 * Starts a UDP stream from `role` to an echo (startUdpEcho) at host:port: one 64-byte datagram every `intervalMs`
 * for `durationMs`. With `waitForAnswer`, resolves only after the first echo came back (the path works).
 */
export async function startUdpStream(
  bed: Testbed,
  role: Role,
  host: string,
  port: number,
  options: { intervalMs?: number; durationMs: number; waitForAnswer?: boolean },
): Promise<RunningUdpStream> {
  streams += 1;
  const name = `udp-stream-${streams}`;
  const p = bed.spawn(role, name, [
    process.execPath,
    '--import',
    'tsx',
    path.resolve(import.meta.dirname, '..', '..', probeScript),
    'udp-stream',
    host,
    String(port),
    String(options.intervalMs ?? 10),
    String(options.durationMs),
  ]);
  const exited = new Promise<void>((resolve) => {
    if (!p.child || p.child.exitCode !== null) resolve();
    else p.child.once('exit', () => resolve());
  });
  const mark = (word: string) => {
    const m = new RegExp(`^${word} (\\d+)$`, 'm').exec(bed.log(name));
    return m ? Number(m[1]) : undefined;
  };
  const startedAt = await waitFor(`${name} sending`, () => Promise.resolve(mark('started')), 15_000);
  const firstAnswerAt = options.waitForAnswer
    ? await waitFor(`${name}: the first echo`, () => Promise.resolve(mark('first answer')), 10_000)
    : null;
  const result = exited.then(() => {
    const line = bed
      .log(name)
      .split('\n')
      .find((l) => l.startsWith('{'));
    if (!line) throw new TestbedError(`${name} ended without a report: ${bed.log(name)}`);
    return JSON.parse(line) as UdpStreamReport;
  });
  return { startedAt, firstAnswerAt, result };
}

/** A UDP echo server (for startUdpStream) in `role`, tracked by the bed; resolves when it listens. */
export async function startUdpEcho(bed: Testbed, role: Role, bind: string, port: number): Promise<void> {
  const name = `udp-echo-${port}`;
  bed.spawn(role, name, [
    process.execPath,
    '--import',
    'tsx',
    path.resolve(import.meta.dirname, '..', '..', probeScript),
    'udp-echo',
    bind,
    String(port),
  ]);
  await waitFor(
    `${name} ready`,
    () => Promise.resolve(bed.log(name).includes('ready') ? true : undefined),
    15_000,
  );
}

/** A TCP sink (for tcpThroughput) in `role`, tracked by the bed; resolves when it listens. */
export async function startTcpSink(bed: Testbed, role: Role, bind: string, port: number): Promise<void> {
  const name = `tcp-sink-${port}`;
  bed.spawn(role, name, [
    process.execPath,
    '--import',
    'tsx',
    path.resolve(import.meta.dirname, '..', '..', probeScript),
    'tcp-sink',
    bind,
    String(port),
  ]);
  await waitFor(
    `${name} ready`,
    () => Promise.resolve(bed.log(name).includes('ready') ? true : undefined),
    15_000,
  );
}

/** One TCP stream from `role` to a sink for `durationMs`: bytes the sink counted, and MB/s (10^6 bytes). */
export async function tcpThroughput(
  bed: Testbed,
  role: Role,
  host: string,
  port: number,
  durationMs: number,
): Promise<TcpSourceReport & { mbPerS: number }> {
  const r = await bed.node(role, probeScript, ['tcp-source', host, String(port), String(durationMs)], {
    timeoutMs: durationMs + 30_000,
  });
  if (r.exitCode !== 0) throw new TestbedError(`tcp source failed: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as TcpSourceReport;
  return { ...report, mbPerS: report.sinkBytes / 1e6 / (report.ms / 1000) };
}

/** A WireGuard keypair in wg's base64 form (x25519 from node:crypto, as `wg genkey` / `wg pubkey` give). */
export function wireguardKeypair(): { privateKey: string; publicKey: string } {
  const { privateKey } = generateKeyPairSync('x25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const b64 = (v: string | undefined) => Buffer.from(v ?? '', 'base64url').toString('base64');
  return { privateKey: b64(jwk.d), publicKey: b64(jwk.x) };
}

export interface HandPeer {
  readonly publicKey: string;
  readonly presharedKey: string;
  /** The peer's tunnel address, e.g. 10.99.0.2. */
  readonly address: string;
}

export interface HandServer {
  readonly interface: string;
  readonly publicKey: string;
  /** Its nftables script (table ip ghwghand: the masquerade, and the filter when asked for): reload it with `nft -f -`. */
  readonly ruleset: string;
  /** The client config (wg-quick format, as a server would hand out) for a new peer at `address`. */
  clientConfig(peer: {
    address: string;
    allowedIps: readonly string[];
    privateKey: string;
    presharedKey: string;
  }): string;
  /** `wg set <if> peer …` (the PSK from a 0600 file). */
  addPeer(peer: HandPeer): Promise<void>;
  removePeer(publicKey: string): Promise<void>;
  /** `wg syncconf` with the private key, port and exactly these peers (the config in a 0600 file). */
  syncPeers(peers: readonly HandPeer[]): Promise<void>;
  dump(): Promise<WireguardPeerDump[]>;
  down(): Promise<void>;
}

/** The hand server's own nftables table in gw (only its masquerade, and the optional filter of `handServer`). */
export const handTable = 'ghwghand';

/**
 * A WireGuard server in gw made by hand, no Gatehouse: wireguard-go on bed.names.wgGw at 10.99.0.1/24 on UDP 51820,
 * forwarding on in gw's namespace, tunnel traffic masqueraded into the LAN (as the box must, or LAN hosts answer
 * to their router). With `allow`, a forward filter in the style of TESTBED-NOTES (only these flows, the rest
 * dropped and counted); without it, no filter at all (the benchmark's baseline).
 */
export async function handServer(
  bed: Testbed,
  options: { allow?: readonly { from: string; to: string; proto: 'tcp' | 'udp'; port: number }[] } = {},
): Promise<HandServer> {
  const ifname = bed.names.wgGw;
  const keys = wireguardKeypair();
  const p = await startWireguardGo(bed, 'gw', ifname);
  const base = `[Interface]\nPrivateKey = ${keys.privateKey}\nListenPort = ${ports.wireguard}\n`;
  const peerBlock = (peer: HandPeer) =>
    `\n[Peer]\nPublicKey = ${peer.publicKey}\nPresharedKey = ${peer.presharedKey}\nAllowedIPs = ${peer.address}/32\n`;
  const filter = options.allow
    ? `  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "${ifname}" jump from_wg
  }
  chain from_wg {
    ct state established,related accept
${options.allow.map((a) => `    ip saddr ${a.from} ip daddr ${a.to} ${a.proto} dport ${a.port} accept`).join('\n')}
    counter drop
  }
`
    : '';
  const ruleset = `table ip ${handTable}
delete table ip ${handTable}
table ip ${handTable} {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    iifname "${ifname}" oifname "eth0" masquerade
  }
${filter}}
`;
  try {
    await withSecretFile(bed, base, (f) => must(bed, 'gw', ['wg', 'setconf', ifname, f]));
    await must(bed, 'gw', ['ip', 'address', 'add', '10.99.0.1/24', 'dev', ifname]);
    await must(bed, 'gw', ['ip', 'link', 'set', 'mtu', '1420', 'up', 'dev', ifname]);
    await must(bed, 'gw', ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // iifname in postrouting: the packet's input interface is still known there.
    await must(bed, 'gw', ['nft', '-f', '-'], ruleset);
  } catch (e) {
    await stopWireguardGo(bed, 'gw', ifname, p.pid);
    throw e;
  }
  return {
    interface: ifname,
    publicKey: keys.publicKey,
    ruleset,
    clientConfig: (peer) =>
      `[Interface]\nPrivateKey = ${peer.privateKey}\nAddress = ${peer.address}/32\nDNS = ${addr.routerLan}\nMTU = 1420\n\n` +
      `[Peer]\n# the hand server\nPublicKey = ${keys.publicKey}\nPresharedKey = ${peer.presharedKey}\n` +
      `Endpoint = ${bed.expectedPublicAddress}:${ports.wireguard}\nAllowedIPs = ${peer.allowedIps.join(', ')}\n` +
      `PersistentKeepalive = 25\n`,
    addPeer: (peer) =>
      withSecretFile(bed, `${peer.presharedKey}\n`, (f) =>
        must(bed, 'gw', [
          'wg',
          'set',
          ifname,
          'peer',
          peer.publicKey,
          'preshared-key',
          f,
          'allowed-ips',
          `${peer.address}/32`,
        ]),
      ).then(() => undefined),
    removePeer: (publicKey) =>
      must(bed, 'gw', ['wg', 'set', ifname, 'peer', publicKey, 'remove']).then(() => undefined),
    syncPeers: (peers) =>
      withSecretFile(bed, base + peers.map(peerBlock).join(''), (f) =>
        must(bed, 'gw', ['wg', 'syncconf', ifname, f]),
      ).then(() => undefined),
    dump: async () => parseDumpPeers(await must(bed, 'gw', ['wg', 'show', ifname, 'dump'])),
    down: async () => {
      await bed.exec('gw', ['nft', 'delete', 'table', 'ip', handTable]);
      await stopWireguardGo(bed, 'gw', ifname, p.pid);
    },
  };
}

/** A new peer for the hand server: keys, PSK and its address. */
export function handPeer(address: string): HandPeer & { privateKey: string } {
  const k = wireguardKeypair();
  return { ...k, presharedKey: randomBytes(32).toString('base64'), address };
}

/**
 * Packets of every named counter object of one nftables table in `role` (`nft -j list table`), by name; empty when
 * the table does not exist.
 */
export async function nftCounters(
  bed: Testbed,
  role: Role,
  family: string,
  table: string,
): Promise<Record<string, number>> {
  const r = await bed.exec(role, ['nft', '-j', 'list', 'table', family, table]);
  if (r.exitCode !== 0) return {};
  const doc = JSON.parse(r.stdout) as { nftables: { counter?: { name: string; packets: number } }[] };
  return Object.fromEntries(
    doc.nftables.flatMap((item) => (item.counter ? [[item.counter.name, item.counter.packets]] : [])),
  );
}

export interface ApiAnswer {
  readonly path: string;
  readonly status: number;
  /** Each request's time, as the client inside gw saw it. */
  readonly ms: readonly number[];
  readonly body: unknown;
}

/**
 * The HTTP API of the Gatehouse that bed.spawnGatehouse started (listening on gw's loopback, so asked from inside
 * gw): the first call completes the first-run setup with the token `gatehouse setup-token` prints, later ones log in.
 */
export function gatehouseHttp(bed: Testbed, dataDir: string) {
  let setUp = false;
  const url = () => {
    const line = bed
      .log('gatehouse')
      .split('\n')
      .find((l) => l.includes('Gatehouse is listening'));
    const u = line === undefined ? undefined : (JSON.parse(line) as { url?: string }).url;
    if (!u) throw new TestbedError('the server has not said where it listens');
    return u;
  };
  return async (paths: readonly string[], repeat = 1): Promise<ApiAnswer[]> => {
    let token = '-';
    if (!setUp) {
      const t = await bed.node('gw', 'test/support/cli-entry.ts', ['setup-token', '--data-dir', dataDir]);
      token = t.stdout.trim().split(/\s+/).at(-1) ?? '';
      if (t.exitCode !== 0 || token === '') throw new TestbedError(`setup-token: ${t.stderr}`);
    }
    const r = await bed.node(
      'gw',
      'test/testbed/wireguard-api.ts',
      [url(), token, String(repeat), ...paths],
      {
        timeoutMs: 120_000,
      },
    );
    if (r.exitCode !== 0) throw new TestbedError(`API: ${r.stderr}`);
    setUp = true;
    return JSON.parse(r.stdout) as ApiAnswer[];
  };
}

/**
 * @module `gatehouse peer|service|grant|revoke|wg …` as real processes against a temporary data directory: offline
 * (no server: the store is changed under the data-directory lock, nothing is applied) and online (a running
 * `gatehouse serve` on loopback answers on its control socket). The server's WireGuard is turned off
 * (`wireguard.enabled: false`): peers, services, grants, configs and QR codes work, and nothing — no interface,
 * no nft table — is ever made in the root namespace (checked against `ip -o link show` and `nft list tables` when
 * root). A peer's private key is only in the config the user asks for and in secrets/ (0600), never in the store
 * or the server's log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
const repoRoot = path.join(import.meta.dirname, '..', '..');
/** tsx by path: the CLI runs in the temporary directory, so that relative --svg/--png paths land there. */
const tsx = path.join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const env = { ...process.env, GATEHOUSE_REACHABILITY: 'off' };
/** About twenty CLI processes in a row, each starting tsx (seconds apiece on a busy 2-core machine). */
const slow = 240_000;
/** A per-run interface name (<= 15 characters): should anything go wrong, it names nothing of the machine's. */
const ifName = `ghcli${process.pid % 100_000}`;

let dir: string;
let dataDir: string;
let configFile: string;
const started: ChildProcess[] = [];

/** What the root namespace holds: interfaces and nft tables (empty when not root: `nft` needs privileges). */
function systemState(): { links: string[]; tables: string; skipped: boolean } {
  if (process.getuid?.() !== 0) return { links: [], tables: '', skipped: true };
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? '')
    .filter(Boolean)
    .sort();
  const tables = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout;
  return { links, tables, skipped: false };
}
let before: ReturnType<typeof systemState>;
beforeAll(() => {
  before = systemState();
});
afterAll(() => {
  // Not part of a test's verdict when not root (nothing to read): the suite says so instead.
  if (before.skipped) {
    console.warn('wireguard-cli: not root — the check that no interface or nft table appeared was skipped');
    return;
  }
  const after = systemState();
  expect(after.links).toEqual(before.links);
  expect(after.tables).toBe(before.tables);
  expect(after.links).not.toContain(ifName);
  expect(after.tables).not.toContain('gatehouse');
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-wg-'));
  dataDir = path.join(dir, 'data');
  configFile = path.join(dir, 'gatehouse.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      wireguard: { enabled: false, interface: ifName, endpointHost: 'home.example.test' },
      exposure: { lanRanges: ['10.10.0.0/24'] },
    }),
  );
});
afterEach(async () => {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const outputs: string[] = [];

function gatehouse(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ['--import', tsx, entry, ...args, '--data-dir', dataDir, '--config', configFile],
      { env, cwd: dir },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.stdin.end();
    p.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

async function serve(): Promise<{ child: ChildProcess; log: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      entry,
      'serve',
      '--data-dir',
      dataDir,
      '--config',
      configFile,
      '--listen',
      '127.0.0.1:0',
    ],
    { env, cwd: repoRoot },
  );
  started.push(child);
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('"msg":"control API listening"')) resolve();
    });
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${log}`)));
  });
  return { child, log: () => log };
}

function json(run: Run): unknown {
  try {
    return JSON.parse(run.stdout) as unknown;
  } catch {
    throw new Error(`no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
}

/** Every file under `root` with its mode. */
function filesUnder(root: string): { file: string; mode: number }[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).flatMap((rel) => {
    const file = path.join(root, rel);
    const stat = fs.lstatSync(file);
    return stat.isFile() ? [{ file, mode: stat.mode & 0o777 }] : [];
  });
}

/** The private key of a config is in secrets/ only (0600), never in the store, the logs, or the audit. */
function expectKeyOnlyInSecrets(privateKey: string): void {
  const holding = filesUnder(dataDir).filter(({ file }) =>
    fs.readFileSync(file, 'utf8').includes(privateKey),
  );
  expect(holding.length).toBeGreaterThan(0);
  for (const { file, mode } of holding) {
    expect(path.relative(dataDir, file).split(path.sep)[0]).toBe('secrets');
    expect(mode.toString(8)).toBe('600');
  }
}

interface PeerJson {
  id: string;
  name: string;
  ipv4: string;
  enabled: boolean;
  services: string[];
  groups: string[];
  expiresAt: string | null;
}

/** An odd name, given as one argv word: quotes, brackets, `#`, `=`, `/`, `..` and a shell substitution. */
const oddName = `Anna's "phone" [Peer] #=/../$(id)`;

/** The same sequence, offline or online. */
async function managePeers(): Promise<{ privateKey: string }> {
  const svc = await gatehouse([
    'service',
    'add',
    'nas',
    '--host',
    '10.10.0.5',
    '--proto',
    'tcp',
    '--port',
    '445',
  ]);
  expect([svc.code, svc.stderr]).toEqual([0, '']);
  expect(svc.stdout).toBe(
    'Added the service "nas" (10.10.0.5 tcp 445). Grant it with `gatehouse grant PEER nas`.\n',
  );
  const web = await gatehouse([
    'service',
    'add',
    'web',
    '--host',
    '10.10.0.6',
    '--port',
    '8000-8010',
    '--url',
    'http://10.10.0.6:8000/',
    '--json',
  ]);
  expect(json(web)).toMatchObject({ name: 'web', protocol: 'tcp', portFrom: 8000, portTo: 8010 });

  const add = await gatehouse([
    'peer',
    'add',
    oddName,
    '--services',
    'nas',
    '--group',
    'family',
    '--expires',
    '7d',
  ]);
  expect([add.code, add.stderr]).toEqual([0, '']);
  expect(add.stdout).toMatch(
    /^Added the peer "Anna's "phone" \[Peer\] #=\/\.\.\/\$\(id\)" \(10\.8\.0\.2; services: nas; tunnel: services; expires 20\d\d-/,
  );
  const laptop = await gatehouse([
    'peer',
    'add',
    'laptop',
    '--tunnel',
    'lan',
    '--services',
    'nas,web',
    '--json',
  ]);
  expect(json(laptop) as PeerJson).toMatchObject({ name: 'laptop', ipv4: '10.8.0.3' });

  // Failures of the domain: exit 1 with its message; mistakes on the command line: exit 2.
  const dup = await gatehouse(['peer', 'add', 'LAPTOP']);
  expect([dup.code, dup.stdout, dup.stderr]).toEqual([
    1,
    '',
    'gatehouse: a peer named "LAPTOP" exists already\n',
  ]);
  const outside = await gatehouse(['service', 'add', 'printer', '--host', '10.99.0.9', '--port', '631']);
  expect(outside.code).toBe(1);
  expect(outside.stderr).toMatch(/^gatehouse: .*10\.99\.0\.9.*\n$/);
  const badWhen = await gatehouse(['peer', 'add', 'tablet', '--expires', 'yesterday']);
  expect(badWhen.code).toBe(2);
  expect(badWhen.stderr).toContain('gatehouse: --expires yesterday: expected a duration');
  for (const r of [dup, outside, badWhen]) expect(r.stderr).not.toMatch(/\n\s+at /);

  const grant = await gatehouse(['grant', '@family', 'web']);
  expect([grant.code, grant.stdout]).toEqual([0, 'Granted web to @family.\n']);
  const revoke = await gatehouse(['revoke', 'laptop', 'web']);
  expect([revoke.code, revoke.stdout]).toEqual([0, 'Revoked web from laptop.\n']);

  const list = await gatehouse(['peer', 'list', '--json']);
  const peers = (json(list) as { peers: PeerJson[] }).peers;
  const services = (
    json(await gatehouse(['service', 'list', '--json'])) as { services: { id: string; name: string }[] }
  ).services;
  const id = (name: string) => services.find((s) => s.name === name)?.id;
  expect(peers.map((p) => [p.name, p.groups, [...p.services].sort()])).toEqual([
    [oddName, ['family'], [id('nas'), id('web')].sort()],
    ['laptop', [], [id('nas')]],
  ]);
  const config = await gatehouse(['peer', 'config', oddName]);
  expect([config.code, config.stderr]).toEqual([0, '']);
  // One [Interface] and one [Peer]: the name never enters the config.
  expect(config.stdout.match(/^\[(Interface|Peer)\]$/gm)).toEqual(['[Interface]', '[Peer]']);
  expect(config.stdout).toContain('Endpoint = home.example.test:51820\n');
  expect(config.stdout).toContain('AllowedIPs = 10.8.0.1/32, 10.10.0.5/32, 10.10.0.6/32\n');
  const privateKey = /^PrivateKey = (\S+)$/m.exec(config.stdout)?.[1] ?? '';
  expect(privateKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);

  const svg = await gatehouse(['peer', 'qr', oddName, '--svg', 'phone.svg']);
  expect([svg.code, svg.stderr]).toEqual([0, '']);
  expect(fs.readFileSync(path.join(dir, 'phone.svg'), 'utf8')).toMatch(/^<svg /);
  expect((fs.statSync(path.join(dir, 'phone.svg')).mode & 0o777).toString(8)).toBe('600');
  fs.writeFileSync(path.join(dir, 'phone.png'), 'old', { mode: 0o644 });
  const png = await gatehouse(['peer', 'qr', 'laptop', '--png', 'phone.png']);
  expect(png.code).toBe(0);
  const image = fs.readFileSync(path.join(dir, 'phone.png'));
  expect(image.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  expect((fs.statSync(path.join(dir, 'phone.png')).mode & 0o777).toString(8)).toBe('600');
  const terminal = await gatehouse(['peer', 'qr', 'laptop']);
  expect(terminal.code).toBe(0);
  // Black on white half blocks, whatever the terminal's colours.
  expect(terminal.stdout).toContain('\x1b[47m');
  expect(terminal.stdout.split('\n').length).toBeGreaterThan(20);

  const off = await gatehouse(['peer', 'disable', 'laptop']);
  expect([off.code, off.stdout]).toEqual([0, 'Disabled the peer "laptop": it can no longer connect.\n']);
  const on = await gatehouse(['peer', 'enable', 'laptop']);
  expect([on.code, on.stdout]).toEqual([0, 'Enabled the peer "laptop".\n']);

  const rm = await gatehouse(['peer', 'remove', 'laptop']);
  expect([rm.code, rm.stdout]).toEqual([0, 'Removed the peer "laptop" (10.8.0.3).\n']);
  const rmService = await gatehouse(['service', 'remove', 'web']);
  expect([rmService.code, rmService.stdout]).toEqual([0, 'Removed the service "web" and its grants.\n']);
  return { privateKey };
}

describe('gatehouse peer / service / grant / wg, offline (no server)', () => {
  it('with no data directory the lists are empty and nothing is created', async () => {
    const peers = await gatehouse(['peer', 'list']);
    expect([peers.code, peers.stdout]).toEqual([
      0,
      'No peers. Add one with `gatehouse peer add NAME --services SERVICE`.\n',
    ]);
    const services = await gatehouse(['service', 'list', '--json']);
    expect(json(services)).toEqual({ services: [] });
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it(
    'manages peers, services and grants on the store; apply is refused, the dry run works',
    { timeout: slow },
    async () => {
      const { privateKey } = await managePeers();
      expectKeyOnlyInSecrets(privateKey);

      const apply = await gatehouse(['wg', 'apply']);
      expect(apply.code).toBe(1);
      expect(apply.stdout).toBe('');
      expect(apply.stderr).toContain('start the server (gatehouse serve), it applies at start');
      const dry = await gatehouse(['wg', 'apply', '--dry-run']);
      expect([dry.code, dry.stdout]).toEqual([
        0,
        'Plan: WireGuard is turned off (wireguard.enabled): nothing is applied\n',
      ]);
      const dryJson = await gatehouse(['wg', 'apply', '--dry-run', '--json']);
      expect(json(dryJson)).toMatchObject({ ok: true, device: { changes: [] } });

      // Audited as the local administrator.
      const audit = filesUnder(path.join(dataDir, 'logs'))
        .flatMap(({ file }) => fs.readFileSync(file, 'utf8').split('\n'))
        .filter((l) => l.includes('"wireguard.'))
        .map((l) => JSON.parse(l) as { type: string; actor: string });
      expect(audit.map((a) => a.type)).toEqual(
        expect.arrayContaining([
          'wireguard.service-added',
          'wireguard.peer-added',
          'wireguard.grants-changed',
          'wireguard.config-downloaded',
          'wireguard.peer-changed',
          'wireguard.peer-removed',
          'wireguard.service-removed',
        ]),
      );
      expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(['local']));
    },
  );
});

describe('gatehouse peer / service / grant / wg, online (a running server answers on its socket)', () => {
  it(
    'the same commands through the server; wg apply asks the server, which says WireGuard is off',
    { timeout: slow },
    async () => {
      const server = await serve();
      const { privateKey } = await managePeers();

      const apply = await gatehouse(['wg', 'apply']);
      expect([apply.code, apply.stdout]).toEqual([
        0,
        'OK: WireGuard is turned off (wireguard.enabled): nothing is applied\n',
      ]);
      const list = await gatehouse(['peer', 'list']);
      // With WireGuard off the server has no interface to read: no online status. The service web went after the
      // config was fetched: the config on the phone is outdated.
      expect(list.stdout.split('\n')).toEqual([
        expect.stringMatching(
          /^NAME +ADDRESS +STATE +GROUPS +SERVICES +TUNNEL +EXPIRES +ONLINE +LAST HANDSHAKE$/,
        ),
        expect.stringMatching(
          /^Anna's "phone" \[Peer\] #=\/\.\.\/\$\(id\) +10\.8\.0\.2 +enabled, config outdated +family +nas +services +20\S+Z +- +-$/,
        ),
        '',
      ]);

      const set = await gatehouse(['peer', 'set', oddName, '--tunnel', 'full', '--json']);
      expect(json(set)).toMatchObject({ name: oddName, tunnel: 'full', configOutdated: true });
      // Loopback only: the link carries a placeholder for the box's address.
      const link = await gatehouse(['peer', 'link', oddName, '--minutes', '10']);
      expect(link.code).toBe(0);
      expect(link.stdout).toMatch(/\n {4}https:\/\/<this box>\/onboard\/[A-Za-z0-9_-]{43}\n/);

      // The server did the work (the CLI could not have taken the data directory's lock).
      expect(server.log()).not.toContain(privateKey);
      for (const text of outputs.filter((o) => !o.includes('[Interface]')))
        expect(text).not.toContain(privateKey);
      expectKeyOnlyInSecrets(privateKey);

      // Stopped, the store holds what the server wrote; the offline CLI reads the same peers.
      const child = started.splice(0)[0];
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child?.kill('SIGTERM');
      await exited;
      const after = json(await gatehouse(['peer', 'list', '--json'])) as { peers: PeerJson[] };
      expect(after.peers.map((p) => p.name)).toEqual([oddName]);
    },
  );
});

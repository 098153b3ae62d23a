/**
 * @module The control socket as real processes: `gatehouse serve` opens `<dataDir>/control.sock` (0600) and
 * `gatehouse status` — another process — reads the server's cards through it; a crashed server's socket is
 * replaced; SIGTERM removes it; with no server, status reports offline from the store; another user cannot
 * connect (run as root only, where the test can become that user).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, ensureDataDir, lockFileName } from '../../src/store/data-dir.js';
import { readVersion } from '../../src/version.js';
import { skipReason } from '../support/skip.js';

const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
const repoRoot = path.join(import.meta.dirname, '..', '..');
// Tests never reach public STUN or echo services.
const env = { ...process.env, GATEHOUSE_REACHABILITY: 'off' };

let dir: string;
let dataDir: string;
let socketPath: string;
const started: ChildProcess[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-control-'));
  dataDir = path.join(dir, 'data');
  socketPath = path.join(dataDir, 'control.sock');
});
afterEach(() => {
  // Only the servers this file started, by their PIDs.
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gatehouse(args: string[], options: { uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      env,
      cwd: repoRoot,
      ...options,
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  readonly child: ChildProcess;
  readonly pid: number;
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `gatehouse serve` and resolves once it logs that the control API listens (or rejects if it exits). */
async function serve(): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', entry, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'],
    { env, cwd: repoRoot },
  );
  started.push(child);
  let log = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer): void => {
      log += b.toString();
      if (log.includes('"msg":"Gatehouse is listening"')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    void exited.then(({ code, signal }) =>
      reject(new Error(`serve exited (${code ?? signal}) before listening:\n${log}`)),
    );
  });
  return { child, pid: child.pid ?? 0, log: () => log, exited };
}

function statusJson(run: Run): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`status printed no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
}

describe('gatehouse status through the control socket (real processes)', () => {
  it('serve opens a 0600 socket; status reads its cards; SIGTERM removes it; then status reports offline', async () => {
    const server = await serve();
    const stat = fs.lstatSync(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect((stat.mode & 0o777).toString(8)).toBe('600');
    expect(server.log()).toContain('"msg":"control API listening"');

    const json = await gatehouse(['status', '--check', '--json', '--data-dir', dataDir]);
    expect(json.stderr).toBe('');
    // 1: the admin-security card wants attention until an admin with two-factor exists.
    expect(json.code).toBe(1);
    const report = statusJson(json);
    const lock = JSON.parse(fs.readFileSync(path.join(dataDir, lockFileName), 'utf8')) as { url: string };
    expect(report).toMatchObject({
      version: readVersion(),
      running: true,
      pid: server.pid,
      url: lock.url,
      healthy: true,
      initialized: true,
      control: { socket: socketPath, state: 'answered', problem: null },
      attention: ['security'],
    });
    expect(report.uptimeSeconds).toEqual(expect.any(Number));
    const cards = report.cards as { id: string; state: string; facts: { label: string; value: string }[] }[];
    expect(cards.slice(0, 2).map((c) => [c.id, c.state])).toEqual([
      ['system', 'ok'],
      ['security', 'warning'],
    ]);
    expect(cards[0]?.facts).toContainEqual({ label: 'Listening on', value: lock.url });

    const text = await gatehouse(['status', '--check', '--data-dir', dataDir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`  server:         running (pid ${server.pid}) at ${lock.url}, up `);
    expect(text.stdout).toMatch(/\n\[ok\] +Gatehouse: Running version /);
    expect(text.stdout).toMatch(/\n\[WARNING\] Admin security: Turn on two-factor authentication/);
    expect(text.stdout).toContain('\nNeeds attention: Admin security.\n');

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(socketPath)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, lockFileName))).toBe(false);

    const offline = await gatehouse(['status', '--check', '--json', '--data-dir', dataDir]);
    expect(offline.code).toBe(3);
    expect(statusJson(offline)).toMatchObject({
      running: false,
      pid: null,
      healthy: null,
      initialized: true,
      setupComplete: false,
      control: { socket: socketPath, state: 'not-running', problem: null },
      startedAt: null,
      uptimeSeconds: null,
      cards: [],
      attention: [],
    });
    // The offline read took the data directory's lock and gave it back.
    expect(fs.existsSync(path.join(dataDir, lockFileName))).toBe(false);
    const offlineText = await gatehouse(['status', '--check', '--data-dir', dataDir]);
    expect(offlineText.code).toBe(3);
    expect(offlineText.stdout).toContain('  server:         not running\n');
  });

  it("a crashed server's socket is left behind, read as 'not running', and replaced by the next server", async () => {
    const first = await serve();
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(fs.lstatSync(socketPath).isSocket()).toBe(true);

    const meanwhile = await gatehouse(['status', '--check', '--json', '--data-dir', dataDir]);
    expect(meanwhile.code).toBe(3);
    expect(statusJson(meanwhile)).toMatchObject({ running: false, control: { state: 'not-running' } });

    const second = await serve();
    expect(second.log()).toContain('removed the control socket left by a server that did not stop cleanly');
    const now = await gatehouse(['status', '--check', '--json', '--data-dir', dataDir]);
    expect(now.code).toBe(1);
    expect(statusJson(now)).toMatchObject({ running: true, pid: second.pid, control: { state: 'answered' } });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('a live process holding the data directory without a socket is running but not answering (exit 1)', async () => {
    ensureDataDir(dataDir);
    const lock = acquireDataDirLock(dataDir);
    try {
      const run = await gatehouse(['status', '--check', '--json', '--data-dir', dataDir]);
      expect(run.code).toBe(1);
      const report = statusJson(run);
      expect(report).toMatchObject({ running: true, pid: process.pid, control: { state: 'not-answering' } });
      expect((report.control as { problem: string }).problem).toContain(
        `a Gatehouse server (pid ${process.pid}) holds the data directory but does not answer on ${socketPath}`,
      );
    } finally {
      lock.release();
    }
  });

  it('status creates no data directory where there is none', async () => {
    const run = await gatehouse(['status', '--check', '--data-dir', dataDir]);
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`  data directory: ${dataDir} (not initialized yet)\n`);
    expect(fs.existsSync(dataDir)).toBe(false);
  });
});

const notRoot = process.getuid?.() === 0 ? undefined : 'becoming another user needs root';
const otherUserSkip = skipReason('control socket: another user is refused', notRoot);

describe.skipIf(otherUserSkip !== undefined)('another user (run as root: the test becomes nobody)', () => {
  const nobody = { uid: 65534, gid: 65534 };

  /** Connects as nobody with plain node:net and prints the outcome. */
  function connectAsNobody(): Promise<string> {
    return new Promise((resolve) => {
      const script = `require('node:net').connect(${JSON.stringify(socketPath)})
        .on('connect', function () { process.stdout.write('connected'); this.destroy(); })
        .on('error', (e) => process.stdout.write(e.code));`;
      const p = spawn(process.execPath, ['-e', script], { ...nobody, cwd: '/' });
      let out = '';
      p.stdout.on('data', (b: Buffer) => (out += b.toString()));
      p.on('close', () => resolve(out));
    });
  }

  it('cannot use the socket: status says permission denied (exit 4); the 0600 mode alone refuses it too', async () => {
    const server = await serve();
    const run = await gatehouse(['status', '--check', '--json', '--data-dir', dataDir], nobody);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`permission denied on ${socketPath}`);
    expect(statusJson(run)).toEqual({
      error: { code: 'control.denied', message: expect.stringContaining('permission denied') as unknown },
    });

    // With the directories opened for traversal, only the socket's own mode stands in the way...
    fs.chmodSync(dir, 0o711);
    fs.chmodSync(dataDir, 0o711);
    expect(await connectAsNobody()).toBe('EACCES');
    // ...and it is what refuses: the same user gets in once the mode allows it.
    fs.chmodSync(socketPath, 0o666);
    expect(await connectAsNobody()).toBe('connected');
    fs.chmodSync(socketPath, 0o600);

    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

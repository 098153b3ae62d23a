import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../src/cli.js';
import { verifyPassword } from '../../src/auth/passwords.js';
import { openLowdbStore, readStoreSnapshot } from '../../src/store/lowdb-store.js';
import { AuthService } from '../../src/auth/service.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { systemClock } from '../../src/core/clock.js';
import { MemoryLogger } from '../fakes/logger.js';
import { readAuditLog } from '../../src/audit/read.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Captured {
  io: CliIo;
  out: () => string;
  err: () => string;
  /** Resolves when `serve` is up and waiting to be stopped. */
  serving: Promise<void>;
  stop: () => void;
}

function capture(over: Partial<CliIo> = {}): Captured {
  let out = '';
  let err = '';
  let stop = (): void => undefined;
  let markServing = (): void => undefined;
  const serving = new Promise<void>((r) => (markServing = r));
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    // Tests never reach public STUN or echo services.
    env: { GATEHOUSE_REACHABILITY: 'off' },
    cwd: dir,
    readStdin: () => Promise.resolve(''),
    untilStopped: () =>
      new Promise<void>((resolve) => {
        stop = resolve;
        markServing();
      }),
    fetch: globalThis.fetch,
    ...over,
  };
  return { io, out: () => out, err: () => err, serving, stop: () => stop() };
}

const dataDir = () => path.join(dir, 'data');

describe('gatehouse CLI', () => {
  it.each([
    [['--help']],
    [['serve', '--help']],
    [['status', '--help']],
    [['setup-token', '--help']],
    [['doctor', '--help']],
    [['admin', '--help']],
    [['admin', 'reset-password', '--help']],
  ])('%j prints usage and exits 0', async (argv) => {
    const c = capture();
    expect(await runCli(argv, c.io)).toBe(0);
    expect(c.out()).toMatch(/Usage: gatehouse/);
  });

  it.each([
    [['frobnicate'], /^gatehouse: unknown command 'frobnicate'\n/],
    [['status', '--bogus'], /^gatehouse: unknown option '--bogus'\n/],
    [['serve', '--listen', 'nowhere'], /^gatehouse: .*--listen: expected host:port/],
    [['serve', '--log-level', 'loud'], /^gatehouse: .*Allowed choices/],
  ])('%j is a usage error (exit 2) with a message', async (argv, message) => {
    const c = capture();
    expect(await runCli([...argv, '--data-dir', dataDir()], c.io)).toBe(2);
    expect(c.err()).toMatch(message);
  });

  it('a command group without its subcommand is a usage error (exit 2)', async () => {
    const c = capture();
    expect(await runCli(['admin'], c.io)).toBe(2);
    expect(c.err() + c.out()).toMatch(/Usage: gatehouse admin/);
  });

  it('a bad environment setting stops start-up naming the variable (exit 1)', async () => {
    const c = capture({ env: { GATEHOUSE_LISTEN: 'x' } });
    expect(await runCli(['serve', '--data-dir', dataDir()], c.io)).toBe(1);
    expect(c.err()).toContain('GATEHOUSE_LISTEN');
    expect(fs.existsSync(dataDir())).toBe(false);
  });

  it('status --json on a fresh directory', async () => {
    const c = capture();
    expect(await runCli(['status', '--json', '--data-dir', dataDir()], c.io)).toBe(0);
    // --check: 3, no server runs (the LSB status convention; see src/control/status-report.ts).
    expect(await runCli(['status', '--check', '--data-dir', dataDir()], capture().io)).toBe(3);
    const report = JSON.parse(c.out()) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual([
      'version',
      'dataDir',
      'running',
      'pid',
      'url',
      'healthy',
      'initialized',
      'setupComplete',
      'admins',
      'apiTokens',
      'control',
      'startedAt',
      'uptimeSeconds',
      'cards',
      'attention',
    ]);
    expect(report).toMatchObject({
      running: false,
      pid: null,
      initialized: false,
      setupComplete: false,
      url: 'http://127.0.0.1:8080',
    });
  });

  it('serve runs, status sees it, a second serve is refused, reset-password waits for the stop', async () => {
    const server = capture();
    const serving = runCli(
      ['serve', '--data-dir', dataDir(), '--listen', '127.0.0.1:0', '--log-level', 'silent'],
      server.io,
    );
    await Promise.race([
      server.serving,
      serving.then((code) => Promise.reject(new Error(`serve exited ${code}: ${server.err()}`))),
    ]);

    const token = capture();
    const tokenExit = await runCli(['setup-token', '--data-dir', dataDir()], token.io);
    expect(token.err()).toBe('');
    expect(tokenExit).toBe(0);
    const setupToken = token.out().trim();
    expect(setupToken).toBe(fs.readFileSync(path.join(dataDir(), 'setup-token'), 'utf8').trim());

    const status = capture();
    expect(await runCli(['status', '--json', '--data-dir', dataDir()], status.io)).toBe(0);
    // --check: 1, it runs and its admin-security card asks for attention (no admin with two-factor yet).
    expect(await runCli(['status', '--check', '--data-dir', dataDir()], capture().io)).toBe(1);
    const seen = JSON.parse(status.out()) as { url: string };
    expect(seen).toMatchObject({
      running: true,
      pid: process.pid,
      // The address it really listens on (port 0 was asked), and it answered /healthz there.
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/) as unknown,
      healthy: true,
      initialized: true,
      setupComplete: false,
      admins: [],
      control: { state: 'answered' },
      attention: ['security'],
    });
    expect((await fetch(`${seen.url}/healthz`)).status).toBe(200);

    const second = capture();
    expect(await runCli(['serve', '--data-dir', dataDir(), '--listen', '127.0.0.1:0'], second.io)).toBe(1);
    expect(second.err()).toMatch(/in use by another Gatehouse process \(pid \d+\)/);

    const reset = capture();
    expect(await runCli(['admin', 'reset-password', '--data-dir', dataDir()], reset.io)).toBe(1);
    expect(reset.err()).toMatch(/in use/);

    server.stop();
    expect(await serving).toBe(0);
    expect(fs.existsSync(path.join(dataDir(), 'gatehouse.lock'))).toBe(false);
  });

  it('setup-token refuses once setup is complete; reset-password sets a working password and ends sessions', async () => {
    const c = capture();
    expect(await runCli(['setup-token', '--json', '--data-dir', dataDir()], c.io)).toBe(0);
    expect(JSON.parse(c.out()).setupToken).toMatch(/^[\w-]{20,}$/);

    // Complete setup the way the setup page does, through the auth service on the same data directory.
    {
      const { store } = await openLowdbStore(dataDir(), systemClock);
      const auth = new AuthService({
        store,
        clock: systemClock,
        logger: new MemoryLogger(),
        files: nodePrivateFiles,
        dataDir: dataDir(),
        sessionPolicy: { idleMs: 3600_000, maxAgeMs: 3600_000, pendingMfaMs: 60_000 },
      });
      const token = JSON.parse(c.out()).setupToken as string;
      const setup = await auth.completeSetup(
        { setupToken: token, username: 'admin', password: 'original password 1' },
        { clientAddress: 'test', userAgent: 'test' },
      );
      expect(setup.ok).toBe(true);
    }

    const status = capture();
    expect(await runCli(['status', '--json', '--data-dir', dataDir()], status.io)).toBe(0);
    expect(JSON.parse(status.out())).toMatchObject({
      running: false,
      healthy: null,
      setupComplete: true,
      admins: [{ username: 'admin', totpEnabled: false }],
    });

    const again = capture();
    expect(await runCli(['setup-token', '--data-dir', dataDir()], again.io)).toBe(1);
    expect(again.err()).toMatch(/already complete/);

    const reset = capture();
    expect(await runCli(['admin', 'reset-password', '--data-dir', dataDir()], reset.io)).toBe(0);
    const generated = /New password: (\S+)/.exec(reset.out())?.[1] ?? '';
    expect(generated.length).toBeGreaterThanOrEqual(12);
    const state = readStoreSnapshot(dataDir());
    expect(await verifyPassword(generated, state?.users[0]?.passwordHash ?? '')).toBe(true);
    expect(state?.sessions).toEqual([]);
    const { store: reopened } = await openLowdbStore(dataDir(), systemClock);
    expect(readAuditLog(reopened.log('audit')).some((e) => e.type === 'password.reset')).toBe(true);

    const short = capture({ readStdin: () => Promise.resolve('short\n') });
    expect(
      await runCli(['admin', 'reset-password', '--password-stdin', '--data-dir', dataDir()], short.io),
    ).toBe(2);
    expect(short.err()).toMatch(/at least 12/);

    const chosen = capture({ readStdin: () => Promise.resolve('a chosen passphrase\n') });
    expect(
      await runCli(
        ['admin', 'reset-password', '--password-stdin', '--disable-totp', '--data-dir', dataDir()],
        chosen.io,
      ),
    ).toBe(0);
    expect(chosen.out()).not.toContain('New password');
    expect(
      await verifyPassword('a chosen passphrase', readStoreSnapshot(dataDir())?.users[0]?.passwordHash ?? ''),
    ).toBe(true);

    const nobody = capture();
    expect(
      await runCli(['admin', 'reset-password', '--username', 'ghost', '--data-dir', dataDir()], nobody.io),
    ).toBe(1);
    expect(nobody.err()).toMatch(/no user "ghost"/);
  });

  it('a port in use stops serve with a clear message and releases the data directory', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const c = capture();
      const code = await runCli(
        ['serve', '--data-dir', dataDir(), '--listen', `127.0.0.1:${port}`, '--log-level', 'silent'],
        c.io,
      );
      expect(code).toBe(1);
      expect(c.err()).toContain(`cannot listen on 127.0.0.1:${port}: another program already uses it`);
      expect(c.err()).toMatch(/^gatehouse: .*\n {2}what to do: .*--listen/);
      expect(fs.existsSync(path.join(dataDir(), 'gatehouse.lock'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('a corrupt store stops serve with the file name and leaves the file alone', async () => {
    fs.mkdirSync(dataDir(), { recursive: true });
    const file = path.join(dataDir(), 'gatehouse.json');
    fs.writeFileSync(file, '{"version": 2, "oops"');
    const c = capture();
    expect(
      await runCli(
        ['serve', '--data-dir', dataDir(), '--listen', '127.0.0.1:0', '--log-level', 'silent'],
        c.io,
      ),
    ).toBe(1);
    expect(c.err()).toContain(file);
    expect(c.err()).toMatch(/not valid JSON/);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"version": 2, "oops"');
    expect(fs.existsSync(path.join(dataDir(), 'gatehouse.lock'))).toBe(false);
  });

  it('as a real process: exit codes and SIGTERM shut serve down cleanly', async () => {
    const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
          env: { ...process.env, GATEHOUSE_REACHABILITY: 'off' },
        });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        p.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    expect((await run(['--help'])).code).toBe(0);
    expect((await run(['nope'])).code).toBe(2);
    const bad = await run(['serve', '--listen', 'bad']);
    expect(bad.code).toBe(2);

    const p = spawn(
      process.execPath,
      ['--import', 'tsx', entry, 'serve', '--data-dir', dataDir(), '--listen', '127.0.0.1:0'],
      { env: { ...process.env, GATEHOUSE_REACHABILITY: 'off' } },
    );
    let log = '';
    await new Promise<void>((resolve) => {
      p.stdout.on('data', (b: Buffer) => {
        log += b.toString();
        if (log.includes('setup token')) resolve();
      });
    });
    // The setup token is printed in the server log on first run.
    const token = fs.readFileSync(path.join(dataDir(), 'setup-token'), 'utf8').trim();
    expect(log).toContain(token);
    p.kill('SIGTERM');
    const code = await new Promise((r) => p.on('close', r));
    expect(code).toBe(0);
    expect(fs.existsSync(path.join(dataDir(), 'gatehouse.lock'))).toBe(false);
  });
});

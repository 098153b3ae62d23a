/**
 * @module The control socket's adapters against the real thing: a Unix socket in a temporary data directory —
 * its mode from birth, a stale socket replaced, what is not ours left alone, a too-long path refused — and the
 * client's reading of every way the server can (not) answer; `runLocalCommand` online and offline.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createControlApi, type ControlEnv } from '../../src/control/api.js';
import { readStoreOffline, runLocalCommand } from '../../src/control/offline.js';
import { createControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath, maxSocketPathBytes } from '../../src/control/socket-path.js';
import { startControlServer, type ControlServer } from '../../src/control/socket-server.js';
import { statusViewSchema, type StatusView } from '../../src/control/status-view.js';
import { systemClock } from '../../src/core/clock.js';
import { ok } from '../../src/core/outcome.js';
import { acquireDataDirLock, ensureDataDir, lockHolder } from '../../src/store/data-dir.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { MemoryLogger } from '../fakes/logger.js';

const view: StatusView = {
  version: '1.0.0',
  pid: process.pid,
  url: 'http://127.0.0.1:1',
  startedAt: '2026-01-01T00:00:00.000Z',
  uptimeSeconds: 1,
  cards: [],
};

let dir: string;
let dataDir: string;
let socketPath: string;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ctl-'));
  dataDir = path.join(dir, 'data');
  ensureDataDir(dataDir);
  socketPath = controlSocketPath(dataDir);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(
  logger = new MemoryLogger(),
  capabilities: Parameters<typeof createControlApi>[0]['capabilities'] = [],
): Promise<ControlServer> {
  const app = createControlApi({ status: () => Promise.resolve(view), logger, capabilities });
  const server = await startControlServer({ socketPath, app, logger });
  cleanups.push(() => server.close());
  return server;
}

function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

/** Leaves a socket file behind the way a crashed server does: its process dies by SIGKILL while listening. */
async function leaveStaleSocket(at: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('node:net').createServer().listen(${JSON.stringify(at)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
  expect(signal).toBe('SIGKILL');
  expect(fs.lstatSync(at).isSocket()).toBe(true);
}

describe('control socket server', () => {
  it('is a socket of mode 0600 in the 0700 data directory, answers, leaves the umask as it was, and is gone after close', async () => {
    const umask = currentUmask();
    const server = await start();
    const stat = fs.lstatSync(socketPath);
    expect(stat.isSocket()).toBe(true);
    expect((stat.mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    expect(currentUmask()).toBe(umask);

    const answer = await createControlClient(socketPath).request('GET', '/v1/status', statusViewSchema);
    expect(answer).toEqual({ kind: 'ok', value: view });

    await server.close();
    await server.close();
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it('replaces a stale socket left by a server that died, and says so', async () => {
    await leaveStaleSocket(socketPath);
    expect(await createControlClient(socketPath).probe()).toMatchObject({
      kind: 'unreachable',
      reason: 'no-server',
    });

    const logger = new MemoryLogger();
    await start(logger);
    expect(await createControlClient(socketPath).probe()).toEqual({ kind: 'up' });
    expect(logger.lines.map((l) => [l.level, l.msg])).toContainEqual([
      'warn',
      'removed the control socket left by a server that did not stop cleanly',
    ]);
  });

  it('leaves a file that is not a socket alone and refuses to start', async () => {
    fs.writeFileSync(socketPath, 'not mine');
    await expect(start()).rejects.toThrow(
      /control\.sock exists and is not a socket; Gatehouse does not remove it/,
    );
    expect(fs.readFileSync(socketPath, 'utf8')).toBe('not mine');
  });

  it('refuses a socket that another process still answers on, and leaves it working', async () => {
    const other = net.createServer((c) => c.end());
    await new Promise<void>((resolve) => other.listen(socketPath, resolve));
    cleanups.push(() => new Promise<void>((resolve) => other.close(() => resolve())));
    await expect(start()).rejects.toThrow(/another process answers on the control socket/);
    expect(await createControlClient(socketPath).probe()).toEqual({ kind: 'up' });
  });

  it('refuses a path longer than a socket can have, naming the length, and binds nothing (Node would truncate it)', async () => {
    const max = maxSocketPathBytes(process.platform);
    const deep = path.join(dir, 'd'.repeat(Math.max(1, max - dir.length - '/control.sock'.length)));
    ensureDataDir(deep);
    socketPath = controlSocketPath(deep);
    expect(Buffer.byteLength(socketPath)).toBeGreaterThan(max);
    const before = fs.readdirSync(dir);
    await expect(start()).rejects.toThrow(
      new RegExp(
        `is ${Buffer.byteLength(socketPath)} bytes long; Unix sockets allow at most ${max}.*symlink`,
      ),
    );
    expect(fs.readdirSync(deep)).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(before);
    expect(await createControlClient(socketPath).probe()).toMatchObject({
      kind: 'unreachable',
      reason: 'bad-path',
    });
  });
});

describe('control socket client', () => {
  it('tells no server (no socket, or a stale one) from an answer', async () => {
    const client = createControlClient(socketPath);
    expect(await client.request('GET', '/v1/status', statusViewSchema)).toEqual({
      kind: 'unreachable',
      reason: 'no-server',
      message: `no server answers on ${socketPath}`,
    });
    await leaveStaleSocket(socketPath);
    expect(await client.request('GET', '/v1/status', statusViewSchema)).toMatchObject({
      kind: 'unreachable',
      reason: 'no-server',
    });
  });

  it('reads error answers, and answers that are not what was asked for, as failures with codes', async () => {
    const routes = new Hono<ControlEnv>()
      .get('/odd', (c) => c.json({ version: 3 }))
      .get('/text', (c) => c.text('hello', 502))
      .post('/echo', async (c) => c.json(await c.req.json()));
    await start(new MemoryLogger(), [{ id: 'test', controlRoutes: routes }]);
    const client = createControlClient(socketPath);
    expect(await client.request('GET', '/v1/none', statusViewSchema)).toEqual({
      kind: 'failed',
      status: 404,
      code: 'not-found',
      message: 'no route GET /v1/none',
    });
    expect(await client.request('GET', '/v1/test/odd', statusViewSchema)).toEqual({
      kind: 'failed',
      status: 200,
      code: 'control.bad-answer',
      message:
        'unexpected answer from the server at version: Invalid input: expected string, received number',
    });
    expect(await client.request('GET', '/v1/test/text', statusViewSchema)).toMatchObject({
      kind: 'failed',
      status: 502,
      code: 'control.bad-answer',
    });
    const echo = z.object({ name: z.string(), n: z.number() });
    expect(await client.request('POST', '/v1/test/echo', echo, { name: 'ü', n: 1 })).toEqual({
      kind: 'ok',
      value: { name: 'ü', n: 1 },
    });
  });

  it('gives up on a server that accepts but never answers', async () => {
    const accepted: net.Socket[] = [];
    const mute = net.createServer((c) => accepted.push(c));
    await new Promise<void>((resolve) => mute.listen(socketPath, resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          mute.close(() => resolve());
          for (const c of accepted) c.destroy();
        }),
    );
    expect(
      await createControlClient(socketPath, { timeoutMs: 200 }).request(
        'GET',
        '/v1/status',
        statusViewSchema,
      ),
    ).toEqual({
      kind: 'unreachable',
      reason: 'timeout',
      message: `no answer on ${socketPath} in 200 ms`,
    });
  });
});

describe('runLocalCommand', () => {
  const command = (over: Partial<Parameters<typeof runLocalCommand<string>>[0]> = {}) =>
    runLocalCommand<string>({
      dataDir,
      client: createControlClient(socketPath),
      openStore: async () => (await openLowdbStore(dataDir, systemClock)).store,
      online: () => Promise.resolve(ok('online')),
      offline: () => Promise.resolve(ok('offline')),
      ...over,
    });

  it('asks the server when one answers on the socket', async () => {
    await start();
    expect(await command({ offline: () => Promise.reject(new Error('must not run offline')) })).toEqual(
      ok('online'),
    );
  });

  it('with no server, works on the store holding the data-directory lock, and releases it', async () => {
    let heldBy: number | undefined;
    const outcome = await command({
      online: () => Promise.reject(new Error('no server runs')),
      offline: (store) => {
        heldBy = lockHolder(dataDir)?.pid;
        return Promise.resolve(ok(path.basename(store.location)));
      },
    });
    expect(outcome).toEqual(ok('gatehouse.json'));
    expect(heldBy).toBe(process.pid);
    expect(lockHolder(dataDir)).toBeUndefined();
  });

  it('a live lock holder without a socket (starting, or stuck) is a failure naming its pid, not an offline change', async () => {
    const lock = acquireDataDirLock(dataDir);
    cleanups.push(() => lock.release());
    const outcome = await command({ offline: () => Promise.reject(new Error('must not run offline')) });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'control.not-answering' } });
    expect(!outcome.ok && outcome.error.message).toMatch(
      new RegExp(`server \\(pid ${process.pid}\\) holds the data directory but does not answer`),
    );
  });
});

describe('readStoreOffline', () => {
  it('creates nothing where there is no store, and reads one that exists, also while a server holds the lock', async () => {
    const nowhere = path.join(dir, 'absent');
    expect(readStoreOffline(nowhere)).toBeUndefined();
    expect(fs.existsSync(nowhere)).toBe(false);

    const { store } = await openLowdbStore(dataDir, systemClock);
    const instanceId = store.read().instanceId;
    expect(readStoreOffline(dataDir)?.instanceId).toBe(instanceId);
    expect(lockHolder(dataDir)).toBeUndefined();

    const lock = acquireDataDirLock(dataDir);
    cleanups.push(() => lock.release());
    expect(readStoreOffline(dataDir)?.instanceId).toBe(instanceId);
    expect(lockHolder(dataDir)?.pid).toBe(process.pid);
  });
});

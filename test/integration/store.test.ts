import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FatalStartupError, DataDirLockedError } from '../../src/core/errors.js';
import { acquireDataDirLock, ensureDataDir, lockFileName } from '../../src/store/data-dir.js';
import { openLowdbStore, readStoreSnapshot, storeFileName } from '../../src/store/lowdb-store.js';
import { stateSchema } from '../../src/store/schema.js';
import { readAuditLog } from '../../src/audit/read.js';
import type { AuditEvent } from '../../src/audit/event.js';
import { FakeClock } from '../fakes/clock.js';

let dir: string;
const clock = new FakeClock('2026-02-01T00:00:00.000Z');
const mode = (p: string) => fs.statSync(p).mode & 0o777;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lowdb store', () => {
  it('creates a valid file with mode 0600 in a 0700 directory', async () => {
    const dataDir = path.join(dir, 'data');
    ensureDataDir(dataDir);
    const { created, store } = await openLowdbStore(dataDir, clock);
    expect(created).toBe(true);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(store.location)).toBe(0o600);
    expect(stateSchema.safeParse(JSON.parse(fs.readFileSync(store.location, 'utf8'))).success).toBe(true);
  });

  it('tightens a data directory and store file that were loosened by hand', async () => {
    const { store } = await openLowdbStore(dir, clock);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(store.location, 0o644);
    ensureDataDir(dir);
    await openLowdbStore(dir, clock);
    expect(mode(dir)).toBe(0o700);
    expect(mode(store.location)).toBe(0o600);
  });

  it('persists updates and reloads them', async () => {
    const { store } = await openLowdbStore(dir, clock);
    await store.update((d) => {
      d.settings.instanceName = 'Cabin';
    });
    const again = await openLowdbStore(dir, clock);
    expect(again.store.read().settings.instanceName).toBe('Cabin');
    expect(again.created).toBe(false);
  });

  it('serializes concurrent updates: none is lost', async () => {
    const { store } = await openLowdbStore(dir, clock);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.update((d, tx) => {
          d.settings.instanceName = `n${i}`;
          tx.append('audit', {
            id: `e${i}`,
            at: clock.now().toISOString(),
            type: 'test',
            actor: 'x',
            clientAddress: 'x',
            outcome: 'success',
            details: {},
          });
        }),
      ),
    );
    expect(readAuditLog(store.log('audit')).map((e) => e.id)).toEqual(
      Array.from({ length: 50 }, (_, i) => `e${i}`),
    );
    expect((await openLowdbStore(dir, clock)).store.log('audit').count()).toBe(50);
    expect(store.read().settings.instanceName).toBe('n49');
  });

  it('a failing change leaves the previous state in memory and on disk', async () => {
    const { store } = await openLowdbStore(dir, clock);
    const before = fs.readFileSync(store.location, 'utf8');
    await expect(
      store.update((d) => {
        d.settings.instanceName = 'half-done';
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(
      store.update((d) => {
        d.settings.instanceName = '';
      }),
    ).rejects.toThrow(/invalid state: settings.instanceName/);
    expect(store.read().settings.instanceName).toBe('Gatehouse');
    expect(fs.readFileSync(store.location, 'utf8')).toBe(before);
    // And the queue still works afterwards.
    await store.update((d) => {
      d.settings.instanceName = 'ok';
    });
    expect(store.read().settings.instanceName).toBe('ok');
  });

  it('a failed write keeps the previous state', async () => {
    const { store } = await openLowdbStore(dir, clock);
    fs.chmodSync(dir, 0o500);
    try {
      if (process.getuid?.() === 0) {
        // root ignores directory permissions; make the target a directory instead so rename fails.
        fs.chmodSync(dir, 0o700);
        fs.rmSync(store.location);
        fs.mkdirSync(store.location);
        fs.writeFileSync(path.join(store.location, 'x'), 'x');
      }
      await expect(
        store.update((d) => {
          d.settings.instanceName = 'lost';
        }),
      ).rejects.toThrow(/could not write/);
      expect(store.read().settings.instanceName).toBe('Gatehouse');
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });

  it.each([
    ['not JSON', '{"version": 2,', /is not valid JSON/],
    ['wrong shape', JSON.stringify({ version: 4, instanceId: 'x' }), /is invalid: createdAt/],
    [
      'wrong shape of an older version',
      JSON.stringify({ version: 3, instanceId: 'x' }),
      /version 3 document: createdAt/,
    ],
    ['hand-broken field', null, /is invalid: users\.0\.username: /],
    ['from the future', JSON.stringify({ version: 99 }), /newer Gatehouse/],
  ])('refuses a %s file, naming it, and leaves it untouched', async (_name, content, message) => {
    const file = path.join(dir, storeFileName);
    let text = content;
    if (text === null) {
      const { store } = await openLowdbStore(dir, clock);
      await store.update((d) => {
        d.users.push({
          id: 'u',
          username: 'admin',
          passwordHash: 'h',
          createdAt: clock.now().toISOString(),
          passwordChangedAt: clock.now().toISOString(),
          totpSecret: null,
          pendingTotpSecret: null,
          recoveryCodeHashes: [],
          totpLastStep: null,
        });
      });
      text = fs.readFileSync(file, 'utf8').replace('"username": "admin"', '"username": 42');
    }
    fs.writeFileSync(file, text, { mode: 0o600 });
    const before = fs.statSync(file);
    const entries = fs.readdirSync(dir);
    const error = await openLowdbStore(dir, clock).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FatalStartupError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(fs.statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(fs.readdirSync(dir)).toEqual(entries);
    expect(entries).toContain(storeFileName);
  });

  it('migrates a v1 file to the current version and keeps a 0600 backup of the original', async () => {
    const file = path.join(dir, storeFileName);
    const v1 = {
      version: 1,
      instanceId: 'legacy',
      createdAt: '2025-01-01T00:00:00.000Z',
      admin: {
        username: 'root-admin',
        passwordHash: 'scrypt$1$1$1$a$b',
        createdAt: '2025-01-01T00:01:00.000Z',
      },
      sessions: [
        {
          id: 'legacy-session',
          createdAt: '2025-01-02T00:00:00.000Z',
          expiresAt: '2027-01-01T00:00:00.000Z',
          csrfToken: 'c',
        },
      ],
      apiTokens: [],
      audit: [{ at: '2025-01-01T00:01:00.000Z', type: 'setup.completed', actor: 'root-admin', detail: '' }],
    };
    const original = JSON.stringify(v1);
    fs.writeFileSync(file, original, { mode: 0o600 });
    const opened = await openLowdbStore(dir, clock);
    expect(opened.migratedFrom?.version).toBe(1);
    const backup = opened.migratedFrom?.backup ?? '';
    expect(fs.readFileSync(backup, 'utf8')).toBe(original);
    expect(mode(backup)).toBe(0o600);
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(onDisk.version).toBe(8);
    expect(onDisk.lockouts).toEqual([]);
    expect(onDisk.ddns).toEqual({ accounts: [], records: [], states: [], clients: [] });
    expect(onDisk.wireguard).toMatchObject({ peers: [], services: [], grants: [] });
    expect(onDisk.cert).toMatchObject({ account: null, certificate: null, current: null, history: [] });
    expect(onDisk.reachability).toEqual({ current: { ipv4: null, ipv6: null } });
    expect(onDisk).not.toHaveProperty('audit');
    expect(readAuditLog(opened.store.log('audit')).map((e) => [e.at, e.type, e.details])).toEqual([
      ['2025-01-01T00:01:00.000Z', 'setup.completed', { detail: '' }],
    ]);
    expect(onDisk.users[0].username).toBe('root-admin');
    expect(opened.store.read().setupCompletedAt).toBe('2025-01-01T00:01:00.000Z');
    // A second open sees a current file: no second migration, no second backup.
    const again = await openLowdbStore(dir, clock);
    expect(again.migratedFrom).toBeUndefined();
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bak'))).toHaveLength(1);
  });

  it('names the backup gatehouse.json.v<version>.<time>.bak beside the store and loses no token, audit detail or setting', async () => {
    const file = path.join(dir, storeFileName);
    const tokens = ['read', 'write', 'read'].map((scope, i) => ({
      id: `t${i}`,
      name: `token ${i}`,
      scope,
      tokenHash: `hash-${i}`,
      createdAt: `2025-01-0${i + 2}T00:00:00.000Z`,
    }));
    const audit = ['setup.completed', 'token.created', 'login.failure'].map((type, i) => ({
      at: `2025-01-0${i + 2}T00:00:00.000Z`,
      type,
      actor: 'root-admin',
      detail: `detail number ${i}`,
    }));
    const sessions = ['s1', 's2'].map((id) => ({
      id,
      createdAt: '2025-01-02T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      csrfToken: `csrf-${id}`,
    }));
    const v1 = {
      version: 1,
      instanceId: 'legacy',
      createdAt: '2025-01-01T00:00:00.000Z',
      admin: {
        username: 'root-admin',
        passwordHash: 'scrypt$1$1$1$a$b',
        createdAt: '2025-01-01T00:01:00.000Z',
      },
      sessions,
      apiTokens: tokens,
      audit,
    };
    const original = `${JSON.stringify(v1, null, 2)}\n`;
    fs.writeFileSync(file, original, { mode: 0o600 });

    const opened = await openLowdbStore(dir, clock);
    const backupName = 'gatehouse.json.v1.2026-02-01T00-00-00-000Z.bak';
    expect(opened.migratedFrom).toEqual({ version: 1, backup: path.join(dir, backupName) });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.bak'))).toEqual([backupName]);
    expect(fs.readFileSync(path.join(dir, backupName), 'utf8')).toBe(original);

    const state = readStoreSnapshot(dir);
    const auditLog = readAuditLog(opened.store.log('audit'));
    expect(state?.apiTokens.map(({ prefix: _p, lastUsedAt: _l, createdBy: _c, ...t }) => t)).toEqual(tokens);
    expect(auditLog.map((e) => [e.at, e.type, e.actor, e.details])).toEqual(
      audit.map((e) => [e.at, e.type, e.actor, { detail: e.detail }]),
    );
    expect(state?.sessions.map((s) => s.csrfToken)).toEqual(['csrf-s1', 'csrf-s2']);

    // A version 2 file keeps its settings through the next migration, with its own backup name.
    const v2 = {
      ...JSON.parse(JSON.stringify(state)),
      version: 2,
      settings: { instanceName: 'Cabin gateway' },
      audit: auditLog,
    };
    delete v2.reachability;
    delete v2.alerts;
    // Added in versions 5 to 8: a version 2 file has no lockouts, no DDNS, no WireGuard and no certificates.
    delete v2.lockouts;
    delete v2.ddns;
    delete v2.wireguard;
    delete v2.cert;
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-store-v2-'));
    try {
      fs.writeFileSync(path.join(dir2, storeFileName), JSON.stringify(v2), { mode: 0o600 });
      const later = new FakeClock('2026-02-03T04:05:06.789Z');
      const reopened = await openLowdbStore(dir2, later);
      expect(reopened.migratedFrom?.backup).toBe(
        path.join(dir2, 'gatehouse.json.v2.2026-02-03T04-05-06-789Z.bak'),
      );
      expect(reopened.store.read().settings).toEqual({ instanceName: 'Cabin gateway' });
      expect(reopened.store.read().apiTokens).toEqual(state?.apiTokens);
      expect(readAuditLog(reopened.store.log('audit'))).toEqual(auditLog);
    } finally {
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('a process killed mid-write leaves either the old or the new state, never a broken file or log', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, '..', 'support', 'store-writer.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    // Kill it after it reports a number of completed writes (synchronised on its output, not on time).
    let reported = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        reported = Number(chunk.trim().split('\n').pop());
        if (reported >= 200) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => {
        if (reported < 200) reject(new Error(`writer exited early with ${code}`));
      });
    });
    await new Promise((r) => child.on('close', r));
    const state = readStoreSnapshot(dir);
    const n = Number(state?.settings.instanceName.replace('write-', ''));
    // The file holds a complete state from one of the writes (at or after the last reported one).
    expect(n).toBeGreaterThanOrEqual(reported);
    // Re-opening cleans up any temporary file the killed writer left behind, and a torn last line of the log.
    const { store } = await openLowdbStore(dir, clock);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Each write's event is appended after its document: the kill loses at most the last one, never the log.
    const ids = readAuditLog(store.log('audit')).map((e) => e.id);
    expect([n - 1, n]).toContain(ids.length);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => `e${i + 1}`));
    await store.update((d, tx) => {
      d.settings.instanceName = 'after';
      tx.append('audit', { ...(store.log('audit').newest(1)[0] as AuditEvent), id: 'after' });
    });
    expect(
      (await openLowdbStore(dir, clock)).store
        .log('audit')
        .newest(2)
        .map((e) => e.id),
    ).toEqual(['after', ids.at(-1)]);
  });
});

describe('data directory lock', () => {
  it('refuses a second holder while the first is alive, then frees on release', () => {
    const first = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    try {
      acquireDataDirLock(dir);
    } catch (e) {
      expect((e as Error).message).toContain(`pid ${process.pid}`);
    }
    first.release();
    const second = acquireDataDirLock(dir);
    second.release();
  });

  it('takes over a lock whose PID now belongs to another process (a container restarts with the same PID)', () => {
    // Our own PID, but a different start time: the previous holder died and the PID was reused.
    fs.writeFileSync(path.join(dir, lockFileName), JSON.stringify({ pid: process.pid, startTime: '1' }));
    const lock = acquireDataDirLock(dir);
    const content = JSON.parse(fs.readFileSync(path.join(dir, lockFileName), 'utf8')) as {
      startTime: string;
    };
    expect(content.startTime).not.toBe('1');
    // And the fresh lock does hold against a second taker.
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    lock.release();
  });

  it('takes over a lock left by a dead process', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    const pid = dead.pid ?? 0;
    await new Promise((r) => dead.on('close', r));
    fs.writeFileSync(path.join(dir, lockFileName), JSON.stringify({ pid }));
    const lock = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(path.join(dir, lockFileName), 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(path.join(dir, lockFileName))).toBe(false);
  });
});

/**
 * @module `gatehouse admin reset-password` through the CLI entry, checked by logging in afterwards: the new password
 * works, every session is gone, and two-factor authentication is off only with `--disable-totp`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/service.js';
import { ensureSetupToken } from '../../src/auth/setup-token.js';
import { runCli, type CliIo } from '../../src/cli.js';
import { systemClock } from '../../src/core/clock.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { ensureDataDir } from '../../src/store/data-dir.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { MemoryLogger } from '../fakes/logger.js';
import { totpCodeAt } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const ctx = { clientAddress: '192.0.2.1', userAgent: 'test' };
const oldPassword = 'original password 1';
const newPassword = 'a chosen passphrase';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-reset-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A fresh AuthService over the data directory, as a server started afterwards would have. */
async function authOn(dataDir: string) {
  ensureDataDir(dataDir);
  const { store } = await openLowdbStore(dataDir, systemClock);
  const auth = new AuthService({
    store,
    clock: systemClock,
    logger: new MemoryLogger(),
    files: nodePrivateFiles,
    dataDir,
    sessionPolicy: { idleMs: 3600_000, maxAgeMs: 86_400_000, pendingMfaMs: 300_000 },
  });
  return { store, auth };
}

/** An admin with TOTP on and two complete sessions (setup's and one logged in with password + code). */
async function adminWithTotp(dataDir: string) {
  const { store, auth } = await authOn(dataDir);
  const setupToken = ensureSetupToken(nodePrivateFiles, dataDir);
  const setup = await auth.completeSetup({ setupToken, username: 'admin', password: oldPassword }, ctx);
  if (!setup.ok) throw new Error(setup.error.message);
  const user = store.read().users[0]!;
  const enrol = await auth.beginTotpEnrolment(user);
  if (!enrol.ok) throw new Error(enrol.error.message);
  // Confirm with the previous step's code (allowed drift), so the current step's code is still unused.
  const confirmed = await auth.confirmTotpEnrolment(
    store.read().users[0]!,
    totpCodeAt(enrol.value.secret, new Date(Date.now() - 30_000)),
    ctx,
  );
  if (!confirmed.ok) throw new Error(confirmed.error.message);
  const pending = await auth.login({ username: 'admin', password: oldPassword }, ctx);
  if (!pending.ok) throw new Error(pending.error.message);
  expect(pending.value.session.stage).toBe('pending-mfa');
  const second = await auth.completeMfa(
    pending.value.sessionId,
    { code: totpCodeAt(enrol.value.secret, new Date()) },
    ctx,
  );
  if (!second.ok) throw new Error(second.error.message);
  expect(store.read().sessions.filter((s) => s.stage === 'complete')).toHaveLength(2);
  return { sessionIds: [setup.value.sessionId, second.value.sessionId] };
}

async function resetPassword(dataDir: string, extra: string[]) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: { GATEHOUSE_REACHABILITY: 'off' },
    cwd: dir,
    readStdin: () => Promise.resolve(`${newPassword}\n`),
    untilStopped: () => Promise.resolve(),
    fetch: () => Promise.reject(new Error('no network in this test')),
  };
  const code = await runCli(
    ['admin', 'reset-password', '--password-stdin', ...extra, '--data-dir', dataDir],
    io,
  );
  return { code, out, err };
}

describe('gatehouse admin reset-password', () => {
  it('--disable-totp: the new password alone logs in (no TOTP step) and every session is logged out', async () => {
    const dataDir = path.join(dir, 'data');
    const { sessionIds } = await adminWithTotp(dataDir);

    const reset = await resetPassword(dataDir, ['--disable-totp']);
    expect(reset.err).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.out).toBe(
      'Password of "admin" reset; every session was logged out and two-factor authentication is off.\n',
    );

    const { store, auth } = await authOn(dataDir);
    for (const id of sessionIds) expect(await auth.authenticateSession(id)).toBeUndefined();
    expect(store.read().sessions).toEqual([]);
    expect(store.read().users[0]).toMatchObject({
      totpSecret: null,
      pendingTotpSecret: null,
      recoveryCodeHashes: [],
    });

    const old = await auth.login({ username: 'admin', password: oldPassword }, ctx);
    expect(old.ok).toBe(false);
    const fresh = await auth.login({ username: 'admin', password: newPassword }, ctx);
    expect(fresh.ok && fresh.value.session.stage).toBe('complete');
    expect(readAuditLog(store.log('audit')).find((e) => e.type === 'password.reset')?.details).toEqual({
      user: 'admin',
      totpDisabled: true,
    });
  });

  it('without the flag two-factor authentication stays on: the new password leads to the TOTP step', async () => {
    const dataDir = path.join(dir, 'data');
    const { sessionIds } = await adminWithTotp(dataDir);

    const reset = await resetPassword(dataDir, []);
    expect(reset.code).toBe(0);
    expect(reset.out).toBe('Password of "admin" reset; every session was logged out.\n');

    const { store, auth } = await authOn(dataDir);
    for (const id of sessionIds) expect(await auth.authenticateSession(id)).toBeUndefined();
    expect(store.read().users[0]?.totpSecret).not.toBeNull();
    expect(store.read().users[0]?.recoveryCodeHashes).toHaveLength(10);
    const fresh = await auth.login({ username: 'admin', password: newPassword }, ctx);
    expect(fresh.ok && fresh.value.session.stage).toBe('pending-mfa');
  });
});

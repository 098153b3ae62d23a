import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { invalidSecretNames } from '../../test/fakes/contracts/secrets.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { captureLog } from '../../test/support/log-capture.js';
import { createFileSecrets } from './file-secrets.js';
import type { Logger } from './log.js';
import { createPinoLogger } from './pino-logger.js';
import { SecretsStorageError } from './secrets.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A data directory inside a sandbox of its own, so a test can see anything written next to it. */
function setup(logger: Logger = new MemoryLogger()) {
  const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secrets-'));
  made.push(sandbox);
  const dataDir = path.join(sandbox, 'data');
  fs.mkdirSync(dataDir, { mode: 0o700 });
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  return { sandbox, dataDir, clock, secrets: createFileSecrets(dataDir, { clock, logger }) };
}

const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

/** Every path under dir, relative to it. */
function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('createFileSecrets', () => {
  it('keeps a secret in <dataDir>/secrets/<namespace>/<name>: file 0600, directories 0700', async () => {
    const { dataDir, secrets } = setup();
    await secrets.set('ddns/cloudflare-main', 'cf-token');
    const file = path.join(dataDir, 'secrets', 'ddns', 'cloudflare-main');
    expect(fs.readFileSync(file, 'utf8')).toBe('cf-token');
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.join(dataDir, 'secrets'))).toBe(0o700);
    expect(modeOf(path.join(dataDir, 'secrets', 'ddns'))).toBe(0o700);
  });

  it('tightens directories and files that exist with wider permissions', async () => {
    const { dataDir, secrets } = setup();
    const ns = path.join(dataDir, 'secrets', 'acme');
    fs.mkdirSync(ns, { recursive: true });
    fs.chmodSync(path.join(dataDir, 'secrets'), 0o755);
    fs.chmodSync(ns, 0o777);
    fs.writeFileSync(path.join(ns, 'account-key'), 'old', { mode: 0o644 });
    await secrets.set('acme/account-key', 'new');
    expect(modeOf(path.join(dataDir, 'secrets'))).toBe(0o700);
    expect(modeOf(ns)).toBe(0o700);
    expect(modeOf(path.join(ns, 'account-key'))).toBe(0o600);
  });

  it('touches nothing on disk, inside or outside the data directory, for a name that could escape', async () => {
    const { sandbox, secrets } = setup();
    fs.writeFileSync(path.join(sandbox, 'outside'), 'untouched');
    const before = tree(sandbox);
    for (const name of invalidSecretNames) {
      expect((await secrets.set(name, 'payload')).ok, name).toBe(false);
      expect((await secrets.delete(name)).ok, name).toBe(false);
    }
    expect((await secrets.get('../../outside')).ok).toBe(false);
    expect((await secrets.get('data/../../outside')).ok).toBe(false);
    expect(tree(sandbox)).toEqual(before);
    expect(fs.readFileSync(path.join(sandbox, 'outside'), 'utf8')).toBe('untouched');
  });

  it('replaces a secret by rename: a reader of the old file keeps the whole old value, no temporary file stays', async () => {
    const { dataDir, secrets } = setup();
    await secrets.set('wireguard/server-key', 'old-key-material');
    const file = path.join(dataDir, 'secrets', 'wireguard', 'server-key');
    const oldInode = fs.statSync(file).ino;
    const reader = fs.openSync(file, 'r');
    try {
      await secrets.set('wireguard/server-key', 'new');
      // Written in place, the open file would now read "new" (or be truncated); replaced, it is untouched.
      expect(fs.readFileSync(reader, 'utf8')).toBe('old-key-material');
    } finally {
      fs.closeSync(reader);
    }
    expect(fs.statSync(file).ino).not.toBe(oldInode);
    expect(await secrets.get('wireguard/server-key')).toEqual({ ok: true, value: 'new' });
    expect(fs.readdirSync(path.dirname(file))).toEqual(['server-key']);
  });

  it('lists neither the temporary file of an interrupted write nor stray entries', async () => {
    const { dataDir, secrets } = setup();
    await secrets.set('ddns/cloudflare-main', 'token');
    const ns = path.join(dataDir, 'secrets', 'ddns');
    fs.writeFileSync(path.join(ns, '.cloudflare-main.3f1c2b9e.tmp'), 'half a tok');
    fs.writeFileSync(path.join(ns, 'Upper Case'), 'stray');
    fs.mkdirSync(path.join(ns, 'nested'));
    fs.writeFileSync(path.join(dataDir, 'secrets', 'loose-file'), 'stray');
    expect((await secrets.list()).map((s) => s.name)).toEqual(['ddns/cloudflare-main']);
  });

  it('throws a storage error that names the secret, not its value, and leaves no temporary file', async () => {
    const { dataDir, secrets } = setup();
    // A non-empty directory where the file should be: the final rename must fail.
    const blocked = path.join(dataDir, 'secrets', 'ddns', 'blocked');
    fs.mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    const error = await secrets.set('ddns/blocked', 'very-secret-value').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsStorageError);
    expect(error).toMatchObject({
      secretName: 'ddns/blocked',
      message: 'could not store the secret "ddns/blocked"',
    });
    expect(JSON.stringify(error)).not.toContain('very-secret-value');
    expect(String(error)).not.toContain('very-secret-value');
    expect(fs.readdirSync(path.join(dataDir, 'secrets', 'ddns'))).toEqual(['blocked']);
  });

  it('throws a storage error when the secrets directory is a file', async () => {
    const { dataDir, secrets } = setup();
    fs.writeFileSync(path.join(dataDir, 'secrets'), 'not a directory');
    await expect(secrets.set('acme/account-key', 'k')).rejects.toBeInstanceOf(SecretsStorageError);
    await expect(secrets.get('acme/account-key')).rejects.toBeInstanceOf(SecretsStorageError);
  });
});

describe('what the file adapter logs', () => {
  const value = 'cf-Zx9-very-secret-token';

  async function exercise(secrets: ReturnType<typeof setup>['secrets']) {
    await secrets.set('ddns/cloudflare-main', value);
    await secrets.get('ddns/cloudflare-main');
    await secrets.has('ddns/cloudflare-main');
    await secrets.info('ddns/cloudflare-main');
    await secrets.list();
    await secrets.set('ddns/cloudflare-main', `${value}-rotated`);
    await secrets.set('../escape', value);
    await secrets.delete('ddns/cloudflare-main');
  }

  it('names the secret on store and delete, never the value (MemoryLogger)', async () => {
    const logger = new MemoryLogger();
    await exercise(setup(logger).secrets);
    expect(logger.lines.map((l) => [l.msg, l.fields.secretName])).toEqual([
      ['secret stored', 'ddns/cloudflare-main'],
      ['secret stored', 'ddns/cloudflare-main'],
      ['secret deleted', 'ddns/cloudflare-main'],
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain(value);
  });

  it('prints no value through the real logger at debug level either', async () => {
    const log = captureLog();
    await exercise(setup(createPinoLogger('debug', log.destination)).secrets);
    expect(log.lines.length).toBeGreaterThan(0);
    expect(log.lines.every((l) => l.secretName === 'ddns/cloudflare-main')).toBe(true);
    expect(JSON.stringify(log.lines)).not.toContain(value);
  });
});

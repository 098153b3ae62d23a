import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { nodePrivateFiles, type PrivateFiles } from '../core/node-fs.js';
import {
  deviceCookieMaxAgeSeconds,
  deviceKeyFileName,
  ensureDeviceKey,
  issueDeviceToken,
  parseDeviceKey,
  readDeviceToken,
} from './device-cookie.js';

const key = randomBytes(32);
const admin = { username: 'admin', deviceEpoch: 'epoch-1' };

describe('device tokens', () => {
  it('a token issued for a user reads back as that user (lower case) and a device id of its own', () => {
    const a = readDeviceToken(key, issueDeviceToken(key, { ...admin, username: 'Admin' }), admin);
    const b = readDeviceToken(key, issueDeviceToken(key, admin), { ...admin, username: 'ADMIN' });
    expect(a?.username).toBe('admin');
    expect(b?.username).toBe('admin');
    expect(a?.deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a?.deviceId).not.toBe(b?.deviceId);
  });

  it('lives 400 days in the browser', () => {
    expect(deviceCookieMaxAgeSeconds).toBe(34_560_000);
  });

  it('is HMAC-SHA256 of the payload and the epoch, keyed with the device key', () => {
    const token = issueDeviceToken(key, admin);
    const [payload, mac] = [token.slice(0, token.lastIndexOf('.')), token.slice(token.lastIndexOf('.') + 1)];
    expect(payload).toMatch(/^v2\.YWRtaW4\.[A-Za-z0-9_-]{22}$/);
    expect(mac).toBe(createHmac('sha256', key).update(`${payload}\nepoch-1`).digest('base64url'));
  });

  it('an account from before epochs (none stored) signs and reads with an empty epoch', () => {
    const legacy = { username: 'admin' };
    const token = issueDeviceToken(key, legacy);
    const payload = token.slice(0, token.lastIndexOf('.'));
    expect(token).toBe(`${payload}.${createHmac('sha256', key).update(`${payload}\n`).digest('base64url')}`);
    expect(readDeviceToken(key, token, legacy)?.username).toBe('admin');
    expect(readDeviceToken(key, token, { username: 'admin', deviceEpoch: 'new' })).toBeUndefined();
  });

  const v1 = (t: string) => t.replace(/^v2/, 'v1');
  it.each([
    ['another key', (t: string) => t, randomBytes(32), admin],
    [
      'a new epoch (password changed or reset, logged out everywhere)',
      (t: string) => t,
      key,
      { ...admin, deviceEpoch: 'epoch-2' },
    ],
    ['another user', (t: string) => t, key, { username: 'root', deviceEpoch: 'epoch-1' }],
    ['an altered signature', (t: string) => `${t.slice(0, -1)}${t.endsWith('A') ? 'B' : 'A'}`, key, admin],
    ['another user in the payload', (t: string) => t.replace(/^v2\.[^.]+/, 'v2.cm9vdA'), key, admin],
    ['another device id', (t: string) => t.replace(/^(v2\.[^.]+\.)[^.]+/, `$1${'A'.repeat(22)}`), key, admin],
    ['a version it does not know (v1, before epochs)', v1, key, admin],
    ['a shorter device id', (t: string) => t.replace(/^(v2\.[^.]+\.)./, '$1'), key, admin],
    ['a longer device id', (t: string) => t.replace(/^(v2\.[^.]+\.)/, '$1A'), key, admin],
    ['a shorter signature', (t: string) => t.slice(0, -1), key, admin],
    ['a longer signature', (t: string) => `${t}A`, key, admin],
    ['text before it', (t: string) => ` ${t}`, key, admin],
    ['text after it', (t: string) => `${t} `, key, admin],
    ['an empty user', (t: string) => t.replace(/^v2\.[^.]+/, 'v2.'), key, admin],
    ['an empty string', () => '', key, admin],
    ['garbage', () => 'v2.a.b.c', key, admin],
  ])('refuses %s', (_what, change, readKey, owner) => {
    expect(readDeviceToken(readKey, change(issueDeviceToken(key, admin)), owner)).toBeUndefined();
  });

  it('reads a user name of up to 100 base64url characters (75 bytes), not longer', () => {
    const long = { username: 'a'.repeat(75), deviceEpoch: 'e' };
    expect(readDeviceToken(key, issueDeviceToken(key, long), long)?.username).toBe('a'.repeat(75));
    const longer = { username: 'a'.repeat(76), deviceEpoch: 'e' };
    expect(readDeviceToken(key, issueDeviceToken(key, longer), longer)).toBeUndefined();
  });
});

describe('the device key file', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  function dataDir(content?: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-devkey-'));
    dirs.push(dir);
    if (content !== undefined) fs.writeFileSync(path.join(dir, deviceKeyFileName), content, { mode: 0o600 });
    return dir;
  }
  const keyFile = (dir: string) => path.join(dir, deviceKeyFileName);

  // Fixed keys, so that test names are the same in every run (mutation testing maps tests by name).
  const key32 = Buffer.alloc(32, 7).toString('base64url');
  it.each([
    ['no file', 'absent', undefined],
    ['a 32-byte key with a newline', 'key', `${key32}\n`],
    ['a longer key', 'key', Buffer.alloc(48, 9).toString('base64url')],
    ['an empty file', 'unusable', ''],
    ['only a newline', 'unusable', '\n'],
    ['junk', 'unusable', '!!!!\n'],
    ['a key with junk after it', 'unusable', `${key32}!`],
    ['junk before a key', 'unusable', `*${key32}`],
    ['a key with junk inside', 'unusable', `${key32.slice(0, 20)}.${key32.slice(20)}`],
    ['a 31-byte key', 'unusable', Buffer.alloc(31, 7).toString('base64url')],
  ])('parseDeviceKey: %s is %s', (_what, kind, text) => {
    const parsed = parseDeviceKey(text);
    expect(parsed.kind).toBe(kind);
    if (parsed.kind === 'key') expect(parsed.key).toEqual(Buffer.from((text ?? '').trim(), 'base64url'));
  });

  it('is made on first use (32 random bytes, 0600) and read back by the next start, without a warning', () => {
    const dir = dataDir();
    const logger = new MemoryLogger();
    const first = ensureDeviceKey(nodePrivateFiles, dir, logger);
    expect(first.length).toBe(32);
    expect(fs.statSync(keyFile(dir)).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(keyFile(dir), 'utf8')).toBe(`${first.toString('base64url')}\n`);
    expect(ensureDeviceKey(nodePrivateFiles, dir, logger)).toEqual(first);
    expect(logger.lines).toEqual([]);
  });

  it.each([
    ['empty (a crash or a full disk between creating and writing it)', ''],
    ['junk', '!!!!\n'],
    ['a short key', `${randomBytes(16).toString('base64url')}\n`],
  ])(
    'an unusable file, %s, is replaced by a fresh key; cookies signed with the old one are refused',
    (_w, bad) => {
      const dir = dataDir(bad);
      const logger = new MemoryLogger();
      const key = ensureDeviceKey(nodePrivateFiles, dir, logger);
      expect(key.length).toBe(32);
      expect(fs.readFileSync(keyFile(dir), 'utf8')).toBe(`${key.toString('base64url')}\n`);
      expect(fs.statSync(keyFile(dir)).mode & 0o777).toBe(0o600);
      expect(fs.readdirSync(dir)).toEqual([deviceKeyFileName]);
      // What the old code used as the key: forged cookies signed with it mean nothing now.
      const oldKey = Buffer.from(bad.trim(), 'base64url');
      expect(readDeviceToken(key, issueDeviceToken(oldKey, admin), admin)).toBeUndefined();
      expect(readDeviceToken(key, issueDeviceToken(key, admin), admin)?.username).toBe('admin');
      // The next start keeps the new key; the warning names the file, never the key.
      expect(ensureDeviceKey(nodePrivateFiles, dir, new MemoryLogger())).toEqual(key);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatchObject({ level: 'warn', fields: { file: keyFile(dir) } });
      expect(logger.lines[0]?.msg).toMatch(/unusable.*replaced/);
      expect(JSON.stringify(logger.lines)).not.toContain(key.toString('base64url'));
    },
  );

  /** Files in memory; `onCreate` stands for another process that wins the race to create the file. */
  function racingFiles(onCreate: string): PrivateFiles & { content: Map<string, string> } {
    const content = new Map<string, string>();
    return {
      content,
      read: (file) => content.get(file),
      createExclusive(file) {
        content.set(file, onCreate);
        return false;
      },
      write: (file, text) => content.set(file, text),
      remove: (file) => content.delete(file),
    };
  }

  it('an unusable file is replaced at once, not created again', () => {
    const files = racingFiles('unused');
    const file = path.join('/data', deviceKeyFileName);
    files.content.set(file, '\n');
    files.createExclusive = () => {
      throw new Error('createExclusive called for a file that exists');
    };
    const key = ensureDeviceKey(files, '/data', new MemoryLogger());
    expect(files.content.get(file)).toBe(`${key.toString('base64url')}\n`);
  });

  it('when another process creates the file first, its key is used', () => {
    const theirs = randomBytes(32);
    const files = racingFiles(`${theirs.toString('base64url')}\n`);
    const logger = new MemoryLogger();
    expect(ensureDeviceKey(files, '/data', logger)).toEqual(theirs);
    expect(logger.lines).toEqual([]);
  });

  it('when another process creates the file first but leaves it empty, it is replaced', () => {
    const files = racingFiles('');
    const logger = new MemoryLogger();
    const key = ensureDeviceKey(files, '/data', logger);
    expect(key.length).toBe(32);
    expect(files.content.get(path.join('/data', deviceKeyFileName))).toBe(`${key.toString('base64url')}\n`);
    expect(logger.lines.map((l) => l.level)).toEqual(['warn']);
  });
});

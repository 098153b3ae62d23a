import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodePrivateFiles } from '../core/node-fs.js';
import { checkSetupToken, ensureSetupToken, removeSetupToken, setupTokenFileName } from './setup-token.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dataDir(content?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-setup-token-'));
  dirs.push(dir);
  if (content !== undefined) fs.writeFileSync(path.join(dir, setupTokenFileName), content, { mode: 0o600 });
  return dir;
}

describe('the setup token file', () => {
  it('is made on first use (0600) and the same token is returned after', () => {
    const dir = dataDir();
    const token = ensureSetupToken(nodePrivateFiles, dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(fs.statSync(path.join(dir, setupTokenFileName)).mode & 0o777).toBe(0o600);
    expect(ensureSetupToken(nodePrivateFiles, dir)).toBe(token);
    expect(checkSetupToken(nodePrivateFiles, dir, ` ${token}\n`)).toBe(true);
    expect(checkSetupToken(nodePrivateFiles, dir, 'wrong')).toBe(false);
  });

  it('an existing token is kept', () => {
    const dir = dataDir('kept-token\n');
    expect(ensureSetupToken(nodePrivateFiles, dir)).toBe('kept-token');
  });

  it.each([
    ['empty', ''],
    ['only whitespace', ' \n'],
  ])('a file left %s (a crash while it was made) is replaced by a token that works', (_what, content) => {
    const dir = dataDir(content);
    const token = ensureSetupToken(nodePrivateFiles, dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(fs.readFileSync(path.join(dir, setupTokenFileName), 'utf8')).toBe(`${token}\n`);
    expect(checkSetupToken(nodePrivateFiles, dir, token)).toBe(true);
    expect(checkSetupToken(nodePrivateFiles, dir, '')).toBe(false);
  });

  it('once removed, no token is accepted', () => {
    const dir = dataDir();
    const token = ensureSetupToken(nodePrivateFiles, dir);
    removeSetupToken(nodePrivateFiles, dir);
    expect(checkSetupToken(nodePrivateFiles, dir, token)).toBe(false);
  });
});

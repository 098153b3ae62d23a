import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { skipReason } from '../../test/support/skip.js';
import { nodePrivateFiles } from './node-fs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-node-fs-'));
  dirs.push(dir);
  return dir;
}
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('nodePrivateFiles', () => {
  it('reads a file, or undefined when there is none', () => {
    const dir = tempDir();
    expect(nodePrivateFiles.read(path.join(dir, 'absent'))).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'f'), 'text\n');
    expect(nodePrivateFiles.read(path.join(dir, 'f'))).toBe('text\n');
    // Anything but "no such file" is an error, not "absent".
    expect(() => nodePrivateFiles.read(dir)).toThrow(/EISDIR/);
  });

  it('createExclusive makes the file (0600, in a new 0700 directory) once; a second call changes nothing', () => {
    const file = path.join(tempDir(), 'sub', 'key');
    expect(nodePrivateFiles.createExclusive(file, 'first\n')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n');
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(nodePrivateFiles.createExclusive(file, 'second\n')).toBe(false);
    expect(fs.readFileSync(file, 'utf8')).toBe('first\n');
  });

  it('write replaces a file whole (0600) and leaves no temporary file; remove deletes it, absent or not', () => {
    const dir = tempDir();
    const file = path.join(dir, 'key');
    fs.writeFileSync(file, 'old', { mode: 0o644 });
    nodePrivateFiles.write(file, 'new\n');
    expect(fs.readFileSync(file, 'utf8')).toBe('new\n');
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['key']);
    nodePrivateFiles.remove(file);
    nodePrivateFiles.remove(file);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  const noMount =
    process.getuid?.() === 0 ? undefined : 'mounting a full file system for the failed write needs root';
  it.skipIf(skipReason('createExclusive on a full disk', noMount) !== undefined)(
    'createExclusive on a full disk throws ENOSPC and leaves no empty file behind',
    () => {
      const dir = tempDir();
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', dir]);
      try {
        // Fill the one page the file system has; a new file still gets an inode, its content no block.
        fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(4096));
        const file = path.join(dir, 'device-cookie.key');
        expect(() => nodePrivateFiles.createExclusive(file, 'k'.repeat(44))).toThrow(/ENOSPC/);
        expect(fs.existsSync(file)).toBe(false);
        // So the next call can make it once there is room.
        fs.rmSync(path.join(dir, 'filler'));
        expect(nodePrivateFiles.createExclusive(file, 'k'.repeat(44))).toBe(true);
      } finally {
        execFileSync('umount', [dir]);
      }
    },
  );
});

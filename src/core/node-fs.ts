/** @module node:fs adapter for small private files (setup token, bootstrap certificate): always 0600. */
import fs from 'node:fs';
import path from 'node:path';

export interface PrivateFiles {
  /** File content, or undefined when the file does not exist. */
  read(file: string): string | undefined;
  /** Creates the file only if absent; returns false when it already existed. A failed write leaves no file. */
  createExclusive(file: string, content: string): boolean;
  /** Replaces the file atomically (temporary file + rename). */
  write(file: string, content: string): void;
  remove(file: string): void;
}

export const nodePrivateFiles: PrivateFiles = {
  read(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  },
  createExclusive(file, content) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    let written = false;
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
      written = true;
    } finally {
      try {
        fs.closeSync(fd);
      } finally {
        // A file left empty (full disk) would read as "already created" by every later call.
        if (!written) fs.rmSync(file, { force: true });
      }
    }
    return true;
  },
  write(file, content) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content, { mode: 0o600 });
    fs.renameSync(tmp, file);
  },
  remove(file) {
    fs.rmSync(file, { force: true });
  },
};

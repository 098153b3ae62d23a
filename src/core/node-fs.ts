/** @module node:fs adapter for small private files (setup token, bootstrap certificate): always 0600. */
import fs from 'node:fs';
import path from 'node:path';

export interface PrivateFiles {
  /** File content, or undefined when the file does not exist. */
  read(file: string): string | undefined;
  /** Creates the file only if absent; returns false when it already existed. */
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
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
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

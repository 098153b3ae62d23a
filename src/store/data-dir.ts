/** @module node:fs adapter for the data directory: private permissions, and one process per directory. */
import fs from 'node:fs';
import path from 'node:path';
import { DataDirLockedError, FatalStartupError } from '../core/errors.js';

export const lockFileName = 'gatehouse.lock';

/** Creates the data directory (0700) or tightens an existing one to 0700. */
export function ensureDataDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dataDir, 0o700);
  } catch (e) {
    throw new FatalStartupError(`cannot use data directory ${dataDir}: ${(e as Error).message}`, undefined, {
      cause: e,
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process started (clock ticks since boot, /proc/<pid>/stat field 22), to tell a live holder from an
 * unrelated process that reuses its PID — in a container the PID is the same at every start.
 */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The lock's recorded holder is still the same running process. */
function holderIsLive<T extends { pid?: unknown; startTime?: unknown }>(
  content: T | undefined,
): content is T & { pid: number } {
  if (typeof content?.pid !== 'number' || !isAlive(content.pid)) return false;
  if (typeof content.startTime !== 'string') return true;
  const now = startTimeOf(content.pid);
  return now === undefined || now === content.startTime;
}

function readLock(file: string): { pid?: unknown; url?: unknown; startTime?: unknown } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; url?: unknown; startTime?: unknown };
  } catch {
    return undefined;
  }
}

function readHolder(file: string): number | undefined {
  const pid = readLock(file)?.pid;
  return typeof pid === 'number' ? pid : undefined;
}

export interface LockHolder {
  readonly pid: number;
  /** Where the holder serves, once it is listening. */
  readonly url?: string;
}

/** Which live process holds the directory's lock, if any, and where it listens. */
export function lockHolder(dataDir: string): LockHolder | undefined {
  const content = readLock(path.join(dataDir, lockFileName));
  if (!holderIsLive(content)) return undefined;
  const { pid } = content;
  return typeof content.url === 'string' ? { pid, url: content.url } : { pid };
}

export interface DataDirLock {
  /** Records where this process listens, for `gatehouse status`. */
  announce(url: string): void;
  release(): void;
}

/**
 * Takes the directory's lock file (created exclusively, holding our pid). A lock left by a dead process is
 * taken over; a live holder makes this throw DataDirLockedError.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = path.join(dataDir, lockFileName);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      const me = { pid: process.pid, startTime: startTimeOf(process.pid) };
      fs.writeSync(fd, JSON.stringify(me));
      fs.closeSync(fd);
      let released = false;
      return {
        announce(url) {
          const tmp = `${file}.${process.pid}.tmp`;
          fs.writeFileSync(tmp, JSON.stringify({ ...me, url }), { mode: 0o600 });
          fs.renameSync(tmp, file);
        },
        release() {
          if (released) return;
          released = true;
          if (readHolder(file) === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new FatalStartupError(`cannot create lock file ${file}: ${(e as Error).message}`, undefined, {
          cause: e,
        });
      }
      const content = readLock(file);
      if (holderIsLive(content)) throw new DataDirLockedError(dataDir, content.pid);
      // Stale lock from a process that died (or a half-written one): take it over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new FatalStartupError(`cannot take the lock file ${file}: another process keeps replacing it`);
}

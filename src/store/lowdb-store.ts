/** @module lowdb adapter for the Store port: zod-validated load with migrations, atomic 0600 writes, one writer queue. */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { FatalStartupError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import { formatFirstIssue, migrateToCurrent } from './migrations.js';
import { initialState, stateSchema, type State } from './schema.js';
import type { Store } from './store.js';

export const storeFileName = 'gatehouse.json';

/** Writes to a temporary file in the same directory, fsyncs it, renames it over the target, then fsyncs the directory. */
export function writeFileAtomic(file: string, content: string): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomUUID()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

class AtomicJsonAdapter implements Adapter<State> {
  constructor(
    private readonly file: string,
    private readonly loaded: State,
  ) {}
  read(): Promise<State> {
    return Promise.resolve(this.loaded);
  }
  write(data: State): Promise<void> {
    writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
    return Promise.resolve();
  }
}

export interface OpenStoreResult {
  readonly store: Store;
  /** Set when an older file was migrated; the original was copied to this backup path first. */
  readonly migratedFrom?: { readonly version: number; readonly backup: string };
  readonly created: boolean;
}

/** Parses, migrates (in memory) and validates a store document; throws FatalStartupError naming the problem. */
export function parseStoreText(file: string, text: string): { state: State; migratedFrom?: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FatalStartupError(
      `store file ${file} is not valid JSON: ${(e as Error).message}`,
      'restore it from a backup or fix it by hand; Gatehouse did not change it',
    );
  }
  const migrated = migrateToCurrent(doc);
  if (migrated.kind === 'error') {
    throw new FatalStartupError(
      `store file ${file}: ${migrated.message}`,
      'Gatehouse did not change the file',
    );
  }
  const parsed = stateSchema.safeParse(migrated.state);
  if (!parsed.success) {
    throw new FatalStartupError(
      `store file ${file} is invalid: ${formatFirstIssue(parsed.error)}`,
      'restore it from a backup or fix it by hand; Gatehouse did not change it',
    );
  }
  return migrated.kind === 'migrated'
    ? { state: parsed.data, migratedFrom: migrated.from }
    : { state: parsed.data };
}

/** Reads the store without writing anything (for `gatehouse status` while the server runs). */
export function readStoreSnapshot(dataDir: string): State | undefined {
  const file = path.join(dataDir, storeFileName);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FatalStartupError(`cannot read store file ${file}: ${(e as Error).message}`, undefined, {
      cause: e,
    });
  }
  return parseStoreText(file, text).state;
}

/**
 * Loads (or creates) `<dataDir>/gatehouse.json`. A file that is not JSON or does not match the schema stops
 * start-up with a FatalStartupError naming the file and the first problem; the file is left as it was.
 */
export async function openLowdbStore(dataDir: string, clock: Clock): Promise<OpenStoreResult> {
  const file = path.join(dataDir, storeFileName);
  let text: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new FatalStartupError(`cannot read store file ${file}: ${(e as Error).message}`, undefined, {
        cause: e,
      });
    }
  }

  // Temporary files left by a writer that died mid-write (we hold the directory lock, so none is live).
  for (const name of fs.readdirSync(dataDir)) {
    if (name.startsWith(`.${storeFileName}.`) && name.endsWith('.tmp'))
      fs.rmSync(path.join(dataDir, name), { force: true });
  }

  let state: State;
  let migratedFrom: OpenStoreResult['migratedFrom'];
  const created = text === undefined;
  if (text === undefined) {
    state = initialState(clock.now(), randomUUID());
    writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
  } else {
    const parsed = parseStoreText(file, text);
    state = parsed.state;
    if (parsed.migratedFrom !== undefined) {
      const backup = `${file}.v${parsed.migratedFrom}.${clock.now().toISOString().replace(/[:.]/g, '-')}.bak`;
      fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(backup, 0o600);
      writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
      migratedFrom = { version: parsed.migratedFrom, backup };
    }
    // Tighten a file that was loosened by hand.
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  }

  const db = new Low<State>(new AtomicJsonAdapter(file, state), state);
  await db.read();
  let queue: Promise<unknown> = Promise.resolve();

  const store: Store = {
    location: file,
    read: () => db.data,
    update<R>(change: (draft: State) => R): Promise<R> {
      const run = async (): Promise<R> => {
        const draft = structuredClone(db.data);
        const result = change(draft);
        const checked = stateSchema.safeParse(draft);
        if (!checked.success) {
          throw new Error(`refusing to write an invalid state: ${formatFirstIssue(checked.error)}`);
        }
        const previous = db.data;
        db.data = checked.data;
        try {
          await db.write();
        } catch (e) {
          db.data = previous;
          throw new Error(`could not write ${file}: ${(e as Error).message}`, { cause: e });
        }
        return result;
      };
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },
  };
  return { store, created, ...(migratedFrom ? { migratedFrom } : {}) };
}

/**
 * @module lowdb adapter for the Store port: the document in one zod-validated JSON file (migrated on load, written
 * atomically, 0600), the logs in segment files under `logs/`, and one writer queue for both.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { FatalStartupError } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { StoreDefinition } from './define-store.js';
import type { LogMap, LogReader } from './log.js';
import { formatFirstIssue, migrateToCurrent } from './migrations.js';
import { storeDefinition, type State, type StoreLogs } from './schema.js';
import { openSegmentLog, type PendingAppend, type SegmentLog } from './segment-log.js';
import type { Store, Transaction } from './store.js';
import { serializeDocument, stageUpdate, type RecordCheck } from './transaction.js';

export const storeFileName = 'gatehouse.json';
/** The logs' directory in the data directory: one subdirectory per log. */
export const logsDirName = 'logs';

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

class AtomicJsonAdapter<S> implements Adapter<S> {
  constructor(
    private readonly file: string,
    private readonly loaded: S,
  ) {}
  read(): Promise<S> {
    return Promise.resolve(this.loaded);
  }
  write(data: S): Promise<void> {
    writeFileAtomic(this.file, serializeDocument(data));
    return Promise.resolve();
  }
}

export interface StoreOptions<S, L extends LogMap> {
  /** The slices, logs and migrations (default: Gatehouse's registered ones, schema.ts). */
  readonly definition?: StoreDefinition<S, L>;
  /** Checks each appended record beyond its schema (e.g. registered audit types); see transaction.ts. */
  readonly checkRecord?: RecordCheck;
}

export interface OpenStoreResult<S = State, L extends LogMap = StoreLogs> {
  readonly store: Store<S, L>;
  /** Set when an older file was migrated; the original was copied to this backup path first. */
  readonly migratedFrom?: { readonly version: number; readonly backup: string };
  readonly created: boolean;
}

/**
 * Parses, migrates (in memory) and validates a store document; throws FatalStartupError naming the problem.
 * `logs` holds the records the migrations moved out of the document, by log name.
 */
export function parseStoreText<S, L extends LogMap>(
  file: string,
  text: string,
  definition: StoreDefinition<S, L>,
): { state: S; migratedFrom?: number; logs: Record<string, unknown[]> } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new FatalStartupError(
      `store file ${file} is not valid JSON: ${(e as Error).message}`,
      'restore it from a backup or fix it by hand; Gatehouse did not change it',
    );
  }
  const migrated = migrateToCurrent(doc, definition.migrations);
  if (migrated.kind === 'error') {
    throw new FatalStartupError(
      `store file ${file}: ${migrated.message}`,
      'Gatehouse did not change the file',
    );
  }
  const parsed = definition.schema.safeParse(migrated.state);
  if (!parsed.success) {
    throw new FatalStartupError(
      `store file ${file} is invalid: ${formatFirstIssue(parsed.error)}`,
      'restore it from a backup or fix it by hand; Gatehouse did not change it',
    );
  }
  return migrated.kind === 'migrated'
    ? { state: parsed.data, migratedFrom: migrated.from, logs: migrated.logs }
    : { state: parsed.data, logs: {} };
}

function defaultDefinition<S, L extends LogMap>(options: StoreOptions<S, L>): StoreDefinition<S, L> {
  return options.definition ?? (storeDefinition as unknown as StoreDefinition<S, L>);
}

/** Reads the store's document without writing anything (for `gatehouse status` while the server runs). */
export function readStoreSnapshot<S = State, L extends LogMap = StoreLogs>(
  dataDir: string,
  options: StoreOptions<S, L> = {},
): S | undefined {
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
  return parseStoreText(file, text, defaultDefinition(options)).state;
}

/**
 * Loads (or creates) `<dataDir>/gatehouse.json` and opens the logs under `<dataDir>/logs/`. A file that is not
 * JSON or does not match the schema stops start-up with a FatalStartupError naming the file and the first
 * problem; the file is left as it was. A migration backs the old file up first, then writes the records it moves
 * out of the document into their logs (replacing whatever a migration interrupted earlier left there), then the
 * new document: until that last write, the old document is the truth and a restart migrates again.
 */
export async function openLowdbStore<S = State, L extends LogMap = StoreLogs>(
  dataDir: string,
  clock: Clock,
  options: StoreOptions<S, L> = {},
): Promise<OpenStoreResult<S, L>> {
  const definition = defaultDefinition(options);
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

  let state: S;
  let migratedFrom: OpenStoreResult['migratedFrom'];
  let moved: Record<string, unknown[]> = {};
  const created = text === undefined;
  if (text === undefined) {
    // Through the schema, so the document's keys are in the order every later write has.
    state = definition.schema.parse(definition.initial(clock.now(), randomUUID()));
  } else {
    const parsed = parseStoreText(file, text, definition);
    state = parsed.state;
    moved = validateMovedRecords(file, definition, parsed.logs);
    if (parsed.migratedFrom !== undefined) {
      const backup = `${file}.v${parsed.migratedFrom}.${clock.now().toISOString().replace(/[:.]/g, '-')}.bak`;
      fs.copyFileSync(file, backup, fs.constants.COPYFILE_EXCL);
      fs.chmodSync(backup, 0o600);
      migratedFrom = { version: parsed.migratedFrom, backup };
    }
  }

  const logs = openLogs(dataDir, definition, moved);
  let committedText = serializeDocument(state);
  if (text === undefined || migratedFrom !== undefined) writeFileAtomic(file, committedText);
  // Tighten a file that was loosened by hand.
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);

  const db = new Low<S>(new AtomicJsonAdapter(file, state), state);
  await db.read();
  let queue: Promise<unknown> = Promise.resolve();
  /**
   * What read() shows: the committed document only. lowdb's `data` holds a staged document while it is being
   * written, and readers must not see a change whose log records may still fail and roll it back.
   */
  let committed: S = db.data;

  const store: Store<S, L> = {
    location: file,
    read: () => committed,
    log<N extends keyof L & string>(name: N): LogReader<L[N]> {
      const log = logs.get(name);
      if (!log) throw new Error(`the store has no log named "${name}"`);
      return log as SegmentLog<L[N]>;
    },
    update<R>(change: (draft: S, tx: Transaction<L>) => R): Promise<R> {
      const run = async (): Promise<R> => {
        const staged = stageUpdate(
          definition,
          { state: db.data, text: committedText },
          change,
          options.checkRecord,
        );
        const previous = db.data;
        if (staged.changed) {
          db.data = staged.state;
          try {
            await db.write();
          } catch (e) {
            db.data = previous;
            throw new Error(`could not write ${file}: ${(e as Error).message}`, { cause: e });
          }
        }
        const pending: PendingAppend[] = [];
        for (const [name, records] of staged.appends) {
          try {
            pending.push((logs.get(name) as SegmentLog<unknown>).append(records));
          } catch (e) {
            for (const p of pending) p.rollback();
            if (staged.changed) undoDocument(previous, staged.state, e);
            throw new Error(
              `could not append to the log ${name}: ${(e as Error).message}; nothing was changed`,
              {
                cause: e,
              },
            );
          }
        }
        for (const p of pending) p.commit();
        committedText = staged.text;
        committed = db.data;
        for (const name of staged.appends.keys()) {
          try {
            logs.get(name)?.trim();
          } catch {
            // The records are committed; the oldest segments go at the next append.
          }
        }
        return staged.result;
      };
      const next = queue.then(run, run);
      queue = next.catch(() => undefined);
      return next;
    },
  };

  /** Puts the previous document back after its records could not be appended (see Store.update). */
  function undoDocument(previous: S, written: S, cause: unknown): void {
    try {
      writeFileAtomic(file, committedText);
      db.data = previous;
    } catch (e) {
      // The disk keeps the new document: so does memory, and the caller hears that the change stands.
      db.data = written;
      committed = written;
      committedText = serializeDocument(written);
      throw new Error(
        `could not append to a log (${(cause as Error).message}) nor write the previous document back ` +
          `(${(e as Error).message}): the change stands without its log records`,
        { cause: e },
      );
    }
  }

  return { store, created, ...(migratedFrom ? { migratedFrom } : {}) };
}

/** The records a migration moves into logs, each validated with its log's schema (before anything is written). */
function validateMovedRecords<S, L extends LogMap>(
  file: string,
  definition: StoreDefinition<S, L>,
  moved: Record<string, unknown[]>,
): Record<string, unknown[]> {
  const valid: Record<string, unknown[]> = {};
  for (const [name, records] of Object.entries(moved)) {
    const log = definition.logs.get(name);
    if (!log) throw new Error(`a migration moves records into the log "${name}", which no slice declares`);
    valid[name] = records.map((record, i) => {
      const parsed = log.schema.safeParse(record);
      if (!parsed.success) {
        throw new FatalStartupError(
          `store file ${file}: record ${i} moving into the log ${name} is invalid: ${formatFirstIssue(parsed.error)}`,
          'restore it from a backup or fix it by hand; Gatehouse did not change it',
        );
      }
      return parsed.data;
    });
  }
  return valid;
}

function openLogs<S, L extends LogMap>(
  dataDir: string,
  definition: StoreDefinition<S, L>,
  moved: Record<string, unknown[]>,
): Map<string, SegmentLog<unknown>> {
  const root = path.join(dataDir, logsDirName);
  const logs = new Map<string, SegmentLog<unknown>>();
  try {
    if (definition.logs.size > 0) {
      fs.mkdirSync(root, { recursive: true, mode: 0o700 });
      fs.chmodSync(root, 0o700);
    }
    for (const [name, log] of definition.logs) {
      const opened = openSegmentLog(root, log);
      const records = moved[name];
      if (records !== undefined) opened.replaceAll(records);
      logs.set(name, opened);
    }
  } catch (e) {
    throw new FatalStartupError(
      `cannot open the store's logs in ${root}: ${(e as Error).message}`,
      undefined,
      {
        cause: e,
      },
    );
  }
  return logs;
}

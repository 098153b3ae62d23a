/**
 * @module Store port: one consistent document in memory, changed only by serialized, validated, atomic updates,
 * and append-only logs beside it whose records are written in the same transaction as the change that causes them.
 */
import type { LogMap, LogReader } from './log.js';
import type { State, StoreLogs } from './schema.js';

/** Collects the log records of one update; they are written only if the update commits (see Store.update). */
export interface Transaction<L extends LogMap = StoreLogs> {
  /**
   * Queues `record` for the log `log`. The record is validated here (its log's schema, and the store's record
   * check, e.g. that an audit type is registered): a bad record throws, which fails the whole update.
   */
  append<N extends keyof L & string>(log: N, record: L[N]): void;
}

export interface Store<S = State, L extends LogMap = StoreLogs> {
  /** The last committed document. Callers must not mutate it; use update(). */
  read(): Readonly<S>;
  /**
   * Runs one transaction. The contract, step by step:
   *
   * 1. `change` runs on a private copy of the document (`draft`) and may queue log records with `tx.append`.
   * 2. The draft is validated against the document schema; each record was validated when it was queued.
   * 3. If the draft differs from the committed document, it is written atomically (temporary file, fsync, rename,
   *    directory fsync). An unchanged draft writes nothing (an update that only appends costs no document write).
   * 4. The queued records are appended to their logs, in call order, and fsynced.
   * 5. Only then do read() and log() show the new document and records; then the promise resolves.
   *
   * If `change` throws, validation fails, or a write fails, the promise rejects and neither the document nor any
   * log changes: a failed append writes the previous document back and cuts its own partial bytes off. Updates
   * run one at a time in call order (one writer queue for the document and every log). A crash after step 3 keeps
   * the change and loses that update's records; a crash inside step 4 loses at most the record being written
   * (a torn last line is dropped at the next start), never the log.
   */
  update<R>(change: (draft: S, tx: Transaction<L>) => R): Promise<R>;
  /** Reads one log (committed records only). */
  log<N extends keyof L & string>(name: N): LogReader<L[N]>;
  /** File backing the document, for messages. */
  readonly location: string;
}

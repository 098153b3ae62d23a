/**
 * @module Append-only logs beside the store's document (audit events, address history, alert deliveries, …): what a
 * log is (name, record schema, rotation, retention) and how it is read. The segment files are `segment-log.ts`.
 */
import type { z } from 'zod';

export interface LogLimits {
  /**
   * Retention: readers see at most the newest `records` records. Segments on disk are dropped whole, only while
   * the rest still holds `records`, so the files keep between `records` and `records + segmentRecords` of them.
   */
  readonly records: number;
  /** Rotation: a segment is closed when it holds this many records … */
  readonly segmentRecords: number;
  /** … or this many bytes (whichever comes first; one record larger than this still fits alone). */
  readonly segmentBytes: number;
}

export interface LogDefinition<N extends string = string, T = unknown> {
  /** `<owner>.<what>` or a single word, e.g. `audit`, `reach.history`; also the log's directory name. */
  readonly name: N;
  /** Validates a record when it is appended and when it is read back from disk. */
  readonly schema: z.ZodType<T>;
  readonly limits: LogLimits;
}

/** A log definition of any name and record type, for lists of them. */
export type AnyLogDefinition = LogDefinition<string, never> | LogDefinition;

const logNamePattern = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/** Segments of at most 1 MiB: the newest one is read at start-up and kept in memory. */
export const defaultSegmentBytes = 1024 * 1024;

export function defineLog<const N extends string, S extends z.ZodType>(input: {
  readonly name: N;
  readonly schema: S;
  /** Keep (at least) this many newest records. */
  readonly retention: number;
  /** Records per segment (default: a tenth of the retention, between 1 and 1000). */
  readonly segmentRecords?: number;
  readonly segmentBytes?: number;
}): LogDefinition<N, z.output<S>> {
  if (!logNamePattern.test(input.name)) throw new Error(`log name "${input.name}" is not <word>[.<word>…]`);
  const positive = (what: string, n: number) => {
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`log ${input.name}: ${what} must be a positive integer`);
    return n;
  };
  const records = positive('retention', input.retention);
  return {
    name: input.name,
    schema: input.schema as z.ZodType<z.output<S>>,
    limits: {
      records,
      segmentRecords: positive(
        'segmentRecords',
        input.segmentRecords ?? Math.min(1000, Math.max(1, Math.ceil(records / 10))),
      ),
      segmentBytes: positive('segmentBytes', input.segmentBytes ?? defaultSegmentBytes),
    },
  };
}

/** The same log with other limits (benchmarks and tests that want small segments or a long retention). */
export function withLimits<N extends string, T>(
  log: LogDefinition<N, T>,
  limits: Partial<LogLimits>,
): LogDefinition<N, T> {
  return { ...log, limits: { ...log.limits, ...limits } };
}

/**
 * Reading a log. Records come newest first and never more than the log's retention. Reads are synchronous: the
 * newest segment is held in memory, older ones are read from disk only as far as the caller iterates.
 */
export interface LogReader<T> {
  /** Newest first, lazily: stopping the iteration early reads no older segment. */
  newestFirst(): Iterable<T>;
  /** The newest `count` records, newest first. */
  newest(count: number): T[];
  /** How many records a full read would give (at most the retention). */
  count(): number;
}

/** Record type of each log, by name: `{ audit: AuditEvent; 'reach.history': AddressChange; … }`. */
export type LogMap = Record<string, unknown>;

/** Every retained record, oldest first: for small logs, the CLI and tests (a large log is better read lazily). */
export function readAll<T>(log: LogReader<T>): T[] {
  return [...log.newestFirst()].reverse();
}

/**
 * @module node:fs adapter for one append-only log: JSON-lines segment files (0600, in a 0700 directory) named by the
 * sequence number of their first record, rotated by size and count, dropped whole for retention.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LogDefinition, LogReader } from './log.js';

const segmentPattern = /^(\d{12})\.jsonl$/;
const segmentName = (first: number) => `${String(first).padStart(12, '0')}.jsonl`;

/** The appended bytes of one log in one update, written and fsynced but not yet visible to readers. */
export interface PendingAppend {
  /** Makes the records visible. */
  commit(): void;
  /** Takes the bytes back off (a later step of the same update failed). */
  rollback(): void;
}

export interface SegmentLog<T> extends LogReader<T> {
  /**
   * Writes the records (already validated) to the newest segment, opening new segments as the limits say, and
   * fsyncs them. On failure nothing stays appended and the error is rethrown.
   */
  append(records: readonly T[]): PendingAppend;
  /** Drops the oldest segments that retention no longer needs. */
  trim(): void;
  /** Replaces every record (a migration moving records in): the old segments go, these are written. */
  replaceAll(records: readonly T[]): void;
}

interface Active {
  readonly first: number;
  /** Bytes of complete lines in the file. */
  bytes: number;
  lines: number;
  /** The segment's valid records, oldest first: the newest ones are read from memory. */
  records: T[];
}
type T = unknown;

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) offset += fs.writeSync(fd, buffer, offset, buffer.length - offset);
}

/**
 * Opens (creating) the log's directory `<root>/<name>`. Reads only the newest segment: a last line cut short by a
 * crash is cut off (that one record is lost, never the log); older segments are read when a reader reaches them.
 */
export function openSegmentLog<R>(root: string, definition: LogDefinition<string, R>): SegmentLog<R> {
  const dir = path.join(root, definition.name);
  const { limits, schema } = definition;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);

  const parseLines = (text: string): { lines: number; records: T[] } => {
    const records: T[] = [];
    let lines = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      lines++;
      // A line that is not a valid record (damaged by hand or by the disk) is skipped, not fatal.
      try {
        const parsed = schema.safeParse(JSON.parse(line));
        if (parsed.success) records.push(parsed.data);
      } catch {
        // not JSON
      }
    }
    return { lines, records };
  };

  let segments: number[] = [];
  let active: Active | undefined;
  let nextSeq = 0;
  /** Recently read older segments (immutable once closed), newest read last. */
  const cache = new Map<number, T[]>();

  function load(): void {
    segments = fs
      .readdirSync(dir)
      .flatMap((name) => {
        const m = segmentPattern.exec(name);
        return m?.[1] === undefined ? [] : [Number(m[1])];
      })
      .sort((a, b) => a - b);
    cache.clear();
    active = undefined;
    nextSeq = 0;
    for (const first of segments) {
      const file = path.join(dir, segmentName(first));
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    }
    const last = segments.at(-1);
    if (last === undefined) return;
    const file = path.join(dir, segmentName(last));
    const buffer = fs.readFileSync(file);
    const complete = buffer.lastIndexOf(0x0a) + 1;
    if (complete < buffer.length) {
      // A torn last line: the process died while appending it.
      fs.truncateSync(file, complete);
    }
    const { lines, records } = parseLines(buffer.subarray(0, complete).toString('utf8'));
    active = { first: last, bytes: complete, lines, records };
    nextSeq = last + lines;
  }

  function readSegment(first: number): T[] {
    if (active?.first === first) return active.records;
    const cached = cache.get(first);
    if (cached) return cached;
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, segmentName(first)), 'utf8');
    } catch (e) {
      // Dropped by retention while a reader was still walking back: nothing older to read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const { records } = parseLines(text);
    cache.set(first, records);
    if (cache.size > 2) cache.delete(cache.keys().next().value ?? first);
    return records;
  }

  function* newestFirst(): Generator {
    let left = limits.records;
    const order = [...segments].reverse();
    for (const first of order) {
      const records = readSegment(first);
      for (let i = records.length - 1; i >= 0; i--) {
        if (left-- <= 0) return;
        yield records[i];
      }
    }
  }

  load();

  const log: SegmentLog<T> = {
    newestFirst,
    newest(count) {
      const out: T[] = [];
      if (count <= 0) return out;
      for (const record of newestFirst()) {
        out.push(record);
        if (out.length >= count) break;
      }
      return out;
    },
    count() {
      const oldest = segments[0];
      return oldest === undefined ? 0 : Math.min(limits.records, nextSeq - oldest);
    },
    append(records) {
      // Bytes a failed append could not take back are cut before anything is written — also when this append
      // goes to a new segment, or they would stay in a closed one and be read as records after a restart.
      if (active) {
        const file = path.join(dir, segmentName(active.first));
        if (fs.statSync(file).size !== active.bytes) fs.truncateSync(file, active.bytes);
      }
      // Plan the writes: which segment each line goes to, opening new ones as the limits say.
      const writes: { first: number; text: string; lines: number; records: T[]; fresh: boolean }[] = [];
      let target = active
        ? {
            first: active.first,
            text: '',
            lines: active.lines,
            bytes: active.bytes,
            records: [] as T[],
            fresh: false,
          }
        : undefined;
      let seq = nextSeq;
      for (const record of records) {
        const line = `${JSON.stringify(record)}\n`;
        const size = Buffer.byteLength(line);
        if (
          target === undefined ||
          target.lines >= limits.segmentRecords ||
          (target.bytes > 0 && target.bytes + size > limits.segmentBytes)
        ) {
          if (target && target.text !== '') writes.push(target);
          target = { first: seq, text: '', lines: 0, bytes: 0, records: [], fresh: true };
        }
        target.text += line;
        target.lines++;
        target.bytes += size;
        target.records.push(record);
        seq++;
      }
      if (target && target.text !== '') writes.push(target);

      const before = active ? { bytes: active.bytes } : undefined;
      const created: number[] = [];
      const undoFiles = () => {
        for (const first of created) fs.rmSync(path.join(dir, segmentName(first)), { force: true });
        if (active && before) {
          try {
            fs.truncateSync(path.join(dir, segmentName(active.first)), before.bytes);
          } catch {
            // The next append checks the size and cuts again.
          }
        }
      };
      try {
        for (const w of writes) {
          const file = path.join(dir, segmentName(w.first));
          if (w.fresh) created.push(w.first);
          const fd = fs.openSync(file, w.fresh ? 'wx' : 'a', 0o600);
          try {
            writeAll(fd, w.text);
            fs.fsyncSync(fd);
          } finally {
            fs.closeSync(fd);
          }
        }
        if (created.length > 0) fsyncDir(dir);
      } catch (e) {
        undoFiles();
        throw e;
      }
      let done = false;
      return {
        commit() {
          if (done) return;
          done = true;
          for (const w of writes) {
            if (w.fresh) {
              segments.push(w.first);
              if (active) cache.set(active.first, active.records);
              if (cache.size > 2) cache.delete(cache.keys().next().value ?? w.first);
              active = { first: w.first, bytes: 0, lines: 0, records: [] };
            }
            const a = active as Active;
            a.bytes += Buffer.byteLength(w.text);
            a.lines += w.lines;
            a.records.push(...w.records);
          }
          nextSeq = seq;
        },
        rollback() {
          if (done) return;
          done = true;
          undoFiles();
        },
      };
    },
    trim() {
      let dropped = false;
      // Drop the oldest segment while the rest still holds the retention (never the newest one).
      while (segments.length > 1) {
        const oldest = segments[0] as number;
        const second = segments[1] as number;
        if (nextSeq - second < limits.records) break;
        fs.rmSync(path.join(dir, segmentName(oldest)), { force: true });
        cache.delete(oldest);
        segments.shift();
        dropped = true;
      }
      if (dropped) fsyncDir(dir);
    },
    replaceAll(records) {
      for (const first of segments) fs.rmSync(path.join(dir, segmentName(first)), { force: true });
      fsyncDir(dir);
      load();
      log.append(records).commit();
      log.trim();
    },
  };
  return log as SegmentLog<R>;
}

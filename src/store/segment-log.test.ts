import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineLog, type LogDefinition } from './log.js';
import { openSegmentLog } from './segment-log.js';

type Rec = { n: number; pad?: string };
const schema = z.object({ n: z.number().int(), pad: z.string().optional() }).strict();
const small = defineLog({ name: 'test.events', schema, retention: 5, segmentRecords: 2 });

let root: string;
const dirOf = (log: LogDefinition = small) => path.join(root, log.name);
const files = (log: LogDefinition = small) => fs.readdirSync(dirOf(log)).sort();
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const ns = (records: Iterable<Rec>) => [...records].map((r) => r.n);
const recs = (...n: number[]): Rec[] => n.map((x) => ({ n: x }));

function appendEach(log: ReturnType<typeof openSegmentLog<Rec>>, ...n: number[]): void {
  for (const x of n) {
    log.append([{ n: x }]).commit();
    log.trim();
  }
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-log-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('segment log', () => {
  it('appends records, reads them newest first, and finds them again after a reopen', () => {
    const log = openSegmentLog<Rec>(root, small);
    expect(ns(log.newestFirst())).toEqual([]);
    expect(log.count()).toBe(0);
    log.append(recs(1, 2, 3)).commit();
    expect(ns(log.newestFirst())).toEqual([3, 2, 1]);
    expect(ns(log.newest(2))).toEqual([3, 2]);
    expect(ns(log.newest(0))).toEqual([]);
    expect(log.count()).toBe(3);
    const again = openSegmentLog<Rec>(root, small);
    expect(ns(again.newestFirst())).toEqual([3, 2, 1]);
    expect(again.count()).toBe(3);
  });

  it('keeps its files 0600 in a 0700 directory, and tightens them when loosened by hand', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(1, 2, 3)).commit();
    expect(mode(dirOf())).toBe(0o700);
    for (const f of files()) expect(mode(path.join(dirOf(), f))).toBe(0o600);
    fs.chmodSync(dirOf(), 0o755);
    fs.chmodSync(path.join(dirOf(), files()[0] ?? ''), 0o644);
    openSegmentLog<Rec>(root, small);
    expect(mode(dirOf())).toBe(0o700);
    for (const f of files()) expect(mode(path.join(dirOf(), f))).toBe(0o600);
  });

  it.each([
    // [records appended one at a time, segment files (named by their first record's sequence number)]
    [1, ['000000000000.jsonl']],
    [2, ['000000000000.jsonl']],
    [3, ['000000000000.jsonl', '000000000002.jsonl']],
    [5, ['000000000000.jsonl', '000000000002.jsonl', '000000000004.jsonl']],
    [6, ['000000000000.jsonl', '000000000002.jsonl', '000000000004.jsonl']],
    // Retention 5: the oldest segment goes once the others hold 5 records.
    [7, ['000000000002.jsonl', '000000000004.jsonl', '000000000006.jsonl']],
    [8, ['000000000002.jsonl', '000000000004.jsonl', '000000000006.jsonl']],
    [9, ['000000000004.jsonl', '000000000006.jsonl', '000000000008.jsonl']],
    [11, ['000000000006.jsonl', '000000000008.jsonl', '000000000010.jsonl']],
  ])(
    'rotates every 2 records and drops whole segments beyond the retention: %i appends',
    (count, expected) => {
      const log = openSegmentLog<Rec>(root, small);
      appendEach(log, ...Array.from({ length: count }, (_, i) => i));
      expect(files()).toEqual(expected);
      // Readers see exactly the newest 5 (the retention), however many the files still hold.
      const newest = Array.from({ length: Math.min(count, 5) }, (_, i) => count - 1 - i);
      expect(ns(log.newestFirst())).toEqual(newest);
      expect(log.count()).toBe(newest.length);
      expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual(newest);
    },
  );

  it('rotates in the middle of one batch, and by size before count', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1, 2, 3, 4)).commit();
    expect(files()).toEqual(['000000000000.jsonl', '000000000002.jsonl', '000000000004.jsonl']);
    const bySize = defineLog({
      name: 'test.big',
      schema,
      retention: 100,
      segmentRecords: 50,
      segmentBytes: 100,
    });
    const big = openSegmentLog<Rec>(root, bySize);
    const pad = 'x'.repeat(30); // each line is 48 bytes: two fit in 100
    big.append([0, 1, 2, 3, 4].map((n) => ({ n, pad }))).commit();
    expect(files(bySize)).toEqual(['000000000000.jsonl', '000000000002.jsonl', '000000000004.jsonl']);
    // A record bigger than a whole segment still goes in, alone.
    big.append([{ n: 5, pad: 'y'.repeat(200) }, { n: 6 }]).commit();
    expect(files(bySize).slice(-2)).toEqual(['000000000005.jsonl', '000000000006.jsonl']);
    expect(ns(big.newestFirst())).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });

  it('drops a last line torn by a crash: that one record is lost, never the log, and appending goes on', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1, 2)).commit();
    const last = path.join(dirOf(), '000000000002.jsonl');
    fs.appendFileSync(last, '{"n":3,"pa');
    const reopened = openSegmentLog<Rec>(root, small);
    expect(ns(reopened.newestFirst())).toEqual([2, 1, 0]);
    expect(fs.readFileSync(last, 'utf8')).toBe('{"n":2}\n');
    reopened.append(recs(3)).commit();
    expect(fs.readFileSync(last, 'utf8')).toBe('{"n":2}\n{"n":3}\n');
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([3, 2, 1, 0]);
  });

  it.each([
    ['a torn first line of a fresh segment', '{"n":', ['000000000002.jsonl'], ''],
    ['zeros the disk left after a power cut', '\0\0\0\0', ['000000000002.jsonl'], ''],
  ])('recovers from %s', (_name, tail, lastFiles, content) => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1)).commit();
    fs.writeFileSync(path.join(dirOf(), '000000000002.jsonl'), tail, { mode: 0o600 });
    const reopened = openSegmentLog<Rec>(root, small);
    expect(files().slice(1)).toEqual(lastFiles);
    expect(fs.readFileSync(path.join(dirOf(), '000000000002.jsonl'), 'utf8')).toBe(content);
    reopened.append(recs(2)).commit();
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([2, 1, 0]);
  });

  it('skips a damaged line in the middle of a segment instead of failing', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1, 2)).commit();
    fs.writeFileSync(path.join(dirOf(), '000000000000.jsonl'), '{"n":0}\nnot json\n', { mode: 0o600 });
    fs.appendFileSync(path.join(dirOf(), '000000000002.jsonl'), '{"n":"three"}\n');
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([2, 0]);
  });

  it('reads only the newest segment at start, and older ones only when a reader goes that far back', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1, 2, 3, 4)).commit();
    // An older segment that cannot be read at all (a directory where its file was).
    fs.rmSync(path.join(dirOf(), '000000000000.jsonl'));
    fs.mkdirSync(path.join(dirOf(), '000000000000.jsonl'));
    const reopened = openSegmentLog<Rec>(root, small);
    expect(ns(reopened.newest(3))).toEqual([4, 3, 2]);
    expect(() => reopened.newest(5)).toThrow(/EISDIR/);
  });

  it('a reader that walks back while retention drops old segments just ends early', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1, 2, 3, 4)).commit();
    const reader = log.newestFirst()[Symbol.iterator]();
    expect(reader.next().value).toEqual({ n: 4 });
    log.append(recs(5, 6)).commit();
    log.trim();
    expect(files()[0]).toBe('000000000002.jsonl');
    const rest: number[] = [];
    for (let r = reader.next(); !r.done; r = reader.next()) rest.push(r.value.n);
    expect(rest).toEqual([3, 2]);
  });

  it('rollback takes an append back: bytes cut off, new segments removed, readers never saw it', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0)).commit();
    const before = fs.readFileSync(path.join(dirOf(), '000000000000.jsonl'), 'utf8');
    const pending = log.append(recs(1, 2, 3));
    expect(files()).toEqual(['000000000000.jsonl', '000000000002.jsonl']);
    expect(ns(log.newestFirst())).toEqual([0]);
    pending.rollback();
    pending.commit(); // too late: a settled append stays settled
    expect(files()).toEqual(['000000000000.jsonl']);
    expect(fs.readFileSync(path.join(dirOf(), '000000000000.jsonl'), 'utf8')).toBe(before);
    expect(ns(log.newestFirst())).toEqual([0]);
    log.append(recs(1)).commit();
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([1, 0]);
  });

  it('a failed append leaves nothing behind and the log still works', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1)).commit();
    // The next segment's name is taken by a directory: opening it fails after the first segment was full.
    fs.mkdirSync(path.join(dirOf(), '000000000002.jsonl'));
    expect(() => log.append(recs(2, 3))).toThrow();
    fs.rmdirSync(path.join(dirOf(), '000000000002.jsonl'));
    expect(ns(log.newestFirst())).toEqual([1, 0]);
    log.append(recs(2)).commit();
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([2, 1, 0]);
  });

  it('cuts bytes a failed append could not take back before writing on', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0)).commit();
    fs.appendFileSync(path.join(dirOf(), '000000000000.jsonl'), '{"n":99');
    log.append(recs(1)).commit();
    expect(fs.readFileSync(path.join(dirOf(), '000000000000.jsonl'), 'utf8')).toBe('{"n":0}\n{"n":1}\n');
  });

  it('cuts them also when the next append opens a new segment, so no restart reads them as records', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(0, 1)).commit(); // the segment is full (2 records): the next append opens another
    fs.appendFileSync(path.join(dirOf(), '000000000000.jsonl'), '{"n":98}\n{"n":99}\n');
    log.append(recs(2)).commit();
    expect(fs.readFileSync(path.join(dirOf(), '000000000000.jsonl'), 'utf8')).toBe('{"n":0}\n{"n":1}\n');
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([2, 1, 0]);
  });

  it('replaceAll puts a migration’s records in place of whatever was there', () => {
    const log = openSegmentLog<Rec>(root, small);
    log.append(recs(7, 8, 9)).commit();
    log.replaceAll(recs(0, 1, 2, 3, 4, 5, 6));
    expect(ns(log.newestFirst())).toEqual([6, 5, 4, 3, 2]);
    expect(files()).toEqual(['000000000002.jsonl', '000000000004.jsonl', '000000000006.jsonl']);
    expect(ns(openSegmentLog<Rec>(root, small).newestFirst())).toEqual([6, 5, 4, 3, 2]);
  });
});

describe('defineLog', () => {
  it('derives segment sizes from the retention', () => {
    expect(defineLog({ name: 'a', schema, retention: 10_000 }).limits).toEqual({
      records: 10_000,
      segmentRecords: 1000,
      segmentBytes: 1024 * 1024,
    });
    expect(defineLog({ name: 'a.b-c', schema, retention: 500 }).limits.segmentRecords).toBe(50);
    expect(defineLog({ name: 'a', schema, retention: 3 }).limits.segmentRecords).toBe(1);
  });

  it.each([
    [{ name: 'Audit', retention: 1 }, 'is not <word>'],
    [{ name: 'a..b', retention: 1 }, 'is not <word>'],
    [{ name: 'a/b', retention: 1 }, 'is not <word>'],
    [{ name: 'a', retention: 0 }, 'retention must be a positive integer'],
    [{ name: 'a', retention: 1, segmentRecords: 1.5 }, 'segmentRecords must be'],
    [{ name: 'a', retention: 1, segmentBytes: 0 }, 'segmentBytes must be'],
  ])('refuses %j', (input, message) => {
    expect(() => defineLog({ schema, ...input })).toThrow(message);
  });
});

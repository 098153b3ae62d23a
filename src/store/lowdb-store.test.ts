import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeClock } from '../../test/fakes/clock.js';
import { FatalStartupError } from '../core/errors.js';
import { defineStore } from './define-store.js';
import { gatehouseStore } from './document.js';
import { defineLog } from './log.js';
import { openLowdbStore, readStoreSnapshot, storeFileName } from './lowdb-store.js';
import { migrateV1ToV2, migrateV2ToV3, type MigrationStep } from './migrations.js';
import { defineSlice } from './slice.js';

const notesLog = defineLog({
  name: 'notes',
  schema: z.object({ text: z.string().min(1) }).strict(),
  retention: 4,
  segmentRecords: 2,
});
const otherLog = defineLog({
  name: 'other.log',
  schema: z.object({ n: z.number() }).strict(),
  retention: 10,
});
const testSlice = defineSlice({
  owner: 'test',
  shape: { settings: z.object({ name: z.string().min(1) }).strict() },
  empty: () => ({ settings: { name: 'new' } }),
  logs: [notesLog, otherLog],
});
/** Version 2 moved the old `notes` list out of the document into the notes log. */
const moveNotes: MigrationStep = {
  to: 2,
  owner: 'test',
  summary: 'notes move into their log',
  up: ({ notes, ...doc }) => ({ ok: true, doc, logs: { notes: notes as unknown[] } }),
};
const definition = defineStore([testSlice], [moveNotes]);

let dir: string;
const clock = new FakeClock('2026-02-01T00:00:00.000Z');
const mode = (p: string) => fs.statSync(p).mode & 0o777;
const texts = (records: Iterable<{ text: string }>) => [...records].map((r) => r.text);
const open = (checkRecord?: (log: string, record: unknown) => void) =>
  openLowdbStore(dir, clock, { definition, ...(checkRecord ? { checkRecord } : {}) });
const docOnDisk = () => fs.readFileSync(path.join(dir, storeFileName), 'utf8');
const segmentsOf = (log: string) => fs.readdirSync(path.join(dir, 'logs', log)).sort();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('lowdb store with logs', () => {
  it('commits the document change and its log records together, and finds both after a reopen', async () => {
    const { store, created } = await open();
    expect(created).toBe(true);
    const result = await store.update((d, tx) => {
      d.settings.name = 'Cabin';
      tx.append('notes', { text: 'renamed' });
      tx.append('other.log', { n: 1 });
      tx.append('notes', { text: 'twice' });
      return 'done';
    });
    expect(result).toBe('done');
    expect(store.read().settings.name).toBe('Cabin');
    expect(texts(store.log('notes').newestFirst())).toEqual(['twice', 'renamed']);
    const again = (await open()).store;
    expect(again.read().settings.name).toBe('Cabin');
    expect(texts(again.log('notes').newestFirst())).toEqual(['twice', 'renamed']);
    expect(again.log('other.log').newest(5)).toEqual([{ n: 1 }]);
  });

  it('keeps the document and every log file 0600, the logs directories 0700', async () => {
    const { store } = await open();
    await store.update((_d, tx) => tx.append('notes', { text: 'a' }));
    expect(mode(store.location)).toBe(0o600);
    expect(mode(path.join(dir, 'logs'))).toBe(0o700);
    expect(mode(path.join(dir, 'logs', 'notes'))).toBe(0o700);
    expect(mode(path.join(dir, 'logs', 'notes', '000000000000.jsonl'))).toBe(0o600);
  });

  it('an update that only appends does not write the document; one that changes nothing writes nothing', async () => {
    const { store } = await open();
    const before = fs.statSync(store.location);
    await store.update((_d, tx) => tx.append('notes', { text: 'a' }));
    await store.update((d) => {
      d.settings.name = 'new';
    });
    const after = fs.statSync(store.location);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(store.log('notes').count()).toBe(1);
  });

  it.each([
    [
      'the change throws after appending',
      (d: { settings: { name: string } }, tx: { append(l: 'notes', r: { text: string }): void }) => {
        d.settings.name = 'half-done';
        tx.append('notes', { text: 'never' });
        throw new Error('boom');
      },
      /boom/,
    ],
    [
      'the document is invalid',
      (d: { settings: { name: string } }, tx: { append(l: 'notes', r: { text: string }): void }) => {
        tx.append('notes', { text: 'never' });
        d.settings.name = '';
      },
      /refusing to write an invalid state: settings\.name/,
    ],
    [
      'a record is invalid',
      (d: { settings: { name: string } }, tx: { append(l: 'notes', r: { text: string }): void }) => {
        d.settings.name = 'half-done';
        tx.append('notes', { text: '' });
      },
      /refusing an invalid notes record: text/,
    ],
    [
      'a record goes to a log nobody declared',
      (d: { settings: { name: string } }, tx: { append(l: 'notes', r: { text: string }): void }) => {
        d.settings.name = 'half-done';
        (tx.append as (l: string, r: unknown) => void)('nowhere', { text: 'x' });
      },
      /no log named "nowhere"/,
    ],
    [
      'the record check refuses a record',
      (d: { settings: { name: string } }, tx: { append(l: 'notes', r: { text: string }): void }) => {
        d.settings.name = 'half-done';
        tx.append('notes', { text: 'forbidden' });
      },
      /forbidden is not allowed/,
    ],
  ])('writes neither the document nor any record when %s', async (_name, change, message) => {
    const { store } = await open((_log, record) => {
      if ((record as { text?: string }).text === 'forbidden') throw new Error('forbidden is not allowed');
    });
    await store.update((_d, tx) => tx.append('notes', { text: 'before' }));
    const before = docOnDisk();
    await expect(store.update(change)).rejects.toThrow(message);
    expect(store.read().settings.name).toBe('new');
    expect(docOnDisk()).toBe(before);
    expect(texts(store.log('notes').newestFirst())).toEqual(['before']);
    expect(texts((await open()).store.log('notes').newestFirst())).toEqual(['before']);
    // The queue goes on.
    await store.update((d, tx) => {
      d.settings.name = 'ok';
      tx.append('notes', { text: 'after' });
    });
    expect(texts(store.log('notes').newestFirst())).toEqual(['after', 'before']);
  });

  it('refuses an append after the change has returned (an async change)', async () => {
    const { store } = await open();
    let late: Promise<void> | undefined;
    await store.update((_d, tx) => {
      late = Promise.resolve().then(() => tx.append('notes', { text: 'late' }));
    });
    await expect(late).rejects.toThrow(/after the update's change returned/);
    expect(store.log('notes').count()).toBe(0);
  });

  it('a failed append undoes the document write and the other logs’ appends', async () => {
    const { store } = await open();
    await store.update((_d, tx) => tx.append('notes', { text: 'kept' }));
    await store.update((_d, tx) => tx.append('notes', { text: 'full' }));
    const before = docOnDisk();
    // notes' next segment cannot be created: its name is taken by a directory.
    fs.mkdirSync(path.join(dir, 'logs', 'notes', '000000000002.jsonl'));
    await expect(
      store.update((d, tx) => {
        d.settings.name = 'lost';
        tx.append('other.log', { n: 1 });
        tx.append('notes', { text: 'lost' });
      }),
    ).rejects.toThrow(/could not append to the log notes: .*; nothing was changed/);
    expect(store.read().settings.name).toBe('new');
    expect(docOnDisk()).toBe(before);
    expect(store.log('other.log').count()).toBe(0);
    expect(segmentsOf('other.log')).toEqual([]);
    fs.rmdirSync(path.join(dir, 'logs', 'notes', '000000000002.jsonl'));
    const reopened = (await open()).store;
    expect(reopened.read().settings.name).toBe('new');
    expect(texts(reopened.log('notes').newestFirst())).toEqual(['full', 'kept']);
    expect(reopened.log('other.log').count()).toBe(0);
  });

  it('readers never see a change whose records then fail to append (it is rolled back)', async () => {
    const { store } = await open();
    await store.update((_d, tx) => tx.append('notes', { text: 'kept' }));
    await store.update((_d, tx) => tx.append('notes', { text: 'full' }));
    fs.mkdirSync(path.join(dir, 'logs', 'notes', '000000000002.jsonl'));
    const updating = store.update((d, tx) => {
      d.settings.name = 'lost';
      tx.append('notes', { text: 'lost' });
    });
    // Read at every turn of the event loop's microtask queue while the update writes and fails.
    const seen = new Set<string>();
    const state = { done: false };
    void updating.catch(() => undefined).finally(() => (state.done = true));
    while (!state.done) {
      seen.add(store.read().settings.name);
      await Promise.resolve();
    }
    await expect(updating).rejects.toThrow(/nothing was changed/);
    expect([...seen]).toEqual(['new']);
  });

  it('a failed document write appends nothing', async () => {
    const { store } = await open();
    // The store file's name is taken by a directory: the rename fails.
    fs.rmSync(store.location);
    fs.mkdirSync(store.location);
    fs.writeFileSync(path.join(store.location, 'x'), 'x');
    await expect(
      store.update((d, tx) => {
        d.settings.name = 'lost';
        tx.append('notes', { text: 'lost' });
      }),
    ).rejects.toThrow(/could not write/);
    expect(store.read().settings.name).toBe('new');
    expect(store.log('notes').count()).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('runs concurrent updates one at a time: records keep the call order', async () => {
    const { store } = await open();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        store.update((d, tx) => {
          d.settings.name = `n${i}`;
          tx.append('other.log', { n: i });
        }),
      ),
    );
    expect(
      store
        .log('other.log')
        .newest(30)
        .map((r) => r.n),
    ).toEqual(Array.from({ length: 10 }, (_, i) => 29 - i));
    expect(store.read().settings.name).toBe('n29');
  });

  it('applies the retention as records are appended', async () => {
    const { store } = await open();
    for (const text of ['a', 'b', 'c', 'd', 'e', 'f', 'g'])
      await store.update((_d, tx) => tx.append('notes', { text }));
    expect(texts(store.log('notes').newestFirst())).toEqual(['g', 'f', 'e', 'd']);
    expect(segmentsOf('notes')).toEqual(['000000000002.jsonl', '000000000004.jsonl', '000000000006.jsonl']);
  });

  it('names the log when asked for one that does not exist', async () => {
    const { store } = await open();
    expect(() => (store.log as (n: string) => unknown)('nowhere')).toThrow(
      'the store has no log named "nowhere"',
    );
  });
});

describe('migrations that move records into logs', () => {
  const v1 = {
    version: 1,
    instanceId: 'i',
    createdAt: '2025-01-01T00:00:00.000Z',
    settings: { name: 'old' },
  };

  it('backs the old file up, writes the moved records into their log, then the new document', async () => {
    const original = JSON.stringify({ ...v1, notes: [{ text: 'one' }, { text: 'two' }] });
    fs.writeFileSync(path.join(dir, storeFileName), original, { mode: 0o600 });
    const opened = await open();
    expect(opened.migratedFrom).toEqual({
      version: 1,
      backup: path.join(dir, 'gatehouse.json.v1.2026-02-01T00-00-00-000Z.bak'),
    });
    expect(fs.readFileSync(opened.migratedFrom?.backup ?? '', 'utf8')).toBe(original);
    expect(mode(opened.migratedFrom?.backup ?? '')).toBe(0o600);
    expect(JSON.parse(docOnDisk())).toEqual({ ...v1, version: 2 });
    expect(texts(opened.store.log('notes').newestFirst())).toEqual(['two', 'one']);
    expect(readStoreSnapshot(dir, { definition })?.settings.name).toBe('old');
  });

  it('replaces what an interrupted migration left in the logs (the old document is still the truth)', async () => {
    fs.writeFileSync(path.join(dir, storeFileName), JSON.stringify({ ...v1, notes: [{ text: 'one' }] }), {
      mode: 0o600,
    });
    // A first attempt died after writing its records but before the new document: they are there already.
    fs.mkdirSync(path.join(dir, 'logs', 'notes'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'logs', 'notes', '000000000000.jsonl'), '{"text":"one"}\n');
    const { store } = await open();
    expect(texts(store.log('notes').newestFirst())).toEqual(['one']);
  });

  it('refuses a document whose moved records are invalid, before writing anything', async () => {
    const text = JSON.stringify({ ...v1, notes: [{ text: 'fine' }, { text: 42 }] });
    fs.writeFileSync(path.join(dir, storeFileName), text, { mode: 0o600 });
    const error = await open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FatalStartupError);
    expect((error as Error).message).toMatch(/record 1 moving into the log notes is invalid: text/);
    expect(docOnDisk()).toBe(text);
    expect(fs.readdirSync(dir)).toEqual([storeFileName]);
  });
});

describe('the registered store (version 7)', () => {
  it('moves the audit events, address history and deliveries of a version 3 file into their logs', async () => {
    const v3 = migrateV2ToV3(
      migrateV1ToV2({
        version: 1,
        instanceId: 'legacy',
        createdAt: '2025-01-01T00:00:00.000Z',
        admin: null,
        sessions: [],
        apiTokens: [],
        audit: [{ at: '2025-01-01T00:01:00.000Z', type: 'setup.completed', actor: 'a', detail: 'first' }],
      }),
    );
    v3.reachability = {
      current: { ipv4: '203.0.113.9', ipv6: null },
      history: [
        {
          at: '2026-01-01T00:00:00.000Z',
          family: 'ipv4',
          address: '203.0.113.9',
          previous: null,
          sources: [],
        },
      ],
    };
    v3.alerts.deliveries = [
      { at: '2026-01-01T00:00:00.000Z', alertId: null, channelId: 'c', ok: true, error: null },
    ];
    fs.writeFileSync(path.join(dir, storeFileName), JSON.stringify(v3), { mode: 0o600 });
    const { store, migratedFrom } = await openLowdbStore(dir, clock, { definition: gatehouseStore });
    expect(migratedFrom?.version).toBe(3);
    expect(store.log('audit').newest(10)).toEqual(v3.audit);
    expect(store.log('reach.history').newest(10)).toEqual(v3.reachability.history);
    expect(store.log('alerts.deliveries').newest(10)).toEqual(v3.alerts.deliveries);
    const doc = JSON.parse(docOnDisk()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      version: 8,
      reachability: { current: { ipv4: '203.0.113.9', ipv6: null } },
      lockouts: [],
      ddns: { accounts: [], records: [], states: [], clients: [] },
      wireguard: { peers: [], services: [], grants: [], links: [], lastApply: null, publicHandshakes: [] },
      cert: {
        account: null,
        certificate: null,
        current: null,
        renewal: {
          ari: null,
          failures: 0,
          lastError: null,
          nextAttemptAt: null,
          lastAttemptAt: null,
          lastSuccessAt: null,
        },
        history: [],
      },
    });
    expect(doc).not.toHaveProperty('audit');
    expect(doc.alerts).not.toHaveProperty('deliveries');
    expect(fs.readdirSync(path.join(dir, 'logs')).sort()).toEqual([
      'alerts.deliveries',
      'audit',
      'ddns.history',
      'reach.history',
    ]);
  });
});

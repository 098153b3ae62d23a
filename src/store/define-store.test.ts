import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineStore } from './define-store.js';
import { gatehouseStore } from './document.js';
import { defineLog } from './log.js';
import { migrateToCurrent, storeMigrations } from './migrations.js';
import { defineSlice } from './slice.js';

const log = (name: string) => defineLog({ name, schema: z.object({ n: z.number() }), retention: 10 });
const a = defineSlice({
  owner: 'a',
  shape: { a: z.object({ on: z.boolean() }).strict() },
  empty: () => ({ a: { on: false } }),
  logs: [log('a.events')],
});
const b = defineSlice({ owner: 'b', shape: { b: z.array(z.string()) }, empty: () => ({ b: [] }) });

describe('defineStore', () => {
  it('composes the slices into one strict document with the core fields, and a new document of empty slices', () => {
    const store = defineStore([a, b], []);
    expect(store.version).toBe(1);
    const doc = store.initial(new Date('2026-01-01T00:00:00Z'), 'id-1');
    expect(doc).toEqual({
      version: 1,
      instanceId: 'id-1',
      createdAt: '2026-01-01T00:00:00.000Z',
      a: { on: false },
      b: [],
    });
    expect(store.schema.parse(doc)).toEqual(doc);
    expect(store.schema.safeParse({ ...doc, stray: 1 }).success).toBe(false);
    expect(store.schema.safeParse({ ...doc, version: 2 }).success).toBe(false);
    expect(store.schema.safeParse({ ...doc, a: undefined }).success).toBe(false);
    expect([...store.logs.keys()]).toEqual(['a.events']);
  });

  it.each([
    [
      [a, defineSlice({ owner: 'c', shape: { a: z.string() }, empty: () => ({ a: '' }) })],
      'slices a and c both claim "a"',
    ],
    [
      [defineSlice({ owner: 'c', shape: { version: z.string() }, empty: () => ({ version: '' }) })],
      'store and c both claim "version"',
    ],
    [
      [a, defineSlice({ owner: 'c', shape: {}, empty: () => ({}), logs: [log('a.events')] })],
      'two store slices declare the log "a.events"',
    ],
  ])('refuses slices that collide (%#)', (slices, message) => {
    expect(() => defineStore(slices, [])).toThrow(message);
  });

  it('gives a slice introduced in a later version a generated step that adds it empty', () => {
    const later = defineSlice({ ...b, introducedIn: 5 });
    const store = defineStore([a, later], storeMigrations);
    expect(store.version).toBe(5);
    expect(store.migrations.map((m) => [m.to, m.owner])).toEqual([
      [2, 'store'],
      [3, 'store'],
      [4, 'store'],
      [5, 'b'],
    ]);
    const step = store.migrations[3];
    expect(step?.summary).toBe('adds the b slice, empty');
    expect(step?.up({ version: 4, x: 1 })).toEqual({ ok: true, doc: { version: 4, x: 1, b: [] } });
    const { lockouts: _l, ...v4 } = { ...gatehouseStore.initial(new Date(), 'i'), version: 4 };
    expect(migrateToCurrent(v4, store.migrations)).toMatchObject({
      kind: 'migrated',
      from: 4,
      state: { version: 5, b: [] },
    });
  });

  it('puts a slice’s own steps in the one list after the store’s step to the same version', () => {
    const step = {
      to: 4,
      owner: 'b',
      summary: 's',
      up: (doc: Record<string, unknown>) => ({ ok: true as const, doc }),
    };
    const store = defineStore([defineSlice({ ...b, migrations: [step] })], storeMigrations);
    expect(store.migrations.map((m) => [m.to, m.owner])).toEqual([
      [2, 'store'],
      [3, 'store'],
      [4, 'store'],
      [4, 'b'],
    ]);
  });

  it('refuses a slice migration that leaves a gap', () => {
    expect(() => defineStore([defineSlice({ ...b, introducedIn: 6 })], storeMigrations)).toThrow(
      'no migration produces version 5',
    );
  });
});

describe('the registered store', () => {
  it('has every area’s slice and log, at version 8', () => {
    expect(gatehouseStore.version).toBe(8);
    expect([...gatehouseStore.logs.keys()].sort()).toEqual([
      'alerts.deliveries',
      'audit',
      'ddns.history',
      'reach.history',
    ]);
    const doc = gatehouseStore.initial(new Date('2026-01-01T00:00:00Z'), 'x');
    expect(Object.keys(doc).sort()).toEqual(
      [
        'alerts',
        'apiTokens',
        'cert',
        'createdAt',
        'ddns',
        'instanceId',
        'lockouts',
        'reachability',
        'sessions',
        'settings',
        'setupCompletedAt',
        'users',
        'version',
        'wireguard',
      ].sort(),
    );
    expect(gatehouseStore.schema.parse(doc)).toEqual(doc);
  });
});

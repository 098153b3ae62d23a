/**
 * @module Composes the registered store slices into the store's definition: one strict document schema, one set of
 * logs and one ordered migration list.
 */
import { z } from 'zod';
import type { AnyLogDefinition, LogDefinition } from './log.js';
import { composeMigrations, type MigrationStep } from './migrations.js';
import { isoDate, type AnySlice } from './slice.js';

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

const coreShape = { instanceId: z.string().min(1), createdAt: isoDate };

type DocumentShape<Slices extends readonly AnySlice[]> = typeof coreShape & {
  version: z.ZodLiteral<number>;
} & UnionToIntersection<Slices[number]['shape']>;

/** The document type of a list of slices. */
export type DocumentOf<Slices extends readonly AnySlice[]> = z.output<z.ZodObject<DocumentShape<Slices>>>;

/** Record type of each log of a list of slices, by log name. */
export type LogsOf<Slices extends readonly AnySlice[]> = {
  [D in Slices[number]['logs'][number] as D['name']]: D extends LogDefinition<string, infer T> ? T : never;
};

export interface StoreDefinition<S = unknown, L = Record<string, unknown>> {
  /** The current version: the last step of the migration list (1 with none). */
  readonly version: number;
  /** The whole document: `version`, `instanceId`, `createdAt` and every slice's keys; strict. */
  readonly schema: z.ZodType<S>;
  /** Every slice's logs, by name. */
  readonly logs: ReadonlyMap<string, AnyLogDefinition>;
  /** The one ordered migration list (the store's own steps and the slices'). */
  readonly migrations: readonly MigrationStep[];
  /** A new document: every slice empty. */
  initial(now: Date, instanceId: string): S;
  /** Type carrier for the logs' record types (never set). */
  readonly logTypes?: L;
}

/**
 * Composes registered slices into the store's definition. Throws (a programming error, found by any test that
 * opens a store) when two slices claim the same key or log, or the migration list has a gap.
 */
export function defineStore<const Slices extends readonly AnySlice[]>(
  slices: Slices,
  storeMigrations: readonly MigrationStep[],
): StoreDefinition<DocumentOf<Slices>, LogsOf<Slices>> {
  const migrations = composeMigrations([
    ...storeMigrations,
    ...slices.flatMap((s) => [
      ...(s.introducedIn === undefined
        ? []
        : [
            {
              to: s.introducedIn,
              owner: s.owner,
              summary: `adds the ${s.owner} slice, empty`,
              up: (doc: Record<string, unknown>) => ({ ok: true as const, doc: { ...doc, ...s.empty() } }),
            },
          ]),
      ...(s.migrations ?? []),
    ]),
  ]);
  const version = migrations.at(-1)?.to ?? 1;
  const owners = new Map<string, string>(['version', 'instanceId', 'createdAt'].map((k) => [k, 'store']));
  const logs = new Map<string, AnyLogDefinition>();
  const shape: Record<string, z.ZodType> = { version: z.literal(version), ...coreShape };
  for (const slice of slices) {
    for (const [key, schema] of Object.entries(slice.shape as Record<string, z.ZodType>)) {
      const owner = owners.get(key);
      if (owner !== undefined)
        throw new Error(`store slices ${owner} and ${slice.owner} both claim "${key}"`);
      owners.set(key, slice.owner);
      shape[key] = schema;
    }
    for (const log of slice.logs) {
      if (logs.has(log.name)) throw new Error(`two store slices declare the log "${log.name}"`);
      logs.set(log.name, log);
    }
  }
  const schema = z.object(shape).strict() as unknown as z.ZodType<DocumentOf<Slices>>;
  return {
    version,
    schema,
    logs,
    migrations,
    initial(now, instanceId) {
      const doc: Record<string, unknown> = { version, instanceId, createdAt: now.toISOString() };
      for (const slice of slices) Object.assign(doc, slice.empty());
      return doc as DocumentOf<Slices>;
    },
  };
}

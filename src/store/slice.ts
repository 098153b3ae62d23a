/**
 * @module Store slices: each capability declares the part of the document it owns (top-level keys with their zod
 * schemas and empty values), the append-only logs it writes, and its migrations (`define-store.ts` composes them).
 */
import { z } from 'zod';
import type { AnyLogDefinition } from './log.js';
import type { MigrationStep } from './migrations.js';

export const isoDate = z.iso.datetime({ offset: true });

export interface StoreSlice<
  Shape extends z.ZodRawShape = z.ZodRawShape,
  Logs extends readonly AnyLogDefinition[] = readonly AnyLogDefinition[],
> {
  /** The capability that owns the slice, e.g. `auth`, `reachability`. */
  readonly owner: string;
  /** The document's top-level keys this slice owns (may be empty: a slice of logs only). */
  readonly shape: Shape;
  /** The slice's value in a new store. */
  empty(): z.output<z.ZodObject<Shape>>;
  readonly logs: Logs;
  /**
   * The store version that added this slice. Documents older than that get `empty()` by a generated migration
   * step: a new capability needs no hand-written migration, only a version number one above the current one.
   */
  readonly introducedIn?: number;
  /**
   * Steps that change this slice's own keys between versions (each reads only its keys, validated with a frozen
   * schema of their old shape). They join the one ordered list, after the store's own step to the same version.
   */
  readonly migrations?: readonly MigrationStep[];
}

export function defineSlice<Shape extends z.ZodRawShape, const Logs extends readonly AnyLogDefinition[] = []>(
  slice: Omit<StoreSlice<Shape, Logs>, 'logs'> & { readonly logs?: Logs },
): StoreSlice<Shape, Logs> {
  return { ...slice, logs: slice.logs ?? ([] as unknown as Logs) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches a slice of any shape and logs
export type AnySlice = StoreSlice<any>;

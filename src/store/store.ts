/** @module Store port: one consistent snapshot in memory, changed only by serialized, validated, atomic updates. */
import type { State } from './schema.js';

export interface Store {
  /** The last committed state. Callers must not mutate it; use update(). */
  read(): Readonly<State>;
  /**
   * Runs `change` on a private copy of the state, validates the result, writes it atomically and only then
   * makes it the current state. Updates run one at a time in call order. If `change` throws, validation fails
   * or the write fails, the promise rejects and the previous state stays both in memory and on disk.
   */
  update<R>(change: (draft: State) => R): Promise<R>;
  /** File backing the store, for messages. */
  readonly location: string;
}

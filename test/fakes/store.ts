/** @module An in-memory Store with the real contract: serialized updates, validation, rollback on failure. */
import { formatFirstIssue } from '../../src/store/migrations.js';
import { initialState, stateSchema, type State } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';

export class MemoryStore implements Store {
  readonly location = 'memory';
  /** Every committed state, oldest first, so tests can inspect the history of writes. */
  readonly commits: State[] = [];
  private state: State;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(state: State = initialState(new Date('2026-01-01T00:00:00Z'), 'test-instance')) {
    this.state = structuredClone(state);
  }

  read(): Readonly<State> {
    return this.state;
  }

  update<R>(change: (draft: State) => R): Promise<R> {
    const run = (): R => {
      const draft = structuredClone(this.state);
      const result = change(draft);
      const checked = stateSchema.safeParse(draft);
      if (!checked.success)
        throw new Error(`refusing to write an invalid state: ${formatFirstIssue(checked.error)}`);
      this.state = checked.data;
      this.commits.push(checked.data);
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

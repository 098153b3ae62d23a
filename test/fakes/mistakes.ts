/**
 * @module What a fake was asked that nobody scripted (an unknown argv, an unrouted URL): each such mistake fails
 * the running test when it ends, even when the code under test swallowed the error, unless the test takes it.
 */
import { onTestFinished } from 'vitest';

export class Mistakes<E extends Error> {
  private readonly pending: E[] = [];

  /** Records `error` and returns it, for the fake to throw or reject with. */
  record(error: E): E {
    this.pending.push(error);
    try {
      onTestFinished(() => {
        if (this.pending.includes(error)) throw error;
      });
    } catch {
      // Called outside a test (a leaked call after it ended): the error itself has to tell.
    }
    return error;
  }

  /** The mistakes so far, for a test that expects them; taken mistakes no longer fail the test. */
  take(): E[] {
    return this.pending.splice(0);
  }
}

// FakeClock keeps the contract of the system clock: the same cases against both.
import { describe } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { FakeClock } from './clock.js';
import { clockContract } from './contracts/clock.js';

describe('Clock contract: systemClock', () => {
  clockContract(() => ({ clock: systemClock, elapse: () => Promise.resolve() }));
});

describe('Clock contract: FakeClock', () => {
  clockContract(
    () => {
      const clock = new FakeClock();
      return {
        clock,
        elapse: (ms) => {
          clock.advance(ms);
          return Promise.resolve();
        },
      };
    },
    // FakeClock wakes a sleeper only in advance(), so sleep(0) waits for the next advance() where the system
    // clock resolves on the next timer tick: a loop that yields with sleep(0) hangs under FakeClock.
    { knownGaps: ['sleep(0)'] },
  );
});

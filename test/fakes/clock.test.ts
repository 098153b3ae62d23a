// FakeClock keeps the contract of the system clock: the same cases against both.
import { describe } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { FakeClock } from './clock.js';
import { clockContract } from './contracts/clock.js';

describe('Clock contract: systemClock', () => {
  clockContract(() => ({ clock: systemClock, elapse: () => Promise.resolve() }));
});

describe('Clock contract: FakeClock', () => {
  clockContract(() => {
    const clock = new FakeClock();
    return {
      clock,
      elapse: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
    };
  });
});

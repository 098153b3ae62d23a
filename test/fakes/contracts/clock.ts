/** @module The Clock contract: cases that systemClock and FakeClock must both pass. */
import { getEventListeners } from 'node:events';
import { expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { within } from './within.js';

export interface ClockUnderTest {
  readonly clock: Clock;
  /** Lets `ms` pass: a manual clock advances, the system clock just waits for it. */
  readonly elapse: (ms: number) => Promise<void>;
}

export function clockContract(setup: () => ClockUnderTest): void {
  it('sleep(ms) resolves once ms have passed, and now() has moved on by then', async () => {
    const { clock, elapse } = setup();
    const before = clock.now().getTime();
    const sleeping = clock.sleep(30);
    await elapse(30);
    await within(sleeping, 1000, 'sleep(30)');
    // A timer may fire a millisecond before Date.now() says the full time has passed.
    expect(clock.now().getTime() - before).toBeGreaterThanOrEqual(29);
  });

  it('sleep(0) and an overdue (negative) sleep resolve without time having to pass', async () => {
    const { clock } = setup();
    await within(clock.sleep(0), 1000, 'sleep(0)');
    await within(clock.sleep(-250), 1000, 'sleep(-250)');
  });

  it('an abort during sleep rejects with the signal’s reason', async () => {
    const { clock } = setup();
    const controller = new AbortController();
    const reason = new Error('stopped by the test');
    const sleeping = clock.sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(within(sleeping, 1000, 'an aborted sleep')).rejects.toBe(reason);
  });

  it('an already aborted signal rejects at once with its reason', async () => {
    const { clock } = setup();
    const reason = new Error('aborted before');
    await expect(within(clock.sleep(60_000, AbortSignal.abort(reason)), 1000, 'sleep')).rejects.toBe(reason);
  });

  it('a sleep that ends leaves no listener on its signal (a loop sleeping on one signal does not pile them up)', async () => {
    const { clock, elapse } = setup();
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) {
      const sleeping = clock.sleep(5, signal);
      await elapse(5);
      await within(sleeping, 1000, 'sleep(5)');
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
}

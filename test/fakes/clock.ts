/** @module A manual clock for tests: time moves only when the test says so. */
import type { Clock } from '../../src/core/clock.js';

export class FakeClock implements Clock {
  private current: number;
  private readonly sleepers: { until: number; resolve: () => void }[] = [];
  private readonly sleepWaiters: (() => void)[] = [];
  private readonly asked: number[] = [];

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      this.asked.push(ms);
      // Like the system clock's timer: a sleep whose time has already come ends without waiting for advance().
      if (ms <= 0) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        const i = this.sleepers.indexOf(sleeper);
        if (i >= 0) this.sleepers.splice(i, 1);
        reject(signal?.reason as Error);
      };
      // Like the system clock, a sleep that ends takes its abort listener with it: a loop sleeping on one signal
      // does not pile listeners up on it.
      const sleeper = {
        until: this.current + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      for (const w of this.sleepWaiters.splice(0)) w();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Resolves once some code is sleeping on this clock (at once if it already is): advance() will reach it. */
  sleeping(): Promise<void> {
    if (this.sleepers.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.sleepWaiters.push(resolve));
  }

  /** Every duration code asked to sleep, in order (aborted sleeps too): the schedule, to check against a table. */
  sleepsAsked(): readonly number[] {
    return [...this.asked];
  }

  /** Milliseconds from now until each pending sleeper wakes, soonest first. */
  pendingWakeups(): readonly number[] {
    return this.sleepers.map((s) => s.until - this.current).sort((a, b) => a - b);
  }

  /**
   * Resolves once the code under test has run as far as it can without time passing: Node drains every queued
   * promise reaction before the next macrotask. Afterwards, what has not happened will not happen until advance()
   * (for code whose only waits are this clock and promises, not real I/O or real timers).
   */
  settle(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Advances to an absolute time (never backwards). */
  advanceTo(at: Date | string): void {
    const target = new Date(at).getTime();
    if (target < this.current)
      throw new Error(`advanceTo(${new Date(at).toISOString()}) would move the clock back`);
    this.advance(target - this.current);
  }

  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.current += ms;
    for (const s of [...this.sleepers]) {
      if (s.until <= this.current) {
        this.sleepers.splice(this.sleepers.indexOf(s), 1);
        s.resolve();
      }
    }
  }
}

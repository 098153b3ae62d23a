/** @module A manual clock for tests: time moves only when the test says so. */
import type { Clock } from '../../src/core/clock.js';

export class FakeClock implements Clock {
  private current: number;
  private readonly sleepers: { until: number; resolve: () => void }[] = [];
  private readonly sleepWaiters: (() => void)[] = [];

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
      const sleeper = { until: this.current + ms, resolve };
      this.sleepers.push(sleeper);
      for (const w of this.sleepWaiters.splice(0)) w();
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.sleepers.indexOf(sleeper);
          if (i >= 0) this.sleepers.splice(i, 1);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    });
  }

  /** Resolves once some code is sleeping on this clock (at once if it already is): advance() will reach it. */
  sleeping(): Promise<void> {
    if (this.sleepers.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.sleepWaiters.push(resolve));
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

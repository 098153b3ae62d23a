/** @module A manual clock for tests: time moves only when the test says so. */
import type { Clock } from '../../src/core/clock.js';

export class FakeClock implements Clock {
  private current: number;
  private readonly sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ until: this.current + ms, resolve });
    });
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

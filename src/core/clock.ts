/** @module Clock port: time is a parameter, so schedules and expiries are testable without sleeping. */

export interface Clock {
  /** Current wall-clock time. Monotonic enough for expiries; never used for measuring durations. */
  now(): Date;
  /** Resolves after `ms` milliseconds (at once for `ms` ≤ 0), or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

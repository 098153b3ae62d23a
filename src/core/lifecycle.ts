/** @module Starts capabilities in order and stops them in reverse, each stop bounded in time. */
import type { Capability } from './capability.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';

export interface Lifecycle {
  /**
   * Starts each capability in list order. If one fails to start, the ones already started are stopped (in
   * reverse) and the error is rethrown: a box either comes up whole or not at all.
   */
  start(): Promise<void>;
  /**
   * Stops the started capabilities in reverse order. A stop that throws or takes longer than `stopTimeoutMs` is
   * logged and the next one runs anyway, so one stuck capability cannot keep the process from exiting. Idempotent.
   */
  stop(): Promise<void>;
}

export interface LifecycleOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Longest wait for one capability's stop (default 5 s). */
  readonly stopTimeoutMs?: number;
}

export function createLifecycle(capabilities: readonly Capability[], options: LifecycleOptions): Lifecycle {
  const timeoutMs = options.stopTimeoutMs ?? 5000;
  const started: Capability[] = [];
  let stopping: Promise<void> | undefined;

  async function stopOne(capability: Capability): Promise<void> {
    if (!capability.stop) return;
    const timer = new AbortController();
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => capability.stop?.())
        .then(
          () => 'stopped' as const,
          (e: unknown) => e,
        ),
      options.clock.sleep(timeoutMs, timer.signal).then(
        () => 'timeout' as const,
        () => 'stopped' as const,
      ),
    ]);
    timer.abort();
    if (outcome === 'timeout') {
      options.logger.error(
        { capability: capability.id, timeoutMs },
        'capability did not stop in time; going on without it',
      );
    } else if (outcome !== 'stopped') {
      options.logger.error(
        { capability: capability.id, err: outcome instanceof Error ? outcome.message : String(outcome) },
        'capability failed to stop cleanly',
      );
    }
  }

  async function stopAll(): Promise<void> {
    while (started.length > 0) {
      const capability = started.pop();
      if (capability) await stopOne(capability);
    }
  }

  return {
    async start() {
      for (const capability of capabilities) {
        try {
          await capability.start?.();
        } catch (e) {
          options.logger.error(
            { capability: capability.id, err: e instanceof Error ? e.message : String(e) },
            'capability failed to start; stopping the ones already started',
          );
          await stopAll();
          throw e;
        }
        started.push(capability);
      }
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

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

/** What went wrong with a stop (a clean stop has nothing to say). */
type StopProblem = { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'timeout' };

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function createLifecycle(capabilities: readonly Capability[], options: LifecycleOptions): Lifecycle {
  const timeoutMs = options.stopTimeoutMs ?? 5000;
  /** How many capabilities, from the start of the list, have started and not stopped yet. */
  let running = 0;
  let stopping: Promise<void> | undefined;

  async function stopOne(capability: Capability): Promise<void> {
    const timer = new AbortController();
    const stopped = Promise.resolve()
      .then(() => capability.stop?.())
      .catch((error: unknown): StopProblem => ({ kind: 'failed', error }));
    // The timer is aborted once the race is decided: that rejection is expected and says nothing.
    const late = options.clock.sleep(timeoutMs, timer.signal).then(
      (): StopProblem => ({ kind: 'timeout' }),
      () => undefined,
    );
    const outcome = await Promise.race([stopped, late]);
    timer.abort();
    if (outcome?.kind === 'timeout') {
      options.logger.error(
        { capability: capability.id, timeoutMs },
        'capability did not stop in time; going on without it',
      );
    } else if (outcome?.kind === 'failed') {
      options.logger.error(
        { capability: capability.id, err: messageOf(outcome.error) },
        'capability failed to stop cleanly',
      );
    }
  }

  async function stopAll(): Promise<void> {
    for (const capability of capabilities.slice(0, running).reverse()) {
      running--;
      await stopOne(capability);
    }
  }

  return {
    async start() {
      for (const capability of capabilities) {
        try {
          await capability.start?.();
        } catch (e) {
          options.logger.error(
            { capability: capability.id, err: messageOf(e) },
            'capability failed to start; stopping the ones already started',
          );
          await stopAll();
          throw e;
        }
        running++;
      }
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

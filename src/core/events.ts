/**
 * @module The typed internal event bus: how capabilities tell each other what happened (an address accepted, a
 * mapping made, a record applied, a certificate renewed) without callbacks wired by hand in the composition root.
 *
 * Topics are declared where they are published, by merging into {@link GatehouseEvents}:
 *
 * ```ts
 * declare module '../core/events.js' {
 *   interface GatehouseEvents { 'ddns.applied': { hostname: string; address: string } }
 * }
 * ```
 */
import type { Logger } from './log.js';

/**
 * Every topic and its payload. Empty here: each capability adds its own topics by declaration merging, so the
 * bus is typed end to end and adding a capability does not edit this file.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in each capability
export interface GatehouseEvents {}

export type Topic = keyof GatehouseEvents;

export type Handler<T extends Topic> = (payload: GatehouseEvents[T]) => void | Promise<void>;

export interface EventBus {
  /**
   * Delivers `payload` to every current subscriber of `topic`, synchronously and in subscription order; a handler
   * that throws or rejects is logged and never stops the others or the publisher. Returns once every handler has
   * been called (not awaited: use {@link EventBus.idle} to wait for asynchronous handlers).
   */
  publish<T extends Topic>(topic: T, payload: GatehouseEvents[T]): void;
  /** Subscribes; the returned function unsubscribes (idempotent). A handler added during a publish misses it. */
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void;
  /** The last payload published on `topic`, for a capability that starts after it was published. */
  last<T extends Topic>(topic: T): GatehouseEvents[T] | undefined;
  /** Resolves when every asynchronous handler started so far has settled (tests, and an orderly stop). */
  idle(): Promise<void>;
}

export function createEventBus(logger: Logger): EventBus {
  // Entries, not the handlers themselves: the same function subscribed twice is two subscriptions, and each
  // unsubscribe removes only its own.
  const handlers = new Map<Topic, Set<{ readonly handler: Handler<Topic> }>>();
  const lastPayload = new Map<Topic, unknown>();
  const inFlight = new Set<Promise<void>>();

  function failed(topic: Topic, error: unknown): void {
    logger.error(
      { topic, err: error instanceof Error ? error.message : String(error) },
      'event handler failed; the other handlers still ran',
    );
  }

  return {
    publish(topic, payload) {
      lastPayload.set(topic, payload);
      // A snapshot: handlers that (un)subscribe while this runs do not change who hears this event.
      for (const { handler } of [...(handlers.get(topic) ?? [])]) {
        let result: void | Promise<void>;
        try {
          result = (handler as Handler<typeof topic>)(payload);
        } catch (e) {
          failed(topic, e);
          continue;
        }
        if (result instanceof Promise) {
          const settled: Promise<void> = result.then(
            () => undefined,
            (e: unknown) => failed(topic, e),
          );
          const tracked = settled.finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
        }
      }
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
      }
      const entry = { handler: handler as Handler<Topic> };
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    last(topic) {
      return lastPayload.get(topic) as GatehouseEvents[typeof topic] | undefined;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

import { describe, expect, expectTypeOf, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { createEventBus, type EventBus } from './events.js';

// Topics of this test only (the typecheck of tests sees them; the build of src does not).
declare module './events.js' {
  interface GatehouseEvents {
    'test.ping': { readonly n: number };
    'test.other': { readonly text: string };
  }
}

function setup(): { bus: EventBus; logger: MemoryLogger } {
  const logger = new MemoryLogger();
  return { bus: createEventBus(logger), logger };
}

describe('createEventBus', () => {
  it('delivers a payload to the subscribers of its topic only, in subscription order', () => {
    const { bus } = setup();
    const heard: string[] = [];
    bus.subscribe('test.ping', (p) => {
      expectTypeOf(p).toEqualTypeOf<{ readonly n: number }>();
      heard.push(`a${p.n}`);
    });
    bus.subscribe('test.ping', (p) => {
      heard.push(`b${p.n}`);
    });
    bus.subscribe('test.other', (p) => {
      heard.push(p.text);
    });
    bus.publish('test.ping', { n: 1 });
    bus.publish('test.other', { text: 'x' });
    bus.publish('test.ping', { n: 2 });
    expect(heard).toEqual(['a1', 'b1', 'x', 'a2', 'b2']);
    // @ts-expect-error -- a payload of the wrong shape does not typecheck
    bus.publish('test.ping', { text: 'wrong' });
    // @ts-expect-error -- nor does a topic nobody declared
    bus.subscribe('test.nobody', () => undefined);
  });

  it('publishing with no subscribers is fine, and the topic remembers its last payload', () => {
    const { bus, logger } = setup();
    expect(bus.last('test.ping')).toBeUndefined();
    bus.publish('test.ping', { n: 1 });
    bus.publish('test.ping', { n: 2 });
    expect(bus.last('test.ping')).toEqual({ n: 2 });
    expect(bus.last('test.other')).toBeUndefined();
    expect(logger.lines).toEqual([]);
  });

  it('unsubscribe stops delivery, is idempotent, and leaves the other subscribers alone', () => {
    const { bus } = setup();
    const heard: string[] = [];
    const offA = bus.subscribe('test.ping', (p) => {
      heard.push(`a${p.n}`);
    });
    bus.subscribe('test.ping', (p) => {
      heard.push(`b${p.n}`);
    });
    bus.publish('test.ping', { n: 1 });
    offA();
    offA();
    bus.publish('test.ping', { n: 2 });
    expect(heard).toEqual(['a1', 'b1', 'b2']);
  });

  it('the same function subscribed twice is two subscriptions, each with its own unsubscribe', () => {
    const { bus } = setup();
    let calls = 0;
    const handler = (): void => {
      calls++;
    };
    const off1 = bus.subscribe('test.ping', handler);
    const off2 = bus.subscribe('test.ping', handler);
    bus.publish('test.ping', { n: 1 });
    off1();
    bus.publish('test.ping', { n: 2 });
    off2();
    bus.publish('test.ping', { n: 3 });
    expect(calls).toBe(3);
  });

  it('a throwing subscriber is logged with its topic and never stops the others or the publisher', () => {
    const { bus, logger } = setup();
    const heard: number[] = [];
    bus.subscribe('test.ping', () => {
      throw new Error('boom');
    });
    bus.subscribe('test.ping', (p) => {
      heard.push(p.n);
    });
    expect(() => bus.publish('test.ping', { n: 7 })).not.toThrow();
    expect(heard).toEqual([7]);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        fields: { topic: 'test.ping', err: 'boom' },
        msg: 'event handler failed; the other handlers still ran',
      },
    ]);
  });

  it('a rejecting subscriber is logged once it settles; the others ran and idle() resolves', async () => {
    const { bus, logger } = setup();
    const heard: number[] = [];
    bus.subscribe('test.ping', () => Promise.reject(new Error('async boom')));
    bus.subscribe('test.ping', (p) => {
      heard.push(p.n);
    });
    bus.publish('test.ping', { n: 3 });
    expect(heard).toEqual([3]);
    await bus.idle();
    expect(logger.lines).toEqual([
      {
        level: 'error',
        fields: { topic: 'test.ping', err: 'async boom' },
        msg: 'event handler failed; the other handlers still ran',
      },
    ]);
  });

  it('idle() waits for asynchronous handlers, including ones started by them', async () => {
    const { bus } = setup();
    const clock = new FakeClock();
    const done: string[] = [];
    bus.subscribe('test.ping', async (p) => {
      await clock.sleep(1000);
      done.push(`ping${p.n}`);
      bus.publish('test.other', { text: 'after ping' });
    });
    bus.subscribe('test.other', async (p) => {
      await clock.sleep(500);
      done.push(p.text);
    });
    let idle = false;
    bus.publish('test.ping', { n: 1 });
    const waiting = bus.idle().then(() => {
      idle = true;
    });
    await clock.settle();
    expect(idle).toBe(false);
    clock.advance(999);
    await clock.settle();
    expect([idle, done]).toEqual([false, []]);
    clock.advance(1);
    await clock.sleeping();
    // The ping handler is done, but the handler of the event it published still sleeps.
    expect([idle, done]).toEqual([false, ['ping1']]);
    clock.advance(500);
    await waiting;
    expect(done).toEqual(['ping1', 'after ping']);
  });

  it('idle() with nothing in flight resolves at once', async () => {
    const { bus } = setup();
    bus.subscribe('test.ping', () => undefined);
    bus.publish('test.ping', { n: 1 });
    await expect(bus.idle()).resolves.toBeUndefined();
  });

  it('a handler added during a publish misses that event and hears the next one', () => {
    const { bus } = setup();
    const heard: string[] = [];
    bus.subscribe('test.ping', (p) => {
      heard.push(`first${p.n}`);
      if (p.n === 1)
        bus.subscribe('test.ping', (q) => {
          heard.push(`late${q.n}`);
        });
    });
    bus.publish('test.ping', { n: 1 });
    expect(heard).toEqual(['first1']);
    bus.publish('test.ping', { n: 2 });
    expect(heard).toEqual(['first1', 'first2', 'late2']);
  });

  it('a handler removed during a publish still hears that event (the snapshot), and not the next', () => {
    const { bus } = setup();
    const heard: string[] = [];
    let offB = (): void => undefined;
    bus.subscribe('test.ping', (p) => {
      heard.push(`a${p.n}`);
      offB();
    });
    offB = bus.subscribe('test.ping', (p) => {
      heard.push(`b${p.n}`);
    });
    bus.publish('test.ping', { n: 1 });
    bus.publish('test.ping', { n: 2 });
    expect(heard).toEqual(['a1', 'b1', 'a2']);
  });

  it('a non-Error thrown is logged as text', () => {
    const { bus, logger } = setup();
    bus.subscribe('test.other', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a careless handler might do
      throw 'plain string';
    });
    bus.publish('test.other', { text: 'x' });
    expect(logger.lines[0]?.fields).toEqual({ topic: 'test.other', err: 'plain string' });
  });
});

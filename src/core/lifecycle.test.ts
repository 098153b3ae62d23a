/** @module The lifecycle registry: start in order, stop in reverse, every stop bounded, a failed start undone. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import type { Capability } from './capability.js';
import { createLifecycle } from './lifecycle.js';

function recorder() {
  const calls: string[] = [];
  const capability = (id: string, over: Partial<Capability> = {}): Capability => ({
    id,
    start: () => {
      calls.push(`start ${id}`);
    },
    stop: () => {
      calls.push(`stop ${id}`);
    },
    ...over,
  });
  return { calls, capability };
}

describe('lifecycle', () => {
  it('starts in list order and stops in reverse, once however often stop is called', async () => {
    const { calls, capability } = recorder();
    const clock = new FakeClock();
    const life = createLifecycle([capability('a'), capability('b'), { id: 'c' }, capability('d')], {
      clock,
      logger: new MemoryLogger(),
    });
    await life.start();
    expect(calls).toEqual(['start a', 'start b', 'start d']);
    await Promise.all([life.stop(), life.stop()]);
    await life.stop();
    expect(calls).toEqual(['start a', 'start b', 'start d', 'stop d', 'stop b', 'stop a']);
  });

  it('a failed start stops the ones already started, in reverse, and rethrows', async () => {
    const { calls, capability } = recorder();
    const logger = new MemoryLogger();
    const broken = capability('b', {
      start: () => Promise.reject(new Error('port in use')),
    });
    const life = createLifecycle([capability('a'), broken, capability('c')], {
      clock: new FakeClock(),
      logger,
    });
    await expect(life.start()).rejects.toThrow('port in use');
    expect(calls).toEqual(['start a', 'stop a']);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        fields: { capability: 'b', err: 'port in use' },
        msg: 'capability failed to start; stopping the ones already started',
      },
    ]);
    // What the failed start stopped is not stopped again.
    await life.stop();
    expect(calls).toEqual(['start a', 'stop a']);
  });

  it('a stop that hangs is given up after its time, logged, and the others still stop', async () => {
    const { calls, capability } = recorder();
    const logger = new MemoryLogger();
    const clock = new FakeClock();
    const stuck = capability('stuck', { stop: () => new Promise<void>(() => undefined) });
    const life = createLifecycle([capability('a'), stuck, capability('c')], {
      clock,
      logger,
      stopTimeoutMs: 2000,
    });
    await life.start();
    const stopping = life.stop();
    await clock.settle();
    // c stopped; the stuck one is being waited for, with one timer of the full bound.
    expect(clock.pendingWakeups()).toEqual([2000]);
    expect(calls).toEqual(['start a', 'start stuck', 'start c', 'stop c']);
    clock.advance(1999);
    await clock.settle();
    expect(calls).not.toContain('stop a');
    clock.advance(1);
    await stopping;
    expect(calls).toEqual(['start a', 'start stuck', 'start c', 'stop c', 'stop a']);
    expect(logger.lines).toEqual([
      {
        level: 'error',
        fields: { capability: 'stuck', timeoutMs: 2000 },
        msg: 'capability did not stop in time; going on without it',
      },
    ]);
  });

  it('a stop that throws is logged and the others still stop; no timer is left behind', async () => {
    const { calls, capability } = recorder();
    const logger = new MemoryLogger();
    const clock = new FakeClock();
    const life = createLifecycle(
      [capability('a'), capability('b', { stop: () => Promise.reject(new Error('busy')) })],
      { clock, logger },
    );
    await life.start();
    await life.stop();
    expect(calls).toEqual(['start a', 'start b', 'stop a']);
    expect(logger.lines).toEqual([
      { level: 'error', fields: { capability: 'b', err: 'busy' }, msg: 'capability failed to stop cleanly' },
    ]);
    expect(clock.pendingWakeups()).toEqual([]);
  });

  it('stopping before anything started stops nothing; a capability without start or stop is passed over quietly', async () => {
    const { calls, capability } = recorder();
    const logger = new MemoryLogger();
    const never = createLifecycle([capability('a')], { clock: new FakeClock(), logger });
    await never.stop();
    expect(calls).toEqual([]);
    const life = createLifecycle([{ id: 'plain' }, capability('a')], { clock: new FakeClock(), logger });
    await life.start();
    await life.stop();
    expect(calls).toEqual(['start a', 'stop a']);
    expect(logger.lines).toEqual([]);
  });
});

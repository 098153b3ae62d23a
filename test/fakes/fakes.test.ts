// The fakes must keep the contracts of the ports they stand in for; these tests hold them to it (and the
// contract tests beside them: runner.test.ts, fetch.test.ts, clock.test.ts).
import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';
import { MemoryStore } from './store.js';

describe('fakes', () => {
  it('FakeClock wakes sleepers only when time is advanced past their deadline', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    let woke = false;
    const sleeping = clock.sleep(1000).then(() => (woke = true));
    clock.advance(999);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.000Z');
  });

  it('MemoryStore rolls back a failed or invalid update like the real store', async () => {
    const store = new MemoryStore();
    await expect(
      store.update((d) => {
        d.settings.instanceName = '';
      }),
    ).rejects.toThrow(/invalid state/);
    expect(store.read().settings.instanceName).toBe('Gatehouse');
    await store.update((d) => {
      d.settings.instanceName = 'x';
    });
    expect(store.commits).toHaveLength(1);
  });
});

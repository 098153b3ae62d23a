import { describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';

describe('systemClock', () => {
  it('sleep rejects with the abort reason when aborted', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('stopping'));
    await expect(sleeping).rejects.toThrow('stopping');
  });

  it('sleep resolves after the delay', async () => {
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
  });

  it('an already aborted signal rejects at once', async () => {
    await expect(systemClock.sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

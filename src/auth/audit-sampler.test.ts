import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import type { AuditInput } from '../audit/record.js';
import { AuditSampler } from './audit-sampler.js';

const event = (type: AuditInput['type'], clientAddress: string): AuditInput => ({
  type,
  actor: 'anonymous',
  clientAddress,
  outcome: 'failure',
});

describe('AuditSampler', () => {
  it.each([
    // [step after the first event (ms), the second event, written?]
    [0, event('token.rejected', 'a'), false],
    [59_999, event('token.rejected', 'a'), false],
    [60_000, event('token.rejected', 'a'), true],
    [0, event('token.rejected', 'b'), true],
    [0, event('login.failure', 'a'), true],
  ] as const)('after %i ms writes %j: %s', async (afterMs, second, written) => {
    const clock = new FakeClock();
    const out: AuditInput[] = [];
    const sampler = new AuditSampler(clock, (input) => {
      out.push(input);
      return Promise.resolve();
    });
    await sampler.record(event('token.rejected', 'a'));
    clock.advance(afterMs);
    await sampler.record(second);
    expect(out).toEqual(written ? [event('token.rejected', 'a'), second] : [event('token.rejected', 'a')]);
  });

  it('forgets everything past 10,000 remembered pairs rather than grow', async () => {
    const clock = new FakeClock();
    let writes = 0;
    const sampler = new AuditSampler(clock, () => {
      writes++;
      return Promise.resolve();
    });
    for (let i = 0; i <= 10_001; i++) await sampler.record(event('token.rejected', `c${i}`));
    expect(writes).toBe(10_002);
    // c0 was forgotten when the memory was dropped, so it is written again within the minute.
    await sampler.record(event('token.rejected', 'c0'));
    expect(writes).toBe(10_003);
    // ... while the pair remembered after the drop is still sampled.
    await sampler.record(event('token.rejected', 'c10001'));
    expect(writes).toBe(10_003);
  });
});

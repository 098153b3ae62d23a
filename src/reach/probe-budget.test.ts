import { describe, expect, it } from 'vitest';
import { probeDelay, spendProbe, type ProbeBudget, type ProbeBudgetPolicy } from './probe-budget.js';

const policy: ProbeBudgetPolicy = { gapMs: 2_000, burst: 3 };

/** The budget after probes at each of `times`. */
const after = (times: number[], p = policy): ProbeBudget =>
  times.reduce<ProbeBudget>((b, t) => spendProbe(b, t, p), null);

describe('probe budget (router events)', () => {
  it.each<[string, number[], number, number, ProbeBudgetPolicy?]>([
    ['nothing spent: at once', [], 0, 0],
    ['two of three spent: at once', [0, 0], 0, 0],
    ['the burst spent: wait a gap', [0, 0, 0], 0, 2_000],
    ['the burst spent, 500 ms later: the rest of the gap', [0, 0, 0], 500, 1_500],
    ['the burst spent, one gap later: at once', [0, 0, 0], 2_000, 0],
    ['burst 1 is a plain gap: 500 ms after a probe', [0], 500, 1_500, { gapMs: 2_000, burst: 1 }],
    ['burst 1: one gap after a probe', [0], 2_000, 0, { gapMs: 2_000, burst: 1 }],
    ['burst 1: long after a probe', [0], 10_000, 0, { gapMs: 2_000, burst: 1 }],
    // A quiet hour earns back a full burst, not more.
    [
      'a long quiet time earns a burst, no more',
      [0, 0, 0, 3_600_000, 3_600_000, 3_600_000],
      3_600_000,
      2_000,
    ],
    // The clock stepped back (NTP): the last probe lies in the future; waiting for it would wait for time already had.
    ['a clock that stepped back: at once', [10_000, 10_000, 10_000], 5_000, 0],
    // A probe without credit (the settle probes of a series do not wait) leaves none, and no debt either.
    ['a probe without credit leaves no debt', [0, 0, 0, 500], 2_500, 0],
  ])('%s', (_name, spent, now, wait, p = policy) => {
    expect(probeDelay(after(spent, p), now, p)).toBe(wait);
  });

  it('a stepped-back clock restarts from a full bucket', () => {
    expect(spendProbe(after([10_000, 10_000, 10_000]), 5_000, policy)).toEqual({
      creditMs: 4_000,
      at: 5_000,
    });
  });

  it('a flood of events costs at most the burst plus one probe per gap', () => {
    let budget: ProbeBudget = null;
    let probes = 0;
    // An event every 100 ms for 60 s; a probe starts whenever the budget allows.
    for (let now = 0; now < 60_000; now += 100) {
      if (probeDelay(budget, now, policy) === 0) {
        budget = spendProbe(budget, now, policy);
        probes++;
      }
    }
    expect(probes).toBe(3 + 60_000 / 2_000 - 1);
  });
});

import { describe, expect, it } from 'vitest';
import { skipReason } from './skip.js';

describe('skipReason', () => {
  it('a suite that can run neither skips nor prints', () => {
    const printed: string[] = [];
    expect(
      skipReason('e2e suite "x"', undefined, { ci: false, warn: (m) => printed.push(m) }),
    ).toBeUndefined();
    expect(
      skipReason('e2e suite "x"', undefined, { ci: true, warn: (m) => printed.push(m) }),
    ).toBeUndefined();
    expect(printed).toEqual([]);
  });

  it('off CI it skips with the reason, after a loud banner naming the suite', () => {
    const printed: string[] = [];
    const reason = 'missing tools: traceroute (apt-get install traceroute)';
    expect(skipReason('e2e suite "router"', reason, { ci: false, warn: (m) => printed.push(m) })).toBe(
      reason,
    );
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(`SKIPPED: e2e suite "router" — ${reason}`);
    expect(printed[0]).toMatch(/^\n={100}\n.*\n={100}\n$/);
  });

  it('in CI it throws with the suite and the reason instead of skipping, and prints nothing', () => {
    const printed: string[] = [];
    expect(() =>
      skipReason('browser suite "web UI"', '/usr/bin/chromium not found', {
        ci: true,
        warn: (m) => printed.push(m),
      }),
    ).toThrow('browser suite "web UI" must run in CI but cannot: /usr/bin/chromium not found');
    expect(printed).toEqual([]);
  });

  it('reads CI from the environment by default', () => {
    const saved = process.env.CI;
    try {
      process.env.CI = '1';
      expect(() => skipReason('suite', 'reason')).toThrow(/must run in CI/);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});

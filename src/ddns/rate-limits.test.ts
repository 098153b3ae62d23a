import { describe, expect, it } from 'vitest';
import { providerRegistry } from './providers/index.js';
import {
  keepRecentSends,
  providerRateLimits,
  rateLimitedUntil,
  rateWindowsOf,
  type RateWindow,
} from './rate-limits.js';

const twoPer10s: RateWindow[] = [{ updates: 2, seconds: 10 }];

describe('rateLimitedUntil', () => {
  it.each([
    ['nothing sent', twoPer10s, [], 0, undefined],
    ['one of two sent', twoPer10s, [0], 1_000, undefined],
    ['two sent: free when the older leaves the window', twoPer10s, [0, 5_000], 6_000, 10_000],
    ['the older has just left (the window is open at its start)', twoPer10s, [0, 5_000], 10_000, undefined],
    ['one ms before it leaves', twoPer10s, [0, 5_000], 9_999, 10_000],
    ['unsorted times count the same', twoPer10s, [5_000, 0], 6_000, 10_000],
    ['three sent: the second-newest must leave, not the oldest', twoPer10s, [0, 4_000, 5_000], 6_000, 14_000],
    ['no windows: never held', [], [0, 1, 2], 3, undefined],
    [
      'several windows: the latest end wins',
      [
        { updates: 2, seconds: 1 },
        { updates: 3, seconds: 60 },
      ],
      [0, 10_000, 20_000],
      20_500,
      60_000,
    ],
    [
      'several windows: the short one holds, the long one has room',
      [
        { updates: 1, seconds: 1 },
        { updates: 30, seconds: 60 },
      ],
      [20_000],
      20_500,
      21_000,
    ],
  ] as const)('%s', (_name, windows, sent, now, expected) => {
    expect(rateLimitedUntil(windows, sent, now)).toBe(expected);
  });
});

describe('keepRecentSends', () => {
  it('keeps what the longest window can still count, drops the rest', () => {
    const windows = [
      { updates: 1, seconds: 1 },
      { updates: 5, seconds: 60 },
    ];
    expect(keepRecentSends(windows, [0, 30_000, 30_001, 61_000], 90_000)).toEqual([30_001, 61_000]);
    expect(keepRecentSends(windows, [30_000], 90_000)).toEqual([]);
    expect(keepRecentSends([], [1, 2], 3)).toEqual([]);
  });
});

describe('the budgets', () => {
  it('a kind without a published limit gets Gatehouse’s own pace; a listed kind its own', () => {
    expect(rateWindowsOf('duckdns')).toEqual(rateWindowsOf('namecheap'));
    expect(rateWindowsOf('cloudflare')).toEqual([{ updates: 300, seconds: 300 }]);
    expect(rateWindowsOf('rfc2136')).toEqual([]);
    expect(rateWindowsOf('x', new Map([['x', twoPer10s]]))).toBe(twoPer10s);
  });
  it('Gatehouse’s own pace where none is published: 10 a minute, 60 an hour', () => {
    expect(rateWindowsOf('duckdns')).toEqual([
      { updates: 10, seconds: 60 },
      { updates: 60, seconds: 3600 },
    ]);
  });

  it('the published figures, as the cited documents give them (in updates of up to 4 requests)', () => {
    expect(Object.fromEntries(providerRateLimits)).toEqual({
      rfc2136: [],
      cloudflare: [{ updates: 300, seconds: 300 }],
      route53: [{ updates: 2, seconds: 1 }],
      desec: [
        { updates: 2, seconds: 1 },
        { updates: 15, seconds: 60 },
        { updates: 100, seconds: 3600 },
        { updates: 300, seconds: 86_400 },
      ],
      hetzner: [{ updates: 900, seconds: 3600 }],
      digitalocean: [
        { updates: 60, seconds: 60 },
        { updates: 1250, seconds: 3600 },
      ],
      gandi: [{ updates: 250, seconds: 60 }],
    });
  });

  it('every listed kind is a provider Gatehouse speaks to, and every window is a positive budget', () => {
    for (const [kind, windows] of providerRateLimits) {
      expect(providerRegistry.has(kind), kind).toBe(true);
      for (const w of windows) {
        expect(w.updates, kind).toBeGreaterThan(0);
        expect(w.seconds, kind).toBeGreaterThan(0);
      }
    }
    // A change of address sends a name's A and AAAA at once everywhere, and a few names within a minute.
    for (const kind of providerRegistry.keys()) {
      expect(rateLimitedUntil(rateWindowsOf(kind), [0], 0), kind).toBeUndefined();
      expect(rateLimitedUntil(rateWindowsOf(kind), [0, 1, 2, 3, 4, 5], 60_000), kind).toBeUndefined();
    }
  });
});

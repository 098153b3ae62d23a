import { describe, expect, it } from 'vitest';
import { failureGroups, failureKind } from './sources-summary.js';

describe('sources summary', () => {
  it('keeps the table when any source answered, or when there is none', () => {
    expect(
      failureGroups([
        { source: 'stun:a', status: 'known', reason: null },
        { source: 'stun:b', status: 'unavailable', reason: 'timeout' },
      ]),
    ).toBeNull();
    expect(failureGroups([])).toBeNull();
  });

  it('offline: one group per kind of failure, most frequent first, with an example', () => {
    expect(
      failureGroups([
        { source: 'natpmp', status: 'unavailable', reason: 'no NAT-PMP answer from 10.0.0.1 within 2 s' },
        { source: 'stun:a', status: 'unavailable', reason: 'getaddrinfo ENOTFOUND a.example' },
        { source: 'stun:b', status: 'unavailable', reason: 'getaddrinfo ENOTFOUND b.example' },
        { source: 'http:c', status: 'unavailable', reason: null },
      ]),
    ).toEqual([
      {
        kind: 'ENOTFOUND',
        count: 2,
        example: { source: 'stun:a', reason: 'getaddrinfo ENOTFOUND a.example' },
      },
      {
        kind: 'no answer in time',
        count: 1,
        example: { source: 'natpmp', reason: 'no NAT-PMP answer from 10.0.0.1 within 2 s' },
      },
      { kind: 'no reason given', count: 1, example: { source: 'http:c', reason: 'no reason given' } },
    ]);
  });

  it.each([
    ['connect ENETUNREACH 203.0.113.65:8088', 'ENETUNREACH'],
    ['request timed out', 'no answer in time'],
    ['refused: 3 (network failure)', 'refused: 3 (network failure)'],
  ])('failureKind(%s) = %s', (reason, kind) => {
    expect(failureKind(reason)).toBe(kind);
  });
});

import { describe, expect, it } from 'vitest';
import { isEmptyPlan, planRecordChanges } from './record-changes.js';

describe('planRecordChanges', () => {
  it.each([
    ['same', [['r1', 'x']], ['x'], { updates: [], creates: [], deletes: [] }],
    ['edit', [['r1', 'x']], ['y'], { updates: [{ id: 'r1', value: 'y' }], creates: [], deletes: [] }],
    ['create', [], ['y'], { updates: [], creates: ['y'], deletes: [] }],
    ['grow', [['r1', 'x']], ['x', 'y'], { updates: [], creates: ['y'], deletes: [] }],
    [
      'shrink',
      [
        ['r1', 'x'],
        ['r2', 'y'],
      ],
      ['y'],
      { updates: [], creates: [], deletes: ['r1'] },
    ],
    [
      'duplicate',
      [
        ['r1', 'x'],
        ['r2', 'x'],
      ],
      ['x'],
      { updates: [], creates: [], deletes: ['r2'] },
    ],
    [
      'swap two',
      [
        ['r1', 'a'],
        ['r2', 'b'],
      ],
      ['c', 'b'],
      { updates: [{ id: 'r1', value: 'c' }], creates: [], deletes: [] },
    ],
    ['empty', [['r1', 'a']], [], { updates: [], creates: [], deletes: ['r1'] }],
  ] as const)('planRecordChanges: %s', (_, records, values, expected) => {
    expect(
      planRecordChanges(
        records.map(([id, value]) => ({ id, value })),
        values,
      ),
    ).toEqual(expected);
  });

  it.each([
    [[], ['a'], { updates: [], creates: ['a'], deletes: [] }],
    [[{ id: '1', value: 'a' }], ['a'], { updates: [], creates: [], deletes: [] }],
    [[{ id: '1', value: 'a' }], ['b'], { updates: [{ id: '1', value: 'b' }], creates: [], deletes: [] }],
    [
      [
        { id: '1', value: 'a' },
        { id: '2', value: 'b' },
      ],
      ['b'],
      { updates: [], creates: [], deletes: ['1'] },
    ],
    [
      [
        { id: '1', value: 'a' },
        { id: '2', value: 'a' },
      ],
      ['a', 'c', 'd'],
      { updates: [{ id: '2', value: 'c' }], creates: ['d'], deletes: [] },
    ],
    [[{ id: '1', value: 'a' }], [], { updates: [], creates: [], deletes: ['1'] }],
  ])('planRecordChanges(%j, %j) (Porkbun)', (records, wanted, plan) => {
    expect(planRecordChanges(records, wanted)).toEqual(plan);
  });

  it('planRecordChanges keeps values in place and edits before creating (numeric ids, OVHcloud)', () => {
    expect(
      planRecordChanges(
        [
          { id: 1, value: 'a' },
          { id: 2, value: 'b' },
        ],
        ['a', 'c', 'd'],
      ),
    ).toEqual({ updates: [{ id: 2, value: 'c' }], creates: ['d'], deletes: [] });
  });

  it.each([
    [{ updates: [], creates: [], deletes: [] }, true],
    [{ updates: [{ id: 'r1', value: 'x' }], creates: [], deletes: [] }, false],
    [{ updates: [], creates: ['x'], deletes: [] }, false],
    [{ updates: [], creates: [], deletes: ['r1'] }, false],
  ])('isEmptyPlan(%j) = %s', (plan, empty) => {
    expect(isEmptyPlan(plan)).toBe(empty);
  });
});

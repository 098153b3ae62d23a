import { describe, expect, it } from 'vitest';

// The bogon table is parsed when the module loads. Imported inside a test, a module that fails to load is a
// failing test here rather than a test file that never ran (which a mutation-test runner counts as nothing).
describe('the addresses module', () => {
  it('loads, and its bogon table answers', async () => {
    const { checkBogon, toBigInt } = await import('./addresses.js');
    expect(toBigInt('::ffff:1.2.3.4')).toBe(0xffff01020304n);
    expect(checkBogon('fe80::1')).toMatchObject({ bogon: true, range: 'fe80::/10' });
    expect(checkBogon('::')).toMatchObject({ bogon: true, range: '::/128' });
    expect(checkBogon('8.8.8.8')).toEqual({ bogon: false });
  });
});

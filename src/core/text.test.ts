import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  findIllFormedText,
  isWellFormedText,
  notWellFormedMessage,
  refineWellFormedText,
  toWellFormedText,
} from './text.js';

const high = '\ud800';
const low = '\udc00';

describe('isWellFormedText / toWellFormedText', () => {
  it.each([
    ['empty', '', true, ''],
    ['ASCII', 'Home', true, 'Home'],
    ['a pair (one code point outside the BMP)', 'a😀b', true, 'a😀b'],
    ['a lone high surrogate', `Home${high}`, false, 'Home\uFFFD'],
    ['a lone low surrogate first', `${low}x`, false, '\uFFFDx'],
    ['two lone halves in the wrong order', `a${low}${high}b`, false, 'a\uFFFD\uFFFDb'],
    ['lone halves apart', `${high}-${high}`, false, '\uFFFD-\uFFFD'],
  ])('%s', (_what, text, wellFormed, repaired) => {
    expect(isWellFormedText(text)).toBe(wellFormed);
    expect(toWellFormedText(text)).toBe(repaired);
    expect(isWellFormedText(toWellFormedText(text))).toBe(true);
  });
});

describe('findIllFormedText', () => {
  it.each([
    ['a well-formed string', 'fine', undefined],
    ['an ill-formed string', `bad${high}`, []],
    ['a number', 42, undefined],
    ['null', null, undefined],
    ['true', true, undefined],
    ['an empty array', [], undefined],
    ['an empty object', {}, undefined],
    ['well-formed nested values', { a: ['x', { b: 'y' }], c: 1, d: null }, undefined],
    ['an array item', ['ok', `no${high}`], [1]],
    ['the first of two array items', [`one${low}`, `two${low}`], [0]],
    ['an object value', { name: 'ok', note: `x${high}` }, ['note']],
    ['deep in objects and arrays', { a: [{ b: ['ok', { c: `x${low}` }] }] }, ['a', 0, 'b', 1, 'c']],
    ['an object key, repaired in the path', { [`k${high}`]: 'value' }, ['k\uFFFD']],
    ['a key under a path', { outer: [{ [low]: 1 }] }, ['outer', 0, '\uFFFD']],
    ['a value after a well-formed key', { a: 'ok', b: { c: 'ok' }, d: `x${high}` }, ['d']],
  ])('%s → %j', (_what, value, path) => {
    expect(findIllFormedText(value)).toEqual(path);
  });

  it('starts from the path it is given, without changing it', () => {
    const at = ['body'] as const;
    expect(findIllFormedText({ x: `y${high}` }, at)).toEqual(['body', 'x']);
    expect(findIllFormedText(`y${high}`, at)).toEqual(['body']);
    expect(at).toEqual(['body']);
  });
});

describe('refineWellFormedText', () => {
  const schema = z.object({ name: z.string(), tags: z.array(z.string()) }).superRefine(refineWellFormedText);

  it('refuses an ill-formed string inside, with the message and its path', () => {
    const parsed = schema.safeParse({ name: 'ok', tags: ['a', `b${high}`] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues).toEqual([
      expect.objectContaining({ code: 'custom', message: notWellFormedMessage, path: ['tags', 1] }),
    ]);
    expect(notWellFormedMessage).toBe('must be well-formed Unicode text (it holds a lone UTF-16 surrogate)');
  });

  it('adds nothing for well-formed text', () => {
    const issues: unknown[] = [];
    refineWellFormedText({ name: 'a😀' }, { addIssue: (i) => issues.push(i) });
    expect(issues).toEqual([]);
    expect(schema.safeParse({ name: 'ok', tags: ['😀'] }).success).toBe(true);
  });
});

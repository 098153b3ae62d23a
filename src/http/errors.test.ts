import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodIssues, errorBody, errorSchema, failWithCode } from './errors.js';

describe('errorBody', () => {
  it('has the one shape, with details only when given', () => {
    expect(errorBody('x.y', 'message')).toEqual({ error: { code: 'x.y', message: 'message' } });
    expect(errorBody('x.y', 'message', { a: 1 })).toEqual({
      error: { code: 'x.y', message: 'message', details: { a: 1 } },
    });
    expect(errorSchema.safeParse(errorBody('x.y', 'message', [1])).success).toBe(true);
    expect(Object.keys(errorBody('x', 'm').error)).toEqual(['code', 'message']);
  });
});

describe('describeZodIssues', () => {
  const schema = z
    .object({
      name: z.string().min(2, 'too short'),
      nested: z.object({ port: z.number() }).strict().optional(),
    })
    .strict();
  const issuesOf = (value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) throw new Error('expected a failure');
    return result.error.issues;
  };

  it.each([
    [{ name: 'a' }, 'json.name: too short'],
    [
      { name: 'ab', nested: { port: 'x' } },
      'json.nested.port: Invalid input: expected number, received string',
    ],
    [{ name: 'ab', colour: 'red' }, 'json: unknown field "colour"'],
    [{ name: 'ab', colour: 'red', size: 1 }, 'json: unknown fields "colour", "size"'],
    [{ name: 'ab', nested: { port: 1, host: 'h' } }, 'json.nested: unknown field "host"'],
  ])('describes %j as %j', (value, expected) => {
    expect(describeZodIssues('json', issuesOf(value))).toBe(expected);
  });

  it('says "invalid" when there is no issue to describe', () => {
    expect(describeZodIssues('query', [])).toBe('query: invalid');
  });
});

describe('failWithCode', () => {
  const table = { 'x.missing': 404, 'x.locked': 429 } as const;

  it('takes the status from the domain’s table, keyed by the failure code', () => {
    expect(() => failWithCode(table, { code: 'x.missing', message: 'gone' })).toThrow(
      expect.objectContaining({ status: 404, code: 'x.missing', message: 'gone', headers: {} }),
    );
  });

  it('adds Retry-After when the failure says how long to wait', () => {
    expect(() => failWithCode(table, { code: 'x.locked', message: 'wait', retryAfterSeconds: 7 })).toThrow(
      expect.objectContaining({ status: 429, headers: { 'Retry-After': '7' } }),
    );
  });
});

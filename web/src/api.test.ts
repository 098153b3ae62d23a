import { describe, expect, it } from 'vitest';
import { ApiError, fieldProblem, fieldProblemsOf, sentence } from './api.js';

describe('fieldProblemsOf', () => {
  it('keys each field by its path and keeps its first problem, in plain sentences', () => {
    expect(
      fieldProblemsOf([
        { path: ['name'], message: 'enter a name' },
        { path: ['target', 'token'], message: 'enter the token' },
        { path: ['target', 'token'], message: 'letters, digits and symbols only, without spaces' },
        { path: ['target', 'to', 1], message: 'an address like alerts@example.com' },
      ]),
    ).toEqual({
      name: 'Enter a name.',
      'target.token': 'Enter the token.',
      'target.to.1': 'An address like alerts@example.com.',
    });
  });

  it.each([
    ['no details', undefined],
    ['not a list', { path: ['x'], message: 'y' }],
    [
      'issues without a path or message',
      [{ message: 'no path' }, { path: [], message: 'empty path' }, { path: ['x'] }],
    ],
    ['not objects', ['text', null, 3]],
  ])('finds none in %s', (_what, details) => {
    expect(fieldProblemsOf(details)).toEqual({});
  });
});

describe('sentence', () => {
  it.each([
    ['must be an http:// URL', 'Must be an http:// URL.'],
    ['Enter the URL.', 'Enter the URL.'],
    ['why?', 'Why?'],
    ['  padded  ', 'Padded.'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(sentence(input)).toBe(expected);
  });
});

describe('fieldProblem', () => {
  it('is an ApiError whose one field problem is its message', () => {
    const e = fieldProblem('target.url', 'Enter the URL.');
    expect(e).toBeInstanceOf(ApiError);
    expect(e.message).toBe('Enter the URL.');
    expect(e.fields).toEqual({ 'target.url': 'Enter the URL.' });
  });
});

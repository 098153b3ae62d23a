import { describe, expect, it } from 'vitest';
import { fetchFailure, httpEchoSource } from './http-echo.js';

describe('fetchFailure', () => {
  it('adds the cause undici hides behind "fetch failed"', () => {
    const err = new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND echo.example') });
    expect(fetchFailure(err)).toBe('fetch failed: getaddrinfo ENOTFOUND echo.example');
  });

  it('keeps a message that already says it, and one without a cause', () => {
    expect(fetchFailure(new Error('connect ECONNREFUSED', { cause: new Error('ECONNREFUSED') }))).toBe(
      'connect ECONNREFUSED',
    );
    expect(fetchFailure(new Error('bad', { cause: new Error('') }))).toBe('bad');
    expect(fetchFailure(new Error('bad', { cause: 'a string' }))).toBe('bad');
    expect(fetchFailure('odd')).toBe('odd');
  });

  it('the HTTP echo source reports the cause', async () => {
    const source = httpEchoSource(
      [{ url: 'http://echo.example/', family: 'ipv4' }],
      () =>
        Promise.reject(
          new TypeError('fetch failed', { cause: new Error('getaddrinfo EAI_AGAIN echo.example') }),
        ),
      1000,
    );
    expect(await source.probe('ipv4', new AbortController().signal)).toEqual([
      {
        kind: 'unavailable',
        source: 'http:echo.example',
        family: 'ipv4',
        reason: 'http://echo.example/: fetch failed: getaddrinfo EAI_AGAIN echo.example',
      },
    ]);
  });
});

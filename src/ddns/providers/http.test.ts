import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../../../test/fakes/fake-api.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import { pathOf, providerRequest, retryAfterMs, unexpectedAnswer } from './http.js';

describe('retryAfterMs', () => {
  const now = new Date('2026-05-01T00:00:00Z');
  it.each([
    [null, undefined],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['Fri, 01 May 2026 00:01:00 GMT', 60_000],
    ['Thu, 30 Apr 2026 23:00:00 GMT', 0],
    ['soon', undefined],
  ])('%s → %s', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms);
  });
});

describe('providerRequest against a real HTTP server', () => {
  let api: FakeApi;
  const clock = new FakeClock(new Date('2026-05-01T00:00:00Z'));
  const deps = { fetch, clock, userAgent: 'Gatehouse/test' };
  beforeAll(async () => {
    api = await startFakeApi((r) => {
      const status = Number(new URL(r.url, 'http://x').searchParams.get('status') ?? '200');
      const headers: Record<string, string> = status === 429 ? { 'retry-after': '30' } : {};
      return {
        status,
        headers,
        body: { echo: r.method, ua: r.headers['user-agent'], body: r.body },
      };
    });
  });
  afterAll(() => api.close());

  it('sends the method, body and User-Agent and returns what a 2xx or 4xx said', async () => {
    const r = await providerRequest(deps, 'Test', {
      method: 'PATCH',
      url: `${api.baseUrl}/x?status=200`,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(r.ok && JSON.parse(r.value.text)).toEqual({
      echo: 'PATCH',
      ua: 'Gatehouse/test',
      body: '{"a":1}',
    });
    const notFound = await providerRequest(deps, 'Test', {
      method: 'GET',
      url: `${api.baseUrl}/x?status=404`,
    });
    expect(notFound.ok && notFound.value.status).toBe(404);
  });

  it.each([
    [401, { kind: 'auth', code: 'HTTP 401' }],
    [403, { kind: 'auth', code: 'HTTP 403' }],
    [429, { kind: 'rate-limited', code: 'HTTP 429', retryAfterMs: 30_000 }],
    [500, { kind: 'transient', code: 'HTTP 500' }],
    [503, { kind: 'transient', code: 'HTTP 503' }],
  ])('HTTP %i is a failure the engine acts on', async (status, expected) => {
    const r = await providerRequest(deps, 'Test', {
      method: 'GET',
      url: `${api.baseUrl}/zones?status=${status}&token=SECRET`,
    });
    expect(r).toMatchObject({ ok: false, error: expected });
    // The query string (a credential for some providers) never reaches the message.
    expect(!r.ok && r.error.message).toBe(
      `Test: GET ${api.baseUrl}/zones: ${
        status === 429
          ? 'rate limited (HTTP 429)'
          : status < 500
            ? `the credentials were refused (HTTP ${status})`
            : `server error (HTTP ${status})`
      }`,
    );
  });

  it('nothing listening is transient', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await providerRequest(deps, 'Test', { method: 'GET', url: `${closed.baseUrl}/a?key=SECRET` });
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(!r.ok && r.error.message).toMatch(
      /^Test: GET http:\/\/127\.0\.0\.1:\d+\/a: fetch failed: .*ECONNREFUSED/,
    );
    expect(!r.ok && r.error.message).not.toContain('SECRET');
  });
});

describe('messages', () => {
  it('pathOf drops the query string', () => {
    expect(pathOf('https://dyn.example/nic/update?hostname=a&password=p')).toBe(
      'https://dyn.example/nic/update',
    );
    expect(pathOf('not a url')).toBe('(invalid URL)');
  });
  it('unexpectedAnswer is transient and shows the start of the body on one line', () => {
    const f = unexpectedAnswer(
      'Test',
      { method: 'GET', url: 'https://api.example/v1/zones?page=2' },
      { status: 200, headers: new Headers(), text: '<html>\n  <body>Bad gateway</body>' + 'x'.repeat(200) },
      'not JSON',
    );
    expect(f).toEqual({
      kind: 'transient',
      code: 'HTTP 200',
      message: `Test: GET https://api.example/v1/zones: unexpected answer (HTTP 200, not JSON): ${JSON.stringify(
        ('<html> <body>Bad gateway</body>' + 'x'.repeat(200)).slice(0, 120),
      )}`,
    });
  });
});

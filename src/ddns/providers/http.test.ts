import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../../../test/fakes/fake-api.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import {
  apiBase,
  endpointSetting,
  jsonRequest,
  pathOf,
  providerRequest,
  readJson,
  retryAfterMs,
  unexpectedAnswer,
} from './http.js';

describe('retryAfterMs', () => {
  const now = new Date('2026-05-01T00:00:00Z');
  it.each([
    [null, undefined],
    ['120', 120_000],
    [' 5 ', 5_000],
    ['Fri, 01 May 2026 00:01:00 GMT', 60_000],
    ['Thu, 30 Apr 2026 23:00:00 GMT', 0],
    ['soon', undefined],
    ['x5', undefined],
    ['5s', undefined],
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
      const query = new URL(r.url, 'http://x').searchParams;
      const status = Number(query.get('status') ?? '200');
      const headers: Record<string, string> = {};
      const retryAfter = query.get('retry-after') ?? (status === 429 ? '30' : null);
      if (retryAfter !== null && retryAfter !== '') headers['retry-after'] = retryAfter;
      const reset = query.get('reset');
      if (reset !== null) headers['ratelimit-reset'] = reset;
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

  it('a 403 is the adapter’s to read unless its provider documents it as refused credentials', async () => {
    const url = `${api.baseUrl}/zones?status=403`;
    const read = await providerRequest(deps, 'Test', { method: 'GET', url });
    expect(read).toMatchObject({ ok: true, value: { status: 403 } });
    const documented = await providerRequest(deps, 'Test', { method: 'GET', url }, { auth: [401, 403] });
    expect(documented).toEqual({
      ok: false,
      error: {
        kind: 'auth',
        code: 'HTTP 403',
        message: `Test: GET ${api.baseUrl}/zones: the credentials were refused (HTTP 403)`,
      },
    });
    // The rules name the statuses: 401 is then only what they say.
    const only403 = await providerRequest(
      deps,
      'Test',
      { method: 'GET', url: `${api.baseUrl}/zones?status=401` },
      { auth: [403] },
    );
    expect(only403).toMatchObject({ ok: true, value: { status: 401 } });
  });

  it.each([
    ['seconds', '120', {}, 120_000],
    ['an HTTP date', 'Fri, 01 May 2026 00:02:00 GMT', {}, 120_000],
    ['an HTTP date already past', 'Thu, 30 Apr 2026 23:00:00 GMT', {}, 0],
    ['none', '', {}, undefined],
    ['none, read by the adapter', '', { reset: '1777593690' }, 90_000],
    ['seconds, before the adapter’s reading', '5', { reset: '1777593690' }, 5_000],
    ['not understood, then the adapter’s', 'soon', { reset: '1777593690' }, 90_000],
    ['none, nor a reset the adapter understands', '', { reset: 'x' }, undefined],
  ])('429 with Retry-After %s waits %s ms', async (_, retryAfter, extra, wait) => {
    const query = new URLSearchParams({ status: '429', 'retry-after': retryAfter, ...extra });
    const rules = {
      retryAfter: (headers: Headers, now: Date) => {
        const reset = Number(headers.get('ratelimit-reset'));
        return Number.isFinite(reset) && reset > 0 ? reset * 1000 - now.getTime() : undefined;
      },
    };
    const r = await providerRequest(
      deps,
      'Test',
      { method: 'GET', url: `${api.baseUrl}/zones?${query.toString()}` },
      'reset' in extra ? rules : {},
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe('rate-limited');
    expect(!r.ok && r.error.retryAfterMs).toBe(wait);
    expect(!r.ok && 'retryAfterMs' in r.error).toBe(wait !== undefined);
  });

  it('a 503 with Retry-After is transient and says how long to wait; without one it says nothing', async () => {
    const r = await providerRequest(deps, 'Test', {
      method: 'GET',
      url: `${api.baseUrl}/zones?status=503&retry-after=45`,
    });
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: 'HTTP 503',
        message: `Test: GET ${api.baseUrl}/zones: server error (HTTP 503)`,
        retryAfterMs: 45_000,
      },
    });
    const plain = await providerRequest(deps, 'Test', {
      method: 'GET',
      url: `${api.baseUrl}/zones?status=500`,
    });
    expect(!plain.ok && 'retryAfterMs' in plain.error).toBe(false);
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

describe('JSON helpers', () => {
  const auth = { authorization: 'Bearer t', accept: 'application/json' };
  it('jsonRequest adds the JSON body and its content type only when there is a body', () => {
    expect(jsonRequest('GET', 'https://api.example/z', auth)).toEqual({
      method: 'GET',
      url: 'https://api.example/z',
      headers: auth,
    });
    expect(jsonRequest('PATCH', 'https://api.example/z', auth, { content: 'a"b', ttl: 60 })).toEqual({
      method: 'PATCH',
      url: 'https://api.example/z',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"content":"a\\"b","ttl":60}',
    });
    // A body that is JSON null is still a body.
    expect(jsonRequest('POST', 'https://api.example/z', {}, null)).toMatchObject({ body: 'null' });
  });

  it('readJson gives the parsed body, or a transient failure that shows what came', () => {
    const request = { method: 'GET', url: 'https://api.example/z?key=SECRET' } as const;
    const answer = (text: string) => ({ status: 200, headers: new Headers(), text });
    expect(readJson('Test', request, answer('{"a":[1]}'))).toEqual({ ok: true, value: { a: [1] } });
    expect(readJson('Test', request, answer('<html>'))).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: 'HTTP 200',
        message: 'Test: GET https://api.example/z: unexpected answer (HTTP 200, not JSON): "<html>"',
      },
    });
  });
});

describe('endpoint settings', () => {
  it('an http(s) URL, the default when not given; as a base without trailing slashes', () => {
    const endpoint = endpointSetting('https://api.example/v1');
    expect(endpoint.parse(undefined)).toBe('https://api.example/v1');
    expect(endpoint.parse('http://127.0.0.1:8080/v1/')).toBe('http://127.0.0.1:8080/v1/');
    for (const bad of ['ftp://api.example/', 'api.example', 'httpsx://a', ''])
      expect(endpoint.safeParse(bad).success).toBe(false);
    expect(apiBase('http://127.0.0.1:8080/v1//')).toBe('http://127.0.0.1:8080/v1');
    expect(apiBase('https://api.example/v1')).toBe('https://api.example/v1');
  });
});

/** @module Bad input at the HTTP boundary: malformed JSON, wrong types, unknown fields, size, query and path checks. */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.js';
import { createApp, maxBodyBytes } from '../../src/http/app.js';
import { createHostAllowList } from '../../src/http/allowed-hosts.js';
import { createMetrics } from '../../src/http/metrics.js';
import { testPassword } from '../support/app-harness.js';
import { bearer, createToken, expectError, harnessPerTest } from '../support/api-helpers.js';

const createHarness = harnessPerTest();

/** A stack frame (`at fn (file:line:col)`) or any source path in a body means internals leaked. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(/\bat [^\s]+ \(/);
  expect(text).not.toMatch(/(^|\\n|\n)\s*at\s/);
  expect(text).not.toMatch(/\bat \S+:\d+:\d+/);
  expect(text).not.toMatch(/\/(src|node_modules|work|home|tmp)\//);
  expect(text).not.toMatch(/\.(ts|js|mjs):\d+/);
  expect(text).not.toContain('SyntaxError');
}

describe('malformed and mistyped bodies', () => {
  it.each([
    ['cut off', '{"username":"admin","password":'],
    ['not JSON at all', 'username=admin&password=x'],
    ['trailing comma', '{"username":"admin",}'],
    ['empty', ''],
  ])('answers 400 body.malformed without internals for a body that is %s', async (_what, rawBody) => {
    const h = await createHarness();
    await h.setupAdmin();
    const res = await h.request('POST', '/api/v1/auth/login', { rawBody });
    const text = await res.clone().text();
    const body = await expectError(res, 400, 'body.malformed');
    expect(body.error.message).toMatch(/JSON/i);
    expectNoInternals(text);
  });

  it('answers 400 validation naming the field for a wrong type', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const body = await expectError(
      await h.request('POST', '/api/v1/auth/login', {
        body: { username: 'admin', password: 12345678901234 },
      }),
      400,
      'validation',
    );
    expect(body.error.message).toMatch(/^json\.password: /);
    expectNoInternals(JSON.stringify(body));
  });

  it('answers 400 naming a nested offending field on a JSON array instead of an object', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const body = await expectError(
      await h.request('POST', '/api/v1/auth/login', { body: ['admin', testPassword] }),
      400,
      'validation',
    );
    expect(body.error.message).toMatch(/^json: /);
  });

  it('answers 400 naming an unknown field', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const body = await expectError(
      await h.request('PATCH', '/api/v1/settings', {
        ...session,
        body: { instanceName: 'Box', isAdmin: true },
      }),
      400,
      'validation',
    );
    expect(body.error.message).toContain('"isAdmin"');
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');
  });

  it('does not echo a rejected password back in a validation error', async () => {
    const h = await createHarness();
    const shortSecret = 'Xy7-short';
    const res = await h.request('POST', '/api/v1/setup', {
      body: { setupToken: h.setupToken, username: 'admin', password: shortSecret },
    });
    const text = await res.clone().text();
    const body = await expectError(res, 400, 'validation');
    expect(body.error.message).toMatch(/^json\.password: .*12/);
    expect(text).not.toContain(shortSecret);
    expect(text).not.toContain(h.setupToken);
  });

  it('refuses a JSON body sent without a JSON content type instead of ignoring it', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const rawBody = JSON.stringify({ username: 'admin', password: testPassword });
    // 415 Unsupported Media Type: the request is well-formed, its media type is not accepted.
    await expectError(
      await h.request('POST', '/api/v1/auth/login', { rawBody, headers: { 'content-type': 'text/plain' } }),
      415,
    );
    await expectError(
      await h.app.request('http://gatehouse.test/api/v1/auth/login', {
        method: 'POST',
        body: rawBody,
        headers: { host: 'gatehouse.test', origin: 'http://gatehouse.test' },
      }),
      415,
    );
    // Nothing logged in: no cookie was issued.
    expect(h.store.read().sessions).toHaveLength(1);
  });

  it('answers 413 body.too-large for a body over 64 KiB, and accepts one just under the limit', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    expect(maxBodyBytes).toBe(64 * 1024);
    const big = JSON.stringify({ instanceName: 'x'.repeat(maxBodyBytes) });
    await expectError(
      await h.request('PATCH', '/api/v1/settings', { ...session, rawBody: big }),
      413,
      'body.too-large',
    );
    // Anonymous callers get the same limit before any parsing.
    await expectError(await h.request('POST', '/api/v1/auth/login', { rawBody: big }), 413, 'body.too-large');
    // Just under the limit the body reaches validation (and fails only on the 64-character rule).
    const padded = JSON.stringify({ instanceName: 'x'.repeat(maxBodyBytes - 100) });
    const underLimit = await h.request('PATCH', '/api/v1/settings', { ...session, rawBody: padded });
    expect((await expectError(underLimit, 400, 'validation')).error.message).toMatch(/^json\.instanceName/);
  });
});

describe('query and path parameters', () => {
  it.each([['limit=0'], ['limit=abc'], ['limit=501'], ['limit=1.5'], ['before=yesterday'], ['colour=red']])(
    'answers 400 validation for the audit query %s',
    async (query) => {
      const h = await createHarness();
      const session = await h.setupAdmin();
      const body = await expectError(
        await h.request('GET', `/api/v1/audit?${query}`, { cookie: session.cookie }),
        400,
        'validation',
      );
      expect(body.error.message).toMatch(/^query/);
      const field = query.split('=')[0] ?? '';
      expect(body.error.message).toContain(field);
    },
  );

  it.each([
    ['GET', '/api/v1/status?colour=red', /query: unknown parameter "colour"/],
    ['GET', '/api/v1/auth/sessions?all=1', /query: unknown parameter "all"/],
    ['GET', '/api/v1/health?x=1&y=2', /query: unknown parameters "x", "y"/],
  ])('answers 400 for a query on %s %s, which takes none', async (method, url, message) => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const body = await expectError(
      await h.request(method, url, { cookie: session.cookie }),
      400,
      'validation',
    );
    expect(body.error.message).toMatch(message);
  });

  it('refuses fields sent to a route that takes no body, but accepts an empty object or no body', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const body = await expectError(
      await h.request('POST', '/api/v1/auth/totp/enrol', { ...session, body: { secret: 'mine' } }),
      400,
      'validation',
    );
    expect(body.error.message).toBe('json: unknown field "secret"');
    expect((await h.request('POST', '/api/v1/auth/totp/enrol', { ...session, body: {} })).status).toBe(200);
    expect((await h.request('POST', '/api/v1/auth/logout', session)).status).toBe(200);
  });

  it('accepts a valid audit query', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/api/v1/audit?limit=500&type=setup.completed', {
      cookie: session.cookie,
    });
    expect(res.status).toBe(200);
  });

  it('answers 400 naming the path parameter for a token id that is not a UUID', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const body = await expectError(
      await h.request('DELETE', '/api/v1/tokens/not-a-uuid', session),
      400,
      'validation',
    );
    expect(body.error.message).toMatch(/^param\.id: /);
  });

  it('answers 404 with the error shape for an authenticated request to an unknown API path', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    await expectError(
      await h.request('GET', '/api/v1/nothing-here', { cookie: session.cookie }),
      404,
      'not-found',
    );
  });
});

describe('failed requests change nothing', () => {
  it('leaves the store exactly as it was after a series of rejected requests', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const before = JSON.stringify(h.store.read());
    const rejected = [
      await h.request('PATCH', '/api/v1/settings', { ...session, rawBody: '{"instanceName":' }),
      await h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: 42 } }),
      await h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: '' } }),
      await h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: 'Box', extra: 1 } }),
      await h.request('PATCH', '/api/v1/settings', { ...session, body: { instanceName: 'bell\u0007' } }),
      await h.request('PATCH', '/api/v1/settings', {
        ...session,
        rawBody: JSON.stringify({ instanceName: 'x'.repeat(maxBodyBytes) }),
      }),
      await h.request('POST', '/api/v1/tokens', { ...session, body: { name: 'bad/name', scope: 'write' } }),
      await h.request('POST', '/api/v1/tokens', { ...session, body: { name: 'ok', scope: 'admin' } }),
      await h.request('POST', '/api/v1/tokens', { ...session, body: { name: 'ok' } }),
      await h.request('POST', '/api/v1/auth/password', {
        ...session,
        body: { currentPassword: testPassword, newPassword: 'short' },
      }),
      await h.request('DELETE', '/api/v1/tokens/not-a-uuid', session),
      await h.request('POST', '/api/v1/auth/totp/confirm', { ...session, body: { code: 'abcdef' } }),
    ];
    expect(rejected.map((r) => r.status)).toEqual([
      400, 400, 400, 400, 400, 413, 400, 400, 400, 400, 400, 400,
    ]);
    for (const r of rejected) await expectError(r, r.status);
    expect(JSON.stringify(h.store.read())).toBe(before);
  });
});

describe('unexpected failures', () => {
  it('answers 500 internal without the error message or stack, and logs the details instead', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'automation', 'write');
    // Use the token once through the real app so that its lastUsedAt write is done.
    expect((await h.request('GET', '/api/v1/settings', { headers: bearer(token) })).status).toBe(200);

    const secretPath = '/var/lib/gatehouse/gatehouse.json';
    const brokenStore: Store = {
      read: () => h.store.read(),
      log: (name) => h.store.log(name),
      update: () => Promise.reject(new Error(`EIO: i/o error, write '${secretPath}'`)),
      location: h.store.location,
    };
    const app = createApp({
      capabilities: h.capabilities,
      store: brokenStore,
      auth: h.auth,
      clock: h.clock,
      logger: h.logger,
      metrics: createMetrics({ processMetrics: false }),
      version: '0.0.0-test',
      tls: false,
      trustProxy: true,
      hosts: createHostAllowList({ listenHost: '127.0.0.1', configured: ['gatehouse.test'] }),
      statusProviders: [],
    });
    const res = await app.request('http://gatehouse.test/api/v1/settings', {
      method: 'PATCH',
      headers: { host: 'gatehouse.test', 'content-type': 'application/json', ...bearer(token) },
      body: JSON.stringify({ instanceName: 'Broken' }),
    });
    const text = await res.clone().text();
    await expectError(res, 500, 'internal');
    expectNoInternals(text);
    expect(text).not.toContain('EIO');
    expect(text).not.toContain(secretPath);
    const logged = h.logger.lines.find((l) => l.msg === 'unhandled error');
    expect(logged?.level).toBe('error');
    expect(JSON.stringify(logged?.fields)).toContain('EIO');
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');
  });
});

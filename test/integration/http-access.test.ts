/**
 * @module Default-deny access control over the whole route table, /metrics, the OpenAPI document and the
 * security headers on every kind of response.
 */
import { describe, expect, it } from 'vitest';
import { publicApiRoutes } from '../../src/http/middleware/guard.js';
import type { StaticAssets } from '../../src/http/assets.js';
import { testPassword, type Harness } from '../support/app-harness.js';
import {
  bearer,
  createToken,
  enableTotp,
  expectError,
  harnessPerTest,
  login,
} from '../support/api-helpers.js';

const createHarness = harnessPerTest();

const someUuid = '3f1c2b9e-8d4a-4c1e-9b7f-2a6d5e4c3b21';

/** Distinct `METHOD path` pairs that the app registered, without the `ALL` middleware entries. */
function registeredRoutes(harness: Harness): { method: string; path: string }[] {
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of harness.app.routes) {
    if (r.method === 'ALL') continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return [...seen.values()];
}

const fillParams = (path: string) =>
  path.replace(/:[A-Za-z]+/g, someUuid).replace(/\{[A-Za-z]+\}/g, someUuid);

describe('default deny for anonymous callers', () => {
  it('keeps the public API list to exactly health, setup and the two login steps', () => {
    expect([...publicApiRoutes].sort()).toEqual([
      'GET /api/v1/health',
      'GET /api/v1/setup',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/login/totp',
      'POST /api/v1/setup',
    ]);
  });

  it('lists only public routes that exist', async () => {
    const h = await createHarness();
    const registered = new Set(registeredRoutes(h).map((r) => `${r.method} ${r.path}`));
    for (const route of publicApiRoutes) expect(registered, route).toContain(route);
  });

  describe.each([
    { when: 'before setup', setup: false },
    { when: 'after setup', setup: true },
  ])('$when', ({ setup }) => {
    it.each([
      { caller: 'no credentials', headers: {} as Record<string, string> },
      { caller: 'an unknown session cookie', headers: { cookie: 'gatehouse_session=not-a-session' } },
      { caller: 'an unknown bearer token', headers: bearer('ghp_notarealtoken') },
      {
        caller: 'a non-bearer Authorization header',
        headers: { authorization: 'Basic YWRtaW46cGFzc3dvcmQ=' },
      },
    ])('answers 401 on every non-public /api route for $caller', async ({ headers }) => {
      const h = await createHarness();
      if (setup) await h.setupAdmin();
      const routes = registeredRoutes(h).filter(
        (r) => r.path.startsWith('/api/') && !publicApiRoutes.has(`${r.method} ${r.path}`),
      );
      // The table must really have been enumerated: every area contributes routes.
      expect(routes.length).toBeGreaterThanOrEqual(15);
      for (const area of ['/auth/', '/tokens', '/audit', '/settings', '/status', '/openapi.json']) {
        expect(
          routes.some((r) => r.path.includes(area)),
          area,
        ).toBe(true);
      }

      const before = JSON.stringify(h.store.read().users);
      const answers: string[] = [];
      for (const r of routes) {
        const isGet = r.method === 'GET';
        const res = await h.request(r.method, fillParams(r.path), {
          headers,
          ...(isGet ? {} : { body: {} }),
        });
        const text = await res.text();
        let code: unknown;
        try {
          code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        } catch {
          code = `not JSON: ${text.slice(0, 40)}`;
        }
        answers.push(`${r.method} ${r.path} → ${res.status} ${String(code)}`);
      }
      expect(answers).toEqual(routes.map((r) => `${r.method} ${r.path} → 401 auth.required`));
      expect(JSON.stringify(h.store.read().users)).toBe(before);
    });
  });

  it('answers 401 with the error shape for an anonymous request to a path that has no route', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    // Default deny comes before routing: an anonymous caller cannot even learn which paths exist.
    await expectError(await h.request('GET', '/api/v1/no-such-thing'), 401, 'auth.required');
    await expectError(await h.request('GET', '/api/v2/status'), 401, 'auth.required');
  });

  it('lets anonymous callers reach the public routes', async () => {
    const h = await createHarness();
    const health = await h.request('GET', '/api/v1/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const setupState = await h.request('GET', '/api/v1/setup');
    expect(await setupState.json()).toEqual({ needsSetup: true });
    await h.setupAdmin();
    expect(await (await h.request('GET', '/api/v1/setup')).json()).toEqual({ needsSetup: false });
    const loggedIn = await login(h);
    expect(loggedIn.res.status).toBe(200);
    // The second login step is reachable (and refuses, because nothing is pending).
    await expectError(
      await h.request('POST', '/api/v1/auth/login/totp', { body: { code: '123456' } }),
      401,
      'auth.no-pending-login',
    );
  });
});

describe('/metrics', () => {
  it('refuses anonymous callers and unknown tokens', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    await expectError(await h.request('GET', '/metrics'), 401, 'auth.required');
    await expectError(
      await h.request('GET', '/metrics', { headers: bearer('ghp_nope') }),
      401,
      'auth.required',
    );
  });

  it('serves Prometheus text to a read-scope token', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'prometheus', 'read');
    await h.request('GET', '/api/v1/health');
    const res = await h.request('GET', '/metrics', { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE gatehouse_http_requests_total counter');
    expect(text).toMatch(
      /gatehouse_http_requests_total\{method="GET",route="\/api\/v1\/health",status="200"\} \d+/,
    );
    expect(text).toContain('gatehouse_login_attempts_total');
  });

  it('serves a complete session too (README: "needs an API token (or a session)")', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/metrics', { cookie: session.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toContain('# TYPE gatehouse_http_requests_total counter');
  });

  it('refuses a session that still waits for its second factor', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    await enableTotp(h, session);
    const { res, cookie } = await login(h);
    expect(((await res.json()) as { stage: string }).stage).toBe('pending-mfa');
    const metrics = await h.app.request('http://gatehouse.test/metrics', {
      headers: { host: 'gatehouse.test', cookie: `${h.cookieName}=${cookie ?? ''}` },
    });
    await expectError(metrics, 401);
  });
});

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes exactly the /api/v1 routes the app serves', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/api/v1/openapi.json', { cookie: session.cookie });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      info: { title: string; version: string };
      servers?: { url: string }[];
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      components: { securitySchemes: Record<string, { type: string; name?: string }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Gatehouse API');
    expect(doc.info.version).toBe('0.0.0-test');
    expect(doc.components.securitySchemes.bearerToken?.type).toBe('http');
    expect(doc.components.securitySchemes.sessionCookie?.name).toBe('gatehouse_session');

    // Paths in the document are relative to its server URL; together they must name the real routes.
    const base = doc.servers?.[0]?.url ?? '';
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        documented.add(`${method.toUpperCase()} ${base}${path}`);
      }
    }
    const served = new Set(
      registeredRoutes(h)
        .filter((r) => r.path.startsWith('/api/v1/') && r.path !== '/api/v1/openapi.json')
        .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    expect([...documented].sort()).toEqual([...served].sort());
  });

  it('names the __Host- cookie when served over TLS', async () => {
    const h = await createHarness({ tls: true });
    const session = await h.setupAdmin();
    const res = await h.request('GET', '/api/v1/openapi.json', { cookie: session.cookie });
    const doc = (await res.json()) as { components: { securitySchemes: Record<string, { name?: string }> } };
    expect(doc.components.securitySchemes.sessionCookie?.name).toBe('__Host-gatehouse_session');
  });
});

describe('security headers', () => {
  const fakeUi: StaticAssets = {
    get: (p) =>
      p === '/assets/app-1234.js'
        ? {
            body: new TextEncoder().encode('console.log(1)'),
            contentType: 'text/javascript',
            immutable: true,
          }
        : undefined,
    index: {
      body: new TextEncoder().encode('<!doctype html><title>Gatehouse</title>'),
      contentType: 'text/html; charset=utf-8',
      immutable: false,
    },
  };

  function expectStrictHeaders(res: Response, where: string) {
    const csp = res.headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map((parts) => [parts[0] ?? '', parts.slice(1)]),
    );
    expect(csp, where).not.toContain('unsafe-inline');
    expect(csp, where).not.toContain('unsafe-eval');
    expect(directives.get('frame-ancestors'), where).toEqual(["'none'"]);
    expect(directives.get('script-src'), where).toEqual(["'self'"]);
    expect(directives.get('object-src'), where).toEqual(["'none'"]);
    expect(directives.get('default-src'), where).toEqual(["'self'"]);
    expect(res.headers.get('x-frame-options'), where).toBe('DENY');
    expect(res.headers.get('x-content-type-options'), where).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), where).toBe('no-referrer');
  }

  it('sets a strict CSP, no framing, nosniff and no referrer on the UI and on every kind of API answer', async () => {
    const h = await createHarness({ assets: fakeUi });
    const session = await h.setupAdmin();
    const ui = await h.request('GET', '/');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<title>Gatehouse</title>');
    expectStrictHeaders(ui, 'GET /');
    expectStrictHeaders(await h.request('GET', '/settings/tokens'), 'client-side route');
    const asset = await h.request('GET', '/assets/app-1234.js');
    expectStrictHeaders(asset, 'asset');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const apiAnswers: [string, Response][] = [
      ['health 200', await h.request('GET', '/api/v1/health')],
      ['status 200', await h.request('GET', '/api/v1/status', { cookie: session.cookie })],
      ['anonymous 401', await h.request('GET', '/api/v1/status')],
      ['unknown route 404', await h.request('GET', '/api/v1/nope', { cookie: session.cookie })],
      ['validation 400', await h.request('GET', '/api/v1/audit?limit=0', { cookie: session.cookie })],
      ['csrf 403', await h.request('PATCH', '/api/v1/settings', { cookie: session.cookie, body: {} })],
      ['malformed 400', await h.request('POST', '/api/v1/auth/login', { rawBody: '{' })],
      ['too large 413', await h.request('POST', '/api/v1/auth/login', { rawBody: 'x'.repeat(70_000) })],
    ];
    for (const [where, res] of apiAnswers) {
      expectStrictHeaders(res, where);
      // Answers from the API may carry session data or CSRF tokens: no cache may keep them.
      expect(res.headers.get('cache-control'), where).toBe('no-store');
    }
    expect(apiAnswers.map(([, r]) => r.status)).toEqual([200, 200, 401, 404, 400, 403, 400, 413]);
  });

  it('sends no HSTS over plain HTTP', async () => {
    const h = await createHarness();
    for (const path of ['/', '/api/v1/health']) {
      expect((await h.request('GET', path)).headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('sends HSTS over TLS, for at least a year', async () => {
    const h = await createHarness({ tls: true });
    for (const path of ['/', '/api/v1/health']) {
      const hsts = (await h.request('GET', path)).headers.get('strict-transport-security') ?? '';
      const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
      expect(maxAge, path).toBeGreaterThanOrEqual(365 * 24 * 3600);
    }
  });

  it('serves a 503 explanation, still with strict headers, when the UI is not built', async () => {
    const h = await createHarness();
    const res = await h.request('GET', '/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
    expectStrictHeaders(res, 'GET / without UI');
  });

  it('refuses unsafe methods outside the API with the error shape', async () => {
    const h = await createHarness({ assets: fakeUi });
    await expectError(await h.request('POST', '/'), 405, 'method-not-allowed');
  });
});

describe('login response', () => {
  it('carries the session id in the HttpOnly cookie only, never in the body', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const { res, cookie } = await login(h, { password: testPassword });
    expect(cookie).toBeDefined();
    expect(await res.text()).not.toContain(cookie!);
  });
});

import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiProblem } from '../http/errors.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import type { StatusCardProvider } from '../status/cards.js';
import { createControlApi, maxControlBodyBytes, readJsonBody, statusSource, type ControlEnv } from './api.js';
import { statusViewSchema, type StatusView } from './status-view.js';

const view: StatusView = {
  version: '1.2.3',
  pid: 42,
  url: 'http://127.0.0.1:8080',
  startedAt: '2026-01-01T00:00:00.000Z',
  uptimeSeconds: 5,
  cards: [{ id: 'system', title: 'Gatehouse', state: 'ok', summary: 'Running.', facts: [] }],
};

function api(extra: Partial<Parameters<typeof createControlApi>[0]> = {}) {
  const logger = new MemoryLogger();
  const app = createControlApi({ status: () => Promise.resolve(view), logger, ...extra });
  return { app, logger };
}

describe('control API', () => {
  it('GET /v1/status answers the status view, never cached', async () => {
    const res = await api().app.request('/v1/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(statusViewSchema.parse(await res.json())).toEqual(view);
  });

  it('an unknown route answers the public API error shape', async () => {
    const res = await api().app.request('/v1/nothing', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not-found', message: 'no route POST /v1/nothing' } });
  });

  it("mounts each capability's control routes under /v1/<id>, with the caller as the local administrator", async () => {
    const ddns = new Hono<ControlEnv>()
      .get('/whoami', (c) => c.json(c.get('identity')))
      .post('/update', async (c) => {
        const body = await readJsonBody(c, z.object({ host: z.string().min(1) }).strict());
        if (body.host === 'taken') throw new ApiProblem(409, 'ddns.conflict', 'host is taken');
        return c.json({ updated: body.host });
      });
    const { app } = api({ capabilities: [{ id: 'reachability' }, { id: 'ddns', controlRoutes: ddns }] });

    const who = await app.request('/v1/ddns/whoami');
    expect(await who.json()).toEqual({ kind: 'local', actor: 'local', clientAddress: 'local' });

    const post = (body: string) =>
      app.request('/v1/ddns/update', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    const done = await post('{"host":"home"}');
    expect([done.status, await done.json()]).toEqual([200, { updated: 'home' }]);
    const conflict = await post('{"host":"taken"}');
    expect([conflict.status, await conflict.json()]).toEqual([
      409,
      { error: { code: 'ddns.conflict', message: 'host is taken' } },
    ]);
    const invalid = await post('{"host":""}');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: 'validation', message: /^body\.host: / } });
    const extra = await post('{"host":"a","x":1}');
    expect(await extra.json()).toMatchObject({
      error: { code: 'validation', message: 'body: unknown field "x"' },
    });
    const malformed = await post('{"host":');
    expect([malformed.status, await malformed.json()]).toEqual([
      400,
      { error: { code: 'body.malformed', message: 'malformed JSON in request body' } },
    ]);
    const big = await post(JSON.stringify({ host: 'x'.repeat(maxControlBodyBytes) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: 'body.too-large' } });
  });

  it('a failing route answers 500 without its message and logs it', async () => {
    const broken = new Hono<ControlEnv>().get('/boom', () => {
      throw new Error('secret detail');
    });
    const { app, logger } = api({ capabilities: [{ id: 'broken', controlRoutes: broken }] });
    const res = await app.request('/v1/broken/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'internal', message: 'internal error; see the server log' },
    });
    expect(text).not.toContain('secret detail');
    expect(logger.lines.find((l) => l.level === 'error')?.fields).toMatchObject({ path: '/v1/broken/boom' });
  });

  it.each([
    [[{ id: 'status', controlRoutes: new Hono<ControlEnv>() }], /cannot name a control API path/],
    [[{ id: 'Bad/Id', controlRoutes: new Hono<ControlEnv>() }], /cannot name a control API path/],
    [
      [
        { id: 'ddns', controlRoutes: new Hono<ControlEnv>() },
        { id: 'ddns', controlRoutes: new Hono<ControlEnv>() },
      ],
      /two capabilities have the id "ddns"/,
    ],
  ])('refuses capability ids that cannot be paths: %#', (capabilities, message) => {
    expect(() => api({ capabilities })).toThrow(message);
  });
});

describe('statusSource', () => {
  it('collects the cards in order and counts uptime from the start on the clock', async () => {
    const clock = new FakeClock('2026-03-01T10:00:00.000Z');
    const startedAt = clock.now();
    let url = 'http://127.0.0.1:0';
    const providers: StatusCardProvider[] = [
      { id: 'a', card: () => ({ id: 'a', title: 'A', state: 'ok', summary: 'fine', facts: [] }) },
      {
        id: 'b',
        card: () => {
          throw new Error('broken provider');
        },
      },
    ];
    const late: StatusCardProvider = {
      id: 'c',
      card: () => ({ id: 'c', title: 'C', state: 'warning', summary: 'look', facts: [] }),
    };
    const status = statusSource({
      version: '9.9.9',
      pid: 7,
      startedAt,
      clock,
      url: () => url,
      providers,
      capabilities: [{}, { statusCards: [late] }],
    });
    clock.advance(3_725_900);
    url = 'http://127.0.0.1:8443';
    expect(await status()).toEqual({
      version: '9.9.9',
      pid: 7,
      url: 'http://127.0.0.1:8443',
      startedAt: '2026-03-01T10:00:00.000Z',
      uptimeSeconds: 3725,
      cards: [
        { id: 'a', title: 'A', state: 'ok', summary: 'fine', facts: [] },
        { id: 'b', title: 'b', state: 'unknown', summary: 'status unavailable: broken provider', facts: [] },
        { id: 'c', title: 'C', state: 'warning', summary: 'look', facts: [] },
      ],
    });
  });
});

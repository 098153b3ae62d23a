/**
 * @module The alerts routes over HTTP: who may do what, input validation, secrets never coming back, the test
 * button. The router is mounted under /api/v1 behind the real API guard, with a test middleware standing in
 * for identify() (which the full app runs first).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifierFactory } from '../../src/alerts/notifiers/factory.js';
import { AlertService } from '../../src/alerts/service.js';
import { createRuleRegistry } from '../../src/alerts/catalogue.js';
import { reachabilityRules } from '../../src/reach/alert-rules.js';
import type { ApiToken, Session, User } from '../../src/store/schema.js';
import type { AppEnv, Identity } from '../../src/http/context.js';
import { ApiProblem, errorBody } from '../../src/http/errors.js';
import { apiGuard } from '../../src/http/middleware/guard.js';
import { alertRoutes } from '../../src/alerts/routes.js';
import { FakeClock } from '../fakes/clock.js';
import { MemoryLogger } from '../fakes/logger.js';
import { MemoryStore } from '../fakes/store.js';
import { expectError } from '../support/api-helpers.js';
import { refusedUrl, startReceiver, type Receiver } from '../support/loopback-receiver.js';
import { readAuditLog } from '../../src/audit/read.js';
import { aUser } from '../fakes/user.js';

const user: User = aUser();
const session: Session = {
  idHash: 'h',
  userId: 'u1',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2027-01-01T00:00:00.000Z',
  stage: 'complete',
  csrfToken: 'c',
  clientAddress: '192.0.2.1',
  userAgent: 'test',
};
const token = (scope: 'read' | 'write'): ApiToken => ({
  id: `t-${scope}`,
  name: `script-${scope}`,
  scope,
  tokenHash: 'h',
  prefix: 'ghp_',
  createdAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
  createdBy: 'admin',
});
const identities = {
  session: { kind: 'session', user, session, sessionId: 's' },
  read: { kind: 'token', token: token('read') },
  write: { kind: 'token', token: token('write') },
  anonymous: { kind: 'anonymous' },
} satisfies Record<string, Identity>;
type Who = keyof typeof identities;

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

function setup() {
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const store = new MemoryStore();
  const logger = new MemoryLogger();
  const alerts = new AlertService({
    store,
    rules: createRuleRegistry(reachabilityRules),
    clock,
    logger,
    notifiers: createNotifierFactory({ fetch }),
  });
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('identity', identities[(c.req.header('x-test-identity') ?? 'anonymous') as Who]);
    c.set('requestContext', { clientAddress: '192.0.2.1', userAgent: 'test' });
    await next();
  });
  app.use('/api/*', apiGuard());
  const api = alertRoutes(alerts);
  app.route('/api/v1', api);
  app.onError((err, c) => {
    // As createApp renders them: expected failures, and Hono's own request faults (malformed JSON).
    if (err instanceof ApiProblem) return c.json(errorBody(err.code, err.message, err.details), err.status);
    if (err instanceof HTTPException) return c.json(errorBody('body.malformed', err.message), err.status);
    throw err;
  });
  function request(who: Who, method: string, path: string, body?: unknown) {
    return app.request(`http://gatehouse.test/api/v1${path}`, {
      method,
      headers: {
        'x-test-identity': who,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  }
  return { alerts, store, clock, api, request };
}

async function json<T = Record<string, unknown>>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

const webhookSecret = 'webhook-secret-0123456789';

describe('reading and acknowledging alerts', () => {
  it('anyone logged in reads; write tokens and sessions acknowledge; read tokens and strangers cannot', async () => {
    const h = setup();
    const raised = await h.alerts.raise({ rule: 'reach.cgnat', key: 'ipv4', message: 'CGNAT.' });
    const id = raised.alert!.id;

    await expectError(await h.request('anonymous', 'GET', '/alerts'), 401, 'auth.required');
    const list = await json<{ active: Record<string, unknown>[]; recent: unknown[] }>(
      await h.request('read', 'GET', '/alerts'),
      200,
    );
    expect(list.active).toHaveLength(1);
    expect(list.active[0]).toMatchObject({
      id,
      rule: 'reach.cgnat',
      severity: 'critical',
      acknowledgedAt: null,
    });
    expect(list.active[0]).not.toHaveProperty('notifiedChannelIds');
    expect(list.recent).toEqual([]);

    await expectError(
      await h.request('read', 'POST', `/alerts/${id}/acknowledge`),
      403,
      'auth.read-only-token',
    );
    const acked = await json<{ alert: { acknowledgedAt: string } }>(
      await h.request('write', 'POST', `/alerts/${id}/acknowledge`),
      200,
    );
    expect(acked.alert.acknowledgedAt).toBe('2026-03-01T12:00:00.000Z');
    expect(readAuditLog(h.store.log('audit')).at(-1)).toMatchObject({
      type: 'alerts.acknowledged',
      actor: 'token:script-write',
    });
    await json(await h.request('session', 'POST', `/alerts/${id}/acknowledge`), 200);

    await expectError(
      await h.request('session', 'POST', '/alerts/5f0c9d7e-1111-4a2b-8c3d-000000000000/acknowledge'),
      404,
      'alerts.not-found',
    );
    await expectError(
      await h.request('session', 'POST', '/alerts/not-a-uuid/acknowledge'),
      400,
      'validation',
    );
    await expectError(
      await h.request('session', 'POST', `/alerts/${id}/acknowledge`, { why: 1 }),
      400,
      'validation',
    );
    await expectError(await h.request('read', 'GET', '/alerts?limit=5'), 400, 'validation');
  });
});

describe('channels', () => {
  it('are managed with a session only, never with an API token', async () => {
    const h = setup();
    const body = {
      name: 'hook',
      target: { kind: 'slack', url: 'https://hooks.slack.example/services/T/B/x' },
    };
    const uuid = '5f0c9d7e-1111-4a2b-8c3d-000000000000';
    for (const who of ['read', 'write'] as const) {
      await expectError(await h.request(who, 'GET', '/alerts/channels'), 403, 'auth.session-required');
      if (who === 'write') {
        await expectError(
          await h.request(who, 'POST', '/alerts/channels', body),
          403,
          'auth.session-required',
        );
        await expectError(await h.request(who, 'PATCH', `/alerts/channels/${uuid}`, { name: 'x' }), 403);
        await expectError(await h.request(who, 'DELETE', `/alerts/channels/${uuid}`), 403);
        await expectError(await h.request(who, 'POST', `/alerts/channels/${uuid}/test`), 403);
      }
    }
    // Deliveries are part of reading alerts.
    await json(await h.request('read', 'GET', '/alerts/deliveries'), 200);
    expect(h.store.read().alerts.channels).toEqual([]);
    await json(await h.request('session', 'POST', '/alerts/channels', body), 201);
  });

  it('never returns a secret or a secret-bearing URL, only flags and a hint', async () => {
    const h = setup();
    const targets = [
      { kind: 'webhook', url: 'https://hooks.example.net/gatehouse?key=abc123', secret: webhookSecret },
      { kind: 'ntfy', url: 'https://ntfy.sh/my-secret-topic-xyz', token: 'tk_ntfytoken123' },
      { kind: 'gotify', url: 'https://push.example.net/', token: 'GotifyAppTok' },
      { kind: 'discord', url: 'https://discord.com/api/webhooks/123456/DiscordWebhookTok' },
      { kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/SlackSecretPart' },
      {
        kind: 'email',
        host: 'smtp.example.net',
        port: 587,
        security: 'starttls',
        username: 'alerts',
        password: 'smtp-password-1',
        from: 'gatehouse@example.net',
        to: ['me@example.org'],
      },
    ];
    const secrets = [
      'abc123',
      webhookSecret,
      'my-secret-topic-xyz',
      'tk_ntfytoken123',
      'GotifyAppTok',
      'DiscordWebhookTok',
      'SlackSecretPart',
      'smtp-password-1',
    ];
    const answers: string[] = [];
    for (const [i, target] of targets.entries()) {
      const res = await h.request('session', 'POST', '/alerts/channels', { name: `c${i}`, target });
      const text = await res.text();
      expect(res.status, text).toBe(201);
      answers.push(text);
    }
    const listed = await h.request('session', 'GET', '/alerts/channels');
    const listText = await listed.text();
    answers.push(listText);
    for (const text of answers) for (const secret of secrets) expect(text).not.toContain(secret);

    const { channels } = JSON.parse(listText) as { channels: { target: unknown }[] };
    expect(channels.map((c) => c.target)).toEqual([
      { kind: 'webhook', urlHint: 'https://hooks.example.net/gatehouse?…', hasSecret: true },
      { kind: 'ntfy', urlHint: 'https://ntfy.sh/…', hasToken: true },
      { kind: 'gotify', urlHint: 'https://push.example.net/', hasToken: true },
      { kind: 'discord', urlHint: 'https://discord.com/…' },
      { kind: 'slack', urlHint: 'https://hooks.slack.com/…' },
      {
        kind: 'email',
        host: 'smtp.example.net',
        port: 587,
        security: 'starttls',
        username: 'alerts',
        hasPassword: true,
        from: 'gatehouse@example.net',
        to: ['me@example.org'],
      },
    ]);
  });

  it('keeps write-only fields that an edit leaves out, and deletes', async () => {
    const h = setup();
    const created = await json<{ channel: { id: string } }>(
      await h.request('session', 'POST', '/alerts/channels', {
        name: 'hook',
        minSeverity: 'critical',
        target: { kind: 'webhook', url: 'https://hooks.example.net/a', secret: webhookSecret },
      }),
      201,
    );
    const id = created.channel.id;
    const patched = await json<{ channel: Record<string, unknown> }>(
      await h.request('session', 'PATCH', `/alerts/channels/${id}`, {
        name: 'Home Assistant',
        enabled: false,
        target: { kind: 'webhook', url: 'https://hooks.example.net/b' },
      }),
      200,
    );
    expect(patched.channel).toMatchObject({
      name: 'Home Assistant',
      enabled: false,
      minSeverity: 'critical',
    });
    expect(h.store.read().alerts.channels[0]?.target).toEqual({
      kind: 'webhook',
      url: 'https://hooks.example.net/b',
      secret: webhookSecret,
    });
    await expectError(
      await h.request('session', 'PATCH', `/alerts/channels/${id}`, {
        target: { kind: 'webhook', url: 'https://attacker.example/collect' },
      }),
      400,
      'alerts.secret-required',
    );
    await expectError(
      await h.request('session', 'PATCH', `/alerts/channels/${id}`, { target: { kind: 'gotify' } }),
      400,
      'alerts.secret-required',
    );
    await json(await h.request('session', 'DELETE', `/alerts/channels/${id}`), 200);
    await expectError(
      await h.request('session', 'DELETE', `/alerts/channels/${id}`),
      404,
      'alerts.channel-not-found',
    );
    await expectError(
      await h.request('session', 'PATCH', `/alerts/channels/${id}`, { name: 'x' }),
      404,
      'alerts.channel-not-found',
    );
  });

  it.each([
    ['an ftp URL', { kind: 'slack', url: 'ftp://files.example.net/x' }, 'json.target.url'],
    ['a javascript URL', { kind: 'discord', url: 'javascript:alert(1)' }, 'json.target.url'],
    [
      'credentials in the URL',
      { kind: 'slack', url: 'https://user:pw@hooks.example.net/x' },
      'json.target.url',
    ],
    [
      'a line break in a URL',
      { kind: 'slack', url: 'https://hooks.example.net/x\r\nHost: evil' },
      'json.target.url',
    ],
    [
      'a short webhook secret',
      { kind: 'webhook', url: 'https://h.example/x', secret: 'short' },
      'json.target.secret',
    ],
    [
      'a token with a line break',
      { kind: 'ntfy', url: 'https://ntfy.sh/t', token: 'tk\r\nX: 1' },
      'json.target.token',
    ],
    ['an unknown kind', { kind: 'pager', url: 'https://h.example/x' }, 'json.target.kind'],
    ['an unknown field', { kind: 'discord', url: 'https://h.example/x', username: 'x' }, 'json.target'],
    [
      'a line break in an address',
      {
        kind: 'email',
        host: 'smtp.example.net',
        port: 25,
        security: 'none',
        username: null,
        password: null,
        from: 'a@example.net\r\nBcc: b@example.net',
        to: ['me@example.org'],
      },
      'json.target.from',
    ],
    [
      'a bad port',
      {
        kind: 'email',
        host: 'smtp.example.net',
        port: 70000,
        security: 'none',
        username: null,
        password: null,
        from: 'a@example.net',
        to: ['me@example.org'],
      },
      'json.target.port',
    ],
  ])('refuses %s', async (_what, target, field) => {
    const h = setup();
    const body = await expectError(
      await h.request('session', 'POST', '/alerts/channels', { name: 'x', target }),
      400,
      'validation',
    );
    expect(body.error.message.startsWith(field), body.error.message).toBe(true);
    expect(h.store.read().alerts.channels).toEqual([]);
  });

  it('names the field of every problem in details, in plain words, for the form to show beside it', async () => {
    const h = setup();
    const blocked = await expectError(
      await h.request('session', 'POST', '/alerts/channels', {
        name: 'x',
        target: { kind: 'ntfy', url: 'http://127.0.0.1:6000/t', token: null },
      }),
      400,
      'validation',
    );
    expect(blocked.error.details).toEqual([
      expect.objectContaining({
        path: ['target', 'url'],
        message:
          'that port is reserved for another protocol, so web requests to it are refused; use another port',
      }),
    ]);
    const empty = await expectError(
      await h.request('session', 'POST', '/alerts/channels', {
        name: '',
        target: { kind: 'gotify', url: 'https://push.example.net', token: '' },
      }),
      400,
      'validation',
    );
    expect(empty.error.details).toEqual([
      expect.objectContaining({ path: ['name'], message: 'enter a name' }),
      expect.objectContaining({ path: ['target', 'token'], message: 'enter the token' }),
    ]);

    const target = { kind: 'webhook', url: 'https://hooks.example.net/a', secret: webhookSecret };
    const created = await json<{ channel: { id: string } }>(
      await h.request('session', 'POST', '/alerts/channels', { name: 'Hook', target }),
      201,
    );
    const taken = await expectError(
      await h.request('session', 'POST', '/alerts/channels', { name: 'hook', target }),
      409,
      'alerts.channel-name-taken',
    );
    expect(taken.error.details).toEqual([{ path: ['name'], message: 'a channel named "hook" exists' }]);
    const moved = await expectError(
      await h.request('session', 'PATCH', `/alerts/channels/${created.channel.id}`, {
        target: { kind: 'webhook', url: 'https://elsewhere.example.net/a' },
      }),
      400,
      'alerts.secret-required',
    );
    expect(moved.error.details).toEqual([
      {
        path: ['target', 'secret'],
        message: 'enter the secret again: it is kept only while the channel keeps its kind and server',
      },
    ]);
  });

  it('refuses a name with a line break, a duplicate name, and a body that is not JSON', async () => {
    const h = setup();
    const target = { kind: 'slack', url: 'https://hooks.example.net/x' };
    const bad = await expectError(
      await h.request('session', 'POST', '/alerts/channels', { name: 'a\r\nb', target }),
      400,
      'validation',
    );
    expect(bad.error.message).toMatch(/^json\.name: /);
    await json(await h.request('session', 'POST', '/alerts/channels', { name: 'Slack', target }), 201);
    await expectError(
      await h.request('session', 'POST', '/alerts/channels', { name: 'slack', target }),
      409,
      'alerts.channel-name-taken',
    );
    await expectError(
      await h.request('session', 'POST', '/alerts/channels', '{"name":'),
      400,
      'body.malformed',
    );
  });
});

describe('the test button and deliveries', () => {
  it('sends a test notification and answers with its outcome; deliveries list both', async () => {
    const h = setup();
    const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    receivers.push(receiver);
    const good = await json<{ channel: { id: string } }>(
      await h.request('session', 'POST', '/alerts/channels', {
        name: 'ntfy',
        target: { kind: 'ntfy', url: `${receiver.origin}/alerts`, token: null },
      }),
      201,
    );
    const bad = await json<{ channel: { id: string } }>(
      await h.request('session', 'POST', '/alerts/channels', {
        name: 'down',
        target: { kind: 'webhook', url: await refusedUrl(), secret: webhookSecret },
      }),
      201,
    );

    const ok = await json(
      await h.request('session', 'POST', `/alerts/channels/${good.channel.id}/test`),
      200,
    );
    expect(ok).toEqual({ ok: true, error: null, at: '2026-03-01T12:00:00.000Z' });
    const req = await receiver.next();
    expect(req.url).toBe('/alerts');
    expect(req.headers.title).toBe('[Gatehouse] Test: Test notification');

    const failed = await json<{ ok: boolean; error: string }>(
      await h.request('session', 'POST', `/alerts/channels/${bad.channel.id}/test`),
      200,
    );
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+$/);
    await expectError(
      await h.request('session', 'POST', `/alerts/channels/${good.channel.id}/test`, { extra: true }),
      400,
      'validation',
    );
    await expectError(
      await h.request('session', 'POST', '/alerts/channels/5f0c9d7e-1111-4a2b-8c3d-000000000000/test'),
      404,
      'alerts.channel-not-found',
    );

    const raised = await h.alerts.raise({ rule: 'reach.double-nat', key: '', message: 'Two routers.' });
    const { deliveries } = await json<{ deliveries: Record<string, unknown>[] }>(
      await h.request('read', 'GET', '/alerts/deliveries'),
      200,
    );
    expect(deliveries.map((d) => [d.channelName, d.alertTitle, d.ok])).toEqual([
      ['down', 'Behind two NATs', false],
      ['ntfy', 'Behind two NATs', true],
      ['down', null, false],
      ['ntfy', null, true],
    ]);
    expect(deliveries[0]?.alertId).toBe(raised.alert?.id);
  });
});

describe('testing before saving, and the last delivery', () => {
  it('tests a channel that is not saved: the receiver gets it, nothing is stored but the audit event', async () => {
    const h = setup();
    const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    receivers.push(receiver);
    const result = await json(
      await h.request('session', 'POST', '/alerts/channels/test', {
        name: 'Phone',
        target: { kind: 'webhook', url: `${receiver.origin}/hook`, secret: webhookSecret },
      }),
      200,
    );
    expect(result).toEqual({ ok: true, error: null, at: '2026-03-01T12:00:00.000Z' });
    const req = await receiver.next();
    expect(req.url).toBe('/hook');
    expect(req.headers['x-gatehouse-event']).toBe('test');
    expect(h.store.read().alerts.channels).toEqual([]);
    expect([...h.store.log('alerts.deliveries').newestFirst()]).toEqual([]);
    expect(readAuditLog(h.store.log('audit')).map((e) => [e.type, e.outcome, e.details])).toEqual([
      ['alerts.channel-tested', 'success', { channel: null, name: 'Phone', kind: 'webhook', unsaved: true }],
    ]);

    const failed = await json<{ ok: boolean; error: string }>(
      await h.request('session', 'POST', '/alerts/channels/test', {
        target: { kind: 'slack', url: await refusedUrl() },
      }),
      200,
    );
    expect(failed.ok).toBe(false);
    expect(failed.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+$/);

    // The same validation as adding one, and the same rule: a session only.
    const invalid = await expectError(
      await h.request('session', 'POST', '/alerts/channels/test', {
        target: { kind: 'slack', url: 'ftp://x.example' },
      }),
      400,
      'validation',
    );
    expect(invalid.error.details).toEqual([expect.objectContaining({ path: ['target', 'url'] })]);
    await expectError(
      await h.request('write', 'POST', '/alerts/channels/test', {
        target: { kind: 'slack', url: `${receiver.origin}/x` },
      }),
      403,
    );
    expect(receiver.requests).toHaveLength(1);
  });

  it('tests an edit before it is saved, with the stored secret only while the server stays', async () => {
    const h = setup();
    const receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    receivers.push(receiver);
    const created = await json<{ channel: { id: string } }>(
      await h.request('session', 'POST', '/alerts/channels', {
        name: 'Hook',
        target: { kind: 'webhook', url: `${receiver.origin}/old`, secret: webhookSecret },
      }),
      201,
    );
    const id = created.channel.id;
    const result = await json(
      await h.request('session', 'POST', `/alerts/channels/${id}/test`, {
        target: { kind: 'webhook', url: `${receiver.origin}/new` },
      }),
      200,
    );
    expect(result).toMatchObject({ ok: true });
    const req = await receiver.next();
    // Sent to the edited URL, signed with the stored secret; the channel itself is unchanged.
    expect(req.url).toBe('/new');
    expect(req.headers['x-gatehouse-signature']).toMatch(/^sha256=/);
    expect(h.store.read().alerts.channels[0]?.target).toMatchObject({ url: `${receiver.origin}/old` });
    expect(h.store.read().alerts.channels[0]?.lastDelivery).toBeUndefined();
    expect([...h.store.log('alerts.deliveries').newestFirst()]).toEqual([]);

    // A new server needs the secret typed again, as saving would.
    await expectError(
      await h.request('session', 'POST', `/alerts/channels/${id}/test`, {
        target: { kind: 'webhook', url: 'https://attacker.example/collect' },
      }),
      400,
      'alerts.secret-required',
    );
    expect(receiver.requests).toHaveLength(1);
  });

  it("keeps each channel's last delivery with it, shown after a reload, and forgets it when the target changes", async () => {
    const h = setup();
    const receiver = await startReceiver(() => ({ status: 503, body: '{"error":"maintenance"}' }));
    receivers.push(receiver);
    const created = await json<{ channel: { id: string; lastDelivery: unknown } }>(
      await h.request('session', 'POST', '/alerts/channels', {
        name: 'ntfy',
        target: { kind: 'ntfy', url: `${receiver.origin}/topic`, token: null },
      }),
      201,
    );
    expect(created.channel.lastDelivery).toBeNull();
    const id = created.channel.id;
    await json(await h.request('session', 'POST', `/alerts/channels/${id}/test`), 200);
    const host = new URL(receiver.origin).host;
    const listed = async () =>
      (
        await json<{ channels: { lastDelivery: unknown }[] }>(
          await h.request('session', 'GET', '/alerts/channels'),
          200,
        )
      ).channels[0]?.lastDelivery;
    expect(await listed()).toEqual({
      at: '2026-03-01T12:00:00.000Z',
      event: 'test',
      ok: false,
      error: `${host} answered 503 Service Unavailable: maintenance`,
    });

    // An alert's delivery is the newer last delivery.
    h.clock.advance(60_000);
    await h.alerts.raise({ rule: 'reach.double-nat', key: '', message: 'Two routers.' });
    expect(await listed()).toMatchObject({ at: '2026-03-01T12:01:00.000Z', event: 'raised', ok: false });

    // Renaming keeps it; pointing the channel elsewhere forgets it.
    await json(await h.request('session', 'PATCH', `/alerts/channels/${id}`, { name: 'Phone' }), 200);
    expect(await listed()).toMatchObject({ event: 'raised' });
    await json(
      await h.request('session', 'PATCH', `/alerts/channels/${id}`, {
        target: { kind: 'ntfy', url: `${receiver.origin}/other`, token: null },
      }),
      200,
    );
    expect(await listed()).toBeNull();
  });
});

describe('OpenAPI', () => {
  it('describes every alerts route', () => {
    const h = setup();
    const doc = h.api.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual([
      '/alerts',
      '/alerts/channels',
      '/alerts/channels/test',
      '/alerts/channels/{id}',
      '/alerts/channels/{id}/test',
      '/alerts/deliveries',
      '/alerts/{id}/acknowledge',
    ]);
  });
});

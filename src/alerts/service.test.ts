/** @module AlertService with the real notifiers against real receivers on loopback, a memory store and a fake clock. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { MemoryStore } from '../../test/fakes/store.js';
import {
  refusedUrl,
  startReceiver,
  type Receiver,
  type Reply,
} from '../../test/support/loopback-receiver.js';
import type { ChannelTarget, Severity } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { readAll } from '../store/log.js';
import { readAuditLog } from '../audit/read.js';
import type { NewChannel } from './channels.js';
import { createNotifierFactory } from './notifiers/factory.js';
import type { NotifierFactory } from './notifiers/notifier.js';
import { AlertService, alertSink, type AlertServiceDeps } from './service.js';
import { createRuleRegistry } from './catalogue.js';
import { reachabilityRules } from '../reach/alert-rules.js';

const rules = createRuleRegistry(reachabilityRules);

const admin = { actor: 'admin', clientAddress: '192.0.2.10' };
const webhookSecret = 'a-webhook-secret-of-some-length';
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(reply?: (r: { url: string }) => Reply | 'hang'): Promise<Receiver> {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}

function setup(overrides: Partial<AlertServiceDeps> = {}) {
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const logger = new MemoryLogger();
  const store = new MemoryStore();
  let n = 0;
  const service = new AlertService({
    store,
    rules,
    clock,
    logger,
    notifiers: createNotifierFactory({ fetch }),
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    ...overrides,
  });
  return { clock, logger, store, service };
}

async function addChannel(
  service: AlertService,
  name: string,
  target: ChannelTarget,
  minSeverity: Severity = 'info',
): Promise<string> {
  const input: NewChannel = { name, enabled: true, minSeverity, target };
  const created = await service.createChannel(input, admin);
  if (!created.ok) throw new Error(created.error.message);
  return created.value.id;
}

function validSignature(headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', webhookSecret)
      .update(`${String(headers['x-gatehouse-timestamp'])}.${body}`)
      .digest('hex')}`,
  );
  const got = Buffer.from(String(headers['x-gatehouse-signature']));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('raising alerts', () => {
  it('an alert reaches a webhook receiver on loopback with a valid signature, once, and its end too', async () => {
    const { service, store, clock } = setup();
    const hook = await receiver();
    await addChannel(service, 'hook', { kind: 'webhook', url: `${hook.origin}/in`, secret: webhookSecret });

    const report = await service.raise({
      rule: 'reach.cgnat',
      key: 'ipv4',
      message: 'The WAN address 100.64.3.4 is in the CGNAT range.',
      details: { wanAddress: '100.64.3.4' },
    });
    expect(report.change).toBe('raised');
    expect(report.deliveries).toMatchObject([{ ok: true, error: null, alertId: report.alert?.id }]);
    const req = await hook.next();
    expect(validSignature(req.headers, req.body)).toBe(true);
    expect(req.headers['x-gatehouse-timestamp']).toBe(String(clock.now().getTime() / 1000));
    const payload = JSON.parse(req.body) as { event: string; alert: Record<string, unknown> };
    expect(payload.event).toBe('raised');
    expect(payload.alert).toMatchObject({
      rule: 'reach.cgnat',
      key: 'ipv4',
      severity: 'critical',
      details: { wanAddress: '100.64.3.4' },
    });
    expect(payload.alert).not.toHaveProperty('notifiedChannelIds');

    clock.advance(60_000);
    const again = await service.raise({ rule: 'reach.cgnat', key: 'ipv4', message: 'still' });
    expect(again.change).toBe('repeated');
    expect(again.deliveries).toEqual([]);

    clock.advance(60_000);
    const cleared = await service.clear('reach.cgnat', 'ipv4');
    expect(cleared.deliveries).toMatchObject([{ ok: true }]);
    const end = await hook.next();
    expect(validSignature(end.headers, end.body)).toBe(true);
    expect(end.headers['x-gatehouse-event']).toBe('cleared');
    expect(hook.requests).toHaveLength(2);
    expect(readAll(store.log('alerts.deliveries'))).toHaveLength(2);
  });

  it('records a refused and a failing channel and still delivers to the next one', async () => {
    const { service, store, logger } = setup();
    const broken = await receiver(() => ({ status: 500, body: 'internal trouble' }));
    const good = await receiver(() => ({ status: 204 }));
    const refused = await addChannel(service, 'refused', {
      kind: 'webhook',
      url: await refusedUrl(),
      secret: webhookSecret,
    });
    const failing = await addChannel(service, 'failing', {
      kind: 'ntfy',
      url: `${broken.origin}/topic`,
      token: 'tk_secret_token',
    });
    const working = await addChannel(service, 'working', {
      kind: 'discord',
      url: `${good.origin}/api/webhooks/1/x`,
    });

    const report = await service.raise({
      rule: 'reach.udp-blocked',
      key: 'ipv4',
      message: 'UDP does not get out.',
    });

    expect(report.deliveries.map((d) => [d.channelId, d.ok])).toEqual([
      [refused, false],
      [failing, false],
      [working, true],
    ]);
    expect(report.deliveries[0]?.error).toMatch(/^connection refused by 127\.0\.0\.1:\d+$/);
    expect(report.deliveries[1]?.error).toMatch(/answered 500 Internal Server Error: internal trouble$/);
    expect(good.requests).toHaveLength(1);
    expect(readAll(store.log('alerts.deliveries')).map((d) => d.ok)).toEqual([false, false, true]);
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => [l.msg, l.fields.channelId])).toEqual([
      ['alert delivery failed', refused],
      ['alert delivery failed', failing],
    ]);
    // A failing channel raises nothing of its own.
    expect(store.read().alerts.items).toHaveLength(1);
    const everything = JSON.stringify(logger.lines);
    expect(everything).not.toContain(webhookSecret);
    expect(everything).not.toContain('tk_secret_token');
  });

  it('offers a failed alert to its channel again, after the per-alert interval', async () => {
    const { service, clock } = setup();
    let up = false;
    const flaky = await receiver(() => (up ? { status: 204 } : { status: 503, body: 'maintenance' }));
    await addChannel(service, 'flaky', { kind: 'discord', url: `${flaky.origin}/api/webhooks/1/x` });
    const first = await service.raise({ rule: 'reach.cgnat', key: 'ipv4', message: 'm' });
    expect(first.deliveries.map((d) => d.ok)).toEqual([false]);
    up = true;
    clock.advance(5 * 60_000);
    const soon = await service.raise({ rule: 'reach.cgnat', key: 'ipv4', message: 'm' });
    expect(soon.suppressed.map((s) => s.reason)).toEqual(['alert-rate-limit']);
    clock.advance(10 * 60_000);
    const later = await service.raise({ rule: 'reach.cgnat', key: 'ipv4', message: 'm' });
    expect(later.deliveries.map((d) => d.ok)).toEqual([true]);
    clock.advance(15 * 60_000);
    expect((await service.raise({ rule: 'reach.cgnat', key: 'ipv4', message: 'm' })).deliveries).toEqual([]);
    expect(flaky.requests).toHaveLength(2);
  });

  it('gives up on a receiver that does not answer in time, without holding up the others', async () => {
    // Real time on loopback: long enough that the fast receiver answers even on a loaded machine.
    const { service } = setup({ deliveryTimeoutMs: 1500 });
    const slow = await receiver(() => 'hang');
    const fast = await receiver();
    await addChannel(service, 'slow', { kind: 'slack', url: `${slow.origin}/s` });
    await addChannel(service, 'fast', { kind: 'slack', url: `${fast.origin}/s` });
    const report = await service.raise({ rule: 'reach.double-nat', key: '', message: 'Two NATs.' });
    expect(report.deliveries.map((d) => d.error)).toEqual([
      `no answer from ${new URL(slow.origin).host} in time`,
      null,
    ]);
  });

  it('never rejects: a notifier that throws is a failed delivery, a store that fails is a logged error', async () => {
    const throwing: NotifierFactory = () => ({
      send: () => Promise.reject(new Error('bug in notifier')),
    });
    const { service, store } = setup({ notifiers: throwing });
    await addChannel(service, 'x', { kind: 'slack', url: 'https://hooks.slack.example/services/x' });
    const report = await service.raise({ rule: 'reach.cgnat', key: '', message: 'm' });
    expect(report.deliveries).toMatchObject([{ ok: false, error: 'notifier failed: bug in notifier' }]);

    const logger = new MemoryLogger();
    const broken: Store = {
      location: 'broken',
      read: () => store.read(),
      log: (name) => store.log(name),
      update: () => Promise.reject(new Error('disk full')),
    };
    const failing = new AlertService({
      store: broken,
      rules,
      clock: new FakeClock(),
      logger,
      notifiers: throwing,
    });
    const result = await failing.raise({ rule: 'reach.cgnat', key: 'other', message: 'm' });
    expect(result).toMatchObject({ change: 'none', deliveries: [], error: 'disk full' });
    expect(logger.lines).toMatchObject([{ level: 'error', msg: 'alerts: could not raise reach.cgnat' }]);
  });

  it('keeps its rate limits across a restart (the ledger is in the store)', async () => {
    const { service, store, clock } = setup();
    const hook = await receiver();
    await addChannel(service, 'hook', { kind: 'webhook', url: `${hook.origin}/in`, secret: webhookSecret });
    await service.raise({ rule: 'reach.udp-blocked', key: 'ipv4', message: 'm' });
    await service.clear('reach.udp-blocked', 'ipv4');
    expect(hook.requests).toHaveLength(2);

    const restarted = new AlertService({
      store,
      rules,
      clock,
      logger: new MemoryLogger(),
      notifiers: createNotifierFactory({ fetch }),
    });
    clock.advance(5 * 60_000);
    const flap = await restarted.raise({ rule: 'reach.udp-blocked', key: 'ipv4', message: 'm' });
    expect(flap.suppressed.map((s) => s.reason)).toEqual(['alert-rate-limit']);
    expect(hook.requests).toHaveLength(2);

    clock.advance(10 * 60_000);
    const pending = await restarted.deliverPending();
    expect(pending.deliveries).toMatchObject([{ ok: true, alertId: flap.alert?.id }]);
    expect(hook.requests).toHaveLength(3);
  });
});

describe('the pending loop and the sink', () => {
  it('delivers an alert raised before its channel existed on the next tick, and stops when aborted', async () => {
    const { service, clock } = setup();
    await alertSink(service).raise({ rule: 'reach.port-mapping-lost', key: 'udp/51820', message: 'gone' });
    const hook = await receiver();
    await addChannel(service, 'hook', { kind: 'webhook', url: `${hook.origin}/in`, secret: webhookSecret });
    const stop = new AbortController();
    const loop = service.runPendingLoop(stop.signal, 60_000);
    clock.advance(60_000);
    const req = await hook.next();
    expect(JSON.parse(req.body)).toMatchObject({
      event: 'raised',
      alert: { rule: 'reach.port-mapping-lost' },
    });
    stop.abort();
    clock.advance(60_000);
    await loop;
    expect(hook.requests).toHaveLength(1);
  });
});

describe('listing and acknowledging', () => {
  it('lists active alerts newest first and the cleared ones apart; acknowledging is audited', async () => {
    const { service, store, clock } = setup();
    await service.raise({ rule: 'reach.cgnat', key: '', message: 'a' });
    clock.advance(1000);
    await service.raise({ rule: 'reach.double-nat', key: '', message: 'b' });
    clock.advance(1000);
    await service.raise({ rule: 'reach.udp-blocked', key: '', message: 'c' });
    await service.clear('reach.double-nat', '');
    const { active, recent } = service.list();
    expect(active.map((a) => a.rule)).toEqual(['reach.udp-blocked', 'reach.cgnat']);
    expect(recent.map((a) => a.rule)).toEqual(['reach.double-nat']);

    const acked = await service.acknowledge(active[0]!.id, admin);
    expect(acked.ok && acked.value.acknowledgedAt).toBe(clock.now().toISOString());
    expect(readAuditLog(store.log('audit')).at(-1)).toMatchObject({
      type: 'alerts.acknowledged',
      actor: 'admin',
      clientAddress: '192.0.2.10',
      details: { rule: 'reach.udp-blocked' },
    });
    expect(await service.acknowledge('00000000-0000-4000-8000-999999999999', admin)).toEqual({
      ok: false,
      error: { code: 'alerts.not-found', message: 'no such alert' },
    });
  });
});

describe('channels', () => {
  it('creates, renames, keeps secrets on edit, asks for them again on a new server, deletes; all audited', async () => {
    const { service, store } = setup();
    const id = await addChannel(service, 'Gotify', {
      kind: 'gotify',
      url: 'https://push.example.net',
      token: 'AppToken.1',
    });
    expect(
      await service.createChannel(
        {
          name: 'gotify',
          enabled: true,
          minSeverity: 'info',
          target: { kind: 'slack', url: 'https://x.example/y' },
        },
        admin,
      ),
    ).toMatchObject({ ok: false, error: { code: 'alerts.channel-name-taken' } });

    const renamed = await service.updateChannel(
      id,
      { name: 'Phone', target: { kind: 'gotify', url: 'https://push.example.net/gotify' } },
      admin,
    );
    expect(renamed.ok && renamed.value.target).toEqual({
      kind: 'gotify',
      url: 'https://push.example.net/gotify',
      token: 'AppToken.1',
    });
    const moved = await service.updateChannel(
      id,
      { target: { kind: 'gotify', url: 'https://elsewhere.example' } },
      admin,
    );
    expect(moved).toMatchObject({ ok: false, error: { code: 'alerts.secret-required' } });
    expect(store.read().alerts.channels[0]?.target).toMatchObject({ url: 'https://push.example.net/gotify' });

    expect(await service.deleteChannel(id, admin)).toMatchObject({ ok: true });
    expect(await service.deleteChannel(id, admin)).toMatchObject({
      ok: false,
      error: { code: 'alerts.channel-not-found' },
    });
    const audit = readAuditLog(store.log('audit'));
    expect(audit.map((e) => e.type)).toEqual([
      'alerts.channel-created',
      'alerts.channel-updated',
      'alerts.channel-deleted',
    ]);
    expect(audit[1]?.details).toMatchObject({ changed: 'name,target' });
    expect(JSON.stringify(audit)).not.toContain('AppToken.1');
  });

  it('tests a channel, even a disabled one, and records the outcome', async () => {
    const { service, store } = setup();
    const hook = await receiver(() => ({ status: 403, body: 'bad signature' }));
    const id = await addChannel(service, 'hook', {
      kind: 'webhook',
      url: `${hook.origin}/in`,
      secret: webhookSecret,
    });
    await service.updateChannel(id, { enabled: false }, admin);

    const result = await service.testChannel(id, admin);
    expect(result.ok && result.value).toMatchObject({
      alertId: null,
      channelId: id,
      ok: false,
      error: `${new URL(hook.origin).host} answered 403 Forbidden: bad signature`,
    });
    const req = await hook.next();
    expect(req.headers['x-gatehouse-event']).toBe('test');
    expect(validSignature(req.headers, req.body)).toBe(true);
    expect(readAll(store.log('alerts.deliveries'))).toHaveLength(1);
    expect(readAuditLog(store.log('audit')).at(-1)).toMatchObject({
      type: 'alerts.channel-tested',
      outcome: 'failure',
    });
    expect(await service.testChannel('00000000-0000-4000-8000-999999999999', admin)).toMatchObject({
      ok: false,
      error: { code: 'alerts.channel-not-found' },
    });
  });

  it('refuses more than 20 channels', async () => {
    const { service } = setup();
    for (let i = 0; i < 20; i++)
      await addChannel(service, `c${i}`, { kind: 'slack', url: 'https://x.example/s' });
    expect(
      await service.createChannel(
        {
          name: 'one more',
          enabled: true,
          minSeverity: 'info',
          target: { kind: 'slack', url: 'https://x.example/s' },
        },
        admin,
      ),
    ).toMatchObject({ ok: false, error: { code: 'alerts.too-many-channels' } });
  });
});

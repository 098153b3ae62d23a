/** @module The webhook notifier against a real receiver on loopback; the signature is checked independently. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout, sampleNotification } from '../../../test/support/alert-fixtures.js';
import { startReceiver, type Receiver } from '../../../test/support/loopback-receiver.js';
import { webhookNotifier } from './webhook.js';

const secret = 'correct-horse-battery-staple-42';
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** What a receiver does, written from the documented scheme without the notifier's code. */
function verify(headers: Record<string, string | string[] | undefined>, rawBody: string, nowSeconds: number) {
  const timestamp = String(headers['x-gatehouse-timestamp']);
  const signature = String(headers['x-gatehouse-signature']);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`,
  );
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

describe('webhook notifier', () => {
  it('POSTs the alert as JSON with a valid HMAC-SHA256 signature over timestamp and raw body', async () => {
    receiver = await startReceiver(() => ({ status: 204 }));
    const n = sampleNotification();
    const result = await webhookNotifier(
      fetch,
      { url: `${receiver.origin}/hooks/gatehouse?source=home`, secret },
      () => 'delivery-1',
    ).send(n, noTimeout);
    expect(result).toEqual({ ok: true, value: undefined });

    const req = await receiver.next();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks/gatehouse?source=home');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-gatehouse-event']).toBe('raised');
    expect(req.headers['x-gatehouse-timestamp']).toBe(String(Date.parse('2026-03-01T12:00:05Z') / 1000));
    expect(req.headers['x-gatehouse-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(req.headers['user-agent']).toBe('Gatehouse-Alerts/1');
    const sentAt = Date.parse('2026-03-01T12:00:05Z') / 1000;
    expect(verify(req.headers, req.body, sentAt + 10)).toBe(true);
    expect(JSON.parse(req.body)).toEqual({
      version: 1,
      id: 'delivery-1',
      event: 'raised',
      sentAt: '2026-03-01T12:00:05.000Z',
      instance: { id: 'instance-1', name: 'Home gateway' },
      alert: n.alert,
    });
  });

  it('binds the signature to the body, the secret and the timestamp', async () => {
    receiver = await startReceiver();
    await webhookNotifier(fetch, { url: `${receiver.origin}/h`, secret }).send(
      sampleNotification(),
      noTimeout,
    );
    const req = await receiver.next();
    const now = Date.parse('2026-03-01T12:00:05Z') / 1000;
    expect(verify(req.headers, req.body, now)).toBe(true);
    expect(verify(req.headers, req.body.replace('CGNAT', 'cgnat'), now)).toBe(false);
    expect(verify({ ...req.headers, 'x-gatehouse-timestamp': String(now + 1) }, req.body, now)).toBe(false);
    // Replayed later than the tolerance: refused even though the signature itself is valid.
    expect(verify(req.headers, req.body, now + 301)).toBe(false);
  });

  it('gives each delivery its own id', async () => {
    receiver = await startReceiver();
    const notifier = webhookNotifier(fetch, { url: `${receiver.origin}/h`, secret });
    await notifier.send(sampleNotification({ event: 'test' }), noTimeout);
    await notifier.send(sampleNotification({ event: 'test' }), noTimeout);
    const [a, b] = [await receiver.next(), await receiver.next()];
    expect(a.headers['x-gatehouse-event']).toBe('test');
    expect((JSON.parse(a.body) as { id: string }).id).not.toBe((JSON.parse(b.body) as { id: string }).id);
  });
});

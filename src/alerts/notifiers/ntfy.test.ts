/** @module The ntfy notifier against a real receiver on loopback (publish API: body + Title/Priority/Tags). */
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout, sampleAlert, sampleNotification } from '../../../test/support/alert-fixtures.js';
import { startReceiver, type Receiver } from '../../../test/support/loopback-receiver.js';
import { renderText } from './notifier.js';
import { ntfyNotifier } from './ntfy.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('ntfy notifier', () => {
  it('publishes the text to the topic with title, priority, tags and the bearer token', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: '{"id":"x"}' }));
    const n = sampleNotification();
    const result = await ntfyNotifier(fetch, {
      url: `${receiver.origin}/gatehouse-alerts`,
      token: 'tk_abc123',
    }).send(n, noTimeout);
    expect(result.ok).toBe(true);
    const req = await receiver.next();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/gatehouse-alerts');
    expect(req.headers.title).toBe('[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)');
    expect(req.headers.priority).toBe('5');
    expect(req.headers.tags).toBe('rotating_light,gatehouse,reach.cgnat');
    expect(req.headers.authorization).toBe('Bearer tk_abc123');
    expect(req.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(req.body).toBe(renderText(n));
    expect(req.body).toContain('What to do: Ask your provider for a public IPv4 address.');
    expect(req.body).toContain('wanAddress: 100.64.12.7');
  });

  it('sends no Authorization without a token, and a cleared alert at default priority', async () => {
    receiver = await startReceiver();
    await ntfyNotifier(fetch, { url: `${receiver.origin}/t`, token: null }).send(
      sampleNotification({
        event: 'cleared',
        alert: sampleAlert({ severity: 'warning', clearedAt: '2026-03-01T12:30:00.000Z' }),
      }),
      noTimeout,
    );
    const req = await receiver.next();
    expect(req.headers.authorization).toBeUndefined();
    expect(req.headers.priority).toBe('3');
    expect(req.headers.tags).toBe('white_check_mark,gatehouse,reach.cgnat');
    expect(req.headers.title).toBe('[Home gateway] Cleared: Behind carrier-grade NAT (CGNAT)');
    expect(req.body.startsWith('Resolved: Behind carrier-grade NAT (CGNAT)\n')).toBe(true);
  });

  it('keeps line breaks out of headers and encodes a non-ASCII title as an RFC 2047 word', async () => {
    receiver = await startReceiver();
    await ntfyNotifier(fetch, { url: `${receiver.origin}/t`, token: null }).send(
      sampleNotification({
        instance: { id: 'i', name: 'Büro\r\nX-Injected: 1' },
        alert: sampleAlert({ title: 'Adresse geändert' }),
      }),
      noTimeout,
    );
    const req = await receiver.next();
    expect(req.headers['x-injected']).toBeUndefined();
    const title = String(req.headers.title);
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(title);
    expect(m).not.toBeNull();
    expect(Buffer.from(m![1]!, 'base64').toString('utf8')).toBe(
      '[Büro X-Injected: 1] Critical: Adresse geändert',
    );
  });
});

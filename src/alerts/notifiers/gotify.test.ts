/** @module The Gotify notifier against a real receiver on loopback (POST /message, X-Gotify-Key, JSON). */
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout, sampleNotification } from '../../../test/support/alert-fixtures.js';
import { startReceiver, type Receiver } from '../../../test/support/loopback-receiver.js';
import { gotifyMessageUrl, gotifyNotifier } from './gotify.js';
import { renderText } from './notifier.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('gotify notifier', () => {
  it('POSTs {title, message, priority, extras} to /message with the app token in X-Gotify-Key', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: '{"id":1}' }));
    const n = sampleNotification();
    const result = await gotifyNotifier(fetch, {
      url: `${receiver.origin}/gotify`,
      token: 'AbCdEf.123',
    }).send(n, noTimeout);
    expect(result.ok).toBe(true);
    const req = await receiver.next();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/gotify/message');
    expect(req.headers['x-gotify-key']).toBe('AbCdEf.123');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      title: '[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)',
      message: renderText(n),
      priority: 8,
      extras: { 'client::display': { contentType: 'text/plain' } },
    });
  });

  it('reports a refused token as the server said it', async () => {
    receiver = await startReceiver(() => ({
      status: 401,
      body: '{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token"}',
    }));
    const result = await gotifyNotifier(fetch, { url: receiver.origin, token: 'wrong' }).send(
      sampleNotification({ event: 'test' }),
      noTimeout,
    );
    expect(result.ok ? '' : result.error.message).toMatch(/answered 401 Unauthorized: .*valid access token/);
    expect(result.ok ? '' : result.error.message).not.toContain('wrong');
    expect(JSON.parse((await receiver.next()).body)).toMatchObject({ priority: 5 });
  });

  it.each([
    ['https://push.example.net', 'https://push.example.net/message'],
    ['https://push.example.net/', 'https://push.example.net/message'],
    ['https://example.net/gotify/', 'https://example.net/gotify/message'],
    ['https://example.net/gotify/message', 'https://example.net/gotify/message'],
    ['https://example.net/gotify?token=old', 'https://example.net/gotify/message'],
  ])('message URL of %s is %s', (base, expected) => {
    expect(gotifyMessageUrl(base)).toBe(expected);
  });
});

/** @module The Slack notifier against a real receiver on loopback (incoming webhook: text + blocks). */
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout, sampleAlert, sampleNotification } from '../../../test/support/alert-fixtures.js';
import { startReceiver, type Receiver } from '../../../test/support/loopback-receiver.js';
import { slackNotifier } from './slack.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('slack notifier', () => {
  it('POSTs text and blocks to the incoming webhook', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    const result = await slackNotifier(fetch, { url: `${receiver.origin}/services/T0/B0/xyz` }).send(
      sampleNotification(),
      noTimeout,
    );
    expect(result.ok).toBe(true);
    const req = await receiver.next();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/services/T0/B0/xyz');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      text: '[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: '[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)' },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: 'The router has the address 100.64.12.7, which is in the CGNAT range.',
          },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: 'What to do: Ask your provider for a public IPv4 address.' },
        },
        { type: 'section', text: { type: 'mrkdwn', text: 'family: ipv4\nwanAddress: 100.64.12.7' } },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'Home gateway · reach.cgnat · 2026-03-01T12:00:05.000Z' }],
        },
      ],
    });
  });

  it('escapes &, < and > so alert text cannot make links or mentions', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'ok' }));
    await slackNotifier(fetch, { url: `${receiver.origin}/s` }).send(
      sampleNotification({ alert: sampleAlert({ message: 'see <!channel> & <https://evil.example|here>' }) }),
      noTimeout,
    );
    const body = JSON.parse((await receiver.next()).body) as { blocks: { text?: { text: string } }[] };
    expect(body.blocks[1]?.text?.text).toBe('see &lt;!channel&gt; &amp; &lt;https://evil.example|here&gt;');
  });

  it('reports what Slack answers to a bad request', async () => {
    receiver = await startReceiver(() => ({ status: 404, body: 'no_service' }));
    const result = await slackNotifier(fetch, { url: `${receiver.origin}/s` }).send(
      sampleNotification(),
      noTimeout,
    );
    expect(result.ok ? '' : result.error.message).toMatch(/answered 404 Not Found: no_service$/);
  });
});

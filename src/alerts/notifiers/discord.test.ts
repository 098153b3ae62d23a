/** @module The Discord notifier against a real receiver on loopback (execute webhook: content + embeds). */
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout, sampleAlert, sampleNotification } from '../../../test/support/alert-fixtures.js';
import { startReceiver, type Receiver } from '../../../test/support/loopback-receiver.js';
import { discordNotifier } from './discord.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('discord notifier', () => {
  it('executes the webhook with content and one embed, mentions switched off', async () => {
    receiver = await startReceiver(() => ({ status: 204 }));
    const result = await discordNotifier(fetch, { url: `${receiver.origin}/api/webhooks/123/tok-en` }).send(
      sampleNotification(),
      noTimeout,
    );
    expect(result.ok).toBe(true);
    const req = await receiver.next();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/api/webhooks/123/tok-en');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      username: 'Gatehouse',
      content: '[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)',
      embeds: [
        {
          title: 'Behind carrier-grade NAT (CGNAT)',
          description: 'The router has the address 100.64.12.7, which is in the CGNAT range.',
          color: 0xd93025,
          fields: [
            { name: 'What to do', value: 'Ask your provider for a public IPv4 address.', inline: false },
            { name: 'family', value: 'ipv4', inline: true },
            { name: 'wanAddress', value: '100.64.12.7', inline: true },
          ],
          footer: { text: 'Home gateway · reach.cgnat' },
          timestamp: '2026-03-01T12:00:05.000Z',
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it('keeps within Discord limits', async () => {
    receiver = await startReceiver(() => ({ status: 204 }));
    await discordNotifier(fetch, { url: `${receiver.origin}/w` }).send(
      sampleNotification({ alert: sampleAlert({ title: 't'.repeat(300), message: 'm'.repeat(5000) }) }),
      noTimeout,
    );
    const body = JSON.parse((await receiver.next()).body) as {
      embeds: { title: string; description: string }[];
    };
    expect(Array.from(body.embeds[0]!.title)).toHaveLength(256);
    expect(Array.from(body.embeds[0]!.description)).toHaveLength(4096);
  });
});

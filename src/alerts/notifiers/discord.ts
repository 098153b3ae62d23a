/**
 * @module Discord: executes a channel webhook with `{ username, content, embeds, allowed_mentions }`, per
 * https://discord.com/developers/docs/resources/webhook#execute-webhook and the embed limits in
 * https://discord.com/developers/docs/resources/message#embed-object-embed-limits. Mentions are switched off,
 * so text from an alert (an address, a hostname) can never ping `@everyone`.
 */
import type { Fetch } from '../../core/fetch.js';
import type { Severity } from '../../store/schema.js';
import type { Notification, Notifier } from './notifier.js';
import { postToReceiver } from './http.js';
import { oneLine, renderSubject, truncate } from './notifier.js';

const colourOf: Record<Severity | 'cleared', number> = {
  critical: 0xd93025,
  warning: 0xf29900,
  info: 0x1a73e8,
  cleared: 0x188038,
};

function discordPayload(n: Notification): unknown {
  const facts = Object.keys(n.alert.details)
    .sort()
    .slice(0, 20)
    .map((k) => ({
      name: truncate(oneLine(k), 256),
      value: truncate(String(n.alert.details[k]), 1024) || '-',
      inline: true,
    }));
  const remedy =
    n.event !== 'cleared' && n.alert.remedy !== null
      ? [{ name: 'What to do', value: truncate(n.alert.remedy, 1024), inline: false }]
      : [];
  return {
    username: 'Gatehouse',
    content: truncate(renderSubject(n), 2000),
    embeds: [
      {
        title: truncate(oneLine(n.alert.title), 256),
        description: truncate(n.alert.message, 4096),
        color: colourOf[n.event === 'cleared' ? 'cleared' : n.alert.severity],
        fields: [...remedy, ...facts],
        footer: { text: truncate(oneLine(`${n.instance.name} · ${n.alert.rule}`), 2048) },
        timestamp: n.sentAt.toISOString(),
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

export function discordNotifier(fetch: Fetch, target: { readonly url: string }): Notifier {
  return {
    send(n, signal) {
      return postToReceiver(
        fetch,
        {
          url: target.url,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(discordPayload(n)),
        },
        signal,
      );
    },
  };
}

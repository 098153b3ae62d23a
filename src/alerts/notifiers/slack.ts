/**
 * @module Slack (and Slack-compatible: Mattermost, Rocket.Chat): an incoming webhook with `{ text, blocks }`, per
 * https://api.slack.com/messaging/webhooks and https://api.slack.com/reference/block-kit/blocks. `text` is the
 * fallback for notifications; `&`, `<` and `>` are escaped as Slack's formatting guide asks
 * (https://api.slack.com/reference/surfaces/formatting#escaping), so alert text cannot forge links or mentions.
 */
import type { Fetch } from '../../core/fetch.js';
import type { Notification, Notifier } from './notifier.js';
import { postToReceiver } from './http.js';
import { oneLine, renderSubject, truncate } from './notifier.js';

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackPayload(n: Notification): unknown {
  const section = (text: string) => ({
    type: 'section',
    text: { type: 'mrkdwn', text: truncate(escapeSlack(text), 3000) },
  });
  const facts = Object.keys(n.alert.details)
    .sort()
    .map((k) => `${k}: ${String(n.alert.details[k])}`);
  return {
    text: escapeSlack(renderSubject(n)),
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: truncate(oneLine(renderSubject(n)), 150) },
      },
      section(n.alert.message),
      ...(n.event !== 'cleared' && n.alert.remedy !== null ? [section(`What to do: ${n.alert.remedy}`)] : []),
      ...(facts.length > 0 ? [section(facts.join('\n'))] : []),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: escapeSlack(`${n.instance.name} · ${n.alert.rule} · ${n.sentAt.toISOString()}`),
          },
        ],
      },
    ],
  };
}

export function slackNotifier(fetch: Fetch, target: { readonly url: string }): Notifier {
  return {
    send(n, signal) {
      return postToReceiver(
        fetch,
        {
          url: target.url,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(slackPayload(n)),
        },
        signal,
      );
    },
  };
}

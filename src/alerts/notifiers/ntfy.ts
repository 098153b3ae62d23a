/**
 * @module ntfy: publishes to a topic URL with the message as the plain-text body and Title / Priority / Tags
 * headers, per https://docs.ntfy.sh/publish/ ("Publishing", "Message title", "Message priority",
 * "Tags & emojis", "Access tokens"). The optional access token travels as `Authorization: Bearer <token>`.
 * A non-ASCII title is sent as an RFC 2047 encoded word, which the ntfy server decodes.
 */
import type { Fetch } from '../../core/fetch.js';
import type { Severity } from '../../store/schema.js';
import type { Notification, Notifier } from './notifier.js';
import { encodeHeaderWord, postToReceiver } from './http.js';
import { renderSubject, renderText } from './notifier.js';

/** ntfy priorities: 5 = max/urgent (long vibration, pop-over), 4 = high, 3 = default. */
const priorityOf: Record<Severity, string> = { critical: '5', warning: '4', info: '3' };

/** Tags that match an emoji short code are shown as that emoji in front of the title. */
function ntfyTags(n: Notification): string {
  const emoji =
    n.event === 'test'
      ? 'test_tube'
      : n.event === 'cleared'
        ? 'white_check_mark'
        : n.alert.severity === 'critical'
          ? 'rotating_light'
          : n.alert.severity === 'warning'
            ? 'warning'
            : 'information_source';
  return [emoji, 'gatehouse', n.alert.rule].map(encodeHeaderWord).join(',');
}

export function ntfyNotifier(
  fetch: Fetch,
  target: { readonly url: string; readonly token: string | null },
): Notifier {
  return {
    send(n, signal) {
      const headers: Record<string, string> = {
        'Content-Type': 'text/plain; charset=utf-8',
        Title: encodeHeaderWord(renderSubject(n)),
        Priority: n.event === 'raised' ? priorityOf[n.alert.severity] : '3',
        Tags: ntfyTags(n),
      };
      if (target.token !== null) headers.Authorization = `Bearer ${target.token}`;
      return postToReceiver(fetch, { url: target.url, headers, body: renderText(n) }, signal);
    },
  };
}

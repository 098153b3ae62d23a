/**
 * @module Gotify: `POST <server>/message` with the application token in the `X-Gotify-Key` header (not in the
 * query, where proxies log it) and a JSON body `{ title, message, priority, extras }`, per
 * https://gotify.net/api-docs (createMessage) and https://gotify.net/docs/msgextras (client::display).
 */
import type { Fetch } from '../../core/fetch.js';
import type { Severity } from '../../store/schema.js';
import type { Notifier } from './notifier.js';
import { postToReceiver } from './http.js';
import { renderSubject, renderText } from './notifier.js';

/** Gotify clients: 1-3 quiet, 4-7 a normal notification, 8-10 intrusive. */
const priorityOf: Record<Severity, number> = { critical: 8, warning: 5, info: 3 };

/** The message endpoint under the server's base URL (which may have a path, e.g. behind a reverse proxy). */
export function gotifyMessageUrl(serverUrl: string): string {
  const base = new URL(serverUrl);
  base.search = '';
  base.hash = '';
  if (/\/message\/?$/.test(base.pathname)) return base.href;
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL('message', base).href;
}

export function gotifyNotifier(
  fetch: Fetch,
  target: { readonly url: string; readonly token: string },
): Notifier {
  return {
    send(n, signal) {
      const body = JSON.stringify({
        title: renderSubject(n),
        message: renderText(n),
        priority: n.event === 'raised' ? priorityOf[n.alert.severity] : n.event === 'test' ? 5 : 3,
        extras: { 'client::display': { contentType: 'text/plain' } },
      });
      return postToReceiver(
        fetch,
        {
          url: gotifyMessageUrl(target.url),
          headers: { 'Content-Type': 'application/json', 'X-Gotify-Key': target.token },
          body,
        },
        signal,
      );
    },
  };
}

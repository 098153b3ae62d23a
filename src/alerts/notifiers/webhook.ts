/**
 * @module Generic webhook: the notification as JSON, signed with the channel's secret (HMAC-SHA256).
 *
 * The request:
 *
 *     POST <channel url>
 *     Content-Type: application/json
 *     X-Gatehouse-Event: raised | cleared | test
 *     X-Gatehouse-Timestamp: <unix time in seconds when it was sent>
 *     X-Gatehouse-Signature: sha256=<hex>
 *
 *     {"version":1,"id":"<delivery uuid>","event":"raised","sentAt":"<ISO 8601>",
 *      "instance":{"id":"…","name":"…"},"alert":{"id","rule","key","severity","title","message","remedy",
 *      "raisedAt","lastSeenAt","occurrences","clearedAt","details"}}
 *
 * The signature scheme, for receivers:
 *
 *     <hex> = lowercase hex of HMAC-SHA256(key = the channel secret as UTF-8,
 *                                          message = <X-Gatehouse-Timestamp> + "." + <raw request body bytes>)
 *
 * A receiver recomputes it over the body exactly as received (before any JSON parsing), compares in constant
 * time, and rejects a timestamp more than 5 minutes from its own clock: the timestamp is part of the signed
 * message, so an old request cannot be replayed with a fresh one. The body's `id` is unique per delivery,
 * for receivers that want to drop a duplicate inside that window too.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Fetch } from '../../core/fetch.js';
import type { Notification, Notifier } from './notifier.js';
import { postToReceiver } from './http.js';

const signatureHeader = 'X-Gatehouse-Signature';
const timestampHeader = 'X-Gatehouse-Timestamp';
const eventHeader = 'X-Gatehouse-Event';

/** `sha256=<hex>` for the given timestamp (unix seconds) and raw body; see the module comment. */
function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The JSON body; `id` identifies this one delivery. */
function webhookPayload(n: Notification, id: string): string {
  return JSON.stringify({
    version: 1,
    id,
    event: n.event,
    sentAt: n.sentAt.toISOString(),
    instance: { id: n.instance.id, name: n.instance.name },
    alert: n.alert,
  });
}

export function webhookNotifier(
  fetch: Fetch,
  target: { readonly url: string; readonly secret: string },
  newId: () => string = randomUUID,
): Notifier {
  return {
    send(n, signal) {
      const body = webhookPayload(n, newId());
      const timestamp = Math.floor(n.sentAt.getTime() / 1000);
      return postToReceiver(
        fetch,
        {
          url: target.url,
          headers: {
            'Content-Type': 'application/json',
            [eventHeader]: n.event,
            [timestampHeader]: String(timestamp),
            [signatureHeader]: signWebhook(target.secret, timestamp, body),
          },
          body,
        },
        signal,
      );
    },
  };
}

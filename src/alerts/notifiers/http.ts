/** @module One POST to a notification receiver through the injected fetch, every failure turned into a safe message. */
import { describeError } from '../../core/errors.js';
import type { Fetch } from '../../core/fetch.js';
import { fail, failure, ok, type Failure, type Outcome } from '../../core/outcome.js';
import { oneLine, truncate } from './notifier.js';

export interface ReceiverPost {
  readonly url: string;
  /** Values must already be single-line ASCII (see oneLine / encodeHeaderWord). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const userAgent = 'Gatehouse-Alerts/1';

/**
 * POSTs and accepts any 2xx. Redirects are not followed: a receiver that moved should be reconfigured, and
 * following one could carry a token to another host. Messages name the receiver's host only, because the
 * path of a Discord or Slack webhook URL is itself the secret.
 */
export async function postToReceiver(
  fetch: Fetch,
  post: ReceiverPost,
  signal: AbortSignal,
): Promise<Outcome<void>> {
  const host = new URL(post.url).host;
  let res: Response;
  try {
    res = await fetch(post.url, {
      method: 'POST',
      headers: { 'User-Agent': userAgent, ...post.headers },
      body: post.body,
      redirect: 'manual',
      signal,
    });
  } catch (e) {
    return fail(describeFetchError(e, host, signal));
  }
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel().catch(() => undefined);
    return ok(undefined);
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => undefined);
    return fail(
      failure(
        'alerts.redirect',
        `${host} answered ${res.status} (a redirect); use the final URL, redirects are not followed`,
      ),
    );
  }
  let snippet = '';
  try {
    snippet = reasonOf(await res.text());
  } catch {
    // The status says enough when the body cannot be read.
  }
  return fail(
    failure(
      'alerts.http-status',
      `${host} answered ${res.status}${res.statusText ? ` ${oneLine(res.statusText)}` : ''}${snippet ? `: ${snippet}` : ''}`,
    ),
  );
}

/** Keys under which receivers put their reason in a JSON error answer, the most specific first. */
const reasonKeys = ['errorDescription', 'error_description', 'message', 'detail', 'error', 'title'] as const;

/**
 * The receiver's reason in words, from its error answer: the message of a JSON error body (Gotify's
 * errorDescription, ntfy's error, Slack's plain "no_service"), plain text as it is, nothing from an HTML page.
 * Never the raw JSON: a person reads it next to the channel.
 */
export function reasonOf(body: string): string {
  const text = body.trim();
  if (text === '' || text.startsWith('<')) return '';
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return truncate(oneLine(text), 200);
    }
    const found = findReason(parsed, 0);
    return found === undefined ? '' : truncate(oneLine(found), 200);
  }
  return truncate(oneLine(text), 200);
}

function findReason(value: unknown, depth: number): string | undefined {
  if (depth > 2 || typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return findReason(value[0], depth + 1);
  const record = value as Record<string, unknown>;
  for (const key of reasonKeys) {
    const v = record[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  for (const key of [...reasonKeys, 'errors']) {
    const nested = findReason(record[key], depth + 1);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

function describeFetchError(e: unknown, host: string, signal: AbortSignal): Failure {
  if (signal.aborted) return failure('alerts.timeout', `no answer from ${host} in time`);
  const cause =
    e instanceof Error ? (e.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code ?? '') {
    case 'ECONNREFUSED':
      return failure('alerts.unreachable', `connection refused by ${host}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return failure('alerts.unreachable', `cannot resolve ${new URL(`http://${host}`).hostname}`);
    case 'ECONNRESET':
      return failure('alerts.unreachable', `${host} closed the connection`);
    default:
      break;
  }
  if (cause?.message === 'bad port') {
    // fetch refuses ports of other protocols (SMTP, IRC, …) before connecting; its own words are just "bad port".
    return failure(
      'alerts.unreachable',
      `${host} is on a port reserved for another protocol, so web requests to it are refused; use another port`,
    );
  }
  const detail = typeof cause?.message === 'string' ? cause.message : describeError(e);
  return failure('alerts.unreachable', `cannot reach ${host}: ${truncate(oneLine(detail), 200)}`);
}

/**
 * A header value for text that may hold non-ASCII characters: ASCII stays as it is, anything else becomes an
 * RFC 2047 encoded word (`=?UTF-8?B?…?=`), which ntfy decodes. Control characters never get through.
 */
export function encodeHeaderWord(text: string): string {
  const line = oneLine(text);
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  return `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

/**
 * @module One HTTP request through the Fetch port, bounded in time (answer and body together) and in body size, no
 * redirects, every failure a reason a person can read and never a throw. For clients of devices and services we do
 * not control (a UPnP IGD on the LAN, a DNS provider's API): none of them may make us wait or buffer without end.
 */
import { deadline } from './deadline.js';
import { describeError } from './errors.js';
import type { Fetch } from './fetch.js';

export interface HttpLimits {
  /** For the whole request, body included. */
  readonly timeoutMs: number;
  /** A body larger than this is not read to its end. */
  readonly maxBodyBytes: number;
}

export type HttpResult =
  | { readonly ok: true; readonly status: number; readonly headers: Headers; readonly text: string }
  | { readonly ok: false; readonly reason: string };

/** "800 ms", "2 s", "1.5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** One request; see the module comment for its bounds. */
export async function boundedRequest(
  fetch: Fetch,
  url: string,
  limits: HttpLimits,
  init: RequestInit = {},
  signal?: AbortSignal,
): Promise<HttpResult> {
  const limit = deadline(limits.timeoutMs, signal);
  try {
    const res = await fetch(url, { ...init, signal: limit.signal, redirect: 'error' });
    const text = await readLimited(res, limits.maxBodyBytes);
    if (text === undefined) return { ok: false, reason: `answer larger than ${limits.maxBodyBytes} bytes` };
    return { ok: true, status: res.status, headers: res.headers, text };
  } catch (err) {
    if (limit.timedOut())
      return { ok: false, reason: `no HTTP answer within ${formatDuration(limits.timeoutMs)}` };
    // undici says only "fetch failed"; the cause names what happened (ECONNREFUSED, EHOSTUNREACH, …).
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { ok: false, reason: `${describeError(err)}${cause}` };
  } finally {
    limit.clear();
  }
}

/** The body as text, or undefined (and the rest left unread) once it exceeds `maxBytes`. */
async function readLimited(res: Response, maxBytes: number): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

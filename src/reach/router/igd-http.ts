/**
 * @module HTTP to a UPnP IGD (device descriptions, SOAP actions, GENA SUBSCRIBE / UNSUBSCRIBE) through the Fetch
 * port: one request bounded in time (answer and body together) and in body size, no redirects, and every failure
 * a reason a person can read, never a throw. A device on the LAN must not make us wait or buffer without end.
 */
import { deadline } from '../../core/deadline.js';
import { describeError } from '../../core/errors.js';
import type { Fetch } from '../../core/fetch.js';
import { formatSeconds } from './exchange.js';
import { maxXmlChars } from './xml.js';

export interface IgdHttpLimits {
  /** For the whole request, body included. */
  readonly timeoutMs: number;
  /** A body larger than this is not read to its end (default: the largest XML document we parse). */
  readonly maxBodyBytes?: number;
}

export type IgdHttpResult =
  | { readonly ok: true; readonly status: number; readonly headers: Headers; readonly text: string }
  | { readonly ok: false; readonly reason: string };

/** One HTTP request to the IGD; see the module comment for its bounds. */
export async function igdRequest(
  fetch: Fetch,
  url: string,
  limits: IgdHttpLimits,
  init: RequestInit = {},
  signal?: AbortSignal,
): Promise<IgdHttpResult> {
  const maxBodyBytes = limits.maxBodyBytes ?? maxXmlChars;
  const limit = deadline(limits.timeoutMs, signal);
  try {
    const res = await fetch(url, { ...init, signal: limit.signal, redirect: 'error' });
    const text = await readLimited(res, maxBodyBytes);
    if (text === undefined) return { ok: false, reason: `answer larger than ${maxBodyBytes} bytes` };
    return { ok: true, status: res.status, headers: res.headers, text };
  } catch (err) {
    if (limit.timedOut())
      return { ok: false, reason: `no HTTP answer within ${formatSeconds(limits.timeoutMs)}` };
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

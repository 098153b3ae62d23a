/**
 * @module HTTP to a UPnP IGD (device descriptions, SOAP actions, GENA SUBSCRIBE / UNSUBSCRIBE) through the Fetch
 * port: one request bounded in time (answer and body together) and in body size, no redirects, and every failure
 * a reason a person can read, never a throw. A device on the LAN must not make us wait or buffer without end.
 */
import type { Fetch } from '../../core/fetch.js';
import { boundedRequest, type HttpResult } from '../../core/http-request.js';
import { maxXmlChars } from './xml.js';

export interface IgdHttpLimits {
  /** For the whole request, body included. */
  readonly timeoutMs: number;
  /** A body larger than this is not read to its end (default: the largest XML document we parse). */
  readonly maxBodyBytes?: number;
}

export type IgdHttpResult = HttpResult;

/** One HTTP request to the IGD; see the module comment for its bounds. */
export function igdRequest(
  fetch: Fetch,
  url: string,
  limits: IgdHttpLimits,
  init: RequestInit = {},
  signal?: AbortSignal,
): Promise<IgdHttpResult> {
  return boundedRequest(
    fetch,
    url,
    { timeoutMs: limits.timeoutMs, maxBodyBytes: limits.maxBodyBytes ?? maxXmlChars },
    init,
    signal,
  );
}

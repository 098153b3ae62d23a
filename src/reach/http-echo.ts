/** @module HTTP echo source: a service answering with the caller's address as plain text (fetch is injected). */
import { deadline } from '../core/deadline.js';
import type { Fetch } from '../core/fetch.js';
import { familyOf } from './addresses.js';
import { known, unavailable, type Family, type PublicIpSource, type SourceResult } from './types.js';

export function httpEchoSource(
  endpoints: readonly { readonly url: string; readonly family: Family }[],
  fetch: Fetch,
  timeoutMs: number,
): PublicIpSource {
  return {
    id: 'http',
    async probe(family, signal): Promise<SourceResult[]> {
      const mine = endpoints.filter((e) => e.family === family);
      return Promise.all(
        mine.map(async (e): Promise<SourceResult> => {
          const id = `http:${new URL(e.url).host}`;
          const limit = deadline(timeoutMs, signal);
          try {
            // A new connection every time: a kept-alive one may start from an address the box no longer
            // has (its packets then go nowhere until the time limit), and would report the old source anyway.
            const res = await fetch(e.url, {
              signal: limit.signal,
              headers: { accept: 'text/plain', connection: 'close' },
            });
            if (!res.ok) return unavailable(id, family, `HTTP ${res.status} from ${e.url}`);
            const text = (await res.text()).trim().slice(0, 100);
            if (familyOf(text) !== family)
              return unavailable(
                id,
                family,
                `${e.url} answered "${text.slice(0, 40)}", not an ${family} address`,
              );
            return known(id, family, text);
          } catch (err) {
            const reason = limit.timedOut() ? `no answer within ${timeoutMs} ms` : fetchFailure(err);
            return unavailable(id, family, `${e.url}: ${reason}`);
          } finally {
            limit.clear();
          }
        }),
      );
    },
  };
}

/**
 * undici says only "fetch failed"; the cause says why (getaddrinfo ENOTFOUND host, connect ECONNREFUSED …), and
 * that is what a person needs, e.g. to see that every name lookup fails. Pure.
 */
export function fetchFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause: unknown = err.cause;
  if (cause instanceof Error && cause.message && !err.message.includes(cause.message))
    return `${err.message}: ${cause.message}`;
  return err.message;
}

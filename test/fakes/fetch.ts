/**
 * @module A fetch that answers from handlers registered by URL, query string included, and records every
 * request. test/fakes/contracts/fetch.ts holds it to the behaviour of the real fetch.
 */
import type { Fetch } from '../../src/core/fetch.js';
import { Mistakes } from './mistakes.js';

type Handler = (request: Request) => Response | Promise<Response>;
type Matcher = (url: URL, request: Request) => boolean;

/** `a=1&b=2` and `b=2&a=1` name the same query; a repeated key keeps its order of values. */
function sameQuery(a: URLSearchParams, b: URLSearchParams): boolean {
  const sorted = (p: URLSearchParams) => {
    const copy = new URLSearchParams(p);
    copy.sort();
    return copy.toString();
  };
  return sorted(a) === sorted(b);
}

/**
 * Routes are exact: a URL given as a string matches requests to that origin and path with the same query
 * string (`https://x/y` matches no query at all, `https://x/y?hostname=a` only `hostname=a`); a matcher
 * function decides for itself (e.g. "any query"). Later routes win.
 *
 * "Nothing answers at that address" is scripted with `unreachable()`: the request rejects with a TypeError, as the
 * real fetch does. A request that no route names is a mistake in the code or the test, never a server that is
 * down: it rejects the same way, and the running test fails when it ends even if the code under test turned the
 * rejection into "unavailable" (as the HTTP and DNS sources do).
 */
export class FakeFetch {
  readonly requests: Request[] = [];
  private readonly routes: { match: Matcher; handler: Handler }[] = [];

  /** Requests no route named; each fails the running test unless taken with `takeMistakes()`. */
  private readonly mistakes = new Mistakes<TypeError>();

  /** Requests to `url` find nothing answering there (connection refused): they reject with a TypeError. */
  unreachable(url: string | Matcher): this {
    return this.on(url, (request) => {
      throw new TypeError(`fetch failed: nothing answers at ${request.url}`);
    });
  }

  /** The unrouted requests so far, for a test that expects them; taken ones no longer fail the test. */
  takeMistakes(): TypeError[] {
    return this.mistakes.take();
  }

  on(url: string | Matcher, handler: Handler): this {
    let match: Matcher;
    if (typeof url === 'string') {
      const route = new URL(url);
      match = (u) =>
        u.origin === route.origin &&
        u.pathname === route.pathname &&
        sameQuery(u.searchParams, route.searchParams);
    } else {
      match = url;
    }
    this.routes.unshift({ match, handler });
    return this;
  }

  readonly fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    this.requests.push(request.clone());
    const url = new URL(request.url);
    const route = this.routes.find((r) => r.match(url, request));
    if (!route) {
      throw this.mistakes.record(new TypeError(`FakeFetch: no route for ${request.method} ${request.url}`));
    }
    return route.handler(request);
  };
}

/**
 * @module A fetch that answers from handlers registered by URL, query string included, and records every
 * request. test/fakes/contracts/fetch.ts holds it to the behaviour of the real fetch.
 */
import type { Fetch } from '../../src/core/fetch.js';

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
 * function decides for itself (e.g. "any query"). Later routes win. A request no route matches rejects with
 * a TypeError, as the real fetch does when nothing answers at that address.
 */
export class FakeFetch {
  readonly requests: Request[] = [];
  private readonly routes: { match: Matcher; handler: Handler }[] = [];

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
    if (!route) throw new TypeError(`fetch failed: no fake route for ${request.url}`);
    return route.handler(request);
  };
}

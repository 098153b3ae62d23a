/** @module A fetch that answers from handlers registered by URL, and records every request. */
import type { Fetch } from '../../src/core/fetch.js';

type Handler = (request: Request) => Response | Promise<Response>;

export class FakeFetch {
  readonly requests: Request[] = [];
  private readonly routes = new Map<string, Handler>();

  /** Answers requests to exactly this URL (without query string). */
  on(url: string, handler: Handler): this {
    this.routes.set(url, handler);
    return this;
  }

  readonly fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    this.requests.push(request.clone());
    const url = new URL(request.url);
    const handler = this.routes.get(`${url.origin}${url.pathname}`);
    if (!handler) throw new TypeError(`fetch failed: no fake route for ${request.url}`);
    return handler(request);
  };
}

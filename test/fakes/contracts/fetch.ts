/**
 * @module The Fetch contract: cases that the real fetch (against a loopback server answering as
 * `contractServer` describes) and FakeFetch (scripted to answer the same) must both pass.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Fetch } from '../../../src/core/fetch.js';

export interface FetchUnderTest {
  readonly fetch: Fetch;
  /** Origin of the server the cases talk to (`contractServer`'s answers). */
  readonly base: string;
  /** A URL where nothing answers. */
  readonly unreachable: string;
  readonly close?: () => Promise<void>;
}

/**
 * The server every case talks to:
 * - `GET /status` → 418 `short and stout`, `x-gatehouse: yes`;
 * - `GET /headers` → 200 JSON `{ "got": <the request's x-request header> }`;
 * - `GET /greet?name=N` → 200 `hello N`;
 * - `POST /echo` → 200 with the request body.
 */
export const contractPaths = {
  status: '/status',
  headers: '/headers',
  greet: (name: string) => `/greet?name=${encodeURIComponent(name)}`,
  echo: '/echo',
} as const;

export function fetchContract(setup: () => Promise<FetchUnderTest>): void {
  let t: FetchUnderTest;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(async () => {
    await t.close?.();
  });

  it('status, body and response headers', async () => {
    const res = await t.fetch(`${t.base}${contractPaths.status}`);
    expect(res.status).toBe(418);
    expect(res.ok).toBe(false);
    expect(res.headers.get('x-gatehouse')).toBe('yes');
    expect(await res.text()).toBe('short and stout');
  });

  it('request headers reach the server', async () => {
    const res = await t.fetch(`${t.base}${contractPaths.headers}`, { headers: { 'x-request': 'abc' } });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ got: 'abc' });
  });

  it('the query string is part of the request: two queries, two answers', async () => {
    const a = await t.fetch(`${t.base}${contractPaths.greet('a')}`);
    const b = await t.fetch(`${t.base}${contractPaths.greet('b')}`);
    expect([await a.text(), await b.text()]).toEqual(['hello a', 'hello b']);
  });

  it('a POST body reaches the server', async () => {
    const res = await t.fetch(`${t.base}${contractPaths.echo}`, { method: 'POST', body: 'ping' });
    expect(await res.text()).toBe('ping');
  });

  it('nothing answering at the URL rejects with a TypeError', async () => {
    await expect(t.fetch(t.unreachable)).rejects.toBeInstanceOf(TypeError);
  });
}

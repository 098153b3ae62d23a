import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeFetch } from '../../../test/fakes/fetch.js';
import { igdRequest } from './igd-http.js';
import { maxXmlChars } from './xml.js';

const url = 'http://10.10.0.1:5000/rootDesc.xml';

/** A body of `chunks` chunks of `size` bytes each ('x'); records how many were pulled and whether it was cancelled. */
function countedBody(size: number, chunks = Number.POSITIVE_INFINITY) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled >= chunks) {
        controller.close();
        return;
      }
      seen.pulled++;
      controller.enqueue(new Uint8Array(size).fill(0x78));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

describe('igdRequest: bounded in body size', () => {
  it('reads a body up to the cap, and no further: a larger one is a reason and the rest is never pulled', async () => {
    const exact = countedBody(1024, 4);
    const atCap = await igdRequest(new FakeFetch().on(url, () => new Response(exact.body)).fetch, url, {
      timeoutMs: 2000,
      maxBodyBytes: 4096,
    });
    expect(atCap).toMatchObject({ ok: true, status: 200, text: 'x'.repeat(4096) });

    // An endless body: stopped after the first chunk past the cap, and cancelled.
    const endless = countedBody(1024);
    const over = await igdRequest(new FakeFetch().on(url, () => new Response(endless.body)).fetch, url, {
      timeoutMs: 2000,
      maxBodyBytes: 4096,
    });
    expect(over).toEqual({ ok: false, reason: 'answer larger than 4096 bytes' });
    expect(endless.seen.cancelled).toBe(true);
    expect(endless.seen.pulled).toBeLessThanOrEqual(6);
  });

  it('caps at the largest XML document we parse unless told otherwise', async () => {
    const fetch = new FakeFetch().on(url, () => new Response('x'.repeat(maxXmlChars + 1))).fetch;
    expect(await igdRequest(fetch, url, { timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: `answer larger than ${maxXmlChars} bytes`,
    });
  });

  it('hands back status, headers and text, and never follows a redirect', async () => {
    const fake = new FakeFetch().on(
      url,
      () => new Response('', { status: 200, headers: { SID: 'uuid:1', TIMEOUT: 'Second-1800' } }),
    );
    const r = await igdRequest(fake.fetch, url, { timeoutMs: 2000 }, { method: 'SUBSCRIBE' });
    expect(r.ok && [r.status, r.headers.get('sid'), r.text]).toEqual([200, 'uuid:1', '']);
    expect(fake.requests.map((q) => [q.method, q.redirect])).toEqual([['SUBSCRIBE', 'error']]);
  });

  it('a failed request is a reason naming the cause, never a throw', async () => {
    const fetch = () =>
      Promise.reject(
        new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 10.10.0.1:5000') }),
      );
    expect(await igdRequest(fetch, url, { timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: 'fetch failed: connect ECONNREFUSED 10.10.0.1:5000',
    });
  });
});

describe('igdRequest: bounded in time, body included (a real server on loopback)', () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(handler: http.RequestListener): Promise<string> {
    const s = http.createServer(handler);
    server = s;
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/rootDesc.xml`;
  }

  it('a server that sends its headers and then stalls in the body is "no HTTP answer within" the limit', async () => {
    const stalling = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': '1000' });
      res.write('<root>');
    });
    expect(await igdRequest(fetch, stalling, { timeoutMs: 50 })).toEqual({
      ok: false,
      reason: 'no HTTP answer within 50 ms',
    });
  });

  it('the caller’s signal ends the request too, as a reason', async () => {
    const silent = await serve(() => undefined);
    const abort = new AbortController();
    const pending = igdRequest(fetch, silent, { timeoutMs: 60_000 }, {}, abort.signal);
    abort.abort(new Error('stopping'));
    expect(await pending).toMatchObject({ ok: false, reason: expect.stringMatching(/stopping/) });
  });
});

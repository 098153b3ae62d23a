/**
 * @module Faults of the client on a real loopback socket: a malformed chunked body, a client that disconnects
 * mid-body, and what Node's HTTP parser refuses (bad request line, headers too large). None is a server error: no
 * error-level log line, no 5xx in /metrics, and every answer that can still be sent has the API's JSON error shape.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type RunningServer } from '../../src/http/node-server.js';
import { harnessPerTest } from '../support/api-helpers.js';
import type { Harness } from '../support/app-harness.js';

const createHarness = harnessPerTest();
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** The harness's app behind the server's own listener (src/http/node-server.ts) on 127.0.0.1. */
async function served(): Promise<{ h: Harness; port: number }> {
  const h = await createHarness({ trustProxy: false });
  const server = await listen({ fetch: h.app.fetch, host: '127.0.0.1', port: 0 });
  servers.push(server);
  return { h, port: server.port };
}

/** Sends raw bytes and returns everything the server wrote until it closed the connection. */
function exchange(port: number, chunks: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (b: Buffer) => (received += b.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' ? resolve(received) : reject(e),
    );
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
    });
  });
}

function parseResponse(raw: string): { status: number; headers: string; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  return {
    status,
    headers: head.toLowerCase(),
    body: body === '' ? undefined : (JSON.parse(body) as unknown),
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

async function expectNoServerError(h: Harness): Promise<void> {
  expect(h.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  const requests = await h.metrics.registry.getSingleMetricAsString('gatehouse_http_requests_total');
  expect(requests).not.toMatch(/status="5\d\d"/);
}

const head = (port: number, extra: string) =>
  `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${extra}\r\n`;

describe('a client that sends a broken body', () => {
  it('a malformed chunked body: 400 in the JSON error shape, no error logged, no 500 counted', async () => {
    const { h, port } = await served();
    const raw = await exchange(port, [head(port, 'Transfer-Encoding: chunked\r\n'), '5\r\n{"use\r\nzz\r\n']);
    const res = parseResponse(raw);
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/json/);
    expect(res.body).toEqual({
      error: { code: 'http.bad-request', message: expect.stringMatching(/chunk/i) },
    });
    await until('the handler to finish', () =>
      h.logger.lines.some((l) => l.msg === 'client aborted the request'),
    );
    const aborted = h.logger.lines.find((l) => l.msg === 'client aborted the request');
    expect(aborted?.level).toBe('debug');
    expect(JSON.stringify(aborted?.fields)).not.toMatch(/stack|\bat \S+:\d+/);
    await expectNoServerError(h);
  });

  it('a client that disconnects mid-body: logged at debug without a stack, counted apart from 5xx', async () => {
    const { h, port } = await served();
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(head(port, 'Content-Length: 100\r\n') + '{"username":');
        // The handler is reading the body once the request is counted as in flight; then the client goes away.
        setImmediate(() => {
          socket.destroy();
          resolve();
        });
      });
    });
    await until('the aborted request to be logged', () =>
      h.logger.lines.some((l) => l.msg === 'client aborted the request'),
    );
    await expectNoServerError(h);
    const requests = await h.metrics.registry.getSingleMetricAsString('gatehouse_http_requests_total');
    expect(requests).toMatch(/status="499"/);
  });
});

describe("Node's HTTP parser refusals answer the JSON error shape", () => {
  it('a request line that is not HTTP: 400 http.bad-request', async () => {
    const { h, port } = await served();
    const res = parseResponse(await exchange(port, ['NOT A REQUEST\r\n\r\n']));
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/json/);
    expect(res.headers).toMatch(/connection: close/);
    expect(res.body).toEqual({ error: { code: 'http.bad-request', message: expect.any(String) } });
    await expectNoServerError(h);
  });

  it('chunk extensions larger than the limit: 413 body.too-large', async () => {
    const { h, port } = await served();
    const raw = await exchange(port, [
      head(port, 'Transfer-Encoding: chunked\r\n'),
      `5;${'x'.repeat(20_000)}\r\n{"use\r\n0\r\n\r\n`,
    ]);
    const res = parseResponse(raw);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: { code: 'body.too-large', message: expect.stringMatching(/chunk/) } });
    await expectNoServerError(h);
  });

  it('headers larger than the limit: 431 http.headers-too-large', async () => {
    const { port } = await served();
    const big = `X-Big: ${'a'.repeat(20_000)}\r\n`;
    const res = parseResponse(
      await exchange(port, [`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${big}\r\n`]),
    );
    expect(res.status).toBe(431);
    expect(res.body).toEqual({
      error: { code: 'http.headers-too-large', message: expect.stringMatching(/headers/) },
    });
  });
});

/**
 * @module A real HTTP server on loopback standing in for a provider's API (Cloudflare, Route 53, dyndns2, …): the
 * test supplies a handler that implements the documented requests and answers; every request is recorded. Real
 * HTTP, so the adapter's fetch, headers, bodies and timeouts are exercised as in production.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeApiRequest {
  readonly method: string;
  /** Path and query, e.g. `/client/v4/zones?name=example.com`. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeApiAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON. */
  readonly body?: unknown;
}

export interface FakeApi {
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  readonly requests: FakeApiRequest[];
  close(): Promise<void>;
}

export async function startFakeApi(
  handler: (request: FakeApiRequest) => FakeApiAnswer | Promise<FakeApiAnswer>,
): Promise<FakeApi> {
  const requests: FakeApiRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: FakeApiRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      void Promise.resolve()
        .then(() => handler(request))
        .then(
          (answer) => {
            const text =
              typeof answer.body === 'string'
                ? answer.body
                : answer.body === undefined
                  ? ''
                  : JSON.stringify(answer.body);
            res.writeHead(answer.status ?? 200, {
              ...(typeof answer.body === 'string' || answer.body === undefined
                ? { 'content-type': 'text/plain' }
                : { 'content-type': 'application/json' }),
              ...answer.headers,
            });
            res.end(text);
          },
          (err: unknown) => {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end(`fake API handler failed: ${String(err)}`);
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { connect, createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { skipReason } from '../../test/support/skip.js';
import { createHttp01Registry, maxTargetLength } from './http01.js';
import { createHttp01Server, type Http01Limits, type Http01Server } from './http01-server.js';

const token = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const keyAuth = `${token}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI`;
const path = `/.well-known/acme-challenge/${token}`;

const running: Http01Server[] = [];
const others: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await Promise.all(others.splice(0).map((s) => new Promise((done) => s.close(done))));
});

async function start(
  options: { httpsPort?: number | (() => number); limits?: Partial<Http01Limits> } = {},
): Promise<{ server: Http01Server; port: number; registry: ReturnType<typeof createHttp01Registry> }> {
  const registry = createHttp01Registry();
  const server = createHttp01Server({
    listen: { host: '127.0.0.1', port: 0 },
    tokens: registry,
    httpsPort: options.httpsPort ?? 443,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  running.push(server);
  const started = await server.start();
  if (!started.ok) throw new Error(started.error.message);
  return { server, port: started.value.port, registry };
}

interface Exchange {
  /** Everything the server sent until it closed the connection. */
  readonly raw: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends bytes as they are and reads until the server closes: every answer here ends the connection. */
function exchange(
  port: number,
  request: string | readonly string[],
  address = '127.0.0.1',
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, address);
    let raw = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (raw += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = raw.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ raw, status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    for (const part of typeof request === 'string' ? [request] : request) socket.write(part);
  });
}

const get = (port: number, target: string, host = 'home.example', method = 'GET') =>
  exchange(port, `${method} ${target} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);

describe('the HTTP-01 listener on loopback', () => {
  it('serves a registered token, and 404 once it is unregistered', async () => {
    const { port, registry } = await start();
    registry.register(token, keyAuth);
    const served = await get(port, path);
    expect(served.status).toBe(200);
    expect(served.body).toBe(keyAuth);
    expect(served.headers['content-type']).toBe('text/plain');
    expect(served.headers['content-length']).toBe(String(keyAuth.length));
    expect(served.headers.connection).toBe('close');
    registry.unregister(token);
    const gone = await get(port, path);
    expect(gone.status).toBe(404);
    expect(gone.body).toBe('no such ACME challenge\n');
  });

  it('answers HEAD with the headers and no body', async () => {
    const { port, registry } = await start();
    registry.register(token, keyAuth);
    const head = await get(port, path, 'home.example', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(keyAuth.length));
    expect(head.body).toBe('');
  });

  it('redirects everything else to HTTPS on the UI port read at each request', async () => {
    let httpsPort = 8443;
    const { port } = await start({ httpsPort: () => httpsPort });
    const first = await get(port, '/ui/login?next=%2F', 'Home.Example:80');
    expect(first.status).toBe(301);
    expect(first.headers.location).toBe('https://home.example:8443/ui/login?next=%2F');
    httpsPort = 443;
    expect((await get(port, '/')).headers.location).toBe('https://home.example/');
  });

  it('refuses a Host that is no host, two Hosts and none, and never echoes them', async () => {
    const { port } = await start();
    const bad = await get(port, '/', 'evil.example/<x>');
    expect(bad.status).toBe(400);
    expect(bad.raw).not.toContain('evil');
    const two = await exchange(port, 'GET / HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n');
    expect(two.status).toBe(400);
    expect(two.body).toBe('more than one Host header\n');
    const none = await exchange(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(none.status).toBe(400);
    expect(none.body).toBe('the Host header is missing\n');
  });

  it('answers 405 to a POST without reading its body', async () => {
    const { port } = await start();
    // The body is announced and never sent: an answer at once shows nothing waits for it.
    const posted = await exchange(
      port,
      `POST ${path} HTTP/1.1\r\nHost: home.example\r\nContent-Length: 1000000\r\n\r\n`,
    );
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe('GET, HEAD');
  });

  it('answers one request per connection, even when the client asks to keep it', async () => {
    const { port } = await start();
    const two = await exchange(
      port,
      'GET /a HTTP/1.1\r\nHost: home.example\r\nConnection: keep-alive\r\n\r\n' +
        'GET /b HTTP/1.1\r\nHost: home.example\r\n\r\n',
    );
    expect(two.headers.location).toBe('https://home.example/a');
    expect(two.raw.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });

  it('answers 414 to a long target and 431 to headers past the limit, in plain text', async () => {
    const { port } = await start();
    const long = await get(port, `/${'a'.repeat(maxTargetLength)}`);
    expect(long.status).toBe(414);
    const big = await exchange(
      port,
      `GET / HTTP/1.1\r\nHost: home.example\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`,
    );
    expect(big.status).toBe(431);
    expect(big.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(big.body).toBe('Request Header Fields Too Large\n');
  });

  it('answers 400 to what the parser refuses: a malformed request line, bytes outside ASCII', async () => {
    const { port } = await start();
    const garbled = await exchange(port, 'HELLO\r\n\r\n');
    expect(garbled.status).toBe(400);
    expect(garbled.body).toBe('Bad Request\n');
    const latin = await exchange(port, 'GET /caf\u00e9 HTTP/1.1\r\nHost: home.example\r\n\r\n');
    expect(latin.status).toBe(400);
  });

  it('cuts off a client that sends its headers too slowly, and one that sends nothing (408)', async () => {
    const { port } = await start({
      limits: { headersTimeoutMs: 200, requestTimeoutMs: 300, idleTimeoutMs: 5_000 },
    });
    const began = Date.now();
    // Half a request, then silence: the answer comes when the server gives up, and closes the connection.
    const slow = await exchange(port, 'GET / HTTP/1.1\r\nHost: home.exa');
    expect(slow.status).toBe(408);
    const silent = await exchange(port, []);
    expect(silent.status).toBe(408);
    // Node looks for late requests once a checking interval (here 200 ms), not its default 30 s; and the answers
    // came from the request timeout, before the 5 s idle timeout.
    expect(Date.now() - began).toBeLessThan(4_000);
  });

  it('stops: closes open connections, refuses new ones, and starts again', async () => {
    const { server, port } = await start();
    const idle = connect(port, '127.0.0.1');
    await new Promise((done) => idle.once('connect', done));
    const closed = new Promise((done) => idle.once('close', done));
    await server.stop();
    await closed;
    expect(server.status()).toEqual({ state: 'stopped' });
    await expect(get(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const again = await server.start();
    expect(again.ok).toBe(true);
    expect(server.status()).toMatchObject({ state: 'listening', host: '127.0.0.1' });
    // stop() twice is harmless.
    await server.stop();
    await server.stop();
  });

  it('answers the same address to a second start, also one made while the first runs', async () => {
    const server = createHttp01Server({
      listen: { host: '127.0.0.1', port: 0 },
      tokens: createHttp01Registry(),
      httpsPort: 443,
    });
    running.push(server);
    expect(server.status()).toEqual({ state: 'stopped' });
    const [a, b] = await Promise.all([server.start(), server.start()]);
    const c = await server.start();
    expect(a).toEqual(b);
    expect(c).toEqual(a);
    expect(server.status()).toEqual({
      state: 'listening',
      host: '127.0.0.1',
      port: a.ok ? a.value.port : -1,
    });
  });

  it('reports a port another program holds as a value naming it, with the remedy', async () => {
    const other = createNetServer();
    others.push(other);
    await new Promise<void>((done) => other.listen(0, '127.0.0.1', done));
    const taken = (other.address() as AddressInfo).port;
    const server = createHttp01Server({
      listen: { host: '127.0.0.1', port: taken },
      tokens: createHttp01Registry(),
      httpsPort: 443,
    });
    running.push(server);
    const started = await server.start();
    expect(started).toMatchObject({ ok: false, error: { code: 'http01.port-in-use' } });
    expect(started.ok ? '' : started.error.message).toContain(
      `another program (a web server?) uses port ${taken} (acme.http01.listen)`,
    );
    expect(server.status()).toMatchObject({ state: 'failed', failure: { code: 'http01.port-in-use' } });
    // Once the port is free, a retry listens.
    await new Promise((done) => other.close(done));
    others.splice(0);
    expect((await server.start()).ok).toBe(true);
  });

  it('on [::] (the default) takes IPv4 and IPv6 on one port', async (ctx) => {
    const loopbackV6 = Object.values(networkInterfaces())
      .flat()
      .some((a) => a?.address === '::1');
    if (
      skipReason('HTTP-01 dual-stack listener', loopbackV6 ? undefined : 'this machine has no ::1') !==
      undefined
    )
      return ctx.skip();
    const registry = createHttp01Registry();
    const server = createHttp01Server({ listen: { host: '::', port: 0 }, tokens: registry, httpsPort: 443 });
    running.push(server);
    const started = await server.start();
    if (!started.ok) throw new Error(started.error.message);
    expect(server.status()).toMatchObject({ state: 'listening', host: '::' });
    registry.register(token, keyAuth);
    const request = `GET ${path} HTTP/1.1\r\nHost: home.example\r\n\r\n`;
    const [v4, v6] = await Promise.all([
      exchange(started.value.port, request, '127.0.0.1'),
      exchange(started.value.port, request, '::1'),
    ]);
    expect([v4.status, v4.body]).toEqual([200, keyAuth]);
    expect([v6.status, v6.body]).toEqual([200, keyAuth]);
  });

  it('reports an address this machine does not have', async () => {
    const server = createHttp01Server({
      // TEST-NET-2: bound only, never sent to.
      listen: { host: '198.51.100.7', port: 0 },
      tokens: createHttp01Registry(),
      httpsPort: 443,
    });
    running.push(server);
    expect(await server.start()).toMatchObject({ ok: false, error: { code: 'http01.no-such-address' } });
  });
});

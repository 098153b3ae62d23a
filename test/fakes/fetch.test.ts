// FakeFetch keeps the real fetch's contract (the same cases against both), and routes strictly by URL and query.
import { describe, expect, it } from 'vitest';
import { startReceiver, type Reply } from '../support/loopback-receiver.js';
import { contractPaths, fetchContract } from './contracts/fetch.js';
import { FakeFetch } from './fetch.js';

describe('Fetch contract: the real fetch against a loopback server', () => {
  fetchContract(async () => {
    const server = await startReceiver((req): Reply => {
      const url = new URL(req.url, 'http://server');
      if (req.method === 'GET' && url.pathname === contractPaths.status)
        return { status: 418, body: 'short and stout', headers: { 'x-gatehouse': 'yes' } };
      if (req.method === 'GET' && url.pathname === contractPaths.headers)
        return {
          status: 200,
          body: JSON.stringify({ got: req.headers['x-request'] }),
          headers: { 'content-type': 'application/json' },
        };
      if (req.method === 'GET' && url.pathname === '/greet')
        return { status: 200, body: `hello ${url.searchParams.get('name') ?? ''}` };
      if (req.method === 'POST' && url.pathname === contractPaths.echo)
        return { status: 200, body: req.body };
      return { status: 404, body: 'not found' };
    });
    // A port that was just in use and is closed now: nothing answers there.
    const gone = await startReceiver();
    await gone.close();
    return {
      fetch: globalThis.fetch,
      base: server.origin,
      unreachable: `${gone.origin}/`,
      close: () => server.close(),
    };
  });
});

describe('Fetch contract: FakeFetch', () => {
  fetchContract(() => {
    const base = 'http://contract.test';
    const fake = new FakeFetch()
      .on(
        `${base}${contractPaths.status}`,
        () => new Response('short and stout', { status: 418, headers: { 'x-gatehouse': 'yes' } }),
      )
      .on(`${base}${contractPaths.headers}`, (r) => Response.json({ got: r.headers.get('x-request') }))
      .on(`${base}${contractPaths.greet('a')}`, () => new Response('hello a'))
      .on(`${base}${contractPaths.greet('b')}`, () => new Response('hello b'))
      .on(`${base}${contractPaths.echo}`, async (r) => new Response(await r.text()))
      .unreachable('http://nothing.test/');
    return Promise.resolve({ fetch: fake.fetch, base, unreachable: 'http://nothing.test/' });
  });
});

describe('FakeFetch', () => {
  it('a query the routes do not name is an unknown URL, never another query’s route', async () => {
    const f = new FakeFetch().on('https://api.test/update?hostname=a', () => new Response('good'));
    expect(await (await f.fetch('https://api.test/update?hostname=a')).text()).toBe('good');
    await expect(f.fetch('https://api.test/update?hostname=b')).rejects.toThrow(TypeError);
    await expect(f.fetch('https://api.test/update')).rejects.toThrow(TypeError);
    await expect(f.fetch('https://api.test/update?hostname=a&extra=1')).rejects.toThrow(TypeError);
    // Taken here because this test expects them; otherwise each fails the test (below).
    expect(f.takeMistakes().map((e) => e.message)).toEqual([
      'FakeFetch: no route for GET https://api.test/update?hostname=b',
      'FakeFetch: no route for GET https://api.test/update',
      'FakeFetch: no route for GET https://api.test/update?hostname=a&extra=1',
    ]);
  });

  // The code under test may swallow the rejection (an echo source turns it into "unavailable"): the unrouted
  // request fails the test anyway when it ends.
  it.fails('an unrouted request fails the test even when the caller swallows the rejection', async () => {
    const f = new FakeFetch().on('https://api.test/a', () => new Response('a'));
    await f.fetch('https://api.test/b').catch(() => undefined);
  });

  it('unreachable() scripts "nothing answers" without a mistake', async () => {
    const f = new FakeFetch().unreachable('https://down.test/');
    await expect(f.fetch('https://down.test/')).rejects.toThrow(TypeError);
    expect(f.takeMistakes()).toEqual([]);
  });

  it('a route without a query matches only requests without one', async () => {
    const f = new FakeFetch().on('http://echo.test/ip', () => new Response('203.0.113.7'));
    expect(await (await f.fetch('http://echo.test/ip')).text()).toBe('203.0.113.7');
    await expect(f.fetch('http://echo.test/ip?format=json')).rejects.toThrow(/no route for/);
    expect(f.takeMistakes()).toHaveLength(1);
  });

  it('the order of query parameters does not matter', async () => {
    const f = new FakeFetch().on('https://api.test/u?a=1&b=2', () => new Response('ok'));
    expect((await f.fetch('https://api.test/u?b=2&a=1')).status).toBe(200);
  });

  it('a matcher decides for itself; later routes win; every request is recorded', async () => {
    const f = new FakeFetch()
      .on(
        (url) => url.pathname === '/nic/update',
        () => new Response('nochg'),
      )
      .on(
        (url) => url.searchParams.get('myip') === '203.0.113.9',
        () => new Response('good'),
      );
    expect(await (await f.fetch('https://dyn.test/nic/update?myip=203.0.113.9')).text()).toBe('good');
    expect(await (await f.fetch('https://dyn.test/nic/update?myip=203.0.113.8')).text()).toBe('nochg');
    expect(f.requests.map((r) => r.url)).toEqual([
      'https://dyn.test/nic/update?myip=203.0.113.9',
      'https://dyn.test/nic/update?myip=203.0.113.8',
    ]);
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { httpEchoSource } from './http-echo.js';
import { boxAddresses, interfaceSource, parseIpAddr } from './interfaces.js';
import { parseTraceroute, tracePath } from './path-probe.js';
import { PushedAddressSource } from './push-source.js';

const ipJson = JSON.stringify([
  { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
  {
    ifname: 'eth0',
    addr_info: [
      { family: 'inet', local: '10.10.0.2', prefixlen: 24, scope: 'global' },
      {
        family: 'inet6',
        local: '2001:db8:10::99',
        prefixlen: 64,
        scope: 'global',
        temporary: true,
        dynamic: true,
      },
      { family: 'inet6', local: '2001:db8:10::dead', prefixlen: 64, scope: 'global', deprecated: true },
      { family: 'inet6', local: '2001:db8:10::2', prefixlen: 64, scope: 'global' },
      { family: 'inet6', local: '2001:db8:10::7', prefixlen: 64, scope: 'global', tentative: true },
      { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
    ],
  },
  { ifname: 'wan0', addr_info: [{ family: 'inet', local: '198.51.100.20', prefixlen: 24, scope: 'global' }] },
]);

describe('interfaces', () => {
  it('parses ip -j addr show, skipping tentative addresses', () => {
    const r = parseIpAddr(ipJson);
    expect(r.ok && r.value.map((a) => a.address)).toEqual([
      '127.0.0.1',
      '10.10.0.2',
      '2001:db8:10::99',
      '2001:db8:10::dead',
      '2001:db8:10::2',
      'fe80::1',
      '198.51.100.20',
    ]);
    expect(parseIpAddr('not json').ok).toBe(false);
    expect(parseIpAddr('[{"ifname": 3}]').ok).toBe(false);
  });

  it('prefers stable IPv6 addresses over temporary and deprecated ones', () => {
    const r = parseIpAddr(ipJson);
    if (!r.ok) throw new Error(r.error);
    expect(boxAddresses(r.value, 'ipv6')).toEqual(['2001:db8:10::2', '2001:db8:10::dead', '2001:db8:10::99']);
    expect(boxAddresses(r.value, 'ipv4')).toEqual(['10.10.0.2', '198.51.100.20']);
  });

  it('the interface source answers the first public, stable address; never a private one', async () => {
    const runner = new FakeRunner().on(['ip', '-j', 'addr', 'show'], {
      exitCode: 0,
      stdout: ipJson,
      stderr: '',
    });
    const source = interfaceSource(runner, ['198.51.100.0/24', '2001:db8::/32']);
    const signal = new AbortController().signal;
    expect(await source.probe('ipv4', signal)).toEqual([
      {
        kind: 'known',
        source: 'interface',
        family: 'ipv4',
        address: '198.51.100.20',
        detail: { ifname: 'wan0', temporary: false },
      },
    ]);
    expect(await source.probe('ipv6', signal)).toMatchObject([{ kind: 'known', address: '2001:db8:10::2' }]);
    const strict = interfaceSource(runner, []);
    expect(await strict.probe('ipv4', signal)).toMatchObject([
      {
        kind: 'unavailable',
        reason: expect.stringContaining('only non-public IPv4 addresses on this box ('),
      },
    ]);
  });

  it('a missing ip command is an unavailable value naming it', async () => {
    const runner = new FakeRunner().on(['ip'], {
      kind: 'not-found',
      program: 'ip',
      message: 'ip is not installed or not on PATH',
    });
    expect(await interfaceSource(runner, []).probe('ipv4', new AbortController().signal)).toMatchObject([
      { kind: 'unavailable', reason: 'ip is not installed or not on PATH' },
    ]);
  });
});

describe('path probe', () => {
  it('parses traceroute -n output, with silent hops as null', () => {
    const out =
      'traceroute to 203.0.113.65 (203.0.113.65), 3 hops max, 60 byte packets\n 1  10.10.0.1  0.1 ms\n 2  *\n 3  203.0.113.65  0.3 ms\n';
    expect(parseTraceroute(out)).toEqual(['10.10.0.1', null, '203.0.113.65']);
  });

  it('says plainly when traceroute is missing', async () => {
    const runner = new FakeRunner().missing('traceroute');
    expect(await tracePath(runner, '203.0.113.65')).toEqual({
      ok: false,
      reason: 'traceroute is not installed (apt-get install traceroute)',
    });
    expect(runner.calls[0]?.argv).toEqual([
      'traceroute',
      '-n',
      '-q',
      '1',
      '-w',
      '1',
      '-m',
      '3',
      '203.0.113.65',
    ]);
  });
});

describe('HTTP echo source', () => {
  let server: http.Server;
  let base = '';
  let answer = '203.0.113.7\n';
  let status = 200;
  const clientPorts: number[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      clientPorts.push(req.socket.remotePort ?? 0);
      res.statusCode = status;
      res.end(answer);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('reads a plain-text address, and refuses anything else with a reason', async () => {
    const source = httpEchoSource([{ url: `${base}/ip`, family: 'ipv4' }], globalThis.fetch, 2000);
    const signal = new AbortController().signal;
    answer = '203.0.113.7\n';
    expect(await source.probe('ipv4', signal)).toEqual([
      { kind: 'known', source: `http:${base.slice(7)}`, family: 'ipv4', address: '203.0.113.7' },
    ]);
    answer = '<html>hello</html>';
    expect(await source.probe('ipv4', signal)).toMatchObject([
      { kind: 'unavailable', reason: expect.stringContaining('not an ipv4 address') },
    ]);
    answer = '2001:db8::1';
    expect(await source.probe('ipv4', signal)).toMatchObject([{ kind: 'unavailable' }]);
    status = 503;
    expect(await source.probe('ipv4', signal)).toMatchObject([
      { kind: 'unavailable', reason: expect.stringContaining('HTTP 503') },
    ]);
    status = 200;
    expect(await source.probe('ipv6', signal)).toEqual([]);
  });

  it('asks over a new connection every time: a kept-alive one may start from an address the box no longer has', async () => {
    const source = httpEchoSource([{ url: `${base}/ip`, family: 'ipv4' }], globalThis.fetch, 2000);
    answer = '203.0.113.7';
    clientPorts.length = 0;
    for (let i = 0; i < 3; i++) await source.probe('ipv4', new AbortController().signal);
    expect(new Set(clientPorts).size).toBe(3);
  });

  it('a refused connection is unavailable, not an exception', async () => {
    const source = httpEchoSource([{ url: 'http://127.0.0.1:1/ip', family: 'ipv4' }], globalThis.fetch, 2000);
    expect(await source.probe('ipv4', new AbortController().signal)).toMatchObject([{ kind: 'unavailable' }]);
  });
});

describe('push source', () => {
  it('reports a fresh push and forgets an old one', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const push = new PushedAddressSource(clock, 60_000);
    expect(await push.probe('ipv4')).toMatchObject([
      { kind: 'unavailable', reason: 'the router has not pushed an address' },
    ]);
    expect(push.push('not an ip', 'router')).toBe(false);
    expect(push.push('203.0.113.9', 'router')).toBe(true);
    expect(await push.probe('ipv4')).toEqual([
      { kind: 'known', source: 'push', family: 'ipv4', address: '203.0.113.9', detail: { from: 'router' } },
    ]);
    expect(push.push('203.0.113.10', 'dyndns2:fritzbox', true)).toBe(true);
    expect(await push.probe('ipv4')).toEqual([
      {
        kind: 'known',
        source: 'push',
        family: 'ipv4',
        address: '203.0.113.10',
        detail: { from: 'dyndns2:fritzbox', trusted: true },
      },
    ]);
    clock.advance(61_000);
    expect(await push.probe('ipv4')).toMatchObject([
      { kind: 'unavailable', reason: expect.stringContaining('min old') },
    ]);
  });
});

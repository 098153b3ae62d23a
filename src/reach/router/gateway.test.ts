import { describe, expect, it } from 'vitest';
import { FakeRunner } from '../../../test/fakes/runner.js';
import { defaultRouteGateway, parseDefaultGateway } from './gateway.js';

describe('parseDefaultGateway', () => {
  it.each([
    ['one default route', '[{"dst":"default","gateway":"10.10.0.1","dev":"eth0","flags":[]}]', '10.10.0.1'],
    [
      'the lowest metric wins',
      '[{"dst":"default","gateway":"192.168.1.1","dev":"wlan0","metric":600,"flags":[]},' +
        '{"dst":"default","gateway":"10.10.0.1","dev":"eth0","metric":100,"flags":[]}]',
      '10.10.0.1',
    ],
    [
      'a route without a gateway is skipped',
      '[{"dst":"default","dev":"wg0","scope":"link","flags":[]},{"dst":"default","gateway":"10.0.0.1","flags":[]}]',
      '10.0.0.1',
    ],
  ])('%s', (_name, stdout, gateway) => {
    expect(parseDefaultGateway(stdout)).toEqual({ ok: true, address: gateway });
  });

  it.each([
    ['no route', '[]', /no IPv4 default route/],
    ['empty output', '', /no IPv4 default route/],
    ['an IPv6 gateway only', '[{"dst":"default","gateway":"fe80::1","flags":[]}]', /no IPv4/],
    ['not JSON', 'default via 10.0.0.1', /not JSON/],
    ['another shape', '{"dst":"default"}', /unexpected shape/],
  ])('%s is a reason', (_name, stdout, reason) => {
    const r = parseDefaultGateway(stdout);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('defaultRouteGateway', () => {
  it('runs ip -j route show default as argv and parses the answer', async () => {
    const runner = new FakeRunner().on(['ip'], {
      exitCode: 0,
      stdout: '[{"dst":"default","gateway":"10.10.0.1","dev":"eth0","flags":[]}]\n',
      stderr: '',
    });
    expect(await defaultRouteGateway(runner)()).toEqual({ ok: true, address: '10.10.0.1' });
    expect(runner.calls.map((c) => c.argv)).toEqual([['ip', '-j', 'route', 'show', 'default']]);
  });

  it('says so when ip is missing or fails', async () => {
    const missing = await defaultRouteGateway(new FakeRunner().missing('ip'))();
    expect(missing).toEqual({ ok: false, reason: 'ip is not installed or not on PATH' });
    const failing = new FakeRunner().on(['ip'], {
      exitCode: 2,
      stdout: '',
      stderr: 'Cannot open netlink socket',
    });
    expect(await defaultRouteGateway(failing)()).toEqual({
      ok: false,
      reason: 'ip route failed (exit 2): Cannot open netlink socket',
    });
  });

  it('says when ip does not answer in time (not an empty reason)', async () => {
    const runner = new FakeRunner().hangs(['ip']);
    expect(await defaultRouteGateway(runner)()).toEqual({
      ok: false,
      reason: 'ip route did not finish within 5 s',
    });
    expect(runner.calls[0]?.timeoutMs).toBe(5000);
  });
});

describe('parseDefaultGateway picks the route NAT-PMP and PCP must talk to', () => {
  const route = (r: Record<string, unknown>) => r;
  it.each([
    ['blank output (no routes)', '\n', { ok: false, reason: 'no IPv4 default route with a gateway' }],
    [
      'a more specific route with a lower metric is not the default',
      JSON.stringify([
        route({ dst: '10.0.0.0/8', gateway: '10.10.0.254', metric: 0 }),
        route({ dst: 'default', gateway: '10.10.0.1', metric: 100 }),
      ]),
      { ok: true, address: '10.10.0.1' },
    ],
    [
      'a default route without a gateway (a point-to-point link) is skipped',
      JSON.stringify([
        route({ dst: 'default', dev: 'ppp0', metric: 0 }),
        route({ dst: 'default', gateway: '10.10.0.1', metric: 50 }),
      ]),
      { ok: true, address: '10.10.0.1' },
    ],
    [
      'a route without a metric counts as metric 0',
      JSON.stringify([
        route({ dst: 'default', gateway: '10.10.0.9', metric: 100 }),
        route({ dst: 'default', gateway: '10.10.0.1' }),
      ]),
      { ok: true, address: '10.10.0.1' },
    ],
    [
      'an IPv6 gateway is not one for NAT-PMP / PCP over IPv4',
      JSON.stringify([route({ dst: 'default', gateway: 'fe80::1', metric: 0 })]),
      { ok: false, reason: 'no IPv4 default route with a gateway' },
    ],
    [
      'a route whose fields have the wrong type',
      JSON.stringify([route({ dst: 7, gateway: '10.10.0.1' })]),
      { ok: false, reason: 'ip -j route printed an unexpected shape' },
    ],
  ])('%s', (_name, stdout, expected) => {
    expect(parseDefaultGateway(stdout)).toEqual(expected);
  });

  it('a lookup cancelled by the caller says so', async () => {
    const controller = new AbortController();
    const lookup = defaultRouteGateway(new FakeRunner().hangs(['ip']))(controller.signal);
    controller.abort();
    expect(await lookup).toEqual({ ok: false, reason: 'ip was cancelled' });
  });
});

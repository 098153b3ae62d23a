import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeUdp, startUdpResponder, stunBindingAnswer, type UdpResponder } from '../../test/fakes/udp.js';
import { systemClock } from '../core/clock.js';
import { createDgramUdp } from '../core/dgram-udp.js';
import { createUdpStunClient, planStunSends } from './stun-udp.js';

describe('planStunSends', () => {
  it.each([
    [2500, [0, 250, 750, 1750]],
    [5000, [0, 250, 750, 1750, 3750]],
    [60_000, [0, 250, 750, 1750, 3750]],
    [750, [0, 250]],
    [251, [0, 250]],
    [250, [0]],
    [0, []],
  ])('within %i ms: sends at %j', (timeoutMs, sends) => {
    expect(planStunSends(timeoutMs)).toEqual(sends);
  });
});

const a = { address: '198.51.100.10', port: 3478 };
const b = { address: '198.51.100.20', port: 3478 };
const seen = { address: '203.0.113.2', port: 40001 };

/** A STUN client on FakeUdp and the FakeClock, with transaction ids 1, 2, … (12 bytes each). */
function setup() {
  const clock = new FakeClock();
  const udp = new FakeUdp(clock);
  let n = 0;
  const stun = createUdpStunClient({
    udp,
    clock,
    random: (size) => new Uint8Array(size).fill(++n),
    resolve: (host) =>
      host === 'stun.example.net'
        ? Promise.resolve(b.address)
        : Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' })),
  });
  const sendsTo = (to: { address: string }) => udp.sent.filter((s) => s.to.address === to.address).length;
  return { clock, udp, stun, sendsTo };
}

describe('the STUN client on the UdpTransport and the Clock', () => {
  it('asks every server from one socket, resending on the schedule until each answers', async () => {
    const { clock, udp, stun, sendsTo } = setup();
    udp.peer(a, (d) => stunBindingAnswer(d.data, seen));
    let askedB = 0;
    // b answers only its third request (the first two are lost).
    udp.peer(b, (d) => (++askedB >= 3 ? stunBindingAnswer(d.data, { ...seen, port: 40002 }) : undefined));
    const query = stun.query(['198.51.100.10:3478', 'stun.example.net:3478'], 'ipv4', { timeoutMs: 2500 });
    await clock.settle();
    expect([sendsTo(a), sendsTo(b)]).toEqual([1, 1]);
    clock.advance(249);
    await clock.settle();
    expect(sendsTo(b)).toBe(1);
    clock.advance(1);
    await clock.settle();
    expect(sendsTo(b)).toBe(2);
    clock.advance(500);
    const result = await query;
    expect([sendsTo(a), sendsTo(b)]).toEqual([1, 3]);
    expect(result).toEqual({
      localPort: 40000,
      results: [
        { server: '198.51.100.10:3478', mapped: { address: '203.0.113.2', port: 40001 } },
        { server: 'stun.example.net:3478', mapped: { address: '203.0.113.2', port: 40002 } },
      ],
    });
    // One socket, opened for the family asked, closed at the end; every request from its port.
    expect(udp.opened).toEqual([{ family: 'ipv4' }]);
    expect(new Set(udp.sent.map((s) => s.from.port))).toEqual(new Set([40000]));
    expect(udp.sockets[0]?.closed).toBe(true);
  });

  it('a silent server: sends at 0, 250, 750 and 1750 ms, then "no answer" at 2.5 s and not before', async () => {
    const { clock, udp, stun, sendsTo } = setup();
    const start = clock.now().getTime();
    let done = false;
    const query = stun.query(['198.51.100.10:3478'], 'ipv4', { timeoutMs: 2500 }).finally(() => {
      done = true;
    });
    const steps: [ms: number, sends: number][] = [
      [0, 1],
      [249, 1],
      [250, 2],
      [749, 2],
      [750, 3],
      [1749, 3],
      [1750, 4],
      [2499, 4],
    ];
    for (const [ms, sends] of steps) {
      clock.advanceTo(new Date(start + ms));
      await clock.settle();
      expect([ms, sendsTo(a), done]).toEqual([ms, sends, false]);
    }
    clock.advance(1);
    expect(await query).toEqual({
      localPort: 40000,
      results: [{ server: '198.51.100.10:3478', mapped: null, error: 'no answer within 2500 ms' }],
    });
    expect(udp.sockets[0]?.closed).toBe(true);
  });

  it('tells each server’s observation as soon as it is known, while a silent one is still asked', async () => {
    const { clock, udp, stun } = setup();
    udp.peer(a, (d) => stunBindingAnswer(d.data, seen));
    const told: unknown[] = [];
    let done = false;
    const query = stun
      .query(['198.51.100.10:3478', '198.51.100.20:3478'], 'ipv4', {
        timeoutMs: 2500,
        onResult: (o) => told.push(o),
      })
      .finally(() => (done = true));
    await clock.settle();
    expect(told).toEqual([{ server: '198.51.100.10:3478', mapped: { address: '203.0.113.2', port: 40001 } }]);
    expect(done).toBe(false);
    clock.advance(2500);
    const result = await query;
    expect(told).toEqual(result.results);
    expect(told).toHaveLength(2);
  });

  it('a late wake-up does not push the schedule back: what is due is sent at once', async () => {
    const { clock, stun, sendsTo } = setup();
    const query = stun.query(['198.51.100.10:3478'], 'ipv4', { timeoutMs: 2500 });
    await clock.settle();
    clock.advance(1800);
    await clock.settle();
    expect(sendsTo(a)).toBe(4);
    clock.advance(700);
    expect((await query).results[0]?.error).toBe('no answer within 2500 ms');
  });

  it('ignores answers that match no request (stale or forged transaction ids) and non-STUN noise', async () => {
    const { clock, udp, stun } = setup();
    udp.peer(a, (d) => {
      const stale = Uint8Array.from(d.data);
      stale[19] = 0xee;
      return [new TextEncoder().encode('noise'), stunBindingAnswer(stale, seen) ?? new Uint8Array()];
    });
    const query = stun.query(['198.51.100.10:3478'], 'ipv4', { timeoutMs: 300 });
    await clock.settle();
    clock.advance(300);
    expect((await query).results).toEqual([
      { server: '198.51.100.10:3478', mapped: null, error: 'no answer within 300 ms' },
    ]);
  });

  it('the caller’s signal ends every pending request as "aborted"', async () => {
    const { clock, udp, stun } = setup();
    const abort = new AbortController();
    const query = stun.query(['198.51.100.10:3478', '198.51.100.20:3478'], 'ipv4', {
      timeoutMs: 2500,
      signal: abort.signal,
    });
    await clock.settle();
    abort.abort();
    expect((await query).results).toEqual([
      { server: '198.51.100.10:3478', mapped: null, error: 'aborted' },
      { server: '198.51.100.20:3478', mapped: null, error: 'aborted' },
    ]);
    expect(udp.sockets[0]?.closed).toBe(true);
  });

  it('a name that does not resolve, and a family with no socket, are results with a reason', async () => {
    const { udp, stun } = setup();
    expect((await stun.query(['nowhere.example:3478'], 'ipv4', { timeoutMs: 2500 })).results).toEqual([
      { server: 'nowhere.example:3478', mapped: null, error: 'cannot resolve nowhere.example: ENOTFOUND' },
    ]);
    udp.failOpens('cannot bind a UDP socket: EAFNOSUPPORT');
    expect(await stun.query(['[2001:db8::1]:3478'], 'ipv6', { timeoutMs: 2500 })).toEqual({
      localPort: 0,
      results: [
        {
          server: '[2001:db8::1]:3478',
          mapped: null,
          error: 'no ipv6 socket on this box (cannot bind a UDP socket: EAFNOSUPPORT)',
        },
      ],
    });
  });
});

describe('the STUN client on the dgram adapter and a STUN server on loopback', () => {
  const servers: UdpResponder[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('both servers see the same local port, which is the one reported', async () => {
    for (let i = 0; i < 2; i++)
      servers.push(await startUdpResponder((d) => stunBindingAnswer(new Uint8Array(d.data), d.from)));
    const stun = createUdpStunClient({ udp: createDgramUdp(), clock: systemClock });
    const r = await stun.query(
      servers.map((s) => `127.0.0.1:${s.port}`),
      'ipv4',
      { timeoutMs: 2000 },
    );
    expect(r.localPort).toBeGreaterThan(0);
    expect(r.results).toEqual(
      servers.map((s) => ({
        server: `127.0.0.1:${s.port}`,
        mapped: { address: '127.0.0.1', port: r.localPort },
      })),
    );
  });
});

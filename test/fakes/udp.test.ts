// FakeUdp keeps the dgram adapter's contract (the same cases against both), and records what a test asserts on.
import { afterEach, describe, expect, it } from 'vitest';
import { createDgramUdp } from '../../src/core/dgram-udp.js';
import { localAddressToward } from '../../src/core/udp.js';
import { FakeClock } from './clock.js';
import { udpContract } from './contracts/udp.js';
import { FakeUdp, startUdpResponder, type UdpResponder } from './udp.js';

const responders: UdpResponder[] = [];
afterEach(async () => {
  for (const r of responders.splice(0)) await r.close();
});

describe('UdpTransport contract: the dgram adapter on loopback', () => {
  udpContract(() => ({
    udp: createDgramUdp(),
    peer: async (handler) => {
      const r = await startUdpResponder((d) => handler({ data: new Uint8Array(d.data), from: d.from }));
      responders.push(r);
      return { endpoint: { address: r.address, port: r.port }, received: () => r.received.length };
    },
    elapse: () => Promise.resolve(),
  }));
});

describe('UdpTransport contract: FakeUdp', () => {
  udpContract(() => {
    const clock = new FakeClock();
    const udp = new FakeUdp(clock);
    let port = 3478;
    return {
      udp,
      peer: (handler) => {
        const endpoint = { address: '127.0.0.1', port: port++ };
        let received = 0;
        udp.peer(endpoint, (d) => {
          received++;
          return handler(d);
        });
        return Promise.resolve({ endpoint, received: () => received });
      },
      elapse: async (ms) => {
        await clock.sleeping();
        clock.advance(ms);
      },
    };
  });
});

describe('FakeUdp', () => {
  it('records opens and sends; a datagram to nobody goes nowhere', async () => {
    const udp = new FakeUdp(new FakeClock(), '10.10.0.2');
    const opened = await udp.open({ connectTo: { address: '10.10.0.1', port: 5351 } });
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.socket.local).toEqual({ address: '10.10.0.2', port: 40000 });
    expect(await opened.socket.send(new Uint8Array([1]))).toBe(true);
    expect(udp.opened).toEqual([{ connectTo: { address: '10.10.0.1', port: 5351 } }]);
    expect(udp.sent).toEqual([
      {
        data: new Uint8Array([1]),
        from: { address: '10.10.0.2', port: 40000 },
        to: { address: '10.10.0.1', port: 5351 },
      },
    ]);
  });

  it('a connected socket hears only its peer; a failing open is a reason', async () => {
    const clock = new FakeClock();
    const udp = new FakeUdp(clock);
    const opened = await udp.open({ connectTo: { address: '127.0.0.1', port: 1 } });
    if (!opened.ok) throw new Error(opened.reason);
    udp.sockets[0]?.arrive({ data: new Uint8Array([9]), from: { address: '127.0.0.1', port: 2 } });
    const waiting = opened.socket.receive(100);
    await clock.sleeping();
    clock.advance(100);
    expect(await waiting).toBeUndefined();
    udp.failOpens('cannot bind a UDP socket: EPERM');
    expect(await udp.open()).toEqual({ ok: false, reason: 'cannot bind a UDP socket: EPERM' });
    expect(await localAddressToward(udp, { address: '10.10.0.1', port: 80 })).toEqual({
      ok: false,
      reason: 'no route to 10.10.0.1 (cannot bind a UDP socket: EPERM)',
    });
  });
});

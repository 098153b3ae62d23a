import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import { createEventBus } from '../../core/events.js';
import { AnnouncementListener, parseAnnouncement } from './announce.js';
import { fixedGateway } from './gateway.js';
import type { RouterWanChanged } from './router-events.js';
import type { Datagram, ReceiveOptions, UdpOpenOptions, UdpSocket, UdpTransport } from '../../core/udp.js';

/** RFC 6886 §3.2: version 0, opcode 128, result, seconds since start of epoch, external IPv4 address. */
function natPmpAnnouncement(address: string, epoch = 77, result = 0): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint8(1, 128);
  v.setUint16(2, result);
  v.setUint32(4, epoch);
  b.set(address.split('.').map(Number), 8);
  return b;
}

/** RFC 6887 §7.2 / §14.1.3: version 2, R bit + opcode ANNOUNCE (0), result 0, lifetime 0, epoch, 12 reserved. */
function pcpAnnounce(epoch = 78): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint8(0, 2);
  v.setUint8(1, 0x80);
  v.setUint32(8, epoch);
  return b;
}

describe('parseAnnouncement', () => {
  it('reads NAT-PMP and PCP announcements, and nothing else', () => {
    expect(parseAnnouncement(natPmpAnnouncement('203.0.113.3'), '10.10.0.1')).toEqual({
      protocol: 'natpmp',
      from: '10.10.0.1',
      epochSeconds: 77,
      externalAddress: '203.0.113.3',
    });
    // A gateway without an external address yet says so with a result code (3: network failure).
    expect(parseAnnouncement(natPmpAnnouncement('0.0.0.0', 5, 3), '10.10.0.1')).toMatchObject({
      externalAddress: '',
    });
    expect(parseAnnouncement(pcpAnnounce(), '10.10.0.1')).toEqual({
      protocol: 'pcp',
      from: '10.10.0.1',
      epochSeconds: 78,
    });
    const request = natPmpAnnouncement('203.0.113.3');
    request[1] = 0; // opcode 0: a request
    expect(parseAnnouncement(request, '10.10.0.1')).toBeUndefined();
    expect(parseAnnouncement(new Uint8Array([0, 129, 0, 0]), '10.10.0.1')).toBeUndefined();
    expect(parseAnnouncement(new Uint8Array(), '10.10.0.1')).toBeUndefined();
    expect(parseAnnouncement(new TextEncoder().encode('M-SEARCH * HTTP/1.1'), '10.10.0.1')).toBeUndefined();
  });
});

/** An in-memory UdpTransport: the test pushes datagrams into the one socket it opens. */
function memoryUdp(fail?: string) {
  const opened: UdpOpenOptions[] = [];
  const queue: Datagram[] = [];
  let waiter: ((d: Datagram | undefined) => void) | undefined;
  let closed = false;
  let closes = 0;
  let release: (() => void) | undefined;
  const gate = new Promise<void>((r) => (release = r));
  // Datagrams handed to the listener so far, and who waits for the listener to come back for more.
  let handedOut = 0;
  let delivered = 0;
  let handled: { seq: number; resolve: () => void }[] = [];
  const cameBack = () => {
    for (const h of handled.filter((x) => x.seq <= handedOut)) h.resolve();
    handled = handled.filter((x) => x.seq > handedOut);
  };
  let closedAgain: (() => void) | undefined;
  const socket: UdpSocket = {
    local: { address: '0.0.0.0', port: 5350 },
    send: () => Promise.resolve(true),
    receive(_ms: number, options: ReceiveOptions = {}) {
      // The listener asks for the next datagram: it is done with every one handed out before.
      cameBack();
      const next = queue.shift();
      if (next) handedOut++;
      if (next || closed) return Promise.resolve(next);
      return new Promise((resolve) => {
        waiter = resolve;
        options.signal?.addEventListener('abort', () => resolve(undefined), { once: true });
      });
    },
    close() {
      closed = true;
      closes++;
      if (closes > 1) closedAgain?.();
      waiter?.(undefined);
      for (const h of handled.splice(0)) h.resolve();
      return Promise.resolve();
    },
  };
  const transport: UdpTransport = {
    async open(options = {}) {
      opened.push(options);
      if (fail === 'slow') await gate;
      return fail && fail !== 'slow' ? { ok: false, reason: fail } : { ok: true, socket };
    },
  };
  /** Hands the listener a datagram and resolves once it has handled it (it asks for the next one). */
  const deliver = async (data: Uint8Array, from: string, port = 5351) => {
    const d = { data, from: { address: from, port } };
    const seq = ++delivered;
    const done = new Promise<void>((resolve) => handled.push({ seq, resolve }));
    const w = waiter;
    waiter = undefined;
    if (w) {
      handedOut++;
      w(d);
    } else queue.push(d);
    await done;
  };
  return {
    transport,
    opened,
    deliver,
    isClosed: () => closed,
    /** Closes the socket under the listener; resolves once the listener's loop has ended (it closes it too). */
    closeUnderneath: async () => {
      const ended = new Promise<void>((resolve) => (closedAgain = resolve));
      await socket.close();
      await ended;
    },
    finishOpening: () => release?.(),
  };
}

/** A listener on the in-memory transport, with 10.10.0.1 as the default gateway and its log collected. */
function setup(fail?: string) {
  const udp = memoryUdp(fail);
  const clock = new FakeClock();
  const logs: string[] = [];
  const busLog = new MemoryLogger();
  const bus = createEventBus(busLog);
  const listener = new AnnouncementListener({
    udp: udp.transport,
    gateway: fixedGateway('10.10.0.1'),
    clock,
    bus,
    log: (m) => logs.push(m),
  });
  const heard: RouterWanChanged[] = [];
  bus.subscribe('router.wan-changed', (e) => {
    heard.push(e);
  });
  return { udp, clock, logs, listener, bus, busLog, heard };
}

describe('AnnouncementListener', () => {
  it('listens on 224.0.0.1:5350, passes on the gateway’s announcements (one per burst) and ignores other senders', async () => {
    const { udp, clock, logs, listener, heard } = setup();
    expect(listener.listening()).toBe(false);
    expect(await listener.start()).toBe(true);
    expect(listener.listening()).toBe(true);
    expect(udp.opened).toEqual([
      { bindAddress: '224.0.0.1', port: 5350, reuseAddress: true, joinMulticast: '224.0.0.1' },
    ]);

    await udp.deliver(natPmpAnnouncement('203.0.113.3'), '10.10.0.1');
    await udp.deliver(pcpAnnounce(), '10.10.0.1');
    expect(heard).toEqual([{ via: 'natpmp-announcement', from: '10.10.0.1', address: '203.0.113.3' }]);

    // Not from the NAT-PMP port: ignored.
    clock.advance(1_000);
    await udp.deliver(natPmpAnnouncement('203.0.113.3'), '10.10.0.1', 40000);
    expect(heard).toHaveLength(1);
    // Another host on the LAN: ignored, and said once.
    await udp.deliver(natPmpAnnouncement('198.51.100.9'), '10.10.0.66');
    await udp.deliver(natPmpAnnouncement('198.51.100.9'), '10.10.0.66');
    expect(heard).toHaveLength(1);
    expect(logs.filter((l) => l.includes('10.10.0.66'))).toHaveLength(1);

    clock.advance(1_000);
    await udp.deliver(pcpAnnounce(), '10.10.0.1');
    expect(heard.map((a) => a.via)).toEqual(['natpmp-announcement', 'pcp-announcement']);
    expect(heard[1]).toEqual({ via: 'pcp-announcement', from: '10.10.0.1' });

    // The socket closes under the listener: it says so and reports itself as not listening.
    await udp.closeUnderneath();
    expect(listener.listening()).toBe(false);
    expect(logs).toContain('router announcements: stopped listening (the socket closed)');
    await listener.stop();
  });

  it('a failing handler is reported and the listener goes on; stop() before the port is open closes it', async () => {
    const { udp, clock, listener, bus, busLog } = setup();
    let calls = 0;
    bus.subscribe('router.wan-changed', () => {
      calls++;
      throw new Error('boom');
    });
    await listener.start();
    await udp.deliver(natPmpAnnouncement('203.0.113.3'), '10.10.0.1');
    clock.advance(1_000);
    await udp.deliver(natPmpAnnouncement('203.0.113.4'), '10.10.0.1');
    expect(calls).toBe(2);
    expect(busLog.lines.filter((l) => l.fields.err === 'boom')).toHaveLength(2);
    await listener.stop();

    const slow = memoryUdp('slow');
    const late = new AnnouncementListener({
      udp: slow.transport,
      gateway: fixedGateway('10.10.0.1'),
      clock,
      bus,
    });
    const started = late.start();
    const stopped = late.stop();
    slow.finishOpening();
    expect(await started).toBe(false);
    await stopped;
    expect(slow.isClosed()).toBe(true);
  });

  it('a port that cannot be opened is reported, not thrown', async () => {
    const { logs, listener } = setup('cannot bind a UDP socket on port 5350: EADDRINUSE');
    expect(await listener.start()).toBe(false);
    expect(logs).toEqual([
      'router announcements: not listening (cannot bind a UDP socket on port 5350: EADDRINUSE)',
    ]);
    await listener.stop();
  });
});

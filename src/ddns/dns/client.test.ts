import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { FakeUdp } from '../../../test/fakes/udp.js';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  Opcode,
  Rcode,
  RRType,
  type DnsMessage,
} from './codec.js';
import { exchange, mismatch, planSends, type DnsStreamTransport } from './client.js';
import { createNetDnsStream } from './net-tcp.js';

const server = { address: '203.0.113.65', port: 53 };
const question = { name: 'home.example.test', type: RRType.A, class: 1 };
const query = createMessage({ id: 0x4242, questions: [question] });

function bytesOf(m: DnsMessage): Uint8Array {
  const r = encodeMessage(m);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

const request = { bytes: bytesOf(query), message: query };

function answer(fields: Partial<DnsMessage> = {}): Uint8Array {
  return bytesOf({
    ...query,
    qr: true,
    aa: true,
    answers: [
      { name: question.name, type: RRType.A, class: 1, ttl: 60, data: { kind: 'a', address: '203.0.113.7' } },
    ],
    ...fields,
  });
}

/** Runs `work` to its end, moving the fake clock to each wake-up it waits for; returns the result and the time. */
async function drive<T>(clock: FakeClock, work: Promise<T>): Promise<{ result: T; ms: number }> {
  const start = clock.now().getTime();
  const state: { done: boolean; result?: T } = { done: false };
  void work.then((r) => {
    state.done = true;
    state.result = r;
  });
  for (let i = 0; i < 100 && !state.done; i++) {
    await clock.settle();
    const next = clock.pendingWakeups()[0];
    if (next !== undefined) clock.advance(next);
  }
  if (!state.done) throw new Error('the exchange did not end');
  return { result: state.result as T, ms: clock.now().getTime() - start };
}

function setup() {
  const clock = new FakeClock();
  const udp = new FakeUdp(clock);
  return { clock, udp };
}

describe('planSends', () => {
  it.each([
    [5000, 1000, [0, 1000, 3000]],
    [8000, 1000, [0, 1000, 3000, 7000]],
    [1000, 1000, [0]],
    [3000, 500, [0, 500, 1500]],
    [100, 0, [0, 1, 3, 7, 15, 31, 63]],
  ])('within %i ms, first wait %i ms: %j', (timeout, first, at) => {
    expect(planSends(timeout, first)).toEqual(at);
  });
});

describe('mismatch', () => {
  const a = { ...query, qr: true };
  it.each<[string, Partial<DnsMessage>, string | undefined]>([
    ['the answer', {}, undefined],
    ['the question in another case', { questions: [{ ...question, name: 'HOME.example.TEST' }] }, undefined],
    ['another ID', { id: 1 }, 'an answer with ID 1, not 16962'],
    ['a query', { qr: false }, 'a query, not an answer'],
    ['another opcode', { opcode: Opcode.UPDATE }, 'an answer with opcode 5, not 0'],
    [
      'another name',
      { questions: [{ ...question, name: 'x.example.test' }] },
      'an answer to another question',
    ],
    ['another type', { questions: [{ ...question, type: RRType.AAAA }] }, 'an answer to another question'],
    ['another class', { questions: [{ ...question, class: 255 }] }, 'an answer to another question'],
    ['no question, NOERROR', { questions: [] }, 'an answer to another question'],
    ['no question, FORMERR', { questions: [], rcode: Rcode.FORMERR }, undefined],
    ['two questions', { questions: [question, question] }, 'an answer to another question'],
  ])('%s', (_what, fields, why) => {
    expect(mismatch(query, { ...a, ...fields })).toBe(why);
  });
});

describe('exchange over UDP', () => {
  it('takes the first matching answer, from a socket connected to the server', async () => {
    const { clock, udp } = setup();
    udp.peer(server, () => answer());
    const { result, ms } = await drive(clock, exchange(server, request, { udp, clock }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.transport).toBe('udp');
    expect(result.value.decoded.message.answers[0]?.data).toEqual({ kind: 'a', address: '203.0.113.7' });
    expect(ms).toBe(0);
    expect(udp.opened).toEqual([{ family: 'ipv4', connectTo: server }]);
    expect(udp.sent.map((d) => d.to)).toEqual([server]);
    expect(udp.sockets.every((s) => s.closed)).toBe(true);
  });

  it('opens an IPv6 socket for an IPv6 server', async () => {
    const { clock, udp } = setup();
    const v6 = { address: '2001:db8:ff::65', port: 53 };
    udp.peer(v6, () => answer());
    const { result } = await drive(clock, exchange(v6, request, { udp, clock }));
    expect(result.ok).toBe(true);
    expect(udp.opened[0]?.family).toBe('ipv6');
  });

  it('sends again at 1 s and 3 s and takes the answer to the third send', async () => {
    const { clock, udp } = setup();
    const sentAt: number[] = [];
    const start = clock.now().getTime();
    udp.peer(server, () => {
      sentAt.push(clock.now().getTime() - start);
      return sentAt.length === 3 ? answer() : undefined;
    });
    const { result, ms } = await drive(clock, exchange(server, request, { udp, clock }));
    expect(result.ok).toBe(true);
    expect(sentAt).toEqual([0, 1000, 3000]);
    expect(ms).toBe(3000);
    // The same bytes each time (a signed request stays valid).
    expect(new Set(udp.sent.map((d) => Buffer.from(d.data).toString('hex'))).size).toBe(1);
  });

  it('gives up after the overall timeout when nothing answers', async () => {
    const { clock, udp } = setup();
    const { result, ms } = await drive(clock, exchange(server, request, { udp, clock }, { timeoutMs: 4000 }));
    expect(result).toEqual({
      ok: false,
      error: { kind: 'timeout', message: 'no answer from 203.0.113.65:53 within 4000 ms' },
    });
    expect(ms).toBe(4000);
    expect(udp.sent).toHaveLength(3);
    expect(udp.sockets.every((s) => s.closed)).toBe(true);
  });

  it('skips garbage, a wrong ID, another question and another sender, and takes the right answer after them', async () => {
    const { clock, udp } = setup();
    udp.peer(server, () => {
      const socket = udp.sockets[0];
      socket?.arrive({ data: answer(), from: { address: '203.0.113.66', port: 53 } });
      socket?.arrive({ data: answer(), from: { address: server.address, port: 5353 } });
      return [
        Uint8Array.of(1, 2, 3),
        answer({ id: 1 }),
        answer({ questions: [{ ...question, type: RRType.AAAA }] }),
        answer({ answers: [] }),
      ];
    });
    const { result } = await drive(clock, exchange(server, request, { udp, clock }));
    expect(result.ok && result.value.decoded.message.answers).toEqual([]);
  });

  it('says what was wrong when only unusable answers came', async () => {
    const { clock, udp } = setup();
    udp.peer(server, () => [Uint8Array.of(1, 2, 3), answer({ id: 7 })]);
    const { result } = await drive(clock, exchange(server, request, { udp, clock }, { timeoutMs: 2000 }));
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'malformed',
        message: 'no usable answer from 203.0.113.65:53: an answer with ID 7, not 16962',
      },
    });
  });

  it('fails without a socket, and for a server that is not an IP address', async () => {
    const { clock, udp } = setup();
    udp.failOpens('EPERM');
    expect(await exchange(server, request, { udp, clock })).toEqual({
      ok: false,
      error: { kind: 'network', message: 'no UDP socket toward 203.0.113.65:53: EPERM' },
    });
    expect(await exchange({ address: 'ns1.example.test', port: 53 }, request, { udp, clock })).toMatchObject({
      ok: false,
      error: { kind: 'network' },
    });
  });
});

describe('exchange: truncated answers and TCP', () => {
  function fakeTcp(reply: (m: Uint8Array) => Uint8Array | string) {
    const calls: { server: unknown; message: Uint8Array; timeoutMs: number }[] = [];
    const tcp: DnsStreamTransport = {
      exchange(s, message, { timeoutMs }) {
        calls.push({ server: s, message, timeoutMs });
        const r = reply(message);
        return Promise.resolve(typeof r === 'string' ? { ok: false, error: r } : { ok: true, value: r });
      },
    };
    return { tcp, calls };
  }

  it('asks again over TCP when the UDP answer is truncated', async () => {
    const { clock, udp } = setup();
    udp.peer(server, () => answer({ tc: true, answers: [] }));
    const { tcp, calls } = fakeTcp(() => answer());
    const { result } = await drive(clock, exchange(server, request, { udp, clock, tcp }));
    expect(result.ok && result.value.transport).toBe('tcp');
    expect(result.ok && result.value.decoded.message.answers).toHaveLength(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.server).toEqual(server);
    expect(Buffer.from(calls[0]?.message ?? []).equals(Buffer.from(request.bytes))).toBe(true);
  });

  it('fails a truncated answer without a TCP path', async () => {
    const { clock, udp } = setup();
    udp.peer(server, () => answer({ tc: true }));
    const { result } = await drive(clock, exchange(server, request, { udp, clock }));
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'truncated',
        message: '203.0.113.65:53 answered truncated (TC) and there is no TCP path',
      },
    });
  });

  it('checks the TCP answer too, and reports a TCP failure', async () => {
    const { clock, udp } = setup();
    udp.peer(server, () => answer({ tc: true }));
    const wrong = fakeTcp(() => answer({ id: 9 }));
    expect(await drive(clock, exchange(server, request, { udp, clock, tcp: wrong.tcp }))).toMatchObject({
      result: {
        ok: false,
        error: {
          kind: 'malformed',
          message: 'DNS over TCP to 203.0.113.65:53: an answer with ID 9, not 16962',
        },
      },
    });
    const refused = fakeTcp(() => 'connect ECONNREFUSED');
    expect(await drive(clock, exchange(server, request, { udp, clock, tcp: refused.tcp }))).toMatchObject({
      result: {
        ok: false,
        error: { kind: 'network', message: 'DNS over TCP to 203.0.113.65:53: connect ECONNREFUSED' },
      },
    });
  });

  it('sends a request over 512 bytes over TCP only', async () => {
    const { clock, udp } = setup();
    const big = createMessage({
      id: 0x4242,
      questions: [question],
      additionals: Array.from({ length: 30 }, () => ({
        name: 'home.example.test',
        type: RRType.TXT,
        class: 1,
        ttl: 0,
        data: { kind: 'txt' as const, strings: ['x'.repeat(10)] },
      })),
    });
    const bigRequest = { bytes: bytesOf(big), message: big };
    expect(bigRequest.bytes.length).toBeGreaterThan(512);
    const { tcp, calls } = fakeTcp(() => answer());
    const r = await exchange(server, bigRequest, { udp, clock, tcp });
    expect(r.ok && r.value.transport).toBe('tcp');
    expect(calls).toHaveLength(1);
    expect(udp.sent).toHaveLength(0);
    expect((await exchange(server, bigRequest, { udp, clock })).ok).toBe(false);
  });
});

describe('createNetDnsStream (a TCP server on loopback)', () => {
  const servers: net.Server[] = [];
  const accepted: net.Socket[] = [];
  afterEach(async () => {
    for (const socket of accepted.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  async function listen(
    onConnection: (socket: net.Socket) => void,
  ): Promise<{ address: string; port: number }> {
    const s = net.createServer((socket) => {
      accepted.push(socket);
      onConnection(socket);
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return { address: '127.0.0.1', port: (s.address() as net.AddressInfo).port };
  }

  it('sends the length-prefixed message and reads an answer that comes in pieces', async () => {
    let got = Buffer.alloc(0);
    const at = await listen((socket) => {
      socket.on('data', (chunk) => {
        got = Buffer.concat([got, chunk]);
        if (got.length < 2 + request.bytes.length) return;
        const reply = Buffer.from(answer());
        const framed = Buffer.concat([Buffer.from([reply.length >> 8, reply.length & 0xff]), reply]);
        socket.write(framed.subarray(0, 1));
        setTimeout(() => socket.write(framed.subarray(1, 20)), 5);
        setTimeout(() => socket.end(framed.subarray(20)), 10);
      });
    });
    const r = await createNetDnsStream().exchange(at, request.bytes, { timeoutMs: 2000 });
    expect(got.readUInt16BE(0)).toBe(request.bytes.length);
    expect(got.subarray(2).equals(Buffer.from(request.bytes))).toBe(true);
    expect(r.ok && decodeMessage(r.value).ok).toBe(true);
    expect(r.ok && Buffer.from(r.value).equals(Buffer.from(answer()))).toBe(true);
  });

  it('fails when the server closes early, stays silent, or does not listen', async () => {
    const closing = await listen((socket) => socket.end(Buffer.from([0, 10, 1])));
    expect(await createNetDnsStream().exchange(closing, request.bytes, { timeoutMs: 2000 })).toEqual({
      ok: false,
      error: 'the server closed the connection before answering',
    });
    const silent = await listen(() => undefined);
    expect(await createNetDnsStream().exchange(silent, request.bytes, { timeoutMs: 100 })).toEqual({
      ok: false,
      error: 'no answer within 100 ms',
    });
    const gone = await listen(() => undefined);
    await new Promise((r) => servers.pop()?.close(r));
    const refused = await createNetDnsStream().exchange(gone, request.bytes, { timeoutMs: 2000 });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/ECONNREFUSED/);
  });
});

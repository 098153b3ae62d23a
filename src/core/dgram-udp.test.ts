import { afterEach, describe, expect, it } from 'vitest';
import { startUdpResponder, type UdpResponder } from '../../test/fakes/udp.js';
import { createDgramUdp } from './dgram-udp.js';

const udp = createDgramUdp();
let responder: UdpResponder | undefined;
afterEach(async () => {
  await responder?.close();
  responder = undefined;
});

describe('dgram UdpTransport on loopback', () => {
  it('a connected socket reports its real source address and exchanges datagrams', async () => {
    responder = await startUdpResponder((d) => Buffer.concat([Buffer.from('echo:'), d.data]));
    const opened = await udp.open({ connectTo: { address: '127.0.0.1', port: responder.port } });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const { socket } = opened;
    expect(socket.local.address).toBe('127.0.0.1');
    expect(await socket.send(Buffer.from('hi'))).toBe(true);
    const answer = await socket.receive(2000);
    expect(Buffer.from(answer?.data ?? []).toString()).toBe('echo:hi');
    expect(answer?.from).toEqual({ address: '127.0.0.1', port: responder.port });
    await socket.close();
    await socket.close();
  });

  it('drops datagrams that are not accepted and queues ones that arrive before anyone waits', async () => {
    responder = await startUdpResponder((d) => [Buffer.from('noise'), d.data]);
    const opened = await udp.open({ connectTo: { address: '127.0.0.1', port: responder.port } });
    if (!opened.ok) throw new Error(opened.reason);
    await opened.socket.send(Buffer.from('wanted'));
    const got = await opened.socket.receive(2000, {
      accept: (d) => Buffer.from(d.data).toString() === 'wanted',
    });
    expect(Buffer.from(got?.data ?? []).toString()).toBe('wanted');
    await opened.socket.close();
  });

  it('receive ends with undefined on timeout and on abort', async () => {
    const opened = await udp.open({ bindAddress: '127.0.0.1' });
    if (!opened.ok) throw new Error(opened.reason);
    expect(await opened.socket.receive(20)).toBeUndefined();
    const abort = new AbortController();
    const pending = opened.socket.receive(60_000, { signal: abort.signal });
    abort.abort();
    expect(await pending).toBeUndefined();
    await opened.socket.close();
  });

  it('a port already in use is a reason, not a throw', async () => {
    responder = await startUdpResponder(() => undefined);
    const r = await udp.open({ bindAddress: '127.0.0.1', port: responder.port });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot bind.*EADDRINUSE/) });
  });
});

/** @module The UdpTransport contract: cases that the dgram adapter and FakeUdp must both pass. */
import { expect, it } from 'vitest';
import {
  localAddressToward,
  type Datagram,
  type UdpEndpoint,
  type UdpTransport,
} from '../../../src/core/udp.js';
import { within } from './within.js';

export interface UdpPeer {
  readonly endpoint: UdpEndpoint;
  /** How many datagrams it has received. */
  received(): number;
}

export interface UdpUnderTest {
  readonly udp: UdpTransport;
  /** A peer at 127.0.0.1 answering each datagram with what `handler` returns (nothing: silence). */
  readonly peer: (
    handler: (d: Datagram) => Uint8Array | readonly Uint8Array[] | undefined,
  ) => Promise<UdpPeer>;
  /** Lets `ms` pass: the fake advances its clock, the real transport just lets its timers run. */
  readonly elapse: (ms: number) => Promise<void>;
}

const text = (d: Datagram | undefined): string | undefined => d && new TextDecoder().decode(d.data);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

export function udpContract(setup: () => UdpUnderTest): void {
  it('a connected socket reports its source address toward the peer and hears the answer from it', async () => {
    const { udp, peer } = setup();
    const echo = await peer((d) => bytes(`echo:${text(d) ?? ''}`));
    const opened = await udp.open({ connectTo: echo.endpoint });
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.socket.local.address).toBe('127.0.0.1');
    expect(await opened.socket.send(bytes('hi'))).toBe(true);
    const answer = await within(opened.socket.receive(2000), 3000, 'receive');
    expect(text(answer)).toBe('echo:hi');
    expect(answer?.from).toEqual(echo.endpoint);
    await opened.socket.close();
  });

  it('one unconnected socket talks to two peers, naming each in send', async () => {
    const { udp, peer } = setup();
    const a = await peer(() => bytes('from a'));
    const b = await peer(() => bytes('from b'));
    const opened = await udp.open({});
    if (!opened.ok) throw new Error(opened.reason);
    await opened.socket.send(bytes('x'), a.endpoint);
    await opened.socket.send(bytes('x'), b.endpoint);
    const got = [
      await within(opened.socket.receive(2000), 3000, 'receive'),
      await within(opened.socket.receive(2000), 3000, 'receive'),
    ];
    expect(got.map((d) => [text(d), d?.from.port]).sort()).toEqual(
      [
        ['from a', a.endpoint.port],
        ['from b', b.endpoint.port],
      ].sort(),
    );
    await opened.socket.close();
  });

  it('queues what arrives before anyone waits; a waiter drops what it does not accept', async () => {
    const { udp, peer } = setup();
    const noisy = await peer((d) => [bytes('noise'), d.data]);
    const opened = await udp.open({ connectTo: noisy.endpoint });
    if (!opened.ok) throw new Error(opened.reason);
    await opened.socket.send(bytes('wanted'));
    const got = await within(
      opened.socket.receive(2000, { accept: (d) => text(d) === 'wanted' }),
      3000,
      'receive',
    );
    expect(text(got)).toBe('wanted');
    await opened.socket.close();
  });

  it('receive ends with undefined when its time passes, and at once when aborted', async () => {
    const { udp, elapse } = setup();
    const opened = await udp.open({ bindAddress: '127.0.0.1' });
    if (!opened.ok) throw new Error(opened.reason);
    const timing = opened.socket.receive(20);
    await elapse(20);
    expect(await within(timing, 1000, 'a receive whose time passed')).toBeUndefined();
    const abort = new AbortController();
    const pending = opened.socket.receive(60_000, { signal: abort.signal });
    abort.abort();
    expect(await within(pending, 1000, 'an aborted receive')).toBeUndefined();
    expect(
      await within(opened.socket.receive(60_000, { signal: abort.signal }), 1000, 'receive'),
    ).toBeUndefined();
    await opened.socket.close();
  });

  it('close ends a waiting receive; afterwards send is false and receive undefined; closing twice is fine', async () => {
    const { udp, peer } = setup();
    const silent = await peer(() => undefined);
    const opened = await udp.open({ connectTo: silent.endpoint });
    if (!opened.ok) throw new Error(opened.reason);
    const waiting = opened.socket.receive(60_000);
    await opened.socket.close();
    expect(await within(waiting, 1000, 'a receive on a closed socket')).toBeUndefined();
    expect(await opened.socket.send(bytes('late'))).toBe(false);
    expect(await within(opened.socket.receive(60_000), 1000, 'receive')).toBeUndefined();
    await opened.socket.close();
    expect(silent.received()).toBe(0);
  });

  it('localAddressToward: the source address toward a peer, without sending it anything', async () => {
    const { udp, peer } = setup();
    const silent = await peer(() => undefined);
    expect(await localAddressToward(udp, silent.endpoint)).toEqual({ ok: true, address: '127.0.0.1' });
    expect(silent.received()).toBe(0);
  });
}

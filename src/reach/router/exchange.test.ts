import { afterEach, describe, expect, it } from 'vitest';
import { startUdpResponder, type UdpResponder } from '../../../test/fakes/udp.js';
import { createDgramUdp } from '../../core/dgram-udp.js';
import { exchange, formatSeconds, planRetransmissions } from './exchange.js';

const udp = createDgramUdp();
let responder: UdpResponder | undefined;
afterEach(async () => {
  await responder?.close();
  responder = undefined;
});

describe('planRetransmissions', () => {
  it.each([
    [250, 2000, [250, 500, 1000, 250]],
    [250, 250, [250]],
    [100, 1000, [100, 200, 400, 300]],
    [500, 0, []],
  ])('starts at %i ms and doubles within %i ms', (initial, total, waits) => {
    expect(planRetransmissions(initial, total)).toEqual(waits);
  });

  it('formats seconds for people', () => {
    expect([formatSeconds(2000), formatSeconds(500), formatSeconds(1250)]).toEqual([
      '2 s',
      '500 ms',
      '1.3 s',
    ]);
  });
});

describe('exchange over the dgram UdpTransport on loopback', () => {
  it('exchange retransmits until the peer answers', async () => {
    let seen = 0;
    responder = await startUdpResponder((d) => (++seen >= 2 ? d.data : undefined));
    const r = await exchange(
      udp,
      { address: '127.0.0.1', port: responder.port },
      (local) => Buffer.from(`from ${local.address}`),
      () => true,
      [30, 2000],
    );
    expect(r.ok && Buffer.from(r.datagram.data).toString()).toBe('from 127.0.0.1');
    expect(responder.received).toHaveLength(2);
  });

  it('exchange with a silent peer is "no answer within" the planned time', async () => {
    responder = await startUdpResponder(() => undefined);
    const r = await exchange(
      udp,
      { address: '127.0.0.1', port: responder.port },
      () => Buffer.from('x'),
      () => true,
      [10, 20],
    );
    expect(r).toEqual({ ok: false, kind: 'no-answer', reason: 'no answer within 30 ms' });
    expect(responder.received).toHaveLength(2);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { FakeNatRouter, startUdpResponder, type UdpResponder } from '../../../test/fakes/udp.js';
import { createDgramUdp } from '../../core/dgram-udp.js';
import { fixedGateway } from './gateway.js';
import { NatPmpClient } from './natpmp-client.js';

const udp = createDgramUdp();
let router: FakeNatRouter | undefined;
let silent: UdpResponder | undefined;
afterEach(async () => {
  await router?.close();
  await silent?.close();
  router = undefined;
  silent = undefined;
});

async function clientFor(options: ConstructorParameters<typeof FakeNatRouter>[0]) {
  router = await new FakeNatRouter(options).start();
  return new NatPmpClient({ udp, gateway: fixedGateway('127.0.0.1'), port: router.port, timeoutMs: 1000 });
}

const request = { internalPort: 51820, externalPort: 51820, lifetimeSeconds: 3600, description: 'wg' };

describe('NatPmpClient against a fake router on loopback', () => {
  it('reads the external address', async () => {
    const client = await clientFor({ natpmp: true, externalAddress: '203.0.113.2' });
    expect(await client.externalAddress()).toEqual({ ok: true, value: '203.0.113.2' });
  });

  it('maps UDP 51820, learns the external address, renews and removes the mapping', async () => {
    const client = await clientFor({ natpmp: true, maxLifetime: 1800 });
    const mapped = await client.map(request);
    expect(mapped).toEqual({
      ok: true,
      value: {
        protocol: 'natpmp',
        internalPort: 51820,
        externalPort: 51820,
        externalAddress: '203.0.113.2',
        lifetimeSeconds: 1800,
      },
    });
    expect(router?.mappings.get(51820)).toMatchObject({ externalPort: 51820, lifetime: 1800 });
    expect((await client.map(request)).ok).toBe(true);
    if (!mapped.ok) return;
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
    expect(router?.mappings.size).toBe(0);
    // §3.4: the deletion carries external port 0 and lifetime 0
    const last = router?.received.at(-1)?.data;
    expect(last?.toString('hex')).toBe('00010000ca6c000000000000');
  });

  it('reports the port the router assigned when it is not the one asked for', async () => {
    const client = await clientFor({ natpmp: true, assignPort: 40000 });
    const mapped = await client.map(request);
    expect(mapped.ok && mapped.value.externalPort).toBe(40000);
  });

  it('a refusal is a "refused" value naming the result code', async () => {
    const client = await clientFor({ natpmp: true, mapResult: 2 });
    expect(await client.map(request)).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason: 'NAT-PMP at 127.0.0.1 refused to map UDP 51820: result 2 (not authorized / refused)',
      },
    });
  });

  it('a router that does not answer is "unsupported" with the time it was given', async () => {
    silent = await startUdpResponder(() => undefined);
    const client = new NatPmpClient({
      udp,
      gateway: fixedGateway('127.0.0.1'),
      port: silent.port,
      timeoutMs: 60,
      initialRetransmitMs: 20,
    });
    expect(await client.externalAddress()).toEqual({
      ok: false,
      failure: { kind: 'unsupported', reason: 'no NAT-PMP answer from 127.0.0.1 within 60 ms' },
    });
    // 20 ms, then 40 ms: two sends
    expect(silent.received).toHaveLength(2);
  });

  it('a router that answers in PCP is "unsupported" at once', async () => {
    silent = await startUdpResponder(() => Buffer.alloc(24, 2));
    const client = new NatPmpClient({ udp, gateway: fixedGateway('127.0.0.1'), port: silent.port });
    const r = await client.externalAddress();
    expect(r).toMatchObject({
      ok: false,
      failure: { kind: 'unsupported', reason: /does not speak NAT-PMP/ },
    });
    expect(silent.received).toHaveLength(1);
  });

  it('no gateway is a reason', async () => {
    const client = new NatPmpClient({
      udp,
      gateway: () => Promise.resolve({ ok: false, reason: 'no IPv4 default route with a gateway' }),
    });
    expect(await client.externalAddress()).toEqual({
      ok: false,
      failure: {
        kind: 'unsupported',
        reason: 'NAT-PMP: no router to ask (no IPv4 default route with a gateway)',
      },
    });
  });
});

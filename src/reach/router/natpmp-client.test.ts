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

describe('NatPmpClient: TCP mappings (opcode 2)', () => {
  const tcp80 = {
    transport: 'tcp',
    internalPort: 80,
    externalPort: 80,
    lifetimeSeconds: 120,
    description: 'http-01',
  } as const;

  it('maps TCP 80 with opcode 2, says so in the grant, and deletes it with opcode 2', async () => {
    const client = await clientFor({ natpmp: true });
    const mapped = await client.map(tcp80);
    expect(mapped).toEqual({
      ok: true,
      value: {
        protocol: 'natpmp',
        transport: 'tcp',
        internalPort: 80,
        externalPort: 80,
        externalAddress: '203.0.113.2',
        lifetimeSeconds: 120,
      },
    });
    expect(router?.received[0]?.data.toString('hex')).toBe('000200000050005000000078');
    if (!mapped.ok) return;
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
    expect(router?.received.at(-1)?.data.toString('hex')).toBe('000200000050000000000000');
    expect(router?.mappings.size).toBe(0);
  });

  it('an explicit UDP request is opcode 1, as before', async () => {
    const client = await clientFor({ natpmp: true });
    const mapped = await client.map({ ...tcp80, transport: 'udp' });
    expect(mapped.ok && mapped.value.transport).toBe('udp');
    expect(router?.received[0]?.data.toString('hex')).toBe('000100000050005000000078');
  });

  it('a refusal names TCP and the port', async () => {
    const client = await clientFor({ natpmp: true, mapResult: 2 });
    expect(await client.map(tcp80)).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason: 'NAT-PMP at 127.0.0.1 refused to map TCP 80: result 2 (not authorized / refused)',
      },
    });
  });

  const hexBytes = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
  const udpGrant = hexBytes('00 81 0000 00000001 0050 0050 00000078');
  const tcpGrant = hexBytes('00 82 0000 00000001 0050 0050 00000078');
  const address = hexBytes('00 80 0000 00000001 cb007102');

  it.each([
    ['the TCP answer after a UDP one for the same port', [udpGrant, tcpGrant], true],
    ['a UDP answer alone (no answer at all for TCP)', [udpGrant], false],
  ])('to a TCP request counts only a TCP answer: %s', async (_what, answers, ok) => {
    silent = await startUdpResponder((d) => (d.data[1] === 0 ? address : answers));
    const client = new NatPmpClient({
      udp,
      gateway: fixedGateway('127.0.0.1'),
      port: silent.port,
      timeoutMs: 300,
    });
    const mapped = await client.map(tcp80);
    if (ok) expect(mapped.ok && mapped.value).toMatchObject({ transport: 'tcp', externalPort: 80 });
    else
      expect(mapped).toEqual({
        ok: false,
        failure: { kind: 'unsupported', reason: 'no NAT-PMP answer from 127.0.0.1 within 300 ms' },
      });
  });
});

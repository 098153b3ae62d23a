import { afterEach, describe, expect, it } from 'vitest';
import { FakeNatRouter, startUdpResponder, type UdpResponder } from '../../../test/fakes/udp.js';
import { createDgramUdp } from '../../core/dgram-udp.js';
import { fixedGateway } from './gateway.js';
import { PcpClient } from './pcp-client.js';

const udp = createDgramUdp();
let router: FakeNatRouter | undefined;
let silent: UdpResponder | undefined;
afterEach(async () => {
  await router?.close();
  await silent?.close();
  router = undefined;
  silent = undefined;
});

function nonces() {
  let n = 0;
  return () => new Uint8Array(12).fill(++n);
}

async function clientFor(options: ConstructorParameters<typeof FakeNatRouter>[0]) {
  router = await new FakeNatRouter(options).start();
  return new PcpClient({
    udp,
    gateway: fixedGateway('127.0.0.1'),
    port: router.port,
    timeoutMs: 1000,
    nonce: nonces(),
  });
}

const request = { internalPort: 51820, externalPort: 51820, lifetimeSeconds: 3600, description: 'wg' };

describe('PcpClient against a fake router on loopback', () => {
  it('ANNOUNCE tells whether the router speaks PCP', async () => {
    const client = await clientFor({ pcp: true });
    expect(await client.announce()).toEqual({ ok: true, value: { epochSeconds: 1000 } });
  });

  it('reads the external address from a short MAP of its probe port, then deletes that mapping', async () => {
    const client = await clientFor({ pcp: true, externalAddress: '203.0.113.2' });
    expect(await client.externalAddress()).toEqual({ ok: true, value: '203.0.113.2' });
    expect(router?.mappings.size).toBe(0);
    const [probe, deletion] = router?.received ?? [];
    // MAP with lifetime 120 and the client's own address (IPv4-mapped), then the same nonce with lifetime 0
    expect(probe?.data.readUInt32BE(4)).toBe(120);
    expect(probe?.data.subarray(8, 24).toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(deletion?.data.readUInt32BE(4)).toBe(0);
    expect(deletion?.data.subarray(24, 36)).toEqual(probe?.data.subarray(24, 36));
  });

  it('maps, renews with the same nonce, and deletes the mapping', async () => {
    const client = await clientFor({ pcp: true, maxLifetime: 1200 });
    const mapped = await client.map(request);
    expect(mapped).toEqual({
      ok: true,
      value: {
        protocol: 'pcp',
        internalPort: 51820,
        externalPort: 51820,
        externalAddress: '203.0.113.2',
        lifetimeSeconds: 1200,
      },
    });
    // The fake refuses another nonce for a held mapping (NOT_AUTHORIZED): a renewal must reuse it.
    expect((await client.map(request)).ok).toBe(true);
    if (!mapped.ok) return;
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
    expect(router?.mappings.size).toBe(0);
  });

  it('a refusal is a "refused" value with the RFC name of the result', async () => {
    const client = await clientFor({ pcp: true, mapResult: 8 });
    expect(await client.map(request)).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason: 'PCP at 127.0.0.1 refused to map UDP 51820: result 8 (NO_RESOURCES)',
      },
    });
  });

  it('a NAT-PMP-only router (answers version 0) is "unsupported" at once', async () => {
    const client = await clientFor({ natpmp: true, pcp: false });
    const r = await client.map(request);
    expect(r).toEqual({
      ok: false,
      failure: { kind: 'unsupported', reason: '127.0.0.1 speaks NAT-PMP, not PCP (answered version 0)' },
    });
    expect(router?.received).toHaveLength(1);
  });

  it('a router that does not answer is "unsupported" with the time it was given', async () => {
    silent = await startUdpResponder(() => undefined);
    const client = new PcpClient({
      udp,
      gateway: fixedGateway('127.0.0.1'),
      port: silent.port,
      timeoutMs: 50,
      initialRetransmitMs: 25,
    });
    expect(await client.externalAddress()).toEqual({
      ok: false,
      failure: { kind: 'unsupported', reason: 'no PCP answer from 127.0.0.1 within 50 ms' },
    });
  });

  it('ignores answers for another nonce', async () => {
    // Answers with a MAP response whose nonce is all 0xee: not ours, so the wait runs out.
    silent = await startUdpResponder(() => {
      const res = Buffer.alloc(60);
      res.writeUInt8(2, 0);
      res.writeUInt8(0x81, 1);
      res.fill(0xee, 24, 36);
      return res;
    });
    const client = new PcpClient({
      udp,
      gateway: fixedGateway('127.0.0.1'),
      port: silent.port,
      timeoutMs: 40,
      initialRetransmitMs: 40,
    });
    const r = await client.map(request);
    expect(r).toMatchObject({ ok: false, failure: { kind: 'unsupported', reason: /no PCP answer/ } });
  });
});

describe('PcpClient: TCP mappings (protocol 6)', () => {
  const tcp80 = {
    transport: 'tcp',
    internalPort: 80,
    externalPort: 80,
    lifetimeSeconds: 120,
    description: 'http-01',
  } as const;

  /**
   * A PCP server that grants every MAP as asked (protocol, ports, lifetime, nonce echoed; external 203.0.113.2),
   * or answers with another protocol number when `protocol` is set.
   */
  const echoServer = (protocol?: number) =>
    startUdpResponder((d) => {
      const res = Buffer.alloc(60);
      d.data.copy(res, 0, 0, 60);
      res.writeUInt8(0x81, 1);
      res.writeUInt8(0, 3);
      res.writeUInt32BE(1, 8);
      res.fill(0, 12, 24);
      if (protocol !== undefined) res.writeUInt8(protocol, 36);
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 2]).copy(res, 44);
      return res;
    });

  it('maps TCP 80 with protocol 6 and says so in the grant', async () => {
    const client = await clientFor({ pcp: true });
    const mapped = await client.map(tcp80);
    expect(mapped).toEqual({
      ok: true,
      value: {
        protocol: 'pcp',
        transport: 'tcp',
        internalPort: 80,
        externalPort: 80,
        externalAddress: '203.0.113.2',
        lifetimeSeconds: 120,
      },
    });
    const sent = router?.received[0]?.data;
    expect([sent?.[36], sent?.readUInt16BE(40), sent?.readUInt16BE(42), sent?.readUInt32BE(4)]).toEqual([
      6, 80, 80, 120,
    ]);
    if (!mapped.ok) return;
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
    const deletion = router?.received.at(-1)?.data;
    expect([deletion?.[36], deletion?.readUInt32BE(4)]).toEqual([6, 0]);
    expect(router?.mappings.size).toBe(0);
  });

  it('UDP 80 and TCP 80 are two mappings with their own nonces (renewal and deletion repeat the right one)', async () => {
    silent = await echoServer();
    const client = new PcpClient({
      udp,
      gateway: fixedGateway('127.0.0.1'),
      port: silent.port,
      timeoutMs: 500,
      nonce: nonces(),
    });
    const tcp = await client.map(tcp80);
    const udpMapped = await client.map({ ...tcp80, transport: undefined });
    expect(udpMapped.ok && udpMapped.value).not.toHaveProperty('transport');
    await client.map(tcp80); // renewal of TCP 80
    if (!tcp.ok || !udpMapped.ok) throw new Error('not mapped');
    await client.unmap(udpMapped.value);
    await client.unmap(tcp.value);
    const sent = silent.received.map((d) => [d.data[36], d.data[24], d.data.readUInt32BE(4)]);
    // [protocol, first nonce byte, lifetime]
    expect(sent).toEqual([
      [6, 1, 120],
      [17, 2, 120],
      [6, 1, 120],
      [17, 2, 0],
      [6, 1, 0],
    ]);
  });

  it('an answer for UDP to a TCP request is "refused" as another mapping', async () => {
    silent = await echoServer(17);
    const client = new PcpClient({
      udp,
      gateway: fixedGateway('127.0.0.1'),
      port: silent.port,
      timeoutMs: 500,
    });
    expect(await client.map(tcp80)).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason: 'PCP at 127.0.0.1 answered for another mapping (protocol 17, port 80)',
      },
    });
  });

  it('a refusal names TCP and the port', async () => {
    const client = await clientFor({ pcp: true, mapResult: 2 });
    expect(await client.map(tcp80)).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason: 'PCP at 127.0.0.1 refused to map TCP 80: result 2 (NOT_AUTHORIZED)',
      },
    });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeIgd, type FakeIgd } from '../../../test/fakes/igd.js';
import { startUdpResponder, type UdpResponder } from '../../../test/fakes/udp.js';
import { systemClock } from '../../core/clock.js';
import { createDgramUdp } from '../../core/dgram-udp.js';
import { UpnpIgdClient } from './upnp-client.js';

const udp = createDgramUdp();

const request = {
  internalPort: 51820,
  externalPort: 51820,
  lifetimeSeconds: 3600,
  description: 'Gatehouse WireGuard',
};

let igd: FakeIgd | undefined;
let ssdp: UdpResponder | undefined;
afterEach(async () => {
  await igd?.close();
  await ssdp?.close();
  igd = undefined;
  ssdp = undefined;
});

describe('UpnpIgdClient against a fake IGD on loopback', () => {
  it('with a configured description URL: address, map, look up, renew, remove', async () => {
    igd = await startFakeIgd();
    const client = new UpnpIgdClient({ udp, fetch, clock: systemClock, descriptionUrl: igd.url });
    expect(await client.externalAddress()).toEqual({ ok: true, value: '203.0.113.2' });
    const mapped = await client.map(request);
    expect(mapped).toEqual({
      ok: true,
      value: {
        protocol: 'upnp',
        internalPort: 51820,
        externalPort: 51820,
        externalAddress: '203.0.113.2',
        lifetimeSeconds: 3600,
      },
    });
    // NewInternalClient is our source address toward the IGD.
    expect(igd.mappings.get(51820)).toEqual({
      client: '127.0.0.1',
      internalPort: 51820,
      lease: 3600,
      description: 'Gatehouse WireGuard',
    });
    expect(await client.lookupMapping(51820)).toEqual({
      ok: true,
      value: {
        internalClient: '127.0.0.1',
        internalPort: 51820,
        enabled: true,
        description: 'Gatehouse WireGuard',
        leaseSeconds: 3600,
      },
    });
    expect((await client.map(request)).ok).toBe(true);
    if (!mapped.ok) return;
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
    expect(await client.lookupMapping(51820)).toEqual({ ok: true, value: undefined });
    // Removing what is already gone is fine (714 NoSuchEntryInArray).
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
  });

  it('finds the IGD by SSDP: M-SEARCH out, LOCATION in', async () => {
    igd = await startFakeIgd();
    const location = igd.url;
    ssdp = await startUdpResponder((d) =>
      d.data.toString().startsWith('M-SEARCH') && d.data.toString().includes('InternetGatewayDevice:1')
        ? Buffer.from(
            `HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: ${location}\r\n\r\n`,
          )
        : undefined,
    );
    const client = new UpnpIgdClient({
      udp,
      fetch,
      clock: systemClock,
      ssdpTarget: { address: '127.0.0.1', port: ssdp.port },
    });
    expect(await client.externalAddress()).toEqual({ ok: true, value: '203.0.113.2' });
    expect(ssdp.received.length).toBeGreaterThanOrEqual(1);
  });

  it('SSDP without answers is "unsupported" with the time it listened', async () => {
    ssdp = await startUdpResponder(() => undefined);
    const client = new UpnpIgdClient({
      udp,
      fetch,
      clock: systemClock,
      ssdpTarget: { address: '127.0.0.1', port: ssdp.port },
      discoveryTimeoutMs: 50,
    });
    expect(await client.externalAddress()).toEqual({
      ok: false,
      failure: {
        kind: 'unsupported',
        reason: `UPnP IGD: no IGD answered an SSDP search within 50 ms at 127.0.0.1:${ssdp.port}`,
      },
    });
  });

  it('retries with a permanent lease when the IGD accepts only those (725)', async () => {
    igd = await startFakeIgd();
    igd.addErrors.push(725);
    const client = new UpnpIgdClient({ udp, fetch, clock: systemClock, descriptionUrl: igd.url });
    const mapped = await client.map(request);
    expect(mapped.ok).toBe(true);
    expect(igd.mappings.get(51820)?.lease).toBe(0);
  });

  it('a conflict is "refused" with the UPnP error', async () => {
    igd = await startFakeIgd();
    igd.mappings.set(51820, {
      client: '10.10.0.99',
      internalPort: 51820,
      lease: 0,
      description: 'someone else',
    });
    const client = new UpnpIgdClient({ udp, fetch, clock: systemClock, descriptionUrl: igd.url });
    expect(await client.map(request)).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason: 'UPnP IGD: AddPortMapping failed with UPnP error 718: ConflictInMappingEntry',
      },
    });
  });

  it('no description at the URL is "unsupported"', async () => {
    igd = await startFakeIgd();
    const client = new UpnpIgdClient({
      udp,
      fetch,
      clock: systemClock,
      descriptionUrl: igd.url.replace('rootDesc', 'nothing'),
    });
    const r = await client.externalAddress();
    expect(r).toMatchObject({ ok: false, failure: { kind: 'unsupported', reason: /answered HTTP 404/ } });
  });

  it('a closed port says why the description could not be fetched', async () => {
    igd = await startFakeIgd();
    const url = igd.url;
    await igd.close();
    igd = undefined;
    const client = new UpnpIgdClient({ udp, fetch, clock: systemClock, descriptionUrl: url });
    const r = await client.externalAddress();
    expect(r).toMatchObject({
      ok: false,
      failure: { kind: 'unsupported', reason: /no device description at .*\(fetch failed: .*ECONNREFUSED/ },
    });
  });

  it('an HTTP server that does not answer is "unsupported" after the timeout', async () => {
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', () => resolve()));
    const { port } = hanging.address() as AddressInfo;
    try {
      const client = new UpnpIgdClient({
        udp,
        fetch,
        clock: systemClock,
        descriptionUrl: `http://127.0.0.1:${port}/rootDesc.xml`,
        httpTimeoutMs: 50,
      });
      const r = await client.externalAddress();
      expect(r).toMatchObject({
        ok: false,
        failure: { kind: 'unsupported', reason: /no HTTP answer within 50 ms/ },
      });
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

describe('UpnpIgdClient: TCP mappings (NewProtocol TCP)', () => {
  const tcp80 = {
    transport: 'tcp',
    internalPort: 80,
    externalPort: 80,
    lifetimeSeconds: 120,
    description: 'Gatehouse HTTP-01',
  } as const;

  /** fetch that keeps each SOAP action's NewProtocol argument, in order. */
  function recordingFetch(): { fetch: typeof fetch; protocols: string[] } {
    const protocols: string[] = [];
    const recording: typeof fetch = (input, init) => {
      const body = typeof init?.body === 'string' ? init.body : '';
      const action = /#(\w+)"$/.exec(
        String((init?.headers as Record<string, string> | undefined)?.SOAPAction),
      )?.[1];
      const protocol = /<NewProtocol>(\w+)<\/NewProtocol>/.exec(body)?.[1];
      if (action && protocol) protocols.push(`${action} ${protocol}`);
      return fetch(input, init);
    };
    return { fetch: recording, protocols };
  }

  it('adds, looks up and deletes TCP 80 with NewProtocol TCP', async () => {
    igd = await startFakeIgd();
    const recorder = recordingFetch();
    const client = new UpnpIgdClient({
      udp,
      fetch: recorder.fetch,
      clock: systemClock,
      descriptionUrl: igd.url,
    });
    const mapped = await client.map(tcp80);
    expect(mapped).toEqual({
      ok: true,
      value: {
        protocol: 'upnp',
        transport: 'tcp',
        internalPort: 80,
        externalPort: 80,
        externalAddress: '203.0.113.2',
        lifetimeSeconds: 120,
      },
    });
    expect(igd.mappings.get(80)).toMatchObject({
      internalPort: 80,
      lease: 120,
      description: 'Gatehouse HTTP-01',
    });
    expect((await client.lookupMapping(80, undefined, 'tcp')).ok).toBe(true);
    if (!mapped.ok) return;
    expect(await client.unmap(mapped.value)).toEqual({ ok: true, value: undefined });
    await client.lookupMapping(80);
    expect(recorder.protocols).toEqual([
      'AddPortMapping TCP',
      'GetSpecificPortMappingEntry TCP',
      'DeletePortMapping TCP',
      'GetSpecificPortMappingEntry UDP',
    ]);
  });

  it('a request without a transport is UDP, as before', async () => {
    igd = await startFakeIgd();
    const recorder = recordingFetch();
    const client = new UpnpIgdClient({
      udp,
      fetch: recorder.fetch,
      clock: systemClock,
      descriptionUrl: igd.url,
    });
    const mapped = await client.map(request);
    expect(mapped.ok && mapped.value).not.toHaveProperty('transport');
    if (mapped.ok) await client.unmap(mapped.value);
    expect(recorder.protocols).toEqual(['AddPortMapping UDP', 'DeletePortMapping UDP']);
  });

  it('an IGD that grants only permanent mappings (725) is refused when the request allows no permanent one', async () => {
    igd = await startFakeIgd();
    igd.addErrors.push(725);
    const client = new UpnpIgdClient({ udp, fetch, clock: systemClock, descriptionUrl: igd.url });
    expect(await client.map({ ...tcp80, permanentAllowed: false })).toEqual({
      ok: false,
      failure: {
        kind: 'refused',
        reason:
          'UPnP IGD: the router grants only permanent mappings (error 725), and TCP port 80 is to be open for 120 s, not for good',
      },
    });
    expect(igd.actions).toEqual(['AddPortMapping']);
    expect(igd.mappings.size).toBe(0);
  });
});

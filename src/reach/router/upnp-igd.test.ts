import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { startUdpResponder, type UdpResponder } from '../../../test/fakes/udp.js';
import { createDgramUdp } from '../../core/dgram-udp.js';
import {
  encodeSearchRequest,
  encodeSoapAction,
  parseDeviceDescription,
  parseSearchResponse,
  parseSoapResponse,
  UpnpIgdClient,
} from './upnp-igd.js';
import { parseXml, findFirst } from './xml.js';

const udp = createDgramUdp();
const wanIp1 = 'urn:schemas-upnp-org:service:WANIPConnection:1';

/** A description shaped like miniupnpd's rootDesc.xml (IGD v1, nested devices). */
function rootDesc(service = wanIp1, controlUrl = '/ctl/IPConn', urlBase = ''): string {
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>${urlBase ? `\n  <URLBase>${urlBase}</URLBase>` : ''}
  <device>
    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
    <friendlyName>Testbed Router</friendlyName>
    <serviceList><service>
      <serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
      <controlURL>/ctl/L3F</controlURL>
    </service></serviceList>
    <deviceList><device>
      <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
      <deviceList><device>
        <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
        <serviceList><service>
          <serviceType>${service}</serviceType>
          <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
          <controlURL>${controlUrl}</controlURL>
          <eventSubURL>/evt/IPConn</eventSubURL>
          <SCPDURL>/WANIPCn.xml</SCPDURL>
        </service></serviceList>
      </device></deviceList>
    </device></deviceList>
  </device>
</root>`;
}

function soapOk(action: string, values: Record<string, string | number>): string {
  const out = Object.entries(values)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:${action}Response xmlns:u="${wanIp1}">${out}</u:${action}Response></s:Body></s:Envelope>`;
}

function soapFault(code: number, description: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`;
}

interface FakeIgd {
  readonly url: string;
  readonly mappings: Map<
    number,
    { client: string; internalPort: number; lease: number; description: string }
  >;
  readonly actions: string[];
  /** Make AddPortMapping answer this UPnP error (once per listed entry). */
  readonly addErrors: number[];
  close(): Promise<void>;
}

/** An IGD on 127.0.0.1: a description and a WANIPConnection with a mapping table. */
async function startFakeIgd(description = rootDesc()): Promise<FakeIgd> {
  const mappings: FakeIgd['mappings'] = new Map();
  const actions: string[] = [];
  const addErrors: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [status, body] = answer(req, Buffer.concat(chunks).toString());
      res.writeHead(status, { 'Content-Type': 'text/xml; charset="utf-8"' });
      res.end(body);
    });
  });
  /** What the fake IGD answers: [HTTP status, body]. */
  function answer(req: http.IncomingMessage, text: string): [number, string] {
    const send = (status: number, body: string): [number, string] => [status, body];
    {
      if (req.method === 'GET' && req.url === '/rootDesc.xml') return send(200, description);
      if (req.method !== 'POST' || req.url !== '/ctl/IPConn') return send(404, '<e/>');
      const action = /#(\w+)"$/.exec(req.headers.soapaction as string)?.[1] ?? '';
      actions.push(action);
      const doc = parseXml(text);
      const args = doc.ok ? findFirst(doc.root, action) : undefined;
      const arg = (n: string) => args?.children.find((c) => c.name === n)?.text ?? '';
      switch (action) {
        case 'GetExternalIPAddress':
          return send(200, soapOk(action, { NewExternalIPAddress: '203.0.113.2' }));
        case 'AddPortMapping': {
          const error = addErrors.shift();
          if (error !== undefined) return send(500, soapFault(error, 'refused by the test'));
          const port = Number(arg('NewExternalPort'));
          const held = mappings.get(port);
          if (held && held.client !== arg('NewInternalClient'))
            return send(500, soapFault(718, 'ConflictInMappingEntry'));
          mappings.set(port, {
            client: arg('NewInternalClient'),
            internalPort: Number(arg('NewInternalPort')),
            lease: Number(arg('NewLeaseDuration')),
            description: arg('NewPortMappingDescription'),
          });
          return send(200, soapOk(action, {}));
        }
        case 'DeletePortMapping':
          if (!mappings.delete(Number(arg('NewExternalPort'))))
            return send(500, soapFault(714, 'NoSuchEntryInArray'));
          return send(200, soapOk(action, {}));
        case 'GetSpecificPortMappingEntry': {
          const m = mappings.get(Number(arg('NewExternalPort')));
          if (!m) return send(500, soapFault(714, 'NoSuchEntryInArray'));
          return send(
            200,
            soapOk(action, {
              NewInternalPort: m.internalPort,
              NewInternalClient: m.client,
              NewEnabled: 1,
              NewPortMappingDescription: m.description,
              NewLeaseDuration: m.lease,
            }),
          );
        }
        default:
          return send(500, soapFault(401, 'Invalid Action'));
      }
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rootDesc.xml`,
    mappings,
    actions,
    addErrors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

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

describe('UPnP IGD pure pieces', () => {
  it('encodes an M-SEARCH', () => {
    expect(
      new TextDecoder().decode(encodeSearchRequest('urn:schemas-upnp-org:device:InternetGatewayDevice:1')),
    ).toBe(
      'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n' +
        'ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n',
    );
  });

  it.each([
    [
      'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLocation: http://10.10.0.1:5000/rootDesc.xml\r\n\r\n',
      {
        location: 'http://10.10.0.1:5000/rootDesc.xml',
        searchTarget: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      },
    ],
    ['HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nLOCATION: http://10.10.0.9/d.xml\r\n\r\n', undefined],
    ['NOTIFY * HTTP/1.1\r\nLOCATION: http://10.10.0.1/x\r\n\r\n', undefined],
    [
      'HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:service:WANIPConnection:1\r\nLOCATION: file:///etc/passwd\r\n\r\n',
      undefined,
    ],
  ])('reads a search answer %#', (text, expected) => {
    expect(parseSearchResponse(new TextEncoder().encode(text))).toEqual(expected);
  });

  it.each([
    [rootDesc(), 'http://10.10.0.1:5000/ctl/IPConn', wanIp1],
    [
      rootDesc('urn:schemas-upnp-org:service:WANIPConnection:2'),
      'http://10.10.0.1:5000/ctl/IPConn',
      'urn:schemas-upnp-org:service:WANIPConnection:2',
    ],
    [
      rootDesc('urn:schemas-upnp-org:service:WANPPPConnection:1', 'ppp'),
      'http://10.10.0.1:5000/ppp',
      'urn:schemas-upnp-org:service:WANPPPConnection:1',
    ],
    [rootDesc(wanIp1, 'ctl', 'http://10.10.0.1:5000/base/'), 'http://10.10.0.1:5000/base/ctl', wanIp1],
  ])('finds the WAN connection service %#', (xml, controlUrl, serviceType) => {
    expect(parseDeviceDescription(xml, 'http://10.10.0.1:5000/rootDesc.xml')).toEqual({
      ok: true,
      service: { controlUrl, serviceType },
    });
  });

  it.each([
    [rootDesc('urn:schemas-upnp-org:service:Layer3Forwarding:1'), /no WANIPConnection/],
    [rootDesc(wanIp1, 'http://192.168.9.9/steal'), /not on the device's own host/],
    ['<root><device>', /not valid XML/],
  ])('refuses a description %#', (xml, reason) => {
    const r = parseDeviceDescription(xml, 'http://10.10.0.1:5000/rootDesc.xml');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('encodes a SOAP action with escaped arguments in order', () => {
    const body = encodeSoapAction(wanIp1, 'AddPortMapping', [
      ['NewExternalPort', 51820],
      ['NewPortMappingDescription', 'a<b & "c"'],
    ]);
    expect(body).toContain(
      `<u:AddPortMapping xmlns:u="${wanIp1}"><NewExternalPort>51820</NewExternalPort>` +
        '<NewPortMappingDescription>a&lt;b &amp; &quot;c&quot;</NewPortMappingDescription></u:AddPortMapping>',
    );
    expect(parseXml(body).ok).toBe(true);
  });

  it('reads SOAP answers and faults', () => {
    expect(
      parseSoapResponse(
        200,
        soapOk('GetExternalIPAddress', { NewExternalIPAddress: '203.0.113.2' }),
        'GetExternalIPAddress',
      ),
    ).toEqual({
      ok: true,
      values: { NewExternalIPAddress: '203.0.113.2' },
    });
    expect(parseSoapResponse(500, soapFault(718, 'ConflictInMappingEntry'), 'AddPortMapping')).toEqual({
      ok: false,
      code: 718,
      reason: 'AddPortMapping failed with UPnP error 718: ConflictInMappingEntry',
    });
    expect(parseSoapResponse(500, '<html/>', 'AddPortMapping')).toEqual({
      ok: false,
      reason: 'AddPortMapping failed (HTTP 500)',
    });
  });
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

/**
 * @module A UPnP IGD on loopback for tests: description and SOAP documents shaped like miniupnpd's, and an HTTP
 * server answering the WANIPConnection actions from a mapping table.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findFirst, parseXml } from '../../src/reach/router/xml.js';

export const wanIp1 = 'urn:schemas-upnp-org:service:WANIPConnection:1';

/** A description shaped like miniupnpd's rootDesc.xml (IGD v1, nested devices). */
export function rootDesc(service = wanIp1, controlUrl = '/ctl/IPConn', urlBase = ''): string {
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

export function soapOk(action: string, values: Record<string, string | number>): string {
  const out = Object.entries(values)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('');
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:${action}Response xmlns:u="${wanIp1}">${out}</u:${action}Response></s:Body></s:Envelope>`;
}

export function soapFault(code: number, description: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`;
}

export interface FakeIgd {
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
export async function startFakeIgd(description = rootDesc()): Promise<FakeIgd> {
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

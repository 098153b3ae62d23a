import { describe, expect, it } from 'vitest';
import { rootDesc, soapFault, soapOk, wanIp1 } from '../../../test/fakes/igd.js';
import {
  encodeSearchRequest,
  encodeSoapAction,
  parseDeviceDescription,
  hostOf,
  igdSearchTargets,
  parseEventSubUrl,
  parsePortMappingEntry,
  parseSearchResponse,
  parseSoapResponse,
  ssdpMulticast,
} from './upnp-codec.js';
import { parseXml } from './xml.js';

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

  it("finds the eventSubURL on the description's own host", () => {
    const desc = (url: string) =>
      `<root><device><serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><controlURL>/ctl</controlURL><eventSubURL>${url}</eventSubURL></service></serviceList></device></root>`;
    const wanIp = 'urn:schemas-upnp-org:service:WANIPConnection:1';
    expect(parseEventSubUrl(desc('/evt/IPConn'), 'http://10.10.0.1:5000/rootDesc.xml', wanIp)).toBe(
      'http://10.10.0.1:5000/evt/IPConn',
    );
    expect(
      parseEventSubUrl(desc('http://evil.example/evt'), 'http://10.10.0.1:5000/r.xml', wanIp),
    ).toBeUndefined();
    expect(parseEventSubUrl(desc(''), 'http://10.10.0.1:5000/r.xml', wanIp)).toBeUndefined();
  });
});

describe('UPnP IGD codec: the edges', () => {
  const descUrl = 'http://10.10.0.1:5000/rootDesc.xml';

  it('searches the SSDP group for each IGD target, with the MX asked for', () => {
    expect(ssdpMulticast).toEqual({ address: '239.255.255.250', port: 1900 });
    expect(igdSearchTargets).toEqual([
      'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
      'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
      'urn:schemas-upnp-org:service:WANIPConnection:2',
      'urn:schemas-upnp-org:service:WANIPConnection:1',
      'urn:schemas-upnp-org:service:WANPPPConnection:1',
    ]);
    expect(new TextDecoder().decode(encodeSearchRequest('st', 3))).toContain('\r\nMX: 3\r\n');
  });

  it.each([
    [
      'HTTP/1.0, LF only, lower-case headers',
      'HTTP/1.0 200 OK\nst: %ST%\nlocation: http://10.10.0.1/d.xml\n\n',
      true,
    ],
    [
      'a status other than 200',
      'HTTP/1.1 404 Not Found\r\nST: %ST%\r\nLOCATION: http://10.10.0.1/d.xml\r\n\r\n',
      false,
    ],
    ['no LOCATION', 'HTTP/1.1 200 OK\r\nST: %ST%\r\n\r\n', false],
    ['no ST', 'HTTP/1.1 200 OK\r\nLOCATION: http://10.10.0.1/d.xml\r\n\r\n', false],
    ['an https LOCATION', 'HTTP/1.1 200 OK\r\nST: %ST%\r\nLOCATION: https://10.10.0.1/d.xml\r\n\r\n', false],
    [
      'a header line without a name',
      'HTTP/1.1 200 OK\r\n: x\r\nST: %ST%\r\nLOCATION: http://10.10.0.1/d.xml\r\n\r\n',
      true,
    ],
    ['empty', '', false],
    [
      'a status line that does not start with HTTP/',
      'NOTIFY * HTTP/1.1 200 OK\r\nST: %ST%\r\nLOCATION: http://10.10.0.1/d.xml\r\n\r\n',
      false,
    ],
    [
      'a LOCATION with http:// only inside it',
      'HTTP/1.1 200 OK\r\nST: %ST%\r\nLOCATION: ftp://10.10.0.1/http://10.10.0.1/d.xml\r\n\r\n',
      false,
    ],
    [
      'spaces around header names',
      'HTTP/1.1 200 OK\r\nST : %ST%\r\nLocation\t: http://10.10.0.1/d.xml\r\n\r\n',
      true,
    ],
    [
      'lines without a colon are no headers',
      'HTTP/1.1 200 OK\r\nST: %ST%\r\nLOCATION: http://10.10.0.1/d.xml\r\nLOCATIONS\r\nSTX\r\n\r\n',
      true,
    ],
  ])('search answer: %s', (_name, text, found) => {
    const st = 'urn:schemas-upnp-org:service:WANPPPConnection:1';
    const r = parseSearchResponse(new TextEncoder().encode(text.replace('%ST%', st)));
    expect(r).toEqual(found ? { location: 'http://10.10.0.1/d.xml', searchTarget: st } : undefined);
  });

  it('prefers WANIPConnection:2, then :1, then WANPPPConnection, and skips a service without a control URL', () => {
    const desc = (services: [string, string][]) =>
      `<root><device><serviceList>${services
        .map(
          ([type, ctl]) =>
            `<service><serviceType>${type}</serviceType><controlURL>${ctl}</controlURL></service>`,
        )
        .join('')}</serviceList></device></root>`;
    const ppp = 'urn:schemas-upnp-org:service:WANPPPConnection:1';
    const ip2 = 'urn:schemas-upnp-org:service:WANIPConnection:2';
    expect(
      parseDeviceDescription(
        desc([
          [ppp, '/ppp'],
          [wanIp1, '/ip1'],
          [ip2, '/ip2'],
        ]),
        descUrl,
      ),
    ).toEqual({
      ok: true,
      service: { controlUrl: 'http://10.10.0.1:5000/ip2', serviceType: ip2 },
    });
    expect(
      parseDeviceDescription(
        desc([
          [ppp, '/ppp'],
          [wanIp1, ''],
        ]),
        descUrl,
      ),
    ).toEqual({
      ok: true,
      service: { controlUrl: 'http://10.10.0.1:5000/ppp', serviceType: ppp },
    });
    expect(
      parseDeviceDescription(
        desc([
          [wanIp1, ''],
          [wanIp1, '/second'],
        ]),
        descUrl,
      ),
    ).toEqual({
      ok: true,
      service: { controlUrl: 'http://10.10.0.1:5000/second', serviceType: wanIp1 },
    });
    expect(
      parseDeviceDescription(
        `<root><device><serviceList><service><serviceType>${wanIp1}</serviceType></service>` +
          '<service><controlURL>/ctl</controlURL></service></serviceList></device></root>',
        descUrl,
      ),
    ).toEqual({
      ok: false,
      reason: 'the device offers no WANIPConnection or WANPPPConnection service',
    });
    expect(parseDeviceDescription(desc([[wanIp1, 'http://[oops/ctl']]), descUrl)).toEqual({
      ok: false,
      reason: 'the control URL "http://[oops/ctl" is not a URL',
    });
    expect(parseDeviceDescription(desc([[wanIp1, 'https://10.10.0.1:5000/ctl']]), descUrl)).toEqual({
      ok: false,
      reason: "the control URL https://10.10.0.1:5000/ctl is not on the device's own host 10.10.0.1:5000",
    });
    // The same host on another port is another server.
    expect(parseDeviceDescription(desc([[wanIp1, 'http://10.10.0.1:6000/ctl']]), descUrl)).toMatchObject({
      ok: false,
    });
  });

  it('an eventSubURL is resolved against URLBase, for the service asked about only', () => {
    const desc = `<root><URLBase>http://10.10.0.1:5000/base/</URLBase><device><serviceList>
      <service><serviceType>${wanIp1}</serviceType><eventSubURL>evt</eventSubURL></service>
      <service><serviceType>other</serviceType><eventSubURL>/other</eventSubURL></service>
      </serviceList></device></root>`;
    expect(parseEventSubUrl(desc, descUrl, wanIp1)).toBe('http://10.10.0.1:5000/base/evt');
    expect(parseEventSubUrl(desc, descUrl, 'urn:none')).toBeUndefined();
    expect(parseEventSubUrl('<root>', descUrl, wanIp1)).toBeUndefined();
    // With a URLBase the description's own address is still what the URL must match.
    expect(parseEventSubUrl(desc, 'not a url', wanIp1)).toBeUndefined();
    expect(parseEventSubUrl(desc.replace('evt<', 'http://[bad<'), descUrl, wanIp1)).toBeUndefined();
    expect(
      parseEventSubUrl(desc.replace('evt<', 'https://10.10.0.1:5000/evt<'), descUrl, wanIp1),
    ).toBeUndefined();
  });

  it('escapes every XML special character in arguments and the service type', () => {
    const body = encodeSoapAction('urn:x"<>', 'A', [['N', `&<>"'`]]);
    expect(body).toContain('<N>&amp;&lt;&gt;&quot;&apos;</N>');
    expect(body).toContain('xmlns:u="urn:x&quot;&lt;&gt;"');
    expect(
      body.startsWith(
        '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><u:A ',
      ),
    ).toBe(true);
    expect(body.endsWith('</u:A></s:Body></s:Envelope>')).toBe(true);
  });

  it.each([
    [
      'a fault without UPnPError names the faultstring',
      500,
      '<Envelope><Body><Fault><faultstring>Server busy</faultstring></Fault></Body></Envelope>',
      { ok: false, reason: 'AddPortMapping failed (HTTP 500): Server busy' },
    ],
    [
      'an error status without a fault',
      503,
      '<Envelope><Body/></Envelope>',
      { ok: false, reason: 'AddPortMapping failed (HTTP 503)' },
    ],
    [
      'a 200 carrying a fault is a fault',
      200,
      '<Envelope><Body><Fault><detail><UPnPError><errorCode>606</errorCode></UPnPError></detail></Fault></Body></Envelope>',
      { ok: false, code: 606, reason: 'AddPortMapping failed with UPnP error 606' },
    ],
    [
      'a 299 is still an answer',
      299,
      '<Envelope><Body><AddPortMappingResponse><NewX> 1 </NewX></AddPortMappingResponse></Body></Envelope>',
      { ok: true, values: { NewX: '1' } },
    ],
    [
      'a 300 is not',
      300,
      '<Envelope><Body><AddPortMappingResponse/></Body></Envelope>',
      { ok: false, reason: 'AddPortMapping failed (HTTP 300)' },
    ],
    [
      'an answer for another action',
      200,
      '<Envelope><Body><DeletePortMappingResponse/></Body></Envelope>',
      { ok: false, reason: 'AddPortMapping: the answer has no AddPortMappingResponse' },
    ],
    [
      'not XML',
      502,
      'Bad Gateway',
      { ok: false, reason: expect.stringMatching(/^HTTP 502 with a body that is not XML \(/) },
    ],
  ])('SOAP answer: %s', (_name, status, xml, expected) => {
    expect(parseSoapResponse(status, xml, 'AddPortMapping')).toEqual(expected);
  });

  it('reads a mapping entry, "1" or "true" meaning enabled', () => {
    expect(
      parsePortMappingEntry({
        NewInternalClient: '10.10.0.2',
        NewInternalPort: '51820',
        NewEnabled: 'True',
        NewPortMappingDescription: 'Gatehouse WireGuard',
        NewLeaseDuration: '3600',
      }),
    ).toEqual({
      internalClient: '10.10.0.2',
      internalPort: 51820,
      enabled: true,
      description: 'Gatehouse WireGuard',
      leaseSeconds: 3600,
    });
    expect(parsePortMappingEntry({ NewInternalPort: '1', NewEnabled: '0' })).toEqual({
      internalClient: '',
      internalPort: 1,
      enabled: false,
      description: '',
      leaseSeconds: 0,
    });
    expect(parsePortMappingEntry({ NewEnabled: '1' }).enabled).toBe(true);
    expect(parsePortMappingEntry({}).enabled).toBe(false);
  });

  it('the host of a LOCATION', () => {
    expect(hostOf('http://10.10.0.1:5000/d.xml')).toBe('10.10.0.1');
    expect(hostOf('not a url')).toBeUndefined();
  });
});

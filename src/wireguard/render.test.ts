import { describe, expect, it } from 'vitest';
import type { DevicePeer } from './model.js';
import {
  type ClientConfigInput,
  ConfigValueError,
  configFileName,
  isHostName,
  missingPrivateKeyLines,
  renderClientConfig,
  renderDeviceConfig,
} from './render.js';

const privateKey = '4N1VLDoI7Un6PUxV8ijTV6b8R4CbRXHRqGuH7gwxa3o=';
const serverPublicKey = 'ZGcJhliLsPUNz2VuQK9+cgZTT4z9FNnwFMW+Jn6iYFA=';
const peerA = 'aZwgVSduRyPks8WxR2UFQveyx4pWaE/t7a4YOVnVhmA=';
const peerB = 'kDIRKZzALATX5CcBPetoyGQIczay3iIxmkV6czUciAc=';
const psk = 'QZ6pvSj/E4cts2f0BBYv2Smeylmtaj0TvSDbeDXkfw8=';

const full: ClientConfigInput = {
  privateKey,
  address: { ipv4: '10.8.0.2', ipv6: 'fd8a:1b2c:3d4e::2' },
  dns: ['10.8.0.1', 'fd8a:1b2c:3d4e::1'],
  mtu: 1420,
  serverPublicKey,
  presharedKey: psk,
  allowedIps: ['10.8.0.1/32', '192.168.1.0/24', 'fd8a:1b2c:3d4e::1/128'],
  endpoint: { host: 'home.example.test', port: 51820 },
  persistentKeepalive: 25,
};

const minimal: ClientConfigInput = {
  privateKey,
  address: { ipv4: '10.8.0.2', ipv6: null },
  dns: [],
  mtu: null,
  serverPublicKey,
  presharedKey: null,
  allowedIps: ['0.0.0.0/0'],
  endpoint: { host: '203.0.113.2', port: 51820 },
  persistentKeepalive: 0,
};

function thrown(run: () => unknown): ConfigValueError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigValueError) return e;
    throw e;
  }
  throw new Error('expected a ConfigValueError');
}

describe('renderClientConfig', () => {
  it('renders every line', () => {
    expect(renderClientConfig(full)).toBe(
      [
        '[Interface]',
        `PrivateKey = ${privateKey}`,
        'Address = 10.8.0.2/32, fd8a:1b2c:3d4e::2/128',
        'DNS = 10.8.0.1, fd8a:1b2c:3d4e::1',
        'MTU = 1420',
        '',
        '[Peer]',
        `PublicKey = ${serverPublicKey}`,
        `PresharedKey = ${psk}`,
        'AllowedIPs = 10.8.0.1/32, 192.168.1.0/24, fd8a:1b2c:3d4e::1/128',
        'Endpoint = home.example.test:51820',
        'PersistentKeepalive = 25',
        '',
      ].join('\n'),
    );
  });

  it('leaves out what is not set', () => {
    expect(renderClientConfig(minimal)).toBe(
      [
        '[Interface]',
        `PrivateKey = ${privateKey}`,
        'Address = 10.8.0.2/32',
        '',
        '[Peer]',
        `PublicKey = ${serverPublicKey}`,
        'AllowedIPs = 0.0.0.0/0',
        'Endpoint = 203.0.113.2:51820',
        '',
      ].join('\n'),
    );
  });

  it('puts an IPv6 endpoint in brackets and keeps the edge values', () => {
    const text = renderClientConfig({
      ...minimal,
      endpoint: { host: '2001:db8::7', port: 1 },
      mtu: 1280,
      persistentKeepalive: 1,
    });
    expect(text).toContain('\nEndpoint = [2001:db8::7]:1\n');
    expect(text).toContain('\nMTU = 1280\n');
    expect(text).toContain('\nPersistentKeepalive = 1\n');
    const top = renderClientConfig({
      ...minimal,
      endpoint: { host: 'vpn', port: 65535 },
      mtu: 9000,
      persistentKeepalive: 65535,
    });
    expect(top).toContain('\nEndpoint = vpn:65535\n');
    expect(top).toContain('\nMTU = 9000\n');
    expect(top).toContain('\nPersistentKeepalive = 65535\n');
  });

  it('leaves a blank that no app imports when the box never had the private key', () => {
    const text = renderClientConfig({ ...minimal, privateKey: null });
    expect(text.split('\n').slice(0, 4)).toEqual([
      '[Interface]',
      ...missingPrivateKeyLines,
      'Address = 10.8.0.2/32',
    ]);
    expect(missingPrivateKeyLines[0]).toMatch(/^# .*private key.*"PrivateKey ="/);
    expect(missingPrivateKeyLines[1]).toBe('PrivateKey =');
    // The comment is one line: nothing in it can start a key or a section.
    expect(missingPrivateKeyLines[0]).not.toMatch(/[\r\n]/);
  });

  // Each field refused, with the field named and the value (a key, or injected text) never quoted.
  const injections = ['\n', '\r', '[', ']', '=', '#', ' ', '\0', '\u2028', '\u2029', '\t', ',', '%eth0', 'é'];
  const cases: [string, (bad: string) => ClientConfigInput, string][] = [
    ['privateKey', (b) => ({ ...full, privateKey: b }), 'a WireGuard key (44 characters of base64)'],
    [
      'serverPublicKey',
      (b) => ({ ...full, serverPublicKey: b }),
      'a WireGuard key (44 characters of base64)',
    ],
    ['presharedKey', (b) => ({ ...full, presharedKey: b }), 'a WireGuard key (44 characters of base64)'],
    ['address.ipv4', (b) => ({ ...full, address: { ipv4: b, ipv6: null } }), 'an IPv4 address'],
    ['address.ipv6', (b) => ({ ...full, address: { ipv4: '10.8.0.2', ipv6: b } }), 'an IPv6 address'],
    ['dns[1]', (b) => ({ ...full, dns: ['10.8.0.1', b] }), 'IP addresses'],
    ['allowedIps[0]', (b) => ({ ...full, allowedIps: [b] }), 'address/prefix'],
    ['endpoint.host', (b) => ({ ...full, endpoint: { host: b, port: 51820 } }), 'a host name or IP address'],
  ];
  const goodValue: Record<string, string> = {
    privateKey,
    serverPublicKey,
    presharedKey: psk,
    'address.ipv4': '10.8.0.2',
    'address.ipv6': 'fd8a::2',
    'dns[1]': '10.8.0.1',
    'allowedIps[0]': '10.8.0.1/32',
    'endpoint.host': 'home.example.test',
  };
  describe.each(cases)('%s', (field, make, expected) => {
    const good = goodValue[field] ?? '';
    it.each(injections)('refuses %j around a good value', (bad) => {
      for (const value of [`${good}${bad}`, `${bad}${good}`, `${good.slice(0, 5)}${bad}${good.slice(5)}`]) {
        const e = thrown(() => renderClientConfig(make(value)));
        expect(e.field).toBe(field);
        expect(e.expected).toBe(expected);
        expect(e.message).toBe(`WireGuard config value ${field} is not ${expected}`);
        expect(e.message).not.toContain(good.slice(0, 8));
      }
    });
    it('refuses the empty string and a second config smuggled in', () => {
      for (const value of [
        '',
        `${good}\n[Peer]\nPublicKey = ${peerA}\nAllowedIPs = 0.0.0.0/0`,
        `${good}\nPostUp = rm -rf /`,
      ])
        expect(thrown(() => renderClientConfig(make(value))).field).toBe(field);
    });
  });

  it.each([
    ['address.ipv4', { ...full, address: { ipv4: 'fd8a::2', ipv6: null } }],
    ['address.ipv4', { ...full, address: { ipv4: '10.8.0.2/32', ipv6: null } }],
    ['address.ipv6', { ...full, address: { ipv4: '10.8.0.2', ipv6: '10.8.0.3' } }],
    ['address.ipv6', { ...full, address: { ipv4: '10.8.0.2', ipv6: 'fe80::1%eth0' } }],
    ['dns[0]', { ...full, dns: ['dns.example.test'] }],
    ['dns[0]', { ...full, dns: ['10.8.0.1/32'] }],
    ['allowedIps[1]', { ...full, allowedIps: ['10.8.0.1/32', '10.8.0.1'] }],
    ['allowedIps[0]', { ...full, allowedIps: ['10.8.0.1/33'] }],
    ['allowedIps', { ...full, allowedIps: [] }],
    ['endpoint.host', { ...full, endpoint: { host: '[2001:db8::7]', port: 51820 } }],
    ['endpoint.host', { ...full, endpoint: { host: 'home.example.test:51820', port: 51820 } }],
    ['endpoint.host', { ...full, endpoint: { host: '1.2.3.400', port: 51820 } }],
    ['endpoint.host', { ...full, endpoint: { host: '-home.example.test', port: 51820 } }],
    ['endpoint.host', { ...full, endpoint: { host: 'home_1.example.test', port: 51820 } }],
    ['endpoint.port', { ...full, endpoint: { host: 'home.example.test', port: 0 } }],
    ['endpoint.port', { ...full, endpoint: { host: 'home.example.test', port: 65536 } }],
    ['endpoint.port', { ...full, endpoint: { host: 'home.example.test', port: 5.5 } }],
    ['endpoint.port', { ...full, endpoint: { host: 'home.example.test', port: Number.NaN } }],
    ['mtu', { ...full, mtu: 1279 }],
    ['mtu', { ...full, mtu: 9001 }],
    ['mtu', { ...full, mtu: 1420.5 }],
    ['persistentKeepalive', { ...full, persistentKeepalive: -1 }],
    ['persistentKeepalive', { ...full, persistentKeepalive: 65536 }],
    ['persistentKeepalive', { ...full, persistentKeepalive: 0.5 }],
    ['privateKey', { ...full, privateKey: peerA.slice(0, 43) }],
    ['privateKey', { ...full, privateKey: `${peerA.slice(0, 42)}B=` }],
  ] as const)('refuses a bad %s', (field, input) => {
    expect(thrown(() => renderClientConfig(input)).field).toBe(field);
  });

  it.each([
    ['mtu', 1279, 'a whole number from 1280 to 9000'],
    ['port', 0, 'a whole number from 1 to 65535'],
    ['keepalive', -1, 'a whole number from 0 to 65535'],
  ])('says the range of %s', (what, value, expected) => {
    const input =
      what === 'mtu'
        ? { ...full, mtu: value }
        : what === 'port'
          ? { ...full, endpoint: { host: 'vpn', port: value } }
          : { ...full, persistentKeepalive: value };
    expect(thrown(() => renderClientConfig(input)).expected).toBe(expected);
  });

  it('says a list must not be empty', () => {
    expect(thrown(() => renderClientConfig({ ...full, allowedIps: [] })).message).toBe(
      'WireGuard config value allowedIps is not a non-empty list of address/prefix',
    );
  });

  it('is an Error named ConfigValueError', () => {
    const e = thrown(() => renderClientConfig({ ...full, mtu: 1 }));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConfigValueError');
  });
});

describe('isHostName', () => {
  it.each([
    ['vpn', true],
    ['home.example.test', true],
    ['HOME.Example.TEST', true],
    ['a-b.example', true],
    ['1.example', true],
    ['example.a1', true],
    ['xn--bcher-kva.example', true],
    [`${'a'.repeat(63)}.example`, true],
    [`${'a'.repeat(64)}.example`, false],
    [
      Array.from({ length: 4 }, () => 'a'.repeat(63))
        .join('.')
        .slice(0, 253),
      true,
    ],
    [
      `${Array.from({ length: 4 }, () => 'a'.repeat(63))
        .join('.')
        .slice(0, 252)}.b`,
      false,
    ],
    ['', false],
    ['.', false],
    ['example.', false],
    ['.example', false],
    ['a..b', false],
    ['-a.example', false],
    ['a-.example', false],
    ['a_b.example', false],
    ['1.2.3.4', false],
    ['example.123', false],
    ['123', false],
    ['a.b1', true],
    ['example.1a', true],
    ['1a', true],
    ['a1.example', true],
  ])('%j → %s', (name, fine) => {
    expect(isHostName(name)).toBe(fine);
  });
});

describe('renderDeviceConfig', () => {
  const peers: [DevicePeer, DevicePeer] = [
    {
      publicKey: peerA,
      presharedKey: psk,
      allowedIps: ['10.8.0.2/32', 'fd8a::2/128'],
      persistentKeepalive: 25,
    },
    { publicKey: peerB, presharedKey: null, allowedIps: ['10.8.0.3/32'], persistentKeepalive: 0 },
  ];

  it('renders only the keys wg accepts', () => {
    expect(renderDeviceConfig({ privateKey, listenPort: 51820, peers })).toBe(
      [
        '[Interface]',
        `PrivateKey = ${privateKey}`,
        'ListenPort = 51820',
        '',
        '[Peer]',
        `PublicKey = ${peerA}`,
        `PresharedKey = ${psk}`,
        'AllowedIPs = 10.8.0.2/32, fd8a::2/128',
        'PersistentKeepalive = 25',
        '',
        '[Peer]',
        `PublicKey = ${peerB}`,
        'AllowedIPs = 10.8.0.3/32',
        '',
      ].join('\n'),
    );
  });

  it('renders an interface with no peers, and a peer with no allowed IPs', () => {
    expect(renderDeviceConfig({ privateKey, listenPort: 1, peers: [] })).toBe(
      `[Interface]\nPrivateKey = ${privateKey}\nListenPort = 1\n`,
    );
    expect(
      renderDeviceConfig({
        privateKey,
        listenPort: 65535,
        peers: [{ publicKey: peerA, presharedKey: null, allowedIps: [], persistentKeepalive: 0 }],
      }),
    ).toBe(`[Interface]\nPrivateKey = ${privateKey}\nListenPort = 65535\n\n[Peer]\nPublicKey = ${peerA}\n`);
  });

  it.each([
    ['privateKey', { privateKey: `${privateKey}\n`, listenPort: 51820, peers }],
    ['listenPort', { privateKey, listenPort: 0, peers }],
    ['listenPort', { privateKey, listenPort: 65536, peers }],
    [
      'peers[1].publicKey',
      { privateKey, listenPort: 51820, peers: [peers[0], { ...peers[1], publicKey: 'x' }] },
    ],
    [
      'peers[1].publicKey',
      { privateKey, listenPort: 51820, peers: [peers[0], { ...peers[1], publicKey: peerA }] },
    ],
    [
      'peers[0].presharedKey',
      { privateKey, listenPort: 51820, peers: [{ ...peers[0], presharedKey: `${psk}#` }] },
    ],
    [
      'peers[0].allowedIps[1]',
      {
        privateKey,
        listenPort: 51820,
        peers: [{ ...peers[0], allowedIps: ['10.8.0.2/32', '10.8.0.2/32\n[Peer]'] }],
      },
    ],
    [
      'peers[0].persistentKeepalive',
      { privateKey, listenPort: 51820, peers: [{ ...peers[0], persistentKeepalive: 65536 }] },
    ],
    [
      'peers[0].persistentKeepalive',
      { privateKey, listenPort: 51820, peers: [{ ...peers[0], persistentKeepalive: -1 }] },
    ],
  ] as const)('refuses a bad %s', (field, input) => {
    const e = thrown(() => renderDeviceConfig(input));
    expect(e.field).toBe(field);
    expect(e.message).not.toContain(privateKey.slice(0, 8));
    expect(e.message).not.toContain(psk.slice(0, 8));
  });

  it('says what an allowed IP must be', () => {
    const e = thrown(() =>
      renderDeviceConfig({
        privateKey,
        listenPort: 51820,
        peers: [{ ...peers[0], allowedIps: ['10.8.0.2'] }],
      }),
    );
    expect(e.message).toBe('WireGuard config value peers[0].allowedIps[0] is not address/prefix');
  });

  it('says why a repeated public key is refused', () => {
    expect(
      thrown(() => renderDeviceConfig({ privateKey, listenPort: 51820, peers: [peers[0], peers[0]] }))
        .message,
    ).toBe('WireGuard config value peers[1].publicKey is not a public key no other peer has');
  });
});

describe('configFileName', () => {
  it.each([
    ['phone', 'phone.conf'],
    ['Anna_Phone-2', 'Anna_Phone-2.conf'],
    ["Anna's iPhone", 'Anna-s-iPhone.conf'],
    ['Zoë’s laptop', 'Zoe-s-laptop.conf'],
    ['Ünïcödé', 'Unicode.conf'],
    ['  spaced  out  ', 'spaced-out.conf'],
    ['a/b\\c', 'a-b-c.conf'],
    ['../../etc/passwd', 'etc-passwd.conf'],
    ['line\nbreak\r\n', 'line-break.conf'],
    ['x"; rm -rf /', 'x-rm-rf.conf'],
    ['123456789012345', '123456789012345.conf'],
    ['1234567890123456', '123456789012345.conf'],
    ['12345678901234-x', '12345678901234.conf'],
    ['ab--------------cd', 'ab-cd.conf'],
    ['---lead', 'lead.conf'],
    ['my.phone', 'my-phone.conf'],
    ['', 'peer.conf'],
    ['日本語', 'peer.conf'],
    ['---', 'peer.conf'],
    ['\u2028', 'peer.conf'],
  ])('%j → %s', (name, file) => {
    expect(configFileName(name)).toBe(file);
  });

  it('always fits the tunnel-name pattern of the apps', () => {
    for (const name of ['a'.repeat(100), 'é'.repeat(40), '-a-', 'x y z w v u t s r q p o n m']) {
      expect(configFileName(name)).toMatch(/^[a-zA-Z0-9_=+.-]{1,15}\.conf$/);
      expect(configFileName(name)).toMatch(/^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?\.conf$/);
    }
  });
});

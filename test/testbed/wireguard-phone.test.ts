// The phone helper's pure parts: reading a wg-quick client config as wg-quick does, the commands that bring the
// interface up, and the peer lines of `wg show dump`.
import { describe, expect, it } from 'vitest';
import {
  fullTunnelTable,
  interfaceDownCommands,
  interfaceUpCommands,
  parseClientConfig,
  parseDumpPeers,
} from './wireguard-phone.js';

const key = (c: string) => `${c.repeat(43)}=`;

const config = `[Interface]
# phone
PrivateKey = ${key('a')}
Address = 10.99.0.2/32, 2001:db8:99::2/128
DNS = 10.10.0.1,10.10.0.2
MTU = 1380

[Peer]
PublicKey = ${key('b')}
PresharedKey = ${key('c')}
Endpoint = 203.0.113.2:51820
AllowedIPs = 10.10.0.20/32, 10.10.0.21/32 # camera, nas
PersistentKeepalive = 25
`;

describe('parseClientConfig', () => {
  it('splits wg-quick keys from what wg setconf reads', () => {
    const c = parseClientConfig(config);
    expect(c.addresses).toEqual(['10.99.0.2/32', '2001:db8:99::2/128']);
    expect(c.dns).toEqual(['10.10.0.1', '10.10.0.2']);
    expect(c.mtu).toBe(1380);
    expect(c.allowedIps).toEqual(['10.10.0.20/32', '10.10.0.21/32']);
    expect(c.endpoints).toEqual(['203.0.113.2:51820']);
    expect(c.hasPrivateKey).toBe(true);
    expect(c.wgOnly).toBe(`[Interface]
# phone
PrivateKey = ${key('a')}

[Peer]
PublicKey = ${key('b')}
PresharedKey = ${key('c')}
Endpoint = 203.0.113.2:51820
AllowedIPs = 10.10.0.20/32, 10.10.0.21/32 # camera, nas
PersistentKeepalive = 25
`);
  });

  it('reads keys case-insensitively, CRLF lines, repeated Address lines, and no MTU as null', () => {
    const c = parseClientConfig(
      '[interface]\r\nprivatekey=x\r\naddress = 10.99.0.3/32\r\nADDRESS=10.99.0.4/32\r\n[PEER]\r\nallowedips=0.0.0.0/0,0.0.0.0/0\r\n',
    );
    expect(c.addresses).toEqual(['10.99.0.3/32', '10.99.0.4/32']);
    expect(c.mtu).toBeNull();
    expect(c.allowedIps).toEqual(['0.0.0.0/0']);
    expect(c.wgOnly).toBe('[interface]\nprivatekey=x\n[PEER]\nallowedips=0.0.0.0/0,0.0.0.0/0\n');
  });

  it('keeps AllowedIPs of every peer, in order, once', () => {
    const c = parseClientConfig(
      '[Interface]\nPrivateKey = k\n[Peer]\nAllowedIPs = 10.0.0.1/32\n[Peer]\nAllowedIPs = 10.0.0.2/32, 10.0.0.1/32\n',
    );
    expect(c.allowedIps).toEqual(['10.0.0.1/32', '10.0.0.2/32']);
  });

  it('a config without a private key (own key mode) says so; a blank one counts as none', () => {
    expect(
      parseClientConfig('[Interface]\nAddress = 10.99.0.5/32\n[Peer]\nPublicKey = k\n').hasPrivateKey,
    ).toBe(false);
    expect(parseClientConfig('[Interface]\nPrivateKey =\n').hasPrivateKey).toBe(false);
    // A commented-out key is no key.
    expect(parseClientConfig('[Interface]\n# PrivateKey = k\n').hasPrivateKey).toBe(false);
  });

  it.each(['PreUp', 'PostUp', 'predown', 'POSTDOWN'])('refuses a %s hook', (hook) => {
    expect(() => parseClientConfig(`[Interface]\nPrivateKey = k\n${hook} = touch /tmp/x\n`)).toThrow(
      /command hook/,
    );
  });

  it.each([
    ['a line outside a section', 'PrivateKey = k\n', /not a config line/],
    ['a line without =', '[Interface]\nPrivateKey k\n', /not a config line/],
    ['an unknown section', '[Server]\nX = 1\n', /unknown section \[server\]/],
    ['a key with nothing before =', '[Interface]\n= k\n', /not a config line/],
  ])('refuses %s', (_name, text, error) => {
    expect(() => parseClientConfig(text)).toThrow(error);
  });

  it('wg-quick keys inside [Peer] are not wg-quick’s: they stay for wg (which rejects them)', () => {
    const c = parseClientConfig(
      '[Interface]\nPrivateKey = k\n[Peer]\nAddress = 10.0.0.1/32\nDNS = 1.1.1.1\n',
    );
    expect(c.addresses).toEqual([]);
    expect(c.dns).toEqual([]);
    expect(c.wgOnly).toContain('Address = 10.0.0.1/32');
    expect(c.wgOnly).toContain('DNS = 1.1.1.1');
  });

  it('Table and SaveConfig are wg-quick’s too', () => {
    expect(parseClientConfig('[Interface]\nPrivateKey = k\nTable = off\nSaveConfig = true\n').wgOnly).toBe(
      '[Interface]\nPrivateKey = k\n',
    );
  });
});

describe('interfaceUpCommands', () => {
  it('addresses, MTU and up, a route per AllowedIPs entry', () => {
    expect(interfaceUpCommands('ns1', 'wgx', parseClientConfig(config))).toEqual([
      ['ip', '-n', 'ns1', '-4', 'address', 'add', '10.99.0.2/32', 'dev', 'wgx'],
      ['ip', '-n', 'ns1', '-6', 'address', 'add', '2001:db8:99::2/128', 'dev', 'wgx'],
      ['ip', '-n', 'ns1', 'link', 'set', 'mtu', '1380', 'up', 'dev', 'wgx'],
      ['ip', '-n', 'ns1', '-4', 'route', 'replace', '10.10.0.20/32', 'dev', 'wgx'],
      ['ip', '-n', 'ns1', '-4', 'route', 'replace', '10.10.0.21/32', 'dev', 'wgx'],
    ]);
    expect(interfaceDownCommands('ns1', parseClientConfig(config))).toEqual([]);
  });

  it('no MTU: 1420, as wg-quick computes for a 1500 path', () => {
    const c = parseClientConfig('[Interface]\nPrivateKey = k\n[Peer]\nAllowedIPs = 2001:db8::/64\n');
    expect(interfaceUpCommands('n', 'w', c)).toEqual([
      ['ip', '-n', 'n', 'link', 'set', 'mtu', '1420', 'up', 'dev', 'w'],
      ['ip', '-n', 'n', '-6', 'route', 'replace', '2001:db8::/64', 'dev', 'w'],
    ]);
  });

  it('a default route goes through the fwmark table, as wg-quick does, and comes down with its rules', () => {
    const c = parseClientConfig(
      '[Interface]\nPrivateKey = k\nAddress = 10.99.0.3/32\n[Peer]\nAllowedIPs = 0.0.0.0/0, ::/0\n',
    );
    const t = String(fullTunnelTable);
    expect(interfaceUpCommands('n', 'w', c)).toEqual([
      ['ip', '-n', 'n', '-4', 'address', 'add', '10.99.0.3/32', 'dev', 'w'],
      ['ip', '-n', 'n', 'link', 'set', 'mtu', '1420', 'up', 'dev', 'w'],
      ['ip', 'netns', 'exec', 'n', 'wg', 'set', 'w', 'fwmark', t],
      ['ip', '-n', 'n', '-4', 'route', 'add', '0.0.0.0/0', 'dev', 'w', 'table', t],
      ['ip', '-n', 'n', '-4', 'rule', 'add', 'not', 'fwmark', t, 'table', t],
      ['ip', '-n', 'n', '-4', 'rule', 'add', 'table', 'main', 'suppress_prefixlength', '0'],
      ['ip', '-n', 'n', '-6', 'route', 'add', '::/0', 'dev', 'w', 'table', t],
      ['ip', '-n', 'n', '-6', 'rule', 'add', 'not', 'fwmark', t, 'table', t],
      ['ip', '-n', 'n', '-6', 'rule', 'add', 'table', 'main', 'suppress_prefixlength', '0'],
    ]);
    expect(interfaceDownCommands('n', c)).toEqual([
      ['ip', '-n', 'n', '-4', 'rule', 'del', 'not', 'fwmark', t, 'table', t],
      ['ip', '-n', 'n', '-4', 'rule', 'del', 'table', 'main', 'suppress_prefixlength', '0'],
      ['ip', '-n', 'n', '-6', 'rule', 'del', 'not', 'fwmark', t, 'table', t],
      ['ip', '-n', 'n', '-6', 'rule', 'del', 'table', 'main', 'suppress_prefixlength', '0'],
    ]);
  });
});

describe('parseDumpPeers', () => {
  it('drops the interface line (the private key) unread and reads each peer', () => {
    const dump = [
      `${key('p')}\t${key('q')}\t51820\toff`,
      `${key('b')}\t${key('c')}\t198.51.100.10:40000\t10.99.0.2/32,2001:db8:99::2/128\t1795885945\t1508\t844\t25`,
      `${key('d')}\t(none)\t(none)\t(none)\t0\t0\t0\toff`,
    ].join('\n');
    expect(parseDumpPeers(`${dump}\n`)).toEqual([
      {
        publicKey: key('b'),
        endpoint: '198.51.100.10:40000',
        allowedIps: ['10.99.0.2/32', '2001:db8:99::2/128'],
        latestHandshake: 1795885945,
        rxBytes: 1508,
        txBytes: 844,
      },
      { publicKey: key('d'), endpoint: null, allowedIps: [], latestHandshake: null, rxBytes: 0, txBytes: 0 },
    ]);
    expect(JSON.stringify(parseDumpPeers(dump))).not.toContain(key('p'));
  });

  it('an interface with no peers: none', () => {
    expect(parseDumpPeers(`${key('p')}\t${key('q')}\t51820\toff\n`)).toEqual([]);
  });
});

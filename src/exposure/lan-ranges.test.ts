import { describe, expect, it } from 'vitest';
import {
  checkServiceHost,
  collapseNetworks,
  compareNetworks,
  detectLanRanges,
  networkContains,
  parseIpLiteral,
  parseNetwork,
  widthOf,
  type InterfaceEntry,
  type ParsedNetwork,
} from './lan-ranges.js';

const net = (text: string): ParsedNetwork => {
  const n = parseNetwork(text);
  if (n === undefined) throw new Error(`bad fixture ${text}`);
  return n;
};

describe('parseIpLiteral', () => {
  it.each([
    ['10.0.0.1', 'ipv4', '10.0.0.1', 0x0a000001n],
    ['255.255.255.255', 'ipv4', '255.255.255.255', 0xffffffffn],
    ['0.0.0.0', 'ipv4', '0.0.0.0', 0n],
    ['2001:DB8::1', 'ipv6', '2001:db8::1', 0x20010db8000000000000000000000001n],
    ['2001:db8:0:0:0:0:0:1', 'ipv6', '2001:db8::1', 0x20010db8000000000000000000000001n],
    ['::', 'ipv6', '::', 0n],
    ['fd10:0:0:1::20', 'ipv6', 'fd10:0:0:1::20', 0xfd100000000000010000000000000020n],
  ])('%s is %s %s', (text, family, canonical, value) => {
    expect(parseIpLiteral(text)).toEqual({ family, text: canonical, value });
  });

  it.each([
    'fe80::1%eth0',
    '10.0.0.1/32',
    ' 10.0.0.1',
    '10.0.0.1\n',
    '10.0.0.1 } ; flush ruleset',
    'nas.local',
    '',
    '10.0.0.256',
    '1.2.3',
  ])('refuses %j', (text) => {
    expect(parseIpLiteral(text)).toBeUndefined();
  });
});

describe('parseNetwork', () => {
  it.each([
    ['10.10.0.5/24', 'ipv4', '10.10.0.0/24', 24, 0x0a0a0000n],
    ['10.10.0.5', 'ipv4', '10.10.0.5', 32, 0x0a0a0005n],
    ['10.10.0.5/32', 'ipv4', '10.10.0.5', 32, 0x0a0a0005n],
    ['10.255.255.255/8', 'ipv4', '10.0.0.0/8', 8, 0x0a000000n],
    ['0.0.0.0/0', 'ipv4', '0.0.0.0/0', 0, 0n],
    ['203.0.113.77/0', 'ipv4', '0.0.0.0/0', 0, 0n],
    ['FD10::1/64', 'ipv6', 'fd10::/64', 64, 0xfd100000000000000000000000000000n],
    ['fd10::1/128', 'ipv6', 'fd10::1', 128, 0xfd100000000000000000000000000001n],
    ['fd10::1/100', 'ipv6', 'fd10::/100', 100, 0xfd100000000000000000000000000000n],
  ])('%s is %s %s', (text, family, canonical, bits, base) => {
    expect(parseNetwork(text)).toEqual({ family, text: canonical, bits, base });
  });

  it.each([
    '10.0.0.0/33',
    '10.0.0.0/',
    '10.0.0.0/08',
    '10.0.0.0/ 8',
    '10.0.0.0/8/8',
    '10.0.0.0/-1',
    '10.0.0.0/8 ',
    'fd10::/129',
    'fd10::/1000',
    'x/8',
    'fe80::1%eth0/64',
    '',
  ])('refuses %j', (text) => {
    expect(parseNetwork(text)).toBeUndefined();
  });
});

describe('networks', () => {
  it('knows the width of each family', () => {
    expect(widthOf('ipv4')).toBe(32);
    expect(widthOf('ipv6')).toBe(128);
  });

  it.each([
    ['10.0.0.0/8', '10.255.0.1', true],
    ['10.0.0.0/8', '11.0.0.0', false],
    ['10.0.0.0/8', '9.255.255.255', false],
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.3', '10.1.2.4', false],
    ['0.0.0.0/0', '203.0.113.1', true],
    ['0.0.0.0/0', '::1', false],
    ['fd10::/64', 'fd10::ffff', true],
    ['fd10::/64', 'fd10:0:0:1::', false],
    ['::/0', '10.0.0.1', false],
  ])('%s contains %s: %s', (network, address, expected) => {
    const a = parseIpLiteral(address);
    if (a === undefined) throw new Error('fixture');
    expect(networkContains(net(network), a.family, a.value)).toBe(expected);
  });

  it('orders IPv4 before IPv6, then by address, then the wider prefix first', () => {
    expect(compareNetworks(net('10.0.0.0/8'), net('::/8'))).toBeLessThan(0);
    expect(compareNetworks(net('::/8'), net('10.0.0.0/8'))).toBeGreaterThan(0);
    expect(compareNetworks(net('10.0.0.0/8'), net('9.0.0.0/8'))).toBeGreaterThan(0);
    expect(compareNetworks(net('9.0.0.0/8'), net('10.0.0.0/8'))).toBeLessThan(0);
    expect(compareNetworks(net('10.0.0.0/8'), net('10.0.0.0/16'))).toBeLessThan(0);
    expect(compareNetworks(net('10.0.0.0/16'), net('10.0.0.0/8'))).toBeGreaterThan(0);
    expect(compareNetworks(net('10.0.0.0/8'), net('10.0.0.0/8'))).toBe(0);
  });

  it('collapses: sorted, no duplicates, no network inside another', () => {
    const input = [
      '10.1.0.0/16',
      'fd00::/8',
      '10.0.0.0/8',
      '192.168.1.0/24',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.1.0/24',
      'fd00:1::/64',
      '10.0.0.0/16',
      '192.168.2.0/24',
      '192.168.3.7',
    ].map(net);
    expect(collapseNetworks(input).map((n) => n.text)).toEqual([
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.1.0/24',
      '192.168.2.0/24',
      '192.168.3.7',
      'fd00::/8',
    ]);
  });

  it('keeps an IPv6 network whose value equals an IPv4 one', () => {
    expect(collapseNetworks([net('::/96'), net('0.0.0.0/8')]).map((n) => n.text)).toEqual([
      '0.0.0.0/8',
      '::/96',
    ]);
  });

  it('collapses nothing to nothing', () => {
    expect(collapseNetworks([])).toEqual([]);
  });
});

describe('detectLanRanges', () => {
  const v4 = (cidr: string, extra: Partial<InterfaceEntry> = {}): InterfaceEntry => ({
    address: cidr.split('/')[0] ?? '',
    netmask: '255.255.255.0',
    family: 'IPv4',
    internal: false,
    cidr,
    ...extra,
  });
  const v6 = (cidr: string, extra: Partial<InterfaceEntry> = {}): InterfaceEntry => ({
    address: cidr.split('/')[0] ?? '',
    netmask: 'ffff:ffff:ffff:ffff::',
    family: 'IPv6',
    internal: false,
    cidr,
    ...extra,
  });

  it('finds private and ULA networks, not loopback, link-local, CGNAT, public or the excluded interface', () => {
    expect(
      detectLanRanges(
        {
          lo: [v4('127.0.0.1/8', { internal: true }), v6('::1/128', { internal: true })],
          eth0: [
            v4('192.168.1.10/24'),
            v6('fd12:3456:789a:1::10/64'),
            v6('2001:db8:1::10/64'),
            v6('fe80::1/64'),
          ],
          docker0: [v4('172.17.0.1/16')],
          wwan0: [v4('100.64.12.34/10')],
          eth1: [v4('169.254.3.4/16'), v4('203.0.113.5/24')],
          gatehouse0: [v4('10.8.0.1/24'), v6('fd8a::1/64')],
          gone: undefined,
        },
        ['gatehouse0'],
      ),
    ).toEqual(['172.17.0.0/16', '192.168.1.0/24', 'fd12:3456:789a:1::/64']);
  });

  it('uses the netmask when there is no cidr, and skips a netmask that is not a prefix', () => {
    expect(
      detectLanRanges(
        {
          a: [v4('', { address: '10.1.2.3', netmask: '255.255.0.0', cidr: null })],
          b: [v4('', { address: '192.168.7.3', netmask: '255.0.255.0', cidr: null })],
          c: [v4('', { address: '192.168.8.3', netmask: 'junk', cidr: null })],
          d: [v4('', { address: 'junk', netmask: '255.255.255.0', cidr: null })],
          e: [v6('', { address: 'fd00:1::5', netmask: 'ffff:ffff:ffff:ff00::', cidr: null })],
          f: [v4('', { address: '172.20.1.1', netmask: '0.0.0.0', cidr: null })],
          g: [v4('', { address: '10.2.2.3', netmask: '255.255.0.255', cidr: null })],
          h: [v4('', { address: '10.3.2.3', netmask: '0.255.255.255', cidr: null })],
          i: [v4('192.168.50.1/24', { internal: true })],
        },
        [],
      ),
    ).toEqual(['10.1.0.0/16', 'fd00:1::/56']);
  });

  it('skips host-only prefixes and networks wider than the private space they start in', () => {
    expect(
      detectLanRanges(
        {
          a: [
            v4('10.1.2.3/32'),
            v6('fd00::7/128'),
            v4('10.0.0.1/7'),
            v4('172.32.0.1/16'),
            v4('192.168.1.1/15'),
          ],
          b: [v4('172.31.255.1/24'), v6('fc00::1/7'), v4('10.9.9.9/31')],
        },
        [],
      ),
    ).toEqual(['10.9.9.8/31', '172.31.255.0/24', 'fc00::/7']);
  });

  it('deduplicates and drops networks inside others, across interfaces', () => {
    expect(
      detectLanRanges({ a: [v4('10.0.0.1/8')], b: [v4('10.1.0.1/16')], c: [v4('10.0.0.2/8')] }, ['x']),
    ).toEqual(['10.0.0.0/8']);
  });

  it('finds nothing on a box with only public and excluded addresses', () => {
    expect(detectLanRanges({ eth0: [v4('203.0.113.5/24')], wg0: [v4('10.8.0.1/24')] }, ['wg0'])).toEqual([]);
  });
});

describe('checkServiceHost', () => {
  const lan = ['192.168.1.0/24', 'fd12::/64'];
  const box = ['10.8.0.1', '2001:DB8::1', 'junk'];

  it.each([
    ['192.168.1.20', lan, box],
    ['fd12::20', lan, box],
    ['10.8.0.1', lan, box],
    ['2001:db8::1', lan, box],
    ['2001:db8:0::1', lan, box],
    ['192.168.1.20', ['junk', '192.168.1.0/24'], []],
  ])('accepts %s', (host, ranges, addresses) => {
    expect(checkServiceHost(host, ranges, addresses)).toBeUndefined();
  });

  it.each([
    [
      'nas.local',
      '"nas.local" is not an IP address: a service host must be an IP literal such as 192.168.1.20 or fd00:1::20',
    ],
    [
      '192.168.1.20/32',
      '"192.168.1.20/32" is not an IP address: a service host must be an IP literal such as 192.168.1.20 or fd00:1::20',
    ],
    [
      'fe80::1%eth0',
      '"fe80::1%eth0" is not an IP address: a service host must be an IP literal such as 192.168.1.20 or fd00:1::20',
    ],
    [
      '8.8.8.8',
      "8.8.8.8 is outside the LAN ranges and is not one of this box's addresses (the LAN ranges are 192.168.1.0/24, fd12::/64)",
    ],
    [
      'FD13::1',
      "fd13::1 is outside the LAN ranges and is not one of this box's addresses (the LAN ranges are 192.168.1.0/24, fd12::/64)",
    ],
    [
      '10.8.0.2',
      "10.8.0.2 is outside the LAN ranges and is not one of this box's addresses (the LAN ranges are 192.168.1.0/24, fd12::/64)",
    ],
  ])('refuses %s', (host, reason) => {
    expect(checkServiceHost(host, lan, box)).toBe(reason);
  });

  it('says so when no LAN range is known, and ignores junk ranges in the message', () => {
    expect(checkServiceHost('192.168.1.20', ['junk'], [])).toBe(
      "192.168.1.20 is outside the LAN ranges and is not one of this box's addresses (no LAN ranges are known)",
    );
  });

  it('does not mistake an IPv6 address for an IPv4 range or box address of the same value', () => {
    expect(checkServiceHost('::a00:1', ['10.0.0.0/8'], ['10.0.0.1'])).toMatch(/outside the LAN ranges/);
  });
});

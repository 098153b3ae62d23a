import { describe, expect, it } from 'vitest';
import {
  bogonRanges,
  checkBogon,
  familyOf,
  formatIpv6,
  inCidr,
  isPrivateOrCgnat,
  mostSpecificRange,
  parseCidr,
  toBigInt,
} from './addresses.js';

describe('addresses', () => {
  it.each([
    ['0.0.0.1', 1n],
    ['1.2.3.4', 0x01020304n],
    ['255.255.255.255', 0xffffffffn],
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['2001:db8::2', 0x20010db8000000000000000000000002n],
    ['2001:DB8::A', 0x20010db800000000000000000000000an],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n],
    ['::ffff:1.2.3.4', 0xffff01020304n],
    ['::ffff:10.20.30.40', 0xffff0a141e28n],
    ['64:ff9b::192.0.2.33', 0x0064ff9b0000000000000000c0000221n],
    ['1:2:3:4:5:6:1.2.3.4', 0x00010002000300040005000601020304n],
  ])('toBigInt(%s)', (address, value) => {
    expect(toBigInt(address)).toBe(value);
  });

  // A zone (RFC 4007) names a link, not a part of the address, and may hold dots ("eth0.100" is a VLAN): it is
  // dropped, never read as an embedded IPv4 tail. Such text comes from untrusted answers, so it must not throw.
  it.each([
    ['fe80::1%eth0', (0xfe80n << 112n) | 1n],
    ['fe80::1%eth0.100', (0xfe80n << 112n) | 1n],
    ['1:2:3:4:5:6:7:8%eth0.5', 0x00010002000300040005000600070008n],
    ['2001:db8:1:2:3:4:5:6%vlan.10', 0x20010db8000100020003000400050006n],
    ['::ffff:1.2.3.4%1.2.3.4', 0xffff01020304n],
    ['fe80::%1', 0xfe80n << 112n],
  ])('toBigInt(%s) ignores the zone', (address, value) => {
    expect(toBigInt(address)).toBe(value);
  });

  it.each(['', 'example.net', '1.2.3', '1.2.3.256', '::g', '1.2.3.4/32'])('%j is no address', (text) => {
    expect(familyOf(text)).toBeUndefined();
    expect(toBigInt(text)).toBeUndefined();
  });

  it.each([
    ['1.2.3.4', 'ipv4'],
    ['::1', 'ipv6'],
    ['::ffff:1.2.3.4', 'ipv6'],
  ])('familyOf(%s) = %s', (address, family) => {
    expect(familyOf(address)).toBe(family);
  });

  it.each([
    ['10.0.0.0/8', { family: 'ipv4', base: 0x0a000000n, bits: 8, text: '10.0.0.0/8' }],
    ['1.2.3.4', { family: 'ipv4', base: 0x01020304n, bits: 32, text: '1.2.3.4' }],
    ['0.0.0.0/0', { family: 'ipv4', base: 0n, bits: 0, text: '0.0.0.0/0' }],
    ['1.2.3.4/32', { family: 'ipv4', base: 0x01020304n, bits: 32, text: '1.2.3.4/32' }],
    ['::1', { family: 'ipv6', base: 1n, bits: 128, text: '::1' }],
    ['::/128', { family: 'ipv6', base: 0n, bits: 128, text: '::/128' }],
    ['fe80::/10', { family: 'ipv6', base: 0xfe80n << 112n, bits: 10, text: 'fe80::/10' }],
  ])('parseCidr(%s)', (text, cidr) => {
    expect(parseCidr(text)).toEqual(cidr);
  });

  it.each([
    '1.2.3.4/33',
    '1.2.3.4/-1',
    '1.2.3.4/8.5',
    '1.2.3.4/x',
    '1.2.3.4/8x',
    '1.2.3.4/x8',
    '1.2.3.4/',
    '1.2.3.4/ 8',
    '::/129',
    'nope/8',
    '/8',
    '',
  ])('parseCidr(%j) refuses it', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it.each([
    [[0x2001, 0xdb8, 1, 2, 3, 4, 5, 6], '2001:db8:1:2:3:4:5:6'],
    [[0x2001, 0xdb8, 0, 1, 2, 3, 4, 5], '2001:db8:0:1:2:3:4:5'],
    [[0x2001, 0xdb8, 0, 0, 1, 2, 3, 4], '2001:db8::1:2:3:4'],
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[0, 0, 1, 0, 0, 0, 0, 0], '0:0:1::'],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], '2001:db8::'],
    [[0xfe80, 0, 0, 0, 0xabcd, 0xef01, 0x2345, 0x6789], 'fe80::abcd:ef01:2345:6789'],
    [
      [0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff],
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ],
  ])('formatIpv6(%j) = %s (RFC 5952)', (groups, text) => {
    expect(formatIpv6(groups)).toBe(text);
  });

  it('matches CIDRs by prefix', () => {
    const cgn = parseCidr('100.64.0.0/10');
    expect(cgn && inCidr('100.127.255.255', cgn)).toBe(true);
    expect(cgn && inCidr('100.128.0.0', cgn)).toBe(false);
    const doc6 = parseCidr('2001:db8::/32');
    expect(doc6 && inCidr('2001:db8:10::2', doc6)).toBe(true);
    expect(doc6 && inCidr('2001:db9::1', doc6)).toBe(false);
    expect(doc6 && inCidr('1.2.3.4', doc6)).toBe(false);
  });

  it('never matches across families, even where the numbers line up', () => {
    const low6 = parseCidr('::/96');
    const low4 = parseCidr('0.0.0.0/8');
    expect(low6 && inCidr('0.0.0.1', low6)).toBe(false);
    expect(low4 && inCidr('::1', low4)).toBe(false);
    expect(low4 && inCidr('0.0.0.1', low4)).toBe(true);
  });

  it('every range of the bogon table parses (a typo would silently drop a range)', () => {
    for (const b of bogonRanges) expect(parseCidr(b.cidr), b.cidr).toBeDefined();
  });

  // The README promise: these never count as a public address. Each range at both edges, inside, with its name.
  it.each([
    ['0.0.0.0', '0.0.0.0/8', '"this network"'],
    ['0.255.255.255', '0.0.0.0/8', '"this network"'],
    ['10.0.0.0', '10.0.0.0/8', 'private (RFC 1918)'],
    ['10.255.255.255', '10.0.0.0/8', 'private (RFC 1918)'],
    ['100.64.0.0', '100.64.0.0/10', 'carrier-grade NAT (RFC 6598)'],
    ['100.127.255.255', '100.64.0.0/10', 'carrier-grade NAT (RFC 6598)'],
    ['127.0.0.0', '127.0.0.0/8', 'loopback'],
    ['127.255.255.255', '127.0.0.0/8', 'loopback'],
    ['169.254.0.0', '169.254.0.0/16', 'link-local'],
    ['169.254.255.255', '169.254.0.0/16', 'link-local'],
    ['172.16.0.0', '172.16.0.0/12', 'private (RFC 1918)'],
    ['172.31.255.255', '172.16.0.0/12', 'private (RFC 1918)'],
    ['192.0.0.0', '192.0.0.0/29', 'DS-Lite (RFC 6333)'],
    ['192.0.0.7', '192.0.0.0/29', 'DS-Lite (RFC 6333)'],
    ['192.0.0.8', '192.0.0.0/24', 'IETF protocol assignments'],
    ['192.0.0.255', '192.0.0.0/24', 'IETF protocol assignments'],
    ['192.0.2.0', '192.0.2.0/24', 'documentation (TEST-NET-1)'],
    ['192.0.2.255', '192.0.2.0/24', 'documentation (TEST-NET-1)'],
    ['192.168.0.0', '192.168.0.0/16', 'private (RFC 1918)'],
    ['192.168.255.255', '192.168.0.0/16', 'private (RFC 1918)'],
    ['198.18.0.0', '198.18.0.0/15', 'benchmarking'],
    ['198.19.255.255', '198.18.0.0/15', 'benchmarking'],
    ['198.51.100.0', '198.51.100.0/24', 'documentation (TEST-NET-2)'],
    ['198.51.100.255', '198.51.100.0/24', 'documentation (TEST-NET-2)'],
    ['203.0.113.0', '203.0.113.0/24', 'documentation (TEST-NET-3)'],
    ['203.0.113.255', '203.0.113.0/24', 'documentation (TEST-NET-3)'],
    ['224.0.0.0', '224.0.0.0/4', 'multicast'],
    ['239.255.255.255', '224.0.0.0/4', 'multicast'],
    ['240.0.0.0', '240.0.0.0/4', 'reserved'],
    ['255.255.255.255', '240.0.0.0/4', 'reserved'],
    ['::', '::/128', 'unspecified'],
    ['::1', '::1/128', 'loopback'],
    ['::ffff:0.0.0.0', '::ffff:0:0/96', 'IPv4-mapped'],
    ['::ffff:8.8.8.8', '::ffff:0:0/96', 'IPv4-mapped'],
    ['::ffff:255.255.255.255', '::ffff:0:0/96', 'IPv4-mapped'],
    ['64:ff9b::', '64:ff9b::/96', 'NAT64'],
    ['64:ff9b::8.8.8.8', '64:ff9b::/96', 'NAT64'],
    ['64:ff9b::ffff:ffff', '64:ff9b::/96', 'NAT64'],
    ['64:ff9b:1::', '64:ff9b:1::/48', 'NAT64 (local use, RFC 8215)'],
    ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '64:ff9b:1::/48', 'NAT64 (local use, RFC 8215)'],
    ['100::', '100::/64', 'discard-only'],
    ['100::ffff:ffff:ffff:ffff', '100::/64', 'discard-only'],
    ['2001:db8::', '2001:db8::/32', 'documentation'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32', 'documentation'],
    ['fc00::', 'fc00::/7', 'unique local (ULA)'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fc00::/7', 'unique local (ULA)'],
    ['fe80::', 'fe80::/10', 'link-local'],
    ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::/10', 'link-local'],
    ['ff00::', 'ff00::/8', 'multicast'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ff00::/8', 'multicast'],
    ['not-an-ip', 'not-an-ip', 'not an IP address'],
    ['2606:4700::1111%eth0', '2606:4700::1111%eth0', 'zoned (scoped to one link)'],
    ['fe80::1%eth0.100', 'fe80::1%eth0.100', 'zoned (scoped to one link)'],
    ['1:2:3:4:5:6:7:8%eth0.5', '1:2:3:4:5:6:7:8%eth0.5', 'zoned (scoped to one link)'],
    ['2001:db8:1:2:3:4:5:6%vlan.10', '2001:db8:1:2:3:4:5:6%vlan.10', 'zoned (scoped to one link)'],
  ])('%s never counts (%s, %s)', (address, range, name) => {
    expect(checkBogon(address)).toEqual({ bogon: true, range, name });
  });

  // Just outside each range: a public address.
  it.each([
    '1.0.0.0',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '191.255.255.255',
    '192.0.1.0',
    '192.0.1.255',
    '192.0.3.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '198.51.99.255',
    '198.51.101.0',
    '203.0.112.255',
    '203.0.114.0',
    '223.255.255.255',
    '1.1.1.1',
    '8.8.8.8',
    '::2',
    '::fffe:ffff:ffff',
    '::1:0:0:0',
    '64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff',
    '64:ff9b::1:0:0',
    '64:ff9b:0:ffff:ffff:ffff:ffff:ffff',
    '64:ff9b:2::',
    'ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '100:0:0:1::',
    '2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
    '2001:db9::',
    'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'fe00::',
    'fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    'fec0::',
    'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    '2606:4700::1111',
    '2a00:1450::1',
  ])('%s is public', (address) => {
    expect(checkBogon(address)).toEqual({ bogon: false });
  });

  describe('mostSpecificRange', () => {
    const range = (cidr: string, name = cidr) => {
      const parsed = parseCidr(cidr);
      if (!parsed) throw new Error(`${cidr} does not parse`);
      return { cidr, name, parsed };
    };
    const wide = range('10.0.0.0/8');
    const narrow = range('10.1.0.0/16');
    const other = range('192.168.0.0/16');

    it.each([
      ['wide first', [wide, narrow, other]],
      ['narrow first', [narrow, wide, other]],
      ['the other range last', [other, narrow, wide]],
    ])('the most specific range wins, whatever the order (%s)', (_, ranges) => {
      expect(mostSpecificRange('10.1.2.3', ranges)).toBe(narrow);
      expect(mostSpecificRange('10.2.0.1', ranges)).toBe(wide);
      expect(mostSpecificRange('192.168.0.1', ranges)).toBe(other);
      expect(mostSpecificRange('11.0.0.1', ranges)).toBeUndefined();
    });

    it('on a tie the first listed wins', () => {
      const first = range('10.0.0.0/8', 'first');
      const second = range('10.0.0.0/8', 'second');
      expect(mostSpecificRange('10.0.0.1', [first, second])).toBe(first);
      expect(mostSpecificRange('10.0.0.1', [second, first])).toBe(second);
    });
  });

  it('configured public ranges exempt a range, and only that range', () => {
    expect(checkBogon('203.0.113.2', ['203.0.113.0/24'])).toEqual({ bogon: false });
    expect(checkBogon('2001:db8:10::2', ['2001:db8::/32'])).toEqual({ bogon: false });
    expect(checkBogon('100.64.0.2', ['203.0.113.0/24'])).toMatchObject({
      bogon: true,
      range: '100.64.0.0/10',
    });
    expect(checkBogon('198.51.100.1', ['not a range', '198.51.100.0/25'])).toEqual({ bogon: false });
    expect(checkBogon('198.51.100.128', ['198.51.100.0/25'])).toMatchObject({ bogon: true });
    expect(checkBogon('not-an-ip', ['0.0.0.0/0'])).toMatchObject({ bogon: true, name: 'not an IP address' });
  });

  it.each([
    ['100.64.0.1', 'cgnat'],
    ['10.20.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['192.0.0.1', undefined],
    ['203.0.113.1', undefined],
    ['8.8.8.8', undefined],
    ['not-an-ip', undefined],
    ['fd00::1%eth0.5', undefined],
  ])('isPrivateOrCgnat(%s) = %s', (address, space) => {
    expect(isPrivateOrCgnat(address)).toBe(space);
  });
});

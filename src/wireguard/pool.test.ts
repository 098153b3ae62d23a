import { describe, expect, it } from 'vitest';
import {
  allocateAddress,
  checkPool,
  formatAddress,
  inPool,
  interfaceAddress,
  poolOverlaps,
  serverAddress,
} from './pool.js';

function allocated(pool: string, taken: readonly string[] = []): string {
  const r = allocateAddress(pool, taken);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('pool', () => {
  it.each([
    ['10.8.0.0/24', '10.8.0.1', '10.8.0.1/24'],
    ['10.8.0.5/24', '10.8.0.1', '10.8.0.1/24'],
    ['100.64.0.0/10', '100.64.0.1', '100.64.0.1/10'],
    ['192.168.255.252/30', '192.168.255.253', '192.168.255.253/30'],
    ['fd8a:1b2c:3d4e::/64', 'fd8a:1b2c:3d4e::1', 'fd8a:1b2c:3d4e::1/64'],
    ['fd8a:1b2c:3d4e:0:ffff::/80', 'fd8a:1b2c:3d4e:0:ffff::1', 'fd8a:1b2c:3d4e:0:ffff::1/80'],
  ])('the server of %s is %s (%s)', (pool, address, withPrefix) => {
    expect(serverAddress(pool)).toBe(address);
    expect(interfaceAddress(pool)).toBe(withPrefix);
  });

  it.each(['10.8.0.1', 'nonsense', '10.8.0.0/33', ''])('serverAddress(%j) throws: not a range', (pool) => {
    expect(() => serverAddress(pool)).toThrow(
      new RangeError('the WireGuard pool is not an address range (address/prefix)'),
    );
    expect(() => interfaceAddress(pool)).toThrow(RangeError);
  });

  it.each([
    [0n, 'ipv4', '0.0.0.0'],
    [0x0a080001n, 'ipv4', '10.8.0.1'],
    [0xffffffffn, 'ipv4', '255.255.255.255'],
    [0xc0a80102n, 'ipv4', '192.168.1.2'],
    [1n, 'ipv6', '::1'],
    [0xfd8a1b2c3d4e00000000000000000002n, 'ipv6', 'fd8a:1b2c:3d4e::2'],
    [0x00010002000300040005000600070008n, 'ipv6', '1:2:3:4:5:6:7:8'],
    [(1n << 128n) - 1n, 'ipv6', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
  ] as const)('formatAddress(%s, %s) = %s', (value, family, text) => {
    expect(formatAddress(value, family)).toBe(text);
  });

  it.each([
    ['10.8.0.0/24', [], '10.8.0.2'],
    ['10.8.0.0/24', ['10.8.0.2'], '10.8.0.3'],
    ['10.8.0.0/24', ['10.8.0.2/32', '10.8.0.4'], '10.8.0.3'],
    ['10.8.0.0/24', ['10.8.0.3', '10.8.0.2'], '10.8.0.4'],
    // Addresses of the other family, outside the pool or unreadable do not take anything.
    ['10.8.0.0/24', ['fd8a::2', '10.9.0.2', 'junk', ''], '10.8.0.2'],
    // An IPv6 address whose value is that of a pool address (::10.8.0.2) is still of the other family.
    ['10.8.0.0/24', ['::10.8.0.2', '::a08:3'], '10.8.0.2'],
    ['::/120', ['0.0.0.2', '0.0.0.3/32'], '::2'],
    ['10.8.0.0/24', ['10.8.0.1'], '10.8.0.2'],
    ['10.8.0.77/24', [], '10.8.0.2'],
    ['10.8.0.0/30', [], '10.8.0.2'],
    ['10.8.1.0/23', Array.from({ length: 254 }, (_, i) => `10.8.0.${i + 2}`), '10.8.1.0'],
    ['fd8a:1b2c:3d4e::/64', [], 'fd8a:1b2c:3d4e::2'],
    ['fd8a:1b2c:3d4e::/64', ['fd8a:1b2c:3d4e::2/128', 'FD8A:1B2C:3D4E:0::3'], 'fd8a:1b2c:3d4e::4'],
    ['fd8a:1b2c:3d4e::/64', ['10.8.0.2'], 'fd8a:1b2c:3d4e::2'],
    // IPv6 has no broadcast: the last address of a /126 is a host.
    ['fd8a::/126', ['fd8a::2'], 'fd8a::3'],
  ])('allocateAddress(%s, %j) = %s', (pool, taken, address) => {
    expect(allocated(pool, taken)).toBe(address);
  });

  it.each([
    ['10.8.0.0/30', ['10.8.0.2']],
    ['10.8.0.0/31', []],
    ['10.8.0.1/32', []],
    ['10.8.0.0/29', ['10.8.0.2', '10.8.0.3', '10.8.0.4', '10.8.0.5', '10.8.0.6']],
    ['fd8a::/126', ['fd8a::2', 'fd8a::3']],
    ['fd8a::/127', []],
  ])('%s with %j is full', (pool, taken) => {
    expect(allocateAddress(pool, taken)).toEqual({
      ok: false,
      error: {
        code: 'wireguard.pool-full',
        message: `the address pool ${pool} is full: every peer address is taken; choose a larger pool (a shorter prefix) or remove a peer`,
      },
    });
  });

  it.each(['10.8.0.0', '10.8.0.0/33', 'junk/24', ''])(
    'allocateAddress(%j) refuses an unreadable pool',
    (pool) => {
      expect(allocateAddress(pool, [])).toEqual({
        ok: false,
        error: { code: 'wireguard.bad-pool', message: `"${pool}" is not an address range` },
      });
    },
  );

  it('never hands out the network, server or broadcast address of a /24, and fills it exactly', () => {
    const taken: string[] = [];
    for (;;) {
      const r = allocateAddress('10.8.0.0/24', taken);
      if (!r.ok) break;
      taken.push(r.value);
    }
    expect(taken).toHaveLength(253);
    expect(taken).not.toContain('10.8.0.0');
    expect(taken).not.toContain('10.8.0.1');
    expect(taken).not.toContain('10.8.0.255');
    expect(taken.at(-1)).toBe('10.8.0.254');
  });

  it('reuses a freed address and allocates the 1001st of a /16 (one pass over the taken list)', () => {
    const taken = Array.from({ length: 1000 }, (_, i) => `10.8.${(i + 2) >> 8}.${(i + 2) & 255}`);
    expect(allocated('10.8.0.0/16', taken)).toBe('10.8.3.234');
    expect(
      allocated(
        '10.8.0.0/16',
        taken.filter((t) => t !== '10.8.1.7'),
      ),
    ).toBe('10.8.1.7');
  });

  it.each([
    ['10.8.0.2', '10.8.0.0/24', true],
    ['10.8.0.255', '10.8.0.0/24', true],
    ['10.8.1.0', '10.8.0.0/24', false],
    ['fd8a::2', '10.8.0.0/24', false],
    ['fd8a::2', 'fd8a::/64', true],
    ['fd8b::2', 'fd8a::/64', false],
    ['10.8.0.2', '10.8.0.2', false],
    ['10.8.0.2', 'junk/24', false],
    ['junk', '10.8.0.0/24', false],
  ])('inPool(%s, %s) = %s', (address, pool, inside) => {
    expect(inPool(address, pool)).toBe(inside);
  });

  it.each([
    ['10.8.0.0/24', 'ipv4', undefined],
    ['10.0.0.0/16', 'ipv4', undefined],
    ['172.16.0.0/30', 'ipv4', undefined],
    ['172.31.255.0/24', 'ipv4', undefined],
    ['192.168.0.0/16', 'ipv4', undefined],
    ['100.64.0.0/16', 'ipv4', undefined],
    ['100.127.255.0/24', 'ipv4', undefined],
    ['fd8a:1b2c:3d4e::/64', 'ipv6', undefined],
    ['fc00::/48', 'ipv6', undefined],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120', 'ipv6', undefined],
    ['10.8.0.0', 'ipv4', '"10.8.0.0" is not an IPv4 range written as address/prefix'],
    ['junk', 'ipv4', '"junk" is not an IPv4 range written as address/prefix'],
    ['fd8a::/64', 'ipv4', '"fd8a::/64" is not an IPv4 range written as address/prefix'],
    ['10.8.0.0/24', 'ipv6', '"10.8.0.0/24" is not an IPv6 range written as address/prefix'],
    ['10.0.0.0/15', 'ipv4', "the IPv4 pool's prefix must be /16 to /30, not /15"],
    ['10.8.0.0/31', 'ipv4', "the IPv4 pool's prefix must be /16 to /30, not /31"],
    ['fd8a::/47', 'ipv6', "the IPv6 pool's prefix must be /48 to /120, not /47"],
    ['fd8a::/121', 'ipv6', "the IPv6 pool's prefix must be /48 to /120, not /121"],
    ['10.8.0.1/24', 'ipv4', 'write the pool as its network address: 10.8.0.0/24'],
    ['fd8a::1/64', 'ipv6', 'write the pool as its network address: fd8a::/64'],
    [
      '198.51.100.0/24',
      'ipv4',
      'the IPv4 pool must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10, not 198.51.100.0/24',
    ],
    [
      '172.32.0.0/24',
      'ipv4',
      'the IPv4 pool must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10, not 172.32.0.0/24',
    ],
    [
      '100.128.0.0/24',
      'ipv4',
      'the IPv4 pool must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10, not 100.128.0.0/24',
    ],
    [
      '2001:db8::/64',
      'ipv6',
      'the IPv6 pool must be a unique local range (fc00::/7, e.g. fd12:3456:789a::/64), not 2001:db8::/64',
    ],
    [
      'fe00::/64',
      'ipv6',
      'the IPv6 pool must be a unique local range (fc00::/7, e.g. fd12:3456:789a::/64), not fe00::/64',
    ],
  ] as const)('checkPool(%s, %s)', (pool, family, why) => {
    expect(checkPool(pool, family)).toBe(why);
  });

  it.each([
    ['10.8.0.0/24', [], undefined],
    ['10.8.0.0/24', ['192.168.1.0/24', 'fd8a::/64', 'junk', '10.8.1.0/24', '10.7.255.0/24'], undefined],
    [
      '10.8.0.0/24',
      ['192.168.1.0/24', '10.0.0.0/8'],
      'the tunnel pool 10.8.0.0/24 overlaps the LAN range 10.0.0.0/8: choose a pool outside the LAN',
    ],
    [
      '10.8.0.0/16',
      ['10.8.5.0/24'],
      'the tunnel pool 10.8.0.0/16 overlaps the LAN range 10.8.5.0/24: choose a pool outside the LAN',
    ],
    [
      '10.8.0.0/24',
      ['10.8.0.255/32'],
      'the tunnel pool 10.8.0.0/24 overlaps the LAN range 10.8.0.255/32: choose a pool outside the LAN',
    ],
    [
      '10.8.0.0/24',
      ['10.8.0.0/32'],
      'the tunnel pool 10.8.0.0/24 overlaps the LAN range 10.8.0.0/32: choose a pool outside the LAN',
    ],
    [
      '10.8.0.0/24',
      ['10.8.0.0/24', '10.0.0.0/8'],
      'the tunnel pool 10.8.0.0/24 overlaps the LAN range 10.8.0.0/24: choose a pool outside the LAN',
    ],
    [
      'fd8a::/64',
      ['10.8.0.0/24', 'fd8a::/48'],
      'the tunnel pool fd8a::/64 overlaps the LAN range fd8a::/48: choose a pool outside the LAN',
    ],
    ['junk', ['10.0.0.0/8'], undefined],
    // An IPv6 range covering the pool's values as numbers (::/96 holds ::10.8.0.0) is of the other family.
    ['10.8.0.0/24', ['::/96', '::/0'], undefined],
    ['::/120', ['0.0.0.0/0'], undefined],
    ['10.8.0.0', ['10.0.0.0/8'], undefined],
  ])('poolOverlaps(%s, %j)', (pool, ranges, message) => {
    expect(poolOverlaps(pool, ranges)).toBe(message);
  });
});

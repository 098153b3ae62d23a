import { describe, expect, it } from 'vitest';
import { aggregateCidrs, clientAllowedIps } from './allowed-ips.js';

describe('aggregateCidrs', () => {
  it.each([
    [[], []],
    [['10.0.0.5'], ['10.0.0.5/32']],
    [['10.0.0.5/24'], ['10.0.0.0/24']],
    [['fd8a::5'], ['fd8a::5/128']],
    [['FD8A:0::5/64'], ['fd8a::/64']],
    // duplicates and contained blocks
    [['10.0.0.1', '10.0.0.1'], ['10.0.0.1/32']],
    // the same network address, different sizes, in either order
    [['10.0.0.0/25', '10.0.0.0/24'], ['10.0.0.0/24']],
    [['10.0.0.0/24', '10.0.0.0/25'], ['10.0.0.0/24']],
    [
      ['10.0.0.0/32', '10.0.0.0/30', '10.0.0.0/31', '10.0.0.4'],
      ['10.0.0.0/30', '10.0.0.4/32'],
    ],
    [
      ['10.0.0.4', '10.0.0.0/31', '10.0.0.0/30', '10.0.0.0/32'],
      ['10.0.0.0/30', '10.0.0.4/32'],
    ],
    [['fd8a::/64', 'fd8a::/48', 'fd8a::/56'], ['fd8a::/48']],
    [['10.0.0.0/24', '10.0.0.7'], ['10.0.0.0/24']],
    [['10.0.0.7', '10.0.0.0/24'], ['10.0.0.0/24']],
    [['10.0.0.255', '10.0.0.0/24'], ['10.0.0.0/24']],
    [
      ['10.0.1.0', '10.0.0.0/24'],
      ['10.0.0.0/24', '10.0.1.0/32'],
    ],
    [['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24'], ['10.0.0.0/8']],
    [['0.0.0.0/0', '10.0.0.1', '192.168.1.0/24'], ['0.0.0.0/0']],
    [
      ['::/0', 'fd8a::1', '10.0.0.1'],
      ['10.0.0.1/32', '::/0'],
    ],
    // adjacent siblings merge, repeatedly
    [['10.0.0.0', '10.0.0.1'], ['10.0.0.0/31']],
    [['10.0.0.1', '10.0.0.0'], ['10.0.0.0/31']],
    [['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3'], ['10.0.0.0/30']],
    [['10.0.0.3', '10.0.0.2', '10.0.0.0/31'], ['10.0.0.0/30']],
    [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24']],
    [['0.0.0.0/1', '128.0.0.0/1'], ['0.0.0.0/0']],
    [['::/1', '8000::/1'], ['::/0']],
    [['fd8a::2', 'fd8a::3'], ['fd8a::2/127']],
    // adjacent but not siblings: the lower one is not aligned on a parent
    [
      ['10.0.0.1', '10.0.0.2'],
      ['10.0.0.1/32', '10.0.0.2/32'],
    ],
    [
      ['10.0.0.128/25', '10.0.1.0/25'],
      ['10.0.0.128/25', '10.0.1.0/25'],
    ],
    // same size but not adjacent
    [
      ['10.0.0.0', '10.0.0.2'],
      ['10.0.0.0/32', '10.0.0.2/32'],
    ],
    // adjacent, aligned, different sizes
    [
      ['10.0.0.0/31', '10.0.0.2'],
      ['10.0.0.0/31', '10.0.0.2/32'],
    ],
    // a merge cascades into the previous kept block
    [['10.0.0.0/31', '10.0.0.2', '10.0.0.3'], ['10.0.0.0/30']],
    [['10.0.0.0/30', '10.0.0.4/31', '10.0.0.6', '10.0.0.7'], ['10.0.0.0/29']],
    // families are never merged across and IPv4 comes first
    [
      ['fd8a::1', '10.0.0.1'],
      ['10.0.0.1/32', 'fd8a::1/128'],
    ],
    [
      ['255.255.255.255', '::'],
      ['255.255.255.255/32', '::/128'],
    ],
    [
      ['::ffff:0:0/96', '0.0.0.0/0'],
      ['0.0.0.0/0', '::ffff:0:0/96'],
    ],
    // numeric order, not text order
    [
      ['10.0.0.10', '10.0.0.9', '9.0.0.0/8'],
      ['9.0.0.0/8', '10.0.0.9/32', '10.0.0.10/32'],
    ],
    [
      ['fd8a::10', 'fd8a::9', 'fd8a::a'],
      ['fd8a::9/128', 'fd8a::a/128', 'fd8a::10/128'],
    ],
  ])('%j → %j', (input, output) => {
    expect(aggregateCidrs(input)).toEqual(output);
  });

  it('aggregates a whole /24 given host by host', () => {
    const hosts = Array.from({ length: 256 }, (_, i) => `10.9.8.${255 - i}`);
    expect(aggregateCidrs(hosts)).toEqual(['10.9.8.0/24']);
    expect(aggregateCidrs(hosts.slice(1))).toEqual([
      '10.9.8.0/25',
      '10.9.8.128/26',
      '10.9.8.192/27',
      '10.9.8.224/28',
      '10.9.8.240/29',
      '10.9.8.248/30',
      '10.9.8.252/31',
      '10.9.8.254/32',
    ]);
  });

  it.each(['junk', '10.0.0.0/33', '', '10.0.0.0/'])('refuses %j', (text) => {
    expect(() => aggregateCidrs(['10.0.0.1', text])).toThrow(
      new RangeError(`not an address or CIDR: ${JSON.stringify(text)}`),
    );
  });
});

describe('clientAllowedIps', () => {
  const base = {
    serviceHosts: ['192.168.1.20', '192.168.1.21', '192.168.1.10', 'fd00:1::5'],
    lanRanges: ['192.168.1.0/24', '192.168.0.0/24', 'fd00:1::/64'],
    serverAddresses: ['10.8.0.1', 'fd8a::1/64'],
  };
  it.each([
    ['services', true, ['10.8.0.1/32', '192.168.1.10/32', '192.168.1.20/31', 'fd00:1::5/128', 'fd8a::1/128']],
    [
      'services',
      false,
      ['10.8.0.1/32', '192.168.1.10/32', '192.168.1.20/31', 'fd00:1::5/128', 'fd8a::1/128'],
    ],
    ['lan', true, ['10.8.0.1/32', '192.168.0.0/23', 'fd00:1::/64', 'fd8a::1/128']],
    ['full', true, ['0.0.0.0/0', '::/0']],
    ['full', false, ['0.0.0.0/0']],
  ] as const)('%s (ipv6 %s)', (mode, ipv6, output) => {
    expect(clientAllowedIps({ ...base, mode, ipv6 })).toEqual(output);
  });

  it('services with no grant route only the server; a host given with a prefix is still one host', () => {
    expect(clientAllowedIps({ ...base, serviceHosts: [], mode: 'services', ipv6: false })).toEqual([
      '10.8.0.1/32',
      'fd8a::1/128',
    ]);
    expect(
      clientAllowedIps({
        ...base,
        serviceHosts: ['192.168.1.7/24'],
        serverAddresses: ['10.8.0.1/24'],
        mode: 'services',
        ipv6: false,
      }),
    ).toEqual(['10.8.0.1/32', '192.168.1.7/32']);
    expect(
      clientAllowedIps({
        ...base,
        lanRanges: [],
        serverAddresses: ['10.8.0.1/24'],
        mode: 'lan',
        ipv6: false,
      }),
    ).toEqual(['10.8.0.1/32']);
  });
});

import { describe, expect, it } from 'vitest';
import {
  configFacts,
  effectiveServiceIds,
  formatEndpoint,
  outdatedReasons,
  serverTunnelAddresses,
  type ConfigContext,
  type ConfigFacts,
} from './peer-config.js';

const services = [{ id: 's1' }, { id: 's2' }, { id: 's3' }];

describe('effectiveServiceIds', () => {
  it.each([
    [
      'direct grants',
      { id: 'p', groups: [] },
      [{ subject: { kind: 'peer', peerId: 'p' }, serviceId: 's2' }],
      ['s2'],
    ],
    [
      'another peer’s grant',
      { id: 'p', groups: [] },
      [{ subject: { kind: 'peer', peerId: 'q' }, serviceId: 's2' }],
      [],
    ],
    [
      'through a group it is in',
      { id: 'p', groups: ['family'] },
      [{ subject: { kind: 'group', group: 'family' }, serviceId: 's3' }],
      ['s3'],
    ],
    [
      'not through a group it is not in',
      { id: 'p', groups: ['kids'] },
      [{ subject: { kind: 'group', group: 'family' }, serviceId: 's3' }],
      [],
    ],
    [
      'both, once each, in catalog order',
      { id: 'p', groups: ['family'] },
      [
        { subject: { kind: 'group', group: 'family' }, serviceId: 's3' },
        { subject: { kind: 'peer', peerId: 'p' }, serviceId: 's1' },
        { subject: { kind: 'peer', peerId: 'p' }, serviceId: 's3' },
      ],
      ['s1', 's3'],
    ],
    [
      'a grant of a removed service',
      { id: 'p', groups: [] },
      [{ subject: { kind: 'peer', peerId: 'p' }, serviceId: 'gone' }],
      [],
    ],
  ] as const)('%s', (_name, peer, grants, expected) => {
    expect(effectiveServiceIds(peer, grants, services)).toEqual(expected);
  });
});

const ctx: ConfigContext = {
  pool: { ipv4: '10.8.0.0/24', ipv6: null },
  lanRanges: ['192.168.1.0/24'],
  dns: ['192.168.1.1'],
  persistentKeepalive: 0,
  mtu: null,
};

describe('configFacts', () => {
  it('services: the granted hosts and the box; the interface defaults', () => {
    expect(
      configFacts(
        { tunnel: 'services', dns: null, persistentKeepalive: null },
        ['192.168.1.20'],
        { host: 'home.example.test', port: 51820 },
        'server-key',
        ctx,
      ),
    ).toEqual({
      endpoint: 'home.example.test:51820',
      allowedIps: ['10.8.0.1/32', '192.168.1.20/32'],
      dns: ['192.168.1.1'],
      persistentKeepalive: 0,
      serverPublicKey: 'server-key',
    });
  });

  it('the peer’s own DNS and keepalive win; lan and full tunnels; IPv6 pool', () => {
    const own = { dns: ['9.9.9.9'], persistentKeepalive: 25 };
    const lan = configFacts({ tunnel: 'lan', ...own }, [], { host: '203.0.113.2', port: 4500 }, 'k', ctx);
    expect(lan).toMatchObject({
      endpoint: '203.0.113.2:4500',
      allowedIps: ['10.8.0.1/32', '192.168.1.0/24'],
      dns: ['9.9.9.9'],
      persistentKeepalive: 25,
    });
    const v6 = { ...ctx, pool: { ipv4: '10.8.0.0/24', ipv6: 'fd8a:1::/64' } };
    expect(
      configFacts({ tunnel: 'full', ...own }, [], { host: '2001:db8::2', port: 51820 }, 'k', v6),
    ).toMatchObject({
      endpoint: '[2001:db8::2]:51820',
      allowedIps: ['0.0.0.0/0', '::/0'],
    });

    expect(
      configFacts({ tunnel: 'full', ...own }, [], { host: '203.0.113.2', port: 51820 }, 'k', ctx).allowedIps,
    ).toEqual(['0.0.0.0/0']);
  });
});

describe('serverTunnelAddresses and formatEndpoint', () => {
  it('one address per family of the pool', () => {
    expect(serverTunnelAddresses({ ipv4: '10.8.0.0/24', ipv6: null })).toEqual(['10.8.0.1']);
    expect(serverTunnelAddresses({ ipv4: '10.8.0.0/24', ipv6: 'fd8a:1::/64' })).toEqual([
      '10.8.0.1',
      'fd8a:1::1',
    ]);
  });
  it('brackets only IPv6 literals', () => {
    expect(formatEndpoint({ host: 'home.example.test', port: 1 })).toBe('home.example.test:1');
    expect(formatEndpoint({ host: '2001:db8::1', port: 2 })).toBe('[2001:db8::1]:2');
  });
});

describe('outdatedReasons', () => {
  const facts: ConfigFacts = {
    endpoint: 'home.example.test:51820',
    allowedIps: ['10.8.0.1/32'],
    dns: [],
    persistentKeepalive: 0,
    serverPublicKey: 'k1',
  };
  it('never shown: nothing on a device, nothing outdated', () => {
    expect(outdatedReasons(null, facts)).toEqual([]);
  });
  it('the same: current', () => {
    expect(outdatedReasons(facts, { ...facts, allowedIps: [...facts.allowedIps] })).toEqual([]);
    const two = { ...facts, allowedIps: ['10.8.0.1/32', '192.168.1.20/32'], dns: ['1.1.1.1', '9.9.9.9'] };
    expect(outdatedReasons(two, { ...two, allowedIps: [...two.allowedIps], dns: [...two.dns] })).toEqual([]);
  });
  it('each difference in its own words', () => {
    expect(
      outdatedReasons(facts, {
        endpoint: 'home.example.test:4500',
        allowedIps: ['10.8.0.1/32', '192.168.1.20/32'],
        dns: ['192.168.1.1'],
        persistentKeepalive: 25,
        serverPublicKey: 'k2',
      }),
    ).toEqual([
      'the endpoint is now home.example.test:4500 (was home.example.test:51820)',
      'the addresses it routes through the tunnel changed: 10.8.0.1/32, 192.168.1.20/32',
      'the DNS servers changed: 192.168.1.1',
      'the keepalive is now 25 s',
      "the box's public key changed",
    ]);
    expect(outdatedReasons({ ...facts, dns: ['1.1.1.1'] }, facts)).toEqual(['the DNS servers changed: none']);
  });
  it('lists compared element by element, not as one run of text', () => {
    const dns = { ...facts, dns: ['1.1.1.1', '11.1.1.1'] };
    expect(outdatedReasons(dns, { ...facts, dns: ['1.1.1.11', '1.1.1.1'] })).toEqual([
      'the DNS servers changed: 1.1.1.11, 1.1.1.1',
    ]);
    const ips = { ...facts, allowedIps: ['10.8.0.1/32', '10.0.0.0/8'] };
    expect(outdatedReasons(ips, { ...facts, allowedIps: ['10.8.0.1/3', '210.0.0.0/8'] })).toEqual([
      'the addresses it routes through the tunnel changed: 10.8.0.1/3, 210.0.0.0/8',
    ]);
  });
  it('one difference, one reason', () => {
    expect(outdatedReasons(facts, { ...facts, endpoint: '[2001:db8::2]:51820' })).toEqual([
      'the endpoint is now [2001:db8::2]:51820 (was home.example.test:51820)',
    ]);
    expect(outdatedReasons(facts, { ...facts, persistentKeepalive: 25 })).toEqual([
      'the keepalive is now 25 s',
    ]);
    expect(outdatedReasons(facts, { ...facts, serverPublicKey: 'k2' })).toEqual([
      "the box's public key changed",
    ]);
  });
});

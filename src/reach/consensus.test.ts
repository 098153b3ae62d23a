import { describe, expect, it } from 'vitest';
import { decideAddress, independenceGroup, type ConsensusPolicy } from './consensus.js';
import { known, unavailable, type SourceResult } from './types.js';

const policy: ConsensusPolicy = { quorum: 2, trustedSource: null, publicRanges: [] };
const k = (source: string, address: string): SourceResult => known(source, 'ipv4', address);
const u = (source: string): SourceResult => unavailable(source, 'ipv4', 'timeout');

describe('decideAddress', () => {
  it.each<[string, SourceResult[], Partial<ConsensusPolicy>, string, string | undefined]>([
    ['two STUN servers agree', [k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1')], {}, 'accepted', '1.1.1.1'],
    ['one source is not a quorum', [k('stun:a', '1.1.1.1'), u('stun:b')], {}, 'insufficient', undefined],
    ['quorum 1 accepts one source', [k('stun:a', '1.1.1.1')], { quorum: 1 }, 'accepted', '1.1.1.1'],
    [
      'UPnP + NAT-PMP are one router: not independent',
      [k('upnp', '1.1.1.1'), k('natpmp', '1.1.1.1')],
      {},
      'insufficient',
      undefined,
    ],
    [
      'router + STUN are independent',
      [k('upnp', '1.1.1.1'), k('stun:a', '1.1.1.1')],
      {},
      'accepted',
      '1.1.1.1',
    ],
    [
      'a liar is outvoted',
      [k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1'), k('http:liar', '9.9.9.9')],
      {},
      'accepted',
      '1.1.1.1',
    ],
    [
      'a tie publishes nothing',
      [k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1'), k('http:x', '9.9.9.9'), k('dns:y', '9.9.9.9')],
      {},
      'disagreement',
      undefined,
    ],
    [
      'two different single answers disagree',
      [k('stun:a', '1.1.1.1'), k('http:x', '9.9.9.9')],
      {},
      'disagreement',
      undefined,
    ],
    ['bogons never count', [k('stun:a', '10.0.0.1'), k('stun:b', '10.0.0.1')], {}, 'insufficient', undefined],
    [
      'CGNAT space never counts',
      [k('upnp', '100.64.0.2'), k('stun:a', '8.8.8.8'), k('stun:b', '8.8.8.8')],
      {},
      'accepted',
      '8.8.8.8',
    ],
    [
      'documentation range allowed in the test bed',
      [k('stun:a', '203.0.113.2'), k('stun:b', '203.0.113.2')],
      { publicRanges: ['203.0.113.0/24'] },
      'accepted',
      '203.0.113.2',
    ],
    [
      'documentation range refused in production',
      [k('stun:a', '203.0.113.2'), k('stun:b', '203.0.113.2')],
      {},
      'insufficient',
      undefined,
    ],
    [
      'a trusted source decides alone',
      [k('interface', '1.1.1.1')],
      { trustedSource: 'interface' },
      'accepted',
      '1.1.1.1',
    ],
    [
      'a trusted bogon is still refused',
      [k('interface', '192.168.1.2')],
      { trustedSource: 'interface' },
      'insufficient',
      undefined,
    ],
  ])('%s', (_name, results, over, kind, address) => {
    const decision = decideAddress('ipv4', results, { ...policy, ...over });
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'accepted') expect(decision.address).toBe(address);
  });

  it('lists the dissenting source when the majority wins', () => {
    const d = decideAddress(
      'ipv4',
      [k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1'), k('http:liar', '9.9.9.9')],
      policy,
    );
    expect(d.kind === 'accepted' && d.dissent).toEqual([{ source: 'http:liar', address: '9.9.9.9' }]);
  });

  it('explains rejected and unavailable sources', () => {
    const d = decideAddress('ipv4', [k('upnp', '100.64.0.2'), u('stun:a')], policy);
    expect(d).toMatchObject({
      kind: 'insufficient',
      rejected: [{ source: 'upnp', address: '100.64.0.2', reason: 'carrier-grade NAT (RFC 6598) address' }],
      unavailable: [{ source: 'stun:a', reason: 'timeout' }],
    });
  });

  it('ignores answers of the other family', () => {
    const d = decideAddress('ipv6', [k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1')], policy);
    expect(d.kind).toBe('insufficient');
  });

  it('a zoned IPv6 answer (its zone may hold dots) is rejected, not a crash of the whole decision', () => {
    const k6 = (source: string, address: string): SourceResult => known(source, 'ipv6', address);
    const d = decideAddress(
      'ipv6',
      [
        k6('upnp', '2001:db8:1:2:3:4:5:6%vlan.10'),
        k6('http:x', '1:2:3:4:5:6:7:8%eth0.5'),
        k6('push', 'fe80::1%eth0.100'),
        k6('stun:a', '2606:4700::1111'),
      ],
      { ...policy, quorum: 1 },
    );
    expect(d).toMatchObject({
      kind: 'accepted',
      address: '2606:4700::1111',
      rejected: [
        { source: 'upnp', reason: 'zoned (scoped to one link) address' },
        { source: 'http:x', reason: 'zoned (scoped to one link) address' },
        { source: 'push', reason: 'zoned (scoped to one link) address' },
      ],
    });
  });

  it('the best-supported address wins wherever it stands in the answers', () => {
    expect(
      decideAddress('ipv4', [k('http:x', '9.9.9.9'), k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1')], policy),
    ).toEqual({
      kind: 'accepted',
      family: 'ipv4',
      address: '1.1.1.1',
      sources: ['stun:a', 'stun:b'],
      dissent: [{ source: 'http:x', address: '9.9.9.9' }],
      rejected: [],
    });
  });

  it('a tie is a disagreement that lists every answer', () => {
    expect(decideAddress('ipv4', [k('stun:a', '1.1.1.1'), k('http:x', '9.9.9.9')], policy)).toEqual({
      kind: 'disagreement',
      family: 'ipv4',
      answers: [
        { source: 'stun:a', address: '1.1.1.1' },
        { source: 'http:x', address: '9.9.9.9' },
      ],
      rejected: [],
    });
  });

  describe('trustedSource', () => {
    it('a trusted source id decides alone, against a majority; the others are dissent', () => {
      const d = decideAddress(
        'ipv4',
        [k('stun:a', '9.9.9.9'), k('stun:b', '9.9.9.9'), k('http:mine', '1.1.1.1'), k('dns:x', '1.1.1.1')],
        { ...policy, trustedSource: 'http:mine' },
      );
      expect(d).toEqual({
        kind: 'accepted',
        family: 'ipv4',
        address: '1.1.1.1',
        sources: ['http:mine', 'dns:x'],
        dissent: [
          { source: 'stun:a', address: '9.9.9.9' },
          { source: 'stun:b', address: '9.9.9.9' },
        ],
        rejected: [],
      });
    });

    it('an answer that vouches for itself (a trusted push) decides alone; an untrusted one is one vote', () => {
      const push = (address: string, trusted: boolean) =>
        known('push', 'ipv4', address, trusted ? { from: 'dyndns2:fritzbox', trusted: true } : { from: 'x' });
      const results = (trusted: boolean) => [
        k('stun:a', '9.9.9.9'),
        k('stun:b', '9.9.9.9'),
        push('1.1.1.1', trusted),
      ];
      expect(decideAddress('ipv4', results(true), policy)).toEqual({
        kind: 'accepted',
        family: 'ipv4',
        address: '1.1.1.1',
        sources: ['push'],
        dissent: [
          { source: 'stun:a', address: '9.9.9.9' },
          { source: 'stun:b', address: '9.9.9.9' },
        ],
        rejected: [],
      });
      expect(decideAddress('ipv4', results(false), policy)).toMatchObject({
        kind: 'accepted',
        address: '9.9.9.9',
      });
      // Alone and trusted: enough without a quorum. Of another family, or a bogon: not.
      expect(decideAddress('ipv4', [push('1.1.1.1', true)], policy)).toMatchObject({
        kind: 'accepted',
        address: '1.1.1.1',
      });
      expect(decideAddress('ipv4', [{ ...push('1.1.1.1', true), family: 'ipv6' }], policy)).toMatchObject({
        kind: 'insufficient',
      });
      expect(decideAddress('ipv4', [push('10.0.0.1', true)], policy)).toMatchObject({ kind: 'insufficient' });
    });

    it('a trusted id inside a group trusts that source, not its group', () => {
      const d = decideAddress(
        'ipv4',
        [k('stun:a', '9.9.9.9'), k('stun:b', '9.9.9.9'), k('upnp', '1.1.1.1')],
        {
          ...policy,
          trustedSource: 'upnp',
        },
      );
      expect(d).toMatchObject({ kind: 'accepted', address: '1.1.1.1', sources: ['upnp'] });
      const other = decideAddress(
        'ipv4',
        [k('stun:a', '9.9.9.9'), k('stun:b', '9.9.9.9'), k('natpmp', '1.1.1.1')],
        {
          ...policy,
          trustedSource: 'upnp',
        },
      );
      expect(other).toMatchObject({ kind: 'accepted', address: '9.9.9.9' });
    });

    it.each(['upnp', 'natpmp', 'pcp'])('the group "router" trusts %s', (source) => {
      const d = decideAddress('ipv4', [k('stun:a', '9.9.9.9'), k(source, '1.1.1.1')], {
        ...policy,
        trustedSource: 'router',
      });
      expect(d).toMatchObject({ kind: 'accepted', address: '1.1.1.1', sources: [source] });
    });

    it('the group "interface" trusts every interface address', () => {
      const d = decideAddress('ipv4', [k('stun:a', '9.9.9.9'), k('interface:eth0', '1.1.1.1')], {
        ...policy,
        trustedSource: 'interface',
      });
      expect(d).toMatchObject({ kind: 'accepted', address: '1.1.1.1', sources: ['interface:eth0'] });
    });

    it('a trusted source that does not answer leaves the decision to the quorum', () => {
      const results = [k('stun:a', '1.1.1.1'), k('stun:b', '1.1.1.1'), u('upnp')];
      expect(decideAddress('ipv4', results, { ...policy, trustedSource: 'router' })).toMatchObject({
        kind: 'accepted',
        address: '1.1.1.1',
        sources: ['stun:a', 'stun:b'],
      });
      expect(
        decideAddress('ipv4', [k('stun:a', '1.1.1.1'), k('http:x', '9.9.9.9')], {
          ...policy,
          trustedSource: 'router',
        }).kind,
      ).toBe('disagreement');
    });
  });

  describe('the router is one source for the quorum', () => {
    it('UPnP, NAT-PMP and PCP together are one vote', () => {
      const d = decideAddress(
        'ipv4',
        [k('upnp', '1.1.1.1'), k('natpmp', '1.1.1.1'), k('pcp', '1.1.1.1')],
        policy,
      );
      expect(d).toMatchObject({ kind: 'insufficient', agreeing: 1, needed: 2 });
    });

    it('three router protocols do not outvote two independent sources', () => {
      const d = decideAddress(
        'ipv4',
        [
          k('upnp', '9.9.9.9'),
          k('natpmp', '9.9.9.9'),
          k('pcp', '9.9.9.9'),
          k('stun:a', '1.1.1.1'),
          k('stun:b', '1.1.1.1'),
        ],
        policy,
      );
      expect(d).toMatchObject({ kind: 'accepted', address: '1.1.1.1', sources: ['stun:a', 'stun:b'] });
    });

    it('the router and one more source make a quorum of two', () => {
      const d = decideAddress(
        'ipv4',
        [k('natpmp', '1.1.1.1'), k('pcp', '1.1.1.1'), k('dns:x', '1.1.1.1')],
        policy,
      );
      expect(d).toMatchObject({ kind: 'accepted', address: '1.1.1.1', sources: ['natpmp', 'pcp', 'dns:x'] });
    });
  });

  it.each([
    ['upnp', 'router'],
    ['upnp:wan', 'router'],
    ['upnpx', 'upnpx'],
    ['http:pcp.example.net', 'http:pcp.example.net'],
    ['stun:stun.upnp:3478', 'stun:stun.upnp:3478'],
    ['natpmp', 'router'],
    ['pcp', 'router'],
    ['interface:eth0', 'interface'],
    ['stun:stun.example.net:3478', 'stun:stun.example.net:3478'],
  ])('independenceGroup(%s) = %s', (source, group) => {
    expect(independenceGroup(source)).toBe(group);
  });
});

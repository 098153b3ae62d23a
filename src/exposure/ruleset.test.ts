import { describe, expect, it } from 'vitest';
import type { GrantSpec, PeerSpec, ServiceSpec } from '../wireguard/model.js';
import {
  buildRuleset,
  checkInterfaceName,
  dropCounters,
  flowSetName,
  hitsOfFlow,
  lanSetName,
  tunnelDropCounters,
  type ElementHits,
  type Flow,
  type Ruleset,
  type RulesetInput,
} from './ruleset.js';

const peer = (id: string, ipv4: string, extra: Partial<PeerSpec> = {}): PeerSpec => ({
  id,
  name: `peer ${id}`,
  groups: [],
  publicKey: `${id}-public-key`,
  keyMode: 'kept',
  ipv4,
  ipv6: null,
  enabled: true,
  expiresAt: null,
  dns: null,
  persistentKeepalive: null,
  tunnel: 'services',
  ...extra,
});

const service = (
  id: string,
  host: string,
  portFrom: number,
  portTo = portFrom,
  protocol: 'tcp' | 'udp' = 'tcp',
): ServiceSpec => ({ id, name: `service ${id}`, host, protocol, portFrom, portTo, webUrl: null });

const toPeer = (peerId: string, serviceId: string): GrantSpec => ({
  subject: { kind: 'peer', peerId },
  serviceId,
});
const toGroup = (group: string, serviceId: string): GrantSpec => ({
  subject: { kind: 'group', group },
  serviceId,
});

const base: RulesetInput = {
  interfaceName: 'wg0',
  peers: [],
  services: [],
  grants: [],
  lanRanges: ['192.168.1.0/24', 'fd12::/64'],
  boxAddresses: ['10.8.0.1', '192.168.1.2'],
  masquerade: true,
};

function build(input: Partial<RulesetInput>): Ruleset {
  const r = buildRuleset({ ...base, ...input });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function refusal(input: Partial<RulesetInput>) {
  const r = buildRuleset({ ...base, ...input });
  return r.ok ? undefined : r.error;
}

/** The elements of one set in the script, in order. */
function elementsOf(script: string, set: string): string[] {
  const block = new RegExp(`\\tset ${set} \\{\\n([\\s\\S]*?)\\n\\t\\}`).exec(script)?.[1] ?? '';
  const match = /elements = \{ ([\s\S]*) \}/.exec(block);
  return match?.[1] === undefined ? [] : match[1].split(/,\n\t\t\t {5}/);
}

describe('buildRuleset: the script', () => {
  it('renders the whole table (golden)', () => {
    const { script } = build({
      peers: [peer('a', '10.8.0.2', { ipv6: 'fd8a::2', groups: ['family'] })],
      services: [
        service('nas', '192.168.1.20', 5000, 5001),
        service('dns', 'fd12::53', 53, 53, 'udp'),
        service('ui', '192.168.1.2', 8443),
      ],
      grants: [toGroup('family', 'nas'), toPeer('a', 'dns'), toPeer('a', 'ui')],
    });
    expect(script).toBe(`table inet gatehouse
delete table inet gatehouse
table inet gatehouse {
	counter forward_drop {
		comment "gatehouse: from the tunnel, not granted (forward)"
	}

	counter input_drop {
		comment "gatehouse: from the tunnel to the box, not granted"
	}

	counter peer_drop {
		comment "gatehouse: peer to peer"
	}

	counter invalid_drop {
		comment "gatehouse: invalid conntrack state from the tunnel"
	}

	counter to_peer_drop {
		comment "gatehouse: connection opened towards a peer"
	}

	set forward_v4 {
		type ipv4_addr . ipv4_addr . inet_proto . inet_service
		flags interval
		counter
		elements = { 10.8.0.2 . 192.168.1.20 . tcp . 5000-5001 }
	}

	set forward_v6 {
		type ipv6_addr . ipv6_addr . inet_proto . inet_service
		flags interval
		counter
		elements = { fd8a::2 . fd12::53 . udp . 53 }
	}

	set input_v4 {
		type ipv4_addr . ipv4_addr . inet_proto . inet_service
		flags interval
		counter
		elements = { 10.8.0.2 . 192.168.1.2 . tcp . 8443 }
	}

	set input_v6 {
		type ipv6_addr . ipv6_addr . inet_proto . inet_service
		flags interval
		counter
	}

	set lan_v4 {
		type ipv4_addr
		flags interval
		elements = { 192.168.1.0/24 }
	}

	set lan_v6 {
		type ipv6_addr
		flags interval
		elements = { fd12::/64 }
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wg0" oifname "wg0" counter name "peer_drop" drop
		iifname "wg0" ct state invalid counter name "invalid_drop" drop
		iifname "wg0" ct state related accept
		iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @forward_v4 accept
		iifname "wg0" ip6 saddr . ip6 daddr . meta l4proto . th dport @forward_v6 accept
		iifname "wg0" counter name "forward_drop" drop
		oifname "wg0" ct state established,related accept
		oifname "wg0" counter name "to_peer_drop" drop
	}

	chain input {
		type filter hook input priority filter; policy accept;
		iifname "wg0" ct state invalid counter name "invalid_drop" drop
		iifname "wg0" ct state related accept
		iifname "wg0" ct state established ct direction reply accept
		iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @input_v4 accept
		iifname "wg0" ip6 saddr . ip6 daddr . meta l4proto . th dport @input_v6 accept
		iifname "wg0" icmp type echo-request fib daddr . iif type local accept
		iifname "wg0" icmpv6 type echo-request fib daddr . iif type local accept
		iifname "wg0" counter name "input_drop" drop
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		iifname "wg0" ip daddr @lan_v4 masquerade
		iifname "wg0" ip6 daddr @lan_v6 masquerade
	}
}
`);
  });

  it('leaves the nat chain out without masquerade, and sets without elements empty', () => {
    const { script } = build({ masquerade: false, lanRanges: [] });
    expect(script).not.toContain('postrouting');
    expect(script).not.toContain('masquerade');
    expect(script).not.toContain('elements');
    expect(script).toMatch(/\n\tset lan_v4 \{\n\t\ttype ipv4_addr\n\t\tflags interval\n\t\}\n/);
    expect(script.endsWith('\t}\n}\n')).toBe(true);
  });

  it('with a generation: established connections stamped with it pass first; granted packets stamp it', () => {
    const chainOf = (script: string, name: string) =>
      new RegExp(`\\tchain ${name} \\{\\n([\\s\\S]*?)\\n\\t\\}`)
        .exec(script)?.[1]
        ?.split('\n')
        .map((l) => l.trim()) ?? [];
    const { script } = build({ generation: 7 });
    expect(chainOf(script, 'forward').slice(3, 7)).toEqual([
      'iifname "wg0" ct state related accept',
      'iifname "wg0" ct state established ct mark 0x07000000/8 accept',
      'iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @forward_v4 ct mark set ct mark & 0x07ffffff | 0x07000000 accept',
      'iifname "wg0" ip6 saddr . ip6 daddr . meta l4proto . th dport @forward_v6 ct mark set ct mark & 0x07ffffff | 0x07000000 accept',
    ]);
    expect(chainOf(script, 'input').slice(3, 6)).toEqual([
      'iifname "wg0" ct state established ct direction reply accept',
      'iifname "wg0" ct state established ct mark 0x07000000/8 accept',
      'iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @input_v4 ct mark set ct mark & 0x07ffffff | 0x07000000 accept',
    ]);
    expect(build({ generation: 254 }).script).toContain('ct mark 0xfe000000/8 accept');
    expect(build({ generation: 1 }).script).toContain('ct mark set ct mark & 0x01ffffff | 0x01000000 accept');
    // Without one, every packet is looked up and nothing is stamped.
    expect(build({}).script).not.toContain('ct mark');
  });

  it.each([0, 255, 1.5, -1, Number.NaN])('refuses the generation %s', (generation) => {
    expect(refusal({ generation })).toEqual({
      code: 'exposure.invalid-generation',
      message: `generation ${String(generation)} is not an integer from 1 to 254`,
    });
  });

  it('names the interface in every rule', () => {
    const { script } = build({ interfaceName: 'gatehouse0' });
    const rules = script.split('\n').filter((l) => /^\t\t(iifname|oifname)/.test(l));
    expect(rules).toHaveLength(18);
    for (const rule of rules) expect(rule).toMatch(/^\t\t(iifname|oifname) "gatehouse0" /);
    expect(script).not.toContain('"wg0"');
  });

  it('lists several elements one per line, numerically sorted', () => {
    const { script } = build({
      peers: [peer('p10', '10.8.0.10'), peer('p9', '10.8.0.9'), peer('p2', '10.8.0.2')],
      services: [service('s', '192.168.1.100', 80), service('t', '192.168.1.9', 80)],
      grants: ['p10', 'p9', 'p2'].flatMap((p) => [toPeer(p, 's'), toPeer(p, 't')]),
    });
    expect(elementsOf(script, 'forward_v4')).toEqual([
      '10.8.0.2 . 192.168.1.9 . tcp . 80',
      '10.8.0.2 . 192.168.1.100 . tcp . 80',
      '10.8.0.9 . 192.168.1.9 . tcp . 80',
      '10.8.0.9 . 192.168.1.100 . tcp . 80',
      '10.8.0.10 . 192.168.1.9 . tcp . 80',
      '10.8.0.10 . 192.168.1.100 . tcp . 80',
    ]);
    expect(script).toContain(
      '\t\telements = { 10.8.0.2 . 192.168.1.9 . tcp . 80,\n\t\t\t     10.8.0.2 . 192.168.1.100 . tcp . 80,\n',
    );
    expect(script).toContain('\t\t\t     10.8.0.10 . 192.168.1.100 . tcp . 80 }\n');
  });

  it('merges overlapping port ranges of one peer, host and protocol; keeps adjacent and other protocols apart', () => {
    const { script, flows } = build({
      peers: [peer('a', '10.8.0.2')],
      services: [
        service('wide', '192.168.1.20', 8000, 8010),
        service('inside', '192.168.1.20', 8005),
        service('overlap', '192.168.1.20', 8008, 8020),
        service('adjacent', '192.168.1.20', 8021),
        service('udp', '192.168.1.20', 8000, 8010, 'udp'),
        service('low', '192.168.1.20', 22),
        service('same-start', '192.168.1.20', 9000, 9001),
        service('same-start-wider', '192.168.1.20', 9000, 9005),
        service('touching', '192.168.1.20', 9005, 9007),
      ],
      grants: [
        'wide',
        'inside',
        'overlap',
        'adjacent',
        'udp',
        'low',
        'same-start',
        'same-start-wider',
        'touching',
      ].map((s) => toPeer('a', s)),
    });
    expect(elementsOf(script, 'forward_v4')).toEqual([
      '10.8.0.2 . 192.168.1.20 . tcp . 22',
      '10.8.0.2 . 192.168.1.20 . tcp . 8000-8020',
      '10.8.0.2 . 192.168.1.20 . tcp . 8021',
      '10.8.0.2 . 192.168.1.20 . tcp . 9000-9007',
      '10.8.0.2 . 192.168.1.20 . udp . 8000-8010',
    ]);
    expect(flows).toHaveLength(9);
  });

  it('keeps the same port of two hosts, two peers or two hooks as separate elements', () => {
    const { script } = build({
      peers: [peer('a', '10.8.0.2'), peer('b', '10.8.0.3')],
      services: [
        service('x', '192.168.1.20', 80),
        service('y', '192.168.1.21', 80),
        service('ui', '10.8.0.1', 80),
      ],
      grants: ['a', 'b'].flatMap((p) => [toPeer(p, 'x'), toPeer(p, 'y'), toPeer(p, 'ui')]),
    });
    expect(elementsOf(script, 'forward_v4')).toEqual([
      '10.8.0.2 . 192.168.1.20 . tcp . 80',
      '10.8.0.2 . 192.168.1.21 . tcp . 80',
      '10.8.0.3 . 192.168.1.20 . tcp . 80',
      '10.8.0.3 . 192.168.1.21 . tcp . 80',
    ]);
    expect(elementsOf(script, 'input_v4')).toEqual([
      '10.8.0.2 . 10.8.0.1 . tcp . 80',
      '10.8.0.3 . 10.8.0.1 . tcp . 80',
    ]);
  });

  it('collapses the LAN ranges and prints them canonically', () => {
    const { script } = build({
      lanRanges: ['192.168.1.77/24', '10.1.0.0/16', '10.0.0.0/8', 'FD12::1/64', '192.168.9.9'],
    });
    expect(elementsOf(script, 'lan_v4')).toEqual(['10.0.0.0/8', '192.168.1.0/24', '192.168.9.9']);
    expect(elementsOf(script, 'lan_v6')).toEqual(['fd12::/64']);
  });

  it('is the same script whatever the order of its input', () => {
    const peers = [
      peer('a', '10.8.0.2', { groups: ['g'] }),
      peer('b', '10.8.0.3', { groups: ['g'] }),
      peer('c', '10.8.0.4'),
    ];
    const services = [
      service('s1', '192.168.1.20', 80),
      service('s2', '192.168.1.21', 443),
      service('s3', '10.8.0.1', 22),
    ];
    const grants = [toGroup('g', 's1'), toPeer('c', 's2'), toPeer('a', 's3'), toPeer('c', 's1')];
    const lanRanges = ['192.168.1.0/24', '10.0.0.0/8'];
    const forward = build({ peers, services, grants, lanRanges });
    const backward = build({
      peers: [...peers].reverse(),
      services: [...services].reverse(),
      grants: [...grants].reverse(),
      lanRanges: [...lanRanges].reverse(),
    });
    expect(backward).toEqual(forward);
  });
});

describe('buildRuleset: flows', () => {
  it('opens each granted service to each enabled peer of the grant, direct or through a group', () => {
    const { flows } = build({
      peers: [
        peer('a', '10.8.0.2', { groups: ['family', 'admins'] }),
        peer('b', '10.8.0.3/32', { groups: ['family'] }),
        peer('off', '10.8.0.4', { groups: ['family'], enabled: false }),
        peer('c', '10.8.0.5'),
      ],
      services: [
        service('nas', '192.168.1.20', 445),
        service('ui', '10.8.0.1', 8443),
        service('idle', '192.168.1.30', 1),
      ],
      grants: [toGroup('family', 'nas'), toPeer('a', 'nas'), toGroup('admins', 'ui'), toPeer('off', 'ui')],
    });
    const f = (
      peerId: string,
      serviceId: string,
      peerAddress: string,
      host: string,
      port: number,
      hook: 'forward' | 'input',
    ): Flow => ({
      peerId,
      serviceId,
      peerAddress,
      host,
      protocol: 'tcp',
      portFrom: port,
      portTo: port,
      hook,
    });
    expect(flows).toEqual([
      f('a', 'nas', '10.8.0.2', '192.168.1.20', 445, 'forward'),
      f('b', 'nas', '10.8.0.3', '192.168.1.20', 445, 'forward'),
      f('a', 'ui', '10.8.0.2', '10.8.0.1', 8443, 'input'),
    ]);
  });

  it("gives each of a peer's addresses the services of its family", () => {
    const { flows, script } = build({
      peers: [peer('a', '10.8.0.2', { ipv6: 'FD8A:0::2/128' }), peer('b', '10.8.0.3')],
      services: [
        service('v4', '192.168.1.20', 80),
        service('v6', 'fd12::20', 80),
        service('ui6', 'fd8a::1', 443),
      ],
      boxAddresses: ['fd8a::1'],
      grants: ['a', 'b'].flatMap((p) => [toPeer(p, 'v4'), toPeer(p, 'v6'), toPeer(p, 'ui6')]),
    });
    expect(flows.map((f) => `${f.peerId} ${f.peerAddress} → ${f.host} (${f.hook})`)).toEqual([
      'a 10.8.0.2 → 192.168.1.20 (forward)',
      'b 10.8.0.3 → 192.168.1.20 (forward)',
      'a fd8a::2 → fd12::20 (forward)',
      'a fd8a::2 → fd8a::1 (input)',
    ]);
    expect(elementsOf(script, 'forward_v6')).toEqual(['fd8a::2 . fd12::20 . tcp . 80']);
    expect(elementsOf(script, 'input_v6')).toEqual(['fd8a::2 . fd8a::1 . tcp . 443']);
    expect(elementsOf(script, 'input_v4')).toEqual([]);
  });

  it('treats a box address inside the LAN as the box (input), and never opens a host outside the LAN', () => {
    const { flows, skipped, script } = build({
      peers: [peer('a', '10.8.0.2')],
      services: [
        service('zz-public', '203.0.113.5', 80),
        service('box-lan', '192.168.1.2', 22),
        service('aa-loopback', '127.0.0.1', 80),
        service('v6-out', '2001:db8::5', 80),
      ],
      grants: [
        toPeer('a', 'zz-public'),
        toPeer('a', 'box-lan'),
        toPeer('a', 'aa-loopback'),
        toPeer('a', 'v6-out'),
      ],
    });
    expect(flows.map((f) => `${f.serviceId}:${f.hook}`)).toEqual(['box-lan:input']);
    expect(skipped).toEqual([
      {
        serviceId: 'aa-loopback',
        reason: "127.0.0.1 is outside the LAN ranges and is not one of this box's addresses: never opened",
      },
      {
        serviceId: 'v6-out',
        reason: "2001:db8::5 is outside the LAN ranges and is not one of this box's addresses: never opened",
      },
      {
        serviceId: 'zz-public',
        reason: "203.0.113.5 is outside the LAN ranges and is not one of this box's addresses: never opened",
      },
    ]);
    expect(script).not.toContain('203.0.113.5');
    expect(script).not.toContain('127.0.0.1');
  });

  it('opens nothing for grants naming an unknown peer, group or service, or a disabled peer', () => {
    const { flows } = build({
      peers: [peer('a', '10.8.0.2', { groups: ['g'] }), peer('off', '10.8.0.3', { enabled: false })],
      services: [service('s', '192.168.1.20', 80)],
      grants: [toPeer('ghost', 's'), toGroup('nobody', 's'), toPeer('a', 'gone'), toPeer('off', 's')],
    });
    expect(flows).toEqual([]);
  });

  it('counts a grant once even when it comes directly, through two groups and twice', () => {
    const { flows } = build({
      peers: [peer('a', '10.8.0.2', { groups: ['g', 'h', 'g'] })],
      services: [service('s', '192.168.1.20', 80)],
      grants: [toPeer('a', 's'), toGroup('g', 's'), toGroup('h', 's'), toPeer('a', 's')],
    });
    expect(flows).toHaveLength(1);
  });

  it('orders flows of one element by peer id, then service id', () => {
    const { flows } = build({
      peers: [peer('b', '10.8.0.2'), peer('a', '10.8.0.2/32')],
      services: [service('y', '192.168.1.20', 80), service('x', '192.168.1.20', 80)],
      grants: [toPeer('b', 'y'), toPeer('b', 'x'), toPeer('a', 'y'), toPeer('a', 'x')],
    });
    expect(flows.map((f) => `${f.peerId}/${f.serviceId}`)).toEqual(['a/x', 'a/y', 'b/x', 'b/y']);
  });

  it('orders by protocol, then ports', () => {
    const { flows } = build({
      peers: [peer('a', '10.8.0.2')],
      services: [
        service('u', '192.168.1.20', 53, 53, 'udp'),
        service('t2', '192.168.1.20', 80, 90),
        service('t1', '192.168.1.20', 80, 81),
        service('t0', '192.168.1.20', 79),
      ],
      grants: ['u', 't2', 't1', 't0'].map((s) => toPeer('a', s)),
    });
    expect(flows.map((f) => f.serviceId)).toEqual(['t0', 't1', 't2', 'u']);
  });

  it('builds 1,000 peers × 5 services quickly', () => {
    const peers = Array.from({ length: 1000 }, (_, i) =>
      peer(
        `p${String(i).padStart(4, '0')}`,
        `10.8.${String(Math.floor((i + 2) / 256))}.${String((i + 2) % 256)}`,
        {
          ipv6: `fd8a::${(i + 2).toString(16)}`,
          groups: i % 2 === 0 ? ['even'] : [],
        },
      ),
    );
    const services = [
      service('s1', '192.168.1.20', 80),
      service('s2', '192.168.1.21', 443),
      service('s3', '192.168.1.22', 8000, 8100),
      service('s4', 'fd12::4', 53, 53, 'udp'),
      service('s5', '10.8.0.1', 8443),
    ];
    const grants = [...peers.flatMap((p) => services.map((s) => toPeer(p.id, s.id))), toGroup('even', 's1')];
    const started = performance.now();
    const { flows, script } = build({ peers, services, grants });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(flows).toHaveLength(5000);
    expect(script.split('\n').filter((l) => / \. (tcp|udp) \. /.test(l))).toHaveLength(5000);
  });
});

describe('buildRuleset: refusals (nothing reaches the script unparsed)', () => {
  it.each([
    'wg0"; flush ruleset; "',
    'wg0\nadd rule',
    'wg 0',
    'wg*',
    'wg0}',
    '',
    'sixteen-chars-ab',
    '.',
    '..',
    'wg0\u00e9',
  ])('refuses the interface name %j', (interfaceName) => {
    expect(refusal({ interfaceName })).toEqual({
      code: 'exposure.invalid-interface',
      message: `${JSON.stringify(interfaceName)} is not a valid interface name (1 to 15 of A-Z a-z 0-9 _ = + . -)`,
    });
  });

  it.each(['a', 'fifteen-chars-a', 'wg_0=+.-', '...', 'WG0'])('accepts the interface name %j', (name) => {
    expect(checkInterfaceName(name)).toBeUndefined();
    expect(refusal({ interfaceName: name })).toBeUndefined();
  });

  it.each(['192.168.1.0/24 }', '192.168.1.0/24\n', 'lan', '192.168.1.0/33', ''])(
    'refuses the LAN range %j',
    (range) => {
      expect(refusal({ lanRanges: ['10.0.0.0/8', range] })).toEqual({
        code: 'exposure.invalid-address',
        message: `LAN range ${JSON.stringify(range)} is not an IP network`,
      });
    },
  );

  it.each(['10.8.0.1/24', 'box', '10.8.0.1 ', 'fe80::1%wg0'])('refuses the box address %j', (address) => {
    expect(refusal({ boxAddresses: [address] })).toEqual({
      code: 'exposure.invalid-address',
      message: `box address ${JSON.stringify(address)} is not an IP address`,
    });
  });

  it.each([
    ['nas.local', 'host "nas.local" is not an IP address'],
    [
      '192.168.1.20 . 10.0.0.1 . tcp . 1-65535',
      'host "192.168.1.20 . 10.0.0.1 . tcp . 1-65535" is not an IP address',
    ],
    ['192.168.1.20\n}\ntable ip x {', 'host "192.168.1.20\\n}\\ntable ip x {" is not an IP address'],
    ['192.168.1.0/24', 'host "192.168.1.0/24" is not an IP address'],
  ])('refuses the host %j', (host, why) => {
    expect(refusal({ services: [service('s', host, 80)] })).toEqual({
      code: 'exposure.invalid-service',
      message: `service "service s": ${why}`,
    });
  });

  it.each([
    [0, 0, 'ports must be whole numbers from 1 to 65535'],
    [1, 65536, 'ports must be whole numbers from 1 to 65535'],
    [65536, 65536, 'ports must be whole numbers from 1 to 65535'],
    [80.5, 81, 'ports must be whole numbers from 1 to 65535'],
    [80, Number.NaN, 'ports must be whole numbers from 1 to 65535'],
    [-1, 80, 'ports must be whole numbers from 1 to 65535'],
    [90, 80, 'the first port is above the last one'],
  ])('refuses ports %d-%d', (from, to, why) => {
    expect(refusal({ services: [service('s', '192.168.1.20', from, to)] })).toEqual({
      code: 'exposure.invalid-service',
      message: `service "service s": ${why}`,
    });
  });

  it.each([
    [1, 1],
    [65535, 65535],
    [1, 65535],
  ])('accepts ports %d-%d', (from, to) => {
    expect(refusal({ services: [service('s', '192.168.1.20', from, to)] })).toBeUndefined();
  });

  it('refuses a protocol other than tcp and udp', () => {
    const icmp = { ...service('s', '192.168.1.20', 80), protocol: 'icmp' } as unknown as ServiceSpec;
    expect(refusal({ services: [icmp] })).toEqual({
      code: 'exposure.invalid-service',
      message: 'service "service s": protocol "icmp" is not tcp or udp',
    });
  });

  it.each([
    [{ ipv4: '10.8.0.2/24' }, '10.8.0.2/24'],
    [{ ipv4: 'fd8a::2' }, 'fd8a::2'],
    [{ ipv4: '10.8.0.2 . 0.0.0.0/0' }, '10.8.0.2 . 0.0.0.0/0'],
    [{ ipv6: '10.8.0.9' }, '10.8.0.9'],
    [{ ipv6: 'fd8a::2/64' }, 'fd8a::2/64'],
    [{ ipv6: 'fd8a::2\n' }, 'fd8a::2\n'],
  ])('refuses the peer address in %j', (fields, text) => {
    expect(refusal({ peers: [peer('a', '10.8.0.2', fields)] })).toEqual({
      code: 'exposure.invalid-address',
      message: `peer "peer a": tunnel address ${JSON.stringify(text)} is not a single address of its family`,
    });
  });

  it("does not look at a disabled peer's addresses: they never reach the script", () => {
    expect(refusal({ peers: [peer('a', 'junk', { enabled: false, ipv6: 'junk' })] })).toBeUndefined();
  });
});

describe('names', () => {
  it('names the sets and counters', () => {
    expect(flowSetName('forward', 'ipv4')).toBe('forward_v4');
    expect(flowSetName('forward', 'ipv6')).toBe('forward_v6');
    expect(flowSetName('input', 'ipv4')).toBe('input_v4');
    expect(flowSetName('input', 'ipv6')).toBe('input_v6');
    expect(lanSetName('ipv4')).toBe('lan_v4');
    expect(lanSetName('ipv6')).toBe('lan_v6');
    expect(tunnelDropCounters).toEqual(['forward_drop', 'input_drop', 'peer_drop', 'invalid_drop']);
    expect(tunnelDropCounters).not.toContain(dropCounters.toPeer);
  });
});

describe('hitsOfFlow', () => {
  const flow: Flow = {
    peerId: 'a',
    serviceId: 's',
    peerAddress: '10.8.0.2',
    host: '192.168.1.20',
    protocol: 'tcp',
    portFrom: 8005,
    portTo: 8006,
    hook: 'forward',
  };
  const element: ElementHits = {
    hook: 'forward',
    peerAddress: '10.8.0.2',
    host: '192.168.1.20',
    protocol: 'tcp',
    portFrom: 8000,
    portTo: 8010,
    packets: 7,
    bytes: 420,
  };

  it('finds the element that carries the flow (a merged range counts for each of its flows)', () => {
    expect(hitsOfFlow(flow, [element])).toEqual({ packets: 7, bytes: 420 });
    expect(hitsOfFlow(flow, [{ ...element, portFrom: 8005, portTo: 8006 }])).toEqual({
      packets: 7,
      bytes: 420,
    });
  });

  it.each([
    { hook: 'input' as const },
    { peerAddress: '10.8.0.3' },
    { host: '192.168.1.21' },
    { protocol: 'udp' as const },
    { portFrom: 8006 },
    { portTo: 8005 },
  ])('finds nothing when the element differs in %j', (change) => {
    expect(hitsOfFlow(flow, [{ ...element, ...change }])).toBeUndefined();
  });

  it('finds nothing in no elements', () => {
    expect(hitsOfFlow(flow, [])).toBeUndefined();
  });
});

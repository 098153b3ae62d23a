/**
 * @module The test bed's network-safety promises (README, "End-to-end tests"), checked on the pure plan for every
 * scenario: every command acts inside a namespace of this run, every veth peer lands in one of them (never in the
 * root namespace), and every address, route and firewall literal lies in the ranges the bed may use.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  addr,
  bedNames,
  gatehouseReachabilityConfig,
  hostInPrefix6,
  initialLanPrefix6,
  initialWan,
  isLanPrefix6,
  lanHostIpv6Commands,
  lanHostIpv6FlushCommands,
  ispRuleset,
  isBedNamespace,
  miniupnpdConf,
  resolvConf,
  routerRenumberCommands,
  routerRuleset,
  scenarioCommands,
  scenarioShape,
  scenarios,
  topologyCommands,
  v6PrefixRenumberCommands,
  type Argv,
} from './plan.js';

/** 198.51.100.0/24, 203.0.113.0/24, 100.64.0.0/10, 10.x (inside the bed) and 2001:db8::/32 — nothing else. */
const allowed = new net.BlockList();
allowed.addSubnet('198.51.100.0', 24, 'ipv4');
allowed.addSubnet('203.0.113.0', 24, 'ipv4');
allowed.addSubnet('100.64.0.0', 10, 'ipv4');
allowed.addSubnet('10.0.0.0', 8, 'ipv4');
allowed.addSubnet('2001:db8::', 32, 'ipv6');
/** Literals that name no host: "any" in a rule and the loopback. */
const notAHost = new Set(['0.0.0.0', '127.0.0.1']);

function inAllowedRanges(literal: string): boolean {
  const [address = '', len] = literal.split('/');
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  if (!net.isIP(address)) return false;
  if (!allowed.check(address, family)) return false;
  // A prefix must not reach outside the ranges either (10.0.0.0/7 would).
  if (len !== undefined && family === 'ipv4') return Number(len) >= (address.startsWith('100.') ? 10 : 8);
  return true;
}

const ipv4Literals = (text: string) => text.match(/\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?\b/g) ?? [];
const ipv6Literals = (text: string) => text.match(/\b2001:db8:[0-9a-f:]*(?:\/\d{1,3})?/gi) ?? [];

const n = bedNames('abcd');
const bedNs = new Set(Object.values(n.ns));
const everyCommand: { scenario: string; argv: Argv }[] = [
  ...topologyCommands(n).map((argv) => ({ scenario: 'topology', argv })),
  ...routerRenumberCommands(n, '203.0.113.3').map((argv) => ({ scenario: 'renumber', argv })),
  ...v6PrefixRenumberCommands(n, initialLanPrefix6, '2001:db8:11::/64').map((argv) => ({
    scenario: 'v6 prefix change',
    argv,
  })),
  ...v6PrefixRenumberCommands(n, '2001:db8:11::/64', initialLanPrefix6, '211:32ff:fe12:3456').map((argv) => ({
    scenario: 'v6 prefix back, with the LAN host',
    argv,
  })),
  ...lanHostIpv6Commands(n, initialLanPrefix6, '211:32ff:fe12:3456').map((argv) => ({
    scenario: 'LAN host IPv6',
    argv,
  })),
  ...lanHostIpv6FlushCommands(n).map((argv) => ({ scenario: 'LAN host IPv6 gone', argv })),
  ...scenarios.flatMap((s) =>
    scenarioCommands(n, scenarioShape(s), initialWan).map((argv) => ({ scenario: s, argv })),
  ),
];

describe('the test bed plan keeps to its own namespaces and ranges', () => {
  it('names namespaces with the run prefix, and only those count as the bed’s', () => {
    expect([...bedNs].sort()).toEqual(
      ['gw', 'inet', 'isp', 'lan', 'phone', 'router'].map((r) => `ghtbabcd-${r}`).sort(),
    );
    for (const ns of bedNs) expect(isBedNamespace(ns)).toBe(true);
    for (const other of ['ghtbabcd-host', 'ghtb-gw', 'xghtbabcd-gw', 'ghtbabcd-gw-x', 'default'])
      expect(isBedNamespace(other)).toBe(false);
    expect(() => bedNames('ab')).toThrow();
    expect(() => bedNames('ab/cd')).toThrow();
  });

  it('runs every command inside one of this run’s namespaces', () => {
    expect(everyCommand.length).toBeGreaterThan(50);
    for (const { scenario, argv } of everyCommand) {
      const target =
        argv[1] === '-n'
          ? argv[2]
          : argv[1] === 'netns' && (argv[2] === 'add' || argv[2] === 'exec')
            ? argv[3]
            : undefined;
      expect({ scenario, argv, inBed: target !== undefined && bedNs.has(target) }).toMatchObject({
        inBed: true,
      });
      expect(argv[0]).toBe('ip');
    }
  });

  it('puts the far end of every veth pair into a namespace of the bed, never the root namespace', () => {
    const veths = everyCommand.filter(({ argv }) => argv.includes('veth'));
    expect(veths.length).toBeGreaterThanOrEqual(7);
    for (const { argv } of veths) {
      const i = argv.indexOf('netns', 3);
      expect({ argv, peerNs: i > 0 && bedNs.has(argv[i + 1] ?? '') }).toMatchObject({ peerNs: true });
    }
  });

  it('uses only the allowed ranges for addresses and routes', () => {
    for (const { scenario, argv } of everyCommand) {
      for (const word of argv.slice(3)) {
        if (!/^[0-9a-f:.]+(\/\d+)?$/i.test(word) || !/[.:]/.test(word) || word === 'default') continue;
        if (!net.isIP(word.split('/')[0] ?? '')) continue;
        expect({ scenario, argv, word, allowed: inAllowedRanges(word) }).toMatchObject({ allowed: true });
      }
    }
    for (const value of Object.values(addr)) {
      if (typeof value !== 'string') continue;
      expect({ value, allowed: inAllowedRanges(value) }).toMatchObject({ allowed: true });
    }
  });

  it('writes only allowed addresses into rulesets and server configuration', () => {
    const texts = [
      ...scenarios.flatMap((s) => [
        routerRuleset(scenarioShape(s), initialWan),
        ispRuleset(scenarioShape(s), initialWan),
        miniupnpdConf('/run/bed', scenarioShape(s)),
      ]),
      gatehouseReachabilityConfig({ lyingEcho: true }),
      resolvConf,
    ];
    for (const text of texts) {
      for (const literal of [...ipv4Literals(text), ...ipv6Literals(text)]) {
        if (notAHost.has(literal.split('/')[0] ?? '')) continue;
        expect({ literal, allowed: inAllowedRanges(literal) }).toMatchObject({ allowed: true });
      }
    }
  });

  it('catches an address outside the ranges (the check itself works)', () => {
    for (const bad of [
      '192.0.2.1',
      '192.168.1.1',
      '8.8.8.8',
      'fd00::1',
      '2001:db9::1',
      '10.0.0.0/7',
      '100.0.0.0/8',
    ])
      expect(inAllowedRanges(bad)).toBe(false);
    for (const good of ['10.10.0.1/24', '100.64.0.2', '203.0.113.65', '2001:db8:10::1/64', '198.51.100.10'])
      expect(inAllowedRanges(good)).toBe(true);
  });
});

describe('the issue 9 (A) scenarios', () => {
  it('cgnat-silent: the isp sends no ICMP time-exceeded; other scenarios keep it', () => {
    expect(ispRuleset(scenarioShape('cgnat-silent'), initialWan)).toContain(
      'icmp type time-exceeded counter drop',
    );
    expect(ispRuleset(scenarioShape('cgnat'), initialWan)).not.toContain('time-exceeded');
  });

  it('cgnat-silent-upnp and cgnat-upnp: miniupnpd on the CGNAT uplink, with its STUN check', () => {
    for (const s of ['cgnat-upnp', 'cgnat-silent-upnp'] as const) {
      const conf = miniupnpdConf('/run/bed', scenarioShape(s));
      expect(conf).toMatch(/^ext_ifname=wan-cgn$/m);
      expect(conf).toMatch(/^ext_perform_stun=yes$/m);
    }
    expect(scenarioShape('cgnat-silent-upnp')).toMatchObject({ silentIsp: true, upnp: true });
  });

  it('router-declines: miniupnpd without STUN behind a silent CGNAT hop', () => {
    expect(miniupnpdConf('/run/bed', scenarioShape('router-declines'))).not.toContain('ext_perform_stun');
    expect(scenarioShape('router-declines')).toMatchObject({
      routerUplink: 'cgnat',
      silentIsp: true,
      upnp: true,
    });
  });

  it('stun-port-blocked: only UDP 3478 is dropped on the way out', () => {
    const rules = routerRuleset(scenarioShape('stun-port-blocked'), initialWan);
    expect(rules).toContain('oifname "wan-pub" udp dport 3478 counter drop');
    expect(rules).not.toContain('meta l4proto udp counter drop');
  });

  it('offline: both uplinks down and no default route is set', () => {
    const cmds = scenarioCommands(n, scenarioShape('offline'), initialWan).map((a) => a.join(' '));
    expect(cmds).toContain(`ip -n ${n.ns.router} link set wan-pub down`);
    expect(cmds).toContain(`ip -n ${n.ns.router} link set wan-cgn down`);
    expect(cmds.filter((c) => c.startsWith(`ip -n ${n.ns.router} route replace default`))).toEqual([]);
  });

  it('the bed config asks STUN on two ports, and by name when asked to', () => {
    const byAddress = JSON.parse(gatehouseReachabilityConfig()) as {
      reachability: { stunServers: string[] };
    };
    expect(byAddress.reachability.stunServers).toContain(`${addr.stunAlternate}:3479`);
    const byName = JSON.parse(gatehouseReachabilityConfig({ hostnames: true })) as {
      reachability: { stunServers: string[]; httpEcho: { url: string }[] };
    };
    expect(byName.reachability.stunServers.slice(0, 3)).toEqual([
      'stun.example.test:3478',
      'stun2.example.test:3478',
      'stun2.example.test:3479',
    ]);
    expect(byName.reachability.httpEcho[0]?.url).toBe('http://stun.example.test:8088/');
  });
});

describe('the ISP’s IPv6 prefix change (cgnat-v6)', () => {
  const cmds = v6PrefixRenumberCommands(n, initialLanPrefix6, '2001:db8:11::/64').map((a) => a.join(' '));
  const at = (text: string) => {
    const i = cmds.indexOf(text);
    expect({ text, found: i >= 0 }).toMatchObject({ found: true });
    return i;
  };

  it('starts from the prefix the scenario numbers the LAN with', () => {
    expect(initialLanPrefix6).toBe('2001:db8:10::/64');
    expect(hostInPrefix6(initialLanPrefix6, '2')).toBe(addr.gwLan6);
    expect(hostInPrefix6(initialLanPrefix6, '1')).toBe(addr.routerLan6);
    expect(scenarioCommands(n, scenarioShape('cgnat-v6'), initialWan).map((a) => a.join(' '))).toContain(
      `ip -n ${n.ns.gw} -6 addr add ${addr.gwLan6}/64 dev eth0 nodad`,
    );
  });

  it('moves the box to the new /64 before the old one is withdrawn, with its default route', () => {
    const added = at(`ip -n ${n.ns.gw} -6 addr add 2001:db8:11::2/64 dev eth0 nodad`);
    const route = at(`ip -n ${n.ns.gw} -6 route replace default via 2001:db8:11::1`);
    const removed = at(`ip -n ${n.ns.gw} -6 addr del 2001:db8:10::2/64 dev eth0`);
    const routerAdded = at(`ip -n ${n.ns.router} -6 addr add 2001:db8:11::1/64 dev br-lan nodad`);
    const routerRemoved = at(`ip -n ${n.ns.router} -6 addr del 2001:db8:10::1/64 dev br-lan`);
    expect(routerAdded).toBeLessThan(route);
    expect(added).toBeLessThan(removed);
    expect(route).toBeLessThan(removed);
    expect(removed).toBeLessThan(routerRemoved);
  });

  it('routes the new /64 to the site upstream and lets it in at the router; the old routes go', () => {
    const inNew = at(`ip -n ${n.ns.inet} -6 route replace 2001:db8:11::/64 via ${addr.ispUplink6}`);
    const ispNew = at(`ip -n ${n.ns.isp} -6 route replace 2001:db8:11::/64 via ${addr.routerCgn6}`);
    at(
      `ip netns exec ${n.ns.router} nft insert rule inet filter forward meta nfproto ipv6 iifname wan-cgn ip6 daddr 2001:db8:11::/64 accept`,
    );
    const ispOld = at(`ip -n ${n.ns.isp} -6 route del 2001:db8:10::/64`);
    const inOld = at(`ip -n ${n.ns.inet} -6 route del 2001:db8:10::/64`);
    expect(Math.max(inNew, ispNew)).toBeLessThan(Math.min(ispOld, inOld));
    // Nothing of the old prefix is added again.
    expect(cmds.filter((c) => c.includes('2001:db8:10:') && !/ (del) /.test(c))).toEqual([]);
  });

  it('moves the LAN host too when it has an address, make-before-break; leaves it alone otherwise', () => {
    expect(cmds.filter((c) => c.startsWith(`ip -n ${n.ns.lan} `))).toEqual([]);
    const withHost = v6PrefixRenumberCommands(
      n,
      initialLanPrefix6,
      '2001:db8:11::/64',
      '211:32ff:fe12:3456',
    ).map((a) => a.join(' '));
    expect(withHost.filter((c) => c.startsWith(`ip -n ${n.ns.lan} `))).toEqual([
      `ip -n ${n.ns.lan} -6 addr add 2001:db8:11::211:32ff:fe12:3456/64 dev eth0 nodad`,
      `ip -n ${n.ns.lan} -6 route replace default via 2001:db8:11::1`,
      `ip -n ${n.ns.lan} -6 addr del 2001:db8:10::211:32ff:fe12:3456/64 dev eth0`,
    ]);
    // Before the router gives up its old address, after it has the new one.
    const lanAdd = withHost.findIndex((c) => c.startsWith(`ip -n ${n.ns.lan} -6 addr add`));
    expect(lanAdd).toBeGreaterThan(
      withHost.indexOf(`ip -n ${n.ns.router} -6 addr add 2001:db8:11::1/64 dev br-lan nodad`),
    );
    expect(withHost.findIndex((c) => c.startsWith(`ip -n ${n.ns.lan} -6 addr del`))).toBeLessThan(
      withHost.indexOf(`ip -n ${n.ns.router} -6 addr del 2001:db8:10::1/64 dev br-lan`),
    );
    expect(lanHostIpv6Commands(n, initialLanPrefix6, '211:32ff:fe12:3456').map((a) => a.join(' '))).toEqual([
      `ip -n ${n.ns.lan} -6 addr add 2001:db8:10::211:32ff:fe12:3456/64 dev eth0 nodad`,
      `ip -n ${n.ns.lan} -6 route replace default via ${addr.routerLan6}`,
    ]);
  });

  it('does nothing for the same prefix, and takes only /64s of 2001:db8::/32', () => {
    expect(v6PrefixRenumberCommands(n, initialLanPrefix6, initialLanPrefix6)).toEqual([]);
    for (const good of ['2001:db8:11::/64', '2001:db8:ffff::/64', '2001:db8:10:1::/64'])
      expect(isLanPrefix6(good)).toBe(true);
    for (const bad of [
      '2001:db9:11::/64',
      'fd00::/64',
      '2001:db8:11::/48',
      '2001:db8::/64',
      '2001:db8:11::1/64',
      '2001:db8:11::',
      '2001:db8:1:2:3::/64',
    ])
      expect(isLanPrefix6(bad)).toBe(false);
    expect(() => v6PrefixRenumberCommands(n, initialLanPrefix6, 'fd00::/64')).toThrow(/not LAN/);
    expect(() => hostInPrefix6('2001:db8:11::/48', '2')).toThrow();
  });
});

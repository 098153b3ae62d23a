/**
 * @module Pure plan of the network test bed: names, addresses, the commands that build the topology, the
 * per-scenario changes and the server configuration files. Executed by testbed.ts.
 *
 * Only 198.51.100.0/24, 203.0.113.0/24, 100.64.0.0/10, 10.x inside the namespaces and 2001:db8::/32 are used.
 * Every link is a veth pair between two namespaces created here; nothing touches the root namespace.
 *
 *   [gw 10.10.0.2]──┐                                                  ┌── 203.0.113.33 ── [gw wan0 203.0.113.34] (public)
 *                   ├─ br-lan 10.10.0.1 [router] wan-pub 203.0.113.2 ──┤ [inet]  lo: 203.0.113.65/.66 (STUN, DNS, ACME)
 *   [lan 10.10.0.20]┘      (2001:db8:10::1)   wan-cgn 100.64.0.2 ──[isp] 203.0.113.18 ──┤      2001:db8:ff::65
 *   :8000 :8001 :9000                                   (SNAT → .18)                    └── 198.51.100.1 ── [phone 198.51.100.10]
 */

export const scenarios = [
  'public',
  'nat',
  'nat-forward',
  'nat-upnp',
  'double-nat',
  'cgnat',
  'cgnat-v6',
  'symmetric',
  'udp-blocked',
  // Issue 9 (A): cases where the verdict must not claim more than it knows.
  /** CGNAT; miniupnpd learns the pool address by STUN, answers with it and refuses every mapping. */
  'cgnat-upnp',
  /** CGNAT whose ISP hop does not answer traceroute (drops its ICMP time-exceeded). */
  'cgnat-silent',
  /** Both: the case of issue 9 A1 (a silent hop and a router that refuses every mapping). */
  'cgnat-silent-upnp',
  /** CGNAT; miniupnpd without STUN: it answers, but declines to say its (private) external address. */
  'router-declines',
  /** Single NAT where only UDP port 3478 is dropped: UDP as such works. */
  'stun-port-blocked',
  /** The router's uplink is down: no lookup, no source on the internet answers. */
  'offline',
] as const;

export type Scenario = (typeof scenarios)[number];

export function isScenario(value: string): value is Scenario {
  return (scenarios as readonly string[]).includes(value);
}

export const roles = ['gw', 'lan', 'router', 'isp', 'inet', 'phone'] as const;
export type Role = (typeof roles)[number];

/** Addresses of the bed (fixed; only the namespace names carry the per-run prefix). */
export const addr = {
  lanPrefix: '10.10.0.0/24',
  routerLan: '10.10.0.1',
  gwLan: '10.10.0.2',
  lanHost: '10.10.0.20',
  routerWan: '203.0.113.2',
  inetToRouter: '203.0.113.1',
  routerWanPrefixLen: 28,
  routerCgn: '100.64.0.2',
  ispCust: '100.64.0.1',
  cgnPrefix: '100.64.0.0/10',
  routerDoubleNat: '10.20.0.2',
  ispDoubleNat: '10.20.0.1',
  doubleNatPrefix: '10.20.0.0/24',
  ispPublic: '203.0.113.18',
  inetToIsp: '203.0.113.17',
  gwPublic: '203.0.113.34',
  inetToGw: '203.0.113.33',
  phone: '198.51.100.10',
  inetToPhone: '198.51.100.1',
  stunPrimary: '203.0.113.65',
  stunAlternate: '203.0.113.66',
  dns: '203.0.113.65',
  acme: '203.0.113.65',
  // IPv6 (cgnat-v6 gives gw a global address routed end to end)
  gwLan6: '2001:db8:10::2',
  routerLan6: '2001:db8:10::1',
  routerCgn6: '2001:db8:3::2',
  ispCust6: '2001:db8:3::1',
  ispUplink6: '2001:db8:4::2',
  inetToIsp6: '2001:db8:4::1',
  phone6: '2001:db8:1::10',
  inetToPhone6: '2001:db8:1::1',
  inet6Server: '2001:db8:ff::65',
} as const;

export const ports = {
  stun: 3478,
  stunAlt: 3479,
  dns: 53,
  acme: 14000,
  acmeManagement: 15000,
  upnpHttp: 5000,
  natpmp: 5351,
  camera: 8000,
  nas: 8001,
  nasTcp: 9000,
  forwardTcp: 8080,
  httpEcho: 8088,
  lyingEcho: 8089,
  wireguard: 51820,
  /** HTTP-01: where the CA's validation connects (public TCP 80), forwarded to the box's port-80 listener. */
  http: 80,
  /** HTTPS on the router's public address, forwarded (webForwardRuleset) to the box's admin listener. */
  https: 443,
  /** Where e2e suites and benchmarks have `gatehouse serve` listen off loopback (so over HTTPS) in gw. */
  gatehouseHttps: 8443,
} as const;

export const zoneName = 'example.test';
export const tsigKeyName = 'gatehouse-ddns';

export interface BedNames {
  readonly runId: string;
  readonly ns: Readonly<Record<Role, string>>;
  /** WireGuard interface names are global (their UAPI socket lives in /run/wireguard), so they carry the run id. */
  readonly wgGw: string;
  readonly wgPhone: string;
}

export const namePrefix = 'ghtb';

export function bedNames(runId: string): BedNames {
  if (!/^[a-z0-9]{4,8}$/.test(runId)) throw new Error(`bad run id ${runId}`);
  const ns = Object.fromEntries(roles.map((r) => [r, `${namePrefix}${runId}-${r}`])) as Record<Role, string>;
  return { runId, ns, wgGw: `wg${runId}g`, wgPhone: `wg${runId}p` };
}

/** Recognises namespaces that some run of the bed created, for `testbed down --all`. */
export function isBedNamespace(name: string): boolean {
  return new RegExp(`^${namePrefix}[a-z0-9]{4,8}-(${roles.join('|')})$`).test(name);
}

export type Argv = readonly [string, ...string[]];

const ipn = (ns: string, ...args: string[]): Argv => ['ip', '-n', ns, ...args];
const sysctl = (ns: string, ...settings: string[]): Argv => [
  'ip',
  'netns',
  'exec',
  ns,
  'sysctl',
  '-qw',
  ...settings,
];

/** Commands that build the namespaces, links, addresses and static routes common to every scenario. */
export function topologyCommands(n: BedNames): Argv[] {
  const { gw, lan, router, isp, inet, phone } = n.ns;
  const cmds: Argv[] = [];
  for (const ns of Object.values(n.ns)) {
    cmds.push(['ip', 'netns', 'add', ns], ipn(ns, 'link', 'set', 'lo', 'up'));
  }
  for (const ns of [router, isp, inet])
    cmds.push(sysctl(ns, 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'));
  for (const ns of Object.values(n.ns))
    cmds.push(sysctl(ns, 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0'));

  // LAN: a bridge inside the router; bridged frames must not traverse IP netfilter (br_netfilter breaks hairpin NAT).
  cmds.push(
    ipn(router, 'link', 'add', 'br-lan', 'type', 'bridge'),
    ipn(router, 'link', 'set', 'br-lan', 'up'),
    ipn(router, 'addr', 'add', `${addr.routerLan}/24`, 'dev', 'br-lan'),
    ipn(router, 'addr', 'add', `${addr.routerLan6}/64`, 'dev', 'br-lan', 'nodad'),
    ipn(gw, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'lan-gw', 'netns', router),
    ipn(lan, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'lan-lan', 'netns', router),
  );
  for (const port of ['lan-gw', 'lan-lan']) {
    cmds.push(ipn(router, 'link', 'set', port, 'master', 'br-lan'), ipn(router, 'link', 'set', port, 'up'));
  }
  cmds.push(
    ipn(gw, 'addr', 'add', `${addr.gwLan}/24`, 'dev', 'eth0'),
    ipn(gw, 'link', 'set', 'eth0', 'up'),
    ipn(lan, 'addr', 'add', `${addr.lanHost}/24`, 'dev', 'eth0'),
    ipn(lan, 'link', 'set', 'eth0', 'up'),
    ipn(lan, 'route', 'add', 'default', 'via', addr.routerLan),
  );

  // Router WAN 1: public address straight on the internet.
  cmds.push(
    ipn(router, 'link', 'add', 'wan-pub', 'type', 'veth', 'peer', 'name', 'to-router', 'netns', inet),
    ipn(inet, 'addr', 'add', `${addr.inetToRouter}/28`, 'dev', 'to-router'),
    ipn(inet, 'link', 'set', 'to-router', 'up'),
  );
  // Router WAN 2: behind the isp (CGNAT or a private upstream NAT).
  cmds.push(
    ipn(router, 'link', 'add', 'wan-cgn', 'type', 'veth', 'peer', 'name', 'cust0', 'netns', isp),
    ipn(isp, 'link', 'set', 'cust0', 'up'),
    ipn(isp, 'addr', 'add', `${addr.ispCust6}/64`, 'dev', 'cust0', 'nodad'),
    ipn(isp, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'to-isp', 'netns', inet),
    ipn(isp, 'addr', 'add', `${addr.ispPublic}/28`, 'dev', 'uplink'),
    ipn(isp, 'addr', 'add', `${addr.ispUplink6}/64`, 'dev', 'uplink', 'nodad'),
    ipn(isp, 'link', 'set', 'uplink', 'up'),
    ipn(isp, 'route', 'add', 'default', 'via', addr.inetToIsp),
    ipn(isp, '-6', 'route', 'add', 'default', 'via', addr.inetToIsp6),
    ipn(isp, '-6', 'route', 'add', '2001:db8:10::/64', 'via', addr.routerCgn6),
    ipn(inet, 'addr', 'add', `${addr.inetToIsp}/28`, 'dev', 'to-isp'),
    ipn(inet, 'addr', 'add', `${addr.inetToIsp6}/64`, 'dev', 'to-isp', 'nodad'),
    ipn(inet, 'link', 'set', 'to-isp', 'up'),
    ipn(inet, '-6', 'route', 'add', '2001:db8:10::/64', 'via', addr.ispUplink6),
  );
  // gw's own WAN, used only in the "public" scenario.
  cmds.push(
    ipn(gw, 'link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'to-gw', 'netns', inet),
    ipn(inet, 'addr', 'add', `${addr.inetToGw}/28`, 'dev', 'to-gw'),
    ipn(inet, 'link', 'set', 'to-gw', 'up'),
  );
  // The roaming phone.
  cmds.push(
    ipn(phone, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'to-phone', 'netns', inet),
    ipn(phone, 'addr', 'add', `198.51.100.10/24`, 'dev', 'eth0'),
    ipn(phone, 'addr', 'add', `${addr.phone6}/64`, 'dev', 'eth0', 'nodad'),
    ipn(phone, 'link', 'set', 'eth0', 'up'),
    ipn(phone, 'route', 'add', 'default', 'via', addr.inetToPhone),
    ipn(phone, '-6', 'route', 'add', 'default', 'via', addr.inetToPhone6),
    ipn(inet, 'addr', 'add', `${addr.inetToPhone}/24`, 'dev', 'to-phone'),
    ipn(inet, 'addr', 'add', `${addr.inetToPhone6}/64`, 'dev', 'to-phone', 'nodad'),
    ipn(inet, 'link', 'set', 'to-phone', 'up'),
  );
  // "Internet" servers on inet's loopback. inet has no default route: packets to anything else die there.
  cmds.push(
    ipn(inet, 'addr', 'add', `${addr.stunPrimary}/32`, 'dev', 'lo'),
    ipn(inet, 'addr', 'add', `${addr.stunAlternate}/32`, 'dev', 'lo'),
    ipn(inet, 'addr', 'add', `${addr.inet6Server}/128`, 'dev', 'lo'),
  );
  return cmds;
}

/** What differs between scenarios. */
export interface ScenarioShape {
  readonly gwPublic: boolean;
  /** Which router uplink carries traffic: its own public address, a CGNAT address, or a private upstream NAT. */
  readonly routerUplink: 'public' | 'cgnat' | 'private';
  readonly forward: boolean;
  readonly upnp: boolean;
  readonly symmetric: boolean;
  readonly udpBlocked: boolean;
  readonly ipv6: boolean;
  /** miniupnpd checks its WAN address by STUN (ext_perform_stun); without it, it will not say a private one. */
  readonly upnpStun: boolean;
  /** The isp namespace sends no ICMP time-exceeded: its hop is silent in traceroute. */
  readonly silentIsp: boolean;
  /** Only UDP destination port 3478 is dropped at the router. */
  readonly stunPortBlocked: boolean;
  /** The router's uplink is down. */
  readonly offline: boolean;
}

export function scenarioShape(s: Scenario): ScenarioShape {
  const base: ScenarioShape = {
    gwPublic: false,
    routerUplink: 'public',
    forward: false,
    upnp: false,
    symmetric: false,
    udpBlocked: false,
    ipv6: false,
    upnpStun: true,
    silentIsp: false,
    stunPortBlocked: false,
    offline: false,
  };
  switch (s) {
    case 'public':
      return { ...base, gwPublic: true };
    case 'nat':
      return base;
    case 'nat-forward':
      return { ...base, forward: true };
    case 'nat-upnp':
      return { ...base, upnp: true };
    case 'double-nat':
      return { ...base, routerUplink: 'private' };
    case 'cgnat':
      return { ...base, routerUplink: 'cgnat' };
    case 'cgnat-v6':
      return { ...base, routerUplink: 'cgnat', ipv6: true };
    case 'symmetric':
      return { ...base, symmetric: true };
    case 'udp-blocked':
      return { ...base, udpBlocked: true };
    case 'cgnat-upnp':
      return { ...base, routerUplink: 'cgnat', upnp: true };
    case 'cgnat-silent':
      return { ...base, routerUplink: 'cgnat', silentIsp: true };
    case 'cgnat-silent-upnp':
      return { ...base, routerUplink: 'cgnat', silentIsp: true, upnp: true };
    case 'router-declines':
      return { ...base, routerUplink: 'cgnat', silentIsp: true, upnp: true, upnpStun: false };
    case 'stun-port-blocked':
      return { ...base, stunPortBlocked: true };
    case 'offline':
      return { ...base, offline: true };
  }
}

/** Mutable facts a scenario switch needs: the public addresses an "ISP" may reassign. */
export interface WanState {
  /** The router's address on wan-pub (single NAT scenarios). */
  readonly routerWan: string;
  /** The isp's public pool address (CGNAT / double NAT scenarios). */
  readonly ispPublic: string;
  /** gw's own public address ("public" scenario). */
  readonly gwPublic: string;
}

export const initialWan: WanState = {
  routerWan: addr.routerWan,
  ispPublic: addr.ispPublic,
  gwPublic: addr.gwPublic,
};

/**
 * The ISP renumbers the router's WAN in place (single NAT scenarios): the old address goes, the new one comes,
 * and the router keeps running (miniupnpd keeps its state and its event subscribers).
 */
export function routerRenumberCommands(n: BedNames, address: string): Argv[] {
  const { router } = n.ns;
  return [
    ipn(router, 'addr', 'flush', 'dev', 'wan-pub', 'scope', 'global'),
    ipn(router, 'addr', 'add', `${address}/${addr.routerWanPrefixLen}`, 'dev', 'wan-pub'),
    ipn(router, 'route', 'replace', 'default', 'via', addr.inetToRouter),
  ];
}

/** The global IPv6 /64 the "ISP" routes to the site's LAN in cgnat-v6 before any prefix change. */
export const initialLanPrefix6 = '2001:db8:10::/64';

/** Interface identifiers on the LAN /64: the router (the LAN's gateway) and gw, the box. */
export const lanIid6 = { router: '1', gw: '2' } as const;

/** A LAN prefix the bed may use: a /64 inside 2001:db8::/32 written as `2001:db8:<group>[:<group>]::/64`. */
const lanPrefix6Pattern = /^2001:db8(?::[0-9a-f]{1,4}){1,2}::\/64$/;

/** Whether `prefix` is a LAN /64 the bed may route (documentation range only, in its short written form). */
export function isLanPrefix6(prefix: string): boolean {
  return lanPrefix6Pattern.test(prefix);
}

/** The address `iid` (the low groups, e.g. `2`) in a LAN prefix: `2001:db8:11::/64` and `2` give `2001:db8:11::2`. */
export function hostInPrefix6(prefix: string, iid: string): string {
  if (!isLanPrefix6(prefix)) throw new Error(`not a LAN /64 of the bed: ${prefix}`);
  return `${prefix.slice(0, -'/64'.length)}${iid}`;
}

/**
 * The ISP changes the IPv6 prefix it routes to the site (cgnat-v6), as a reconnect with a new delegation looks to
 * the box: the internet and the ISP route the new /64 to the router, the router numbers its LAN from it and lets
 * it in, the box gains its address in the new prefix (SLAAC from the new RA) and its default route moves; then
 * the old prefix is withdrawn (valid lifetime 0: its addresses removed) and its routes go. Make-before-break, so
 * the box is never without a global IPv6 address; the old firewall rule stays (nothing is routed to it any more).
 */
export function v6PrefixRenumberCommands(
  n: BedNames,
  from: string,
  to: string,
  /** The LAN host's interface identifier when it has an IPv6 address (lanHostIpv6Commands): it moves too. */
  lanHostIid?: string,
): Argv[] {
  if (!isLanPrefix6(from) || !isLanPrefix6(to)) throw new Error(`not LAN /64s of the bed: ${from}, ${to}`);
  if (from === to) return [];
  const { gw, lan, router, isp, inet } = n.ns;
  const routerTo = hostInPrefix6(to, lanIid6.router);
  const lanHost =
    lanHostIid === undefined
      ? []
      : [
          ipn(lan, '-6', 'addr', 'add', `${hostInPrefix6(to, lanHostIid)}/64`, 'dev', 'eth0', 'nodad'),
          ipn(lan, '-6', 'route', 'replace', 'default', 'via', routerTo),
          ipn(lan, '-6', 'addr', 'del', `${hostInPrefix6(from, lanHostIid)}/64`, 'dev', 'eth0'),
        ];
  return [
    ipn(inet, '-6', 'route', 'replace', to, 'via', addr.ispUplink6),
    ipn(isp, '-6', 'route', 'replace', to, 'via', addr.routerCgn6),
    ipn(router, '-6', 'addr', 'add', `${routerTo}/64`, 'dev', 'br-lan', 'nodad'),
    // The CGNAT uplink (cgnat-v6 is the only scenario with IPv6).
    [
      'ip',
      'netns',
      'exec',
      router,
      'nft',
      'insert',
      'rule',
      'inet',
      'filter',
      'forward',
      'meta',
      'nfproto',
      'ipv6',
      'iifname',
      'wan-cgn',
      'ip6',
      'daddr',
      to,
      'accept',
    ],
    ipn(gw, '-6', 'addr', 'add', `${hostInPrefix6(to, lanIid6.gw)}/64`, 'dev', 'eth0', 'nodad'),
    ipn(gw, '-6', 'route', 'replace', 'default', 'via', routerTo),
    ipn(gw, '-6', 'addr', 'del', `${hostInPrefix6(from, lanIid6.gw)}/64`, 'dev', 'eth0'),
    ...lanHost,
    ipn(router, '-6', 'addr', 'del', `${hostInPrefix6(from, lanIid6.router)}/64`, 'dev', 'br-lan'),
    ipn(isp, '-6', 'route', 'del', from),
    ipn(inet, '-6', 'route', 'del', from),
  ];
}

/**
 * The LAN host (the camera, lan) gets a global IPv6 address in the LAN prefix with its own interface identifier
 * (e.g. `211:32ff:fe12:3456`, an EUI-64), as SLAAC would give it, and its default route via the router.
 */
export function lanHostIpv6Commands(n: BedNames, prefix: string, iid: string): Argv[] {
  const { lan } = n.ns;
  return [
    ipn(lan, '-6', 'addr', 'add', `${hostInPrefix6(prefix, iid)}/64`, 'dev', 'eth0', 'nodad'),
    ipn(lan, '-6', 'route', 'replace', 'default', 'via', hostInPrefix6(prefix, lanIid6.router)),
  ];
}

/** The LAN host's global IPv6 addresses go (a scenario switch: only cgnat-v6 routes a prefix to the LAN). */
export function lanHostIpv6FlushCommands(n: BedNames): Argv[] {
  return [ipn(n.ns.lan, '-6', 'addr', 'flush', 'dev', 'eth0', 'scope', 'global')];
}

/**
 * Commands that move the bed into a scenario from any other one. Idempotent: `replace` and `flush` forms,
 * link states set explicitly. Firewall rulesets are loaded separately (nftables scripts on stdin).
 */
export function scenarioCommands(n: BedNames, shape: ScenarioShape, wan: WanState): Argv[] {
  const { gw, router, isp } = n.ns;
  const cmds: Argv[] = [];
  // gw: own public address, or behind the router.
  if (shape.gwPublic) {
    cmds.push(
      ipn(gw, 'link', 'set', 'wan0', 'up'),
      ipn(gw, 'addr', 'flush', 'dev', 'wan0', 'scope', 'global'),
      ipn(gw, 'addr', 'add', `${wan.gwPublic}/28`, 'dev', 'wan0'),
      ipn(gw, 'route', 'replace', 'default', 'via', addr.inetToGw),
    );
  } else {
    cmds.push(
      ipn(gw, 'addr', 'flush', 'dev', 'wan0', 'scope', 'global'),
      ipn(gw, 'link', 'set', 'wan0', 'down'),
      ipn(gw, 'route', 'replace', 'default', 'via', addr.routerLan),
    );
  }
  // gw IPv6: a global address only in cgnat-v6.
  cmds.push(ipn(gw, '-6', 'addr', 'flush', 'dev', 'eth0', 'scope', 'global'));
  if (shape.ipv6) {
    cmds.push(
      ipn(gw, '-6', 'addr', 'add', `${addr.gwLan6}/64`, 'dev', 'eth0', 'nodad'),
      ipn(gw, '-6', 'route', 'replace', 'default', 'via', addr.routerLan6),
    );
  }
  // Router uplink.
  // Only global addresses: the IPv6 link-local address must survive, or neighbour discovery on a link that
  // stays up (cgnat → cgnat-v6) has no source address and IPv6 blackholes.
  cmds.push(
    ipn(router, 'addr', 'flush', 'dev', 'wan-pub', 'scope', 'global'),
    ipn(router, 'addr', 'flush', 'dev', 'wan-cgn', 'scope', 'global'),
  );
  cmds.push(ipn(isp, 'addr', 'flush', 'dev', 'cust0', 'scope', 'global'));
  cmds.push(ipn(isp, 'addr', 'add', `${addr.ispCust6}/64`, 'dev', 'cust0', 'nodad'));
  if (shape.routerUplink === 'public' && shape.offline) {
    // The uplink is down: the router keeps its LAN side and has no way out (no default route).
    cmds.push(ipn(router, 'link', 'set', 'wan-cgn', 'down'), ipn(router, 'link', 'set', 'wan-pub', 'down'));
  } else if (shape.routerUplink === 'public') {
    cmds.push(
      ipn(router, 'link', 'set', 'wan-cgn', 'down'),
      ipn(router, 'link', 'set', 'wan-pub', 'up'),
      ipn(router, 'addr', 'add', `${wan.routerWan}/${addr.routerWanPrefixLen}`, 'dev', 'wan-pub'),
      ipn(router, 'route', 'replace', 'default', 'via', addr.inetToRouter),
    );
  } else {
    const [mine, theirs] =
      shape.routerUplink === 'cgnat'
        ? [addr.routerCgn, addr.ispCust]
        : [addr.routerDoubleNat, addr.ispDoubleNat];
    cmds.push(
      ipn(router, 'link', 'set', 'wan-pub', 'down'),
      ipn(router, 'link', 'set', 'wan-cgn', 'up'),
      ipn(router, 'addr', 'add', `${mine}/24`, 'dev', 'wan-cgn'),
      ipn(router, 'addr', 'add', `${addr.routerCgn6}/64`, 'dev', 'wan-cgn', 'nodad'),
      ipn(router, 'route', 'replace', 'default', 'via', theirs),
      ipn(router, '-6', 'route', 'replace', 'default', 'via', addr.ispCust6),
      ipn(isp, 'addr', 'add', `${theirs}/24`, 'dev', 'cust0'),
    );
  }
  // The isp's public pool address may have been reassigned.
  cmds.push(
    ipn(isp, 'addr', 'flush', 'dev', 'uplink', 'scope', 'global'),
    ipn(isp, 'addr', 'add', `${wan.ispPublic}/28`, 'dev', 'uplink'),
    ipn(isp, 'addr', 'add', `${addr.ispUplink6}/64`, 'dev', 'uplink', 'nodad'),
    ipn(isp, 'route', 'replace', 'default', 'via', addr.inetToIsp),
    ipn(isp, '-6', 'route', 'replace', 'default', 'via', addr.inetToIsp6),
  );
  // Static IPv6 routes towards the LAN prefix die with the flushed link addresses: put them back.
  cmds.push(ipn(isp, '-6', 'route', 'replace', '2001:db8:10::/64', 'via', addr.routerCgn6));
  // Neighbour entries learnt under the old addressing would blackhole the first packets.
  for (const ns of [gw, router, isp])
    cmds.push(ipn(ns, 'neigh', 'flush', 'all'), ipn(ns, '-6', 'neigh', 'flush', 'all'));
  // Old NAT mappings die with the old configuration, as they do when an ISP reconnects you.
  for (const ns of [router, isp]) cmds.push(['ip', 'netns', 'exec', ns, 'conntrack', '-F']);
  return cmds;
}

/** The router's nftables ruleset for a scenario (loaded with `nft -f -` inside the router namespace). */
export function routerRuleset(shape: ScenarioShape, wan: WanState): string {
  const wanIf = shape.routerUplink === 'public' ? 'wan-pub' : 'wan-cgn';
  const masquerade = shape.symmetric ? 'masquerade fully-random' : 'masquerade';
  const forwards = shape.forward
    ? [
        `    iifname "${wanIf}" udp dport ${ports.wireguard} dnat ip to ${addr.gwLan}:${ports.wireguard}`,
        `    iifname "${wanIf}" tcp dport ${ports.forwardTcp} dnat ip to ${addr.lanHost}:${ports.camera}`,
        // hairpin: LAN clients using the public address
        `    iifname "br-lan" ip daddr ${wan.routerWan} tcp dport ${ports.forwardTcp} dnat ip to ${addr.lanHost}:${ports.camera}`,
      ]
    : [];
  return `flush ruleset
table ip nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${forwards.join('\n')}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "${wanIf}" ip saddr ${addr.lanPrefix} ${masquerade}
    ip saddr ${addr.lanPrefix} ip daddr ${addr.lanPrefix} ct status dnat masquerade
  }
}
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy drop;
${shape.udpBlocked ? `    oifname "${wanIf}" meta l4proto udp counter drop\n    iifname "${wanIf}" meta l4proto udp counter drop\n` : ''}${shape.stunPortBlocked ? `    oifname "${wanIf}" udp dport ${ports.stun} counter drop\n` : ''}    ct state established,related accept
    iifname "br-lan" accept
    ct status dnat accept
    meta nfproto ipv6 iifname "${wanIf}" ip6 daddr 2001:db8:10::/64 accept
    jump miniupnpd
  }
  chain miniupnpd { }
  chain prerouting {
    type nat hook prerouting priority dstnat - 1; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat - 1; policy accept;
    jump postrouting_miniupnpd
  }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
}
`;
}

/**
 * The isp's ruleset: source NAT of its customers to the public pool address; for a silent hop, none of the ICMP
 * time-exceeded messages traceroute relies on (as many carrier-grade NATs do).
 */
export function ispRuleset(shape: ScenarioShape, wan: WanState): string {
  const from = shape.routerUplink === 'private' ? addr.doubleNatPrefix : addr.cgnPrefix;
  const silent = shape.silentIsp
    ? `table inet silent {
  chain output {
    type filter hook output priority filter; policy accept;
    icmp type time-exceeded counter drop
    icmpv6 type time-exceeded counter drop
  }
}
`
    : '';
  return `flush ruleset
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "uplink" ip saddr ${from} snat to ${wan.ispPublic}
  }
}
${silent}`;
}

/** Which of the router's static web forwards are on (a switch of its own, kept across scenario switches). */
export interface WebForward {
  /** Public TCP 80 → the box's port 80: the path of HTTP-01 validation, as a user's port forward gives it. */
  readonly http: boolean;
  /** Public TCP 443 → this port on the box (its HTTPS admin listener), or null for none. */
  readonly httpsToPort: number | null;
}

export const noWebForward: WebForward = { http: false, httpsToPort: null };

/** The nftables table that carries the web forwards (its own table: loading it leaves miniupnpd's chains alone). */
export const webForwardTable = 'gh_web_forward';

/**
 * The router's web forwards as an nft script: the table is created (so the delete never fails), deleted and, when
 * any forward is on, made again; each forward has its hairpin twin, so LAN hosts may use the public address too
 * (masqueraded by the scenario ruleset's `ct status dnat masquerade`; the forward chain accepts `ct status dnat`).
 * Single NAT only: behind CGNAT or a second NAT, a forward on the router would not be reachable from outside.
 */
export function webForwardRuleset(shape: ScenarioShape, forward: WebForward): string {
  const head = `table ip ${webForwardTable}\ndelete table ip ${webForwardTable}\n`;
  const rules: string[] = [];
  const to = (port: number) => `dnat ip to ${addr.gwLan}:${port}`;
  const add = (publicPort: number, boxPort: number) =>
    rules.push(
      `    iifname "wan-pub" tcp dport ${publicPort} ${to(boxPort)}`,
      // Any of the router's own addresses but its LAN one: still right after renumberRouterWan.
      `    iifname "br-lan" ip daddr != ${addr.lanPrefix} fib daddr type local tcp dport ${publicPort} ${to(boxPort)}`,
    );
  if (forward.http) add(ports.http, ports.http);
  if (forward.httpsToPort !== null) add(ports.https, forward.httpsToPort);
  if (rules.length === 0 || shape.gwPublic || shape.routerUplink !== 'public') return head;
  return `${head}table ip ${webForwardTable} {
  chain prerouting {
    type nat hook prerouting priority dstnat + 1; policy accept;
${rules.join('\n')}
  }
}
`;
}

/** A Gatehouse config file whose reachability sources are the bed's own servers (never public ones). */
export function gatehouseReachabilityConfig(
  options: { lyingEcho?: boolean; quorum?: number; backstopSeconds?: number; hostnames?: boolean } = {},
): string {
  // By name (the bed's DNS has stun / stun2.example.test): every source needs a lookup first.
  const v4 = (address: string) =>
    options.hostnames ? (address === addr.stunPrimary ? `stun.${zoneName}` : `stun2.${zoneName}`) : address;
  return JSON.stringify(
    {
      reachability: {
        // STUN on two ports (as the defaults, 3478 and 19302): one filtered port is not "UDP blocked".
        stunServers: [
          `${v4(addr.stunPrimary)}:${ports.stun}`,
          `${v4(addr.stunAlternate)}:${ports.stun}`,
          `${v4(addr.stunAlternate)}:${ports.stunAlt}`,
          `[${addr.inet6Server}]:${ports.stun}`,
        ],
        httpEcho: [
          { url: `http://${v4(addr.stunPrimary)}:${ports.httpEcho}/`, family: 'ipv4' },
          { url: `http://[${addr.inet6Server}]:${ports.httpEcho}/`, family: 'ipv6' },
          ...(options.lyingEcho
            ? [{ url: `http://${addr.stunAlternate}:${ports.lyingEcho}/`, family: 'ipv4' }]
            : []),
        ],
        dnsEcho: [],
        quorum: options.quorum ?? 2,
        backstopSeconds: options.backstopSeconds ?? 30,
        publicRanges: ['203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'],
      },
    },
    null,
    2,
  );
}

/** /etc/netns/<ns>/resolv.conf: every namespace resolves through the bed's own DNS server. */
export const resolvConf = `nameserver ${addr.dns}\noptions timeout:1 attempts:1\n`;

export function namedConf(dir: string): string {
  return `options {
    directory "${dir}";
    pid-file "${dir}/named.pid";
    listen-on port ${ports.dns} { ${addr.dns}; };
    listen-on-v6 { none; };
    recursion no;
    allow-query { any; };
    allow-transfer { any; };
    dnssec-validation no;
};
include "${dir}/tsig.key";
controls { };
zone "${zoneName}" {
    type primary;
    file "${dir}/${zoneName}.zone";
    journal "${dir}/${zoneName}.zone.jnl";
    update-policy {
        grant ${tsigKeyName} zonesub ANY;
    };
};
`;
}

export function tsigKeyConf(secretBase64: string): string {
  return `key "${tsigKeyName}" {\n    algorithm hmac-sha256;\n    secret "${secretBase64}";\n};\n`;
}

export function zoneFile(): string {
  return `$TTL 60
@       IN SOA ns1.${zoneName}. hostmaster.${zoneName}. ( 1 60 60 600 60 )
        IN NS  ns1.${zoneName}.
ns1     IN A   ${addr.dns}
acme    IN A   ${addr.acme}
stun    IN A   ${addr.stunPrimary}
stun2   IN A   ${addr.stunAlternate}
`;
}

export interface PebbleOptions {
  /**
   * The lifetime pebble gives its certificates, in seconds (pebble's `certificateValidityPeriod`; its default is
   * five years). Short-lived certificates drive renewal by the real scheduler within a test.
   */
  readonly certificateValiditySeconds?: number;
}

export function pebbleConfig(dir: string, options: PebbleOptions = {}): string {
  return JSON.stringify(
    {
      pebble: {
        listenAddress: `${addr.acme}:${ports.acme}`,
        managementListenAddress: `${addr.acme}:${ports.acmeManagement}`,
        certificate: `${dir}/listener.crt`,
        privateKey: `${dir}/listener.key`,
        httpPort: 80,
        tlsPort: 443,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        ...(options.certificateValiditySeconds === undefined
          ? {}
          : { certificateValidityPeriod: options.certificateValiditySeconds }),
      },
    },
    null,
    2,
  );
}

/**
 * miniupnpd refuses a private or CGNAT WAN address for port forwarding: with `ext_perform_stun` it learns the
 * public address by STUN (and still refuses mappings behind CGNAT); without it, it will not say its address.
 * External port 80 → internal 80 is allowed besides the unprivileged ports: the temporary TCP 80 mapping of an
 * ACME HTTP-01 challenge (test/e2e/router-tcp-mapping.test.ts).
 */
export function miniupnpdConf(dir: string, shape: ScenarioShape): string {
  return `ext_ifname=${shape.routerUplink === 'public' ? 'wan-pub' : 'wan-cgn'}
listening_ip=br-lan
http_port=${ports.upnpHttp}
enable_natpmp=yes
enable_upnp=yes
secure_mode=no
system_uptime=yes
uuid=3c1a2b5e-6f7d-4e21-9a8b-0c0ffee00001
friendly_name=Testbed Router
lease_file=${dir}/upnp.leases
upnp_table_name=filter
upnp_nat_table_name=filter
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
allow 1024-65535 ${addr.lanPrefix} 1024-65535
allow 80 ${addr.lanPrefix} 80
deny 0-65535 0.0.0.0/0 0-65535
${
  shape.upnpStun
    ? `ext_perform_stun=yes
ext_stun_host=${addr.stunPrimary}
ext_stun_port=${ports.stun}
`
    : ''
}`;
}

import { describe, expect, it } from 'vitest';
import type { CgnatFinding, NatKind, PortMappingVerdict } from '../reach/verdict.js';
import {
  assessHttp01,
  chooseChallenge,
  type ChallengeChoiceInput,
  type ReachFacts,
} from './challenge-plan.js';

const reach = (
  kind: NatKind,
  portMapping: PortMappingVerdict = 'not-tried',
  cgnat: CgnatFinding = 'ruled-out',
  globalReachable = false,
): ReachFacts => ({ ipv4: { kind, portMapping, cgnat }, ipv6: { globalReachable } });

const FORWARD = 'forward TCP port 80 on the router to this box';
const NOT_LISTENING = {
  kind: 'impossible',
  reason: "Gatehouse's port-80 listener is not running",
  advice: 'free TCP port 80 on this box or correct acme.http01.listen, then restart Gatehouse',
};
const PUBLIC = 'this box holds its public IPv4 address, so the CA reaches port 80 directly';
const MAPPED =
  'the router maps ports for Gatehouse (UPnP, NAT-PMP or PCP), so TCP port 80 is opened on it for the length of each challenge';
const MAPPING_OFF =
  'the router could map TCP port 80, but mapping it is turned off (acme.http01.mapRouterPort)';
const MANUAL =
  'this box is behind a router that does not map ports for Gatehouse, so port 80 reaches it only through a manual forward, which cannot be checked from inside';
const CGNAT =
  'this box is behind carrier-grade NAT (the provider shares one public IPv4 address between customers), so the CA cannot reach port 80 here';
const DOUBLE = 'two routers translate addresses, so port 80 reaches this box only if it is forwarded on both';
const DOUBLE_ADVICE =
  "forward TCP port 80 on both (the provider's modem → your router → this box), or put the modem in bridge mode";
const NOT_CHECKED =
  'reachability has not been checked yet, so it is not known whether the CA can reach port 80';
const IPV6_HTTP =
  "When the name has an AAAA record, the CA connects over IPv6 first: allow TCP port 80 to this box in the router's IPv6 firewall, or leave the AAAA record out.";

describe('assessHttp01', () => {
  const on = { http01Listening: true, mapRouterPort: true };
  it.each([
    {
      name: 'listener down (even with a public address)',
      input: { ...on, http01Listening: false, reach: reach('public') },
      out: NOT_LISTENING,
    },
    {
      name: 'not checked yet',
      input: { ...on, reach: null },
      out: { kind: 'doubtful', reason: NOT_CHECKED, advice: `if this box is behind a router, ${FORWARD}` },
    },
    { name: 'public', input: { ...on, reach: reach('public') }, out: { kind: 'good', reason: PUBLIC } },
    {
      name: 'public, UDP blocked and symmetric NAT do not matter (a whole verdict fits)',
      input: {
        ...on,
        reach: {
          ...reach('public'),
          level: 'impossible',
          ipv4: { ...reach('public').ipv4, udp: 'blocked', mapping: 'endpoint-dependent' },
        } as ReachFacts,
      },
      out: { kind: 'good', reason: PUBLIC },
    },
    {
      name: 'NAT, router maps',
      input: { ...on, reach: reach('nat', 'mapped') },
      out: { kind: 'good', reason: MAPPED },
    },
    {
      name: 'NAT, router maps, mapping turned off',
      input: { ...on, mapRouterPort: false, reach: reach('nat', 'mapped') },
      out: {
        kind: 'doubtful',
        reason: MAPPING_OFF,
        advice: `turn acme.http01.mapRouterPort on, or ${FORWARD}`,
      },
    },
    {
      name: 'NAT, mapping unconfirmed (a NAT in front)',
      input: { ...on, reach: reach('nat', 'unconfirmed', 'not-ruled-out') },
      out: {
        kind: 'doubtful',
        reason:
          'the router maps ports, but another NAT seems to sit in front of it, so port 80 may not reach this box',
        advice: `${FORWARD} and on the device in front of it, or put that device in bridge mode`,
      },
    },
    {
      name: 'NAT, CGNAT not ruled out',
      input: { ...on, reach: reach('nat', 'refused', 'not-ruled-out') },
      out: {
        kind: 'doubtful',
        reason:
          'this box is behind a router and carrier-grade NAT is not ruled out, so port 80 may be unreachable from the internet',
        advice: `check on the router's status page that its WAN address is public, and ${FORWARD}`,
      },
    },
    ...(['unsupported', 'refused', 'lost', 'disabled', 'not-tried'] as const).map((pm) => ({
      name: `NAT, mapping ${pm}, CGNAT ruled out`,
      input: { ...on, reach: reach('nat', pm, 'ruled-out') },
      out: { kind: 'doubtful', reason: MANUAL, advice: FORWARD },
    })),
    {
      name: 'double NAT',
      input: { ...on, reach: reach('double-nat', 'mapped', 'not-ruled-out') },
      out: { kind: 'doubtful', reason: DOUBLE, advice: DOUBLE_ADVICE },
    },
    {
      name: 'CGNAT with a public IPv6 address',
      input: { ...on, reach: reach('cgnat', 'refused', 'found', true) },
      out: {
        kind: 'doubtful',
        reason: 'this box is behind carrier-grade NAT, so the CA can reach port 80 only over IPv6',
        advice:
          "give the name an AAAA record for this box and allow TCP port 80 to it in the router's IPv6 firewall",
      },
    },
    {
      name: 'CGNAT without IPv6',
      input: { ...on, reach: reach('cgnat', 'refused', 'found') },
      out: { kind: 'impossible', reason: CGNAT, advice: 'ask the provider for a public IPv4 address' },
    },
    {
      name: 'offline',
      input: { ...on, reach: reach('offline', 'not-tried', 'not-ruled-out') },
      out: {
        kind: 'doubtful',
        reason:
          'the box was offline at the last reachability check, so it is not known whether the CA can reach port 80',
        advice: `check this box's internet connection; if it is behind a router, ${FORWARD}`,
      },
    },
    {
      name: 'unknown',
      input: { ...on, reach: reach('unknown', 'not-tried', 'not-ruled-out') },
      out: {
        kind: 'doubtful',
        reason:
          'the last reachability check could not tell how the internet reaches this box, so port 80 may be unreachable',
        advice: `if this box is behind a router, ${FORWARD}`,
      },
    },
  ])('$name', ({ input, out }) => {
    expect(assessHttp01(input)).toEqual(out);
  });
});

const NAMES = ['a.test', 'b.test'];
const base: ChallengeChoiceInput = {
  setting: 'auto',
  names: NAMES,
  dnsWritable: () => true,
  http01Listening: true,
  mapRouterPort: true,
  reach: reach('public'),
};
const noDns = { dnsWritable: () => false };
const choice = (chosen: 'http-01' | 'dns-01' | null, why: string, warnings: string[] = []) => ({
  chosen,
  why,
  warnings,
});
const DNS_AS_SET = 'DNS-01, as set: a DNS provider that can write TXT records covers every name.';
const dnsBecause = (doubt: 'is doubtful' | 'cannot work', reason: string) =>
  `DNS-01, because HTTP-01 ${doubt} here: ${reason}. DNS-01 needs no inbound port, and a DNS provider that can write TXT records covers every name.`;
const SET_UP_DNS =
  'Or set up a DNS provider that can write TXT records for a.test, b.test: Gatehouse would then use DNS-01, which needs no inbound port.';

describe('chooseChallenge', () => {
  it.each<{ name: string; input: Partial<ChallengeChoiceInput>; out: ReturnType<typeof choice> }>([
    // No names.
    {
      name: 'no names',
      input: { names: [] },
      out: choice(null, 'No names yet: add the host names the certificate should cover.'),
    },
    // Wildcards: DNS-01 or nothing, whatever the reachability.
    {
      name: 'wildcard with http-01 set',
      input: { names: ['*.a.test', 'a.test'], setting: 'http-01' },
      out: choice(
        null,
        'Wildcard names (*.a.test) can only be validated through DNS: choose dns-01 or auto, or remove the wildcard names.',
      ),
    },
    {
      name: 'wildcard, auto, public address: still DNS-01',
      input: { names: ['*.a.test', 'a.test'] },
      out: choice('dns-01', 'DNS-01: wildcard names (*.a.test) can only be validated through DNS.'),
    },
    {
      name: 'wildcard with dns-01 set',
      input: { names: ['*.a.test', '*.b.test'], setting: 'dns-01' },
      out: choice('dns-01', 'DNS-01: wildcard names (*.a.test, *.b.test) can only be validated through DNS.'),
    },
    {
      name: 'wildcard without a DNS provider for its base name',
      input: { names: ['*.a.test', 'b.test'], dnsWritable: new Map([['b.test', true]]) },
      out: choice(
        null,
        'Wildcard names (*.a.test) can only be validated through DNS, and no DNS provider that can write TXT records covers *.a.test: set one up for them in DDNS, or remove the wildcard names.',
      ),
    },
    // dns-01 set.
    {
      name: 'dns-01 set, covered (public address does not matter)',
      input: { setting: 'dns-01' },
      out: choice('dns-01', DNS_AS_SET),
    },
    {
      name: 'dns-01 set, a name uncovered (map without it)',
      input: { setting: 'dns-01', dnsWritable: new Map([['a.test', true]]) },
      out: choice(
        null,
        'DNS-01 needs a DNS provider that can write TXT records for every name, and none covers b.test: set one up for them in DDNS, or choose http-01 or auto.',
      ),
    },
    {
      name: 'dns-01 set, no name covered',
      input: { setting: 'dns-01', dnsWritable: new Map() },
      out: choice(
        null,
        'DNS-01 needs a DNS provider that can write TXT records for every name, and none covers a.test, b.test: set one up for them in DDNS, or choose http-01 or auto.',
      ),
    },
    {
      name: 'dns-01 set, a name mapped to false',
      input: {
        setting: 'dns-01',
        dnsWritable: new Map([
          ['a.test', false],
          ['b.test', true],
        ]),
      },
      out: choice(
        null,
        'DNS-01 needs a DNS provider that can write TXT records for every name, and none covers a.test: set one up for them in DDNS, or choose http-01 or auto.',
      ),
    },
    // http-01 set.
    {
      name: 'http-01 set, public',
      input: { setting: 'http-01' },
      out: choice('http-01', `HTTP-01, as set: ${PUBLIC}.`),
    },
    {
      name: 'http-01 set, public with IPv6: the AAAA warning',
      input: { setting: 'http-01', reach: reach('public', 'not-tried', 'ruled-out', true) },
      out: choice('http-01', `HTTP-01, as set: ${PUBLIC}.`, [IPV6_HTTP]),
    },
    {
      name: 'http-01 set, manual forward, no DNS provider',
      input: { setting: 'http-01', reach: reach('nat', 'unsupported'), ...noDns },
      out: choice('http-01', 'HTTP-01, as set.', [`T${MANUAL.slice(1)}: ${FORWARD}.`]),
    },
    {
      name: 'http-01 set, manual forward, DNS provider available, IPv6',
      input: { setting: 'http-01', reach: reach('nat', 'unsupported', 'ruled-out', true) },
      out: choice('http-01', 'HTTP-01, as set.', [
        `T${MANUAL.slice(1)}: ${FORWARD}.`,
        'DNS-01 would not depend on port 80: choose dns-01 or auto.',
        IPV6_HTTP,
      ]),
    },
    {
      name: 'http-01 set, CGNAT with IPv6: allowed, no second IPv6 warning',
      input: { setting: 'http-01', reach: reach('cgnat', 'refused', 'found', true), ...noDns },
      out: choice('http-01', 'HTTP-01, as set.', [
        "This box is behind carrier-grade NAT, so the CA can reach port 80 only over IPv6: give the name an AAAA record for this box and allow TCP port 80 to it in the router's IPv6 firewall.",
      ]),
    },
    {
      name: 'http-01 set, listener down, DNS provider available',
      input: { setting: 'http-01', http01Listening: false },
      out: choice(
        null,
        "HTTP-01 cannot work: Gatehouse's port-80 listener is not running. Free TCP port 80 on this box or correct acme.http01.listen, then restart Gatehouse, or choose dns-01 or auto.",
      ),
    },
    {
      name: 'http-01 set, listener down, no DNS provider',
      input: { setting: 'http-01', http01Listening: false, ...noDns },
      out: choice(
        null,
        "HTTP-01 cannot work: Gatehouse's port-80 listener is not running. Free TCP port 80 on this box or correct acme.http01.listen, then restart Gatehouse, or choose dns-01 with a DNS provider that can write TXT records.",
      ),
    },
    {
      name: 'http-01 set, CGNAT without IPv6',
      input: { setting: 'http-01', reach: reach('cgnat', 'refused', 'found') },
      out: choice(
        null,
        `HTTP-01 cannot work: ${CGNAT}. Ask the provider for a public IPv4 address, or choose dns-01 or auto.`,
      ),
    },
    // auto.
    {
      name: 'auto, public: HTTP-01 even with a DNS provider',
      input: {},
      out: choice('http-01', `HTTP-01: ${PUBLIC}.`),
    },
    {
      name: 'auto, public with IPv6',
      input: { reach: reach('public', 'not-tried', 'ruled-out', true) },
      out: choice('http-01', `HTTP-01: ${PUBLIC}.`, [IPV6_HTTP]),
    },
    {
      name: 'auto, router maps',
      input: { reach: reach('nat', 'mapped') },
      out: choice('http-01', `HTTP-01: ${MAPPED}.`),
    },
    {
      name: 'auto, router maps but mapping off, DNS provider: DNS-01',
      input: { reach: reach('nat', 'mapped'), mapRouterPort: false },
      out: choice('dns-01', dnsBecause('is doubtful', MAPPING_OFF)),
    },
    {
      name: 'auto, router maps but mapping off, no DNS provider: HTTP-01 with warnings',
      input: { reach: reach('nat', 'mapped', 'ruled-out', true), mapRouterPort: false, ...noDns },
      out: choice('http-01', `HTTP-01, though uncertain: ${MAPPING_OFF}.`, [
        `Turn acme.http01.mapRouterPort on, or ${FORWARD}.`,
        SET_UP_DNS,
        IPV6_HTTP,
      ]),
    },
    {
      name: 'auto, manual forward, DNS provider: DNS-01',
      input: { reach: reach('nat', 'refused') },
      out: choice('dns-01', dnsBecause('is doubtful', MANUAL)),
    },
    {
      name: 'auto, CGNAT, DNS provider: DNS-01',
      input: { reach: reach('cgnat', 'refused', 'found') },
      out: choice('dns-01', dnsBecause('cannot work', CGNAT)),
    },
    {
      name: 'auto, CGNAT with IPv6, DNS provider: DNS-01',
      input: { reach: reach('cgnat', 'refused', 'found', true) },
      out: choice(
        'dns-01',
        dnsBecause(
          'is doubtful',
          'this box is behind carrier-grade NAT, so the CA can reach port 80 only over IPv6',
        ),
      ),
    },
    {
      name: 'auto, CGNAT without IPv6, no DNS provider: nothing',
      input: { reach: reach('cgnat', 'refused', 'found'), ...noDns },
      out: choice(
        null,
        `Neither challenge can work: HTTP-01 because ${CGNAT}; DNS-01 because no DNS provider that can write TXT records covers a.test, b.test. Ask the provider for a public IPv4 address, or set up a DNS provider that can write TXT records for those names.`,
      ),
    },
    {
      name: 'auto, double NAT, DNS provider: DNS-01',
      input: { reach: reach('double-nat', 'not-tried', 'not-ruled-out') },
      out: choice('dns-01', dnsBecause('is doubtful', DOUBLE)),
    },
    {
      name: 'auto, double NAT, no DNS provider: HTTP-01 with the forward on both',
      input: { reach: reach('double-nat', 'not-tried', 'not-ruled-out'), ...noDns },
      out: choice('http-01', `HTTP-01, though uncertain: ${DOUBLE}.`, [
        `F${DOUBLE_ADVICE.slice(1)}.`,
        SET_UP_DNS,
      ]),
    },
    {
      name: 'auto, not checked yet, DNS provider: DNS-01',
      input: { reach: null },
      out: choice('dns-01', dnsBecause('is doubtful', NOT_CHECKED)),
    },
    {
      name: 'auto, not checked yet, no DNS provider',
      input: { reach: null, ...noDns },
      out: choice('http-01', `HTTP-01, though uncertain: ${NOT_CHECKED}.`, [
        `If this box is behind a router, ${FORWARD}.`,
        SET_UP_DNS,
      ]),
    },
    {
      name: 'auto, listener down, DNS provider: DNS-01',
      input: { http01Listening: false },
      out: choice('dns-01', dnsBecause('cannot work', "Gatehouse's port-80 listener is not running")),
    },
    {
      name: 'auto, listener down, one name uncovered: nothing',
      input: { http01Listening: false, dnsWritable: (n: string) => n === 'a.test' },
      out: choice(
        null,
        "Neither challenge can work: HTTP-01 because Gatehouse's port-80 listener is not running; DNS-01 because no DNS provider that can write TXT records covers b.test. Free TCP port 80 on this box or correct acme.http01.listen, then restart Gatehouse, or set up a DNS provider that can write TXT records for those names.",
      ),
    },
  ])('$name', ({ input, out }) => {
    expect(chooseChallenge({ ...base, ...input })).toEqual(out);
  });

  it('asks the DNS providers about a wildcard by its base name', () => {
    const asked: string[] = [];
    const out = chooseChallenge({
      ...base,
      names: ['*.a.test', 'b.test'],
      dnsWritable: (n) => {
        asked.push(n);
        return true;
      },
    });
    expect(out.chosen).toBe('dns-01');
    expect(asked).toEqual(['a.test', 'b.test']);
  });

  it('a name like "x*.a.test" is no wildcard', () => {
    expect(chooseChallenge({ ...base, names: ['x*.a.test'] }).chosen).toBe('http-01');
  });
});

import { describe, expect, it } from 'vitest';
import {
  addressText,
  normaliseAddress,
  normaliseHostname,
  planUpdate,
  readAddresses,
  type LastPushed,
  type PushedAddresses,
} from './plan.js';

// The bed's documentation ranges count as public, as the reachability setting `publicRanges` makes them there.
const publicRanges = ['203.0.113.0/24', '198.51.100.0/24', '2001:db8::/32'];
const client = { name: 'fritzbox', hostnames: ['home.example.test', 'nas.example.test'] };
const nothingPushed: LastPushed = () => undefined;

function req(query: string, sourceAddress = '10.10.0.1') {
  const params = new URLSearchParams(query);
  return { param: (n: string) => params.get(n) ?? undefined, sourceAddress };
}

describe('normaliseHostname', () => {
  it('is the one hostname rule of DDNS (hostname.ts, tested there): the Unicode form or upper case matches', () => {
    expect(normaliseHostname('Café.Example.Test.')).toBe('xn--caf-dma.example.test');
    expect(normaliseHostname('home')).toBeUndefined();
  });
});

describe('normaliseAddress', () => {
  it.each([
    ['203.0.113.7', { family: 'ipv4', address: '203.0.113.7' }],
    ['::ffff:10.10.0.1', { family: 'ipv4', address: '10.10.0.1' }],
    ['2001:DB8:0:0:0:0:0:7', { family: 'ipv6', address: '2001:db8::7' }],
    [' 2001:db8::7 ', { family: 'ipv6', address: '2001:db8::7' }],
    ['::ffff:198.51.100.10', { family: 'ipv4', address: '198.51.100.10' }],
    ['1::ffff:10.0.0.1', { family: 'ipv6', address: '1::ffff:a00:1' }],
    ['::ffff:10.0.0.1x', undefined],
    ['fe80::1%eth0', undefined],
    ['203.0.113', undefined],
    ['203.0.113.007', undefined],
    ['home.example.test', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(normaliseAddress(text)).toEqual(expected);
  });
});

describe('readAddresses', () => {
  it.each([
    ['myip=203.0.113.7', { ipv4: '203.0.113.7' }],
    ['myip=2001:db8::7', { ipv6: '2001:db8::7' }],
    ['myip=203.0.113.7,2001:db8::7', { ipv4: '203.0.113.7', ipv6: '2001:db8::7' }],
    ['myip=203.0.113.7&myipv6=2001:db8::7', { ipv4: '203.0.113.7', ipv6: '2001:db8::7' }],
    ['myip=203.0.113.7,2001:db8::7&myipv6=2001:db8:0::7', { ipv4: '203.0.113.7', ipv6: '2001:db8::7' }],
    ['myipv6=2001:db8::7', { ipv6: '2001:db8::7' }],
    ['myip=203.0.113.7&myipv6=no', { ipv4: '203.0.113.7' }],
    ['myip=203.0.113.7,', { ipv4: '203.0.113.7' }],
    ['myip=,2001:db8::7', { ipv6: '2001:db8::7' }],
    ['myip=203.0.113.7,%20,2001:db8::7&myipv6=', { ipv4: '203.0.113.7', ipv6: '2001:db8::7' }],
  ])('%s → %j', (query, addresses) => {
    expect(readAddresses(req(query), publicRanges)).toEqual({ ok: true, addresses });
  });

  it.each([
    ['', '10.10.0.1', /source address.*10\.10\.0\.1 is private/],
    ['myip=', '10.10.0.1', /source address/],
    ['myip=no', '::ffff:10.10.0.1', /source address.*10\.10\.0\.1 is private/],
    ['', 'unknown', /source address \(no myip\) is not an IP address/],
    ['myip=10.0.0.1', '203.0.113.9', /myip 10\.0\.0\.1 is private/],
    ['myip=100.64.0.2', '203.0.113.9', /carrier-grade NAT/],
    ['myip=127.0.0.1', '203.0.113.9', /loopback/],
    ['myip=192.0.2.1', '203.0.113.9', /documentation/],
    ['myip=fd00::1', '203.0.113.9', /unique local/],
    ['myip=garbage', '203.0.113.9', /myip is not an IP address/],
    ['myip=203.0.113.7,garbage', '203.0.113.9', /myip is not an IP address/],
    ['myip=<ipaddr>', '203.0.113.9', /myip is not an IP address/],
    ['myipv6=203.0.113.7', '203.0.113.9', /myipv6 is not an IPv6 address/],
    ['myip=203.0.113.7,203.0.113.8', '203.0.113.9', /two different IPv4 addresses/],
    ['myip=2001:db8::7&myipv6=2001:db8::8', '203.0.113.9', /two different IPv6 addresses/],
  ])('%j from %s → refused (%s)', (query, source, reason) => {
    const r = readAddresses(req(query, source), publicRanges);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(reason);
  });

  it.each(['hostname=x', 'myip=', 'myip=%20', 'myip=NO&myipv6=%20', 'myip=,', 'myip=%20,%20'])(
    'takes a public source address when myip is missing (the spec rule): %s',
    (query) => {
      expect(readAddresses(req(query, '203.0.113.9'), publicRanges)).toEqual({
        ok: true,
        addresses: { ipv4: '203.0.113.9' },
      });
    },
  );

  it('refuses documentation addresses unless publicRanges names them', () => {
    expect(readAddresses(req('myip=203.0.113.7'), []).ok).toBe(false);
  });
});

describe('addressText', () => {
  it.each([
    [{ ipv4: '203.0.113.7' }, '203.0.113.7'],
    [{ ipv6: '2001:db8::7' }, '2001:db8::7'],
    [{ ipv4: '203.0.113.7', ipv6: '2001:db8::7' }, '203.0.113.7,2001:db8::7'],
  ])('%j → %s', (addresses: PushedAddresses, text) => {
    expect(addressText(addresses)).toBe(text);
  });
});

describe('planUpdate', () => {
  const last: Record<string, PushedAddresses> = {
    'home.example.test': { ipv4: '203.0.113.7', ipv6: '2001:db8::7' },
    'nas.example.test': { ipv4: '203.0.113.1' },
  };
  const lastPushed: LastPushed = (h) => last[h];

  it.each([
    // [query, lines, published]
    ['hostname=home.example.test&myip=203.0.113.8', ['good 203.0.113.8'], { ipv4: '203.0.113.8' }],
    ['hostname=home.example.test&myip=203.0.113.7', ['nochg 203.0.113.7'], { ipv4: '203.0.113.7' }],
    ['hostname=HOME.example.test.&myipv6=2001:db8:0::7', ['nochg 2001:db8::7'], { ipv6: '2001:db8::7' }],
    [
      'hostname=home.example.test&myip=203.0.113.7,2001:db8::8',
      ['good 203.0.113.7,2001:db8::8'],
      { ipv4: '203.0.113.7', ipv6: '2001:db8::8' },
    ],
    [
      'hostname=home.example.test,nas.example.test&myip=203.0.113.7',
      ['nochg 203.0.113.7', 'good 203.0.113.7'],
      { ipv4: '203.0.113.7' },
    ],
    [
      'hostname=home.example.test,other.example.test,bad_name&myip=203.0.113.8',
      ['good 203.0.113.8', 'nohost', 'notfqdn'],
      { ipv4: '203.0.113.8' },
    ],
    ['hostname=other.example.test&myip=203.0.113.8', ['nohost'], null],
    ['hostname=other.example.test,home&myip=203.0.113.8', ['nohost', 'notfqdn'], null],
    ['hostname=home.example.test,%20&myip=203.0.113.8', ['good 203.0.113.8'], { ipv4: '203.0.113.8' }],
    [
      'hostname=home.example.test&myip=203.0.113.8&system=dyndns&wildcard=NOCHG&mx=NOCHG&backmx=NOCHG&offline=YES',
      ['good 203.0.113.8'],
      { ipv4: '203.0.113.8' },
    ],
    ['hostname=home.example.test&myip=10.0.0.1', ['badagent'], null],
    ['hostname=home.example.test', ['badagent'], null],
    ['hostname=home.example.test&myip=garbage', ['badagent'], null],
    ['myip=203.0.113.8', ['notfqdn'], null],
    ['hostname=,,&myip=203.0.113.8', ['notfqdn'], null],
    [
      `hostname=${Array.from({ length: 21 }, (_, i) => `h${i}.example.test`).join(',')}&myip=203.0.113.8`,
      ['numhost'],
      null,
    ],
  ])('%s → %j', (query, lines, published) => {
    const plan = planUpdate(req(query), client, lastPushed, publicRanges);
    expect(plan.lines).toEqual(lines);
    expect(plan.addresses).toEqual(published);
  });

  it('accepts exactly 20 hostnames, answering each in order', () => {
    const names = Array.from({ length: 20 }, (_, i) => `h${i}.example.test`);
    const plan = planUpdate(
      req(`hostname=${names.join(',')}&myip=203.0.113.8`),
      { name: 'many', hostnames: names },
      nothingPushed,
      publicRanges,
    );
    expect(plan.lines).toHaveLength(20);
    expect(plan.hosts.map((h) => h.hostname)).toEqual(names);
    expect(new Set(plan.lines)).toEqual(new Set(['good 203.0.113.8']));
  });

  it('answers good, not nochg, when only one family of the last push matches', () => {
    const plan = planUpdate(
      req('hostname=home.example.test&myip=203.0.113.7,2001:db8::9'),
      client,
      lastPushed,
      publicRanges,
    );
    expect(plan.lines).toEqual(['good 203.0.113.7,2001:db8::9']);
  });

  it.each([
    ['hostname=home.example.test&myip=10.0.0.1', /myip 10\.0\.0\.1 is private/],
    ['myip=203.0.113.8', /^no hostname$/],
    [
      `hostname=${Array.from({ length: 21 }, (_, i) => `h${i}.example.test`).join(',')}&myip=203.0.113.8`,
      /^21 hostnames \(at most 20\)$/,
    ],
  ])('a request refused as a whole (%s) answers one line, no hosts, and says why', (query, why) => {
    const plan = planUpdate(req(query), client, lastPushed, publicRanges);
    expect(plan.lines).toHaveLength(1);
    expect(plan.hosts).toEqual([]);
    expect(plan.refusal).toMatch(why);
  });

  it('names a hostname that is no FQDN trimmed and cut to 253 characters', () => {
    const long = `${'x_'.repeat(150)}.test`;
    const plan = planUpdate(
      req(`hostname=%20bad_name%20,${long}&myip=203.0.113.8`),
      client,
      lastPushed,
      publicRanges,
    );
    expect(plan.hosts).toEqual([
      { hostname: 'bad_name', code: 'notfqdn' },
      { hostname: long.slice(0, 253), code: 'notfqdn' },
    ]);
  });

  it('says why a whole request was refused, for the audit log, and never says it for a per-host answer', () => {
    expect(
      planUpdate(req('hostname=home.example.test&myip=10.0.0.1'), client, lastPushed, publicRanges).refusal,
    ).toMatch(/myip 10\.0\.0\.1 is private/);
    expect(
      planUpdate(req('hostname=other.example.test&myip=203.0.113.8'), client, lastPushed, publicRanges)
        .refusal,
    ).toBeUndefined();
  });
});

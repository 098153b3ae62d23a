import { describe, expect, it } from 'vitest';
import { createHostAllowList, hostOf } from './allowed-hosts.js';

describe('hostOf (a Host header in the form to compare)', () => {
  it.each([
    ['gatehouse.test', 'gatehouse.test'],
    ['  gatehouse.test  ', 'gatehouse.test'],
    ['Gatehouse.Test', 'gatehouse.test'],
    ['gatehouse.test.', 'gatehouse.test'],
    ['gatehouse.test.:443', 'gatehouse.test'],
    ['gatehouse.test:8443', 'gatehouse.test'],
    ['gatehouse.test:65535', 'gatehouse.test'],
    ['gatehouse.test:123456', undefined],
    ['gatehouse.test:', undefined],
    ['gatehouse.test:port', undefined],
    ['gate_house.test', undefined],
    ['a b', undefined],
    ['', undefined],
    ['127.1', '127.0.0.1'],
    ['198.51.100.7:80', '198.51.100.7'],
    ['256.1.1.1', undefined],
    ['[2001:DB8::1]', '2001:db8::1'],
    ['[2001:db8::1]:8443', '2001:db8::1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['[1:2]', undefined],
    ['[nope]:80', undefined],
    ['x[::1]', undefined],
    ['[::1]x', undefined],
    ['2001:db8::1', undefined],
  ])('%j → %j', (header, expected) => {
    expect(hostOf(header)).toBe(expected);
  });
});

describe('createHostAllowList', () => {
  const none = { listenHost: '0.0.0.0', configured: [] };

  it.each([
    ['localhost', true],
    ['LOCALHOST:8443', true],
    ['app.localhost', true],
    ['notlocalhost', false],
    ['localhost.example', false],
    ['127.0.0.1', true],
    ['127.45.6.7:80', true],
    ['128.0.0.1', false],
    ['1.127.0.0', false],
    ['127.example', false],
    ['[::1]', true],
    ['[::1]:8443', true],
    ['[::2]', false],
    ['[::ffff:127.0.0.1]', true],
    ['[::ffff:127.255.255.255]', true],
    ['[::ffff:128.0.0.1]', false],
    ['[::fffe:127.0.0.1]', false],
    ['[1::ffff:7f00:1]', false],
    ['[0:0:0:0:ffff:7f00:1:0]', false],
    ['[::ffff:7f00:1]', true],
    ['[::ffff:7f:1]', false],
  ])('loopback, always allowed: %s → %s', (host, allowed) => {
    expect(createHostAllowList(none).allows(host)).toBe(allowed);
  });

  it('a Host that is no host is refused, whatever is listed', () => {
    const hosts = createHostAllowList({
      listenHost: 'a b',
      configured: ['a b'],
      ownAddresses: () => ['a b'],
    });
    hosts.provide(() => ['a b']);
    expect(hosts.allows('a b')).toBe(false);
    expect(hosts.allows('')).toBe(false);
  });

  it.each([['0.0.0.0'], ['::']])('the wildcard listen host %s names no host', (listenHost) => {
    const hosts = createHostAllowList({ listenHost, configured: [] });
    expect(hosts.allows('0.0.0.0')).toBe(false);
    expect(hosts.allows('[::]')).toBe(false);
    expect(hosts.allows('gatehouse.test')).toBe(false);
  });

  it.each([
    ['a name', 'box.lan', 'BOX.lan.:8443'],
    ['an IPv4 address', '198.51.100.4', '198.51.100.4:8443'],
    ['an IPv6 address', '2001:db8::4', '[2001:DB8:0::4]:8443'],
  ])('a specific listen host, %s, is allowed', (_what, listenHost, header) => {
    const hosts = createHostAllowList({ listenHost, configured: [] });
    expect(hosts.allows(header)).toBe(true);
    expect(hosts.allows('other.lan')).toBe(false);
  });

  it('configured names and machine names are allowed, in any spelling; unparsable entries are skipped', () => {
    const hosts = createHostAllowList({
      listenHost: '::',
      configured: ['Gatehouse.Example.Net.', '2001:db8::9', 'not a host'],
      machineNames: ['box', 'box.local'],
    });
    for (const h of ['gatehouse.example.net', '[2001:db8:0:0::9]', 'box', 'BOX.local:443'])
      expect(hosts.allows(h), h).toBe(true);
    for (const h of ['example.net', 'box.lan', '[2001:db8::8]', 'not'])
      expect(hosts.allows(h), h).toBe(false);
  });

  it('without machine names or own addresses, only what is configured', () => {
    const hosts = createHostAllowList({ listenHost: '0.0.0.0', configured: ['gatehouse.test'] });
    expect(hosts.allows('gatehouse.test')).toBe(true);
    expect(hosts.allows('198.51.100.4')).toBe(false);
  });

  it('names a capability provides are read at each check, from every provider', () => {
    let ddns: string[] = [];
    const hosts = createHostAllowList(none);
    hosts.provide(() => ddns);
    hosts.provide(() => ['second.example.org']);
    expect(hosts.allows('ddns.example.org')).toBe(false);
    ddns = ['DDNS.example.org.'];
    expect(hosts.allows('ddns.example.org:443')).toBe(true);
    expect(hosts.allows('second.example.org')).toBe(true);
    ddns = [];
    expect(hosts.allows('ddns.example.org')).toBe(false);
  });

  it('own addresses are read only for a Host that is an address not otherwise known', () => {
    let reads = 0;
    let own = ['198.51.100.4', '2001:db8::4', 'box.lan'];
    const hosts = createHostAllowList({
      listenHost: '0.0.0.0',
      configured: ['198.51.100.9'],
      ownAddresses: () => {
        reads += 1;
        return own;
      },
    });
    expect(hosts.allows('box.lan')).toBe(false);
    expect(hosts.allows('198.51.100.9')).toBe(true);
    expect(hosts.allows('localhost')).toBe(true);
    expect(reads).toBe(0);
    expect(hosts.allows('198.51.100.4:8443')).toBe(true);
    expect(hosts.allows('[2001:DB8::4]')).toBe(true);
    expect(hosts.allows('198.51.100.5')).toBe(false);
    expect(reads).toBe(3);
    own = ['198.51.100.5'];
    expect(hosts.allows('198.51.100.5')).toBe(true);
    expect(hosts.allows('198.51.100.4')).toBe(false);
  });
});

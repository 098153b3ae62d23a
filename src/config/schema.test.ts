/** @module The setting schemas on their own: listen addresses, switches, bounds, and every documented default. */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseListen, reachabilitySettingsSchema, settingsSourceSchema } from './schema.js';

/** A host name of exactly `length` characters: labels of 63 letters and dots. */
function longName(length: number): string {
  const labels: string[] = [];
  let left = length;
  while (left > 0) {
    const take = Math.min(63, left);
    labels.push('a'.repeat(take));
    left -= take + 1;
  }
  const name = labels.join('.');
  return name.length === length ? name : `${name.slice(0, length - 1)}b`;
}

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['  127.0.0.1:8080\n', { host: '127.0.0.1', port: 8080 }],
    ['[::1]:8443', { host: '::1', port: 8443 }],
    ['[2001:db8::7]:443', { host: '2001:db8::7', port: 443 }],
    ['gatehouse.example.net:443', { host: 'gatehouse.example.net', port: 443 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
    ['0.0.0.0:65535', { host: '0.0.0.0', port: 65535 }],
    // What getaddrinfo (and so listen) accepts as IPv4 is written the usual way, so certificates and the
    // loopback test see the address itself.
    ['127.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['0:8443', { host: '0.0.0.0', port: 8443 }],
    ['0x7f.1:80', { host: '127.0.0.1', port: 80 }],
    ['[::ffff:127.0.0.1]:8080', { host: '::ffff:7f00:1', port: 8080 }],
    ['[2001:DB8:0:0::7]:443', { host: '2001:db8::7', port: 443 }],
    ['0x7f000001:80', { host: '127.0.0.1', port: 80 }],
    ['127.0.0.1.:80', { host: '127.0.0.1', port: 80 }],
    // Names whose last label only starts or ends with a digit are names, not addresses (kept as written).
    ['Box1:80', { host: 'Box1', port: 80 }],
    ['1Box:80', { host: '1Box', port: 80 }],
    [`${'a'.repeat(60)}.:80`, { host: `${'a'.repeat(60)}.`, port: 80 }],
    ['gatehouse.example.net.:443', { host: 'gatehouse.example.net.', port: 443 }],
    [`${'a'.repeat(63)}.example:80`, { host: `${'a'.repeat(63)}.example`, port: 80 }],
    [`${longName(253)}:80`, { host: longName(253), port: 80 }],
  ])('%j → %j', (input, expected) => {
    expect(parseListen(input)).toEqual(expected);
  });

  it.each([
    ['8080', 'expected host:port (e.g. 127.0.0.1:8080 or [::]:8443), got "8080"'],
    ['127.0.0.1:8080x', 'expected host:port (e.g. 127.0.0.1:8080 or [::]:8443), got "127.0.0.1:8080x"'],
    ['::1:8080', 'expected host:port (e.g. 127.0.0.1:8080 or [::]:8443), got "::1:8080"'],
    ['127.0.0.1:65536', 'port 65536 is out of range (0-65535)'],
    ['[127.0.0.1]:80', '"127.0.0.1" is not an IPv6 address'],
    ['a b:80', '"a b" is not a valid host'],
    ['host_name:80', '"host_name" is not a valid host'],
    ['256.1.1.1:8443', '"256.1.1.1" is not a valid IPv4 address'],
    ['1.2.3.4.5:80', '"1.2.3.4.5" is not a valid IPv4 address'],
    ['example.123:80', '"example.123" is not a valid IPv4 address'],
    ['a..b:80', '"a..b" is not a valid host name (empty label)'],
    ['-a.example:80', '"-a.example" is not a valid host name (a label starts or ends with "-")'],
    ['a-.example:80', '"a-.example" is not a valid host name (a label starts or ends with "-")'],
    [`${longName(254)}:80`, `"${longName(254)}" is not a valid host name (longer than 253 characters)`],
    [
      `${'a'.repeat(64)}.example:80`,
      `"${'a'.repeat(64)}.example" is not a valid host name (a label is longer than 63 characters)`,
    ],
  ])('refuses %j: %s', (input, message) => {
    expect(parseListen(input)).toBe(message);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['::1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:127.0.0.1', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['127.example.net', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::ffff:cb00:7105', false],
    ['::ffff:127.0.1.0', true],
    ['1::ffff:7f00:1', false],
    ['::ffff:7f00:1:2', false],
    ['198.51.100.1', false],
    ['localhost.example.net', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('settingsSourceSchema', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['yes', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['no', false],
    ['off', false],
    [true, true],
    [false, false],
  ])('reads the switch %j as %s', (text, expected) => {
    expect(settingsSourceSchema.parse({ trustProxy: text, insecureHttp: text })).toEqual({
      trustProxy: expected,
      insecureHttp: expected,
    });
  });

  it.each(['maybe', 'TRUE', '', 'enabled'])('refuses the switch %j', (text) => {
    expect(settingsSourceSchema.safeParse({ trustProxy: text }).success).toBe(false);
  });

  it('reports a bad listen address as a custom issue on "listen" with parseListen\'s message', () => {
    const r = settingsSourceSchema.safeParse({ listen: '127.0.0.1:99999' });
    expect(r.error?.issues).toEqual([
      expect.objectContaining({
        code: 'custom',
        path: ['listen'],
        message: 'port 99999 is out of range (0-65535)',
      }),
    ]);
  });

  it.each([
    ['sessionIdleMinutes', '1', 1],
    ['sessionIdleMinutes', '43200', 43_200], // 30 days
    ['sessionIdleMinutes', '0', undefined],
    ['sessionIdleMinutes', '43201', undefined],
    ['sessionIdleMinutes', '1.5', undefined],
    ['sessionMaxAgeHours', '8760', 8760], // a year
    ['sessionMaxAgeHours', '8761', undefined],
    ['sessionMaxAgeHours', '-1', undefined],
  ])('%s %j → %j', (key, text, expected) => {
    const r = settingsSourceSchema.safeParse({ [key]: text });
    expect(r.success ? (r.data as Record<string, unknown>)[key] : undefined).toBe(expected);
  });
});

describe('reachabilitySettingsSchema', () => {
  it('has the documented defaults', () => {
    expect(reachabilitySettingsSchema.parse({})).toEqual({
      enabled: true,
      stunServers: ['stun.cloudflare.com:3478', 'stun.l.google.com:19302'],
      httpEcho: [
        { url: 'https://api.ipify.org', family: 'ipv4' },
        { url: 'https://api6.ipify.org', family: 'ipv6' },
      ],
      dnsEcho: [
        { server: 'resolver1.opendns.com', name: 'myip.opendns.com', type: 'A' },
        { server: 'ns1.google.com', name: 'o-o.myaddr.l.google.com', type: 'TXT' },
      ],
      quorum: 2,
      trustedSource: null,
      publicRanges: [],
      backstopSeconds: 30,
      watchInterfaces: true,
      routerEvents: true,
      portMapping: { enabled: true, port: 51820, leaseSeconds: 3600 },
    });
  });

  it('fills the rest of a partial port mapping with its defaults', () => {
    expect(reachabilitySettingsSchema.parse({ portMapping: { port: 51821 } }).portMapping).toEqual({
      enabled: true,
      port: 51821,
      leaseSeconds: 3600,
    });
    expect(reachabilitySettingsSchema.parse({ portMapping: { enabled: false } }).portMapping).toEqual({
      enabled: false,
      port: 51820,
      leaseSeconds: 3600,
    });
  });

  it.each([
    [{ quorum: 1 }, true],
    [{ quorum: 10 }, true],
    [{ quorum: 0 }, false],
    [{ quorum: 11 }, false],
    [{ quorum: 1.5 }, false],
    [{ backstopSeconds: 5 }, true],
    [{ backstopSeconds: 3600 }, true],
    [{ backstopSeconds: 4 }, false],
    [{ backstopSeconds: 3601 }, false],
    [{ portMapping: { port: 1 } }, true],
    [{ portMapping: { port: 65535 } }, true],
    [{ portMapping: { port: 0 } }, false],
    [{ portMapping: { port: 65536 } }, false],
    [{ portMapping: { leaseSeconds: 120 } }, true],
    [{ portMapping: { leaseSeconds: 86400 } }, true],
    [{ portMapping: { leaseSeconds: 119 } }, false],
    [{ portMapping: { leaseSeconds: 86401 } }, false],
    [{ portMapping: { port: 51820, extra: 1 } }, false],
    [{ stunServers: ['stun.example.net:3478', '[2001:db8::1]:3478', '192.0.2.1:19302'] }, true],
    [{ stunServers: ['stun.example.net'] }, false],
    [{ stunServers: ['stun.example.net:3478/x'] }, false],
    [{ stunServers: ['/stun.example.net:3478'] }, false],
    [{ stunServers: ['[]:3478'] }, false],
    [{ stunServers: ['[2001:db8::zz]:3478'] }, false],
    [{ publicRanges: ['203.0.113.0/24', '2001:db8::/32'] }, true],
    [{ publicRanges: ['203.0.113.0'] }, false],
    [{ publicRanges: ['203.0.113.0/24x'] }, false],
    [{ publicRanges: ['x203.0.113.0/24'] }, false],
    [{ httpEcho: [{ url: 'https://echo.example.net', family: 'ipv4' }] }, true],
    [{ httpEcho: [{ url: 'https://echo.example.net', family: 'ipv6' }] }, true],
    [{ httpEcho: [{ url: 'https://echo.example.net', family: 'ipv5' }] }, false],
    [{ httpEcho: [{ url: 'https://echo.example.net', family: 'ipv4', extra: 1 }] }, false],
    [{ dnsEcho: [{ server: 'ns.example.net', name: 'me.example.net', type: 'A' }] }, true],
    [{ dnsEcho: [{ server: 'ns.example.net', name: 'me.example.net', type: 'AAAA' }] }, true],
    [{ dnsEcho: [{ server: 'ns.example.net', name: 'me.example.net', type: 'TXT' }] }, true],
    [{ dnsEcho: [{ server: 'ns.example.net', name: 'me.example.net', type: 'MX' }] }, false],
    [{ dnsEcho: [{ server: '', name: 'me.example.net', type: 'A' }] }, false],
    [{ dnsEcho: [{ server: 'ns.example.net', name: '', type: 'A' }] }, false],
  ])('%j valid: %s', (input, valid) => {
    expect(reachabilitySettingsSchema.safeParse(input).success).toBe(valid);
  });

  it('says what a STUN server or a range should look like', () => {
    const stun = reachabilitySettingsSchema.safeParse({ stunServers: ['nope'] });
    expect(stun.error?.issues[0]?.message).toBe('expected host:port, e.g. stun.example.net:3478');
    const range = reachabilitySettingsSchema.safeParse({ publicRanges: ['nope'] });
    expect(range.error?.issues[0]?.message).toBe('expected an address range like 203.0.113.0/24');
  });
});

describe('allowedHosts', () => {
  it.each([
    ['a.example, ,[2001:DB8::1],127.1', ['a.example', '2001:db8::1', '127.0.0.1']],
    [
      ['  b.example  ', '::1'],
      ['b.example', '::1'],
    ],
    ['', []],
  ])('%j → %j', (input, expected) => {
    expect(settingsSourceSchema.parse({ allowedHosts: input }).allowedHosts).toEqual(expected);
  });

  it.each([
    [[' bad_host '], ['allowedHosts', 0], '"bad_host" is not a host name or address'],
    [['ok.example', ''], ['allowedHosts', 1], 'an empty host name'],
  ])('refuses %j as a custom issue on its entry', (input, path, message) => {
    const r = settingsSourceSchema.safeParse({ allowedHosts: input });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0]).toMatchObject({ path, message });
    if (!r.success && message !== 'an empty host name') expect(r.error.issues[0]?.code).toBe('custom');
  });
});

import { describe, expect, it } from 'vitest';
import {
  challengePathPrefix,
  createHttp01Registry,
  describeListenError,
  formatListen,
  isChallengeToken,
  listenFallback,
  maxTargetLength,
  maxTokenLength,
  parseRedirectHost,
  planHttp01Response,
  redirectLocation,
  type Http01Request,
} from './http01.js';

// RFC 8555 §8.1's example token and account key thumbprint.
const token = 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0';
const thumbprint = '9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI';
const keyAuth = `${token}.${thumbprint}`;

// 253 characters: the longest name.
const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

describe('isChallengeToken: base64url, 1 to 256 characters', () => {
  it.each([
    [token, true],
    ['a', true],
    ['A-z_9', true],
    ['x'.repeat(maxTokenLength), true],
    ['x'.repeat(maxTokenLength + 1), false],
    ['', false],
    ['abc=', false],
    ['ab+c', false],
    ['ab/c', false],
    ['ab.c', false],
    ['..', false],
    ['ab%41', false],
    ['ab c', false],
    ['ab\nc', false],
    ['é', false],
  ])('%j → %s', (text, expected) => {
    expect(isChallengeToken(text)).toBe(expected);
  });
});

describe('the token registry', () => {
  it('serves a registered token until it is unregistered', () => {
    const r = createHttp01Registry();
    expect(r.lookup(token)).toBeUndefined();
    expect(r.register(token, keyAuth)).toEqual({ ok: true, value: undefined });
    expect(r.lookup(token)).toBe(keyAuth);
    expect(r.size()).toBe(1);
    r.unregister(token);
    expect(r.lookup(token)).toBeUndefined();
    expect(r.size()).toBe(0);
  });

  it('keeps a token registered twice until it is unregistered twice', () => {
    const r = createHttp01Registry();
    expect(r.register(token, keyAuth).ok).toBe(true);
    expect(r.register(token, keyAuth).ok).toBe(true);
    expect(r.size()).toBe(1);
    r.unregister(token);
    expect(r.lookup(token)).toBe(keyAuth);
    r.unregister(token);
    expect(r.lookup(token)).toBeUndefined();
    // A third clean-up of a token no longer there changes nothing.
    r.unregister(token);
    expect(r.size()).toBe(0);
  });

  it('keeps tokens apart', () => {
    const r = createHttp01Registry();
    const other = 'b'.repeat(43);
    r.register(token, keyAuth);
    r.register(other, `${other}.${thumbprint}`);
    expect(r.size()).toBe(2);
    r.unregister(other);
    expect(r.lookup(token)).toBe(keyAuth);
    expect(r.lookup(other)).toBeUndefined();
  });

  it('refuses the same token with another key authorization, and keeps the first', () => {
    const r = createHttp01Registry();
    r.register(token, keyAuth);
    const other = `${token}.${'z'.repeat(43)}`;
    expect(r.register(token, other)).toEqual({
      ok: false,
      error: 'the challenge token is already registered with another key authorization',
    });
    expect(r.lookup(token)).toBe(keyAuth);
    // The refused registration does not count: one clean-up removes the token.
    r.unregister(token);
    expect(r.lookup(token)).toBeUndefined();
  });

  const badToken = 'the challenge token is not base64url (RFC 8555 §8.3)';
  const badValue = 'the key authorization is not "<token>.<account key thumbprint>" (RFC 8555 §8.1)';
  it.each([
    ['', `.${thumbprint}`, badToken],
    ['ab/c', `ab/c.${thumbprint}`, badToken],
    [token, thumbprint, badValue],
    [token, `${token}${thumbprint}`, badValue],
    [token, `${token}.`, badValue],
    [token, `${token}.${thumbprint.slice(1)}`, badValue],
    [token, `${token}.${thumbprint}A`, badValue],
    [token, `${token}.${thumbprint.slice(1)}=`, badValue],
    [token, `${token}.${thumbprint.slice(1)}\n`, badValue],
    [token, `x${token}.${thumbprint}`, badValue],
    [token, `${'b'.repeat(43)}.${thumbprint}`, badValue],
  ])('refuses token %j with value %j', (t, value, message) => {
    const r = createHttp01Registry();
    expect(r.register(t, value)).toEqual({ ok: false, error: message });
    expect(r.size()).toBe(0);
  });
});

describe('parseRedirectHost: a host fit for a URL, or undefined', () => {
  it.each([
    ['example.com', 'example.com'],
    ['Home.Example.COM', 'home.example.com'],
    ['home.example.com.', 'home.example.com'],
    ['home.example.com:80', 'home.example.com'],
    ['home.example.com:', 'home.example.com'],
    ['home.example.com:65535', 'home.example.com'],
    ['home.example.com:65536', undefined],
    ['home.example.com:123456', undefined],
    ['home.example.com:8x', undefined],
    ['gatehouse', 'gatehouse'],
    ['localhost:8080', 'localhost'],
    ['a-b.c0.example', 'a-b.c0.example'],
    ['home.1a', 'home.1a'],
    ['home.a1', 'home.a1'],
    ['x', 'x'],
    ['a.b.example', 'a.b.example'],
    ['123.example', '123.example'],
    [`${'a'.repeat(63)}.example`, `${'a'.repeat(63)}.example`],
    [`${'a'.repeat(64)}.example`, undefined],
    [longest, longest],
    [`${longest}.`, longest],
    [`a${longest}`, undefined],
    // 254 characters in labels of 63 or fewer.
    [`${longest.slice(0, -1)}dd`, undefined],
    ['-home.example', undefined],
    ['home-.example', undefined],
    ['home.-example', undefined],
    ['ho_me.example', undefined],
    ['home..example', undefined],
    ['.example', undefined],
    ['home.example..', undefined],
    ['.', undefined],
    ['', undefined],
    [':80', undefined],
    ['café.example', undefined],
    ['evil.example/path', undefined],
    ['evil.example?x', undefined],
    ['evil.example#x', undefined],
    ['evil.example\\x', undefined],
    ['user@evil.example', undefined],
    ['home.example com', undefined],
    [' home.example', undefined],
    ['home.example\r\nSet-Cookie: a=b', undefined],
    ['"home.example"', undefined],
    // Addresses: dotted quads as they are, others refused (URLs would read them as addresses).
    ['198.51.100.7', '198.51.100.7'],
    ['198.51.100.7:80', '198.51.100.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['203.0.113.249', '203.0.113.249'],
    ['203.0.113.199', '203.0.113.199'],
    ['203.0.113.250', '203.0.113.250'],
    ['100.64.0.10', '100.64.0.10'],
    ['198.51.100.256', undefined],
    ['198.51.100.260', undefined],
    ['198.51.100.1000', undefined],
    ['256.1.1.1', undefined],
    ['198.51.100', undefined],
    ['198.51.100.07', undefined],
    ['127.1', undefined],
    ['0x7f.1', undefined],
    ['0x7f', undefined],
    ['0X7F', undefined],
    ['home.0x', undefined],
    ['2130706433', undefined],
    ['example.123', undefined],
    ['home.0xg', 'home.0xg'],
    ['[2001:db8::7]', '[2001:db8::7]'],
    ['[2001:DB8:0:0::7]:8080', '[2001:db8::7]'],
    ['[::ffff:198.51.100.7]', '[::ffff:c633:6407]'],
    ['[::1]', '[::1]'],
    ['[2001:db8::7', undefined],
    ['2001:db8::7', undefined],
    ['[2001:db8::g]', undefined],
    ['[198.51.100.7]', undefined],
    ['[fe80::1%25eth0]', undefined],
    ['[]', undefined],
  ])('%j → %j', (header, expected) => {
    expect(parseRedirectHost(header)).toBe(expected);
  });
});

describe('redirectLocation', () => {
  it.each([
    ['home.example', '/', 443, 'https://home.example/'],
    ['home.example', '/', 8443, 'https://home.example:8443/'],
    ['home.example', '/a/b?c=d&e', 443, 'https://home.example/a/b?c=d&e'],
    ['[2001:db8::7]', '/x', 8443, 'https://[2001:db8::7]:8443/x'],
    ['home.example', "/-._~!$&'()*+,;=:@/?", 443, "https://home.example/-._~!$&'()*+,;=:@/?"],
    ['home.example', '/a%20b%2Fc', 443, 'https://home.example/a%20b%2Fc'],
    ['home.example', '/100%', 443, 'https://home.example/100%25'],
    ['home.example', '/%zz%4', 443, 'https://home.example/%25zz%254'],
    ['home.example', '/a b"<>\\^`{|}', 443, 'https://home.example/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D'],
    ['home.example', '/#frag', 443, 'https://home.example/%23frag'],
    ['home.example', '/\r\nSet-Cookie:x', 443, 'https://home.example/%0D%0ASet-Cookie:x'],
    ['home.example', '/é', 443, 'https://home.example/%C3%A9'],
    ['home.example', '/\u0000', 443, 'https://home.example/%00'],
    ['home.example', '//evil.example/', 443, 'https://home.example//evil.example/'],
  ])('%s %j :%d → %s', (host, path, port, expected) => {
    expect(redirectLocation(host, path, port)).toBe(expected);
  });
});

describe('planHttp01Response', () => {
  const tokens = {
    lookup: (t: string) => (t === token ? keyAuth : undefined),
  };
  const plan = (request: Partial<Http01Request>, httpsPort = 443) =>
    planHttp01Response(
      { method: 'GET', target: '/', hosts: ['home.example'], ...request },
      { tokens, httpsPort },
    );
  const plain = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  const challenge = `${challengePathPrefix}${token}`;

  it.each<[string, Partial<Http01Request>, number, string | undefined]>([
    // The challenge: GET and HEAD, whatever the Host (or none), the query ignored.
    ['GET a registered token', { target: challenge }, 200, undefined],
    ['HEAD a registered token', { method: 'HEAD', target: challenge }, 200, undefined],
    ['a token with a query', { target: `${challenge}?x=1` }, 200, undefined],
    ['a token without a Host', { target: challenge, hosts: [] }, 200, undefined],
    ['a token with a bad Host', { target: challenge, hosts: ['bad host'] }, 200, undefined],
    ['a token with two Hosts', { target: challenge, hosts: ['a.example', 'b.example'] }, 200, undefined],
    ['a token in absolute form', { target: `http://home.example${challenge}` }, 200, undefined],
    ['an unknown token', { target: `${challengePathPrefix}${'b'.repeat(43)}` }, 404, undefined],
    ['a token of bad characters', { target: `${challengePathPrefix}${token}.x` }, 404, undefined],
    ['a token with a trailing slash', { target: `${challenge}/` }, 404, undefined],
    ['a token further down', { target: `${challengePathPrefix}x/${token}` }, 404, undefined],
    ['the prefix alone', { target: challengePathPrefix }, 404, undefined],
    ['a token percent-encoded', { target: `${challengePathPrefix}%4Coq` }, 404, undefined],
    ['a dot-dot path', { target: `${challengePathPrefix}../x` }, 404, undefined],
    // Not quite the prefix: redirected.
    [
      'the prefix without its slash',
      { target: '/.well-known/acme-challenge' },
      301,
      'https://home.example/.well-known/acme-challenge',
    ],
    [
      'the prefix in upper case',
      { target: `/.WELL-KNOWN/acme-challenge/${token}` },
      301,
      `https://home.example/.WELL-KNOWN/acme-challenge/${token}`,
    ],
    ['a doubled slash', { target: `/${challenge}` }, 301, `https://home.example/${challenge}`],
    // Redirects.
    ['the root', {}, 301, 'https://home.example/'],
    ['HEAD of the root', { method: 'HEAD' }, 301, 'https://home.example/'],
    ['a path and query', { target: '/ui/login?next=/x' }, 301, 'https://home.example/ui/login?next=/x'],
    [
      'a URL inside the target',
      { target: '/go?to=http://evil.example/x' },
      301,
      'https://home.example/go?to=http://evil.example/x',
    ],
    ['a query alone', { target: '/?a=b' }, 301, 'https://home.example/?a=b'],
    ['a Host with a port', { hosts: ['home.example:80'] }, 301, 'https://home.example/'],
    ['a Host in upper case', { hosts: ['HOME.example.'] }, 301, 'https://home.example/'],
    ['an IPv4 Host', { hosts: ['198.51.100.7'] }, 301, 'https://198.51.100.7/'],
    ['an IPv6 Host', { hosts: ['[2001:db8::7]:80'] }, 301, 'https://[2001:db8::7]/'],
    ['characters to encode', { target: '/a"b<c>' }, 301, 'https://home.example/a%22b%3Cc%3E'],
    [
      'absolute form',
      { target: 'http://other.example/x?y', hosts: ['home.example'] },
      301,
      'https://other.example/x?y',
    ],
    ['absolute form, no path', { target: 'http://other.example' }, 301, 'https://other.example/'],
    ['absolute form, query only', { target: 'http://other.example?q' }, 301, 'https://other.example/?q'],
    ['absolute form, HTTP in capitals', { target: 'HTTP://other.example/' }, 301, 'https://other.example/'],
    [
      'absolute form needs no Host',
      { target: 'http://other.example/', hosts: [] },
      301,
      'https://other.example/',
    ],
    [
      'absolute form with two Hosts',
      { target: 'http://other.example/', hosts: ['a.example', 'b.example'] },
      301,
      'https://other.example/',
    ],
    // Refused.
    ['absolute form with a bad host', { target: 'http://bad_host.example/' }, 400, undefined],
    ['absolute form with user info', { target: 'http://user@other.example/' }, 400, undefined],
    ['absolute form, https', { target: 'https://other.example/' }, 400, undefined],
    ['no Host', { hosts: [] }, 400, undefined],
    ['two Hosts', { hosts: ['home.example', 'home.example'] }, 400, undefined],
    ['a bad Host', { hosts: ['bad_host.example'] }, 400, undefined],
    ['an empty Host', { hosts: [''] }, 400, undefined],
    ['an asterisk target', { target: '*' }, 400, undefined],
    ['an authority target', { target: 'home.example:80' }, 400, undefined],
    ['an empty target', { target: '' }, 400, undefined],
    ['POST', { method: 'POST' }, 405, undefined],
    ['POST to a token', { method: 'POST', target: challenge }, 405, undefined],
    ['PUT', { method: 'PUT' }, 405, undefined],
    ['OPTIONS', { method: 'OPTIONS', target: '*' }, 405, undefined],
    ['CONNECT', { method: 'CONNECT', target: 'home.example:443' }, 405, undefined],
    ['get in lower case', { method: 'get' }, 405, undefined],
    ['a long target', { target: `/${'a'.repeat(maxTargetLength)}` }, 414, undefined],
    ['a long challenge target', { target: `${challenge}?${'a'.repeat(maxTargetLength)}` }, 414, undefined],
  ])('%s → %d %s', (_what, request, status, location) => {
    const r = plan(request);
    expect(r.status).toBe(status);
    expect(r.headers.location).toBe(location);
  });

  it('answers a token with its key authorization as text/plain, nothing else in the body', () => {
    expect(plan({ target: challenge })).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' },
      body: keyAuth,
    });
  });

  it('says what is wrong in each refusal, as plain text', () => {
    expect(plan({ target: `${challengePathPrefix}x` })).toEqual({
      status: 404,
      headers: plain,
      body: 'no such ACME challenge\n',
    });
    expect(plan({ method: 'DELETE' })).toEqual({
      status: 405,
      headers: { ...plain, allow: 'GET, HEAD' },
      body: 'only GET and HEAD are answered here\n',
    });
    expect(plan({ target: `/${'a'.repeat(maxTargetLength)}` })).toEqual({
      status: 414,
      headers: plain,
      body: 'the request target is too long\n',
    });
    expect(plan({ target: '*' })).toEqual({
      status: 400,
      headers: plain,
      body: 'the request target is not a path\n',
    });
    expect(plan({ hosts: [] })).toEqual({
      status: 400,
      headers: plain,
      body: 'the Host header is missing\n',
    });
    expect(plan({ hosts: ['a.example', 'b.example'] })).toEqual({
      status: 400,
      headers: plain,
      body: 'more than one Host header\n',
    });
    expect(plan({ hosts: ['a b'] })).toEqual({
      status: 400,
      headers: plain,
      body: 'the Host header is not a valid host name or address\n',
    });
  });

  it('redirects with a fixed body that echoes nothing of the request', () => {
    expect(plan({ target: '/<script>', hosts: ['home.example'] }, 8443)).toEqual({
      status: 301,
      headers: { ...plain, location: 'https://home.example:8443/%3Cscript%3E' },
      body: 'this site is served over HTTPS\n',
    });
  });

  it('accepts a target exactly as long as the limit', () => {
    const target = `/${'a'.repeat(maxTargetLength - 1)}`;
    expect(plan({ target }).status).toBe(301);
  });
});

describe('describeListenError: the failure with its remedy', () => {
  it.each([
    [
      'EACCES',
      { host: '0.0.0.0', port: 80 },
      'http01.permission-denied',
      'cannot listen on 0.0.0.0:80 for ACME HTTP-01: permission denied (acme.http01.listen)',
      'ports below 1024 need CAP_NET_BIND_SERVICE: the systemd unit grants it with ' +
        'AmbientCapabilities=CAP_NET_BIND_SERVICE (packaging/gatehouse.service); or use DNS-01',
    ],
    [
      'EADDRINUSE',
      { host: '0.0.0.0', port: 80 },
      'http01.port-in-use',
      'cannot listen on 0.0.0.0:80 for ACME HTTP-01: another program (a web server?) uses port 80 (acme.http01.listen)',
      'stop that program or move it to another port (`ss -ltnp` shows which one it is), or use DNS-01; ' +
        'a reverse proxy in front of Gatehouse can instead pass /.well-known/acme-challenge/ to another port set here',
    ],
    [
      'EADDRNOTAVAIL',
      { host: '2001:db8::7', port: 80 },
      'http01.no-such-address',
      'cannot listen on [2001:db8::7]:80 for ACME HTTP-01: this machine has no such address (acme.http01.listen)',
      'use one of its own addresses, 0.0.0.0 or [::]',
    ],
    [
      'EINVAL',
      { host: '198.51.100.7', port: 8080 },
      'http01.listen-failed',
      'cannot listen on 198.51.100.7:8080 for ACME HTTP-01: EINVAL (acme.http01.listen)',
      'check acme.http01.listen',
    ],
  ])('%s', (code, listen, failureCode, message, remedy) => {
    const f = describeListenError({ code, message: 'ignored' }, listen);
    expect(f.code).toBe(failureCode);
    expect(f.message).toBe(message);
    expect(f.remedy).toBe(remedy);
  });

  it('falls back to the message when the error has no code', () => {
    expect(describeListenError({ message: 'odd' }, { host: '0.0.0.0', port: 80 }).message).toBe(
      'cannot listen on 0.0.0.0:80 for ACME HTTP-01: odd (acme.http01.listen)',
    );
  });
});

describe('formatListen: host:port as a person writes it', () => {
  it.each([
    [{ host: '0.0.0.0', port: 80 }, '0.0.0.0:80'],
    [{ host: '::', port: 80 }, '[::]:80'],
    [{ host: '2001:db8::7', port: 8080 }, '[2001:db8::7]:8080'],
    [{ host: 'gatehouse.lan', port: 80 }, 'gatehouse.lan:80'],
  ])('%j → %s', (listen, text) => {
    expect(formatListen(listen)).toBe(text);
  });
});

describe('listenFallback: only the dual-stack wildcard, only without IPv6 in the kernel', () => {
  it('[::] becomes 0.0.0.0 on the same port when the kernel has no IPv6 (EAFNOSUPPORT)', () => {
    expect(listenFallback({ host: '::', port: 80 }, 'EAFNOSUPPORT')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(listenFallback({ host: '::', port: 8081 }, 'EAFNOSUPPORT')).toEqual({
      host: '0.0.0.0',
      port: 8081,
    });
  });

  it.each([
    [{ host: '::', port: 80 }, 'EACCES'],
    [{ host: '::', port: 80 }, 'EADDRINUSE'],
    [{ host: '::', port: 80 }, undefined],
    [{ host: '2001:db8::7', port: 80 }, 'EAFNOSUPPORT'],
    [{ host: '::1', port: 80 }, 'EAFNOSUPPORT'],
    [{ host: '0.0.0.0', port: 80 }, 'EAFNOSUPPORT'],
  ])('%j with %s stays a failure', (listen, code) => {
    expect(listenFallback(listen, code)).toBeUndefined();
  });
});

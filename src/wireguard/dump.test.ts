import { describe, expect, it } from 'vitest';
import { parseDump } from './dump.js';

// Known keys (wg genkey | wg pubkey); the private ones must never come out of the parser.
const serverPrivate = '4N1VLDoI7Un6PUxV8ijTV6b8R4CbRXHRqGuH7gwxa3o=';
const serverPublic = 'ZGcJhliLsPUNz2VuQK9+cgZTT4z9FNnwFMW+Jn6iYFA=';
const peerA = 'aZwgVSduRyPks8WxR2UFQveyx4pWaE/t7a4YOVnVhmA=';
const peerB = 'kDIRKZzALATX5CcBPetoyGQIczay3iIxmkV6czUciAc=';
const psk = 'QZ6pvSj/E4cts2f0BBYv2Smeylmtaj0TvSDbeDXkfw8=';

const head = `${serverPrivate}\t${serverPublic}\t51820\toff`;
const peerLine = (cells: Partial<Record<number, string>> = {}): string =>
  [peerA, psk, '198.51.100.7:51000', '10.8.0.2/32', '1700000000', '100', '200', '25']
    .map((c, i) => cells[i] ?? c)
    .join('\t');

function parsed(text: string) {
  const r = parseDump(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function failed(text: string): string {
  const r = parseDump(text);
  if (r.ok) throw new Error('expected a failure');
  expect(r.error.code).toBe('wireguard.bad-dump');
  return r.error.message;
}

describe('parseDump', () => {
  it('reads an interface with two peers (the dump ends with a newline)', () => {
    const text = [
      head,
      `${peerA}\t${psk}\t[2001:db8::7]:51000\t10.8.0.2/32,fd8a::2/128\t1700000123\t1234\t5678\t25`,
      `${peerB}\t(none)\t(none)\t(none)\t0\t0\t0\toff`,
    ].join('\n');
    expect(parseDump(`${text}\n`)).toEqual({
      ok: true,
      value: {
        publicKey: serverPublic,
        listenPort: 51820,
        fwmark: null,
        hasPrivateKey: true,
        peers: [
          {
            publicKey: peerA,
            presharedKey: psk,
            endpoint: '[2001:db8::7]:51000',
            allowedIps: ['10.8.0.2/32', 'fd8a::2/128'],
            latestHandshake: 1700000123,
            rxBytes: 1234,
            txBytes: 5678,
            persistentKeepalive: 25,
          },
          {
            publicKey: peerB,
            presharedKey: null,
            endpoint: null,
            allowedIps: [],
            latestHandshake: null,
            rxBytes: 0,
            txBytes: 0,
            persistentKeepalive: 0,
          },
        ],
      },
    });
  });

  it('reads a dump without the final newline, and an interface with no peers', () => {
    expect(parsed(head).peers).toEqual([]);
    expect(parsed(`${head}\n`).peers).toEqual([]);
    expect(parsed(`${head}\n${peerLine()}`).peers).toHaveLength(1);
  });

  it('never carries the private key out: only whether there is one', () => {
    const state = parsed(`${head}\n${peerLine()}\n`);
    expect(JSON.stringify(state)).not.toContain(serverPrivate);
    expect(state.hasPrivateKey).toBe(true);
    const keyless = parsed(`(none)\t(none)\t0\toff\n`);
    expect(keyless).toEqual({
      publicKey: null,
      listenPort: 0,
      fwmark: null,
      hasPrivateKey: false,
      peers: [],
    });
  });

  it.each([
    ['off', null],
    ['0x1', 1],
    ['0xca6c', 0xca6c],
    ['0xffffffff', 0xffffffff],
  ])('fwmark %s → %s', (mark, value) => {
    expect(parsed(`(none)\t(none)\t1\t${mark}`).fwmark).toBe(value);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['65535', 65535],
  ])('listen-port %s', (text, value) => {
    expect(parsed(`(none)\t(none)\t${text}\toff`).listenPort).toBe(value);
  });

  it.each([
    ['198.51.100.7:51000', '198.51.100.7:51000'],
    ['198.51.100.7:0', '198.51.100.7:0'],
    ['203.0.113.9:65535', '203.0.113.9:65535'],
    ['[2001:db8::7]:1', '[2001:db8::7]:1'],
    ['[fe80::1%eth0]:51820', '[fe80::1%eth0]:51820'],
    ['[::ffff:198.51.100.7]:5', '[::ffff:198.51.100.7]:5'],
    ['(none)', null],
  ])('endpoint %s', (text, value) => {
    expect(parsed(`${head}\n${peerLine({ 2: text })}`).peers[0]?.endpoint).toBe(value);
  });

  it.each([
    ['(none)', []],
    ['10.8.0.2/32', ['10.8.0.2/32']],
    ['0.0.0.0/0,::/0', ['0.0.0.0/0', '::/0']],
    ['10.8.0.2/32,fd8a::2/128,192.168.1.0/24', ['10.8.0.2/32', 'fd8a::2/128', '192.168.1.0/24']],
  ])('allowed-ips %s', (text, value) => {
    expect(parsed(`${head}\n${peerLine({ 3: text })}`).peers[0]?.allowedIps).toEqual(value);
  });

  it.each([
    ['0', null],
    ['1', 1],
    ['1700000000', 1700000000],
  ])('latest-handshake %s → %s', (text, value) => {
    expect(parsed(`${head}\n${peerLine({ 4: text })}`).peers[0]?.latestHandshake).toBe(value);
  });

  it.each([
    ['off', 0],
    ['1', 1],
    ['25', 25],
    ['65535', 65535],
  ])('persistent-keepalive %s → %s', (text, value) => {
    expect(parsed(`${head}\n${peerLine({ 7: text })}`).peers[0]?.persistentKeepalive).toBe(value);
  });

  it('reads byte counters beyond 32 bits', () => {
    const peer = parsed(`${head}\n${peerLine({ 5: '5000000000', 6: '9007199254740991' })}`).peers[0];
    expect(peer?.rxBytes).toBe(5_000_000_000);
    expect(peer?.txBytes).toBe(9_007_199_254_740_991);
  });

  it.each([
    ['', 'empty dump: expected the interface line'],
    ['\n', 'empty dump: expected the interface line'],
    [
      `${serverPrivate}\t${serverPublic}\t51820`,
      'line 1 (interface): expected 4 tab-separated fields, got 3',
    ],
    [`${head}\textra`, 'line 1 (interface): expected 4 tab-separated fields, got 5'],
    [
      `${serverPrivate}x\t${serverPublic}\t51820\toff`,
      'line 1 (interface), field private-key: expected a base64 key or (none)',
    ],
    [
      `(none)\t${serverPublic.slice(1)}\t51820\toff`,
      'line 1 (interface), field public-key: expected a base64 key or (none)',
    ],
    [
      `(none)\t(none)\t65536\toff`,
      'line 1 (interface), field listen-port: expected a port number (0 to 65535)',
    ],
    [`(none)\t(none)\t-1\toff`, 'line 1 (interface), field listen-port: expected a port number (0 to 65535)'],
    [`(none)\t(none)\t 1\toff`, 'line 1 (interface), field listen-port: expected a port number (0 to 65535)'],
    [`(none)\t(none)\t\toff`, 'line 1 (interface), field listen-port: expected a port number (0 to 65535)'],
    [
      `(none)\t(none)\t1e3\toff`,
      'line 1 (interface), field listen-port: expected a port number (0 to 65535)',
    ],
    [
      `(none)\t(none)\t1\t0x`,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [
      `(none)\t(none)\t1\t0x1ffffffff`,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [
      `(none)\t(none)\t1\t0xG`,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [
      `(none)\t(none)\t1\t12`,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [
      `(none)\t(none)\t1\tx0x1`,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [
      `(none)\t(none)\t1\t0x1 `,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [
      `(none)\t(none)\t1\tOFF`,
      'line 1 (interface), field fwmark: expected off or 0x followed by up to 8 hex digits',
    ],
    [`${head}\n${peerLine()}\textra`, 'line 2 (peer 1): expected 8 tab-separated fields, got 9'],
    [`${head}\n${peerLine()}\n\n`, 'line 3 (peer 2): expected 8 tab-separated fields, got 1'],
    [
      `${head}\n${peerLine()}\n${peerLine({ 0: '(none)' })}`,
      'line 3 (peer 2), field public-key: expected a base64 key',
    ],
    [
      `${head}\n${peerLine({ 1: 'short=' })}`,
      'line 2 (peer 1), field preshared-key: expected a base64 key or (none)',
    ],
  ])('refuses %j', (text, message) => {
    expect(failed(text)).toBe(message);
  });

  const expectedForm: Record<string, string> = {
    endpoint: 'ip:port, [ipv6]:port or (none)',
    'allowed-ips': 'a comma-separated list of address/prefix, or (none)',
    'latest-handshake': 'Unix seconds',
    'transfer-rx': 'a byte count',
    'transfer-tx': 'a byte count',
    'persistent-keepalive': 'off or seconds (1 to 65535)',
  };
  it.each([
    ['endpoint', 2, '198.51.100.7'],
    ['endpoint', 2, '198.51.100.7:65536'],
    ['endpoint', 2, '198.51.100.7:'],
    ['endpoint', 2, '198.51.100.7:123456'],
    ['endpoint', 2, '198.51.100.7:x'],
    ['endpoint', 2, 'example.com:51820'],
    ['endpoint', 2, '2001:db8::7:51820'],
    ['endpoint', 2, '[198.51.100.7]:51820'],
    ['endpoint', 2, '[2001:db8::7]51820'],
    ['endpoint', 2, '[2001:db8::zz]:51820'],
    ['endpoint', 2, 'x198.51.100.7:1'],
    ['endpoint', 2, 'x:[2001:db8::7]:1'],
    ['endpoint', 2, 'x:198.51.100.7:1'],
    ['endpoint', 2, '198.51.100.7:1x'],
    ['endpoint', 2, ''],
    ['allowed-ips', 3, '10.8.0.2'],
    ['allowed-ips', 3, '10.8.0.2/33'],
    ['allowed-ips', 3, '10.8.0.2/32,'],
    ['allowed-ips', 3, '10.8.0.2/32 fd8a::2/128'],
    ['allowed-ips', 3, ''],
    ['latest-handshake', 4, '-1'],
    ['latest-handshake', 4, ''],
    ['transfer-rx', 5, '1.5'],
    ['transfer-tx', 6, 'x'],
    ['persistent-keepalive', 7, '65536'],
    ['persistent-keepalive', 7, ''],
    ['persistent-keepalive', 7, 'on'],
  ])('refuses a peer whose %s is %j', (field, index, text) => {
    expect(failed(`${head}\n${peerLine({ [index]: text })}`)).toBe(
      `line 2 (peer 1), field ${field}: expected ${expectedForm[field]}`,
    );
  });

  it('never echoes a private or preshared key in a failure', () => {
    // A key in a column where it does not belong, and a bad line next to a good one: nothing of either is quoted.
    const texts = [
      `${serverPrivate}\t${serverPublic}\tnot-a-port\toff`,
      `${serverPrivate}\t${serverPrivate}\t51820\t${serverPrivate}`,
      `${serverPrivate}\n`.repeat(3),
      `${head}\n${peerLine({ 2: serverPrivate })}`,
      `${head}\n${peerLine({ 3: psk })}`,
      `${head}\n${peerLine({ 1: `${psk} ` })}`,
      serverPrivate,
    ];
    for (const text of texts) {
      const message = failed(text);
      for (const secret of [serverPrivate, psk, serverPrivate.slice(0, 20), psk.slice(0, 20)])
        expect(message).not.toContain(secret);
    }
  });
});

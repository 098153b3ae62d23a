import { describe, expect, it } from 'vitest';
import { decodeBindingResponse, encodeBindingRequest, stunMagicCookie } from './stun-codec.js';

const tid = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

/** Builds a response the way a server does, XOR-ing by hand from the RFC's description. */
function response(type: number, attrs: { type: number; value: number[] }[]): Uint8Array {
  const body = attrs.flatMap((a) => {
    const padded = [...a.value, ...new Array<number>((4 - (a.value.length % 4)) % 4).fill(0)];
    return [a.type >> 8, a.type & 0xff, a.value.length >> 8, a.value.length & 0xff, ...padded];
  });
  const head = [type >> 8, type & 0xff, body.length >> 8, body.length & 0xff, 0x21, 0x12, 0xa4, 0x42, ...tid];
  return Uint8Array.from([...head, ...body]);
}

describe('STUN codec', () => {
  it('encodes a plain Binding request (RFC 5389 header)', () => {
    const req = encodeBindingRequest(tid);
    expect(req.length).toBe(20);
    const view = new DataView(req.buffer);
    expect(view.getUint16(0)).toBe(0x0001);
    expect(view.getUint16(2)).toBe(0);
    expect(view.getUint32(4)).toBe(stunMagicCookie);
    expect(Array.from(req.slice(8))).toEqual(Array.from(tid));
  });

  it('encodes CHANGE-REQUEST flags', () => {
    const req = encodeBindingRequest(tid, { changeIp: true, changePort: true });
    expect(Array.from(req.slice(20))).toEqual([0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0x06]);
  });

  it('decodes XOR-MAPPED-ADDRESS (IPv4) and OTHER-ADDRESS', () => {
    // 203.0.113.2:51820 → port ^ 0x2112, address ^ 0x2112a442
    const port = 51820 ^ 0x2112;
    const addr = [203 ^ 0x21, 0 ^ 0x12, 113 ^ 0xa4, 2 ^ 0x42];
    const res = response(0x0101, [
      { type: 0x0020, value: [0, 1, port >> 8, port & 0xff, ...addr] },
      { type: 0x802c, value: [0, 1, 0x0d, 0x97, 203, 0, 113, 66] },
    ]);
    const decoded = decodeBindingResponse(res, tid);
    expect(decoded).toEqual({
      ok: true,
      response: {
        transactionId: tid,
        mapped: { family: 'IPv4', address: '203.0.113.2', port: 51820 },
        otherAddress: { family: 'IPv4', address: '203.0.113.66', port: 3479 },
        responseOrigin: undefined,
      },
    });
  });

  it('decodes an IPv6 XOR-MAPPED-ADDRESS', () => {
    const ip = [0x20, 0x01, 0x0d, 0xb8, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02];
    const mask = [0x21, 0x12, 0xa4, 0x42, ...tid];
    const port = 443 ^ 0x2112;
    const res = response(0x0101, [
      { type: 0x0020, value: [0, 2, port >> 8, port & 0xff, ...ip.map((b, i) => b ^ (mask[i] ?? 0))] },
    ]);
    const decoded = decodeBindingResponse(res, tid);
    expect(decoded.ok && decoded.response.mapped).toEqual({
      family: 'IPv6',
      address: '2001:db8:10::2',
      port: 443,
    });
  });

  it('encodes each CHANGE-REQUEST flag alone, and no attribute when both are off', () => {
    const ipOnly = encodeBindingRequest(tid, { changeIp: true });
    expect(Array.from(ipOnly.slice(0, 4))).toEqual([0x00, 0x01, 0x00, 0x08]);
    expect(Array.from(ipOnly.slice(20))).toEqual([0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0x04]);
    const portOnly = encodeBindingRequest(tid, { changePort: true });
    expect(Array.from(portOnly.slice(20))).toEqual([0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0x02]);
    expect(Array.from(encodeBindingRequest(tid, { changeIp: false, changePort: false }))).toEqual(
      Array.from(encodeBindingRequest(tid)),
    );
  });

  it.each([11, 13, 0])('refuses a transaction id of %i bytes', (n) => {
    expect(() => encodeBindingRequest(new Uint8Array(n))).toThrow(
      new RangeError('a STUN transaction id has 12 bytes'),
    );
  });

  it('reads MAPPED-ADDRESS from an RFC 3489 server, and prefers XOR-MAPPED-ADDRESS in either order', () => {
    const plain = { type: 0x0001, value: [0, 1, 0x1f, 0x90, 198, 51, 100, 7] };
    const port = 51820 ^ 0x2112;
    const xor = {
      type: 0x0020,
      value: [0, 1, port >> 8, port & 0xff, 203 ^ 0x21, 0 ^ 0x12, 113 ^ 0xa4, 2 ^ 0x42],
    };
    const only = decodeBindingResponse(response(0x0101, [plain]), tid);
    expect(only.ok && only.response.mapped).toEqual({ family: 'IPv4', address: '198.51.100.7', port: 8080 });
    for (const attrs of [
      [plain, xor],
      [xor, plain],
    ]) {
      const both = decodeBindingResponse(response(0x0101, attrs), tid);
      expect(both.ok && both.response.mapped).toEqual({
        family: 'IPv4',
        address: '203.0.113.2',
        port: 51820,
      });
    }
  });

  it('reads RESPONSE-ORIGIN, skips unknown and padded attributes', () => {
    const res = response(0x0101, [
      { type: 0x8022, value: [0x67, 0x6f, 0x2d, 0x73, 0x74] }, // SOFTWARE "go-st", padded to 8
      { type: 0x802b, value: [0, 1, 0x0d, 0x96, 203, 0, 113, 65] },
      { type: 0x0001, value: [0, 1, 0, 80, 192, 0, 2, 1] },
    ]);
    expect(decodeBindingResponse(res, tid)).toEqual({
      ok: true,
      response: {
        transactionId: tid,
        mapped: { family: 'IPv4', address: '192.0.2.1', port: 80 },
        otherAddress: undefined,
        responseOrigin: { family: 'IPv4', address: '203.0.113.65', port: 3478 },
      },
    });
  });

  it('reads attributes up to the last byte: a trailing empty XOR-MAPPED-ADDRESS replaces the one before', () => {
    const port = 51820 ^ 0x2112;
    const xor = {
      type: 0x0020,
      value: [0, 1, port >> 8, port & 0xff, 203 ^ 0x21, 0 ^ 0x12, 113 ^ 0xa4, 2 ^ 0x42],
    };
    const decoded = decodeBindingResponse(response(0x0101, [xor, { type: 0x0020, value: [] }]), tid);
    expect(decoded).toMatchObject({ ok: true, response: { mapped: undefined } });
  });

  it('reads a packet that sits inside a larger buffer', () => {
    const res = response(0x0101, [{ type: 0x0001, value: [0, 1, 0, 80, 192, 0, 2, 1] }]);
    const big = new Uint8Array(res.length + 7);
    big.fill(0xee);
    big.set(res, 5);
    const decoded = decodeBindingResponse(big.subarray(5, 5 + res.length), tid);
    expect(decoded.ok && decoded.response.mapped).toEqual({ family: 'IPv4', address: '192.0.2.1', port: 80 });
  });

  // IPv6 in OTHER-ADDRESS (not XOR-ed) shows the RFC 5952 text form.
  it.each([
    [[0x2001, 0xdb8, 1, 2, 3, 4, 5, 6], '2001:db8:1:2:3:4:5:6'],
    [[0x2001, 0xdb8, 0, 1, 2, 3, 4, 5], '2001:db8:0:1:2:3:4:5'],
    [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
    [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
    [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
    [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], '2001:db8::'],
    [[0xfe80, 0, 0, 0, 0xabcd, 0xef01, 0x2345, 0x6789], 'fe80::abcd:ef01:2345:6789'],
  ])('an IPv6 address %j reads as %s', (groups, text) => {
    const bytes = groups.flatMap((g) => [g >> 8, g & 0xff]);
    const res = response(0x0101, [{ type: 0x802c, value: [0, 2, 0x0d, 0x96, ...bytes] }]);
    const decoded = decodeBindingResponse(res, tid);
    expect(decoded.ok && decoded.response.otherAddress).toEqual({
      family: 'IPv6',
      address: text,
      port: 3478,
    });
  });

  it.each([
    ['an IPv4 address shorter than 8 bytes', [0, 1, 0, 80, 192, 0, 2]],
    [
      'an IPv6 address shorter than 20 bytes',
      [0, 2, 0, 80, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ],
    ['an unknown address family', [0, 3, 0, 80, 192, 0, 2, 1]],
    ['an unknown address family of IPv6 length', [0, 3, 0, 80, ...new Array<number>(16).fill(1)]],
  ])('%s is no address', (_name, value) => {
    const decoded = decodeBindingResponse(response(0x0101, [{ type: 0x0001, value }]), tid);
    expect(decoded).toMatchObject({ ok: true, response: { mapped: undefined } });
  });

  it.each([
    ['short', new Uint8Array(19), 'shorter than a STUN header'],
    [
      'foreign transaction',
      response(0x0101, []).map((b, i) => (i === 19 ? 99 : b)),
      'transaction id does not match',
    ],
    ['no cookie', response(0x0101, []).map((b, i) => (i === 7 ? 0 : b)), 'no STUN magic cookie'],
    [
      'truncated',
      Uint8Array.from(
        [...response(0x0101, [{ type: 0x0001, value: [0, 1, 0, 80, 192, 0, 2, 1] }])].slice(0, 31),
      ),
      'truncated STUN message',
    ],
    [
      'attribute-overflowing',
      Uint8Array.from([0x01, 0x01, 0, 8, 0x21, 0x12, 0xa4, 0x42, ...tid, 0, 1, 0, 12, 0, 1, 0, 80]),
      'truncated attribute',
    ],
    [
      'error response',
      response(0x0111, [{ type: 0x0009, value: [0, 0, 4, 20, ...new TextEncoder().encode('Unknown')] }]),
      'server error 420 Unknown',
    ],
    [
      'error without reason text',
      response(0x0111, [{ type: 0x0009, value: [0, 0, 4, 0] }]),
      'server error 400',
    ],
    ['error without a code', response(0x0111, []), 'server error (no code)'],
    [
      'error with a short code',
      response(0x0111, [{ type: 0x0009, value: [0, 0, 4] }]),
      'server error (no code)',
    ],
    ['request', response(0x0001, []), 'unexpected message type 0x1'],
  ])('refuses a %s packet with the reason', (_n, packet, reason) => {
    expect(decodeBindingResponse(packet, tid)).toEqual({ ok: false, reason });
  });

  it.each([
    ['short', new Uint8Array(10), /shorter/],
    ['foreign transaction', response(0x0101, []).map((b, i) => (i === 8 ? 99 : b)), /transaction id/],
    ['no cookie', response(0x0101, []).map((b, i) => (i === 4 ? 0 : b)), /magic cookie/],
    [
      'error response',
      response(0x0111, [{ type: 0x0009, value: [0, 0, 4, 20, ...new TextEncoder().encode('Unknown')] }]),
      /420 Unknown/,
    ],
  ])('refuses a %s packet with a reason', (_n, packet, reason) => {
    const decoded = decodeBindingResponse(packet, tid);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });
});

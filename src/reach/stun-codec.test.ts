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

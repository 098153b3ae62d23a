import { describe, expect, it } from 'vitest';
import {
  decodeAddress16,
  decodeResponse,
  encodeAddress16,
  encodeAnnounceRequest,
  encodeMapRequest,
} from './pcp-codec.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
const mapped = (v4: string) => `00000000000000000000ffff${v4}`;

describe('PCP codec (RFC 6887)', () => {
  it.each([
    ['10.10.0.2', mapped('0a0a0002')],
    ['0.0.0.0', mapped('00000000')],
    ['::', '0'.repeat(32)],
    ['2001:db8:10::2', '20010db8001000000000000000000002'],
    ['2001:db8::1:0:0:1', '20010db8000000000001000000000001'],
    ['::ffff:10.0.0.1', mapped('0a000001')],
    ['fe80::1%eth0', 'fe800000000000000000000000000001'],
  ])('writes %s in the 16-byte form (§5)', (address, expected) => {
    expect(hex(encodeAddress16(address))).toBe(expected);
  });

  it.each([
    [mapped('cb007102'), '203.0.113.2'],
    ['0'.repeat(32), '::'],
    ['20010db8001000000000000000000002', '2001:db8:10::2'],
    // RFC 5952: the longest zero run is compressed, a single zero hextet is not
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    ['00010000000000000000000000000000', '1::'],
  ])('reads %s back as %s', (packet, address) => {
    expect(decodeAddress16(bytes(packet))).toBe(address);
  });

  it('encodes ANNOUNCE: version 2, opcode 0, lifetime 0, the client address (§14.1)', () => {
    expect(hex(encodeAnnounceRequest('10.10.0.2'))).toBe(
      `02000000 00000000 ${mapped('0a0a0002')}`.replace(/\s/g, ''),
    );
  });

  it('encodes MAP: header, nonce, protocol 17, ports, no-preference external address (§11.1)', () => {
    const req = encodeMapRequest({
      nonce,
      protocol: 'udp',
      internalPort: 51820,
      suggestedExternalPort: 51820,
      lifetimeSeconds: 3600,
      clientAddress: '10.10.0.2',
    });
    expect(req.length).toBe(60);
    expect(hex(req)).toBe(
      [
        '02 01 0000', // version, R=0 opcode MAP, reserved
        '00000e10', // requested lifetime
        mapped('0a0a0002'), // client IP
        '0102030405060708090a0b0c', // nonce
        '11 000000', // protocol UDP, reserved
        'ca6c ca6c', // internal, suggested external port
        mapped('00000000'), // suggested external address: IPv4 "no preference"
      ]
        .join('')
        .replace(/\s/g, ''),
    );
  });

  it('encodes a deletion (lifetime 0) and an IPv6 client with the IPv6 all-zeros suggestion', () => {
    const req = encodeMapRequest({
      nonce,
      protocol: 'tcp',
      internalPort: 443,
      suggestedExternalPort: 0,
      lifetimeSeconds: 0,
      clientAddress: '2001:db8:10::2',
    });
    expect(hex(req.subarray(4, 8))).toBe('00000000');
    expect(req[36]).toBe(6);
    expect(hex(req.subarray(44))).toBe('0'.repeat(32));
  });

  it('refuses a nonce that is not 12 bytes', () => {
    expect(() =>
      encodeMapRequest({
        nonce: new Uint8Array(4),
        protocol: 'udp',
        internalPort: 1,
        suggestedExternalPort: 0,
        lifetimeSeconds: 1,
        clientAddress: '10.0.0.1',
      }),
    ).toThrow(RangeError);
  });

  const mapResponse = (result: string, lifetime: string) =>
    [
      '02 81 00',
      result,
      lifetime,
      '00000064', // epoch 100
      '000000000000000000000000', // reserved
      '0102030405060708090a0b0c',
      '11 000000',
      'ca6c 9c40',
      mapped('cb007102'),
    ].join('');

  it.each([
    [
      'a MAP success',
      mapResponse('00', '00000e10'),
      {
        opcode: 'map',
        resultCode: 0,
        lifetimeSeconds: 3600,
        epochSeconds: 100,
        nonce,
        protocol: 17,
        internalPort: 51820,
        externalPort: 40000,
        externalAddress: '203.0.113.2',
      },
    ],
    [
      'a MAP refusal (NO_RESOURCES, valid 30 s)',
      mapResponse('08', '0000001e'),
      expect.objectContaining({ opcode: 'map', resultCode: 8, lifetimeSeconds: 30 }),
    ],
    [
      'an ANNOUNCE answer',
      `02 80 00 00 00000000 00000005 ${'0'.repeat(24)}`,
      { opcode: 'announce', resultCode: 0, lifetimeSeconds: 0, epochSeconds: 5 },
    ],
  ])('decodes %s', (_name, packet, response) => {
    expect(decodeResponse(bytes(packet))).toEqual({ ok: true, response });
  });

  it.each([
    ['a NAT-PMP answer (version 0)', '00 81 0001 00000000', /version 0/, 0],
    ['a short header', `02 81 0000 ${'0'.repeat(16)}`, /24 bytes/, undefined],
    ['a length not a multiple of 4', `02 81 0000 ${'0'.repeat(42)}`, /multiple of 4/, undefined],
    ['a request', `02 01 0000 ${'0'.repeat(40)}`, /R bit/, undefined],
    ['a short MAP', `02 81 0000 ${'0'.repeat(56)}`, /60 bytes/, undefined],
    ['an unknown opcode', `02 85 0000 ${'0'.repeat(40)}`, /opcode 5/, undefined],
  ])('rejects %s', (_name, packet, reason, version) => {
    const r = decodeResponse(bytes(packet));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(reason);
      expect(r.version).toBe(version);
    }
  });
});

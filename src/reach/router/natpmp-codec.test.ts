import { describe, expect, it } from 'vitest';
import { decodeResponse, encodeExternalAddressRequest, encodeMapRequest } from './natpmp-codec.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('NAT-PMP codec (RFC 6886)', () => {
  it('encodes the external address request (§3.2: version 0, opcode 0)', () => {
    expect(hex(encodeExternalAddressRequest())).toBe('0000');
  });

  it.each([
    // version op   reserved internal external lifetime
    [
      { protocol: 'udp', internalPort: 51820, suggestedExternalPort: 51820, lifetimeSeconds: 3600 },
      '00 01 0000 ca6c ca6c 00000e10',
    ],
    [
      { protocol: 'tcp', internalPort: 8080, suggestedExternalPort: 0, lifetimeSeconds: 7200 },
      '00 02 0000 1f90 0000 00001c20',
    ],
    // §3.4: deletion is lifetime 0 with external port 0
    [
      { protocol: 'udp', internalPort: 51820, suggestedExternalPort: 0, lifetimeSeconds: 0 },
      '00 01 0000 ca6c 0000 00000000',
    ],
  ] as const)('encodes a mapping request %#', (request, expected) => {
    expect(hex(encodeMapRequest(request))).toBe(expected.replace(/\s+/g, ''));
  });

  it.each([
    [{ protocol: 'udp', internalPort: 0, suggestedExternalPort: 1, lifetimeSeconds: 1 }],
    [{ protocol: 'udp', internalPort: 70000, suggestedExternalPort: 1, lifetimeSeconds: 1 }],
    [{ protocol: 'udp', internalPort: 1, suggestedExternalPort: 1, lifetimeSeconds: -1 }],
  ] as const)('refuses impossible requests %#', (request) => {
    expect(() => encodeMapRequest(request)).toThrow(RangeError);
  });

  it.each([
    [
      'external address 203.0.113.2, epoch 4660',
      '00 80 0000 00001234 cb007102',
      { opcode: 'external-address', resultCode: 0, epochSeconds: 0x1234, externalAddress: '203.0.113.2' },
    ],
    [
      'external address error, short packet (§3.5)',
      '00 80 0003 00000001',
      { opcode: 'external-address', resultCode: 3, epochSeconds: 1, externalAddress: '' },
    ],
    [
      'UDP mapping 51820 → 40000 for 3600 s',
      '00 81 0000 00000010 ca6c 9c40 00000e10',
      {
        opcode: 'map',
        protocol: 'udp',
        resultCode: 0,
        epochSeconds: 16,
        internalPort: 51820,
        externalPort: 40000,
        lifetimeSeconds: 3600,
      },
    ],
    [
      'TCP mapping refused (2)',
      '00 82 0002 00000010 1f90 0000 00000000',
      {
        opcode: 'map',
        protocol: 'tcp',
        resultCode: 2,
        epochSeconds: 16,
        internalPort: 8080,
        externalPort: 0,
        lifetimeSeconds: 0,
      },
    ],
  ])('decodes %s', (_name, packet, response) => {
    expect(decodeResponse(bytes(packet))).toEqual({ ok: true, response });
  });

  it.each([
    ['too short', '0080 0000', /at least 8 bytes/],
    ['another version (PCP)', '02 80 0000 00000000 00000000', /version 2/],
    ['a request, not a response', '00 00 0000 00000000 00000000', /request/],
    ['a successful address answer cut short', '00 80 0000 00000001', /12 bytes/],
    ['a successful mapping answer cut short', '00 81 0000 00000001 ca6c', /16 bytes/],
    ['an unknown opcode', '00 85 0000 00000001', /unknown/],
  ])('rejects %s', (_name, packet, reason) => {
    const r = decodeResponse(bytes(packet));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

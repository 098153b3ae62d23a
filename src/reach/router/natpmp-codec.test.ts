import { describe, expect, it } from 'vitest';
import {
  decodeResponse,
  describeNatPmpResult,
  encodeExternalAddressRequest,
  encodeMapRequest,
  type NatPmpMapRequest,
} from './natpmp-codec.js';

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

  const udp = (over: Partial<NatPmpMapRequest>): NatPmpMapRequest => ({
    protocol: 'udp',
    internalPort: 51820,
    suggestedExternalPort: 51820,
    lifetimeSeconds: 3600,
    ...over,
  });

  it.each([
    [{ internalPort: 1 }, '00 01 0000 0001 ca6c 00000e10'],
    [{ internalPort: 65535 }, '00 01 0000 ffff ca6c 00000e10'],
    [{ suggestedExternalPort: 65535 }, '00 01 0000 ca6c ffff 00000e10'],
    [{ lifetimeSeconds: 0xffffffff }, '00 01 0000 ca6c ca6c ffffffff'],
  ])('encodes the edges of each field %j', (over, expected) => {
    expect(hex(encodeMapRequest(udp(over)))).toBe(expected.replace(/\s+/g, ''));
  });

  it.each([
    [{ internalPort: 0 }, 'internal port 0 is not a port number'],
    [{ internalPort: 65536 }, 'internal port 65536 is not a port number'],
    [{ internalPort: 1.5 }, 'internal port 1.5 is not a port number'],
    [{ suggestedExternalPort: -1 }, 'suggested external port -1 is not a port number'],
    [{ suggestedExternalPort: 65536 }, 'suggested external port 65536 is not a port number'],
    [{ suggestedExternalPort: 0.5 }, 'suggested external port 0.5 is not a port number'],
    [{ lifetimeSeconds: -1 }, 'lifetime -1 is not a 32-bit number of seconds'],
    [{ lifetimeSeconds: 0x100000000 }, 'lifetime 4294967296 is not a 32-bit number of seconds'],
    [{ lifetimeSeconds: 1.5 }, 'lifetime 1.5 is not a 32-bit number of seconds'],
  ])('refuses %j', (over, message) => {
    expect(() => encodeMapRequest(udp(over))).toThrow(new RangeError(message));
  });

  it.each([
    [
      'UDP mapping refused, short packet (§3.5)',
      '00 81 0002 00000010',
      {
        opcode: 'map',
        protocol: 'udp',
        resultCode: 2,
        epochSeconds: 16,
        internalPort: 0,
        externalPort: 0,
        lifetimeSeconds: 0,
      },
    ],
    [
      'TCP mapping error, short packet',
      '00 82 0004 00000010 1f90',
      {
        opcode: 'map',
        protocol: 'tcp',
        resultCode: 4,
        epochSeconds: 16,
        internalPort: 0,
        externalPort: 0,
        lifetimeSeconds: 0,
      },
    ],
    [
      'the longest epoch and lifetime',
      '00 81 0000 ffffffff ffff fffe ffffffff',
      {
        opcode: 'map',
        protocol: 'udp',
        resultCode: 0,
        epochSeconds: 0xffffffff,
        internalPort: 65535,
        externalPort: 65534,
        lifetimeSeconds: 0xffffffff,
      },
    ],
    [
      'a result code in both bytes',
      '00 80 0102 00000001',
      { opcode: 'external-address', resultCode: 0x0102, epochSeconds: 1, externalAddress: '' },
    ],
  ])('decodes %s', (_name, packet, response) => {
    expect(decodeResponse(bytes(packet))).toEqual({ ok: true, response });
  });

  it('decodes a response that sits inside a larger buffer', () => {
    const big = bytes('ffff 00 80 0000 00001234 cb007102 ffff');
    expect(decodeResponse(big.subarray(2, 14))).toEqual({
      ok: true,
      response: {
        opcode: 'external-address',
        resultCode: 0,
        epochSeconds: 0x1234,
        externalAddress: '203.0.113.2',
      },
    });
  });

  it.each([
    ['too short', '00 80 0000 000000', 'a NAT-PMP response has at least 8 bytes, got 7'],
    ['another version (PCP)', '02 80 0000 00000000 00000000', 'NAT-PMP version 2 is not 0'],
    ['a request, not a response', '00 7f 0000 00000000 00000000', 'opcode 127 is a request, not a response'],
    [
      'a successful address answer cut short',
      '00 80 0000 00000001 cb0071',
      'an external-address response has 12 bytes, got 11',
    ],
    [
      'a successful mapping answer cut short',
      '00 81 0000 00000001 ca6c 9c40 00000e',
      'a mapping response has 16 bytes, got 15',
    ],
    ['an unknown opcode', '00 83 0000 00000001', 'unknown NAT-PMP response opcode 3'],
  ])('rejects %s with the reason', (_name, packet, reason) => {
    expect(decodeResponse(bytes(packet))).toEqual({ ok: false, reason });
  });

  it.each([
    [0, 'result 0 (success)'],
    [1, 'result 1 (unsupported version)'],
    [2, 'result 2 (not authorized / refused)'],
    [3, 'result 3 (network failure)'],
    [4, 'result 4 (out of resources)'],
    [5, 'result 5 (unsupported opcode)'],
    [6, 'result 6 (unknown)'],
  ])('describes result code %i', (code, text) => {
    expect(describeNatPmpResult(code)).toBe(text);
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

describe('NAT-PMP codec: TCP next to UDP (RFC 6886 §3.3: opcode 1 maps UDP, 2 TCP)', () => {
  it.each([
    // what                              protocol internal ext lifetime  version op reserved internal external lifetime
    ['UDP 80 → 80 for 120 s', 'udp', 80, 80, 120, '00 01 0000 0050 0050 00000078'],
    ['TCP 80 → 80 for 120 s', 'tcp', 80, 80, 120, '00 02 0000 0050 0050 00000078'],
    ['TCP 80, the router chooses', 'tcp', 80, 0, 300, '00 02 0000 0050 0000 0000012c'],
    ['deleting TCP 80 (§3.4)', 'tcp', 80, 0, 0, '00 02 0000 0050 0000 00000000'],
    ['deleting UDP 80 (§3.4)', 'udp', 80, 0, 0, '00 01 0000 0050 0000 00000000'],
    ['TCP 443 → 8443 for a day', 'tcp', 443, 8443, 86400, '00 02 0000 01bb 20fb 00015180'],
  ] as const)(
    'encodes %s',
    (_what, protocol, internalPort, suggestedExternalPort, lifetimeSeconds, expected) => {
      expect(hex(encodeMapRequest({ protocol, internalPort, suggestedExternalPort, lifetimeSeconds }))).toBe(
        expected.replace(/\s+/g, ''),
      );
    },
  );

  it.each([
    ['a TCP grant of 80 → 80 for 120 s', '00 82 0000 0000002a 0050 0050 00000078', 'tcp', 0, 80, 80, 120],
    ['a UDP grant of 80 → 80 for 120 s', '00 81 0000 0000002a 0050 0050 00000078', 'udp', 0, 80, 80, 120],
    [
      'a TCP grant of another external port',
      '00 82 0000 0000002a 0050 0400 00000078',
      'tcp',
      0,
      80,
      1024,
      120,
    ],
    ['a TCP deletion acknowledged', '00 82 0000 0000002a 0050 0000 00000000', 'tcp', 0, 80, 0, 0],
    ['a TCP refusal (2)', '00 82 0002 0000002a 0050 0050 00000000', 'tcp', 2, 80, 80, 0],
  ] as const)(
    'decodes %s',
    (_what, packet, protocol, resultCode, internalPort, externalPort, lifetimeSeconds) => {
      expect(decodeResponse(bytes(packet))).toEqual({
        ok: true,
        response: {
          opcode: 'map',
          protocol,
          resultCode,
          epochSeconds: 42,
          internalPort,
          externalPort,
          lifetimeSeconds,
        },
      });
    },
  );
});

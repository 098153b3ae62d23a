import { describe, expect, it } from 'vitest';
import {
  decodeAddress16,
  decodeResponse,
  encodeAddress16,
  encodeAnnounceRequest,
  encodeMapRequest,
  describePcpResult,
  pcpResultNames,
  type PcpMapRequest,
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
  it.each([
    ['1::', '00010000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['FE80::A', 'fe80000000000000000000000000000a'],
    ['::ffff:10.20.30.40', mapped('0a141e28')],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
  ])('writes %s in the 16-byte form too', (address, expected) => {
    expect(hex(encodeAddress16(address))).toBe(expected);
  });

  it.each(['', 'router.lan', '10.0.0.256', '1:2:3:4:5:6:7:8:9'])(
    'refuses to write %j as an address',
    (address) => {
      expect(() => encodeAddress16(address)).toThrow(new RangeError(`"${address}" is not an IP address`));
    },
  );

  it.each([
    // Not IPv4-mapped unless the first 80 bits are zero and the next 16 are ones.
    ['00000000000000000001ffff0a000001', '::1:ffff:a00:1'],
    ['01000000000000000000ffff0a000001', '100::ffff:a00:1'],
    ['00000000000000000000ff000a000001', '::ff00:a00:1'],
    ['0000000000000000000000ff0a000001', '::ff:a00:1'],
    // RFC 5952: on a tie the first run is compressed
    ['20010000000000010000000000010001', '2001::1:0:0:1:1'],
    ['20010db8000000000000000000000000', '2001:db8::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['fe800000000000000000abcdef012345', 'fe80::abcd:ef01:2345'],
  ])('reads %s back as %s', (packet, address) => {
    expect(decodeAddress16(bytes(packet))).toBe(address);
  });

  const request = (over: Partial<PcpMapRequest>): PcpMapRequest => ({
    nonce,
    protocol: 'udp',
    internalPort: 51820,
    suggestedExternalPort: 51820,
    lifetimeSeconds: 3600,
    clientAddress: '10.10.0.2',
    ...over,
  });

  it.each([
    [{ nonce: new Uint8Array(13) }, 'a PCP mapping nonce has 12 bytes'],
    [{ internalPort: 0 }, 'internal port 0 is not a port number'],
    [{ internalPort: 65536 }, 'internal port 65536 is not a port number'],
    [{ internalPort: 1.5 }, 'internal port 1.5 is not a port number'],
    [{ lifetimeSeconds: -1 }, 'lifetime -1 is not a 32-bit number of seconds'],
    [{ lifetimeSeconds: 0x100000000 }, 'lifetime 4294967296 is not a 32-bit number of seconds'],
    [{ lifetimeSeconds: 0.5 }, 'lifetime 0.5 is not a 32-bit number of seconds'],
  ])('refuses the mapping request %j', (over, message) => {
    expect(() => encodeMapRequest(request(over))).toThrow(new RangeError(message));
  });

  it.each([
    [{ internalPort: 1 }, 40, '0001'],
    [{ internalPort: 65535 }, 40, 'ffff'],
    [{ lifetimeSeconds: 0xffffffff }, 4, 'ffffffff'],
    [{ suggestedExternalPort: 443 }, 42, '01bb'],
    [{ suggestedExternalAddress: '203.0.113.2' }, 44, mapped('cb007102')],
    [
      { suggestedExternalAddress: '2001:db8::7', clientAddress: '2001:db8::2' },
      44,
      '20010db8000000000000000000000007',
    ],
    // An IPv4-mapped client is an IPv4 client: the IPv4 "no preference"
    [{ clientAddress: '::ffff:10.0.0.2' }, 44, mapped('00000000')],
    [{ clientAddress: '::FFFF:10.0.0.2' }, 44, mapped('00000000')],
    [{ clientAddress: '2001:db8::2' }, 8, '20010db8000000000000000000000002'],
  ])('encodes the mapping request %j', (over, offset, expected) => {
    const req = encodeMapRequest(request(over));
    expect(req.length).toBe(60);
    expect(hex(req.subarray(offset, offset + expected.length / 2))).toBe(expected);
  });

  it('encodes ANNOUNCE from an IPv6 client', () => {
    expect(hex(encodeAnnounceRequest('2001:db8::2'))).toBe(
      '020000000000000020010db8000000000000000000000002',
    );
  });

  it.each([
    ['3 bytes', '02 81 00', 'a PCP response has at least 24 bytes, got 3', undefined],
    ['a NAT-PMP answer', '00 81 0001 00000000', 'answered with protocol version 0', 0],
    ['version 1', `01 81 0000 ${'0'.repeat(40)}`, 'answered with protocol version 1', 1],
    ['20 bytes', `02 81 0000 ${'0'.repeat(32)}`, 'a PCP response has at least 24 bytes, got 20', undefined],
    [
      '26 bytes',
      `02 80 0000 ${'0'.repeat(44)}`,
      'a PCP message is a multiple of 4 bytes up to 1100, got 26',
      undefined,
    ],
    [
      '1104 bytes',
      `02 80 0000 ${'0'.repeat(2200)}`,
      'a PCP message is a multiple of 4 bytes up to 1100, got 1104',
      undefined,
    ],
    ['a request', `02 01 0000 ${'0'.repeat(40)}`, 'a request, not a response (R bit clear)', undefined],
    [
      'a 56-byte MAP',
      `02 81 0000 ${'0'.repeat(104)}`,
      'a MAP response has at least 60 bytes, got 56',
      undefined,
    ],
    ['opcode 127', `02 ff 0000 ${'0'.repeat(40)}`, 'unexpected PCP response opcode 127', undefined],
  ])('rejects %s with the reason', (_name, packet, reason, version) => {
    expect(decodeResponse(bytes(packet))).toEqual(
      version === undefined ? { ok: false, reason } : { ok: false, reason, version },
    );
  });

  it('reads the result code from byte 3, and takes the longest message there is', () => {
    const announce = decodeResponse(bytes(`02 80 ff 07 0000001e 00000064 ${'0'.repeat(24)}`));
    expect(announce).toEqual({
      ok: true,
      response: { opcode: 'announce', resultCode: 7, lifetimeSeconds: 30, epochSeconds: 100 },
    });
    expect(decodeResponse(bytes(`02 80 0000 ${'0'.repeat(2192)}`)).ok).toBe(true);
    const inside = bytes(`ffff ${mapResponse('00', '00000e10')} ffff`).subarray(2, 62);
    expect(decodeResponse(inside)).toMatchObject({
      ok: true,
      response: { externalAddress: '203.0.113.2', externalPort: 40000 },
    });
  });

  it.each([
    [0, 'SUCCESS'],
    [1, 'UNSUPP_VERSION'],
    [2, 'NOT_AUTHORIZED'],
    [3, 'MALFORMED_REQUEST'],
    [4, 'UNSUPP_OPCODE'],
    [5, 'UNSUPP_OPTION'],
    [6, 'MALFORMED_OPTION'],
    [7, 'NETWORK_FAILURE'],
    [8, 'NO_RESOURCES'],
    [9, 'UNSUPP_PROTOCOL'],
    [10, 'USER_EX_QUOTA'],
    [11, 'CANNOT_PROVIDE_EXTERNAL'],
    [12, 'ADDRESS_MISMATCH'],
    [13, 'EXCESSIVE_REMOTE_PEERS'],
    [14, 'unknown'],
  ])('describes result code %i as RFC 6887 §7.4 names it (%s)', (code, name) => {
    expect(describePcpResult(code)).toBe(`result ${code} (${name})`);
  });

  it('names exactly the fourteen result codes of §7.4', () => {
    expect(Object.keys(pcpResultNames)).toHaveLength(14);
  });

  it.each([
    ['an empty datagram', '', { ok: false, reason: 'a PCP response has at least 24 bytes, got 0' }],
    [
      '4 bytes of NAT-PMP',
      '00 81 0001',
      { ok: false, reason: 'answered with protocol version 0', version: 0 },
    ],
  ])('rejects %s', (_name, packet, result) => {
    expect(decodeResponse(bytes(packet))).toEqual(result);
  });

  it('drops a zone, even after "::", and refuses a zone on an IPv4 address', () => {
    expect(hex(encodeAddress16('fe80::%eth0'))).toBe('fe800000000000000000000000000000');
    expect(hex(encodeAddress16('fe80::1%1'))).toBe('fe800000000000000000000000000001');
    expect(() => encodeAddress16('10.0.0.1%eth0')).toThrow(
      new RangeError('"10.0.0.1%eth0" is not an IP address'),
    );
  });
});

describe('PCP codec: TCP next to UDP (RFC 6887 §11.1: protocol 6 is TCP, 17 UDP)', () => {
  const request = (
    protocol: 'udp' | 'tcp',
    internalPort: number,
    suggestedExternalPort: number,
    lifetimeSeconds: number,
  ): PcpMapRequest => ({
    nonce,
    protocol,
    internalPort,
    suggestedExternalPort,
    lifetimeSeconds,
    clientAddress: '10.10.0.2',
  });
  const header = (lifetime: string) => `02 01 0000 ${lifetime} ${mapped('0a0a0002')}`;
  const body = (protocol: string, ports: string) =>
    `0102030405060708090a0b0c ${protocol} 000000 ${ports} ${mapped('00000000')}`;

  it.each([
    ['TCP 80 → 80 for 120 s', request('tcp', 80, 80, 120), header('00000078') + body('06', '0050 0050')],
    ['UDP 80 → 80 for 120 s', request('udp', 80, 80, 120), header('00000078') + body('11', '0050 0050')],
    ['deleting TCP 80 → 80 (§15)', request('tcp', 80, 80, 0), header('00000000') + body('06', '0050 0050')],
    ['TCP 80, any external port', request('tcp', 80, 0, 600), header('00000258') + body('06', '0050 0000')],
  ])('encodes MAP %s', (_what, req, expected) => {
    expect(hex(encodeMapRequest(req))).toBe(expected.replace(/\s+/g, ''));
  });

  const response = (protocol: string, ports: string, result = '00', lifetime = '00000078') =>
    bytes(
      `02 81 00 ${result} ${lifetime} 0000002a ${'0'.repeat(24)} 0102030405060708090a0b0c ${protocol} 000000 ${ports} ${mapped('cb007102')}`,
    );

  it.each([
    ['a TCP grant of 80 → 80', response('06', '0050 0050'), 0, 120, 6, 80, 80],
    ['a UDP grant of 80 → 80', response('11', '0050 0050'), 0, 120, 17, 80, 80],
    ['a TCP grant of another external port', response('06', '0050 0400'), 0, 120, 6, 80, 1024],
    ['a TCP refusal (NOT_AUTHORIZED, 30 s)', response('06', '0050 0050', '02', '0000001e'), 2, 30, 6, 80, 80],
  ])('decodes %s', (_what, packet, resultCode, lifetimeSeconds, protocol, internalPort, externalPort) => {
    expect(decodeResponse(packet)).toEqual({
      ok: true,
      response: {
        opcode: 'map',
        resultCode,
        lifetimeSeconds,
        epochSeconds: 42,
        nonce,
        protocol,
        internalPort,
        externalPort,
        externalAddress: '203.0.113.2',
      },
    });
  });
});

/** @module PCP (RFC 6887) messages: MAP and ANNOUNCE requests out, responses in. Pure. */
import { isIPv4, isIPv6 } from 'node:net';
import { formatIpv6, toBigInt } from '../addresses.js';

export const pcpPort = 5351;
export const pcpVersion = 2;
const pcpOpcodes = { announce: 0, map: 1 } as const;
export const ipProtocols = { tcp: 6, udp: 17 } as const;
/** RFC 6887 §7: requests and responses never exceed 1100 bytes. */
const pcpMaxMessageBytes = 1100;

/** RFC 6887 §7.4 result codes. */
export const pcpResultNames: Readonly<Record<number, string>> = {
  0: 'SUCCESS',
  1: 'UNSUPP_VERSION',
  2: 'NOT_AUTHORIZED',
  3: 'MALFORMED_REQUEST',
  4: 'UNSUPP_OPCODE',
  5: 'UNSUPP_OPTION',
  6: 'MALFORMED_OPTION',
  7: 'NETWORK_FAILURE',
  8: 'NO_RESOURCES',
  9: 'UNSUPP_PROTOCOL',
  10: 'USER_EX_QUOTA',
  11: 'CANNOT_PROVIDE_EXTERNAL',
  12: 'ADDRESS_MISMATCH',
  13: 'EXCESSIVE_REMOTE_PEERS',
};

export type PcpProtocol = 'udp' | 'tcp';

export interface PcpMapRequest {
  /** 12 random bytes that identify this mapping; renewals and the deletion repeat them (§11.1). */
  readonly nonce: Uint8Array;
  readonly protocol: PcpProtocol;
  readonly internalPort: number;
  readonly suggestedExternalPort: number;
  /** Empty for "no preference" (the family's all-zeros address, §11.1). */
  readonly suggestedExternalAddress?: string;
  /** 0 deletes the mapping (§15). */
  readonly lifetimeSeconds: number;
  /** The client's own address as the server sees it (the request's source address, §8.1). */
  readonly clientAddress: string;
}

interface PcpHeader {
  readonly resultCode: number;
  /** On success the granted lifetime; on an error how long the error is likely to last (§7.2). */
  readonly lifetimeSeconds: number;
  readonly epochSeconds: number;
}

export type PcpResponse =
  | (PcpHeader & { readonly opcode: 'announce' })
  | (PcpHeader & {
      readonly opcode: 'map';
      readonly nonce: Uint8Array;
      readonly protocol: number;
      readonly internalPort: number;
      readonly externalPort: number;
      readonly externalAddress: string;
    });

export type PcpDecodeResult =
  | { readonly ok: true; readonly response: PcpResponse }
  /** `version` is set when the server answered in another protocol version (a NAT-PMP-only router says 0). */
  | { readonly ok: false; readonly reason: string; readonly version?: number };

/** §14.1: ANNOUNCE with lifetime 0 asks the server to answer; used to learn whether PCP is there. */
export function encodeAnnounceRequest(clientAddress: string): Uint8Array {
  const buf = new Uint8Array(24);
  writeHeader(buf, pcpOpcodes.announce, 0, clientAddress);
  return buf;
}

export function encodeMapRequest(request: PcpMapRequest): Uint8Array {
  if (request.nonce.length !== 12) throw new RangeError('a PCP mapping nonce has 12 bytes');
  if (!Number.isInteger(request.internalPort) || request.internalPort < 1 || request.internalPort > 65535)
    throw new RangeError(`internal port ${request.internalPort} is not a port number`);
  const buf = new Uint8Array(24 + 36);
  writeHeader(buf, pcpOpcodes.map, request.lifetimeSeconds, request.clientAddress);
  const view = new DataView(buf.buffer);
  buf.set(request.nonce, 24);
  view.setUint8(36, ipProtocols[request.protocol]);
  view.setUint16(40, request.internalPort);
  view.setUint16(42, request.suggestedExternalPort);
  const wantV6 = isIPv6(request.clientAddress) && !request.clientAddress.toLowerCase().startsWith('::ffff:');
  buf.set(encodeAddress16(request.suggestedExternalAddress || (wantV6 ? '::' : '0.0.0.0')), 44);
  return buf;
}

export function decodeResponse(bytes: Uint8Array): PcpDecodeResult {
  if (bytes.length < 4)
    return { ok: false, reason: `a PCP response has at least 24 bytes, got ${bytes.length}` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== pcpVersion)
    return { ok: false, reason: `answered with protocol version ${version}`, version };
  if (bytes.length < 24)
    return { ok: false, reason: `a PCP response has at least 24 bytes, got ${bytes.length}` };
  if (bytes.length > pcpMaxMessageBytes || bytes.length % 4 !== 0)
    return { ok: false, reason: `a PCP message is a multiple of 4 bytes up to 1100, got ${bytes.length}` };
  const rOpcode = view.getUint8(1);
  if ((rOpcode & 0x80) === 0) return { ok: false, reason: 'a request, not a response (R bit clear)' };
  const opcode = rOpcode & 0x7f;
  const header: PcpHeader = {
    resultCode: view.getUint8(3),
    lifetimeSeconds: view.getUint32(4),
    epochSeconds: view.getUint32(8),
  };
  if (opcode === pcpOpcodes.announce) return { ok: true, response: { ...header, opcode: 'announce' } };
  if (opcode === pcpOpcodes.map) {
    if (bytes.length < 60) {
      return { ok: false, reason: `a MAP response has at least 60 bytes, got ${bytes.length}` };
    }
    return {
      ok: true,
      response: {
        ...header,
        opcode: 'map',
        nonce: bytes.slice(24, 36),
        protocol: view.getUint8(36),
        internalPort: view.getUint16(40),
        externalPort: view.getUint16(42),
        externalAddress: decodeAddress16(bytes.subarray(44, 60)),
      },
    };
  }
  return { ok: false, reason: `unexpected PCP response opcode ${opcode}` };
}

export function describePcpResult(code: number): string {
  return `result ${code} (${pcpResultNames[code] ?? 'unknown'})`;
}

function writeHeader(buf: Uint8Array, opcode: number, lifetimeSeconds: number, clientAddress: string): void {
  if (!Number.isInteger(lifetimeSeconds) || lifetimeSeconds < 0 || lifetimeSeconds > 0xffffffff)
    throw new RangeError(`lifetime ${lifetimeSeconds} is not a 32-bit number of seconds`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  view.setUint8(0, pcpVersion);
  view.setUint8(1, opcode & 0x7f);
  view.setUint16(2, 0);
  view.setUint32(4, lifetimeSeconds);
  buf.set(encodeAddress16(clientAddress), 8);
}

/** An address in PCP's 16-byte form: IPv6 as is, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d, §5); a zone is dropped. */
export function encodeAddress16(address: string): Uint8Array {
  if (!isIPv4(address) && !isIPv6(address)) throw new RangeError(`"${address}" is not an IP address`);
  const bare = address.replace(/%.*/, '');
  const value = toBigInt(bare) ?? 0n;
  const full = isIPv4(bare) ? (0xffffn << 32n) | value : value;
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, full >> 64n);
  view.setBigUint64(8, full & 0xffff_ffff_ffff_ffffn);
  return out;
}

/** The inverse of encodeAddress16: IPv4-mapped addresses come back dotted, IPv6 in RFC 5952 form. */
export function decodeAddress16(bytes: Uint8Array): string {
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return Array.from(bytes.subarray(12, 16)).join('.');
  const groups = Array.from({ length: 8 }, (_, g) => ((bytes[2 * g] ?? 0) << 8) | (bytes[2 * g + 1] ?? 0));
  return formatIpv6(groups);
}

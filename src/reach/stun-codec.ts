/** @module A small RFC 5389 / RFC 5780 STUN codec: Binding requests out, mapped addresses in. Pure. */
import { formatIpv6 } from './addresses.js';

export const stunMagicCookie = 0x2112a442;

const msgBindingRequest = 0x0001;
const msgBindingSuccess = 0x0101;
const msgBindingError = 0x0111;

const attrMappedAddress = 0x0001;
const attrChangeRequest = 0x0003;
const attrErrorCode = 0x0009;
const attrXorMappedAddress = 0x0020;
const attrResponseOrigin = 0x802b;
const attrOtherAddress = 0x802c;

export interface TransportAddress {
  readonly family: 'IPv4' | 'IPv6';
  readonly address: string;
  readonly port: number;
}

export interface BindingResponse {
  readonly transactionId: Uint8Array;
  /** XOR-MAPPED-ADDRESS, or MAPPED-ADDRESS from an RFC 3489 server. */
  readonly mapped: TransportAddress | undefined;
  /** RFC 5780: where the server would answer from when asked to change IP and port. */
  readonly otherAddress: TransportAddress | undefined;
  readonly responseOrigin: TransportAddress | undefined;
}

export type DecodeResult =
  { readonly ok: true; readonly response: BindingResponse } | { readonly ok: false; readonly reason: string };

/** Encodes a Binding request; `changeIp` / `changePort` add an RFC 5780 CHANGE-REQUEST. */
export function encodeBindingRequest(
  transactionId: Uint8Array,
  options: { changeIp?: boolean; changePort?: boolean } = {},
): Uint8Array {
  if (transactionId.length !== 12) throw new RangeError('a STUN transaction id has 12 bytes');
  const withChange = options.changeIp === true || options.changePort === true;
  const buf = new Uint8Array(20 + (withChange ? 8 : 0));
  const view = new DataView(buf.buffer);
  view.setUint16(0, msgBindingRequest);
  view.setUint16(2, withChange ? 8 : 0);
  view.setUint32(4, stunMagicCookie);
  buf.set(transactionId, 8);
  if (withChange) {
    view.setUint16(20, attrChangeRequest);
    view.setUint16(22, 4);
    view.setUint32(24, (options.changeIp ? 0x04 : 0) | (options.changePort ? 0x02 : 0));
  }
  return buf;
}

function decodeAddress(
  value: Uint8Array,
  xor: boolean,
  transactionId: Uint8Array,
): TransportAddress | undefined {
  if (value.length < 8) return undefined;
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const familyCode = view.getUint8(1);
  let port = view.getUint16(2);
  if (xor) port ^= stunMagicCookie >>> 16;
  // XOR-MAPPED-ADDRESS masks IPv4 with the magic cookie, IPv6 with the cookie and the transaction id (RFC 5389 §15.2).
  const mask = [0x21, 0x12, 0xa4, 0x42, ...transactionId];
  const unmask = (bytes: Uint8Array) => Array.from(bytes, (b, i) => (xor ? b ^ (mask[i] ?? 0) : b));
  if (familyCode === 0x01) return { family: 'IPv4', address: unmask(value.subarray(4, 8)).join('.'), port };
  if (familyCode === 0x02 && value.length >= 20) {
    const bytes = unmask(value.subarray(4, 20));
    const groups = Array.from({ length: 8 }, (_, g) => ((bytes[2 * g] ?? 0) << 8) | (bytes[2 * g + 1] ?? 0));
    return { family: 'IPv6', address: formatIpv6(groups), port };
  }
  return undefined;
}

/** Decodes a Binding response for the given transaction; anything else is a reason, never an exception. */
export function decodeBindingResponse(packet: Uint8Array, expectedTransactionId: Uint8Array): DecodeResult {
  if (packet.length < 20) return { ok: false, reason: 'shorter than a STUN header' };
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const type = view.getUint16(0);
  const length = view.getUint16(2);
  if (view.getUint32(4) !== stunMagicCookie) return { ok: false, reason: 'no STUN magic cookie' };
  if (20 + length > packet.length) return { ok: false, reason: 'truncated STUN message' };
  const transactionId = packet.slice(8, 20);
  if (!transactionId.every((b, i) => b === expectedTransactionId[i])) {
    return { ok: false, reason: 'transaction id does not match' };
  }
  let mapped: TransportAddress | undefined;
  let xorMapped: TransportAddress | undefined;
  let otherAddress: TransportAddress | undefined;
  let responseOrigin: TransportAddress | undefined;
  let errorText: string | undefined;
  for (let offset = 20; offset + 4 <= 20 + length;) {
    const attrType = view.getUint16(offset);
    const attrLength = view.getUint16(offset + 2);
    const value = packet.slice(offset + 4, offset + 4 + attrLength);
    if (value.length < attrLength) return { ok: false, reason: 'truncated attribute' };
    switch (attrType) {
      case attrXorMappedAddress:
        xorMapped = decodeAddress(value, true, transactionId);
        break;
      case attrMappedAddress:
        mapped = decodeAddress(value, false, transactionId);
        break;
      case attrOtherAddress:
        otherAddress = decodeAddress(value, false, transactionId);
        break;
      case attrResponseOrigin:
        responseOrigin = decodeAddress(value, false, transactionId);
        break;
      case attrErrorCode:
        if (value.length >= 4) {
          const code = (value[2] ?? 0) * 100 + (value[3] ?? 0);
          errorText = `${code} ${new TextDecoder().decode(value.slice(4))}`.trim();
        }
        break;
      // Other attributes (SOFTWARE, FINGERPRINT, ...) are skipped.
    }
    offset += 4 + Math.ceil(attrLength / 4) * 4;
  }
  if (type === msgBindingError) return { ok: false, reason: `server error ${errorText ?? '(no code)'}` };
  if (type !== msgBindingSuccess)
    return { ok: false, reason: `unexpected message type 0x${type.toString(16)}` };
  return { ok: true, response: { transactionId, mapped: xorMapped ?? mapped, otherAddress, responseOrigin } };
}

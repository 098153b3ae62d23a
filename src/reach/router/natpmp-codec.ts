/** @module NAT-PMP (RFC 6886) messages: external-address and mapping requests out, responses in. Pure. */

export const natPmpPort = 5351;
const natPmpVersion = 0;

const natPmpOpcodes = { externalAddress: 0, mapUdp: 1, mapTcp: 2 } as const;

/** RFC 6886 §3.5 result codes. */
const natPmpResultNames: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'unsupported version',
  2: 'not authorized / refused',
  3: 'network failure',
  4: 'out of resources',
  5: 'unsupported opcode',
};

export type NatPmpProtocol = 'udp' | 'tcp';

export interface NatPmpMapRequest {
  readonly protocol: NatPmpProtocol;
  readonly internalPort: number;
  /** 0 lets the router choose; must be 0 together with lifetime 0 to delete (RFC 6886 §3.4). */
  readonly suggestedExternalPort: number;
  readonly lifetimeSeconds: number;
}

export type NatPmpResponse =
  | {
      readonly opcode: 'external-address';
      readonly resultCode: number;
      readonly epochSeconds: number;
      readonly externalAddress: string;
    }
  | {
      readonly opcode: 'map';
      readonly protocol: NatPmpProtocol;
      readonly resultCode: number;
      readonly epochSeconds: number;
      readonly internalPort: number;
      readonly externalPort: number;
      readonly lifetimeSeconds: number;
    };

export type NatPmpDecodeResult =
  { readonly ok: true; readonly response: NatPmpResponse } | { readonly ok: false; readonly reason: string };

export function encodeExternalAddressRequest(): Uint8Array {
  return Uint8Array.from([natPmpVersion, natPmpOpcodes.externalAddress]);
}

/** A mapping request (§3.3); lifetime 0 with external port 0 deletes the mapping (§3.4). */
export function encodeMapRequest(request: NatPmpMapRequest): Uint8Array {
  checkPort(request.internalPort, 'internal port', false);
  checkPort(request.suggestedExternalPort, 'suggested external port', true);
  if (
    !Number.isInteger(request.lifetimeSeconds) ||
    request.lifetimeSeconds < 0 ||
    request.lifetimeSeconds > 0xffffffff
  )
    throw new RangeError(`lifetime ${request.lifetimeSeconds} is not a 32-bit number of seconds`);
  const buf = new Uint8Array(12);
  const view = new DataView(buf.buffer);
  view.setUint8(0, natPmpVersion);
  view.setUint8(1, request.protocol === 'udp' ? natPmpOpcodes.mapUdp : natPmpOpcodes.mapTcp);
  view.setUint16(2, 0); // reserved
  view.setUint16(4, request.internalPort);
  view.setUint16(6, request.suggestedExternalPort);
  view.setUint32(8, request.lifetimeSeconds);
  return buf;
}

/**
 * Decodes a response (§3.2, §3.3). A non-zero result code is still a decoded response; only malformed bytes
 * are a failure. A router that answers an error may send a short packet (§3.5: only the first 8 bytes count).
 */
export function decodeResponse(bytes: Uint8Array): NatPmpDecodeResult {
  if (bytes.length < 8)
    return { ok: false, reason: `a NAT-PMP response has at least 8 bytes, got ${bytes.length}` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  const op = view.getUint8(1);
  const resultCode = view.getUint16(2);
  const epochSeconds = view.getUint32(4);
  if (version !== natPmpVersion) return { ok: false, reason: `NAT-PMP version ${version} is not 0` };
  if (op < 128) return { ok: false, reason: `opcode ${op} is a request, not a response` };
  const opcode = op - 128;
  if (opcode === natPmpOpcodes.externalAddress) {
    if (resultCode !== 0)
      return {
        ok: true,
        response: { opcode: 'external-address', resultCode, epochSeconds, externalAddress: '' },
      };
    if (bytes.length < 12)
      return { ok: false, reason: `an external-address response has 12 bytes, got ${bytes.length}` };
    const externalAddress = Array.from(bytes.subarray(8, 12)).join('.');
    return { ok: true, response: { opcode: 'external-address', resultCode, epochSeconds, externalAddress } };
  }
  if (opcode === natPmpOpcodes.mapUdp || opcode === natPmpOpcodes.mapTcp) {
    const protocol = opcode === natPmpOpcodes.mapUdp ? 'udp' : 'tcp';
    if (bytes.length < 16) {
      if (resultCode === 0)
        return { ok: false, reason: `a mapping response has 16 bytes, got ${bytes.length}` };
      return {
        ok: true,
        response: {
          opcode: 'map',
          protocol,
          resultCode,
          epochSeconds,
          internalPort: 0,
          externalPort: 0,
          lifetimeSeconds: 0,
        },
      };
    }
    return {
      ok: true,
      response: {
        opcode: 'map',
        protocol,
        resultCode,
        epochSeconds,
        internalPort: view.getUint16(8),
        externalPort: view.getUint16(10),
        lifetimeSeconds: view.getUint32(12),
      },
    };
  }
  return { ok: false, reason: `unknown NAT-PMP response opcode ${opcode}` };
}

export function describeNatPmpResult(code: number): string {
  return `result ${code} (${natPmpResultNames[code] ?? 'unknown'})`;
}

function checkPort(port: number, what: string, zeroOk: boolean): void {
  if (!Number.isInteger(port) || port < (zeroOk ? 0 : 1) || port > 65535)
    throw new RangeError(`${what} ${port} is not a port number`);
}

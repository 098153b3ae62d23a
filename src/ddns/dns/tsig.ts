/**
 * @module TSIG (RFC 8945, https://www.rfc-editor.org/rfc/rfc8945): signs DNS requests and verifies signed answers
 * with HMAC-SHA256 (the algorithm every implementation must have, §6) or HMAC-SHA512. Pure: time is a parameter.
 *
 * The MAC covers (§4.3): for an answer, the request's MAC prefixed with its 16-bit length; then the message as it
 * was before the TSIG RR was added (ARCOUNT without it, the ID as Original ID); then the TSIG variables (§4.3.3)
 * in this order: key name (canonical wire form), class ANY, TTL 0, algorithm name (canonical), Time Signed (48 bits),
 * Fudge, Error, Other Len, Other Data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import {
  canonicalNameWire,
  encodeMessage,
  rcodeName,
  RRClass,
  RRType,
  sameName,
  type DecodedMessage,
  type DnsMessage,
  type RData,
  type ResourceRecord,
} from './codec.js';

export const tsigAlgorithms = ['hmac-sha256', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof tsigAlgorithms)[number];

export interface TsigKey {
  /** The key's name as the server knows it (`gatehouse-ddns`). */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** The shared secret (base64-decoded). */
  readonly secret: Uint8Array;
}

/** Allowed clock difference in seconds, as RFC 8945 §10 recommends. */
export const defaultFudge = 300;

/** The algorithm's name in canonical wire form: one label and the root (`\x0bhmac-sha256\x00`). */
const nameWire = (name: string): Uint8Array =>
  Uint8Array.from([name.length, ...new TextEncoder().encode(name), 0]);

const hashOf: Record<
  TsigAlgorithm,
  { readonly node: string; readonly size: number; readonly wire: Uint8Array }
> = {
  'hmac-sha256': { node: 'sha256', size: 32, wire: nameWire('hmac-sha256') },
  'hmac-sha512': { node: 'sha512', size: 64, wire: nameWire('hmac-sha512') },
};

type TsigData = Extract<RData, { kind: 'tsig' }>;

function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

function u48(v: number): Uint8Array {
  const hi = Math.floor(v / 0x100000000);
  const lo = v % 0x100000000;
  return Uint8Array.of(hi >>> 8, hi & 0xff, lo >>> 24, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

/**
 * The HMAC over what §4.3 lists, or why the key name cannot be written. The algorithm name is the key's own (a
 * verifier has checked that the record names the same one).
 */
function computeMac(
  key: TsigKey,
  message: Uint8Array,
  rr: { readonly name: string; readonly class: number; readonly ttl: number; readonly data: TsigData },
  requestMac: Uint8Array | undefined,
): Outcome<Uint8Array, string> {
  const name = canonicalNameWire(rr.name);
  if (!name.ok) return name;
  const hmac = createHmac(hashOf[key.algorithm].node, key.secret);
  if (requestMac) {
    hmac.update(u16(requestMac.length));
    hmac.update(requestMac);
  }
  hmac.update(message);
  hmac.update(name.value);
  hmac.update(u16(rr.class));
  hmac.update(Uint8Array.of(rr.ttl >>> 24, (rr.ttl >>> 16) & 0xff, (rr.ttl >>> 8) & 0xff, rr.ttl & 0xff));
  hmac.update(hashOf[key.algorithm].wire);
  hmac.update(u48(rr.data.timeSigned));
  hmac.update(u16(rr.data.fudge));
  hmac.update(u16(rr.data.error));
  hmac.update(u16(rr.data.otherData.length));
  hmac.update(rr.data.otherData);
  return ok(new Uint8Array(hmac.digest()));
}

export interface SignOptions {
  /** Seconds since 1970 (the caller's clock). */
  readonly timeSigned: number;
  readonly fudge?: number;
  /** When signing an answer: the MAC of the request it answers. */
  readonly requestMac?: Uint8Array;
  /** TSIG error (answers only, e.g. BADTIME); 0 in requests. */
  readonly error?: number;
  readonly otherData?: Uint8Array;
}

export interface SignedMessage {
  readonly bytes: Uint8Array;
  /** Kept to verify the answer, whose MAC covers it. */
  readonly mac: Uint8Array;
}

/** The message with a TSIG RR appended as its last record (Original ID = the message ID). */
export function signMessage(
  message: DnsMessage,
  key: TsigKey,
  options: SignOptions,
): Outcome<SignedMessage, string> {
  if (message.additionals.some((rr) => rr.type === RRType.TSIG)) return fail('the message is already signed');
  const unsigned = encodeMessage(message);
  if (!unsigned.ok) return unsigned;
  const data: TsigData = {
    kind: 'tsig',
    algorithm: key.algorithm,
    timeSigned: options.timeSigned,
    fudge: options.fudge ?? defaultFudge,
    mac: new Uint8Array(),
    originalId: message.id,
    error: options.error ?? 0,
    otherData: options.otherData ?? new Uint8Array(),
  };
  const rr = { name: key.name, class: RRClass.ANY, ttl: 0, data };
  const mac = computeMac(key, unsigned.value, rr, options.requestMac);
  if (!mac.ok) return mac;
  const tsig: ResourceRecord = { ...rr, type: RRType.TSIG, data: { ...data, mac: mac.value } };
  const signed = encodeMessage({ ...message, additionals: [...message.additionals, tsig] });
  if (!signed.ok) return signed;
  return ok({ bytes: signed.value, mac: mac.value });
}

/**
 * Why a signed exchange failed:
 * - `unsigned`: the message carries no TSIG RR (an answer to a signed request must; RFC 8945 §5.3);
 * - `bad-key`: signed with another key name or algorithm;
 * - `bad-sig`: the MAC does not verify (or is truncated, which Gatehouse does not accept);
 * - `bad-time`: the MAC verifies but Time Signed is further from `now` than Fudge;
 * - `server-error`: the server put a TSIG error in its answer (BADSIG, BADKEY, BADTIME: it refused our signature).
 */
export interface TsigFailure {
  readonly reason: 'unsigned' | 'bad-key' | 'bad-sig' | 'bad-time' | 'server-error';
  /** The TSIG error the server reported (`server-error`). */
  readonly tsigError?: number;
  readonly message: string;
}

export interface VerifyOptions {
  /** Seconds since 1970 (the caller's clock). */
  readonly now: number;
  /** When verifying an answer: the MAC of our request. */
  readonly requestMac?: Uint8Array;
}

/**
 * Checks the TSIG RR of a received message (`bytes`, as `decodeMessage` read it) against `key`. On success, the
 * message's MAC (a server answering a request signs its answer with the request's MAC first).
 */
export function verifyMessage(
  bytes: Uint8Array,
  decoded: DecodedMessage,
  key: TsigKey,
  options: VerifyOptions,
): Outcome<{ readonly mac: Uint8Array }, TsigFailure> {
  const rr = decoded.message.additionals.at(-1);
  if (decoded.tsigOffset === undefined || rr?.data.kind !== 'tsig')
    return fail({ reason: 'unsigned', message: 'the message is not signed (no TSIG record)' });
  const data = rr.data;
  if (data.error !== 0) {
    return fail({
      reason: 'server-error',
      tsigError: data.error,
      message: `the server refused the signature: TSIG ${rcodeName(data.error)}`,
    });
  }
  if (!sameName(rr.name, key.name) || !sameName(data.algorithm, key.algorithm))
    return fail({
      reason: 'bad-key',
      message: `signed with key "${rr.name}" (${data.algorithm}), not "${key.name}" (${key.algorithm})`,
    });
  if (data.mac.length !== hashOf[key.algorithm].size)
    return fail({ reason: 'bad-sig', message: `a MAC of ${data.mac.length} bytes (truncated or unsigned)` });
  // The message as signed: without the TSIG RR, one record fewer in ARCOUNT, the original ID.
  const signed = bytes.slice(0, decoded.tsigOffset);
  signed.set(u16(data.originalId), 0);
  signed.set(u16(decoded.message.additionals.length - 1), 10);
  const mac = computeMac(
    key,
    signed,
    { name: rr.name, class: rr.class, ttl: rr.ttl, data },
    options.requestMac,
  );
  if (!mac.ok || !timingSafeEqual(mac.value, data.mac))
    return fail({ reason: 'bad-sig', message: 'the TSIG MAC does not verify' });
  if (Math.abs(options.now - data.timeSigned) > data.fudge)
    return fail({
      reason: 'bad-time',
      message: `signed at ${data.timeSigned}, ${Math.abs(options.now - data.timeSigned)} s from now (fudge ${data.fudge} s)`,
    });
  return ok({ mac: data.mac });
}

/** The base64 secret as bytes, or undefined when it is not base64 (or empty). */
export function decodeSecret(base64: string): Uint8Array | undefined {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  // Four characters at least, so at least one byte.
  return new Uint8Array(Buffer.from(text, 'base64'));
}

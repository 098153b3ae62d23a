/**
 * @module A tiny DER (X.690 distinguished encoding) reader: just enough to walk an X.509 certificate to its serial
 * number and extensions for the ARI certificate identifier (ari.ts). Definite lengths and one-byte tags only,
 * which is all DER allows in a certificate; anything else is refused, never guessed.
 */
import { fail, ok, type Outcome } from '../core/outcome.js';

/** One tag-length-value element: `tag` is the identifier octet; the content is `bytes[start, end)`. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

/** Identifier octets of the elements a certificate walk meets. */
export const derTag = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  /** `[0]` constructed (the certificate's explicit version). */
  context0Constructed: 0xa0,
  /** `[3]` constructed (the certificate's extensions). */
  context3Constructed: 0xa3,
  /** `[0]` primitive (AuthorityKeyIdentifier's keyIdentifier, implicitly tagged). */
  context0Primitive: 0x80,
} as const;

/** Reads the element that starts at `offset` and must end by `limit` (default: the end of `bytes`). */
export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length): Outcome<Tlv, string> {
  if (offset + 2 > limit) return fail(`truncated element at ${offset}`);
  const tag = bytes[offset] ?? 0;
  // High tag numbers (low five bits all set) never occur in X.509; refusing them keeps the reader small.
  if ((tag & 0x1f) === 0x1f) return fail(`multi-byte tag at ${offset}`);
  const first = bytes[offset + 1] ?? 0;
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    // 0x80 is BER's indefinite length (not DER); more than four length octets is no certificate.
    if (count === 0 || count > 4) return fail(`unsupported length form at ${offset}`);
    if (start + count > limit) return fail(`truncated length at ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += count;
  }
  const end = start + length;
  if (end > limit) return fail(`element at ${offset} runs past its container`);
  return ok({ tag, start, end });
}

/** The elements inside a constructed element (a SEQUENCE, a context tag), in order. */
export function readChildren(bytes: Uint8Array, parent: Tlv): Outcome<Tlv[], string> {
  const children: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(bytes, offset, parent.end);
    if (!child.ok) return child;
    children.push(child.value);
    offset = child.value.end;
  }
  return ok(children);
}

/** The content octets of an element. */
export function contentOf(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

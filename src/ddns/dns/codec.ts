/**
 * @module DNS messages on the wire (RFC 1035 §4), including what RFC 2136 dynamic updates and RFC 8945 TSIG need:
 * a pure encoder and a bounded decoder. Written by hand because the npm `dns-packet` codec can express neither an
 * RFC 2136 deletion (an RR with class ANY or NONE and empty RDATA, whatever its type) nor a TSIG record.
 *
 * Names are presentation text without the trailing dot (`host.example.com`; the root is ``), with RFC 1035 §5.1
 * escapes (`\.`, `\\`, `\DDD`) for bytes a plain label cannot hold, so every wire name survives a round trip.
 * The encoder never compresses; the decoder follows compression pointers only backwards, each jump to before the
 * part of the name read so far, and at most 127 of them per name, so a hostile answer can neither loop, nor read
 * outside the message, nor make decoding slow.
 */
import { isIP } from 'node:net';
import { fail, ok, type Outcome } from '../../core/outcome.js';

/** Record types this codec knows by name (others travel as raw RDATA). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  TSIG: 250,
  ANY: 255,
} as const;

/** Classes: IN for data; ANY and NONE carry RFC 2136 prerequisites and deletions (and ANY the TSIG RR). */
export const RRClass = { IN: 1, NONE: 254, ANY: 255 } as const;

export const Opcode = { QUERY: 0, UPDATE: 5 } as const;

/** RCODEs of RFC 1035 §4.1.1 and RFC 2136 §2.2. */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
} as const;

/** The TSIG RR's Error field (RFC 8945 §4.2, §5.2). */
export const TsigError = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

/** The name of an RCODE or TSIG error for messages (`NOTAUTH`, `BADSIG`, `RCODE 42`). */
export function rcodeName(code: number): string {
  for (const [name, value] of Object.entries(Rcode)) if (value === code) return name;
  // TSIG's NOERROR (0) is found above as the RCODE.
  for (const [name, value] of Object.entries(TsigError)) if (value === code) return name;
  return `RCODE ${code}`;
}

/** The name of a record type (`AAAA`, `TYPE65`). */
export function typeName(type: number): string {
  for (const [name, value] of Object.entries(RRType)) if (value === type) return name;
  return `TYPE${type}`;
}

export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

/** RDATA by kind. `empty` is any record with RDLENGTH 0 (RFC 2136 deletions and prerequisites). */
export type RData =
  | { readonly kind: 'empty' }
  | { readonly kind: 'a'; readonly address: string }
  | { readonly kind: 'aaaa'; readonly address: string }
  /** TXT character-strings, each at most 255 bytes of UTF-8. */
  | { readonly kind: 'txt'; readonly strings: readonly string[] }
  /** NS and CNAME. */
  | { readonly kind: 'name'; readonly name: string }
  | {
      readonly kind: 'soa';
      readonly mname: string;
      readonly rname: string;
      readonly serial: number;
      readonly refresh: number;
      readonly retry: number;
      readonly expire: number;
      readonly minimum: number;
    }
  | {
      readonly kind: 'tsig';
      readonly algorithm: string;
      /** Seconds since 1970 (48 bits on the wire). */
      readonly timeSigned: number;
      readonly fudge: number;
      readonly mac: Uint8Array;
      readonly originalId: number;
      readonly error: number;
      readonly otherData: Uint8Array;
    }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

export interface ResourceRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly data: RData;
}

/**
 * A DNS message. In an UPDATE (RFC 2136 §2) the sections are the zone (questions), the prerequisites (answers),
 * the updates (authorities) and the additional data.
 */
export interface DnsMessage {
  readonly id: number;
  /** True in a response. */
  readonly qr: boolean;
  readonly opcode: number;
  readonly aa: boolean;
  readonly tc: boolean;
  readonly rd: boolean;
  readonly ra: boolean;
  readonly rcode: number;
  readonly questions: readonly Question[];
  readonly answers: readonly ResourceRecord[];
  readonly authorities: readonly ResourceRecord[];
  readonly additionals: readonly ResourceRecord[];
}

/** A message as decoded, with where its TSIG RR starts (it must be the last additional record) when it has one. */
export interface DecodedMessage {
  readonly message: DnsMessage;
  readonly tsigOffset?: number;
}

/** A query or update with everything not given zero / empty. */
export function createMessage(fields: Partial<DnsMessage> & { readonly id: number }): DnsMessage {
  return {
    qr: false,
    opcode: Opcode.QUERY,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    rcode: 0,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    ...fields,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Names.

const maxNameLength = 255;
const maxLabelLength = 63;
/** Compression pointers followed for one name (as many as a name can have labels). */
const maxJumps = 127;

/** The labels of a presentation name as bytes (escapes resolved), or why it is not a name. */
export function parseName(name: string): Outcome<Uint8Array[], string> {
  if (name === '' || name === '.') return ok([]);
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e) {
      if (current.length === 0) return fail(`empty label in name "${name}"`);
      labels.push(Uint8Array.from(current));
      current = [];
    } else if (c === 0x5c) {
      const digits = /^\d{3}/.exec(name.slice(i + 1));
      if (digits) {
        const value = Number(digits[0]);
        if (value > 255) return fail(`bad escape \\${digits[0]} in name "${name}"`);
        current.push(value);
        i += 3;
      } else {
        const next = name.charCodeAt(i + 1);
        if (Number.isNaN(next) || next > 0x7f) return fail(`bad escape in name "${name}"`);
        current.push(next);
        i += 1;
      }
    } else if (c > 0x7f) {
      return fail(`name "${name}" is not ASCII (use its A-label, xn--…)`);
    } else {
      current.push(c);
    }
    if (current.length > maxLabelLength) return fail(`label longer than 63 bytes in name "${name}"`);
  }
  // Empty only after a final dot (`a.b.`): every other way to end an empty label failed above.
  if (current.length > 0) labels.push(Uint8Array.from(current));
  const wire = labels.reduce((n, l) => n + l.length + 1, 1);
  if (wire > maxNameLength) return fail(`name longer than 255 bytes: "${name.slice(0, 40)}…"`);
  return ok(labels);
}

/** A label's bytes as presentation text (escaping dots, backslashes and bytes outside printable ASCII). */
function labelText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\${String(b).padStart(3, '0')}`;
  }
  return s;
}

/** Whether two names are the same name (ASCII case does not matter, RFC 4343). */
export function sameName(a: string, b: string): boolean {
  const x = parseName(a);
  const y = parseName(b);
  if (!x.ok || !y.ok || x.value.length !== y.value.length) return false;
  return x.value.every((label, i) => {
    const other = y.value[i] ?? new Uint8Array();
    return label.length === other.length && label.every((c, j) => lower(c) === lower(other[j] ?? -1));
  });
}

const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 0x20 : c);

/** The name in canonical wire form (RFC 4034 §6.2: uncompressed, ASCII lower case), as TSIG's MAC needs. */
export function canonicalNameWire(name: string): Outcome<Uint8Array, string> {
  const w = new Writer();
  const e = w.name(name);
  if (!e.ok) return e;
  return ok(w.bytes().map(lower));
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding.

class Writer {
  private buf = new Uint8Array(512);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  get length(): number {
    return this.len;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.u8(v >>> 8);
    this.u8(v);
  }

  u32(v: number): void {
    this.u16(Math.floor(v / 0x10000) & 0xffff);
    this.u16(v & 0xffff);
  }

  u48(v: number): void {
    this.u16(Math.floor(v / 0x100000000) & 0xffff);
    this.u32(v % 0x100000000);
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  setU16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  name(name: string): Outcome<void, string> {
    const labels = parseName(name);
    if (!labels.ok) return labels;
    for (const l of labels.value) {
      this.u8(l.length);
      this.raw(l);
    }
    this.u8(0);
    return ok(undefined);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const inRange = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v <= max;

function ipv4Bytes(address: string): Uint8Array | undefined {
  if (isIP(address) !== 4) return undefined;
  return Uint8Array.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Uint8Array | undefined {
  if (isIP(address) !== 6) return undefined;
  // An embedded IPv4 tail (::ffff:203.0.113.7) becomes two groups.
  const text = address.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_all, a: string, b: string, c: string, d: string) =>
      `${(Number(a) * 256 + Number(b)).toString(16)}:${(Number(c) * 256 + Number(d)).toString(16)}`,
  );
  const out = new Uint8Array(16);
  const [head = '', tail] = text.split('::');
  const headGroups = head.split(':');
  const tailGroups = tail === undefined ? [] : tail.split(':');
  // `::` stands for the groups missing; an empty group beside it (`::1`, `1::`) is a zero group too.
  const groups = [
    ...headGroups,
    ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ];
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16) || 0;
    out[i * 2] = v >>> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** RFC 5952 text of 16 address bytes (lower case, longest zero run of two or more groups as `::`). */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]): string => g.map((v) => v.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** An IPv6 address in RFC 5952 form (`2001:DB8:0::1` → `2001:db8::1`), or undefined when it is not one. */
export function canonicalIpv6(address: string): string | undefined {
  const b = ipv6Bytes(address);
  return b && ipv6Text(b);
}

function writeRData(w: Writer, rr: ResourceRecord): Outcome<void, string> {
  const d = rr.data;
  switch (d.kind) {
    case 'empty':
      return ok(undefined);
    case 'a': {
      const b = ipv4Bytes(d.address);
      if (!b) return fail(`"${d.address}" is not an IPv4 address`);
      w.raw(b);
      return ok(undefined);
    }
    case 'aaaa': {
      const b = ipv6Bytes(d.address);
      if (!b) return fail(`"${d.address}" is not an IPv6 address`);
      w.raw(b);
      return ok(undefined);
    }
    case 'txt': {
      if (d.strings.length === 0) return fail('a TXT record needs at least one string');
      for (const s of d.strings) {
        const b = new TextEncoder().encode(s);
        if (b.length > 255) return fail('a TXT string is longer than 255 bytes');
        w.u8(b.length);
        w.raw(b);
      }
      return ok(undefined);
    }
    case 'name':
      return w.name(d.name);
    case 'soa': {
      const m = w.name(d.mname);
      if (!m.ok) return m;
      const r = w.name(d.rname);
      if (!r.ok) return r;
      for (const v of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) {
        if (!inRange(v, 0xffffffff)) return fail('an SOA number is outside 0…2^32-1');
        w.u32(v);
      }
      return ok(undefined);
    }
    case 'tsig': {
      // RFC 8945 §4.2: the algorithm name MUST NOT be compressed (this encoder never compresses).
      const a = w.name(d.algorithm);
      if (!a.ok) return a;
      if (!inRange(d.timeSigned, 0xffffffffffff)) return fail('TSIG time outside 48 bits');
      if (d.mac.length > 0xffff || d.otherData.length > 0xffff) return fail('TSIG field too long');
      for (const v of [d.fudge, d.originalId, d.error])
        if (!inRange(v, 0xffff)) return fail('a TSIG field is outside 16 bits');
      w.u48(d.timeSigned);
      w.u16(d.fudge);
      w.u16(d.mac.length);
      w.raw(d.mac);
      w.u16(d.originalId);
      w.u16(d.error);
      w.u16(d.otherData.length);
      w.raw(d.otherData);
      return ok(undefined);
    }
    case 'raw':
      w.raw(d.bytes);
      return ok(undefined);
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): Outcome<void, string> {
  const n = w.name(rr.name);
  if (!n.ok) return n;
  if (!inRange(rr.type, 0xffff) || !inRange(rr.class, 0xffff)) return fail('type or class outside 16 bits');
  if (!inRange(rr.ttl, 0xffffffff)) return fail(`TTL ${rr.ttl} outside 0…2^32-1`);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const at = w.length;
  w.u16(0);
  const d = writeRData(w, rr);
  if (!d.ok) return d;
  const rdlength = w.length - at - 2;
  if (rdlength > 0xffff) return fail('RDATA longer than 65535 bytes');
  w.setU16(at, rdlength);
  return ok(undefined);
}

/** The message on the wire (uncompressed), or why it cannot be written (a bad name, address or number). */
export function encodeMessage(m: DnsMessage): Outcome<Uint8Array, string> {
  if (!inRange(m.id, 0xffff)) return fail(`message id ${m.id} outside 16 bits`);
  if (!inRange(m.opcode, 15) || !inRange(m.rcode, 15)) return fail('opcode or rcode outside 4 bits');
  const w = new Writer();
  w.u16(m.id);
  w.u8((m.qr ? 0x80 : 0) | (m.opcode << 3) | (m.aa ? 0x04 : 0) | (m.tc ? 0x02 : 0) | (m.rd ? 0x01 : 0));
  w.u8((m.ra ? 0x80 : 0) | m.rcode);
  const sections = [m.answers, m.authorities, m.additionals];
  for (const count of [m.questions.length, ...sections.map((s) => s.length)]) {
    if (count > 0xffff) return fail('too many records in a section');
    w.u16(count);
  }
  for (const q of m.questions) {
    const n = w.name(q.name);
    if (!n.ok) return n;
    if (!inRange(q.type, 0xffff) || !inRange(q.class, 0xffff)) return fail('type or class outside 16 bits');
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const section of sections)
    for (const rr of section) {
      const r = writeRecord(w, rr);
      if (!r.ok) return r;
    }
  return ok(w.bytes());
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding.

class DecodeError extends Error {}

class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos = 0,
  ) {}

  need(n: number, what: string): void {
    if (this.pos + n > this.buf.length)
      throw new DecodeError(`message truncated in ${what} (at byte ${this.pos} of ${this.buf.length})`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++] ?? 0;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = ((this.buf[this.pos] ?? 0) << 8) | (this.buf[this.pos + 1] ?? 0);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    return this.u16(what) * 0x10000 + this.u16(what);
  }

  u48(what: string): number {
    return this.u16(what) * 0x100000000 + this.u32(what);
  }

  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /**
   * A name, following compression pointers (RFC 1035 §4.1.4). Each pointer must lead to before the part of the
   * name read so far, so the walk always moves backwards and ends; the name's length is capped at 255 bytes.
   */
  name(what: string): string {
    const labels: string[] = [];
    let wireLength = 1;
    let at = this.pos;
    let lowest = at;
    let after: number | undefined;
    let jumps = 0;
    for (;;) {
      if (at >= this.buf.length) throw new DecodeError(`message truncated in ${what} (a name)`);
      const len = this.buf[at] ?? 0;
      if (len === 0) {
        at += 1;
        break;
      }
      const tag = len & 0xc0;
      if (tag === 0xc0) {
        if (at + 1 >= this.buf.length) throw new DecodeError(`message truncated in ${what} (a pointer)`);
        const target = ((len & 0x3f) << 8) | (this.buf[at + 1] ?? 0);
        if (target >= lowest)
          throw new DecodeError(`compression pointer in ${what} does not point backwards`);
        // A name has at most 127 labels, so no real name needs more jumps; a chain of pointers to pointers in a
        // hostile answer would otherwise cost time quadratic in its size.
        if (++jumps > maxJumps) throw new DecodeError(`too many compression pointers in ${what}`);
        after ??= at + 2;
        at = target;
        lowest = target;
        continue;
      }
      if (tag !== 0) throw new DecodeError(`unknown label type in ${what}`);
      if (at + 1 + len > this.buf.length) throw new DecodeError(`message truncated in ${what} (a label)`);
      wireLength += len + 1;
      if (wireLength > maxNameLength) throw new DecodeError(`name longer than 255 bytes in ${what}`);
      labels.push(labelText(this.buf.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
    this.pos = after ?? at;
    return labels.join('.');
  }
}

function readRData(r: Reader, type: number, rdlength: number, what: string): RData {
  if (rdlength === 0) return { kind: 'empty' };
  const end = r.pos + rdlength;
  r.need(rdlength, `${what} RDATA`);
  const exact = (d: RData): RData => {
    if (r.pos !== end) throw new DecodeError(`${what}: RDATA length ${rdlength} does not match its content`);
    return d;
  };
  switch (type) {
    case RRType.A: {
      if (rdlength !== 4) throw new DecodeError(`${what}: an A record with ${rdlength} bytes`);
      return { kind: 'a', address: Array.from(r.bytes(4, what)).join('.') };
    }
    case RRType.AAAA: {
      if (rdlength !== 16) throw new DecodeError(`${what}: an AAAA record with ${rdlength} bytes`);
      return { kind: 'aaaa', address: ipv6Text(r.bytes(16, what)) };
    }
    case RRType.TXT: {
      const strings: string[] = [];
      const decoder = new TextDecoder();
      while (r.pos < end) {
        const len = r.u8(what);
        if (r.pos + len > end) throw new DecodeError(`${what}: a TXT string runs past its RDATA`);
        strings.push(decoder.decode(r.bytes(len, what)));
      }
      return { kind: 'txt', strings };
    }
    case RRType.NS:
    case RRType.CNAME:
      return exact({ kind: 'name', name: r.name(what) });
    case RRType.SOA: {
      const mname = r.name(what);
      const rname = r.name(what);
      if (end - r.pos !== 20)
        throw new DecodeError(`${what}: RDATA length ${rdlength} does not match its content`);
      return exact({
        kind: 'soa',
        mname,
        rname,
        serial: r.u32(what),
        refresh: r.u32(what),
        retry: r.u32(what),
        expire: r.u32(what),
        minimum: r.u32(what),
      });
    }
    case RRType.TSIG: {
      const algorithm = r.name(what);
      if (end - r.pos < 10) throw new DecodeError(`${what}: TSIG RDATA too short`);
      const timeSigned = r.u48(what);
      const fudge = r.u16(what);
      const macSize = r.u16(what);
      if (r.pos + macSize + 6 > end) throw new DecodeError(`${what}: TSIG MAC runs past its RDATA`);
      const mac = r.bytes(macSize, what);
      const originalId = r.u16(what);
      const error = r.u16(what);
      const otherLen = r.u16(what);
      if (r.pos + otherLen > end) throw new DecodeError(`${what}: TSIG other data runs past its RDATA`);
      const otherData = r.bytes(otherLen, what);
      return exact({ kind: 'tsig', algorithm, timeSigned, fudge, mac, originalId, error, otherData });
    }
    default:
      return { kind: 'raw', bytes: r.bytes(rdlength, what) };
  }
}

function readRecord(r: Reader, what: string): ResourceRecord {
  const name = r.name(what);
  const type = r.u16(what);
  const cls = r.u16(what);
  const ttl = r.u32(what);
  const rdlength = r.u16(what);
  return { name, type, class: cls, ttl, data: readRData(r, type, rdlength, what) };
}

/**
 * Reads a whole message. Never throws and never reads outside `bytes`: a truncated or malformed message, a
 * pointer loop, a label over 63 or a name over 255 bytes, trailing bytes, or a TSIG RR that is not the last
 * record is an error naming what was wrong.
 */
export function decodeMessage(bytes: Uint8Array): Outcome<DecodedMessage, string> {
  const r = new Reader(bytes);
  try {
    const id = r.u16('header');
    const b2 = r.u8('header');
    const b3 = r.u8('header');
    const counts = [r.u16('header'), r.u16('header'), r.u16('header'), r.u16('header')];
    const [qd = 0, an = 0, ns = 0, ar = 0] = counts;
    const questions: Question[] = [];
    for (let i = 0; i < qd; i++) {
      const what = `question ${i + 1}`;
      questions.push({ name: r.name(what), type: r.u16(what), class: r.u16(what) });
    }
    const section = (count: number, label: string): ResourceRecord[] => {
      const out: ResourceRecord[] = [];
      for (let i = 0; i < count; i++) out.push(readRecord(r, `${label} record ${i + 1}`));
      return out;
    };
    const answers = section(an, 'answer');
    const authorities = section(ns, 'authority');
    let tsigOffset: number | undefined;
    const additionals: ResourceRecord[] = [];
    for (let i = 0; i < ar; i++) {
      const start = r.pos;
      const rr = readRecord(r, `additional record ${i + 1}`);
      if (rr.type === RRType.TSIG) {
        if (i !== ar - 1) throw new DecodeError('a TSIG record that is not the last record');
        tsigOffset = start;
      }
      additionals.push(rr);
    }
    if (r.pos !== bytes.length) throw new DecodeError(`${bytes.length - r.pos} bytes after the last record`);
    for (const rr of [...answers, ...authorities])
      if (rr.type === RRType.TSIG) throw new DecodeError('a TSIG record outside the additional section');
    const message: DnsMessage = {
      id,
      qr: (b2 & 0x80) !== 0,
      opcode: (b2 >>> 3) & 0x0f,
      aa: (b2 & 0x04) !== 0,
      tc: (b2 & 0x02) !== 0,
      rd: (b2 & 0x01) !== 0,
      ra: (b3 & 0x80) !== 0,
      rcode: b3 & 0x0f,
      questions,
      answers,
      authorities,
      additionals,
    };
    return ok(tsigOffset === undefined ? { message } : { message, tsigOffset });
  } catch (e) {
    if (e instanceof DecodeError) return fail(e.message);
    throw e;
  }
}

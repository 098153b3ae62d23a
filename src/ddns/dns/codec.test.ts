import { describe, expect, it } from 'vitest';
import { bindVectors } from './bind-vectors.test-data.js';
import {
  canonicalNameWire,
  createMessage,
  decodeMessage,
  encodeMessage,
  ipv6Text,
  Opcode,
  parseName,
  Rcode,
  rcodeName,
  RRClass,
  RRType,
  sameName,
  typeName,
  type DnsMessage,
  type ResourceRecord,
} from './codec.js';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function decoded(bytes: Uint8Array): DnsMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error);
  return r.value.message;
}

function encoded(m: DnsMessage): Uint8Array {
  const r = encodeMessage(m);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function decodeError(bytes: Uint8Array): string {
  const r = decodeMessage(bytes);
  if (r.ok) throw new Error('decoded a malformed message');
  return r.error;
}

describe('encodeMessage', () => {
  it('writes the query dig sends, byte for byte', () => {
    const m = createMessage({
      id: 0x03f8,
      questions: [{ name: 'home.example.test', type: RRType.AAAA, class: RRClass.IN }],
    });
    expect(toHex(encoded(m))).toBe(toHex(bindVectors.digQuery));
  });

  it('writes header flags in their bits', () => {
    const bytes = encoded(
      createMessage({
        id: 0xabcd,
        qr: true,
        opcode: Opcode.UPDATE,
        aa: true,
        tc: true,
        rd: true,
        ra: true,
        rcode: 9,
      }),
    );
    expect(toHex(bytes)).toBe('abcd' + 'af' + '89' + '0000000000000000');
    expect(toHex(encoded(createMessage({ id: 1, rcode: Rcode.NOTZONE })))).toBe('0001000a' + '0'.repeat(16));
  });

  it('writes an RFC 2136 update: the zone, a delete of an RRset (ANY, TTL 0, no RDATA) and an add', () => {
    const m = createMessage({
      id: 0x0b43,
      opcode: Opcode.UPDATE,
      questions: [{ name: 'example.test', type: RRType.SOA, class: RRClass.IN }],
      authorities: [
        { name: 'home.example.test', type: RRType.A, class: RRClass.ANY, ttl: 0, data: { kind: 'empty' } },
        {
          name: 'home.example.test',
          type: RRType.A,
          class: RRClass.IN,
          ttl: 60,
          data: { kind: 'a', address: '203.0.113.7' },
        },
      ],
    });
    expect(toHex(encoded(m))).toBe(
      '0b43 2800 0001 0000 0002 0000'.replace(/ /g, '') +
        '076578616d706c6504746573740000060001' +
        '04686f6d65076578616d706c65047465737400' +
        '0001 00ff 00000000 0000'.replace(/ /g, '') +
        '04686f6d65076578616d706c65047465737400' +
        '0001 0001 0000003c 0004 cb007107'.replace(/ /g, ''),
    );
  });

  it.each([
    ['203.0.113.7', 'cb007107'],
    ['0.0.0.0', '00000000'],
  ])('writes A %s', (address, wire) => {
    const bytes = encoded(
      createMessage({
        id: 1,
        answers: [{ name: 'a', type: 1, class: 1, ttl: 1, data: { kind: 'a', address } }],
      }),
    );
    expect(toHex(bytes.subarray(-4))).toBe(wire);
  });

  it.each([
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['fe80::', 'fe800000000000000000000000000000'],
    ['2001:db8:1:2:3:4:5:6', '20010db8000100020003000400050006'],
    ['::ffff:203.0.113.7', '00000000000000000000ffffcb007107'],
    ['::ffff:198.51.100.77', '00000000000000000000ffffc633644d'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['2001:DB8::A', '20010db800000000000000000000000a'],
  ])('writes AAAA %s', (address, wire) => {
    const bytes = encoded(
      createMessage({
        id: 1,
        answers: [{ name: 'a', type: 28, class: 1, ttl: 1, data: { kind: 'aaaa', address } }],
      }),
    );
    expect(toHex(bytes.subarray(-16))).toBe(wire);
  });

  it('writes TXT as length-prefixed strings (UTF-8)', () => {
    const bytes = encoded(
      createMessage({
        id: 1,
        answers: [{ name: 'a', type: 16, class: 1, ttl: 1, data: { kind: 'txt', strings: ['ab', '', 'é'] } }],
      }),
    );
    expect(toHex(bytes.subarray(-9))).toBe('0007' + '026162' + '00' + '02c3a9');
  });

  it('writes TTLs, SOA numbers and 48-bit TSIG times over their full ranges', () => {
    const rr: ResourceRecord = {
      name: 'k',
      type: RRType.TSIG,
      class: RRClass.ANY,
      ttl: 0xffffffff,
      data: {
        kind: 'tsig',
        algorithm: 'hmac-sha256',
        timeSigned: 0xfedcba987654,
        fudge: 300,
        mac: hex('aabb'),
        originalId: 0x1234,
        error: 18,
        otherData: hex('000102030405'),
      },
    };
    const bytes = encoded(createMessage({ id: 1, additionals: [rr] }));
    expect(toHex(bytes.subarray(12))).toBe(
      '016b00' +
        '00fa00ffffffffff' +
        '0025' +
        '0b686d61632d73686132353600' +
        'fedcba987654' +
        '012c' +
        '0002aabb' +
        '1234' +
        '0012' +
        '0006000102030405',
    );
    const soa = encoded(
      createMessage({
        id: 1,
        answers: [
          {
            name: '',
            type: RRType.SOA,
            class: 1,
            ttl: 0,
            data: {
              kind: 'soa',
              mname: 'a',
              rname: 'b',
              serial: 0xffffffff,
              refresh: 1,
              retry: 0x10000,
              expire: 3,
              minimum: 4,
            },
          },
        ],
      }),
    );
    expect(toHex(soa.subarray(12))).toBe(
      '00' +
        '0006' +
        '0001' +
        '00000000' +
        '001a' +
        '016100' +
        '016200' +
        'ffffffff' +
        '00000001' +
        '00010000' +
        '00000003' +
        '00000004',
    );
  });

  it.each<[string, Partial<DnsMessage>, RegExp]>([
    [
      'a bad IPv4 address',
      { answers: [{ name: 'a', type: 1, class: 1, ttl: 0, data: { kind: 'a', address: '1.2.3' } }] },
      /not an IPv4/,
    ],
    [
      'an IPv6 address as A',
      { answers: [{ name: 'a', type: 1, class: 1, ttl: 0, data: { kind: 'a', address: '::1' } }] },
      /not an IPv4/,
    ],
    [
      'an IPv4 address as AAAA',
      { answers: [{ name: 'a', type: 28, class: 1, ttl: 0, data: { kind: 'aaaa', address: '1.2.3.4' } }] },
      /not an IPv6/,
    ],
    [
      'a TXT without strings',
      { answers: [{ name: 'a', type: 16, class: 1, ttl: 0, data: { kind: 'txt', strings: [] } }] },
      /at least one/,
    ],
    [
      'a TXT string over 255 bytes',
      {
        answers: [
          { name: 'a', type: 16, class: 1, ttl: 0, data: { kind: 'txt', strings: ['x'.repeat(256)] } },
        ],
      },
      /255/,
    ],
    [
      'a negative TTL',
      { answers: [{ name: 'a', type: 1, class: 1, ttl: -1, data: { kind: 'empty' } }] },
      /TTL/,
    ],
    [
      'a TTL over 32 bits',
      { answers: [{ name: 'a', type: 1, class: 1, ttl: 2 ** 32, data: { kind: 'empty' } }] },
      /TTL/,
    ],
    [
      'a fractional TTL',
      { answers: [{ name: 'a', type: 1, class: 1, ttl: 1.5, data: { kind: 'empty' } }] },
      /TTL/,
    ],
    [
      'a type over 16 bits',
      { answers: [{ name: 'a', type: 65536, class: 1, ttl: 0, data: { kind: 'empty' } }] },
      /16 bits/,
    ],
    ['a question class over 16 bits', { questions: [{ name: 'a', type: 1, class: 65536 }] }, /16 bits/],
    ['an empty label', { questions: [{ name: 'a..b', type: 1, class: 1 }] }, /empty label/],
    ['a label of 64 bytes', { questions: [{ name: `${'x'.repeat(64)}.test`, type: 1, class: 1 }] }, /63/],
    [
      'a name of 256 bytes',
      { questions: [{ name: Array(4).fill('x'.repeat(63)).join('.'), type: 1, class: 1 }] },
      /255/,
    ],
    ['a non-ASCII name', { questions: [{ name: 'bücher.test', type: 1, class: 1 }] }, /ASCII/],
    [
      'an SOA number over 32 bits',
      {
        answers: [
          {
            name: 'a',
            type: 6,
            class: 1,
            ttl: 0,
            data: {
              kind: 'soa',
              mname: 'a',
              rname: 'b',
              serial: 2 ** 32,
              refresh: 0,
              retry: 0,
              expire: 0,
              minimum: 0,
            },
          },
        ],
      },
      /SOA/,
    ],
    [
      'a TSIG time over 48 bits',
      {
        additionals: [
          {
            name: 'k',
            type: 250,
            class: 255,
            ttl: 0,
            data: {
              kind: 'tsig',
              algorithm: 'hmac-sha256',
              timeSigned: 2 ** 48,
              fudge: 0,
              mac: new Uint8Array(),
              originalId: 0,
              error: 0,
              otherData: new Uint8Array(),
            },
          },
        ],
      },
      /48 bits/,
    ],
    [
      'a TSIG fudge over 16 bits',
      {
        additionals: [
          {
            name: 'k',
            type: 250,
            class: 255,
            ttl: 0,
            data: {
              kind: 'tsig',
              algorithm: 'hmac-sha256',
              timeSigned: 0,
              fudge: 65536,
              mac: new Uint8Array(),
              originalId: 0,
              error: 0,
              otherData: new Uint8Array(),
            },
          },
        ],
      },
      /16 bits/,
    ],
    ['an opcode over 4 bits', { opcode: 16 }, /4 bits/],
    ['an rcode over 4 bits', { rcode: 16 }, /4 bits/],
  ])('refuses %s (an error, not a throw)', (_what, fields, error) => {
    const r = encodeMessage(createMessage({ id: 1, ...fields }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(error);
  });

  it.each<[string, Partial<DnsMessage>, string]>([
    [
      'a bad SOA mname',
      {
        answers: [
          {
            name: 'a',
            type: 6,
            class: 1,
            ttl: 0,
            data: {
              kind: 'soa',
              mname: 'a..b',
              rname: 'b',
              serial: 0,
              refresh: 0,
              retry: 0,
              expire: 0,
              minimum: 0,
            },
          },
        ],
      },
      'empty label in name "a..b"',
    ],
    [
      'a bad SOA rname',
      {
        answers: [
          {
            name: 'a',
            type: 6,
            class: 1,
            ttl: 0,
            data: {
              kind: 'soa',
              mname: 'a',
              rname: 'b..c',
              serial: 0,
              refresh: 0,
              retry: 0,
              expire: 0,
              minimum: 0,
            },
          },
        ],
      },
      'empty label in name "b..c"',
    ],
    [
      'a bad CNAME target',
      { answers: [{ name: 'a', type: 5, class: 1, ttl: 0, data: { kind: 'name', name: '.x' } }] },
      'empty label in name ".x"',
    ],
    [
      'a bad TSIG algorithm name',
      {
        additionals: [
          {
            name: 'k',
            type: 250,
            class: 255,
            ttl: 0,
            data: {
              kind: 'tsig',
              algorithm: 'x..y',
              timeSigned: 0,
              fudge: 0,
              mac: new Uint8Array(),
              originalId: 0,
              error: 0,
              otherData: new Uint8Array(),
            },
          },
        ],
      },
      'empty label in name "x..y"',
    ],
    [
      'a bad owner name',
      { answers: [{ name: 'a..b', type: 1, class: 1, ttl: 0, data: { kind: 'empty' } }] },
      'empty label in name "a..b"',
    ],
    [
      'a TSIG MAC over 65535 bytes',
      {
        additionals: [
          {
            name: 'k',
            type: 250,
            class: 255,
            ttl: 0,
            data: {
              kind: 'tsig',
              algorithm: 'h',
              timeSigned: 0,
              fudge: 0,
              mac: new Uint8Array(65536),
              originalId: 0,
              error: 0,
              otherData: new Uint8Array(),
            },
          },
        ],
      },
      'TSIG field too long',
    ],
    [
      'TSIG other data over 65535 bytes',
      {
        additionals: [
          {
            name: 'k',
            type: 250,
            class: 255,
            ttl: 0,
            data: {
              kind: 'tsig',
              algorithm: 'h',
              timeSigned: 0,
              fudge: 0,
              mac: new Uint8Array(),
              originalId: 0,
              error: 0,
              otherData: new Uint8Array(65536),
            },
          },
        ],
      },
      'TSIG field too long',
    ],
    [
      'RDATA over 65535 bytes',
      {
        answers: [
          { name: 'a', type: 99, class: 1, ttl: 0, data: { kind: 'raw', bytes: new Uint8Array(65536) } },
        ],
      },
      'RDATA longer than 65535 bytes',
    ],
    [
      '65536 questions',
      { questions: Array.from({ length: 65536 }, () => ({ name: '', type: 1, class: 1 })) },
      'too many records in a section',
    ],
    ['an id over 16 bits', { id: 65536 }, 'message id 65536 outside 16 bits'],
  ])('says why it refuses %s', (_what, fields, error) => {
    expect(encodeMessage(createMessage({ id: 1, ...fields }))).toEqual({ ok: false, error });
  });

  it('takes fields at their limits: 65535-byte MAC, RDATA and TSIG other data, a 255-byte TXT string', () => {
    const big = (n: number) => new Uint8Array(n).fill(7);
    const tsig: ResourceRecord = {
      name: 'k',
      type: 250,
      class: 255,
      ttl: 0,
      data: {
        kind: 'tsig',
        algorithm: 'h',
        timeSigned: 0,
        fudge: 0,
        mac: big(65535 - 20),
        originalId: 0,
        error: 0,
        otherData: new Uint8Array(),
      },
    };
    const other: ResourceRecord = {
      ...tsig,
      data: { ...tsig.data, mac: new Uint8Array(), otherData: big(65535 - 20) } as ResourceRecord['data'],
    };
    const raw: ResourceRecord = {
      name: 'a',
      type: 99,
      class: 1,
      ttl: 0,
      data: { kind: 'raw', bytes: big(65535) },
    };
    const txt: ResourceRecord = {
      name: 'a',
      type: 16,
      class: 1,
      ttl: 0,
      data: { kind: 'txt', strings: ['x'.repeat(255)] },
    };
    for (const rr of [tsig, other])
      expect(decoded(encoded(createMessage({ id: 1, additionals: [rr] }))).additionals).toEqual([rr]);
    for (const rr of [raw, txt])
      expect(decoded(encoded(createMessage({ id: 1, answers: [rr] }))).answers).toEqual([rr]);
  });

  it('refuses an id outside 16 bits', () => {
    expect(encodeMessage(createMessage({ id: 65536 })).ok).toBe(false);
    expect(encodeMessage(createMessage({ id: -1 })).ok).toBe(false);
    expect(encodeMessage(createMessage({ id: 65535 })).ok).toBe(true);
  });

  it('takes a name of exactly 255 bytes and a label of exactly 63', () => {
    // 3 × 63 + 61 + 4 length bytes + root = 255
    const name = [...Array(3).fill('x'.repeat(63)), 'y'.repeat(61)].join('.');
    expect(encodeMessage(createMessage({ id: 1, questions: [{ name, type: 1, class: 1 }] })).ok).toBe(true);
    const longer = [...Array(3).fill('x'.repeat(63)), 'y'.repeat(62)].join('.');
    expect(encodeMessage(createMessage({ id: 1, questions: [{ name: longer, type: 1, class: 1 }] })).ok).toBe(
      false,
    );
  });
});

describe('decodeMessage', () => {
  it("reads BIND's NXDOMAIN answer with its compressed SOA", () => {
    const m = decoded(bindVectors.digAnswer);
    expect(m).toMatchObject({
      id: 0x03f8,
      qr: true,
      opcode: Opcode.QUERY,
      aa: true,
      tc: false,
      rd: false,
      ra: false,
      rcode: Rcode.NXDOMAIN,
      questions: [{ name: 'home.example.test', type: RRType.AAAA, class: RRClass.IN }],
      answers: [],
      additionals: [],
    });
    expect(m.authorities).toEqual([
      {
        name: 'example.test',
        type: RRType.SOA,
        class: RRClass.IN,
        ttl: 60,
        data: {
          kind: 'soa',
          mname: 'ns1.example.test',
          rname: 'hostmaster.example.test',
          serial: 1,
          refresh: 60,
          retry: 60,
          expire: 600,
          minimum: 60,
        },
      },
    ]);
  });

  it("reads nsupdate's update: zone, a deletion with empty RDATA, an add, and the TSIG RR last", () => {
    const r = decodeMessage(bindVectors.updateRequest);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.value.message;
    expect(m.opcode).toBe(Opcode.UPDATE);
    expect(m.questions).toEqual([{ name: 'example.test', type: RRType.SOA, class: RRClass.IN }]);
    expect(m.authorities).toEqual([
      { name: 'home.example.test', type: RRType.A, class: RRClass.ANY, ttl: 0, data: { kind: 'empty' } },
      {
        name: 'home.example.test',
        type: RRType.A,
        class: RRClass.IN,
        ttl: 60,
        data: { kind: 'a', address: '203.0.113.7' },
      },
    ]);
    const tsig = m.additionals[0];
    expect(tsig).toMatchObject({
      name: 'gatehouse-ddns',
      type: RRType.TSIG,
      class: RRClass.ANY,
      ttl: 0,
      data: {
        kind: 'tsig',
        algorithm: 'hmac-sha256',
        timeSigned: 0x6b0ab8ef,
        fudge: 300,
        originalId: 0x0b43,
        error: 0,
      },
    });
    if (tsig?.data.kind === 'tsig') expect(tsig.data.mac).toHaveLength(32);
    // The TSIG RR starts right after the update section.
    expect(r.value.tsigOffset).toBe(bindVectors.updateRequest.length - (16 + 10 + 61));
    expect(
      decodeMessage(bindVectors.digAnswer).ok &&
        'tsigOffset' in (decodeMessage(bindVectors.digAnswer) as { value: object }).value,
    ).toBe(false);
  });

  it("reads BIND's unsigned BADSIG answer", () => {
    const m = decoded(bindVectors.badsigResponse);
    expect(m.rcode).toBe(Rcode.NOTAUTH);
    expect(m.additionals[0]?.data).toMatchObject({ kind: 'tsig', error: 16, mac: new Uint8Array() });
  });

  it('reads NS, CNAME, TXT, AAAA and unknown types (kept as raw RDATA)', () => {
    const m = decoded(bindVectors.soaResponse);
    expect(m.authorities).toEqual([
      {
        name: 'example.test',
        type: RRType.NS,
        class: 1,
        ttl: 60,
        data: { kind: 'name', name: 'ns1.example.test' },
      },
    ]);
    expect(m.additionals[0]).toEqual({
      name: 'ns1.example.test',
      type: RRType.A,
      class: 1,
      ttl: 60,
      data: { kind: 'a', address: '203.0.113.65' },
    });
    const records: ResourceRecord[] = [
      { name: 'w.test', type: RRType.CNAME, class: 1, ttl: 5, data: { kind: 'name', name: 'home.test' } },
      { name: 't.test', type: RRType.TXT, class: 1, ttl: 5, data: { kind: 'txt', strings: ['v=1', 'x y'] } },
      {
        name: 'v6.test',
        type: RRType.AAAA,
        class: 1,
        ttl: 5,
        data: { kind: 'aaaa', address: '2001:db8::7' },
      },
      { name: 'x.test', type: 99, class: 1, ttl: 5, data: { kind: 'raw', bytes: hex('010203') } },
      {
        name: 'o.test',
        type: RRType.OPT,
        class: 1232,
        ttl: 0,
        data: { kind: 'raw', bytes: hex('000a0000') },
      },
    ];
    expect(decoded(encoded(createMessage({ id: 7, qr: true, answers: records }))).answers).toEqual(records);
  });

  it('round-trips every kind of record and every header bit', () => {
    const m: DnsMessage = {
      id: 65535,
      qr: true,
      opcode: Opcode.UPDATE,
      aa: true,
      tc: true,
      rd: true,
      ra: true,
      rcode: Rcode.YXRRSET,
      questions: [{ name: 'Example.TEST', type: RRType.SOA, class: RRClass.IN }],
      answers: [
        { name: 'a.example.test', type: RRType.A, class: RRClass.NONE, ttl: 0, data: { kind: 'empty' } },
      ],
      authorities: [
        { name: 'a.example.test', type: RRType.ANY, class: RRClass.ANY, ttl: 0, data: { kind: 'empty' } },
        {
          name: 'a.example.test',
          type: RRType.AAAA,
          class: RRClass.IN,
          ttl: 86400,
          data: { kind: 'aaaa', address: '2001:db8:0:1::' },
        },
        {
          name: '',
          type: RRType.SOA,
          class: RRClass.IN,
          ttl: 1,
          data: {
            kind: 'soa',
            mname: 'ns.test',
            rname: 'h\\.m.test',
            serial: 2 ** 32 - 1,
            refresh: 2,
            retry: 3,
            expire: 4,
            minimum: 5,
          },
        },
      ],
      additionals: [
        {
          name: 'key',
          type: RRType.TSIG,
          class: RRClass.ANY,
          ttl: 0,
          data: {
            kind: 'tsig',
            algorithm: 'hmac-sha512',
            timeSigned: 2 ** 48 - 1,
            fudge: 300,
            mac: hex('00ff'),
            originalId: 9,
            error: 18,
            otherData: hex('0000000000ff'),
          },
        },
      ],
    };
    expect(decoded(encoded(m))).toEqual(m);
    for (const rcode of [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 15])
      expect(decoded(encoded({ ...m, rcode })).rcode).toBe(rcode);
    for (const opcode of [0, 5, 15]) expect(decoded(encoded({ ...m, opcode })).opcode).toBe(opcode);
    for (const bit of ['qr', 'aa', 'tc', 'rd', 'ra'] as const) {
      const flipped = decoded(encoded({ ...m, [bit]: false }));
      expect(flipped[bit]).toBe(false);
      expect(
        Object.entries(flipped)
          .filter(([, v]) => typeof v === 'boolean' && !v)
          .map(([k]) => k),
      ).toEqual([bit]);
    }
  });

  it('keeps labels with dots, backslashes and unprintable bytes through a round trip, escaped', () => {
    // label "a.b", label "c\", label with 0x00 and 0x7f and a space
    const bytes = hex('000000000001000000000000' + '03612e62' + '02635c' + '04007f2078' + '00' + '00010001');
    const m = decoded(bytes);
    expect(m.questions[0]?.name).toBe('a\\.b.c\\\\.\\000\\127\\032x');
    expect(toHex(encoded(m))).toBe(toHex(bytes));
    // Printable ASCII from '!' to '~' stays as it is; 0x80 and 0xff are escaped.
    const edges = hex('000000000001000000000000' + '04217e80ff' + '00' + '00010001');
    expect(decoded(edges).questions[0]?.name).toBe('!~\\128\\255');
  });

  it('follows a pointer to a pointer (backwards each time)', () => {
    // q1: "a.test" at 12; q2: "b" + pointer to 12; q3: "c" + pointer to q2 (20)
    const bytes = hex(
      '000000000003000000000000' + '016104746573740000010001' + '0162c00c00010001' + '0163c01800010001',
    );
    expect(decoded(bytes).questions.map((q) => q.name)).toEqual(['a.test', 'b.a.test', 'c.b.a.test']);
  });

  it.each<[string, string, RegExp]>([
    ['an empty message', '', /truncated in header/],
    ['half a header', '0000000000', /truncated in header/],
    ['a question count with no question', '000000000001000000000000', /truncated in question 1/],
    ['a question without its class', '000000000001000000000000' + '0161000001', /truncated in question 1/],
    [
      'a label running past the end',
      '000000000001000000000000' + '05616263',
      /truncated in question 1 \(a label\)/,
    ],
    ['a name without its end', '000000000001000000000000' + '0161', /truncated in question 1 \(a name\)/],
    ['half a pointer', '000000000001000000000000' + 'c0', /truncated in question 1 \(a pointer\)/],
    ['a pointer to itself', '000000000001000000000000' + 'c00c00010001', /does not point backwards/],
    ['a pointer forwards', '000000000001000000000000' + 'c01000010001' + '0000', /does not point backwards/],
    [
      'a pointer loop (label, then back to it)',
      '000000000001000000000000' + '0161c00c00010001',
      /does not point backwards/,
    ],
    [
      'a two-step loop',
      // q1 = "a" + ptr to 12 is forbidden already; q2 points into q1's pointer
      '000000000002000000000000' + '0000010001' + '0162c01100010001' + '0000',
      /does not point backwards|truncated|bytes after/,
    ],
    ['a label type 01', '000000000001000000000000' + '4100000001', /unknown label type/],
    ['a label type 10', '000000000001000000000000' + '8100000001', /unknown label type/],
    [
      'an answer without RDATA',
      '000000000000000100000000' + '00' + '0001000100000000' + '0004' + 'cb00',
      /truncated in answer record 1 RDATA/,
    ],
    [
      'an A of 5 bytes',
      '000000000000000100000000' + '00' + '0001000100000000' + '0005' + 'cb00710700',
      /A record with 5 bytes/,
    ],
    [
      'an AAAA of 4 bytes',
      '000000000000000100000000' + '00' + '001c000100000000' + '0004' + 'cb007107',
      /AAAA record with 4 bytes/,
    ],
    [
      'a TXT string past its RDATA',
      '000000000000000100000000' + '00' + '0010000100000000' + '0002' + '0561',
      /TXT string runs past/,
    ],
    [
      'a CNAME shorter than its RDLENGTH',
      '000000000000000100000000' + '00' + '0005000100000000' + '0004' + '016100' + 'ff',
      /does not match/,
    ],
    [
      'a CNAME running past its RDLENGTH',
      '000000000000000100000000' + '00' + '0005000100000000' + '0002' + '016100',
      /does not match/,
    ],
    [
      'an SOA missing a number',
      '000000000000000100000000' + '00' + '0006000100000000' + '0012' + '00' + '00' + '0'.repeat(32),
      /does not match/,
    ],
    [
      'a TSIG with a MAC past its RDATA',
      '000000000000000000000001' +
        '00' +
        '00fa00ff00000000' +
        '000b' +
        '00' +
        '000000000000' +
        '012c' +
        '00ff',
      /TSIG RDATA too short|MAC runs past/,
    ],
    [
      'a TSIG RR that is not last',
      '000000000000000000000002' +
        '00' +
        '00fa00ff00000000' +
        '0011' +
        '00' +
        '000000000000012c0000000000000000' +
        '00' +
        '0001000100000000' +
        '0004' +
        'cb007107',
      /not the last record/,
    ],
    [
      'a TSIG RR in the answer section',
      '000000000000000100000000' +
        '00' +
        '00fa00ff00000000' +
        '0011' +
        '00' +
        '000000000000012c0000000000000000',
      /outside the additional/,
    ],
    ['trailing bytes', '000000000000000000000000' + 'ff', /1 bytes after the last record/],
  ])('refuses %s (an error, not a throw)', (_what, h, error) => {
    expect(decodeError(hex(h))).toMatch(error);
  });

  it('reads a name of exactly 255 bytes', () => {
    const name = [...Array(3).fill('x'.repeat(63)), 'y'.repeat(61)].join('.');
    expect(
      decoded(encoded(createMessage({ id: 1, questions: [{ name, type: 1, class: 1 }] }))).questions[0]?.name,
    ).toBe(name);
  });

  it.each<[string, string, string]>([
    [
      'TSIG RDATA of 9 bytes after the algorithm',
      '0009' + '00' + '000000000000' + '0000',
      'additional record 1: TSIG RDATA too short',
    ],
    [
      'a MAC size past the RDATA',
      '000b' + '00' + '000000000000' + '0000' + '0001',
      'additional record 1: TSIG MAC runs past its RDATA',
    ],
    [
      'content shorter than the RDATA',
      '0012' + '00' + '000000000000' + '0000' + '0000' + '0000' + '0000' + '0000' + 'ff',
      'additional record 1: RDATA length 18 does not match its content',
    ],
    [
      'an other length past the RDATA',
      '0011' + '00' + '000000000000' + '0000' + '0000' + '0000' + '0000' + '0002' + 'ff' + '00',
      'additional record 1: TSIG other data runs past its RDATA',
    ],
  ])('says %s', (_what, rdata, error) => {
    const bytes = hex('000000000000000000000001' + '00' + '00fa00ff00000000' + rdata + 'ff'.repeat(4));
    const r = decodeMessage(bytes);
    expect(r.ok ? 'decoded' : r.error).toBe(error);
  });

  it('names the section and record a truncation was found in', () => {
    for (const length of [2, 3, 6, 8, 10])
      expect(decodeError(new Uint8Array(length))).toBe(
        `message truncated in header (at byte ${length} of ${length})`,
      );
    expect(decodeError(hex('000000000000000100000000'))).toMatch(/^message truncated in answer record 1 /);
    expect(decodeError(hex('000000000000000000010000'))).toMatch(/^message truncated in authority record 1 /);
    expect(decodeError(hex('000000000000000000000002' + '00' + '0001000100000000' + '0000'))).toMatch(
      /^message truncated in additional record 2 /,
    );
  });

  it('refuses a label of 64 bytes and a name over 255 bytes built with pointers', () => {
    // Label length 64 = 0x40: a reserved label type.
    expect(decodeError(hex('000000000001000000000000' + '40' + '61'.repeat(64) + '0000010001'))).toMatch(
      /unknown label type/,
    );
    // 4 × 63-byte labels, each name pointing to the previous one: the 4th name is 257 bytes.
    let body = '';
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const at = 12 + body.length / 2;
      starts.push(at);
      const label = '3f' + '61'.repeat(63);
      const prev = starts[i - 1];
      body += label + (prev === undefined ? '00' : (0xc000 | prev).toString(16)) + '00010001';
    }
    expect(decodeError(hex('000000000005000000000000' + body))).toMatch(
      /question 4: |255 bytes in question 4/,
    );
  });

  it('follows at most 127 pointers for one name, so a chain of pointers costs little', () => {
    // Questions that each point to the one before: question n (from 0) jumps n times to reach the root.
    const chain = (count: number) => {
      let body = '00' + '00010001';
      for (let i = 1; i < count; i++)
        body += (0xc000 | (i === 1 ? 12 : 17 + (i - 2) * 6)).toString(16) + '00010001';
      return hex('0000' + '0000' + count.toString(16).padStart(4, '0') + '000000000000' + body);
    };
    expect(decoded(chain(128)).questions).toHaveLength(128);
    expect(decodeError(chain(129))).toBe('too many compression pointers in question 129');
    // A message of 10 000 such questions ends at the first that needs more, not after 50 million jumps.
    expect(decodeError(chain(10_000))).toBe('too many compression pointers in question 129');
  });
});

describe('names', () => {
  it.each([
    ['home.example.test', 'home.example.test', true],
    ['HOME.Example.Test', 'home.example.test', true],
    ['home.example.test.', 'home.example.test', true],
    ['home.example.test', 'home.example.tes', false],
    ['a.b', 'a.b.c', false],
    ['a\\.b', 'a.b', false],
    ['', '.', true],
    ['a..b', 'a..b', false],
    ['a..b', 'a.b', false],
    ['a.b', 'a..b', false],
    ['a.test', 'ab.test', false],
    ['ab.test', 'a.test', false],
  ])('sameName(%j, %j) is %s', (a, b, same) => {
    expect(sameName(a, b)).toBe(same);
  });

  it('writes canonical names in lower case, uncompressed', () => {
    const r = canonicalNameWire('Gatehouse-DDNS.Example');
    expect(r.ok && toHex(r.value)).toBe('0e67617465686f7573652d64646e73076578616d706c6500');
    expect(canonicalNameWire('a..b').ok).toBe(false);
    // Only A–Z change: '@' (before A), '[' (after Z) and bytes above ASCII stay.
    const edges = canonicalNameWire('@AZ[\\128z');
    expect(edges.ok && toHex(edges.value)).toBe('06' + '40617a5b807a' + '00');
  });

  it.each([
    ['', []],
    ['.', []],
    ['a.', ['a']],
    ['a\\.', ['a.']],
    ['a\\\\.', ['a\\']],
    ['\\065\\066', ['AB']],
  ])('parses %j', (name, labels) => {
    const r = parseName(name);
    expect(r.ok && r.value.map((l) => Buffer.from(l).toString('latin1'))).toEqual(labels);
  });

  it.each([
    ['\\256', 'bad escape \\256 in name "\\256"'],
    ['a\\', 'bad escape in name "a\\"'],
    ['\\é', 'bad escape in name "\\é"'],
    ['.a', 'empty label in name ".a"'],
    ['a..', 'empty label in name "a.."'],
    ['bé', 'name "bé" is not ASCII (use its A-label, xn--…)'],
    ['x'.repeat(64), `label longer than 63 bytes in name "${'x'.repeat(64)}"`],
    [Array(4).fill('x'.repeat(63)).join('.'), `name longer than 255 bytes: "${'x'.repeat(40)}…"`],
  ])('refuses %j', (name, error) => {
    expect(parseName(name)).toEqual({ ok: false, error });
  });

  it('takes the escape and character edges: \\255, an escaped DEL, a plain DEL', () => {
    const r = parseName('\\255\\\x7f\x7f');
    expect(r.ok && r.value.map((l) => Array.from(l))).toEqual([[255, 0x7f, 0x7f]]);
  });
});

describe('words', () => {
  it('names rcodes, TSIG errors and types', () => {
    expect(rcodeName(9)).toBe('NOTAUTH');
    expect(rcodeName(10)).toBe('NOTZONE');
    expect(rcodeName(16)).toBe('BADSIG');
    expect(rcodeName(17)).toBe('BADKEY');
    expect(rcodeName(18)).toBe('BADTIME');
    expect(rcodeName(0)).toBe('NOERROR');
    expect(rcodeName(42)).toBe('RCODE 42');
    expect(typeName(28)).toBe('AAAA');
    expect(typeName(65)).toBe('TYPE65');
  });

  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000000000001000000000000', '2001:db8:0:0:1::'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000100000000000100000000', '2001:db8:1::1:0:0'],
    ['00000000000000000000000000000000', '::'],
    ['20010db8000100020003000400050006', '2001:db8:1:2:3:4:5:6'],
    ['20010db8000000020003000400050006', '2001:db8:0:2:3:4:5:6'],
  ])('writes IPv6 %s as %s (RFC 5952)', (h, text) => {
    expect(ipv6Text(hex(h))).toBe(text);
  });
});

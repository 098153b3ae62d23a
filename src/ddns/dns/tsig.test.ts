import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bindVectors,
  soa512TimeSigned,
  soaTimeSigned,
  tsigKeyName,
  tsigSecret,
  tsigSecret512,
  updateTimeSigned,
} from './bind-vectors.test-data.js';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  RRClass,
  RRType,
  type DecodedMessage,
  type DnsMessage,
} from './codec.js';
import { decodeSecret, signMessage, verifyMessage, type TsigKey } from './tsig.js';

const key: TsigKey = {
  name: tsigKeyName,
  algorithm: 'hmac-sha256',
  secret: Buffer.from(tsigSecret, 'base64'),
};
const key512: TsigKey = {
  name: tsigKeyName,
  algorithm: 'hmac-sha512',
  secret: Buffer.from(tsigSecret512, 'base64'),
};
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function decode(bytes: Uint8Array): DecodedMessage {
  const r = decodeMessage(bytes);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** The message without its TSIG RR, as a signer starts from. */
function unsignedOf(bytes: Uint8Array): DnsMessage {
  const m = decode(bytes).message;
  return { ...m, additionals: m.additionals.filter((rr) => rr.type !== RRType.TSIG) };
}

function macOf(bytes: Uint8Array): Uint8Array {
  const rr = decode(bytes).message.additionals.at(-1);
  if (rr?.data.kind !== 'tsig') throw new Error('unsigned');
  return rr.data.mac;
}

describe('signMessage', () => {
  it("signs dig's SOA query exactly as dig did (hmac-sha256, same key, time and fudge)", () => {
    const r = signMessage(unsignedOf(bindVectors.soaQuery), key, { timeSigned: soaTimeSigned, fudge: 300 });
    expect(r.ok && toHex(r.value.bytes)).toBe(toHex(bindVectors.soaQuery));
    expect(r.ok && toHex(r.value.mac)).toBe(toHex(macOf(bindVectors.soaQuery)));
  });

  it("signs dig's hmac-sha512 SOA query exactly as dig did", () => {
    const r = signMessage(unsignedOf(bindVectors.soaQuery512), key512, { timeSigned: soa512TimeSigned });
    expect(r.ok && toHex(r.value.bytes)).toBe(toHex(bindVectors.soaQuery512));
  });

  it('computes the MAC over the message, then the TSIG variables in RFC 8945 §4.3.3 order', () => {
    // Written out independently of the signer: the bytes HMAC-SHA256 must see.
    const message = createMessage({ id: 0x1234, questions: [{ name: 'a.test', type: 6, class: 1 }] });
    const r = signMessage(message, { ...key, name: 'Key.Name' }, { timeSigned: 0x010203040506, fudge: 7 });
    const input = Buffer.from(
      '123400000001000000000000' +
        '016104746573740000060001' +
        '036b6579046e616d6500' + // key name, lower-cased (canonical)
        '00ff' + // class ANY
        '00000000' + // TTL 0
        '0b686d61632d73686132353600' + // algorithm
        '010203040506' + // time signed
        '0007' + // fudge
        '0000' + // error
        '0000', // other len
      'hex',
    );
    const expected = createHmac('sha256', key.secret).update(input).digest('hex');
    expect(r.ok && toHex(r.value.mac)).toBe(expected);
    // On the wire: the key name as given, ARCOUNT 1, the TSIG RR last, Original ID = the message ID.
    const d = decode(r.ok ? r.value.bytes : new Uint8Array());
    expect(d.message.additionals).toEqual([
      {
        name: 'Key.Name',
        type: RRType.TSIG,
        class: RRClass.ANY,
        ttl: 0,
        data: {
          kind: 'tsig',
          algorithm: 'hmac-sha256',
          timeSigned: 0x010203040506,
          fudge: 7,
          mac: Uint8Array.from(Buffer.from(expected, 'hex')),
          originalId: 0x1234,
          error: 0,
          otherData: new Uint8Array(),
        },
      },
    ]);
  });

  it('puts the request MAC (with its length) first when signing an answer, and the default fudge is 300', () => {
    const message = createMessage({ id: 1, qr: true });
    const requestMac = Uint8Array.of(0xaa, 0xbb, 0xcc);
    const r = signMessage(message, key, {
      timeSigned: 5,
      requestMac,
      error: 18,
      otherData: Uint8Array.of(9),
    });
    const input = Buffer.from(
      '0003aabbcc' +
        '000180000000000000000000' +
        '0e67617465686f7573652d64646e7300' +
        '00ff00000000' +
        '0b686d61632d73686132353600' +
        '000000000005' +
        '012c' +
        '0012' +
        '0001' +
        '09',
      'hex',
    );
    expect(r.ok && toHex(r.value.mac)).toBe(createHmac('sha256', key.secret).update(input).digest('hex'));
  });

  it('refuses a message that is already signed, or has a bad name', () => {
    expect(signMessage(decode(bindVectors.soaQuery).message, key, { timeSigned: 1 })).toEqual({
      ok: false,
      error: 'the message is already signed',
    });
    // Other additional records (EDNS OPT) stay, before the TSIG RR.
    const opt = { name: '', type: RRType.OPT, class: 1232, ttl: 0, data: { kind: 'empty' as const } };
    const withOpt = signMessage(createMessage({ id: 1, additionals: [opt] }), key, { timeSigned: 1 });
    expect(withOpt.ok && decode(withOpt.value.bytes).message.additionals.map((rr) => rr.type)).toEqual([
      RRType.OPT,
      RRType.TSIG,
    ]);
    expect(signMessage(createMessage({ id: 1 }), { ...key, name: 'a..b' }, { timeSigned: 1 }).ok).toBe(false);
    expect(
      signMessage(createMessage({ id: 1, questions: [{ name: 'a..b', type: 1, class: 1 }] }), key, {
        timeSigned: 1,
      }).ok,
    ).toBe(false);
  });
});

describe('verifyMessage', () => {
  it("verifies nsupdate's request (compressed names) as BIND did", () => {
    const r = verifyMessage(bindVectors.updateRequest, decode(bindVectors.updateRequest), key, {
      now: updateTimeSigned + 10,
    });
    expect(r.ok && toHex(r.value.mac)).toBe(toHex(macOf(bindVectors.updateRequest)));
  });

  it("verifies BIND's signed answers with the request MAC first", () => {
    for (const [request, response, time] of [
      [bindVectors.updateRequest, bindVectors.updateResponse, updateTimeSigned],
      [bindVectors.soaQuery, bindVectors.soaResponse, soaTimeSigned],
    ] as const) {
      const r = verifyMessage(response, decode(response), key, { now: time, requestMac: macOf(request) });
      expect(r.ok).toBe(true);
      // Without the request MAC, or with another one, the answer does not verify.
      expect(verifyMessage(response, decode(response), key, { now: time })).toMatchObject({
        ok: false,
        error: { reason: 'bad-sig' },
      });
      const other = macOf(request).slice();
      other[0] = (other[0] ?? 0) ^ 1;
      expect(verifyMessage(response, decode(response), key, { now: time, requestMac: other }).ok).toBe(false);
    }
  });

  it('refuses an answer whose MAC does not verify: a flipped bit anywhere, or the wrong secret', () => {
    const requestMac = macOf(bindVectors.updateRequest);
    const tsigAt = decode(bindVectors.updateResponse).tsigOffset ?? 0;
    // Every byte that the MAC covers: header (except the ID), sections, TSIG variables, MAC.
    for (let i = 2; i < bindVectors.updateResponse.length; i++) {
      if (i === 10 || i === 11) continue; // ARCOUNT: changing it changes the decoding
      const bytes = bindVectors.updateResponse.slice();
      bytes[i] = (bytes[i] ?? 0) ^ 0x01;
      const d = decodeMessage(bytes);
      if (!d.ok) continue;
      const r = verifyMessage(bytes, d.value, key, { now: updateTimeSigned, requestMac });
      expect(r.ok, `byte ${i} (TSIG at ${tsigAt})`).toBe(false);
    }
    const wrong = { ...key, secret: new Uint8Array(32) };
    expect(
      verifyMessage(bindVectors.updateResponse, decode(bindVectors.updateResponse), wrong, {
        now: updateTimeSigned,
        requestMac,
      }),
    ).toMatchObject({ ok: false, error: { reason: 'bad-sig', message: 'the TSIG MAC does not verify' } });
  });

  it('checks the time only within the fudge (300 s), after the MAC', () => {
    const requestMac = macOf(bindVectors.updateRequest);
    const at = (now: number) =>
      verifyMessage(bindVectors.updateResponse, decode(bindVectors.updateResponse), key, { now, requestMac });
    expect(at(updateTimeSigned + 300).ok).toBe(true);
    expect(at(updateTimeSigned - 300).ok).toBe(true);
    expect(at(updateTimeSigned + 301)).toEqual({
      ok: false,
      error: { reason: 'bad-time', message: `signed at ${updateTimeSigned}, 301 s from now (fudge 300 s)` },
    });
    expect(at(updateTimeSigned - 301)).toMatchObject({ ok: false, error: { reason: 'bad-time' } });
  });

  it("reports BIND's BADSIG answer as the server refusing the signature", () => {
    const r = verifyMessage(bindVectors.badsigResponse, decode(bindVectors.badsigResponse), key, {
      now: updateTimeSigned,
      requestMac: macOf(bindVectors.badsigRequest),
    });
    expect(r).toMatchObject({
      ok: false,
      error: {
        reason: 'server-error',
        tsigError: 16,
        message: 'the server refused the signature: TSIG BADSIG',
      },
    });
  });

  it('refuses an unsigned answer, another key name or algorithm, and a truncated MAC', () => {
    expect(verifyMessage(bindVectors.digAnswer, decode(bindVectors.digAnswer), key, { now: 0 })).toEqual({
      ok: false,
      error: { reason: 'unsigned', message: 'the message is not signed (no TSIG record)' },
    });
    // The decoder's tsigOffset says where the TSIG RR starts: without it, or with a last record that is not TSIG,
    // the message counts as unsigned.
    const signedSoa = decode(bindVectors.soaQuery);
    expect(
      verifyMessage(bindVectors.soaQuery, { message: signedSoa.message }, key, { now: soaTimeSigned }),
    ).toMatchObject({ ok: false, error: { reason: 'unsigned' } });
    const soa = decode(bindVectors.soaResponse);
    const noTsig = { ...soa.message, additionals: soa.message.additionals.slice(0, -1) };
    expect(
      verifyMessage(bindVectors.soaResponse, { message: noTsig, tsigOffset: soa.tsigOffset ?? 0 }, key, {
        now: soaTimeSigned,
      }),
    ).toMatchObject({ ok: false, error: { reason: 'unsigned' } });
    expect(
      verifyMessage(
        bindVectors.soaResponse,
        { message: { ...noTsig, additionals: [] }, tsigOffset: 12 },
        key,
        {
          now: soaTimeSigned,
        },
      ),
    ).toMatchObject({ ok: false, error: { reason: 'unsigned' } });
    const d = decode(bindVectors.updateRequest);
    const now = updateTimeSigned;
    expect(verifyMessage(bindVectors.updateRequest, d, { ...key, name: 'other' }, { now })).toEqual({
      ok: false,
      error: {
        reason: 'bad-key',
        message: 'signed with key "gatehouse-ddns" (hmac-sha256), not "other" (hmac-sha256)',
      },
    });
    expect(
      verifyMessage(bindVectors.updateRequest, d, { ...key, algorithm: 'hmac-sha512' }, { now }),
    ).toMatchObject({ ok: false, error: { reason: 'bad-key' } });
    // Key names compare without regard to case.
    expect(verifyMessage(bindVectors.updateRequest, d, { ...key, name: 'Gatehouse-DDNS' }, { now }).ok).toBe(
      true,
    );
    // A MAC cut to 16 bytes (RFC 8945 allows truncation; Gatehouse does not accept it).
    const m = d.message;
    const rr = m.additionals[0];
    if (rr?.data.kind !== 'tsig') throw new Error('no tsig');
    const truncated = { ...m, additionals: [{ ...rr, data: { ...rr.data, mac: rr.data.mac.slice(0, 16) } }] };
    const bytes = encodeMessage(truncated);
    if (!bytes.ok) throw new Error(bytes.error);
    expect(verifyMessage(bytes.value, decode(bytes.value), key, { now })).toEqual({
      ok: false,
      error: { reason: 'bad-sig', message: 'a MAC of 16 bytes (truncated or unsigned)' },
    });
  });

  it('verifies what signMessage signs, with the request MAC chained (round trip)', () => {
    const request = signMessage(createMessage({ id: 7 }), key512, { timeSigned: 1000 });
    if (!request.ok) throw new Error(request.error);
    const answer = signMessage(createMessage({ id: 7, qr: true }), key512, {
      timeSigned: 1001,
      requestMac: request.value.mac,
    });
    if (!answer.ok) throw new Error(answer.error);
    expect(
      verifyMessage(answer.value.bytes, decode(answer.value.bytes), key512, {
        now: 1000,
        requestMac: request.value.mac,
      }).ok,
    ).toBe(true);
  });
});

describe('decodeSecret', () => {
  it.each([
    [tsigSecret, 32],
    [` ${tsigSecret}\n`, 32],
    ['AA==', 1],
    ['', undefined],
    ['not base64!', undefined],
    ['AAA', undefined],
    ['====', undefined],
    [`!${tsigSecret.slice(1)}`, undefined],
    [`${tsigSecret.slice(0, -1)}!`, undefined],
  ])('%j → %s bytes', (text, length) => {
    expect(decodeSecret(text)?.length).toBe(length);
  });
});

import { describe, expect, it } from 'vitest';
import {
  changeBatchXml,
  escapeXml,
  nameFromRoute53,
  nameToRoute53,
  parseChangeInfo,
  parseError,
  parseGetHostedZone,
  parseHostedZonesByName,
  parseRecordSets,
  txtFromRoute53,
  txtToRoute53,
} from './route53-xml.js';

const ns = 'https://route53.amazonaws.com/doc/2013-04-01/';

describe('Route 53 names and TXT strings', () => {
  it.each([
    ['host.example.com.', 'host.example.com'],
    ['Host.Example.COM.', 'host.example.com'],
    ['example.com', 'example.com'],
    ['\\052.example.com.', '*.example.com'],
    ['a\\100b.example.com.', 'a@b.example.com'],
  ])('nameFromRoute53(%j) = %s', (raw, name) => {
    expect(nameFromRoute53(raw)).toBe(name);
  });

  it('nameToRoute53 adds the trailing dot', () => {
    expect(nameToRoute53('host.example.com')).toBe('host.example.com.');
  });

  it.each([
    ['token', '"token"'],
    ['', '""'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['é', '"\\303\\251"'],
    ['tab\there', '"tab\\011here"'],
    ['del\x7f', '"del\\177"'],
    ['~', '"~"'],
    ['x'.repeat(255), `"${'x'.repeat(255)}"`],
    ['x'.repeat(256), `"${'x'.repeat(255)}" "x"`],
    ['y'.repeat(600), `"${'y'.repeat(255)}" "${'y'.repeat(255)}" "${'y'.repeat(90)}"`],
  ])('txtToRoute53(%j) = %s, and back', (text, value) => {
    expect(txtToRoute53(text)).toBe(value);
    expect(txtFromRoute53(value)).toBe(text);
  });

  it.each([
    ['"a" "b"', 'ab'],
    ['  "a"  ', 'a'],
    ['"\\101"', 'A'],
    ['"\\q"', 'q'],
    ['"ünï"', 'ünï'],
    ['"😀"', '😀'],
    ['\t"a"\n', 'a'],
    ['""', ''],
  ])('txtFromRoute53(%j) = %j', (value, text) => {
    expect(txtFromRoute53(value)).toBe(text);
  });

  it.each(['unquoted', '"open', '"a" b', '', '   ', '"ends with \\', 'x"a"'])(
    'txtFromRoute53(%j) is not TXT',
    (value) => {
      expect(txtFromRoute53(value)).toBeUndefined();
    },
  );

  it('escapeXml escapes the five markup characters', () => {
    expect(escapeXml(`<a href="x">&'`)).toBe('&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });
});

describe('Route 53 documents', () => {
  it('a change batch is the documented request, every text escaped', () => {
    expect(
      changeBatchXml(
        {
          action: 'UPSERT',
          name: 'home.example.com',
          type: 'A',
          ttl: 60,
          values: ['203.0.113.1', '203.0.113.2'],
        },
        'set <home>',
      ),
    ).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="${ns}"><ChangeBatch>` +
        `<Comment>set &#60;home&#62;</Comment><Changes><Change><Action>UPSERT</Action><ResourceRecordSet>` +
        `<Name>home.example.com.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords>` +
        `<ResourceRecord><Value>203.0.113.1</Value></ResourceRecord><ResourceRecord><Value>203.0.113.2</Value></ResourceRecord>` +
        `</ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
    );
  });

  it('hosted zones: ids without their prefix, names in our form, private flag', () => {
    const text =
      `<?xml version="1.0"?><ListHostedZonesByNameResponse xmlns="${ns}"><HostedZones>` +
      `<HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name><CallerReference>r</CallerReference>` +
      `<Config><PrivateZone>true</PrivateZone></Config></HostedZone>` +
      `<HostedZone><Id>/hostedzone/Z2</Id><Name>Example.com.</Name><CallerReference>r</CallerReference></HostedZone>` +
      `</HostedZones><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems></ListHostedZonesByNameResponse>`;
    expect(parseHostedZonesByName(text)).toEqual({
      ok: true,
      value: [
        { id: 'Z1', name: 'example.com', private: true },
        { id: 'Z2', name: 'example.com', private: false },
      ],
    });
    expect(parseHostedZonesByName(`<ListHostedZonesByNameResponse/>`)).toEqual({
      ok: false,
      reason: 'no <HostedZones>',
    });
    expect(
      parseHostedZonesByName(
        `<ListHostedZonesByNameResponse><HostedZones><HostedZone><Id>bad id/Z1</Id><Name>x.</Name></HostedZone></HostedZones></ListHostedZonesByNameResponse>`,
      ).ok,
    ).toBe(false);
    expect(
      parseGetHostedZone(
        `<GetHostedZoneResponse xmlns="${ns}"><HostedZone><Id>/hostedzone/Z9</Id><Name>example.net.</Name></HostedZone></GetHostedZoneResponse>`,
      ),
    ).toEqual({ ok: true, value: { id: 'Z9', name: 'example.net', private: false } });
    expect(parseGetHostedZone(`<GetHostedZoneResponse/>`)).toEqual({ ok: false, reason: 'no <HostedZone>' });
  });

  it('record sets: simple, alias and weighted; TTL as a number', () => {
    const text =
      `<ListResourceRecordSetsResponse xmlns="${ns}"><ResourceRecordSets>` +
      `<ResourceRecordSet><Name>a.example.com.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords>` +
      `<ResourceRecord><Value>203.0.113.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>` +
      `<ResourceRecordSet><Name>b.example.com.</Name><Type>A</Type><AliasTarget><DNSName>x.</DNSName></AliasTarget></ResourceRecordSet>` +
      `<ResourceRecordSet><Name>c.example.com.</Name><Type>A</Type><SetIdentifier>blue</SetIdentifier><TTL>60</TTL>` +
      `<ResourceRecords><ResourceRecord><Value>203.0.113.2</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>` +
      `</ResourceRecordSets><IsTruncated>true</IsTruncated></ListResourceRecordSetsResponse>`;
    expect(parseRecordSets(text)).toEqual({
      ok: true,
      value: [
        {
          name: 'a.example.com',
          type: 'A',
          ttl: 300,
          values: ['203.0.113.1'],
          setIdentifier: null,
          alias: false,
        },
        { name: 'b.example.com', type: 'A', ttl: null, values: [], setIdentifier: null, alias: true },
        {
          name: 'c.example.com',
          type: 'A',
          ttl: 60,
          values: ['203.0.113.2'],
          setIdentifier: 'blue',
          alias: false,
        },
      ],
    });
    expect(
      parseRecordSets(
        `<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>a.</Name><Type>A</Type><TTL>soon</TTL></ResourceRecordSet></ResourceRecordSets></ListResourceRecordSetsResponse>`,
      ).ok,
    ).toBe(false);
    expect(parseRecordSets(`<ListResourceRecordSetsResponse/>`)).toEqual({
      ok: false,
      reason: 'no <ResourceRecordSets>',
    });
  });

  it('answers of another kind, and fields not as documented, are refused with a reason', () => {
    expect(parseGetHostedZone('<GetChangeResponse/>')).toEqual({
      ok: false,
      reason: '<GetChangeResponse> instead of <GetHostedZoneResponse>',
    });
    expect(parseRecordSets('<GetChangeResponse/>')).toEqual({
      ok: false,
      reason: '<GetChangeResponse> instead of <ListResourceRecordSetsResponse>',
    });
    expect(
      parseHostedZonesByName(
        `<ListHostedZonesByNameResponse><HostedZones><HostedZone><Id>A/hostedzone/B</Id><Name>x.</Name></HostedZone></HostedZones></ListHostedZonesByNameResponse>`,
      ),
    ).toEqual({ ok: true, value: [{ id: 'A/hostedzone/B', name: 'x', private: false }] });
    const sets = (type: string, ttl: string): string =>
      `<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>a.</Name><Type>${type}</Type><TTL>${ttl}</TTL>` +
      `</ResourceRecordSet></ResourceRecordSets></ListResourceRecordSetsResponse>`;
    expect(parseRecordSets(sets('A', '60')).ok).toBe(true);
    for (const [type, ttl] of [
      ['&lt;A', '60'],
      ['AAAAAAAAAAAX1', '60'],
      ['A', 'x5'],
      ['A', '12345678901'],
    ] as const)
      expect(parseRecordSets(sets(type, ttl)).ok).toBe(false);
    const two = parseRecordSets(sets('a', 'y'));
    expect(!two.ok && two.reason).toMatch(/^0\.type: .+; 0\.ttl: /);
    expect(
      parseChangeInfo(
        `<GetChangeResponse><ChangeInfo><Id>C/change/1</Id><Status>INSYNC</Status></ChangeInfo></GetChangeResponse>`,
        'GetChangeResponse',
      ),
    ).toEqual({ ok: true, value: { id: 'C/change/1', status: 'INSYNC' } });
  });

  it('change info of either answer, the id without its prefix', () => {
    const info = (root: string, status: string): string =>
      `<${root} xmlns="${ns}"><ChangeInfo><Id>/change/C2</Id><Status>${status}</Status><SubmittedAt>2026-11-28T12:00:00Z</SubmittedAt></ChangeInfo></${root}>`;
    expect(parseChangeInfo(info('GetChangeResponse', 'INSYNC'), 'GetChangeResponse')).toEqual({
      ok: true,
      value: { id: 'C2', status: 'INSYNC' },
    });
    expect(
      parseChangeInfo(
        info('ChangeResourceRecordSetsResponse', 'PENDING'),
        'ChangeResourceRecordSetsResponse',
      ),
    ).toEqual({ ok: true, value: { id: 'C2', status: 'PENDING' } });
    expect(parseChangeInfo(info('GetChangeResponse', 'INSYNC'), 'ChangeResourceRecordSetsResponse')).toEqual({
      ok: false,
      reason: '<GetChangeResponse> instead of <ChangeResourceRecordSetsResponse>',
    });
    expect(parseChangeInfo(`<GetChangeResponse/>`, 'GetChangeResponse')).toEqual({
      ok: false,
      reason: 'no <ChangeInfo>',
    });
  });

  it('error answers in both documented forms; anything else is not one', () => {
    expect(
      parseError(
        `<?xml version="1.0"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      ),
    ).toEqual({ ok: true, value: { code: 'Throttling', message: 'Rate exceeded' } });
    expect(parseError(`<ErrorResponse><Error><Code>NoSuchHostedZone</Code></Error></ErrorResponse>`)).toEqual(
      { ok: true, value: { code: 'NoSuchHostedZone', message: '' } },
    );
    expect(
      parseError(
        `<InvalidChangeBatch xmlns="${ns}"><Messages><Message> one </Message><Message>two\n</Message></Messages></InvalidChangeBatch>`,
      ),
    ).toEqual({ ok: true, value: { code: 'InvalidChangeBatch', message: 'one; two' } });
    expect(parseError('<html/>')).toEqual({ ok: false, reason: '<html> is not an error answer' });
    expect(parseError(`<ErrorResponse><Error><Code></Code></Error></ErrorResponse>`).ok).toBe(false);
    expect(parseError('nope')).toEqual({
      ok: false,
      reason: 'not XML (text outside the root element at offset 0)',
    });
    expect(parseError('<html><Error><Code>X</Code></Error></html>')).toEqual({
      ok: false,
      reason: '<html> is not an error answer',
    });
    expect(parseError(`<!DOCTYPE x [<!ENTITY a "b">]><ErrorResponse/>`).ok).toBe(false);
  });
});

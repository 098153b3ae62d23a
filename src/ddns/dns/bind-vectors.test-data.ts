/**
 * @module Test data for codec.test.ts and tsig.test.ts (beside them so mutation runs load it): DNS messages
 * captured on loopback between BIND 9.18's own tools (`dig`, `nsupdate`) and `named` (Debian bookworm), through
 * a small UDP relay that wrote each datagram as hex. They are the independent vectors for the DNS codec and TSIG:
 * BIND wrote and signed them, not Gatehouse.
 *
 * How they were made (reproducible): named.conf with `listen-on port 5399 { 127.0.0.1; }`, zone example.test
 * (SOA ns1.example.test. hostmaster.example.test. 1 60 60 600 60; NS ns1; ns1 A 203.0.113.65) and
 * `key "gatehouse-ddns" { algorithm hmac-sha256; secret "<tsigSecret>"; }`, `update-policy { grant gatehouse-ddns
 * zonesub ANY; }`; a relay on 127.0.0.1:5398 forwarding to 5399; then dig and nsupdate (`server 127.0.0.1 5398`)
 * as named below.
 */

/** The TSIG key BIND used: the 32 bytes 0x00…0x1f. */
export const tsigSecret = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
export const tsigKeyName = 'gatehouse-ddns';
/** Time Signed of the update (and BADSIG) exchange, 2026-11-28. */
export const updateTimeSigned = 0x6b0ab8ef;
/** Time Signed of the SOA query. */
export const soaTimeSigned = 0x6b0ab8f1;
/** The hmac-sha512 key of the sha512 query: the 64 bytes 0x00…0x3f. */
export const tsigSecret512 =
  'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==';
export const soa512TimeSigned = 0x6b0ab9c5;

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

export const bindVectors = {
  /** `dig +noedns +noad +norec home.example.test AAAA` (no TSIG). */
  digQuery: hex('03f80000000100000000000004686f6d65076578616d706c65047465737400001c0001'),
  /** BIND: NXDOMAIN (authoritative), the SOA in the authority section, names compressed. */
  digAnswer: hex(
    '03f88403000100000001000004686f6d65076578616d706c65047465737400001c0001c011000600010000003c0027036e73' +
      '31c0110a686f73746d6173746572c011000000010000003c0000003c000002580000003c',
  ),
  /** `nsupdate -y`: zone example.test; update delete home.example.test. A; update add home.example.test. 60 A 203.0.113.7. */
  updateRequest: hex(
    '0b4328000001000000020001076578616d706c650474657374000006000104686f6d65c00c000100ff000000000000c01e00' +
      '0100010000003c0004cb0071070e67617465686f7573652d64646e730000fa00ff00000000003d0b686d61632d7368613235' +
      '360000006b0ab8ef012c00203cd190e86f53cbd16c8673905111d890ab5d850f0668d07a240c3e6efc0b7fa70b4300000000',
  ),
  /** BIND: NOERROR, signed. */
  updateResponse: hex(
    '0b43a8000001000000000001076578616d706c65047465737400000600010e67617465686f7573652d64646e730000fa00ff' +
      '00000000003d0b686d61632d7368613235360000006b0ab8ef012c00208923af3d4950e211a08caf077f91e1a46d153f633e' +
      'd041c70bc0c44d372b17400b4300000000',
  ),
  /** `nsupdate -y` with a wrong secret (32 zero bytes): update add home.example.test. 60 A 203.0.113.8. */
  badsigRequest: hex(
    '0dfe28000001000000010001076578616d706c650474657374000006000104686f6d65c00c000100010000003c0004cb0071' +
      '080e67617465686f7573652d64646e730000fa00ff00000000003d0b686d61632d7368613235360000006b0ab8ef012c0020' +
      '4febec986b71f9c938cfeeec7136a0884b416726273d35fe15f3c452f60d14ca0dfe00000000',
  ),
  /** BIND: NOTAUTH, TSIG error BADSIG, unsigned (MAC size 0). */
  badsigResponse: hex(
    '0dfea8090001000000000001076578616d706c65047465737400000600010e67617465686f7573652d64646e730000fa00ff' +
      '00000000001d0b686d61632d7368613235360000006b0ab8ef012c00000dfe00100000',
  ),
  /** `dig -y … example.test SOA` (a TSIG-signed query). */
  soaQuery: hex(
    'af4000000001000000000001076578616d706c65047465737400000600010e67617465686f7573652d64646e730000fa00ff' +
      '00000000003d0b686d61632d7368613235360000006b0ab8f1012c002061879385934c47727503bd11ea4ec0a76250ee22d9' +
      '95e6f4bc25bba809bd7f6daf4000000000',
  ),
  /** BIND: the SOA, NS and glue, signed. */
  soaResponse: hex(
    'af4084000001000100010002076578616d706c6504746573740000060001c00c000600010000003c0027036e7331c00c0a68' +
      '6f73746d6173746572c00c000000020000003c0000003c000002580000003cc00c000200010000003c0002c02ac02a000100' +
      '010000003c0004cb0071410e67617465686f7573652d64646e730000fa00ff00000000003d0b686d61632d73686132353600' +
      '00006b0ab8f1012c0020b5a951549793bbf3f462250c2f6305e0e83b92231234ae089c08cb0466b0c15eaf4000000000',
  ),
  /** `dig -y hmac-sha512:gatehouse-ddns:<tsigSecret512> example.test SOA` (captured without a server). */
  soaQuery512: hex(
    'd68f00000001000000000001076578616d706c65047465737400000600010e67617465686f7573652d64646e730000fa00ff' +
      '00000000005d0b686d61632d7368613531320000006b0ab9c5012c00406947b292dbd77b283fea6de323a06901f4b9d8490c' +
      '32ecb54a53ba12440233e33f58b0e9029b035036cbbecf0e35d317af09d802c9316da161543baba23d48a5d68f00000000',
  ),
};

import { describe, expect, it } from 'vitest';
import {
  amzDate,
  canonicalQuery,
  canonicalUri,
  sha256Hex,
  signingKey,
  signRequest,
  uriEncode,
} from './aws-sigv4.js';

/**
 * AWS's published Signature Version 4 test suite
 * (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html): every case signs with these
 * credentials, region and service at this time, for host example.amazonaws.com. The expected canonical requests,
 * string-to-sign hashes and signatures below are the suite's own files (`.creq`, `.sts`, `.authz`).
 */
const suite = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  scope: { region: 'us-east-1', service: 'service' },
  now: new Date('2015-08-30T12:36:00Z'),
};
const emptyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('SigV4 against the AWS test suite', () => {
  it.each([
    {
      name: 'get-vanilla',
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      creq: `GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${emptyHash}`,
      signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    },
    {
      name: 'post-vanilla',
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      creq: `POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${emptyHash}`,
      signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    },
    {
      name: 'post-vanilla-query',
      method: 'POST',
      url: 'https://example.amazonaws.com/?Param1=value1',
      creq: `POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${emptyHash}`,
      sts: '9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd',
      signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11',
    },
    {
      name: 'get-vanilla-query-order-key-case (parameters sorted)',
      method: 'GET',
      url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1',
      creq: `GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${emptyHash}`,
      sts: '816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0',
      signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    },
    {
      name: 'post-x-www-form-urlencoded (a body and a signed Content-Type)',
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
      creq:
        'POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n' +
        'x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n' +
        '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
      sts: '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281',
      signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    },
  ])('$name', (c) => {
    const signed = signRequest(
      // No body is an empty body.
      {
        method: c.method,
        url: c.url,
        headers: c.headers ?? {},
        ...(c.body === undefined ? {} : { body: c.body }),
      },
      suite.credentials,
      suite.scope,
      suite.now,
    );
    expect(signed.canonicalRequest).toBe(c.creq);
    if (c.sts !== undefined) expect(signed.stringToSign.split('\n')[3]).toBe(c.sts);
    expect(signed.stringToSign.split('\n').slice(0, 3)).toEqual([
      'AWS4-HMAC-SHA256',
      '20150830T123600Z',
      '20150830/us-east-1/service/aws4_request',
    ]);
    expect(signed.signature).toBe(c.signature);
    const signedHeaders = c.headers ? 'content-type;host;x-amz-date' : 'host;x-amz-date';
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ` +
        `SignedHeaders=${signedHeaders}, Signature=${c.signature}`,
    );
    expect(signed.headers['x-amz-date']).toBe('20150830T123600Z');
    // Host is signed but left to fetch, which sends the URL's host.
    expect(signed.headers).not.toHaveProperty('host');
  });

  it('the signing key of the IAM guide example (secret, 20120215, us-east-1, iam)', () => {
    // "Derive a signing key" example of the SigV4 documentation.
    expect(
      signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20120215', {
        region: 'us-east-1',
        service: 'iam',
      }).toString('hex'),
    ).toBe('f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d');
  });

  it('a session token is sent and signed as X-Amz-Security-Token', () => {
    const plain = signRequest(
      { method: 'GET', url: 'https://example.amazonaws.com/' },
      suite.credentials,
      suite.scope,
      suite.now,
    );
    const withToken = signRequest(
      { method: 'GET', url: 'https://example.amazonaws.com/' },
      { ...suite.credentials, sessionToken: 'TOKEN' },
      suite.scope,
      suite.now,
    );
    expect(withToken.headers['x-amz-security-token']).toBe('TOKEN');
    expect(withToken.canonicalRequest).toContain('x-amz-security-token:TOKEN\n');
    expect(withToken.headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
    expect(withToken.signature).not.toBe(plain.signature);
    expect(plain.headers).not.toHaveProperty('x-amz-security-token');
  });
});

describe('SigV4 pieces', () => {
  it.each([
    ['abc-._~XYZ09', false, 'abc-._~XYZ09'],
    ['a b', false, 'a%20b'],
    ['host.example.com.', false, 'host.example.com.'],
    ['a/b', false, 'a%2Fb'],
    ['a/b', true, 'a/b'],
    ['a b/c', true, 'a%20b/c'],
    ['\x7f', false, '%7F'],
    ['*', false, '%2A'],
    ['é', false, '%C3%A9'],
    ['\n', false, '%0A'],
  ])('uriEncode(%j, keepSlash %s) = %s', (text, keep, out) => {
    expect(uriEncode(text, keep)).toBe(out);
  });

  it.each([
    ['', '/'],
    ['/', '/'],
    ['/2013-04-01/hostedzone/Z1/rrset', '/2013-04-01/hostedzone/Z1/rrset'],
    ['/a%20b/c', '/a%20b/c'],
    ['/%zz', '/%25zz'],
    ['/a%2Fb', '/a%2Fb'],
  ])('canonicalUri(%j) = %s', (path, out) => {
    expect(canonicalUri(path)).toBe(out);
  });

  it.each([
    ['', ''],
    ['?', ''],
    ['?b=2&a=1', 'a=1&b=2'],
    ['?a=2&a=1', 'a=1&a=2'],
    ['?name=host.example.com.&type=A&maxitems=1', 'maxitems=1&name=host.example.com.&type=A'],
    ['?flag', 'flag='],
    ['?x=a%2Ab&&y=c+d', 'x=a%2Ab&y=c%20d'],
    ['?x=%zz', 'x=%25zz'],
    ['a=1', 'a=1'],
    ['?=x', '=x'],
    ['?c=3&a=1&b=2', 'a=1&b=2&c=3'],
    ['?c=3&b=2&a=1', 'a=1&b=2&c=3'],
    ['?b=1&a=2&b=0&a=1', 'a=1&a=2&b=0&b=1'],
  ])('canonicalQuery(%j) = %s', (search, out) => {
    expect(canonicalQuery(search)).toBe(out);
  });

  it('amzDate drops separators and milliseconds', () => {
    expect(amzDate(new Date('2026-11-28T09:08:07.654Z'))).toBe('20261128T090807Z');
  });

  it('sha256Hex of nothing is the well-known empty hash', () => {
    expect(sha256Hex('')).toBe(emptyHash);
  });

  it('header values are trimmed and inner spaces folded; names lower-cased and sorted', () => {
    const signed = signRequest(
      {
        method: 'get',
        url: 'http://127.0.0.1:8053/x',
        headers: { 'X-B': '  two   words ', 'A-Header': 'v' },
      },
      suite.credentials,
      suite.scope,
      suite.now,
    );
    expect(signed.canonicalRequest.split('\n').slice(0, 8)).toEqual([
      'GET',
      '/x',
      '',
      'a-header:v',
      'host:127.0.0.1:8053',
      'x-amz-date:20150830T123600Z',
      'x-b:two words',
      '',
    ]);
  });
});

import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressFromTxt, dnsEchoSource } from './dns-echo.js';

/** A tiny DNS responder on loopback: answers A with the asker's address and TXT with a fixed text. */
function answer(query: Buffer, rinfo: dgram.RemoteInfo): Buffer {
  const id = query.subarray(0, 2);
  let i = 12;
  while (query[i] !== 0) i += (query[i] ?? 0) + 1;
  const question = query.subarray(12, i + 5);
  const qtype = query.readUInt16BE(i + 1);
  const header = Buffer.alloc(12);
  id.copy(header, 0);
  header.writeUInt16BE(0x8180, 2); // response, recursion available, no error
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 6);
  let rdata: Buffer;
  if (qtype === 1) rdata = Buffer.from(rinfo.address.split('.').map(Number));
  else {
    const text = Buffer.from('127.0.0.1');
    rdata = Buffer.concat([Buffer.from([text.length]), text]);
  }
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
  rr.writeUInt16BE(qtype, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, question, rr, rdata]);
}

describe('DNS echo source', () => {
  const server = dgram.createSocket('udp4');
  let port = 0;
  beforeAll(async () => {
    server.on('message', (msg, rinfo) => server.send(answer(msg, rinfo), rinfo.port, rinfo.address));
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
    port = server.address().port;
  });
  afterAll(() => server.close());

  it('reads the asking address from an A answer and from a TXT answer', async () => {
    const source = dnsEchoSource(
      [
        { server: `127.0.0.1:${port}`, name: 'myip.example.test', type: 'A' },
        { server: `127.0.0.1:${port}`, name: 'o-o.myaddr.example.test', type: 'TXT' },
      ],
      2000,
    );
    const results = await source.probe('ipv4', new AbortController().signal);
    expect(results).toEqual([
      { kind: 'known', source: `dns:127.0.0.1:${port}`, family: 'ipv4', address: '127.0.0.1' },
      { kind: 'known', source: `dns:127.0.0.1:${port}`, family: 'ipv4', address: '127.0.0.1' },
    ]);
  });

  it('a server that does not answer is unavailable with the reason', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const source = dnsEchoSource(
      [{ server: `127.0.0.1:${silent.address().port}`, name: 'x.test', type: 'A' }],
      300,
    );
    const [r] = await source.probe('ipv4', new AbortController().signal);
    silent.close();
    expect(r).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringContaining('x.test A at 127.0.0.1'),
    });
  });

  it('picks the address out of TXT strings', () => {
    expect(addressFromTxt([['edns0-client-subnet 1.2.3.0/24'], ['203.0.113.7']], 'ipv4')).toBe('203.0.113.7');
    expect(addressFromTxt([['2001:db8::', '7']], 'ipv6')).toBe('2001:db8::7');
    expect(addressFromTxt([['nothing']], 'ipv4')).toBeUndefined();
  });
});

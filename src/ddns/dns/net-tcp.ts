/** @module node:net adapter for DnsStreamTransport: DNS over TCP (RFC 1035 §4.2.2), one message each way. */
import net from 'node:net';
import { describeError } from '../../core/errors.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import type { DnsStreamTransport } from './client.js';

/** The real DnsStreamTransport: a connection per exchange, closed when it ends. */
export function createNetDnsStream(): DnsStreamTransport {
  return {
    exchange(server, message, { timeoutMs }) {
      return new Promise<Outcome<Uint8Array, string>>((resolve) => {
        if (message.length > 0xffff) {
          resolve(fail('a message over 65535 bytes cannot go over TCP'));
          return;
        }
        const socket = net.connect({ host: server.address, port: server.port });
        let received = Buffer.alloc(0);
        let settled = false;
        const done = (result: Outcome<Uint8Array, string>): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          resolve(result);
        };
        const timer = setTimeout(() => done(fail(`no answer within ${timeoutMs} ms`)), timeoutMs);
        socket.on('connect', () => {
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(message.length, 0);
          socket.write(Buffer.concat([prefix, message]));
        });
        socket.on('data', (chunk: Buffer) => {
          // The length prefix bounds what is kept: at most 2 + 65535 bytes.
          received = Buffer.concat([received, chunk]).subarray(0, 2 + 0xffff);
          if (received.length < 2) return;
          const length = received.readUInt16BE(0);
          if (received.length >= 2 + length) done(ok(new Uint8Array(received.subarray(2, 2 + length))));
        });
        socket.on('error', (err) => done(fail(describeError(err))));
        socket.on('close', () => done(fail('the server closed the connection before answering')));
      });
    },
  };
}

/** @module node:dgram adapter for the StunClient port (RFC 5389 over UDP, one socket per query). */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { decodeBindingResponse, encodeBindingRequest } from './stun-codec.js';
import { splitHostPort, type StunClient, type StunQueryResult } from './stun-client.js';
import type { Family } from './types.js';
import type { StunObservation } from './verdict.js';

async function resolve(host: string, family: Family): Promise<string | { error: string }> {
  if (isIP(host)) return host;
  try {
    const r = await lookup(host, { family: family === 'ipv4' ? 4 : 6 });
    return r.address;
  } catch (e) {
    return { error: `cannot resolve ${host}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

export function createUdpStunClient(): StunClient {
  return {
    async query(servers, family, options): Promise<StunQueryResult> {
      const socket = dgram.createSocket(family === 'ipv4' ? 'udp4' : 'udp6');
      try {
        const bound = await new Promise<boolean>((done) => {
          socket.once('error', () => done(false));
          socket.bind(0, () => done(true));
        });
        if (!bound) {
          return {
            localPort: 0,
            results: servers.map((server) => ({
              server,
              mapped: null,
              error: `no ${family} socket on this box`,
            })),
          };
        }
        socket.on('error', () => {
          // ICMP unreachable and similar arrive here; the timeout reports them.
        });
        const localPort = socket.address().port;
        const pending = new Map<string, { server: string; resolveWith: (o: StunObservation) => void }>();
        socket.on('message', (msg) => {
          for (const [tidHex, p] of pending) {
            const decoded = decodeBindingResponse(msg, Buffer.from(tidHex, 'hex'));
            if (decoded.ok) {
              pending.delete(tidHex);
              const m = decoded.response.mapped;
              p.resolveWith({
                server: p.server,
                mapped: m ? { address: m.address, port: m.port } : null,
                ...(m ? {} : { error: 'answer without a mapped address' }),
              });
              return;
            }
          }
        });
        const results = await Promise.all(
          servers.map(async (server): Promise<StunObservation> => {
            const { host, port } = splitHostPort(server);
            const address = await resolve(host, family);
            if (typeof address !== 'string') return { server, mapped: null, error: address.error };
            const tid = randomBytes(12);
            const request = encodeBindingRequest(tid);
            return new Promise<StunObservation>((done) => {
              const timers: NodeJS.Timeout[] = [];
              const onAbort = () => finish({ server, mapped: null, error: 'aborted' });
              const finish = (o: StunObservation) => {
                for (const t of timers) clearTimeout(t);
                options.signal?.removeEventListener('abort', onAbort);
                pending.delete(tid.toString('hex'));
                done(o);
              };
              pending.set(tid.toString('hex'), { server, resolveWith: finish });
              // RFC 5389 retransmission, compressed into the caller's budget.
              let at = 0;
              for (const gap of [0, 250, 500, 1000, 2000]) {
                at += gap;
                if (at >= options.timeoutMs) break;
                timers.push(setTimeout(() => socket.send(request, port, address), at));
              }
              timers.push(
                setTimeout(
                  () => finish({ server, mapped: null, error: `no answer within ${options.timeoutMs} ms` }),
                  options.timeoutMs,
                ),
              );
              if (options.signal?.aborted) onAbort();
              else options.signal?.addEventListener('abort', onAbort, { once: true });
            });
          }),
        );
        return { localPort, results };
      } finally {
        socket.close();
      }
    },
  };
}

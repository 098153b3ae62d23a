/**
 * @module The StunClient over the UdpTransport port: RFC 5389 Binding requests to several servers from one local
 * socket, retransmitted on the Clock's schedule (planStunSends).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Datagram, UdpSocket, UdpTransport } from '../core/udp.js';
import { decodeBindingResponse, encodeBindingRequest, type BindingResponse } from './stun-codec.js';
import { splitHostPort, type StunClient, type StunQueryResult } from './stun-client.js';
import type { Family } from './types.js';
import type { StunObservation } from './verdict.js';

export interface UdpStunClientDeps {
  readonly udp: UdpTransport;
  readonly clock: Clock;
  /** `size` random bytes, for transaction ids (crypto-random unless a test makes them predictable). */
  readonly random?: (size: number) => Uint8Array;
  /** A server's address for `family`; rejects when it has none (the system resolver unless a test says). */
  readonly resolve?: (host: string, family: Family) => Promise<string>;
}

/**
 * When a Binding request is sent, in ms after the first send: 250 ms doubling (RFC 5389 §7.2.1 with a shorter
 * first RTO, for a probe that must finish in seconds), at most five sends, only those before `timeoutMs`. Pure.
 */
export function planStunSends(timeoutMs: number): number[] {
  return [0, 250, 750, 1750, 3750].filter((at) => at < timeoutMs);
}

const cryptoRandom = (size: number): Uint8Array => crypto.getRandomValues(new Uint8Array(size));

async function systemResolve(host: string, family: Family): Promise<string> {
  return (await lookup(host, { family: family === 'ipv4' ? 4 : 6 })).address;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

interface Pending {
  readonly tid: Uint8Array;
  readonly finish: (observation: StunObservation) => void;
  readonly server: string;
}

export function createUdpStunClient(deps: UdpStunClientDeps): StunClient {
  const random = deps.random ?? cryptoRandom;
  const resolve = deps.resolve ?? systemResolve;
  const { clock } = deps;

  /** Hands each answer to the request it belongs to (by transaction id) until `signal` ends the query. */
  async function receiveAnswers(
    socket: UdpSocket,
    pending: Map<string, Pending>,
    signal: AbortSignal,
    backstopMs: number,
  ): Promise<void> {
    const match = (d: Datagram): { pending: Pending; response: BindingResponse } | undefined => {
      const p = d.data.length >= 20 ? pending.get(hex(d.data.subarray(8, 20))) : undefined;
      const decoded = p && decodeBindingResponse(d.data, p.tid);
      return p && decoded?.ok ? { pending: p, response: decoded.response } : undefined;
    };
    while (!signal.aborted) {
      let answer: ReturnType<typeof match>;
      // The signal ends the wait (at the Clock's deadline); the socket's own timeout only backs it up.
      await socket.receive(backstopMs, { accept: (d) => (answer = match(d)) !== undefined, signal });
      if (!answer) continue;
      const m = answer.response.mapped;
      answer.pending.finish({
        server: answer.pending.server,
        mapped: m ? { address: m.address, port: m.port } : null,
        ...(m ? {} : { error: 'answer without a mapped address' }),
      });
    }
  }

  /** One server: resolve, then send on the planned schedule until answered, `timeoutMs` passes or the query ends. */
  async function ask(
    server: string,
    family: Family,
    socket: UdpSocket,
    pending: Map<string, Pending>,
    ended: AbortSignal,
    timeoutMs: number,
  ): Promise<StunObservation> {
    const { host, port } = splitHostPort(server);
    let address = host;
    if (!isIP(host)) {
      try {
        address = await resolve(host, family);
      } catch (e) {
        const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        return { server, mapped: null, error: `cannot resolve ${host}: ${reason}` };
      }
    }
    if (ended.aborted) return { server, mapped: null, error: 'aborted' };
    const tid = random(12);
    const request = encodeBindingRequest(tid);
    const key = hex(tid);
    const schedule = new AbortController();
    return new Promise<StunObservation>((done) => {
      const finish = (o: StunObservation): void => {
        if (schedule.signal.aborted) return;
        schedule.abort();
        ended.removeEventListener('abort', onEnded);
        pending.delete(key);
        done(o);
      };
      const onEnded = (): void => finish({ server, mapped: null, error: 'aborted' });
      pending.set(key, { tid, finish, server });
      ended.addEventListener('abort', onEnded, { once: true });
      // Each wait runs to a time counted from the first send, so a late wake-up does not push the rest back.
      const start = clock.now().getTime();
      const until = (at: number): Promise<void> =>
        clock.sleep(start + at - clock.now().getTime(), schedule.signal);
      void (async () => {
        for (const at of planStunSends(timeoutMs)) {
          await until(at);
          await socket.send(request, { address, port });
        }
        await until(timeoutMs);
        finish({ server, mapped: null, error: `no answer within ${timeoutMs} ms` });
      })().catch(() => undefined); // an aborted sleep: finished already
    });
  }

  return {
    async query(servers, family, options): Promise<StunQueryResult> {
      const opened = await deps.udp.open({ family });
      if (!opened.ok) {
        const error = `no ${family} socket on this box (${opened.reason})`;
        return { localPort: 0, results: servers.map((server) => ({ server, mapped: null, error })) };
      }
      const { socket } = opened;
      const ended = new AbortController();
      const end = (): void => ended.abort();
      if (options.signal?.aborted) end();
      else options.signal?.addEventListener('abort', end, { once: true });
      const pending = new Map<string, Pending>();
      const receiving = receiveAnswers(socket, pending, ended.signal, options.timeoutMs);
      try {
        const results = await Promise.all(
          servers.map(async (server) => {
            const observation = await ask(server, family, socket, pending, ended.signal, options.timeoutMs);
            // Each server as soon as it is known: the probe counts its vote without waiting for the slowest.
            options.onResult?.(observation);
            return observation;
          }),
        );
        return { localPort: socket.local.port, results };
      } finally {
        options.signal?.removeEventListener('abort', end);
        end();
        await receiving;
        await socket.close();
      }
    },
  };
}

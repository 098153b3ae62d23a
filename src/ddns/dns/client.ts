/**
 * @module One DNS exchange with one server (RFC 1035 §4.2): over UDP through the UdpTransport port, sent again on a
 * doubling schedule kept on the Clock until an overall timeout; the answer must come from the server, carry the
 * request's ID and opcode and echo its question. A truncated (TC) answer is asked again over TCP when a
 * DnsStreamTransport is given (RFC 7766), else it is a `truncated` failure. Never throws.
 */
import { isIP } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import type { Datagram, UdpEndpoint, UdpTransport } from '../../core/udp.js';
import { decodeMessage, Rcode, sameName, type DecodedMessage, type DnsMessage } from './codec.js';

/** DNS over TCP (RFC 1035 §4.2.2, two-byte length prefix): one message out, one back, bounded in time. */
export interface DnsStreamTransport {
  /**
   * Connects to `server`, sends `message` and resolves with the first answer message (at most 65535 bytes, by the
   * length prefix), or why not (refused, reset, closed early, no answer within `timeoutMs`). Never throws.
   */
  exchange(
    server: UdpEndpoint,
    message: Uint8Array,
    options: { readonly timeoutMs: number },
  ): Promise<Outcome<Uint8Array, string>>;
}

export interface DnsClientDeps {
  readonly udp: UdpTransport;
  readonly clock: Clock;
  /** Without it, a truncated UDP answer (and a request over 512 bytes) is a failure. */
  readonly tcp?: DnsStreamTransport;
}

export interface ExchangeOptions {
  /** The whole exchange, retransmissions and TCP included. Default 5 s. */
  readonly timeoutMs?: number;
  /** The first wait before sending again; each further wait doubles. Default 1 s. */
  readonly retransmitMs?: number;
}

/**
 * - `timeout`: no acceptable answer in time (the server is down, or the network drops the packets);
 * - `network`: no socket or no connection toward the server;
 * - `truncated`: the answer did not fit in UDP and there is no TCP path;
 * - `malformed`: answers came, but none could be read or matched the request (the last problem is named).
 */
export interface ExchangeFailure {
  readonly kind: 'timeout' | 'network' | 'truncated' | 'malformed';
  readonly message: string;
}

export interface ExchangeAnswer {
  readonly bytes: Uint8Array;
  readonly decoded: DecodedMessage;
  readonly transport: 'udp' | 'tcp';
}

/** RFC 1035 §4.2.1: without EDNS, UDP messages are at most 512 bytes. */
export const maxUdpRequest = 512;

export const defaultTimeoutMs = 5000;
export const defaultRetransmitMs = 1000;

/** The send times of a doubling schedule within `timeoutMs` (ms after the first send). Pure. */
export function planSends(timeoutMs: number, retransmitMs: number): number[] {
  const at: number[] = [];
  let wait = Math.max(1, retransmitMs);
  for (let t = 0; t < timeoutMs; t += wait, wait *= 2) at.push(t);
  return at;
}

/** Why `answer` is not the answer to `request`, or undefined when it is. Pure. */
export function mismatch(request: DnsMessage, answer: DnsMessage): string | undefined {
  if (answer.id !== request.id) return `an answer with ID ${answer.id}, not ${request.id}`;
  if (!answer.qr) return 'a query, not an answer';
  if (answer.opcode !== request.opcode)
    return `an answer with opcode ${answer.opcode}, not ${request.opcode}`;
  // Servers may leave the question out of an error (FORMERR, NOTIMP); a success must echo it.
  if (answer.questions.length === 0 && answer.rcode !== Rcode.NOERROR) return undefined;
  const same =
    answer.questions.length === request.questions.length &&
    answer.questions.every((q, i) => {
      const r = request.questions[i];
      return r !== undefined && q.type === r.type && q.class === r.class && sameName(q.name, r.name);
    });
  return same ? undefined : 'an answer to another question';
}

const sameEndpoint = (a: UdpEndpoint, b: UdpEndpoint): boolean =>
  a.port === b.port && a.address.replace(/^::ffff:/, '') === b.address.replace(/^::ffff:/, '');

function describe(server: UdpEndpoint): string {
  return server.address.includes(':')
    ? `[${server.address}]:${server.port}`
    : `${server.address}:${server.port}`;
}

/** Reads and matches one answer message. */
function accept(request: DnsMessage, bytes: Uint8Array): Outcome<DecodedMessage, string> {
  const decoded = decodeMessage(bytes);
  if (!decoded.ok) return fail(`an answer that could not be read (${decoded.error})`);
  const why = mismatch(request, decoded.value.message);
  return why ? fail(why) : decoded;
}

async function overTcp(
  server: UdpEndpoint,
  request: { readonly bytes: Uint8Array; readonly message: DnsMessage },
  tcp: DnsStreamTransport,
  timeoutMs: number,
): Promise<Outcome<ExchangeAnswer, ExchangeFailure>> {
  const answer = await tcp.exchange(server, request.bytes, { timeoutMs });
  if (!answer.ok)
    return fail({ kind: 'network', message: `DNS over TCP to ${describe(server)}: ${answer.error}` });
  const decoded = accept(request.message, answer.value);
  if (!decoded.ok)
    return fail({ kind: 'malformed', message: `DNS over TCP to ${describe(server)}: ${decoded.error}` });
  return ok({ bytes: answer.value, decoded: decoded.value, transport: 'tcp' });
}

/**
 * Sends `request` (its encoded, possibly signed `bytes` and the `message` they encode) to `server` (an IP
 * literal) and returns the matching answer. Stray, stale or unreadable datagrams are skipped, not taken.
 */
export async function exchange(
  server: UdpEndpoint,
  request: { readonly bytes: Uint8Array; readonly message: DnsMessage },
  deps: DnsClientDeps,
  options: ExchangeOptions = {},
): Promise<Outcome<ExchangeAnswer, ExchangeFailure>> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const { clock } = deps;
  const start = clock.now().getTime();
  const elapsed = (): number => clock.now().getTime() - start;
  if (isIP(server.address) === 0)
    return fail({ kind: 'network', message: `"${server.address}" is not an IP address` });
  if (request.bytes.length > maxUdpRequest) {
    if (deps.tcp) return overTcp(server, request, deps.tcp, timeoutMs);
    return fail({
      kind: 'truncated',
      message: `a request of ${request.bytes.length} bytes does not fit in UDP and there is no TCP path`,
    });
  }
  const opened = await deps.udp.open({
    family: isIP(server.address) === 6 ? 'ipv6' : 'ipv4',
    connectTo: server,
  });
  if (!opened.ok)
    return fail({ kind: 'network', message: `no UDP socket toward ${describe(server)}: ${opened.reason}` });
  const { socket } = opened;
  let problem: string | undefined;
  try {
    const sends = planSends(timeoutMs, options.retransmitMs ?? defaultRetransmitMs);
    for (const [i, at] of sends.entries()) {
      await clock.sleep(at - elapsed()).catch(() => undefined);
      // A refused send (no route) is like a lost datagram: the next one may pass.
      await socket.send(request.bytes);
      const until = sends[i + 1] ?? timeoutMs;
      const wait = new AbortController();
      const timer = clock.sleep(until - elapsed(), wait.signal).then(
        () => wait.abort(),
        () => undefined,
      );
      let answer: { datagram: Datagram; decoded: DecodedMessage } | undefined;
      // The Clock ends the wait (the signal); the socket's own timeout only backs it up.
      await socket.receive(timeoutMs, {
        signal: wait.signal,
        accept: (d) => {
          if (!sameEndpoint(d.from, server)) return false;
          const decoded = accept(request.message, d.data);
          if (!decoded.ok) {
            problem = decoded.error;
            return false;
          }
          answer = { datagram: d, decoded: decoded.value };
          return true;
        },
      });
      wait.abort();
      await timer;
      if (!answer) continue;
      if (!answer.decoded.message.tc)
        return ok({ bytes: answer.datagram.data, decoded: answer.decoded, transport: 'udp' });
      if (!deps.tcp)
        return fail({
          kind: 'truncated',
          message: `${describe(server)} answered truncated (TC) and there is no TCP path`,
        });
      return await overTcp(server, request, deps.tcp, Math.max(1, timeoutMs - elapsed()));
    }
    return fail(
      problem === undefined
        ? { kind: 'timeout', message: `no answer from ${describe(server)} within ${timeoutMs} ms` }
        : { kind: 'malformed', message: `no usable answer from ${describe(server)}: ${problem}` },
    );
  } finally {
    await socket.close();
  }
}

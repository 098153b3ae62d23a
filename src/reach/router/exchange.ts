/**
 * @module One request/response exchange with a router over the UdpTransport port (NAT-PMP, PCP): the
 * retransmission plan of RFC 6886 §3.1 and the exchange that follows it.
 */
import type { Datagram, UdpEndpoint, UdpTransport } from '../../core/udp.js';
import { formatDuration } from '../../core/http-request.js';

/**
 * The waits between retransmissions: RFC 6886 §3.1 starts at 250 ms and doubles; we stop at `totalMs`
 * so a router that does not answer costs a bounded, predictable time. Pure.
 */
export function planRetransmissions(initialMs: number, totalMs: number): number[] {
  const waits: number[] = [];
  let spent = 0;
  let next = initialMs;
  while (spent < totalMs) {
    const wait = Math.min(next, totalMs - spent);
    waits.push(wait);
    spent += wait;
    next *= 2;
  }
  return waits;
}

export type ExchangeResult =
  | { readonly ok: true; readonly datagram: Datagram; readonly local: UdpEndpoint }
  | { readonly ok: false; readonly kind: 'no-answer' | 'socket'; readonly reason: string };

/**
 * One request/response exchange with retransmissions: opens a socket connected to `peer`, sends the request
 * that `build` makes for the socket's local endpoint, waits per `waits`, resends, and returns the first
 * accepted answer. Always closes the socket.
 */
export async function exchange(
  udp: UdpTransport,
  peer: UdpEndpoint,
  build: (local: UdpEndpoint) => Uint8Array,
  accept: (datagram: Datagram) => boolean,
  waits: readonly number[],
  signal?: AbortSignal,
): Promise<ExchangeResult> {
  const opened = await udp.open({ family: peer.address.includes(':') ? 'ipv6' : 'ipv4', connectTo: peer });
  if (!opened.ok) return { ok: false, kind: 'socket', reason: opened.reason };
  const { socket } = opened;
  try {
    const request = build(socket.local);
    for (const wait of waits) {
      if (signal?.aborted) break;
      await socket.send(request);
      const answer = await socket.receive(wait, { accept, ...(signal ? { signal } : {}) });
      if (answer) return { ok: true, datagram: answer, local: socket.local };
    }
    const total = waits.reduce((a, b) => a + b, 0);
    return {
      ok: false,
      kind: 'no-answer',
      reason: signal?.aborted ? 'cancelled' : `no answer within ${formatSeconds(total)}`,
    };
  } finally {
    await socket.close();
  }
}

/** "2 s", "1.5 s", "300 ms": durations in reasons people read. */
export const formatSeconds = formatDuration;

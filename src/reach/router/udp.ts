/** @module UdpTransport port: datagrams to and from routers (NAT-PMP, PCP, SSDP), with timeouts, never a throw. */

export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface Datagram {
  readonly data: Uint8Array;
  readonly from: UdpEndpoint;
}

export interface UdpOpenOptions {
  /** Defaults to 'ipv4' (NAT-PMP, PCP to an IPv4 gateway and SSDP are IPv4). */
  readonly family?: 'ipv4' | 'ipv6';
  /** Local address to bind; the wildcard when absent. */
  readonly bindAddress?: string;
  /** Local port; an ephemeral port when absent or 0. */
  readonly port?: number;
  /**
   * Connect the socket to this peer: the kernel then picks the source address toward it (reported in
   * `local`, which a PCP request must carry), and only datagrams from this peer are received.
   */
  readonly connectTo?: UdpEndpoint;
  /** TTL of multicast datagrams (SSDP asks for a small one so discovery stays on the LAN). */
  readonly multicastTtl?: number;
  /** Share the port with other sockets (SO_REUSEADDR), as listeners on a well-known port should. */
  readonly reuseAddress?: boolean;
  /** Join this multicast group after binding, to receive what is sent to it (best effort: never fails the open). */
  readonly joinMulticast?: string;
}

export interface ReceiveOptions {
  /** Datagrams for which this answers false are dropped and the wait goes on (stray or stale answers). */
  readonly accept?: (datagram: Datagram) => boolean;
  readonly signal?: AbortSignal;
}

export interface UdpSocket {
  /** The bound local endpoint; with `connectTo`, the real source address toward the peer. */
  readonly local: UdpEndpoint;
  /**
   * Sends one datagram; `to` may be left out on a connected socket. Resolves false (never throws) when the
   * kernel refuses it (no route, network down): the caller treats that like "no answer".
   */
  send(data: Uint8Array, to?: UdpEndpoint): Promise<boolean>;
  /**
   * The next accepted datagram, or undefined when `timeoutMs` passes (or the signal aborts) first.
   * Datagrams that arrive while nobody waits are queued, so an answer is not lost between send and receive.
   */
  receive(timeoutMs: number, options?: ReceiveOptions): Promise<Datagram | undefined>;
  /** Closes the socket; safe to call twice. */
  close(): Promise<void>;
}

export type UdpOpenResult =
  { readonly ok: true; readonly socket: UdpSocket } | { readonly ok: false; readonly reason: string };

export interface UdpTransport {
  /** Opens a socket; a failure to bind or connect is a value naming why, never a throw. */
  open(options?: UdpOpenOptions): Promise<UdpOpenResult>;
}

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
export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

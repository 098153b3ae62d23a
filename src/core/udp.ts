/**
 * @module UdpTransport port: datagrams to and from routers (NAT-PMP, PCP, SSDP) and STUN servers, with timeouts,
 * never a throw. One adapter (dgram-udp.ts) implements it; test/fakes/udp.ts holds an in-memory one to the same
 * contract.
 */

export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface Datagram {
  readonly data: Uint8Array;
  readonly from: UdpEndpoint;
}

export interface UdpOpenOptions {
  /** Defaults to 'ipv4' (NAT-PMP, PCP to an IPv4 gateway and SSDP are IPv4; STUN asks for either). */
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
   * Datagrams that arrive while nobody waits are queued, so an answer is not lost between send and receive;
   * one caller waits at a time.
   *
   * `timeoutMs` is the socket's own read timeout (like SO_RCVTIMEO), kept by the adapter in real time: it bounds
   * a wait on the network, which no Clock can shorten. Code whose *schedule* must follow the Clock (STUN's
   * retransmissions) sleeps on the Clock and ends the wait with the signal instead.
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
 * The local address the peer sees us from: the source address the kernel picks for a UDP socket connected toward
 * it (no datagram is sent). The one way Gatehouse finds its address toward the router (UPnP's NewInternalClient,
 * GENA's callback URL).
 */
export async function localAddressToward(
  udp: UdpTransport,
  peer: UdpEndpoint,
): Promise<
  { readonly ok: true; readonly address: string } | { readonly ok: false; readonly reason: string }
> {
  const opened = await udp.open({ family: peer.address.includes(':') ? 'ipv6' : 'ipv4', connectTo: peer });
  if (!opened.ok) return { ok: false, reason: `no route to ${peer.address} (${opened.reason})` };
  const { address } = opened.socket.local;
  await opened.socket.close();
  return { ok: true, address };
}

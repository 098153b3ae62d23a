/** @module node:dgram adapter for the UdpTransport port (routers and STUN): the only place that opens UDP sockets. */
import dgram from 'node:dgram';
import { describeError } from './errors.js';
import type {
  Datagram,
  ReceiveOptions,
  UdpEndpoint,
  UdpOpenOptions,
  UdpSocket,
  UdpTransport,
} from './udp.js';

/** A queued socket never holds more than this many unread datagrams (a chatty LAN must not grow memory). */
const maxQueued = 64;

interface Waiter {
  readonly accept: (d: Datagram) => boolean;
  readonly resolve: (d: Datagram | undefined) => void;
}

class DgramSocket implements UdpSocket {
  private readonly queue: Datagram[] = [];
  private waiter: Waiter | undefined;
  private closed = false;

  constructor(
    private readonly socket: dgram.Socket,
    readonly local: UdpEndpoint,
  ) {
    socket.on('message', (msg, rinfo) => {
      const d: Datagram = { data: new Uint8Array(msg), from: { address: rinfo.address, port: rinfo.port } };
      if (this.waiter?.accept(d)) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve(d);
      } else if (!this.waiter) {
        if (this.queue.length >= maxQueued) this.queue.shift();
        this.queue.push(d);
      }
    });
    // An ICMP "port unreachable" surfaces as an error on a connected socket: the router does not listen.
    // It changes nothing for the caller (the wait ends as "no answer"), but must not crash the process.
    socket.on('error', () => undefined);
  }

  send(data: Uint8Array, to?: UdpEndpoint): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (err: Error | null): void => resolve(err === null);
      try {
        if (to) this.socket.send(data, to.port, to.address, done);
        else this.socket.send(data, done);
      } catch {
        resolve(false);
      }
    });
  }

  receive(timeoutMs: number, options: ReceiveOptions = {}): Promise<Datagram | undefined> {
    const accept = options.accept ?? (() => true);
    while (this.queue.length > 0) {
      const d = this.queue.shift();
      if (d && accept(d)) return Promise.resolve(d);
    }
    if (this.closed || options.signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (d: Datagram | undefined): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (this.waiter === waiter) this.waiter = undefined;
        resolve(d);
      };
      const onAbort = (): void => finish(undefined);
      const waiter: Waiter = { accept, resolve: finish };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = waiter;
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.waiter?.resolve(undefined);
    this.waiter = undefined;
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

/** The real UdpTransport. Sockets are closed by their users; nothing here outlives a socket. */
export function createDgramUdp(): UdpTransport {
  return {
    async open(options: UdpOpenOptions = {}) {
      const socket = dgram.createSocket({
        type: options.family === 'ipv6' ? 'udp6' : 'udp4',
        reuseAddr: options.reuseAddress ?? false,
      });
      const fail = (what: string, err: unknown) => {
        try {
          socket.close();
        } catch {
          // already closed
        }
        return { ok: false as const, reason: `${what}: ${describeError(err)}` };
      };
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', reject);
          socket.bind(
            { port: options.port ?? 0, ...(options.bindAddress ? { address: options.bindAddress } : {}) },
            () => {
              socket.off('error', reject);
              resolve();
            },
          );
        });
      } catch (err) {
        return fail(`cannot bind a UDP socket${options.port ? ` on port ${options.port}` : ''}`, err);
      }
      if (options.multicastTtl !== undefined) socket.setMulticastTTL(options.multicastTtl);
      if (options.joinMulticast) {
        try {
          socket.addMembership(options.joinMulticast);
        } catch {
          // Best effort: with no multicast route yet (ENODEV at boot) the socket still receives groups the
          // host is in, and every Linux host is in 224.0.0.1 (IP_MULTICAST_ALL is on by default).
        }
      }
      const peer = options.connectTo;
      if (peer) {
        try {
          await new Promise<void>((resolve, reject) => {
            socket.once('error', reject);
            socket.connect(peer.port, peer.address, () => {
              socket.off('error', reject);
              resolve();
            });
          });
        } catch (err) {
          return fail(`cannot reach ${peer.address}:${peer.port}`, err);
        }
      }
      const a = socket.address();
      return { ok: true as const, socket: new DgramSocket(socket, { address: a.address, port: a.port }) };
    },
  };
}

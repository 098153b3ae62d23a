/**
 * @module UDP fakes. On loopback: a responder on 127.0.0.1 that answers datagrams with a handler, and a fake router
 * speaking NAT-PMP (RFC 6886) and PCP (RFC 6887) on one port, built from the RFCs' byte layouts by hand. In memory:
 * FakeUdp, a UdpTransport whose peers are handlers and whose time is a FakeClock (test/fakes/contracts/udp.ts holds
 * it to the dgram adapter's behaviour).
 */
import dgram from 'node:dgram';
import type {
  Datagram,
  ReceiveOptions,
  UdpEndpoint,
  UdpOpenOptions,
  UdpOpenResult,
  UdpSocket,
  UdpTransport,
} from '../../src/core/udp.js';
import type { FakeClock } from './clock.js';

export interface ReceivedDatagram {
  readonly data: Buffer;
  readonly from: { address: string; port: number };
}

export interface UdpResponder {
  readonly address: string;
  readonly port: number;
  readonly received: ReceivedDatagram[];
  close(): Promise<void>;
}

/** Answers each datagram with what `handle` returns (nothing: stay silent). Loopback only. */
export async function startUdpResponder(
  handle: (d: ReceivedDatagram) => Uint8Array | readonly Uint8Array[] | undefined,
): Promise<UdpResponder> {
  const socket = dgram.createSocket('udp4');
  const received: ReceivedDatagram[] = [];
  socket.on('message', (data, rinfo) => {
    const d = { data, from: { address: rinfo.address, port: rinfo.port } };
    received.push(d);
    const answer = handle(d);
    const answers = answer === undefined ? [] : answer instanceof Uint8Array ? [answer] : answer;
    for (const a of answers) socket.send(a, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    address: '127.0.0.1',
    port: socket.address().port,
    received,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export interface FakeMapping {
  externalPort: number;
  lifetime: number;
  nonce?: string;
  protocol: 'natpmp' | 'pcp';
}

export interface FakeNatRouterOptions {
  /** Answer NAT-PMP (version 0). */
  natpmp?: boolean;
  /** Answer PCP (version 2); when off but NAT-PMP is on, PCP requests get NAT-PMP's "unsupported version". */
  pcp?: boolean;
  externalAddress?: string;
  /** Answer mapping requests with this result code instead of success. */
  mapResult?: number;
  /** Grant at most this lifetime. */
  maxLifetime?: number;
  /** External port the router assigns instead of the suggested one. */
  assignPort?: number;
}

/** A router on loopback that keeps a mapping table, so tests can check what clients did. */
export class FakeNatRouter {
  readonly mappings = new Map<number, FakeMapping>();
  epoch = 1000;
  private responder: UdpResponder | undefined;

  constructor(readonly options: FakeNatRouterOptions = {}) {}

  async start(): Promise<this> {
    this.responder = await startUdpResponder((d) => this.answer(d.data));
    return this;
  }

  get port(): number {
    if (!this.responder) throw new Error('FakeNatRouter not started');
    return this.responder.port;
  }

  get received(): ReceivedDatagram[] {
    return this.responder?.received ?? [];
  }

  close(): Promise<void> {
    return this.responder?.close() ?? Promise.resolve();
  }

  private get external(): number[] {
    return (this.options.externalAddress ?? '203.0.113.2').split('.').map(Number);
  }

  private answer(msg: Buffer): Uint8Array | undefined {
    const version = msg[0];
    if (version === 0) return this.options.natpmp ? this.natpmp(msg) : undefined;
    if (version === 2) {
      if (this.options.pcp) return this.pcp(msg);
      // RFC 6887 §9: a NAT-PMP-only server answers a PCP request with version 0, "unsupported version".
      if (this.options.natpmp) return Buffer.from([0, 128 + (msg[1] ?? 0), 0, 1, 0, 0, 0, 0]);
    }
    return undefined;
  }

  private natpmp(msg: Buffer): Uint8Array {
    const op = msg[1] ?? 0;
    const head = (result: number) => {
      const b = Buffer.alloc(8);
      b.writeUInt8(0, 0);
      b.writeUInt8(128 + op, 1);
      b.writeUInt16BE(result, 2);
      b.writeUInt32BE(this.epoch, 4);
      return b;
    };
    if (op === 0) return Buffer.concat([head(0), Buffer.from(this.external)]);
    const internalPort = msg.readUInt16BE(4);
    const suggested = msg.readUInt16BE(6);
    const lifetime = msg.readUInt32BE(8);
    const result = this.options.mapResult ?? 0;
    const body = Buffer.alloc(8);
    body.writeUInt16BE(internalPort, 0);
    if (result === 0) {
      if (lifetime === 0) {
        this.mappings.delete(internalPort);
        body.writeUInt16BE(0, 2);
      } else {
        const granted = Math.min(lifetime, this.options.maxLifetime ?? lifetime);
        const externalPort = this.options.assignPort ?? (suggested || internalPort);
        this.mappings.set(internalPort, { externalPort, lifetime: granted, protocol: 'natpmp' });
        body.writeUInt16BE(externalPort, 2);
        body.writeUInt32BE(granted, 4);
      }
    }
    return Buffer.concat([head(result), body]);
  }

  private pcp(msg: Buffer): Uint8Array {
    const opcode = (msg[1] ?? 0) & 0x7f;
    const lifetime = msg.readUInt32BE(4);
    const res = Buffer.alloc(opcode === 1 ? 60 : 24);
    res.writeUInt8(2, 0);
    res.writeUInt8(0x80 | opcode, 1);
    res.writeUInt32BE(this.epoch, 8);
    if (opcode === 0) return res; // ANNOUNCE: success, lifetime 0
    msg.copy(res, 24, 24, 60); // nonce, protocol, ports, suggested address echoed
    const nonce = msg.subarray(24, 36).toString('hex');
    const internalPort = msg.readUInt16BE(40);
    const suggested = msg.readUInt16BE(42);
    const result = this.options.mapResult ?? 0;
    res.writeUInt8(result, 3);
    if (result !== 0) {
      res.writeUInt32BE(30, 4);
      return res;
    }
    const existing = this.mappings.get(internalPort);
    if (existing?.nonce !== undefined && existing.nonce !== nonce) {
      res.writeUInt8(2, 3); // NOT_AUTHORIZED: another nonce holds this mapping
      return res;
    }
    if (lifetime === 0) {
      this.mappings.delete(internalPort);
      res.writeUInt32BE(0, 4);
    } else {
      const granted = Math.min(lifetime, this.options.maxLifetime ?? lifetime);
      const externalPort = this.options.assignPort ?? (suggested || internalPort);
      this.mappings.set(internalPort, { externalPort, lifetime: granted, nonce, protocol: 'pcp' });
      res.writeUInt32BE(granted, 4);
      res.writeUInt16BE(externalPort, 42);
    }
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...this.external]).copy(res, 44);
    return res;
  }
}

/**
 * A STUN server's Binding success answer to `request` (RFC 5389 §15.2, built by hand): XOR-MAPPED-ADDRESS names
 * `mapped` (IPv4). Undefined when `request` is not a Binding request.
 */
export function stunBindingAnswer(
  request: Uint8Array,
  mapped: { address: string; port: number },
): Uint8Array | undefined {
  const req = Buffer.from(request);
  if (req.length < 20 || req.readUInt16BE(0) !== 0x0001 || req.readUInt32BE(4) !== 0x2112a442)
    return undefined;
  const res = Buffer.alloc(32);
  res.writeUInt16BE(0x0101, 0);
  res.writeUInt16BE(12, 2);
  req.copy(res, 4, 4, 20); // magic cookie and transaction id
  res.writeUInt16BE(0x0020, 20);
  res.writeUInt16BE(8, 22);
  res.writeUInt8(0x01, 25);
  res.writeUInt16BE(mapped.port ^ 0x2112, 26);
  const ip = mapped.address.split('.').map(Number);
  [0x21, 0x12, 0xa4, 0x42].forEach((mask, i) => res.writeUInt8((ip[i] ?? 0) ^ mask, 28 + i));
  return res;
}

// ---------------------------------------------------------------------------------------------------------------
// In memory.

/** What a fake peer answers to one datagram: nothing, one datagram or several (sent back from the peer's endpoint). */
export type FakePeerHandler = (datagram: Datagram) => Uint8Array | readonly Uint8Array[] | undefined;

export interface SentDatagram {
  readonly data: Uint8Array;
  readonly from: UdpEndpoint;
  readonly to: UdpEndpoint;
}

const key = (e: UdpEndpoint): string => `${e.address}|${e.port}`;

/**
 * An in-memory UdpTransport. Peers are handlers registered by endpoint; a datagram to an endpoint nobody
 * registered is recorded and goes nowhere (as to a host that does not listen). receive's timeout sleeps on the
 * FakeClock, so a test moves time with `clock.advance()` and never waits.
 */
export class FakeUdp implements UdpTransport {
  /** Every open() asked for, in order (failed ones too). */
  readonly opened: UdpOpenOptions[] = [];
  /** Every datagram sent, by any socket, in order. */
  readonly sent: SentDatagram[] = [];
  readonly sockets: FakeUdpSocket[] = [];
  private readonly peers = new Map<string, FakePeerHandler>();
  private failure: string | undefined;
  private nextPort = 40000;

  /** `localAddress`: the source address every socket reports (the kernel's pick toward any peer). */
  constructor(
    readonly clock: FakeClock,
    private readonly localAddress = '127.0.0.1',
  ) {}

  /** Makes `handler` the peer at `endpoint` (a later call replaces it). */
  peer(endpoint: UdpEndpoint, handler: FakePeerHandler): this {
    this.peers.set(key(endpoint), handler);
    return this;
  }

  /** Every open() from now on fails with `reason` (undefined: opens work again). */
  failOpens(reason: string | undefined): this {
    this.failure = reason;
    return this;
  }

  open(options: UdpOpenOptions = {}): Promise<UdpOpenResult> {
    this.opened.push(options);
    if (this.failure !== undefined) return Promise.resolve({ ok: false, reason: this.failure });
    const local = {
      address:
        options.bindAddress ??
        (options.connectTo ? this.localAddress : options.family === 'ipv6' ? '::' : '0.0.0.0'),
      port: options.port || this.nextPort++,
    };
    const socket = new FakeUdpSocket(this, local, options.connectTo);
    this.sockets.push(socket);
    return Promise.resolve({ ok: true, socket });
  }

  /** @internal A socket's send: recorded, then answered by the peer at `to`, if any. */
  deliver(from: FakeUdpSocket, data: Uint8Array, to: UdpEndpoint): void {
    this.sent.push({ data, from: from.local, to });
    const handler = this.peers.get(key(to));
    const answer = handler?.({ data, from: from.local });
    const answers = answer === undefined ? [] : answer instanceof Uint8Array ? [answer] : answer;
    for (const a of answers) from.arrive({ data: a, from: to });
  }
}

/** One in-memory socket: what the dgram adapter does with arrivals, waiters and close, without the kernel. */
export class FakeUdpSocket implements UdpSocket {
  private readonly queue: Datagram[] = [];
  private waiter:
    { accept: (d: Datagram) => boolean; resolve: (d: Datagram | undefined) => void } | undefined;
  private isClosed = false;

  constructor(
    private readonly transport: FakeUdp,
    readonly local: UdpEndpoint,
    private readonly connectedTo: UdpEndpoint | undefined,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** A datagram arrives (from a peer, or pushed by the test): to the waiter if it accepts it, else queued. */
  arrive(datagram: Datagram): void {
    if (this.isClosed) return;
    // A connected socket hears only its peer, as with connect(2).
    if (this.connectedTo && key(datagram.from) !== key(this.connectedTo)) return;
    if (this.waiter) {
      if (!this.waiter.accept(datagram)) return;
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(datagram);
    } else {
      if (this.queue.length >= 64) this.queue.shift();
      this.queue.push(datagram);
    }
  }

  send(data: Uint8Array, to?: UdpEndpoint): Promise<boolean> {
    const peer = to ?? this.connectedTo;
    if (this.isClosed || !peer) return Promise.resolve(false);
    this.transport.deliver(this, data, peer);
    return Promise.resolve(true);
  }

  receive(timeoutMs: number, options: ReceiveOptions = {}): Promise<Datagram | undefined> {
    const accept = options.accept ?? (() => true);
    while (this.queue.length > 0) {
      const d = this.queue.shift();
      if (d && accept(d)) return Promise.resolve(d);
    }
    if (this.isClosed || options.signal?.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = new AbortController();
      const finish = (d: Datagram | undefined): void => {
        timer.abort();
        options.signal?.removeEventListener('abort', onAbort);
        if (this.waiter === waiter) this.waiter = undefined;
        resolve(d);
      };
      const onAbort = (): void => finish(undefined);
      const waiter = { accept, resolve: finish };
      this.transport.clock.sleep(timeoutMs, timer.signal).then(
        () => finish(undefined),
        () => undefined,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = waiter;
    });
  }

  close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      this.waiter?.resolve(undefined);
      this.waiter = undefined;
    }
    return Promise.resolve();
  }
}

/**
 * @module Loopback UDP fakes: a responder on 127.0.0.1 that answers datagrams with a handler, and a fake router
 * speaking NAT-PMP (RFC 6886) and PCP (RFC 6887) on one port, built from the RFCs' byte layouts by hand.
 */
import dgram from 'node:dgram';

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

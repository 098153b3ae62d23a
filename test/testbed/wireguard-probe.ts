/**
 * @module Traffic probes for the WireGuard tests, run inside a namespace (`node --import tsx wireguard-probe.ts …`):
 * TCP connects that tell connected / refused / timeout apart, a UDP echo server and a sequenced UDP stream against
 * it (sent / received / when each answer came), a TCP sink and a timed TCP source (throughput).
 *
 *   connect <timeoutMs> <host:port>…                  → JSON [{ target, outcome, ms }]
 *   udp-echo <bindAddress> <port>                     → prints "ready", echoes every datagram back
 *   udp-stream <host> <port> <intervalMs> <durationMs> → JSON UdpStreamReport (after the last answer could arrive)
 *   tcp-sink <bindAddress> <port>                     → prints "ready"; per connection counts the bytes and, at the
 *                                                       sender's end, answers the count as one line
 *   tcp-source <host> <port> <durationMs>             → JSON { bytes, ms, sinkBytes }
 */
import dgram from 'node:dgram';
import net from 'node:net';

export type ConnectOutcome = 'connected' | 'refused' | 'timeout';

export interface ConnectResult {
  readonly target: string;
  readonly outcome: ConnectOutcome | 'error';
  readonly ms: number;
  readonly error?: string;
}

export interface UdpStreamReport {
  readonly sent: number;
  readonly received: number;
  /** Sequence numbers never answered. */
  readonly lost: readonly number[];
  /** Wall-clock ms (Date.now) of the first send and of the last answer (null: none). */
  readonly startedAt: number;
  readonly lastAnswerAt: number | null;
  /** [sequence, sentAt, answeredAt] of every answered datagram, in answer order. */
  readonly answers: readonly (readonly [number, number, number])[];
}

export interface TcpSourceReport {
  readonly bytes: number;
  readonly ms: number;
  readonly sinkBytes: number;
}

function splitTarget(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(target.slice(i + 1)) };
}

function connectOnce(target: string, timeoutMs: number): Promise<ConnectResult> {
  const { host, port } = splitTarget(target);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (outcome: ConnectResult['outcome'], error?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({
        target,
        outcome,
        ms: Math.round(performance.now() - t0),
        ...(error === undefined ? {} : { error }),
      });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNREFUSED' ? done('refused') : done('error', `${e.code ?? ''} ${e.message}`),
    );
  });
}

function udpEcho(bind: string, port: number): void {
  const socket = dgram.createSocket(bind.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => socket.send(msg, rinfo.port, rinfo.address));
  socket.bind(port, bind, () => process.stdout.write('udp echo ready\n'));
}

async function udpStream(
  host: string,
  port: number,
  intervalMs: number,
  durationMs: number,
): Promise<UdpStreamReport> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const sentAt = new Map<number, number>();
  const answers: [number, number, number][] = [];
  const answered = new Set<number>();
  socket.on('message', (msg) => {
    if (msg.length < 4) return;
    const seq = msg.readUInt32BE(0);
    const at = sentAt.get(seq);
    if (at === undefined || answered.has(seq)) return;
    answered.add(seq);
    if (answers.length === 0) process.stderr.write(`first answer ${Date.now()}\n`);
    answers.push([seq, at, Date.now()]);
  });
  await new Promise<void>((resolve) => socket.bind(0, () => resolve()));
  const startedAt = Date.now();
  process.stderr.write(`started ${startedAt}\n`);
  let seq = 0;
  // Paced against the start time, so a late timer does not stretch the stream.
  while (Date.now() - startedAt < durationMs) {
    const buf = Buffer.alloc(64);
    buf.writeUInt32BE(seq, 0);
    sentAt.set(seq, Date.now());
    socket.send(buf, port, host);
    seq += 1;
    const next = startedAt + seq * intervalMs;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  // Answers still on their way: an echo across the bed takes milliseconds; give it a second.
  await new Promise((r) => setTimeout(r, 1000));
  socket.close();
  const lost = [...sentAt.keys()].filter((s) => !answered.has(s));
  return {
    sent: seq,
    received: answers.length,
    lost,
    startedAt,
    lastAnswerAt: answers.length === 0 ? null : Math.max(...answers.map(([, , a]) => a)),
    answers,
  };
}

function tcpSink(bind: string, port: number): void {
  const server = net.createServer((socket) => {
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => socket.end(`${bytes}\n`));
    socket.on('error', () => socket.destroy());
  });
  server.listen(port, bind, () => process.stdout.write('tcp sink ready\n'));
}

function tcpSource(host: string, port: number, durationMs: number): Promise<TcpSourceReport> {
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let bytes = 0;
    let answer = '';
    let t0 = 0;
    // No connection within 5 s (a dropped SYN), or a stalled one: fail rather than hang.
    socket.setTimeout(5000, () => socket.destroy(new Error('tcp source: no progress for 5 s')));
    socket.once('error', reject);
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.once('end', () =>
      resolve({ bytes, ms: performance.now() - t0, sinkBytes: Number(answer.trim()) }),
    );
    socket.once('connect', () => {
      t0 = performance.now();
      const pump = () => {
        while (performance.now() - t0 < durationMs) {
          bytes += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end();
      };
      pump();
    });
  });
}

const [mode, ...args] = process.argv.slice(2);
const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
switch (mode ?? '') {
  case 'connect': {
    const [timeout, ...targets] = args;
    out(await Promise.all(targets.map((t) => connectOnce(t, Number(timeout)))));
    break;
  }
  case 'udp-echo':
    udpEcho(args[0] ?? '0.0.0.0', Number(args[1]));
    break;
  case 'udp-stream':
    out(await udpStream(args[0] ?? '', Number(args[1]), Number(args[2]), Number(args[3])));
    break;
  case 'tcp-sink':
    tcpSink(args[0] ?? '0.0.0.0', Number(args[1]));
    break;
  case 'tcp-source':
    out(await tcpSource(args[0] ?? '', Number(args[1]), Number(args[2])));
    break;
  default:
    process.stderr.write(`unknown mode ${mode ?? ''}\n`);
    process.exitCode = 2;
}

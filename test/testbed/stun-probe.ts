// One UDP socket, one Binding request to each server given; prints what each server saw as JSON.
// Run inside a namespace: node --import tsx stun-probe.ts [--local-port N] [--change] host:port [host:port ...]
// --change sends an RFC 5780 CHANGE-REQUEST (answer from the other IP and port).
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { decodeBindingResponse, encodeBindingRequest } from '../../src/reach/stun-codec.js';

const args = process.argv.slice(2);
let localPort = 0;
let change = false;
for (;;) {
  if (args[0] === '--local-port') {
    localPort = Number(args[1]);
    args.splice(0, 2);
  } else if (args[0] === '--change') {
    change = true;
    args.splice(0, 1);
  } else break;
}
const servers = args.map((s) => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
});
const family = servers[0]?.host.includes(':') ? 'udp6' : 'udp4';
const socket = dgram.createSocket(family);
await new Promise<void>((resolve) => socket.bind(localPort, () => resolve()));
const boundPort = socket.address().port;

async function ask(server: { host: string; port: number }) {
  const tid = randomBytes(12);
  const request = encodeBindingRequest(tid, change ? { changeIp: true, changePort: true } : {});
  return new Promise<unknown>((resolve) => {
    let tries = 0;
    const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      const decoded = decodeBindingResponse(msg, tid);
      if (decoded.ok) {
        finish({
          server: `${server.host}:${server.port}`,
          mapped: decoded.response.mapped ?? null,
          otherAddress: decoded.response.otherAddress ?? null,
          responseOrigin: decoded.response.responseOrigin ?? null,
          from: `${rinfo.address}:${rinfo.port}`,
        });
      }
    };
    const send = () => {
      if (tries++ >= 4) {
        finish({ server: `${server.host}:${server.port}`, mapped: null, error: 'timeout' });
        return;
      }
      socket.send(request, server.port, server.host);
      timer = setTimeout(send, 250 * tries);
    };
    let timer: NodeJS.Timeout | undefined;
    const finish = (value: unknown) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(value);
    };
    socket.on('message', onMessage);
    send();
  });
}

const results = [];
for (const s of servers) results.push(await ask(s));
socket.close();
process.stdout.write(`${JSON.stringify({ localPort: boundPort, results })}\n`);

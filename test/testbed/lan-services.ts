// The LAN host's services: a "camera" (HTTP :8000), a "NAS" (HTTP :8001) and one more TCP port (:9000, echo).
// Run inside the lan namespace: node --import tsx lan-services.ts <bind address>
import http from 'node:http';
import net from 'node:net';

const host = process.argv[2] ?? '10.10.0.20';
const listening: Promise<void>[] = [];
const listen = (server: net.Server, port: number) =>
  listening.push(new Promise((resolve) => server.listen(port, host, () => resolve())));

listen(
  http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`camera ok ${req.method ?? ''} ${req.url ?? ''} from ${req.socket.remoteAddress ?? ''}\n`);
  }),
  8000,
);
listen(
  http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.end(`nas ok ${req.url ?? ''} from ${req.socket.remoteAddress ?? ''}\n`);
  }),
  8001,
);
listen(
  net.createServer((socket) => socket.pipe(socket)),
  9000,
);
await Promise.all(listening);
process.stdout.write('lan services ready\n');

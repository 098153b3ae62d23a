// HTTP echo services of the bed's "internet": the truthful one answers the caller's address as plain text,
// the liar always answers a wrong address (for the quorum tests).
// Run inside the inet namespace: node --import tsx echo-services.ts
import http from 'node:http';

const truthful = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`${(req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')}\n`);
});
const liar = http.createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end('198.51.100.99\n');
});
await Promise.all([
  new Promise<void>((r) => truthful.listen(8088, '203.0.113.65', () => r())),
  new Promise<void>((r) =>
    http
      .createServer(truthful.listeners('request')[0] as http.RequestListener)
      .listen(8088, '2001:db8:ff::65', () => r()),
  ),
  new Promise<void>((r) => liar.listen(8089, '203.0.113.66', () => r())),
]);
process.stdout.write('echo services ready\n');

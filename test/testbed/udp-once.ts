// Receives one UDP datagram and prints it, then exits (gives up after 10 s).
// Run inside a namespace: node --import tsx udp-once.ts <port>
import dgram from 'node:dgram';

const socket = dgram.createSocket('udp4');
const giveUp = setTimeout(() => {
  process.stderr.write('no datagram within 10 s\n');
  process.exit(1);
}, 10_000);
socket.on('message', (msg) => {
  clearTimeout(giveUp);
  process.stdout.write(msg);
  socket.close();
});
socket.bind(Number(process.argv[2]));

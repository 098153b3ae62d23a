/**
 * @module A TLS client for the certificate e2e: connects to `host:port` with SNI `servername`, trusting only the CA
 * file given (pebble's root: the server must send the intermediate itself), and says what it was served.
 * Run inside a namespace: node --import tsx cert-tls-probe.ts <host> <port> <servername> <ca file> [timeout ms]
 *   → JSON { authorized, authorizationError, serial, fingerprint256, subject, issuer, altNames, validFrom, validTo,
 *            chainLength, ms } or { error } when no handshake happened.
 */
import fs from 'node:fs';
import tls from 'node:tls';

const [host = '', portText = '', servername = '', caFile = '', timeoutText = '5000'] = process.argv.slice(2);
if (!host || !portText || !servername || !caFile)
  throw new Error('usage: cert-tls-probe <host> <port> <servername> <ca file> [timeout ms]');

const t0 = performance.now();
const result = await new Promise<Record<string, unknown>>((resolve) => {
  const socket = tls.connect({
    host,
    port: Number(portText),
    servername,
    ca: fs.readFileSync(caFile, 'utf8'),
    // Verification is judged below (authorized + the reason), so an untrusted certificate is still described.
    rejectUnauthorized: false,
  });
  socket.setTimeout(Number(timeoutText), () => {
    socket.destroy();
    resolve({ error: `timeout after ${timeoutText} ms` });
  });
  socket.once('error', (e) => resolve({ error: e.message }));
  socket.once('secureConnect', () => {
    const peer = socket.getPeerCertificate(true);
    let chainLength = 0;
    // The chain as the client built it; a self-signed root points at itself.
    // (Node's types promise an issuer always; the last one may be missing when the chain was not completed.)
    let c = peer as tls.DetailedPeerCertificate | undefined;
    while (c !== undefined && chainLength < 5) {
      chainLength += 1;
      const next = c.issuerCertificate as tls.DetailedPeerCertificate | undefined;
      c = next === c ? undefined : next;
    }
    const authorizationError = socket.authorizationError as Error | string | null;
    resolve({
      authorized: socket.authorized,
      authorizationError:
        authorizationError === null
          ? null
          : typeof authorizationError === 'string'
            ? authorizationError
            : authorizationError.message,
      // Node prints it upper case, with leading zeros; the API's is lower case.
      serial: peer.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
      fingerprint256: peer.fingerprint256,
      subject: peer.subject.CN,
      issuer: peer.issuer.CN,
      altNames: (peer.subjectaltname ?? '')
        .split(', ')
        .filter(Boolean)
        .map((n) => n.replace(/^DNS:/, '')),
      validFrom: new Date(peer.valid_from).toISOString(),
      validTo: new Date(peer.valid_to).toISOString(),
      chainLength,
    });
    socket.end();
  });
});
process.stdout.write(`${JSON.stringify({ ...result, ms: Math.round(performance.now() - t0) })}\n`);

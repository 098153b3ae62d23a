/**
 * @module The DDNS benchmark's path from inadyn to BIND: inadyn speaks no RFC 2136, so this small dyndns2 endpoint
 * (on the loopback of inadyn's own namespace) turns each `/nic/update?hostname=…&myip=…` into one `nsupdate -k`
 * run against the bed's BIND, exactly the update ddclient's `protocol=nsupdate` sends (delete the name's A, add the
 * new one), and answers `good <ip>` only after nsupdate has returned. One JSON line per request, with times.
 * Runs inside a bed namespace:
 *   node --import tsx dyndns2-nsupdate-shim.ts <listen-port> <dns-server> <zone> <tsig-key-file> <user:password> <ttl>
 */
import http from 'node:http';
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';

const args = z
  .tuple([
    z.coerce.number().int().min(1).max(65535),
    z.string().min(1),
    z.string().min(1),
    z.string().min(1),
    z.string().regex(/^[^:]+:.+$/),
    z.coerce.number().int().min(1),
  ])
  .parse(process.argv.slice(2));
const [port, dnsServer, zone, keyFile, credentials, ttl] = args;
const runner = createChildProcessRunner();
const expectedAuth = `Basic ${Buffer.from(credentials).toString('base64')}`;
const hostnameInZone = (h: string) => h === zone || h.endsWith(`.${zone}`);

const log = (fields: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ at: Date.now(), ...fields })}\n`);

/** The nsupdate script ddclient's nsupdate protocol writes for one host (ddclient 3.10 `nic_nsupdate_update`). */
const nsupdateScript = (hostname: string, ip: string) =>
  [
    `server ${dnsServer}`,
    `zone ${zone}.`,
    `update delete ${hostname}. A`,
    `update add ${hostname}. ${ttl} A ${ip}`,
    'send',
    '',
  ].join('\n');

async function answer(req: http.IncomingMessage): Promise<string> {
  const url = new URL(req.url ?? '/', 'http://shim');
  if (url.pathname !== '/nic/update') return 'badagent';
  if (req.headers.authorization !== expectedAuth) return 'badauth';
  const hostname = url.searchParams.get('hostname') ?? '';
  const ip = url.searchParams.get('myip') ?? '';
  if (!hostnameInZone(hostname)) return 'nohost';
  if (!isIPv4(ip)) return 'badagent';
  const started = Date.now();
  const r = await runner.run(['nsupdate', '-t', '5', '-k', keyFile], {
    stdin: nsupdateScript(hostname, ip),
    timeoutMs: 10_000,
  });
  const ok = r.ok && r.value.exitCode === 0;
  log({
    nsupdate: { hostname, ip, ok, ms: Date.now() - started },
    ...(ok ? {} : { error: r.ok ? r.value.stderr.trim() : r.error.message }),
  });
  return ok ? `good ${ip}` : '911';
}

http
  .createServer((req, res) => {
    const received = Date.now();
    void answer(req).then((body) => {
      log({ request: req.url ?? '', received, body });
      // A length, not chunked encoding: ddclient 3.10 reads an HTTP/1.1 chunked body's size line as the answer.
      res.writeHead(body === 'badauth' ? 401 : 200, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    });
  })
  .listen(port, '127.0.0.1', () => log({ ready: true }));
process.once('SIGTERM', () => process.exit(0));

/**
 * @module Run as a process of its own (node --import tsx): which of the packages Gatehouse loads only when needed
 * are in memory after each step. Prints one JSON line per step, { step, loaded }. argv[2] is a data directory that
 * already holds a bootstrap certificate.
 */
import { createRequire, register } from 'node:module';
import os from 'node:os';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';

const lazyPackages = ['nodemailer', 'node-forge', 'prom-client', 'qrcode', 'acme-client'];

// ES modules: a resolve hook (it runs on the loader's thread) reports every URL it resolves.
const { port1, port2 } = new MessageChannel();
const hook = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`, {
  data: { port: port2 },
  transferList: [port2],
});
const resolvedUrls: string[] = [];
// CommonJS modules (also those an ES module imported, and node-forge's synchronous require) are in this cache.
const requireCache = createRequire(import.meta.url).cache;

function loaded(): string[] {
  // The hook posted each URL before its import finished: the messages are waiting on the port.
  for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1))
    resolvedUrls.push(String(m.message));
  const files = [...Object.keys(requireCache), ...resolvedUrls];
  return lazyPackages.filter((p) => files.some((f) => f.includes(`/node_modules/${p}/`)));
}
function report(step: string) {
  console.log(JSON.stringify({ step, loaded: loaded() }));
}

const dataDir = process.argv[2] ?? '';
await import('../../src/cli.js');
report('import the CLI and the composition root');

const { nodePrivateFiles } = await import('../../src/core/node-fs.js');
const tls = await import('../../src/cert/bootstrap.js');
const names = { hostname: os.hostname(), listenHost: '0.0.0.0' };
const existing = tls.ensureBootstrapCertificate(nodePrivateFiles, dataDir, names, new Date());
report(`reuse the bootstrap certificate (created: ${String(existing.created)})`);

const { createMetrics } = await import('../../src/http/metrics.js');
const metrics = createMetrics({ processMetrics: true });
metrics.httpRequests.inc({ method: 'GET', route: '/healthz', status: '200' });
metrics.authEvents.loginAttempt('failure');
report('count requests and logins');

const { emailNotifier } = await import('../../src/alerts/notifiers/email.js');
const email = emailNotifier(
  {
    host: '127.0.0.1',
    port: 9,
    security: 'none',
    username: null,
    password: null,
    from: 'gatehouse@example.net',
    to: ['admin@example.net'],
  },
  { timeoutMs: 2000 },
);
report('build an email notifier');

await metrics.registry.metrics();
report('scrape /metrics');
tls.createSelfSignedCertificate({
  commonName: 'x',
  dnsNames: ['localhost'],
  ipAddresses: [],
  now: new Date(),
  validDays: 1,
});
report('create a certificate');
// Nothing listens on the discard port: only the loading matters here, not the failure.
const { sampleNotification } = await import('./alert-fixtures.js');
await email.send(sampleNotification(), AbortSignal.timeout(5000));
report('send an email');
const { provisioningQrSvg } = await import('../../src/auth/totp.js');
await provisioningQrSvg('otpauth://totp/x?secret=AAAA');
report('draw a TOTP QR code');

// Benchmark (not a test; issue 12): time to a first certificate from the bed's pebble, with HTTP-01 (pebble's VA
// reaches the box's port 80 through the router's forward) and with DNS-01 (the TXT record through RFC 2136 at the
// bed's BIND, served by every authoritative server before pebble is told). Needs root.
// Usage: npm run bench:cert [-- --runs N]
//
// One bed (`nat`: the box behind a single NAT router; public TCP 80 and 443 forwarded to the box). Pebble validates
// without its random sleeps (PEBBLE_VA_NOSLEEP=1), accepts every nonce and reuses no authorization, so every run
// validates for real. Each run is a fresh `gatehouse serve` (a new data directory, so a new account key) with an
// RFC 2136 DDNS account keeping home.example.test at the router's public address; then, through the HTTP API, timed
// by the API client inside the box: PUT /cert/account (the account made at pebble), PUT /cert/certificate (which
// wakes the server's loop: it orders at once), and GET /cert asked every 20 ms until it shows the certificate (new
// order, challenge, validation, finalize, download, stored and swapped in). "First certificate" runs from sending
// PUT /cert/account to that answer. Each run ends with a TLS client in the phone namespace that trusts only
// pebble's root checking that https://home.example.test serves that serial.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  addDdnsHostname,
  sameSerial,
  startCertGatehouse,
  tlsProbe,
  type ApiAnswer,
  type CertServer,
  type CertViewSeen,
} from '../../test/testbed/cert-e2e.js';
import { ports } from '../../test/testbed/plan.js';
import { Testbed, unavailableReason } from '../../test/testbed/testbed.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const hostname = 'home.example.test';

const reason = unavailableReason();
if (reason) {
  console.error(`bench: ${reason}`);
  process.exit(1);
}

type Challenge = 'http-01' | 'dns-01';

interface Sample {
  readonly challenge: Challenge;
  readonly accountMs: number;
  readonly certificateMs: number;
  /** From PUT /cert/certificate answered to GET /cert showing the certificate (polled every 20 ms in the box). */
  readonly orderMs: number;
  /** PUT account sent → the certificate shown: the time to a first certificate. */
  readonly firstMs: number;
  /** PUT account sent → the server's issuedAt (its own stamp, same machine clock): a cross-check. */
  readonly toIssuedAtMs: number;
}

function summary(xs: readonly number[]): string {
  if (xs.length === 0) return '–';
  const s = [...xs].sort((a, b) => a - b);
  const mid =
    s.length % 2 === 1
      ? (s[(s.length - 1) / 2] ?? 0)
      : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
  return `${Math.round(mid)} ms (${Math.round(s[0] ?? 0)}–${Math.round(s.at(-1) ?? 0)})`;
}

async function oneRun(bed: Testbed, challenge: Challenge, root: string): Promise<Sample> {
  let server: CertServer | undefined;
  try {
    server = await startCertGatehouse(bed);
    await addDdnsHostname(bed, server, hostname);
    const answers = await server.api([
      {
        method: 'PUT',
        path: '/api/v1/cert/account',
        body: {
          directoryUrl: bed.acmeDirectoryUrl,
          email: 'admin@example.test',
          agreeTerms: true,
          caBundlePem: bed.pebbleListenerCa,
        },
      },
      { method: 'PUT', path: '/api/v1/cert/certificate', body: { names: [hostname], challenge } },
      { method: 'GET', path: '/api/v1/cert', untilCertificate: true },
    ]);
    const [account, certificate, done] = answers as [ApiAnswer, ApiAnswer, ApiAnswer];
    if (account.status !== 200 || certificate.status !== 200)
      throw new Error(`setup: ${JSON.stringify(answers.map((a) => [a.status, a.body]))}`);
    const view = done.body as CertViewSeen;
    if (!view.current)
      throw new Error(`no certificate: ${view.renewal.lastError?.message ?? `after ${done.ms} ms`}`);
    if (view.current.challenge !== challenge) throw new Error(`issued by ${view.current.challenge}`);
    const seen = await tlsProbe(
      bed,
      'phone',
      { host: hostname, port: ports.https, servername: hostname },
      root,
    );
    if (seen.authorized !== true || !sameSerial(seen.serial, view.current.serial))
      throw new Error(
        `served ${seen.serial ?? seen.error ?? '?'} (${seen.authorizationError ?? ''}), not ${view.current.serial}`,
      );
    const issuedAt = Date.parse((view.current as { issuedAt?: string }).issuedAt ?? '');
    return {
      challenge,
      accountMs: account.ms,
      certificateMs: certificate.ms,
      orderMs: done.ms,
      firstMs: done.startedAt + done.ms - account.startedAt,
      toIssuedAtMs: issuedAt - account.startedAt,
    };
  } finally {
    await server?.stop();
  }
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const loadStart = os.loadavg();
const bed = await Testbed.up('nat');
const samples: Sample[] = [];
const failures: string[] = [];
try {
  await bed.removeAaaa(hostname);
  await bed.setWebForward({ http: true, httpsToPort: ports.gatehouseHttps });
  const { root } = await bed.pebbleRoots();
  for (let i = 0; i < runs; i++) {
    for (const challenge of ['http-01', 'dns-01'] as const) {
      try {
        const s = await oneRun(bed, challenge, root);
        samples.push(s);
        console.error(
          `run ${i + 1} ${challenge}: first certificate ${s.firstMs} ms (account ${s.accountMs}, names ${s.certificateMs}, ` +
            `order ${s.orderMs}; issuedAt after ${s.toIssuedAtMs})`,
        );
      } catch (e) {
        failures.push(`run ${i + 1} ${challenge}: ${(e as Error).message}`);
        console.error(`run ${i + 1} ${challenge}: FAILED ${(e as Error).message}`);
      }
    }
  }
} finally {
  await bed.down();
}

const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
console.log(
  `\nCertificates: time to a first certificate from pebble (${new Date().toISOString()}, commit ${commit}, ` +
    `load average 1/5/15 min ${load(loadStart)} at the start, ${load(os.loadavg())} at the end, ${os.cpus().length} cores)\n`,
);
console.log(
  '| challenge | runs | first certificate: median (min–max) | PUT account (account made at pebble) | names set → certificate shown | PUT account → server’s issuedAt |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const challenge of ['http-01', 'dns-01'] as const) {
  const xs = samples.filter((s) => s.challenge === challenge);
  const col = (f: (s: Sample) => number) => summary(xs.map(f));
  console.log(
    `| ${challenge} | ${xs.length} | ${col((s) => s.firstMs)} | ${col((s) => s.accountMs)} | ${col((s) => s.orderMs)} | ${col((s) => s.toIssuedAtMs)} |`,
  );
}
if (failures.length > 0) console.log(`\nFailed runs:\n${failures.map((f) => `- ${f}`).join('\n')}`);
const http = samples.filter((s) => s.challenge === 'http-01').map((s) => s.firstMs);
const worst = Math.max(...http);
console.log(
  `\nGoal (≤ 5 s with HTTP-01): ${http.length > 0 && worst <= 5000 ? 'met' : 'NOT met'} (slowest ${worst} ms).`,
);
process.exitCode = failures.length > 0 ? 1 : 0;

// Benchmark (not a test; issue 10): from a WAN address change to the authoritative server answering the new value,
// for Gatehouse event-driven (router events on, as `npm start` runs), Gatehouse by its STUN backstop alone, and,
// side by side in the same bed and the same renumberings, ddclient and inadyn with their default intervals — every
// client updating its own name at the bed's BIND. Needs root, ddclient and inadyn.
// Usage: npm run bench:ddns [-- --rounds N --quiet-max S --round-limit S --poll-ms MS --logs DIR]
//
// One bed (`nat-upnp`: the box behind a single NAT router that runs miniupnpd; BIND, STUN and an HTTP echo on the
// bed's "internet"). In the box (gw): two `gatehouse serve`, each with an RFC 2136 account on BIND and its own record.
// On a LAN host (lan): ddclient twice (daemon, 300 s; protocol=nsupdate: the nsupdate program with the TSIG key, and
// protocol=dyndns2 to a loopback shim that runs the same nsupdate) and inadyn (its default period, 120 s; a custom
// dyndns2 provider on that shim). They find the public address the way a client behind NAT does: a web check
// against the bed's HTTP echo. A watcher in the
// phone namespace asks BIND directly every --poll-ms and stamps each change; each round waits a random quiet time
// (so the clients' timers meet the change at random phases), renumbers the router's WAN and waits until every name
// serves the new address (or --round-limit).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import { ddnsControl } from '../../test/testbed/ddns-e2e-evidence.js';
import { addr, gatehouseReachabilityConfig, ports, tsigKeyConf, zoneName } from '../../test/testbed/plan.js';
import { Testbed, TestbedError, unavailableReason, waitFor } from '../../test/testbed/testbed.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    // Before each renumbering, a quiet time drawn uniformly from [0, quiet-max) s: ddclient's 300 s timer then
    // meets the change at a random phase instead of always just after its last check.
    'quiet-max': { type: 'string', default: '300' },
    // A round ends when every name serves the new address, or this many seconds after the renumbering.
    // ddclient 3.10's nsupdate path never marks an update "good", so its next change waits out min-error-interval
    // (300 s) since that attempt as well: up to two 300 s cycles.
    'round-limit': { type: 'string', default: '660' },
    'poll-ms': { type: 'string', default: '50' },
    // Copy every process log of the bed (never a config or key file) here before teardown.
    logs: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const quietMaxMs = Number(values['quiet-max']) * 1000;
const roundLimitMs = Number(values['round-limit']) * 1000;
const pollMs = Number(values['poll-ms']);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const runner = createChildProcessRunner();

const missing = ['ddclient', 'inadyn'].filter(
  (c) => !['/usr/bin', '/usr/sbin'].some((d) => fs.existsSync(path.join(d, c))),
);
const reason =
  unavailableReason() ??
  (missing.length > 0 ? `missing ${missing.join(', ')} (apt-get install ${missing.join(' ')})` : undefined);
if (reason) {
  console.error(`bench: ${reason}`);
  process.exit(1);
}

/** The measured clients: each updates its own name at BIND. */
const modes = [
  {
    id: 'gh-events',
    label: 'Gatehouse, event-driven (router events on, backstop 30 s: `npm start` defaults)',
    hostname: `gh-events.${zoneName}`,
  },
  {
    id: 'gh-backstop',
    label: 'Gatehouse, STUN backstop only (routerEvents, watchInterfaces, portMapping off; backstop 30 s)',
    hostname: `gh-backstop.${zoneName}`,
  },
  {
    id: 'ddclient',
    label: 'ddclient 3.10 daemon 300 s, use=web (bed echo), protocol=nsupdate',
    hostname: `ddclient.${zoneName}`,
  },
  {
    id: 'ddclient-dyndns2',
    label: 'ddclient 3.10 daemon 300 s, use=web (bed echo), protocol=dyndns2 → shim → nsupdate',
    hostname: `ddclient-dyndns2.${zoneName}`,
  },
  {
    id: 'inadyn',
    label: 'inadyn 2.10 default period, checkip = bed echo, custom dyndns2 → shim → nsupdate',
    hostname: `inadyn.${zoneName}`,
  },
] as const;
type ModeId = (typeof modes)[number]['id'];

/** Addresses the ISP hands the router in turn (its /28 on the bed's internet, .1 is inet's). */
const wanAddresses = Array.from({ length: 12 }, (_, i) => `203.0.113.${i + 3}`);

interface WatchLine {
  readonly name: string;
  readonly values?: readonly string[];
  readonly at: number;
}

/** The watcher's stamped changes, oldest first; a line still being written is left out. */
function watchLines(bed: Testbed): WatchLine[] {
  return bed
    .log('ddns-watch')
    .split('\n')
    .flatMap((line) => {
      try {
        const v = JSON.parse(line) as Partial<WatchLine>;
        return typeof v.name === 'string' && typeof v.at === 'number' ? [v as WatchLine] : [];
      } catch {
        return [];
      }
    });
}

/** When BIND was first seen serving exactly `value` for `name`, at or after `since`. */
function servedAt(
  lines: readonly WatchLine[],
  name: string,
  value: string,
  since: number,
): number | undefined {
  return lines.find((l) => l.name === name && l.at >= since && l.values?.join() === value)?.at;
}

/** A Gatehouse server's pino records (one JSON object a line) with their time. */
function logRecords(text: string): { time: number; msg: string; fields: Record<string, unknown> }[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const fields = JSON.parse(line) as Record<string, unknown>;
      return typeof fields.msg === 'string' && typeof fields.time === 'string'
        ? [{ time: Date.parse(fields.time), msg: fields.msg, fields }]
        : [];
    } catch {
      return [];
    }
  });
}

/** Where a Gatehouse sample's time went, from its own log: the address accepted, then the record updated. */
function gatehouseSteps(bed: Testbed, id: ModeId, from: number, value: string) {
  const records = logRecords(bed.log(`gatehouse-${id}`).slice(from));
  const accepted = records.find(
    (r) => r.msg === 'public address accepted' && r.fields.family === 'ipv4' && r.fields.address === value,
  );
  const updated = records.find((r) => r.msg === 'ddns: record updated' && r.fields.value === value);
  return { acceptedAt: accepted?.time, updatedAt: updated?.time };
}

function writePrivate(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

const tsx = (script: string, ...args: string[]): [string, ...string[]] => [
  process.execPath,
  '--import',
  'tsx',
  path.join(repoRoot, script),
  ...args,
];

/** A Gatehouse config for the bed: its own STUN/echo servers, DDNS verified at the bed's BIND. */
function gatehouseConfig(backstopOnly: boolean): string {
  const config = JSON.parse(gatehouseReachabilityConfig({ backstopSeconds: 30 })) as {
    reachability: Record<string, unknown>;
  } & Record<string, unknown>;
  if (backstopOnly) {
    config.reachability.routerEvents = false;
    config.reachability.watchInterfaces = false;
    // Two servers in one box must not both map the WireGuard port; and a mapping renewal is not the backstop.
    config.reachability.portMapping = { enabled: false };
  }
  // The box cannot resolve the bed's zone from the system resolver: ask BIND itself (as the e2e test does).
  config.ddns = { resolver: addr.dns, authoritativeServers: [`${addr.dns}:${ports.dns}`] };
  return JSON.stringify(config, null, 2);
}

async function startGatehouse(bed: Testbed, dir: string, id: ModeId, hostname: string): Promise<void> {
  const home = path.join(dir, id);
  fs.mkdirSync(home, { mode: 0o700 });
  const configFile = writePrivate(home, 'config.json', gatehouseConfig(id === 'gh-backstop'));
  const dataDir = path.join(home, 'data');
  bed.spawn(
    'gw',
    `gatehouse-${id}`,
    tsx(
      'test/support/cli-entry.ts',
      'serve',
      '--config',
      configFile,
      '--data-dir',
      dataDir,
      '--listen',
      '127.0.0.1:0',
    ),
  );
  const control = ddnsControl(dataDir);
  await control.ready();
  const account = await control.addAccount({
    kind: 'rfc2136',
    name: 'bed BIND',
    settings: { server: addr.dns, zone: bed.zone, keyName: bed.tsigKeyName, algorithm: 'hmac-sha256' },
    secrets: { secret: bed.tsigSecret },
  });
  await control.addRecord({ hostname, type: 'A', accountId: account.id, ttl: 60 });
}

/** The dyndns2 shim on the LAN host's loopback (inadyn's and ddclient-dyndns2's way to BIND). */
const shim = { port: 8245, user: 'bench', password: 'Bench-7fQ2mX9pL4vK8sN3' };

/**
 * ddclient as its Debian daemon runs it (300 s), on a LAN host: `nsupdate` runs the nsupdate program with the TSIG
 * key against BIND; `dyndns2` sends the dyndns2 request to the loopback shim, which runs the same nsupdate.
 */
function startDdclient(bed: Testbed, dir: string, keyFile: string, protocol: 'nsupdate' | 'dyndns2'): void {
  const name = protocol === 'nsupdate' ? 'ddclient' : 'ddclient-dyndns2';
  const conf = writePrivate(
    dir,
    `${name}.conf`,
    [
      'daemon=300',
      'syslog=no',
      `cache=${path.join(dir, `${name}.cache`)}`,
      `pid=${path.join(dir, `${name}.pid`)}`,
      // Behind NAT the interface holds a private address: a web check finds the public one.
      `use=web, web=http://${addr.stunPrimary}:${ports.httpEcho}/`,
      ...(protocol === 'nsupdate'
        ? [
            'protocol=nsupdate',
            `server=${addr.dns}`,
            'login=/usr/bin/nsupdate',
            `password=${keyFile}`,
            `zone=${zoneName}`,
          ]
        : [
            'protocol=dyndns2',
            `server=127.0.0.1:${shim.port}`,
            `login=${shim.user}`,
            `password=${shim.password}`,
          ]),
      `${name}.${zoneName}`,
      '',
    ].join('\n'),
  );
  bed.spawn('lan', name, ['ddclient', '-foreground', '-daemon=300', '-verbose', '-file', conf]);
}

/** inadyn with its default period on a LAN host; its custom dyndns2 provider is the loopback shim. */
async function startShim(bed: Testbed, keyFile: string): Promise<void> {
  bed.spawn(
    'lan',
    'dyndns2-shim',
    tsx(
      'scripts/bench/dyndns2-nsupdate-shim.ts',
      String(shim.port),
      addr.dns,
      zoneName,
      keyFile,
      `${shim.user}:${shim.password}`,
      '60',
    ),
  );
  await waitFor(
    'the dyndns2 shim',
    () => Promise.resolve(bed.log('dyndns2-shim').includes('"ready"') || undefined),
    30_000,
  );
}

function startInadyn(bed: Testbed, dir: string): void {
  const cache = path.join(dir, 'inadyn-cache');
  fs.mkdirSync(cache, { mode: 0o700 });
  const conf = writePrivate(
    dir,
    'inadyn.conf',
    [
      'custom shim {',
      '    ssl = false',
      `    username = ${shim.user}`,
      `    password = "${shim.password}"`,
      `    checkip-server = ${addr.stunPrimary}:${ports.httpEcho}`,
      '    checkip-path = /',
      '    checkip-ssl = false',
      `    ddns-server = 127.0.0.1:${shim.port}`,
      '    ddns-path = "/nic/update?hostname=%h&myip=%i"',
      `    hostname = inadyn.${zoneName}`,
      '}',
      '',
    ].join('\n'),
  );
  bed.spawn('lan', 'inadyn', [
    'inadyn',
    '--foreground',
    '-l',
    'info',
    '-f',
    conf,
    `--cache-dir=${cache}`,
    '-P',
    path.join(dir, 'inadyn.pid'),
  ]);
}

interface Sample {
  readonly round: number;
  readonly value: string;
  readonly ms: Partial<Record<ModeId, number>>;
  /** Gatehouse only: renumbering → address accepted, and → record updated (from its log). */
  readonly steps: Partial<Record<ModeId, { acceptedMs?: number; updatedMs?: number }>>;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};
const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const summary = (xs: readonly number[]) =>
  xs.length === 0
    ? '—'
    : `${seconds(median(xs))} s (${seconds(Math.min(...xs))}–${seconds(Math.max(...xs))})`;

async function measure(bed: Testbed): Promise<Sample[]> {
  const dir = path.join(bed.dir, 'bench-ddns');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = writePrivate(dir, 'tsig.key', tsigKeyConf(bed.tsigSecret));
  const names = modes.map((m) => m.hostname);

  bed.spawn(
    'phone',
    'ddns-watch',
    tsx('scripts/bench/ddns-watch.ts', `${addr.dns}:${ports.dns}`, String(pollMs), ...names),
  );
  await waitFor(
    'the BIND watcher',
    () => Promise.resolve(bed.log('ddns-watch').includes('"ready"') || undefined),
    30_000,
  );
  await Promise.all([
    startGatehouse(bed, dir, 'gh-events', `gh-events.${zoneName}`),
    startGatehouse(bed, dir, 'gh-backstop', `gh-backstop.${zoneName}`),
  ]);
  await startShim(bed, keyFile);
  startDdclient(bed, dir, keyFile, 'nsupdate');
  startDdclient(bed, dir, keyFile, 'dyndns2');
  startInadyn(bed, dir);
  const setUp = Date.now();
  await waitFor(
    `every name serving ${addr.routerWan}`,
    () => {
      const lines = watchLines(bed);
      return Promise.resolve(
        names.every((n) => servedAt(lines, n, addr.routerWan, 0) !== undefined) ? true : undefined,
      );
    },
    120_000,
  );
  console.error(`  every client's first update served ${Date.now() - setUp} ms after the last start`);

  const samples: Sample[] = [];
  for (let round = 1; round <= rounds; round++) {
    const value = wanAddresses[(round - 1) % wanAddresses.length] ?? '203.0.113.3';
    const quiet = Math.random() * quietMaxMs;
    console.error(`  round ${round}: ${Math.round(quiet / 1000)} s quiet, then the WAN becomes ${value}`);
    await new Promise((resolve) => setTimeout(resolve, quiet));
    const logFrom = Object.fromEntries(
      modes.map((m) => [m.id, bed.log(`gatehouse-${m.id}`).length]),
    ) as Record<ModeId, number>;
    const renumberedAt = Date.now();
    await bed.renumberRouterWan(value);
    const served = await waitFor(
      `round ${round}: every name serving ${value}, or ${roundLimitMs / 1000} s`,
      () => {
        const lines = watchLines(bed);
        const at = modes.map((m) => servedAt(lines, m.hostname, value, renumberedAt));
        return Promise.resolve(
          at.every((t) => t !== undefined) || Date.now() - renumberedAt > roundLimitMs ? at : undefined,
        );
      },
      roundLimitMs + 10_000,
    );
    const sample: Sample = { round, value, ms: {}, steps: {} };
    modes.forEach((m, i) => {
      const at = served[i];
      if (at !== undefined) sample.ms[m.id] = at - renumberedAt;
    });
    for (const id of ['gh-events', 'gh-backstop'] as const) {
      const { acceptedAt, updatedAt } = gatehouseSteps(bed, id, logFrom[id], value);
      sample.steps[id] = {
        ...(acceptedAt === undefined ? {} : { acceptedMs: acceptedAt - renumberedAt }),
        ...(updatedAt === undefined ? {} : { updatedMs: updatedAt - renumberedAt }),
      };
    }
    samples.push(sample);
    console.error(
      `    served after: ${modes
        .map((m) => `${m.id} ${sample.ms[m.id] === undefined ? 'not yet' : `${sample.ms[m.id]} ms`}`)
        .join(', ')}; gatehouse log: ${(['gh-events', 'gh-backstop'] as const)
        .map(
          (id) =>
            `${id} accepted ${sample.steps[id]?.acceptedMs ?? '?'} ms, updated ${sample.steps[id]?.updatedMs ?? '?'} ms`,
        )
        .join('; ')}`,
    );
  }
  return samples;
}

function report(samples: readonly Sample[], loads: { start: number[]; end: number[] }, commit: string): void {
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  console.log(
    `\nDDNS: WAN renumbered → BIND serves the new A (${new Date().toISOString()}, commit ${commit}, ${samples.length} renumberings, ` +
      `load average 1/5/15 min ${load(loads.start)} at the start, ${load(loads.end)} at the end, ${os.cpus().length} cores)\n`,
  );
  console.log('| client | path | samples | median (min–max) | not served within the round |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const m of modes) {
    const xs = samples.flatMap((s) => (s.ms[m.id] === undefined ? [] : [s.ms[m.id] ?? 0]));
    console.log(`| ${m.id} | ${m.label} | ${xs.length} | ${summary(xs)} | ${samples.length - xs.length} |`);
  }
  console.log('\nGatehouse, where the time goes (from its log: the "public address accepted" record):\n');
  console.log('| client | renumbered → address accepted | accepted → BIND seen serving |');
  console.log('| --- | --- | --- |');
  for (const id of ['gh-events', 'gh-backstop'] as const) {
    const acc = samples.flatMap((s) => {
      const a = s.steps[id]?.acceptedMs;
      return a === undefined ? [] : [a];
    });
    const srv = samples.flatMap((s) => {
      const a = s.steps[id]?.acceptedMs;
      const served = s.ms[id];
      return a === undefined || served === undefined ? [] : [served - a];
    });
    console.log(`| ${id} | ${summary(acc)} | ${summary(srv)} |`);
  }
  console.log('\nEvery sample (ms after the renumbering):\n');
  console.log(`| round | value | ${modes.map((m) => m.id).join(' | ')} |`);
  console.log(`| --- | --- | ${modes.map(() => '---').join(' | ')} |`);
  for (const s of samples)
    console.log(`| ${s.round} | ${s.value} | ${modes.map((m) => s.ms[m.id] ?? '—').join(' | ')} |`);
}

/** The bed once up, and whether a signal asked to stop (read by the signal handler and by the run). */
const run: { bed?: Testbed; interrupted: boolean } = { interrupted: false };
const onSignal = (signal: NodeJS.Signals) => {
  if (run.interrupted) return;
  run.interrupted = true;
  console.error(`bench: ${signal}, tearing the bed down`);
  // Without a bed yet, the run below tears it down as soon as `up` returns.
  if (run.bed) void run.bed.down().finally(() => process.exit(130));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const head = await runner.run(['git', '-C', repoRoot, 'rev-parse', '--short', 'HEAD'], { timeoutMs: 5000 });
const commit = head.ok ? head.value.stdout.trim() : 'unknown';
const loads = { start: os.loadavg(), end: [] as number[] };
const bed = await Testbed.up('nat-upnp');
run.bed = bed;
try {
  if (run.interrupted) throw new TestbedError('interrupted before the measurement');
  const samples = await measure(bed);
  loads.end = os.loadavg();
  report(samples, loads, commit);
} finally {
  if (values.logs !== undefined) {
    fs.mkdirSync(values.logs, { recursive: true });
    for (const name of fs.readdirSync(bed.dir).filter((n) => n.endsWith('.log')))
      fs.copyFileSync(path.join(bed.dir, name), path.join(values.logs, name));
  }
  await bed.down();
}

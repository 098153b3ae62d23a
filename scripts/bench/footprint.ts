// Benchmark (not a test): the memory footprint and start-up time of `gatehouse serve` as a small box runs it.
//
// 1. Import cost: RSS and V8 heap that importing one module adds to a fresh `node --expose-gc` (after GC), for the
//    built program (dist/server/cli.js, the esbuild bundle `gatehouse` runs) and each heavy dependency on its own.
// 2. Serving: a real `node <flags> bin/gatehouse.js serve` with reachability on, a temporary data directory and a
//    free port; /healthz is polled until it answers (time to ready, from spawn), then VmRSS is read from
//    /proc/<pid>/status while the server idles. Scenarios: plain HTTP on loopback (`npm start`), HTTPS on a first
//    start (the bootstrap certificate is made) and HTTPS on a restart (the certificate is reused).
// 3. Under load (--load SECONDS): 32 clients at once repeat a mix of /healthz, unauthenticated API calls, failing
//    logins (each a 32 MiB scrypt check until the throttle answers 429), the OpenAPI document and unknown pages;
//    RSS before, at the end and 20 s after, the peak, and requests per second. This is where a heap cap shows.
//
// Nothing leaves the box: every public-address source points at closed loopback ports, and the whole benchmark runs
// in a network namespace of its own holding only `lo` (with one more address, off 127/8, to serve HTTPS on), so the router
// protocols find no gateway either. Needs `unshare` (root, or unprivileged user namespaces); `--no-netns` runs
// without it, and then UPnP / NAT-PMP / PCP ask the LAN's default gateway.
// Needs a build: npm run build:server. Node flags default to those of the `start` script in package.json.
// Usage: npm run bench:footprint [-- --runs 5 --idle 25 --node-flags="--max-old-space-size=96" --root DIR --no-netns
//        --only imports|serve|load --load 40]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    idle: { type: 'string', default: '25' },
    'node-flags': { type: 'string' },
    root: { type: 'string', default: path.resolve(import.meta.dirname, '..', '..') },
    'no-netns': { type: 'boolean', default: false },
    only: { type: 'string' },
    load: { type: 'string', default: '0' },
  },
});
const runs = Number(values.runs);
const idleSeconds = Number(values.idle);
const loadSeconds = Number(values.load);
const root = path.resolve(values.root);
/** Inside the namespace, an extra address on lo outside 127/8: Gatehouse takes it for a LAN address and serves HTTPS. */
const lanAddress = '10.77.0.1';
const insideNetns = process.env.GATEHOUSE_BENCH_NETNS === '1';

if (!fs.existsSync(path.join(root, 'dist', 'server', 'cli.js'))) {
  console.error(`bench: ${root}/dist is missing; run npm run build:server first`);
  process.exit(1);
}

if (!values['no-netns'] && !insideNetns) {
  // Run this same script again inside a new network namespace (as root, or as a user mapped to root in it).
  const asUser = process.getuid?.() === 0 ? [] : ['--map-root-user'];
  const r = spawnSync(
    'unshare',
    ['--net', ...asUser, '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, GATEHOUSE_BENCH_NETNS: '1' } },
  );
  if (r.error || r.status === null) {
    console.error(
      `bench: cannot make a network namespace (${r.error?.message ?? `signal ${String(r.signal)}`}); ` +
        'run as root, allow unprivileged user namespaces, or pass --no-netns (the router protocols then ask the LAN gateway)',
    );
    process.exit(1);
  }
  process.exit(r.status);
}
if (insideNetns) {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  execFileSync('ip', ['addr', 'add', `${lanAddress}/32`, 'dev', 'lo']);
}

/** The node flags `npm start` uses (the heap cap), unless --node-flags says otherwise. */
function startFlags(): string[] {
  if (values['node-flags'] !== undefined) return values['node-flags'].split(/\s+/).filter(Boolean);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const m = /\bnode ((?:--\S+\s+)*)bin\/gatehouse\.js serve/.exec(pkg.scripts.start ?? '');
  return (m?.[1] ?? '').split(/\s+/).filter(Boolean);
}
const nodeFlags = startFlags();
/**
 * The environment `npm start` sets before node (GLIBC_TUNABLES, glibc's malloc thresholds), unless the shell
 * running the benchmark sets it (an empty value measures without).
 */
function startEnv(): Record<string, string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const m = /\bGLIBC_TUNABLES=(\S+) node /.exec(pkg.scripts.start ?? '');
  if (process.env.GLIBC_TUNABLES !== undefined || !m?.[1]) return {};
  return { GLIBC_TUNABLES: m[1] };
}
const extraEnv = startEnv();
const envLabel = Object.entries({
  ...extraEnv,
  ...(process.env.GLIBC_TUNABLES ? { GLIBC_TUNABLES: process.env.GLIBC_TUNABLES } : {}),
})
  .map(([k, v]) => `${k}=${v} `)
  .join('');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};
const mb = (kb: number) => (kb / 1024).toFixed(1);
const range = (xs: number[], f: (n: number) => string) =>
  `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;

// ---- 1. import cost -------------------------------------------------------------------------------------------

const importTargets = [
  'dist/server/cli.js',
  '@hono/zod-openapi',
  'zod',
  'hono',
  '@hono/node-server',
  'pino',
  'commander',
  'nodemailer',
  'prom-client',
  'node-forge',
  'qrcode',
  'acme-client',
];

/** RSS (kB) and heap (kB) a fresh process adds by importing `target`, both after a full GC. */
function importCost(target: string): { rssKb: number; heapKb: number } {
  const spec = target.startsWith('dist/') ? new URL(`file://${path.join(root, target)}`).href : target;
  const script = `
    import fs from 'node:fs';
    const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
    const settle = () => { globalThis.gc(); globalThis.gc(); };
    settle();
    const before = { rss: rss(), heap: process.memoryUsage().heapUsed };
    ${spec === '' ? '' : `await import(${JSON.stringify(spec)});`}
    settle();
    console.log(JSON.stringify({ rssKb: rss() - before.rss, heapKb: (process.memoryUsage().heapUsed - before.heap) / 1024 }));
  `;
  // Run from the root, so bare names resolve in its node_modules.
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  return JSON.parse(out) as { rssKb: number; heapKb: number };
}

function nodeAlone(): number {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '-e',
      "globalThis.gc(); console.log(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1])",
    ],
    { encoding: 'utf8' },
  );
  return Number(out.trim());
}

function measureImports(): void {
  const alone = Array.from({ length: runs }, nodeAlone);
  console.log(`\n### Import cost (fresh \`node --expose-gc\`, after GC; median of ${runs}, range)\n`);
  console.log(`Node ${process.version} alone: ${range(alone, mb)} MB RSS\n`);
  console.log('| module | RSS added (MB) | V8 heap added (MB) |');
  console.log('| ------ | -------------- | ------------------ |');
  for (const target of importTargets) {
    const costs = Array.from({ length: runs }, () => importCost(target));
    console.log(
      `| ${target} | ${range(
        costs.map((c) => c.rssKb),
        mb,
      )} | ${mb(median(costs.map((c) => c.heapKb)))} |`,
    );
  }
}

// ---- 2. serving -----------------------------------------------------------------------------------------------

interface ServeRun {
  readonly readyMs: number;
  /** VmRSS (kB) right when /healthz first answered, 3 s later, and at the end of the idle time. */
  readonly atReadyKb: number;
  readonly earlyKb: number;
  readonly idleKb: number;
  readonly peakKb: number;
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Every public-address source on a closed loopback port: reachability runs its whole loop and hears nothing. */
async function benchConfig(): Promise<string> {
  const closed = await Promise.all([1, 2, 3, 4].map(() => freePort('127.0.0.1')));
  return JSON.stringify({
    reachability: {
      stunServers: [`127.0.0.1:${closed[0]}`, `127.0.0.1:${closed[1]}`],
      httpEcho: [{ url: `http://127.0.0.1:${closed[2]}/`, family: 'ipv4' }],
      dnsEcho: [{ server: `127.0.0.1:${closed[3]}`, name: 'myip.gatehouse.invalid', type: 'A' }],
    },
  });
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
}

/** One GET /healthz; true on 200. The certificate is self-signed: only "does it answer" is asked here. */
function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { rejectUnauthorized: false, agent: false, timeout: 1000 };
    const req = (url.startsWith('https:') ? https : http).get(`${url}/healthz`, options, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  readonly url: string;
  readonly pid: number;
  /** From spawn to the first 200 from /healthz. */
  readonly readyMs: number;
}

/** Starts `gatehouse serve`, waits until /healthz answers, runs `body`, then stops it (SIGTERM, by its pid). */
async function withServer<T>(
  dataDir: string,
  configFile: string,
  tls: boolean,
  body: (server: Running) => Promise<T>,
): Promise<T> {
  const host = tls ? lanAddress : '127.0.0.1';
  const port = await freePort(host);
  const url = `${tls ? 'https' : 'http'}://${host}:${port}`;
  const logFile = path.join(path.dirname(configFile), 'serve.log');
  const log = fs.openSync(logFile, 'a');
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, path.join(root, 'bin', 'gatehouse.js'), 'serve'], {
    cwd: root,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      ...extraEnv,
      GATEHOUSE_CONFIG: configFile,
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_LISTEN: `${host}:${port}`,
    },
  });
  fs.closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start gatehouse serve');
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const exit = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    // A measurement, not a test: polling is the way to see the moment it answers.
    for (;;) {
      if (exited()) throw new Error(`gatehouse serve exited before answering; see ${logFile}`);
      if (await healthy(url)) break;
      if (performance.now() - t0 > 30_000)
        throw new Error('gatehouse serve did not answer /healthz within 30 s');
      await sleep(10);
    }
    return await body({ url, pid, readyMs: performance.now() - t0 });
  } finally {
    // Only our own child, by its pid.
    if (!exited()) process.kill(pid, 'SIGTERM');
    const killer = setTimeout(() => {
      if (!exited()) process.kill(pid, 'SIGKILL');
    }, 10_000);
    await exit;
    clearTimeout(killer);
  }
}

function serveOnce(dataDir: string, configFile: string, tls: boolean): Promise<ServeRun> {
  return withServer(dataDir, configFile, tls, async ({ pid, readyMs }) => {
    const atReadyKb = statusKb(pid, 'VmRSS');
    await sleep(3000);
    const earlyKb = statusKb(pid, 'VmRSS');
    await sleep(Math.max(0, idleSeconds * 1000 - 3000));
    return { readyMs, atReadyKb, earlyKb, idleKb: statusKb(pid, 'VmRSS'), peakKb: statusKb(pid, 'VmHWM') };
  });
}

async function measureServe(): Promise<void> {
  const scenarios = [
    { name: 'HTTP on loopback, first start', tls: false, restart: false },
    ...(insideNetns
      ? [
          { name: 'HTTPS, first start (makes the certificate)', tls: true, restart: false },
          { name: 'HTTPS, restart (reuses the certificate)', tls: true, restart: true },
        ]
      : []),
  ];
  const results = new Map<string, ServeRun[]>(scenarios.map((s) => [s.name, []]));
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-footprint-'));
    try {
      const configFile = path.join(dir, 'config.json');
      fs.writeFileSync(configFile, await benchConfig());
      for (const s of scenarios) {
        // A restart reuses the previous scenario's data directory; a first start gets a fresh one.
        const dataDir = path.join(dir, s.restart ? 'data-https' : s.tls ? 'data-https' : 'data-http');
        const r = await serveOnce(dataDir, configFile, s.tls);
        results.get(s.name)?.push(r);
        console.error(
          `  run ${i + 1} ${s.name}: ready ${Math.round(r.readyMs)} ms, RSS ${mb(r.atReadyKb)} → ${mb(r.earlyKb)} → ${mb(r.idleKb)} MB, peak ${mb(r.peakKb)} MB`,
        );
      }
    } catch (e) {
      const log = path.join(dir, 'serve.log');
      if (fs.existsSync(log)) console.error(fs.readFileSync(log, 'utf8').slice(-4000));
      throw e;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    `\n### \`gatehouse serve\`, reachability on (${envLabel}node ${nodeFlags.join(' ') || '(no flags)'}; median of ${runs}, range)\n`,
  );
  console.log(
    `| scenario | ready (ms) | RSS at ready (MB) | RSS 3 s later (MB) | RSS after ${idleSeconds} s idle (MB) | peak RSS (MB) |`,
  );
  console.log(
    '| -------- | ---------- | ----------------- | ------------------ | ---------------------- | ------------- |',
  );
  for (const [name, rs] of results) {
    console.log(
      `| ${name} | ${range(
        rs.map((r) => r.readyMs),
        (n) => String(Math.round(n)),
      )} | ${range(
        rs.map((r) => r.atReadyKb),
        mb,
      )} | ${range(
        rs.map((r) => r.earlyKb),
        mb,
      )} | ${range(
        rs.map((r) => r.idleKb),
        mb,
      )} | ${range(
        rs.map((r) => r.peakKb),
        mb,
      )} |`,
    );
  }
}

// ---- 3. under load -------------------------------------------------------------------------------------------

interface LoadRun {
  readonly requests: number;
  readonly beforeKb: number;
  readonly endKb: number;
  readonly afterKb: number;
  readonly peakKb: number;
}

/** 32 clients on keep-alive connections, each sending the next request of the mix as soon as one is answered. */
async function hammer(url: string, seconds: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const end = performance.now() + seconds * 1000;
  let sent = 0;
  const request = (method: string, p: string, body?: string) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        `${url}${p}`,
        { method, agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => resolve());
      req.end(body);
    });
  const next = (n: number) => {
    switch (n % 5) {
      case 0:
        return request('GET', '/healthz');
      case 1:
        return request('GET', '/api/v1/status');
      case 2:
        return request(
          'POST',
          '/api/v1/auth/login',
          JSON.stringify({ username: `bench-${n % 1000}`, password: `not-the-password-${n}` }),
        );
      case 3:
        return request('GET', '/api/v1/openapi.json');
      default:
        return request('GET', `/no/such/page/${n}`);
    }
  };
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (performance.now() < end) await next(sent++);
    }),
  );
  agent.destroy();
  return sent;
}

async function measureLoad(): Promise<void> {
  const results: LoadRun[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-footprint-'));
    try {
      const configFile = path.join(dir, 'config.json');
      fs.writeFileSync(configFile, await benchConfig());
      const r = await withServer(path.join(dir, 'data'), configFile, false, async ({ url, pid }) => {
        await sleep(3000);
        const beforeKb = statusKb(pid, 'VmRSS');
        const requests = await hammer(url, loadSeconds);
        const endKb = statusKb(pid, 'VmRSS');
        await sleep(20_000);
        return { requests, beforeKb, endKb, afterKb: statusKb(pid, 'VmRSS'), peakKb: statusKb(pid, 'VmHWM') };
      });
      results.push(r);
      console.error(
        `  load run ${i + 1}: ${Math.round(r.requests / loadSeconds)} req/s, RSS ${mb(r.beforeKb)} → ${mb(r.endKb)} → ${mb(r.afterKb)} MB, peak ${mb(r.peakKb)} MB`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    `\n### Under load for ${loadSeconds} s (${envLabel}node ${nodeFlags.join(' ') || '(no flags)'}; median of ${runs}, range)\n`,
  );
  console.log('| requests/s | RSS before (MB) | RSS at the end (MB) | RSS 20 s later (MB) | peak RSS (MB) |');
  console.log('| ---------- | --------------- | ------------------- | ------------------- | ------------- |');
  console.log(
    `| ${range(
      results.map((r) => r.requests / loadSeconds),
      (n) => String(Math.round(n)),
    )} | ${range(
      results.map((r) => r.beforeKb),
      mb,
    )} | ${range(
      results.map((r) => r.endKb),
      mb,
    )} | ${range(
      results.map((r) => r.afterKb),
      mb,
    )} | ${range(
      results.map((r) => r.peakKb),
      mb,
    )} |`,
  );
}

console.log(
  `footprint of ${root} on ${os.cpus().length} cores, Node ${process.version}${insideNetns ? ', in a network namespace of its own' : ''}`,
);
const part = (name: string) => values.only === undefined || values.only === name;
if (part('imports')) measureImports();
if (part('serve')) await measureServe();
if (loadSeconds > 0 && part('load')) await measureLoad();

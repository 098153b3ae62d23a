// Benchmark (not a test): the peers API and the Peers page with 1,000 peers (issue 11; goal: the API ≤ 300 ms).
//   Starts the real Gatehouse on 127.0.0.1:0 with a CommandRunner that runs nothing (every program "not installed",
//   as test/browser/wireguard-ui.test.ts does), so no WireGuard interface and no nft table is ever made; sets up and
//   logs in through the UI in Chromium, adds a few services, 1,000 peers (HTTP POSTs) and grants, then times:
//   - GET /api/v1/wireguard/peers over HTTP with the session cookie;
//   - the Peers page: from page.goto('#/peers') until the 1,000th row is visible, as a full page load and as a
//     same-document navigation from the dashboard (what a click on the nav link does);
//   - one live refresh (the page asks again every 5 s): a peer is renamed through the API, then from the start of the
//     poll request that brings the new name (Resource Timing) until its row is in the DOM (MutationObserver);
//   - the page's JS heap after render (CDP Performance.getMetrics).
// Usage: npm run bench:wireguard-page [-- --peers 1000] [--runs 10]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../../src/config/index.js';
import type { CommandRunner } from '../../src/core/runner.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import {
  builtWebRoot,
  chromiumMissing,
  launchChromium,
  repoRoot,
  setUpThroughUi,
  tempDir,
} from '../../test/browser/support.js';

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '10' },
  },
});
const peerCount = Number(values.peers);
const runs = Number(values.runs);
if (chromiumMissing) {
  console.error(`bench: ${chromiumMissing}`);
  process.exit(1);
}

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};
const row = (label: string, xs: readonly number[], digits = 0) => {
  const s = sorted(xs);
  const f = (n: number | undefined) => (n ?? NaN).toFixed(digits).padStart(7);
  return `| ${label.padEnd(60)} | ${f(median(xs))} | ${f(s[0])} | ${f(s.at(-1))} |`;
};

/** Records every command and runs none: each program is "not installed" (no interface, no nft table). */
function refusingRunner(): CommandRunner & { readonly calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run(argv) {
      calls.push([...argv]);
      const program = argv[0];
      return Promise.resolve({
        ok: false,
        error: { kind: 'not-found', program, message: `${program} is not installed (benchmark)` },
      });
    },
  };
}

/** Unique per run; never created (the runner runs nothing), but a real name would be global to the machine. */
const interfaceName = `ghbp${process.pid.toString(36)}`.slice(0, 15);
const runner = refusingRunner();
const serverLog: string[] = [];
let dataDir: string | undefined;
let buildDir: string | undefined;
let gatehouse: Gatehouse | undefined;
let browser: Browser | undefined;

async function main(): Promise<void> {
  dataDir = tempDir('gatehouse-bench-wgpage-');
  buildDir = tempDir('gatehouse-bench-web-');
  const webRoot = await builtWebRoot(buildDir);
  const config = loadConfig({
    flags: { dataDir, listen: '127.0.0.1:0', logLevel: 'warn', config: 'gatehouse.json' },
    env: { GATEHOUSE_REACHABILITY: 'off' },
    cwd: repoRoot,
    readFile: (file) =>
      path.basename(file) === 'gatehouse.json'
        ? JSON.stringify({
            // A /22 pool: the default /24 has room for 253 peers only.
            wireguard: {
              interface: interfaceName,
              endpointHost: 'home.example.test',
              pool: { ipv4: '10.8.0.0/22' },
            },
            exposure: { lanRanges: ['10.10.0.0/24'] },
          })
        : undefined,
  });
  if (!config.ok) throw new Error(config.error.message);
  gatehouse = await startGatehouse(config.value, {
    webRoot,
    processMetrics: false,
    ports: { runner },
    logDestination: { write: (line: string) => void serverLog.push(line) },
  });
  const base = gatehouse.server.url;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await setUpThroughUi(
    page,
    { url: base, dataDir },
    { username: 'admin', password: 'bench password 1000 peers' },
  );

  // The session, for requests from this process (plain fetch, no browser in the way).
  const cookie = (await context.cookies(base)).map((c) => `${c.name}=${c.value}`).join('; ');
  const session = (await (await fetch(`${base}/api/v1/auth/session`, { headers: { cookie } })).json()) as {
    csrfToken: string;
  };
  const api = async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}/api/v1${route}`, {
      method,
      headers: { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  };

  // --- Seed: 3 services, 1,000 peers (4 POSTs at a time), grants for 3 groups.
  const services = ['nas', 'camera', 'printer'];
  for (const [i, name] of services.entries()) {
    await api('POST', '/wireguard/services', {
      name,
      host: `10.10.0.${10 + i}`,
      protocol: 'tcp',
      port: '443',
    });
  }
  const seedStart = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < peerCount) {
      const i = next++;
      await api('POST', '/wireguard/peers', {
        name: `peer-${String(i).padStart(4, '0')}`,
        groups: [`g${i % 3}`],
        services: i % 10 === 0 ? [services[i % services.length]] : [],
      });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  const seedMs = performance.now() - seedStart;
  const serviceIds = (
    (await api('GET', '/wireguard/services')) as { services: { id: string }[] }
  ).services.map((s) => s.id);
  const current = (await api('GET', '/wireguard/grants')) as { grants: unknown[] };
  await api('PUT', '/wireguard/grants', {
    grants: [
      ...current.grants,
      ...serviceIds.map((serviceId, i) => ({ subject: { kind: 'group', group: `g${i}` }, serviceId })),
    ],
  });

  // --- (a) The peers API over HTTP.
  const apiMs: number[] = [];
  let apiBytes = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/v1/wireguard/peers`, { headers: { cookie } });
    const text = await res.text();
    apiMs.push(performance.now() - t0);
    const n = (JSON.parse(text) as { peers: unknown[] }).peers.length;
    if (n !== peerCount) throw new Error(`the API listed ${n} peers, not ${peerCount}`);
    apiBytes = Buffer.byteLength(text);
  }

  // --- (b) The page: from goto('#/peers') until the last row is visible; the JS heap after it.
  const lastRow = page.getByTestId(`peer-peer-${String(peerCount - 1).padStart(4, '0')}`);
  const rows = page.getByTestId('wg-peers').locator('tbody tr');
  const renderMs: number[] = [];
  const coldMs: number[] = [];
  const heapMb: number[] = [];
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  // Cold: a full page load of the app straight onto #/peers (boot, session check, then the page's requests).
  for (let r = 0; r < runs; r++) {
    await page.goto('about:blank');
    const t0 = performance.now();
    await page.goto(`${base}/#/peers`);
    await lastRow.waitFor({ state: 'visible' });
    coldMs.push(performance.now() - t0);
  }
  // In the app: from the dashboard, goto('#/peers') is a same-document navigation (like a click on the nav link).
  const navRequestMs: number[] = [];
  const navAfterResponseMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    await page.goto(`${base}/#/`);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.evaluate('performance.setResourceTimingBufferSize(10000); performance.clearResourceTimings()');
    const t0 = performance.now();
    await page.goto(`${base}/#/peers`);
    await lastRow.waitFor({ state: 'visible' });
    renderMs.push(performance.now() - t0);
    // Where it went, by the page's clock: the peers request, then from its response end until now (an upper
    // bound: it includes one round trip to the browser after the row was seen).
    const split = await page.evaluate<{ request: number; after: number } | null>(`(() => {
      const at = performance.now();
      const e = performance.getEntriesByType('resource')
        .filter((x) => new URL(x.name).pathname === '/api/v1/wireguard/peers')[0];
      return e ? { request: e.responseEnd - e.startTime, after: at - e.responseEnd } : null;
    })()`);
    if (split) {
      navRequestMs.push(split.request);
      navAfterResponseMs.push(split.after);
    }
    const count = await rows.count();
    if (count !== peerCount) throw new Error(`the page shows ${count} rows, not ${peerCount}`);
    await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
    const { metrics } = await cdp.send('Performance.getMetrics');
    const used = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    heapMb.push(used / 2 ** 20);
  }

  // --- (c) One live refresh: rename a peer via the API; time from the start of the poll request that carries the
  // new name until its row is in the DOM. The page is already on #/peers with every row shown.
  const refreshTotalMs: number[] = [];
  const refreshFetchMs: number[] = [];
  const refreshRenderMs: number[] = [];
  const peers = ((await api('GET', '/wireguard/peers')) as { peers: { id: string; name: string }[] }).peers;
  for (let r = 0; r < runs; r++) {
    const target = peers[(r * 97) % peers.length];
    if (!target) throw new Error('no peer to rename');
    const newName = `renamed-${r}`;
    const waiting = page.evaluate<{
      total: number;
      fetch: number;
      render: number;
    } | null>(`new Promise((resolve, reject) => {
      performance.setResourceTimingBufferSize(10000);
      performance.clearResourceTimings();
      const sel = '[data-testid="peer-${newName}"]';
      const done = () => {
        const at = performance.now();
        const entries = performance.getEntriesByType('resource')
          .filter((e) => new URL(e.name).pathname === '/api/v1/wireguard/peers' && e.responseEnd <= at);
        const e = entries[entries.length - 1];
        resolve(e ? { total: at - e.startTime, fetch: e.responseEnd - e.startTime, render: at - e.responseEnd } : null);
      };
      const obs = new MutationObserver(() => {
        if (document.querySelector(sel)) { obs.disconnect(); done(); }
      });
      obs.observe(document.body, { childList: true, subtree: true, attributes: true });
      setTimeout(() => { obs.disconnect(); reject(new Error('no refresh within 20 s')); }, 20000);
    })`);
    // The observer is installed before the rename (evaluate has started; give it a tick to attach).
    await page.evaluate('0');
    await api('PATCH', `/wireguard/peers/${target.id}`, { name: newName });
    const m = await waiting;
    if (!m) throw new Error('no peers request found for the refresh');
    refreshTotalMs.push(m.total);
    refreshFetchMs.push(m.fetch);
    refreshRenderMs.push(m.render);
    await api('PATCH', `/wireguard/peers/${target.id}`, { name: target.name });
  }

  console.log(
    `\n${peerCount} peers seeded in ${(seedMs / 1000).toFixed(1)} s (${(seedMs / peerCount).toFixed(1)} ms per POST, 4 at a time); ` +
      `GET /api/v1/wireguard/peers = ${(apiBytes / 1024).toFixed(0)} KiB; ${runs} runs each\n`,
  );
  console.log(`| ${'measure'.padEnd(60)} | median  |   min   |   max   |`);
  console.log(`| ${'-'.repeat(60)} | ------- | ------- | ------- |`);
  console.log(row('API: GET /api/v1/wireguard/peers, HTTP (ms)', apiMs));
  console.log(row(`page, full load of /#/peers until row ${peerCount} visible (ms)`, coldMs));
  console.log(row(`page, #/ → #/peers in the app until row ${peerCount} visible (ms)`, renderMs));
  console.log(row('  of which the peers request (Resource Timing) (ms)', navRequestMs));
  console.log(row('  of which response end → row seen (+1 CDP round trip) (ms)', navAfterResponseMs));
  console.log(row('live refresh: poll request start → new row in DOM (ms)', refreshTotalMs));
  console.log(row('  of which the request (Resource Timing) (ms)', refreshFetchMs));
  console.log(row('  of which response end → DOM updated (ms)', refreshRenderMs));
  console.log(row('JS heap used after render, after a GC (MiB)', heapMb, 1));
  const commands = new Set(runner.calls.map((c) => c[0]));
  console.log(`\ncommands asked for (none ran): ${[...commands].join(', ') || 'none'}`);
}

async function cleanUp(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await gatehouse?.stop().catch(() => undefined);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
}

try {
  await main();
} catch (e) {
  console.error('bench failed:', e);
  const tail = serverLog.slice(-20).join('');
  if (tail) console.error(`server log (last lines):\n${tail}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

// Benchmark (not a test): time from a public address change to the new address accepted by a running server,
// event-driven (the box's own interface changes: `ip monitor address`; the router announces its WAN change by
// UPnP GENA) and by the STUN backstop (the router's WAN changes: nothing on the box notices); and how long each
// router protocol (PCP, NAT-PMP, UPnP) takes to give up where nothing answers it. Needs root.
// Usage: npm run bench:reachability [-- --runs N --backstop S --router-timeout MS --router-only
//        --paths interface,router,backstop,silence --quiet S]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { addr, gatehouseReachabilityConfig, ports, type Scenario } from '../../test/testbed/plan.js';
import { Testbed, unavailableReason, waitFor } from '../../test/testbed/testbed.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    backstop: { type: 'string', default: '30' },
    // The router clients' production limit (src/reach/router/index.ts).
    'router-timeout': { type: 'string', default: '2000' },
    'router-only': { type: 'boolean', default: false },
    // Which measurements to run (default all); --router-only is short for --paths silence.
    paths: { type: 'string', default: 'interface,router,backstop,silence' },
    // Seconds to wait after each accepted change before the next one (0: back to back). Real changes come hours
    // apart; back to back, the router events of one change spend the budget of router-event probes of the next.
    quiet: { type: 'string', default: '0' },
  },
});
const paths = new Set((values['router-only'] ? 'silence' : values.paths).split(',').map((p) => p.trim()));
const runs = Number(values.runs);
const backstop = Number(values.backstop);
const routerTimeoutMs = Number(values['router-timeout']);
const quietMs = Number(values.quiet) * 1000;
const reason = unavailableReason();
if (reason) {
  console.error(`bench: ${reason}`);
  process.exit(1);
}

async function measure(
  scenario: Scenario,
  addresses: [string, string],
  change: (bed: Testbed, address: string) => Promise<void> = (bed, a) => bed.setPublicAddress(a),
  backstopSeconds = backstop,
): Promise<number[]> {
  const bed = await Testbed.up(scenario);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const times: number[] = [];
  try {
    fs.writeFileSync(path.join(dir, 'config.json'), gatehouseReachabilityConfig({ backstopSeconds }));
    const current = () => {
      try {
        const s = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'gatehouse.json'), 'utf8')) as {
          reachability: { current: { ipv4: string | null } };
        };
        return s.reachability.current.ipv4;
      } catch {
        return null;
      }
    };
    const server = bed.spawnGatehouse(path.join(dir, 'config.json'), path.join(dir, 'data'));
    await waitFor(
      'first address',
      () => Promise.resolve(current() === addresses[0] ? true : undefined),
      30_000,
    );
    for (let i = 0; i < runs; i++) {
      const next = addresses[(i + 1) % 2] ?? addresses[0];
      const t0 = performance.now();
      await change(bed, next);
      await waitFor(
        'new address',
        () => Promise.resolve(current() === next ? true : undefined),
        (Math.min(backstopSeconds, 60) * 1.3 + 15) * 1000,
      );
      times.push(performance.now() - t0);
      console.error(`  ${scenario} run ${i + 1}: ${next} accepted after ${Math.round(times.at(-1) ?? 0)} ms`);
      if (quietMs > 0) await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
    process.kill(server.pid, 'SIGTERM');
  } finally {
    await bed.down();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return times;
}

const routerProtocols = ['pcp', 'natpmp', 'upnp', 'upnpConfigured'] as const;

/**
 * In `nat` (the router runs no miniupnpd): the time each router protocol takes to report "unavailable", as
 * test/testbed/router-probe.ts measures it inside gw, and the whole probe process (node start-up included).
 */
async function measureRouterSilence(): Promise<
  Record<(typeof routerProtocols)[number] | 'process', number[]>
> {
  const bed = await Testbed.up('nat');
  const times: Record<(typeof routerProtocols)[number] | 'process', number[]> = {
    pcp: [],
    natpmp: [],
    upnp: [],
    upnpConfigured: [],
    process: [],
  };
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = await bed.node('gw', 'test/testbed/router-probe.ts', [
        'address',
        '--timeout',
        String(routerTimeoutMs),
        '--description-url',
        `http://${addr.routerLan}:${ports.upnpHttp}/rootDesc.xml`,
      ]);
      times.process.push(performance.now() - t0);
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as Record<
        string,
        { kind?: string; ms?: number } | undefined
      >;
      for (const protocol of routerProtocols) {
        const answer = out[protocol];
        if (answer?.kind !== 'unavailable' || answer.ms === undefined)
          throw new Error(
            `router probe: ${protocol} answered ${JSON.stringify(answer)} where nothing should`,
          );
        times[protocol].push(answer.ms);
      }
    }
  } finally {
    await bed.down();
  }
  return times;
}

/** Min, median (the upper one of an even count) and max, then every run in order of size. */
const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${Math.round(s[0] ?? 0)} ms, median ${Math.round(s[Math.floor(s.length / 2)] ?? 0)} ms, max ${Math.round(s.at(-1) ?? 0)} ms (${s.length} runs: ${s.map((x) => Math.round(x)).join(', ')})`;
};
const quietLabel = quietMs > 0 ? `; ${quietMs / 1000} s quiet before each change` : '; changes back to back';
if (paths.has('interface')) {
  console.log(
    `event-driven (public, interface address change${quietLabel}): ${fmt(await measure('public', [addr.gwPublic, '203.0.113.35']))}`,
  );
}
if (paths.has('router')) {
  console.log(
    `event-driven (nat-upnp, router WAN renumbered, router events (UPnP GENA, NAT-PMP / PCP announcements); backstop 1 h${quietLabel}): ${fmt(
      await measure('nat-upnp', [addr.routerWan, '203.0.113.3'], (bed, a) => bed.renumberRouterWan(a), 3600),
    )}`,
  );
}
if (paths.has('backstop')) {
  console.log(
    `STUN backstop ${backstop} s ±20 % (nat, router WAN change): ${fmt(await measure('nat', [addr.routerWan, '203.0.113.3']))}`,
  );
}
if (paths.has('silence')) {
  const silence = await measureRouterSilence();
  console.log(`router protocols where nothing answers (nat, limit ${routerTimeoutMs} ms):`);
  for (const [what, times] of Object.entries(silence)) console.log(`  ${what.padEnd(14)} ${fmt(times)}`);
}

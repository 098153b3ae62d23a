// Benchmark (not a test): how long the network test bed takes to come up in each scenario, and to switch.
// Needs root. Usage: npm run bench:testbed [-- --runs N]
import { parseArgs } from 'node:util';
import { scenarios } from '../../test/testbed/plan.js';
import { Testbed, unavailableReason } from '../../test/testbed/testbed.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const reason = unavailableReason();
if (reason) {
  console.error(`bench: ${reason}`);
  process.exit(1);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s[Math.floor(s.length / 2)] ?? 0;
  return `min ${Math.round(s[0] ?? 0)} ms, median ${Math.round(median)} ms, max ${Math.round(s.at(-1) ?? 0)} ms`;
};

console.log(
  `test bed up, ${runs} runs per scenario (topology + coturn + BIND + pebble + LAN services + scenario):`,
);
for (const scenario of scenarios) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const bed = await Testbed.up(scenario);
    times.push(performance.now() - t0);
    await bed.down();
  }
  console.log(`  ${scenario.padEnd(12)} ${stats(times)}`);
}

const bed = await Testbed.up('nat');
try {
  const switches: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    for (const scenario of scenarios) {
      const t0 = performance.now();
      await bed.setScenario(scenario);
      (switches[scenario] ??= []).push(performance.now() - t0);
    }
  }
  console.log('scenario switch on a running bed:');
  for (const [scenario, times] of Object.entries(switches))
    console.log(`  ${scenario.padEnd(12)} ${stats(times)}`);
} finally {
  await bed.down();
}

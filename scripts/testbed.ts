// The network test bed by hand: `npm run testbed -- up --scenario cgnat`, `... scenario nat`, `... down [--all]`.
// Needs root. See README ("End-to-end tests") and test/testbed/plan.ts for the topology.
import { parseArgs } from 'node:util';
import { isScenario, scenarios } from '../test/testbed/plan.js';
import { Testbed, unavailableReason, workRoot } from '../test/testbed/testbed.js';
import fs from 'node:fs';
import path from 'node:path';

const usage = `usage: npm run testbed -- <command>
  up [--scenario NAME]   build the bed and leave it running (default scenario: nat)
  down [--all]           tear down the bed started by "up" (--all: every bed left on this machine)
  status                 list running beds
scenarios: ${scenarios.join(', ')}`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { scenario: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
const command = positionals[0];
const current = path.join(workRoot, 'current');

if (values.help || command === undefined) {
  console.log(usage);
  process.exit(command === undefined && !values.help ? 2 : 0);
}

const reason = unavailableReason();
if (reason && command !== 'status') {
  console.error(`testbed: ${reason}`);
  process.exit(1);
}

switch (command) {
  case 'up': {
    const scenario = values.scenario ?? 'nat';
    if (!isScenario(scenario)) {
      console.error(`testbed: unknown scenario "${scenario}"\n${usage}`);
      process.exit(2);
    }
    const started = performance.now();
    const bed = await Testbed.up(scenario, { detached: true });
    fs.writeFileSync(current, bed.names.runId);
    console.log(
      `test bed ${bed.names.runId} up in scenario ${scenario} (${Math.round(performance.now() - started)} ms)`,
    );
    for (const [role, ns] of Object.entries(bed.names.ns))
      console.log(`  ${role.padEnd(6)} ip netns exec ${ns} …`);
    console.log(`  public address seen by the internet: ${bed.expectedPublicAddress}`);
    console.log(`  TSIG key for ${bed.zone}: hmac-sha256:${bed.tsigKeyName}:${bed.tsigSecret}`);
    console.log(`  ACME directory: ${bed.acmeDirectoryUrl} (CA: ${bed.pebbleListenerCaFile})`);
    console.log('  tear down with: npm run testbed -- down');
    process.exit(0);
    break;
  }
  case 'down': {
    if (values.all) {
      const removed = await Testbed.downAll();
      console.log(removed.length > 0 ? `removed: ${removed.join(', ')}` : 'nothing to remove');
    } else {
      const runId = fs.existsSync(current) ? fs.readFileSync(current, 'utf8').trim() : undefined;
      if (!runId) {
        console.error(
          'testbed: no bed started by "up" is recorded; use "down --all" to remove any leftovers',
        );
        process.exit(1);
      }
      await Testbed.downRun(runId);
      fs.rmSync(current, { force: true });
      console.log(`removed ${runId}`);
    }
    break;
  }
  case 'status': {
    const runs = fs.existsSync(workRoot)
      ? fs.readdirSync(workRoot).filter((d) => /^[a-z0-9]{4,8}$/.test(d))
      : [];
    console.log(runs.length > 0 ? runs.map((r) => `bed ${r}`).join('\n') : 'no test bed running');
    break;
  }
  default:
    console.error(`testbed: unknown command "${command}"\n${usage}`);
    process.exit(2);
}

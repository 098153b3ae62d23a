/**
 * @module Stops and restarts the bed's BIND (named) for the DDNS e2e tests, from outside the Testbed class: the
 * named process is found among the inet namespace's own processes (started by this bed) and ended by its PID;
 * it comes back with the same configuration, zone file and journal, tracked by the bed for teardown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import { addr } from './plan.js';
import { alive, TestbedError, waitFor, type Testbed } from './testbed.js';

/** PIDs of named inside this bed's inet namespace. */
async function namedPids(bed: Testbed): Promise<number[]> {
  const r = await createChildProcessRunner().run(['ip', 'netns', 'pids', bed.ns('inet')], {
    timeoutMs: 10_000,
  });
  if (!r.ok) throw new TestbedError(r.error.message);
  const listed = r.value.stdout.split('\n').filter(Boolean).map(Number);
  return listed.filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'named';
    } catch {
      return false;
    }
  });
}

/** Ends the bed's named (SIGTERM, by PID) and waits until it is gone and port 53 is closed. */
export async function stopNamed(bed: Testbed): Promise<void> {
  const pids = await namedPids(bed);
  if (pids.length === 0) throw new TestbedError('named is not running in the bed');
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  await waitFor('named to exit', () => Promise.resolve(pids.some(alive) ? undefined : true), 10_000);
}

/** Starts named again with the bed's configuration and waits until it answers for the zone. */
export async function startNamed(bed: Testbed): Promise<void> {
  const conf = path.join(bed.dir, 'named', 'named.conf');
  bed.spawn('inet', 'named-again', ['named', '-g', '-c', conf]);
  await waitFor('BIND answering again', async () => {
    const r = await bed.exec('inet', [
      'dig',
      '+short',
      '+time=1',
      '+tries=1',
      `@${addr.dns}`,
      bed.zone,
      'SOA',
    ]);
    return r.exitCode === 0 && r.stdout.includes('hostmaster') ? true : undefined;
  });
}

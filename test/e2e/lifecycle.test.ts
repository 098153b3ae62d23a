// The bed always cleans up after itself, and a bed left by a crashed run can be removed afterwards.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import { Testbed } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('testbed lifecycle');
const runner = createChildProcessRunner();

async function namespaces(): Promise<string[]> {
  const r = await runner.run(['ip', 'netns', 'list']);
  return r.ok
    ? r.value.stdout
        .split('\n')
        .map((l) => l.split(' ')[0] ?? '')
        .filter(Boolean)
    : [];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(skip !== undefined)('test bed lifecycle', () => {
  it('two beds run side by side without colliding, and each teardown removes only its own', async () => {
    const a = await Testbed.up('nat');
    const b = await Testbed.up('cgnat');
    try {
      expect(a.names.runId).not.toBe(b.names.runId);
      const [pa, pb] = await Promise.all([
        a.stunProbe('gw', ['203.0.113.65:3478']),
        b.stunProbe('gw', ['203.0.113.65:3478']),
      ]);
      expect(pa.results[0]?.mapped?.address).toBe('203.0.113.2');
      expect(pb.results[0]?.mapped?.address).toBe('203.0.113.18');
    } finally {
      await a.down();
    }
    const left = await namespaces();
    expect(left.filter((n) => n.includes(a.names.runId))).toEqual([]);
    expect(left.filter((n) => n.includes(b.names.runId))).toHaveLength(6);
    await b.down();
    expect((await namespaces()).filter((n) => n.includes(b.names.runId))).toEqual([]);
  }, 60_000);

  it('down --all removes a bed whose owner died without tearing down (processes, namespaces, files)', async () => {
    const orphan = await Testbed.up('nat', { detached: true });
    const state = JSON.parse(fs.readFileSync(`${orphan.dir}/state.json`, 'utf8')) as {
      processes: { pid: number }[];
    };
    const pids = state.processes.map((p) => p.pid);
    expect(pids.length).toBeGreaterThanOrEqual(4);
    // Forget the object, as a crashed run would, then clean up by run id from the saved state.
    const removed = await Testbed.downAll({ only: [orphan.names.runId] });
    expect(removed).toEqual([orphan.names.runId]);
    expect((await namespaces()).filter((n) => n.includes(orphan.names.runId))).toEqual([]);
    expect(pids.filter(alive)).toEqual([]);
    expect(fs.existsSync(orphan.dir)).toBe(false);
    expect(fs.existsSync(`/etc/netns/${orphan.ns('gw')}`)).toBe(false);
  }, 60_000);
});

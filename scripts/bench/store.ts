// Benchmark (not a test): what one settings write costs (a document change plus one audit event, fsynced, as
// SettingsService does it) with 0, 10,000 and 100,000 audit events already recorded. With the events in
// append-only log segments the cost must not depend on how many there are. `--old` measures the same write with
// the events inside the document instead (store version 3 and before), for comparison.
// Usage: npm run bench:store [-- --writes 200 --old --old-writes 20 --dir /var/tmp]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { auditEventSchema, auditLog, auditSlice } from '../../src/audit/event.js';
import { appendAudit } from '../../src/audit/record.js';
import { createAuditTypeRegistry } from '../../src/audit/registry.js';
import { systemClock } from '../../src/core/clock.js';
import { defineStore } from '../../src/store/define-store.js';
import { withLimits } from '../../src/store/log.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { storeMigrations } from '../../src/store/migrations.js';
import { defineSlice } from '../../src/store/slice.js';
import { alertsSlice } from '../../src/store/slices/alerts.js';
import { authSlice } from '../../src/store/slices/auth.js';
import { reachabilitySlice } from '../../src/store/slices/reachability.js';
import { settingsSlice } from '../../src/store/slices/settings.js';

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '200' },
    old: { type: 'boolean', default: false },
    'old-writes': { type: 'string', default: '20' },
    dir: { type: 'string', default: os.tmpdir() },
  },
});
const writes = Number(values.writes);
const oldWrites = Number(values['old-writes']);
const sizes = [0, 10_000, 100_000];

const registry = createAuditTypeRegistry();
registry.registerAuditTypes('settings', { 'settings.changed': 'An admin changed the instance settings' });
registry.registerAuditTypes('bench', { 'bench.seed': 'An event recorded before the measurement' });

// The real slices, with an audit retention long enough to hold 100,000 events (the product keeps 10,000).
const current = defineStore(
  [
    authSlice,
    settingsSlice,
    reachabilitySlice,
    alertsSlice,
    defineSlice({ ...auditSlice, logs: [withLimits(auditLog, { records: 1_000_000 })] }),
  ],
  storeMigrations,
);
// Version 3's layout: every audit event inside the document (no logs).
const inDocument = defineStore(
  [
    authSlice,
    settingsSlice,
    defineSlice({
      owner: 'audit',
      shape: { audit: z.array(auditEventSchema) },
      empty: () => ({ audit: [] as z.infer<typeof auditEventSchema>[] }),
    }),
  ],
  [],
);

const seedEvent = (i: number) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  type: 'bench.seed',
  actor: 'admin',
  clientAddress: '198.51.100.20',
  outcome: 'failure' as const,
  details: { reason: 'wrong password', username: 'admin' },
});
const input = {
  type: 'settings.changed',
  actor: 'admin',
  clientAddress: '198.51.100.20',
  outcome: 'success' as const,
};

function stats(ms: number[]): { median: number; p95: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { median: at(0.5), p95: at(0.95) };
}

function diskBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

async function measureLogs(events: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(values.dir, 'gatehouse-bench-store-'));
  try {
    const { store } = await openLowdbStore(dir, systemClock, {
      definition: current,
      checkRecord: registry.checkRecord,
    });
    for (let start = 0; start < events; start += 10_000) {
      await store.update((_d, tx) => {
        for (let i = start; i < Math.min(events, start + 10_000); i++) tx.append('audit', seedEvent(i));
      });
    }
    // A fresh open, as after a restart: only the newest segment is read.
    const t0 = performance.now();
    const reopened = (await openLowdbStore(dir, systemClock, { definition: current })).store;
    const openMs = performance.now() - t0;
    const ms: number[] = [];
    for (let i = 0; i < writes; i++) {
      const t = performance.now();
      await reopened.update((d, tx) => {
        d.settings.instanceName = `bench ${i}`;
        appendAudit(tx, new Date(), input);
      });
      ms.push(performance.now() - t);
    }
    if (reopened.log('audit').count() !== events + writes) throw new Error('events went missing');
    const { median, p95 } = stats(ms);
    const documentBytes = fs.statSync(reopened.location).size;
    return `| ${events.toLocaleString('en')} | ${median.toFixed(2)} | ${p95.toFixed(2)} | ${openMs.toFixed(0)} | ${(documentBytes / 1024).toFixed(1)} KiB | ${(diskBytes(dir) / 1048576).toFixed(1)} MiB |`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function measureInDocument(events: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(values.dir, 'gatehouse-bench-store-old-'));
  try {
    const { store } = await openLowdbStore(dir, systemClock, { definition: inDocument });
    await store.update((d) => {
      for (let i = 0; i < events; i++) d.audit.push(seedEvent(i));
    });
    const ms: number[] = [];
    for (let i = 0; i < oldWrites; i++) {
      const t = performance.now();
      await store.update((d) => {
        d.settings.instanceName = `bench ${i}`;
        d.audit.push({ ...seedEvent(events + i), ...input, details: {} });
      });
      ms.push(performance.now() - t);
    }
    const { median, p95 } = stats(ms);
    return `| ${events.toLocaleString('en')} (in the document) | ${median.toFixed(2)} | ${p95.toFixed(2)} | | ${(fs.statSync(store.location).size / 1048576).toFixed(1)} MiB | |`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `One settings write (document change + one audit event), ${writes} writes per row, in ${values.dir}:\n`,
);
console.log('| audit events present | median ms | p95 ms | open ms | document | on disk |');
console.log('|---|---|---|---|---|---|');
for (const events of sizes) console.log(await measureLogs(events));
if (values.old) {
  console.log(
    `\nThe same write with the events inside the document (version 3 layout), ${oldWrites} writes per row:\n`,
  );
  console.log('| audit events present | median ms | p95 ms | | document | |');
  console.log('|---|---|---|---|---|---|');
  for (const events of sizes) console.log(await measureInDocument(events));
}

/** @module The store an offline CLI command writes to refuses the same audit types the server refuses. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/audit/record.js';
import { openOfflineStore } from '../../src/offline.js';
import { readAuditLog } from '../../src/audit/read.js';
import { testConfig } from '../support/config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('openOfflineStore', () => {
  it('accepts the core’s and the capabilities’ audit types and refuses one nobody registered', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-offline-'));
    dirs.push(dataDir);
    const store = await openOfflineStore(testConfig({ dataDir }));
    const now = new Date('2026-05-01T00:00:00Z');
    const record = (type: string) =>
      store.update((_d, tx) =>
        appendAudit(tx, now, { type, actor: 'local', clientAddress: 'local', outcome: 'success' }),
      );
    await record('password.reset');
    await record('alerts.channel-created');
    await expect(record('ddns.not-yet-a-thing')).rejects.toThrow(
      'audit type "ddns.not-yet-a-thing" is not registered',
    );
    expect(readAuditLog(store.log('audit')).map((e) => e.type)).toEqual([
      'password.reset',
      'alerts.channel-created',
    ]);
  });
});

/**
 * @module What a running `gatehouse serve` in the bed did with its DDNS records, read from outside it (each record's
 * state in the store file, the `ddns.history` log), and the control-socket calls that give it an account and a
 * record the way `gatehouse ddns provider add` / `record add` do (credentials through the secrets port).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { createControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import {
  ddnsHistoryLog,
  ddnsHistorySchema,
  ddnsRecordStateSchema,
  type DdnsHistoryEntry,
  type DdnsRecordState,
} from '../../src/ddns/slice.js';
import { logsDirName, storeFileName } from '../../src/store/lowdb-store.js';
import { TestbedError, waitFor } from './testbed.js';

const segmentName = /^\d{12}\.jsonl$/;

/**
 * The record's state as the store file holds it now, or undefined (no file yet, no state yet, or the file is being
 * replaced at this moment: the store writes it atomically, so a read either sees a whole document or none).
 */
export function readRecordState(dataDir: string, recordId: string): DdnsRecordState | undefined {
  let doc: { ddns?: { states?: unknown[] } };
  try {
    doc = JSON.parse(fs.readFileSync(path.join(dataDir, storeFileName), 'utf8')) as typeof doc;
  } catch {
    return undefined;
  }
  const raw = doc.ddns?.states?.find((s) => (s as { recordId?: unknown }).recordId === recordId);
  return raw === undefined ? undefined : ddnsRecordStateSchema.parse(raw);
}

/** Every `ddns.history` entry, oldest first; complete lines only (the last one may be being written). */
export function readDdnsHistory(dataDir: string): DdnsHistoryEntry[] {
  const dir = path.join(dataDir, logsDirName, ddnsHistoryLog.name);
  if (!fs.existsSync(dir)) return [];
  const entries: DdnsHistoryEntry[] = [];
  for (const name of fs
    .readdirSync(dir)
    .filter((n) => segmentName.test(n))
    .sort()) {
    const lines = fs.readFileSync(path.join(dir, name), 'utf8').split('\n').slice(0, -1);
    for (const line of lines) if (line !== '') entries.push(ddnsHistorySchema.parse(JSON.parse(line)));
  }
  return entries;
}

const created = z.looseObject({ id: z.string().min(1) });

/** The control socket of the server on `dataDir`, for the `gatehouse ddns` routes. */
export function ddnsControl(dataDir: string) {
  const client = createControlClient(controlSocketPath(dataDir), { timeoutMs: 20_000 });
  const post = async (route: string, body: unknown): Promise<{ id: string }> => {
    const r = await client.request('POST', `/v1/ddns/${route}`, created, body);
    if (r.kind !== 'ok') throw new TestbedError(`POST /v1/ddns/${route}: ${JSON.stringify(r)}`);
    return r.value;
  };
  return {
    /** Waits until the server answers on its control socket. */
    ready: () =>
      waitFor(
        'the control socket',
        async () => ((await client.probe()).kind === 'up' ? true : undefined),
        30_000,
      ),
    /** `gatehouse ddns provider add`: settings in the store, the secret fields through the secrets port. */
    addAccount: (input: {
      kind: string;
      name: string;
      settings: Record<string, unknown>;
      secrets: Record<string, string>;
    }) => post('accounts', input),
    /** `gatehouse ddns record add`; the server starts a run for it at once. */
    addRecord: (input: { hostname: string; type: 'A' | 'AAAA'; accountId: string; ttl?: number }) =>
      post('records', input),
  };
}

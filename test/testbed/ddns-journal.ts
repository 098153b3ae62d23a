/**
 * @module Evidence of every change the bed's BIND made to the test zone: its journal (the RFC 2136 updates it
 * applied, in order, as `named-journalprint` prints them), plus the control-socket call that adds a DDNS record
 * with a value source of its own (an IPv6 host behind the prefix, a fixed address), as `gatehouse ddns record add
 * --device-suffix` does.
 */
import path from 'node:path';
import { z } from 'zod';
import { createControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import { zoneName } from './plan.js';
import { TestbedError, type Testbed } from './testbed.js';

/** One record added to or deleted from the zone by an update, in journal order. */
export interface JournalChange {
  readonly op: 'add' | 'del';
  /** Owner name without the trailing dot, lowercase. */
  readonly name: string;
  readonly type: string;
  readonly value: string;
}

/** Parses `named-journalprint` output (`add home.example.test. 60 IN AAAA 2001:db8::1`); other lines are skipped. */
export function parseJournal(text: string): JournalChange[] {
  return text.split('\n').flatMap((line) => {
    const m = /^(add|del)\s+(\S+)\s+\d+\s+(?:IN|ANY|NONE)\s+(\S+)\s*(.*)$/.exec(line.trim());
    if (!m) return [];
    return [
      {
        op: m[1] === 'add' ? ('add' as const) : ('del' as const),
        name: (m[2] ?? '').replace(/\.$/, '').toLowerCase(),
        type: m[3] ?? '',
        value: (m[4] ?? '').trim(),
      },
    ];
  });
}

/**
 * Every change BIND journaled for the test zone since the bed started (empty before the first update: no journal
 * yet). Read inside the bed's inet namespace, where named runs.
 */
export async function zoneJournal(bed: Testbed): Promise<JournalChange[]> {
  const file = path.join(bed.dir, 'named', `${zoneName}.zone.jnl`);
  const r = await bed.exec('inet', ['named-journalprint', file]);
  if (r.exitCode !== 0) {
    if (/not found|no such file/i.test(r.stderr)) return [];
    throw new TestbedError(`named-journalprint failed (${r.exitCode}): ${r.stderr.trim()}`);
  }
  return parseJournal(r.stdout);
}

/** The values BIND was ever given for one name and type (the `add`s of the journal), in order. */
export function valuesAdded(changes: readonly JournalChange[], name: string, type: string): string[] {
  return changes.filter((c) => c.op === 'add' && c.name === name && c.type === type).map((c) => c.value);
}

/**
 * The journal cut into its transactions (one RFC 2136 update each): BIND opens each with the deletion of the old
 * SOA (the serial is bumped in every update).
 */
export function journalTransactions(changes: readonly JournalChange[]): JournalChange[][] {
  const out: JournalChange[][] = [];
  for (const c of changes) {
    if ((c.op === 'del' && c.type === 'SOA') || out.length === 0) out.push([]);
    out.at(-1)?.push(c);
  }
  return out;
}

/** Updates that removed the name's records of this type without giving it new ones: a moment it was blank. */
export function blankings(changes: readonly JournalChange[], name: string, type: string): JournalChange[][] {
  const ours = (c: JournalChange) => c.name === name && c.type === type;
  return journalTransactions(changes).filter(
    (t) => t.some((c) => c.op === 'del' && ours(c)) && !t.some((c) => c.op === 'add' && ours(c)),
  );
}

const created = z.looseObject({ id: z.string().min(1) });

export type RecordValue =
  | { readonly kind: 'public' }
  | { readonly kind: 'fixed'; readonly address: string }
  | { readonly kind: 'ipv6-host'; readonly suffix: string };

/** `gatehouse ddns record add` with its value source, over the server's control socket; the record's id. */
export async function addRecordWithValue(
  dataDir: string,
  input: {
    hostname: string;
    type: 'A' | 'AAAA';
    accountId: string;
    value: RecordValue;
    ttl?: number;
  },
): Promise<string> {
  const client = createControlClient(controlSocketPath(dataDir), { timeoutMs: 20_000 });
  const r = await client.request('POST', '/v1/ddns/records', created, input);
  if (r.kind !== 'ok') throw new TestbedError(`POST /v1/ddns/records: ${JSON.stringify(r)}`);
  return r.value.id;
}

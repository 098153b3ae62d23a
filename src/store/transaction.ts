/**
 * @module One update, staged: the change runs on a copy of the document, the records it appends are validated as
 * they are queued, the result is validated and serialized. Shared by every Store implementation, so they all keep
 * the same contract (store.ts); writing is theirs.
 */
import type { StoreDefinition } from './define-store.js';
import type { LogMap } from './log.js';
import { formatFirstIssue } from './migrations.js';
import type { Transaction } from './store.js';

/**
 * Checks a record before it is queued, beyond its log's schema (e.g. that an audit type is registered). Throws to
 * refuse it: that is a programming error, and it fails the update.
 */
export type RecordCheck = (log: string, record: unknown) => void;

export interface StagedUpdate<S, R> {
  readonly result: R;
  /** The validated document (zod's output: defaults filled in). */
  readonly state: S;
  /** The document as written to disk. */
  readonly text: string;
  /** The document differs from the committed one, so it must be written. */
  readonly changed: boolean;
  /** Records to append, by log, each list in call order. */
  readonly appends: ReadonlyMap<string, readonly unknown[]>;
}

export function serializeDocument(state: unknown): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

export function stageUpdate<S, L extends LogMap, R>(
  definition: StoreDefinition<S, L>,
  committed: { readonly state: S; readonly text: string },
  change: (draft: S, tx: Transaction<L>) => R,
  check?: RecordCheck,
): StagedUpdate<S, R> {
  const draft = structuredClone(committed.state);
  const appends = new Map<string, unknown[]>();
  let open = true;
  const tx: Transaction<L> = {
    append(log, record) {
      if (!open)
        throw new Error(`append to "${log}" after the update's change returned: use tx inside it only`);
      const definitionOfLog = definition.logs.get(log);
      if (!definitionOfLog) throw new Error(`the store has no log named "${log}"`);
      const parsed = definitionOfLog.schema.safeParse(record);
      if (!parsed.success) {
        throw new Error(`refusing an invalid ${log} record: ${formatFirstIssue(parsed.error)}`);
      }
      check?.(log, parsed.data);
      let list = appends.get(log);
      if (!list) {
        list = [];
        appends.set(log, list);
      }
      list.push(parsed.data);
    },
  };
  let result: R;
  try {
    result = change(draft, tx);
  } finally {
    open = false;
  }
  const checked = definition.schema.safeParse(draft);
  if (!checked.success) {
    throw new Error(`refusing to write an invalid state: ${formatFirstIssue(checked.error)}`);
  }
  const text = serializeDocument(checked.data);
  return { result, state: checked.data, text, changed: text !== committed.text, appends };
}

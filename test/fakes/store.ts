/** @module An in-memory Store with the real contract: serialized updates, validation, logs, rollback on failure. */
import { alertsAuditTypes } from '../../src/alerts/capability.js';
import { coreAuditTypes } from '../../src/audit/core-types.js';
import type { StoreDefinition } from '../../src/store/define-store.js';
import type { LogMap, LogReader } from '../../src/store/log.js';
import { storeDefinition, type State, type StoreLogs } from '../../src/store/schema.js';
import type { Store, Transaction } from '../../src/store/store.js';
import { serializeDocument, stageUpdate, type RecordCheck } from '../../src/store/transaction.js';

export interface MemoryStoreOptions<S, L extends LogMap> {
  /** Default: Gatehouse's registered slices and logs. */
  readonly definition?: StoreDefinition<S, L>;
  /**
   * As openLowdbStore's. Default: the audit registry's check with the base product's types (auth, settings,
   * alerts) registered, so a test that records an unregistered audit type fails.
   */
  readonly checkRecord?: RecordCheck;
}

/** The audit check of the base product: auth, settings and alerts types registered, as the composition root does. */
export function baseAuditCheck(): RecordCheck {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('alerts', alertsAuditTypes);
  return registry.checkRecord;
}

export class MemoryStore<S = State, L extends LogMap = StoreLogs> implements Store<S, L> {
  readonly location = 'memory';
  /** Every document write (an update that changed the document), oldest first: the history of writes. */
  readonly commits: S[] = [];
  /** Every committed log record, by log, oldest first, never trimmed (tests inspect what was appended). */
  readonly appended = new Map<string, unknown[]>();
  private state: S;
  private text: string;
  private readonly definition: StoreDefinition<S, L>;
  private readonly checkRecord: RecordCheck | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(state?: S, options: MemoryStoreOptions<S, L> = {}) {
    this.definition = options.definition ?? (storeDefinition as unknown as StoreDefinition<S, L>);
    this.checkRecord = options.checkRecord ?? (options.definition ? undefined : baseAuditCheck());
    const initial = structuredClone(
      state ?? this.definition.initial(new Date('2026-01-01T00:00:00Z'), 'test-instance'),
    );
    // Through the schema when it is valid, as the real store loads it (key order, defaults).
    const parsed = this.definition.schema.safeParse(initial);
    this.state = parsed.success ? parsed.data : initial;
    this.text = serializeDocument(this.state);
  }

  read(): Readonly<S> {
    return this.state;
  }

  log<N extends keyof L & string>(name: N): LogReader<L[N]> {
    const definition = this.definition.logs.get(name);
    if (!definition) throw new Error(`the store has no log named "${name}"`);
    const retained = () => (this.appended.get(name) ?? []).slice(-definition.limits.records) as L[N][];
    return {
      newestFirst: () => retained().reverse(),
      newest: (count) => (count <= 0 ? [] : retained().reverse().slice(0, count)),
      count: () => retained().length,
    };
  }

  update<R>(change: (draft: S, tx: Transaction<L>) => R): Promise<R> {
    const run = (): R => {
      const staged = stageUpdate(
        this.definition,
        { state: this.state, text: this.text },
        change,
        this.checkRecord,
      );
      this.state = staged.state;
      this.text = staged.text;
      if (staged.changed) this.commits.push(staged.state);
      for (const [name, records] of staged.appends) {
        this.appended.set(name, [...(this.appended.get(name) ?? []), ...records]);
      }
      return staged.result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

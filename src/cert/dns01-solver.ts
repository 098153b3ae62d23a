/**
 * @module The DNS-01 challenge solver: writes the TXT value at `_acme-challenge.<name>` through the DDNS account
 * that holds the zone, waits until every authoritative server of the zone serves it, and removes it afterwards.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { ServerAnswer } from '../ddns/engine.js';
import type { ProviderFailure, RecordRef } from '../ddns/provider.js';
import { baseName, type TxtAccess, type TxtAccessPort } from '../ddns/txt-access.js';
import type { ChallengeFailure, ChallengeSolver, ChallengeTask } from './ports.js';

export interface Dns01SolverDeps {
  /** The DDNS capability's `txtAccess`. */
  readonly txtAccess: TxtAccessPort;
  readonly clock: Clock;
  /** `acme.dns01.propagationTimeoutSeconds`: how long to wait for every authoritative server (default 180). */
  readonly propagationTimeoutSeconds?: number;
  /** The challenge record's TTL (default 60 s: a resolver holding an old answer forgets it soon). */
  readonly ttl?: number;
  readonly logger?: Logger;
}

/** The TXT name the CA asks for `name` (RFC 8555 §8.4); a wildcard's is its base name's. */
export function challengeRecordName(name: string): string {
  return `_acme-challenge.${baseName(name)}`;
}

/** The wait before the lookup after `attempt` lookups: 250 ms, doubling, at most 8 s. Pure. */
export function propagationDelay(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 8_000);
}

/**
 * The servers that do not serve `value` yet, each described for a person; empty when every one does. A TXT name
 * may hold other values besides (a wildcard's and its base name's share one record set). Pure.
 */
export function serversMissing(answers: readonly ServerAnswer[], value: string): string[] {
  return answers.flatMap((a) => {
    const server = a.server === '' ? 'a server' : a.server;
    if (a.values === null) return [`${server} (no answer: ${a.error ?? 'no reason given'})`];
    if (a.values.includes(value)) return [];
    return [
      `${server} (${a.values.length === 0 ? 'serves no TXT value' : `serves ${a.values.length} other TXT value${a.values.length === 1 ? '' : 's'}`})`,
    ];
  });
}

/** A provider failure in the solver's terms: the account's configuration, or a retry later. Pure. */
export function challengeFailureOf(failure: ProviderFailure, what: string): ChallengeFailure {
  const kind =
    failure.kind === 'transient' || failure.kind === 'rate-limited' ? 'transient' : ('config' as const);
  return { kind, message: `${what}: ${failure.message}` };
}

/** What the solver has written at one TXT name: the account it used and its values (a value may be asked twice). */
interface Written {
  readonly access: TxtAccess;
  readonly values: Map<string, number>;
}

/**
 * A {@link ChallengeSolver} for `dns-01`. The provider's `set` replaces the whole record set, so the solver keeps
 * the values it wrote per name (the base name's and its wildcard's live side by side) and writes them all each
 * time; `cleanUp` removes only its own value and deletes the set when none is left. Writes to one name are done
 * one at a time. Gatehouse owns the `_acme-challenge` names of the names it manages: other values there are
 * replaced.
 */
export function createDns01Solver(deps: Dns01SolverDeps): ChallengeSolver {
  const ttl = deps.ttl ?? 60;
  const timeoutMs = (deps.propagationTimeoutSeconds ?? 180) * 1000;
  const written = new Map<string, Written>();
  const locks = new Map<string, Promise<unknown>>();

  /** Runs `fn` after every earlier write to the same name. */
  function serially<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const before = locks.get(name) ?? Promise.resolve();
    // `before` never rejects (each run's tail swallows its failure): one failed write does not block the next.
    const run = before.then(fn);
    const tail = run.catch(() => undefined);
    locks.set(name, tail);
    void tail.then(() => {
      if (locks.get(name) === tail) locks.delete(name);
    });
    return run;
  }

  const refOf = (w: Written, name: string): RecordRef => ({ zone: w.access.zone, name, type: 'TXT' });
  const at = (w: Written, name: string) =>
    `TXT ${name} at "${w.access.account.name}" (${w.access.account.label})`;
  const sorted = (w: Written) => [...w.values.keys()].sort();

  async function write(task: ChallengeTask, name: string): Promise<Outcome<Written, ChallengeFailure>> {
    let w = written.get(name);
    if (!w) {
      const access = await deps.txtAccess(task.name);
      if (!access.ok) return access;
      w = { access: access.value, values: new Map() };
      written.set(name, w);
    }
    // Kept even when the write fails: the provider may have taken it, and cleanUp then writes the set without it.
    w.values.set(task.value, (w.values.get(task.value) ?? 0) + 1);
    const r = await w.access.provider.set(refOf(w, name), sorted(w), ttl);
    if (!r.ok) return fail(challengeFailureOf(r.error, `writing ${at(w, name)}`));
    return ok(w);
  }

  /** Asks the authoritative servers until all serve the value, with growing waits, until the deadline. */
  async function waitServed(
    w: Written,
    name: string,
    value: string,
    signal: AbortSignal | undefined,
  ): Promise<Outcome<void, ChallengeFailure>> {
    const started = deps.clock.now().getTime();
    const deadline = started + timeoutMs;
    let lastProblem: string;
    for (let attempt = 0; ; attempt++) {
      const answers = await w.access.served(name, w.access.zone);
      if (answers.ok && answers.value.length > 0) {
        const missing = serversMissing(answers.value, value);
        if (missing.length === 0) {
          deps.logger?.info(
            { name, servers: answers.value.length, ms: deps.clock.now().getTime() - started },
            'cert: DNS-01 TXT record served by every authoritative server',
          );
          return ok(undefined);
        }
        lastProblem = `it is not served yet by ${missing.join(', ')}`;
      } else {
        lastProblem = answers.ok
          ? `no authoritative server of ${w.access.zone} was found`
          : `the authoritative servers of ${w.access.zone} cannot be asked: ${answers.error}`;
      }
      const left = deadline - deps.clock.now().getTime();
      if (left <= 0) break;
      try {
        await deps.clock.sleep(Math.min(propagationDelay(attempt), left), signal);
      } catch {
        return fail({
          kind: 'transient',
          message: `stopped while waiting for ${at(w, name)}: ${lastProblem}`,
        });
      }
    }
    return fail({
      kind: 'transient',
      message: `${at(w, name)} was written, but after ${Math.round((deps.clock.now().getTime() - started) / 1000)} s (acme.dns01.propagationTimeoutSeconds is ${timeoutMs / 1000}) ${lastProblem}`,
    });
  }

  return {
    type: 'dns-01',

    async present(task, signal) {
      const name = challengeRecordName(task.name);
      if (signal?.aborted) return fail({ kind: 'transient', message: `stopped before writing TXT ${name}` });
      const w = await serially(name, () => write(task, name));
      if (!w.ok) return w;
      return waitServed(w.value, name, task.value, signal);
    },

    async cleanUp(task) {
      const name = challengeRecordName(task.name);
      await serially(name, async () => {
        const w = written.get(name);
        const count = w?.values.get(task.value);
        if (!w || count === undefined) return;
        if (count > 1) w.values.set(task.value, count - 1);
        else w.values.delete(task.value);
        const ref = refOf(w, name);
        const provider = w.access.provider;
        if (w.values.size === 0) written.delete(name);
        const r =
          w.values.size > 0
            ? await provider.set(ref, sorted(w), ttl)
            : provider.delete
              ? await provider.delete(ref)
              : await provider.set(ref, [], ttl);
        if (!r.ok)
          deps.logger?.warn(
            { name, kind: r.error.kind },
            `cert: removing the DNS-01 value from ${at(w, name)} failed: ${r.error.message}`,
          );
      }).catch((e: unknown) => {
        // cleanUp never throws (the port's contract); an adapter that broke its own is logged.
        deps.logger?.error({ name, err: (e as Error).message }, 'cert: DNS-01 clean-up failed');
      });
    },
  };
}

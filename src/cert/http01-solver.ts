/**
 * @module The HTTP-01 challenge solver: registers the token with the port-80 listener and, where the router maps
 * ports, maps TCP 80 to it for the length of the challenges only — one mapping shared by challenges running at
 * once, removed when the last is cleaned up.
 */
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Http01Listener, Http01Registry } from './http01.js';
import type { ChallengeFailure, ChallengeSolver, ChallengeTask, TemporaryPortOpener } from './ports.js';

/** What became of the router mapping of the current challenges, for the certificate page's notes. */
export type Http01MappingState =
  | { readonly state: 'off' }
  | { readonly state: 'idle' }
  | { readonly state: 'opening' }
  | { readonly state: 'mapped'; readonly externalPort: number }
  /** Not a failure: the port may be forwarded by hand; reachability's verdict says whether it is reachable. */
  | { readonly state: 'unavailable'; readonly reason: string };

export interface Http01SolverOptions {
  readonly registry: Http01Registry;
  readonly listener: Http01Listener;
  /** The router's temporary mapping; leave out (or set `mapRouterPort` false) to map nothing. */
  readonly portOpener?: TemporaryPortOpener;
  /** `acme.http01.mapRouterPort`. */
  readonly mapRouterPort: boolean;
  /** How long the router keeps the mapping if Gatehouse cannot remove it (a crash); 300 s by default. */
  readonly mappingLifetimeSeconds?: number;
}

export interface Http01Solver extends ChallengeSolver {
  readonly type: 'http-01';
  /** The router mapping's state: show `unavailable` with its reason as a note, not as an error. */
  mapping(): Http01MappingState;
}

/** The port the CA connects to (RFC 8555 §8.3): always 80. */
const challengePort = 80;

/** A mapping asked for: what to show, and how to give it back (nothing to do when none was made). */
interface Mapping {
  readonly shown: Extract<Http01MappingState, { state: 'mapped' | 'unavailable' }>;
  close(): Promise<void>;
}

const noMapping = (reason: string): Mapping => ({
  shown: { state: 'unavailable', reason },
  // Stryker disable next-line ArrowFunction: awaiting undefined is awaiting a resolved promise
  close: () => Promise.resolve(),
});

export function createHttp01Solver(options: Http01SolverOptions): Http01Solver {
  const opener = options.mapRouterPort ? options.portOpener : undefined;
  const lifetimeSeconds = options.mappingLifetimeSeconds ?? 300;
  /** Tokens presented and not yet cleaned up, with how often: the mapping stays while any is held. */
  const held = new Map<string, number>();
  let mapping: Promise<Mapping> | undefined;
  let settled: Mapping | undefined;
  /** The removal of the last mapping: a new one waits for it, or the old removal could delete the new mapping. */
  let closing: Promise<void> = Promise.resolve();

  const openMapping = async (internalPort: number, o: TemporaryPortOpener): Promise<Mapping> => {
    let result: Awaited<ReturnType<TemporaryPortOpener['open']>>;
    try {
      result = await o.open({
        internalPort,
        externalPort: challengePort,
        lifetimeSeconds,
        description: 'Gatehouse ACME HTTP-01',
      });
    } catch (e) {
      // The port's contract says open never throws; a broken opener still must not fail the challenge.
      return noMapping(e instanceof Error ? e.message : String(e));
    }
    if (result.state === 'unavailable') return noMapping(result.reason);
    const made = result;
    if (made.externalPort !== challengePort) {
      // The CA connects to port 80 only: a mapping from another port serves nothing.
      await closeQuietly(() => made.close());
      return noMapping(`the router offered port ${made.externalPort} instead of ${challengePort}`);
    }
    return { shown: { state: 'mapped', externalPort: made.externalPort }, close: () => made.close() };
  };

  /** Removes the mapping once no challenge holds it. */
  const release = async (): Promise<void> => {
    if (held.size > 0 || mapping === undefined) return;
    const pending = mapping;
    mapping = undefined;
    settled = undefined;
    closing = pending.then((done) => closeQuietly(() => done.close()));
    await closing;
  };

  return {
    type: 'http-01',

    async present(task: ChallengeTask, signal?: AbortSignal): Promise<Outcome<void, ChallengeFailure>> {
      if (signal?.aborted === true)
        return fail({ kind: 'transient', message: 'the challenge was cancelled' });
      const listening = options.listener.status();
      if (listening.state !== 'listening') {
        const why =
          listening.state === 'failed'
            ? `${listening.failure.message}; ${listening.failure.remedy}`
            : 'it is not started (acme.enabled, or no certificate configured)';
        return fail({ kind: 'config', message: `the HTTP-01 listener is not running: ${why}` });
      }
      const registered = options.registry.register(task.token, task.value);
      if (!registered.ok)
        return fail({
          kind: 'config',
          message: `cannot serve the HTTP-01 challenge for ${task.name}: ${registered.error}`,
        });
      held.set(task.token, (held.get(task.token) ?? 0) + 1);
      if (opener === undefined) return ok(undefined);
      if (mapping === undefined) {
        const port = listening.port;
        const opening = closing.then(() => openMapping(port, opener));
        mapping = opening;
        void opening.then((m) => {
          // A mapping given up while it was being made (a clean-up that did not wait) is no longer shown.
          if (mapping === opening) settled = m;
        });
      }
      // Every challenge waits for the mapping, made or not: the CA may connect as soon as it is told to.
      await mapping;
      return ok(undefined);
    },

    async cleanUp(task: ChallengeTask): Promise<void> {
      const count = held.get(task.token);
      // Clean-up follows every present, also one that failed before it registered anything.
      if (count === undefined) return;
      if (count > 1) held.set(task.token, count - 1);
      else held.delete(task.token);
      options.registry.unregister(task.token);
      await release();
    },

    mapping(): Http01MappingState {
      if (mapping === undefined) return opener === undefined ? { state: 'off' } : { state: 'idle' };
      return settled?.shown ?? { state: 'opening' };
    },
  };
}

async function closeQuietly(close: () => Promise<void>): Promise<void> {
  try {
    await close();
  } catch {
    // The port's contract says close never throws; the router drops the mapping at its lifetime anyway.
  }
}

/**
 * @module How a CLI command reaches the box: through the running server's control socket, or — when no server
 * runs — offline, on the store itself under the data-directory lock, so that no server starts meanwhile.
 */
import { DataDirLockedError } from '../core/errors.js';
import { fail, failure, type Failure, type Outcome } from '../core/outcome.js';
import { acquireDataDirLock, ensureDataDir } from '../store/data-dir.js';
import { readStoreSnapshot } from '../store/lowdb-store.js';
import type { State } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { ControlClient } from './socket-client.js';

export interface LocalCommand<T> {
  readonly dataDir: string;
  readonly client: ControlClient;
  /**
   * Opens the store for the offline path, with the same audit-type check as the server's (the composition root's
   * `openOfflineStore`): a command may not record offline what the server would refuse.
   */
  readonly openStore: () => Promise<Store>;
  /** A server runs and answers on the socket: ask it (it validates, audits and applies). */
  readonly online: (client: ControlClient) => Promise<Outcome<T>>;
  /**
   * No server runs: change the store directly. Runs holding the data directory's lock, so a server starting
   * meanwhile waits for nothing and fails with "in use" instead of reading a half-done change.
   */
  readonly offline: (store: Store) => Promise<Outcome<T>>;
}

/**
 * Runs a state-changing command where it belongs. Failure codes of its own: `control.denied` (this user may
 * not open the socket), `control.bad-path`, `control.timeout`, `control.unreachable`, and
 * `control.not-answering` (a live server holds the data directory but not its socket: starting, or stuck).
 */
export async function runLocalCommand<T>(command: LocalCommand<T>): Promise<Outcome<T>> {
  const probe = await command.client.probe();
  if (probe.kind === 'up') return command.online(command.client);
  if (probe.reason !== 'no-server') return fail(unreachableFailure(probe.reason, probe.message));
  ensureDataDir(command.dataDir);
  let lock;
  try {
    lock = acquireDataDirLock(command.dataDir);
  } catch (e) {
    if (e instanceof DataDirLockedError) return fail(notAnswering(e.holderPid, command.client.socketPath));
    throw e;
  }
  try {
    return await command.offline(await command.openStore());
  } finally {
    lock.release();
  }
}

/**
 * The store as it is on disk, read under the data directory's lock when no server holds it (so no offline
 * command is halfway through a change), and read as it stands when a server does (its writes are atomic).
 * Never creates the data directory or the store: undefined when there is none.
 */
export function readStoreOffline(dataDir: string): State | undefined {
  if (readStoreSnapshot(dataDir) === undefined) return undefined;
  let lock;
  try {
    lock = acquireDataDirLock(dataDir);
  } catch (e) {
    if (e instanceof DataDirLockedError) return readStoreSnapshot(dataDir);
    throw e;
  }
  try {
    return readStoreSnapshot(dataDir);
  } finally {
    lock.release();
  }
}

export function notAnswering(pid: number, socketPath: string): Failure {
  return failure(
    'control.not-answering',
    `a Gatehouse server (pid ${pid}) holds the data directory but does not answer on ${socketPath}: ` +
      'it may be starting (try again) or stuck (see its log)',
  );
}

function unreachableFailure(reason: 'denied' | 'timeout' | 'bad-path' | 'error', message: string): Failure {
  switch (reason) {
    case 'denied':
      return failure('control.denied', message);
    case 'timeout':
      return failure('control.timeout', message);
    case 'bad-path':
      return failure('control.bad-path', message);
    case 'error':
      return failure('control.unreachable', message);
  }
}

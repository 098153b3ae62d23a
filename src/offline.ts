/**
 * @module The second composition root, for commands that run without the server: an offline password reset
 * under the data directory's lock, one reachability probe for `gatehouse doctor`, and the probe an offline
 * `ddns update --once` makes first.
 */
import { AuthService, type AuthFailure } from './auth/service.js';
import type { AppConfig } from './config/index.js';
import type { Outcome } from './core/outcome.js';
import { sessionPolicyOf } from './auth/sessions.js';
import { coreAuditTypes } from './audit/core-types.js';
import type { Capability } from './core/capability.js';
import { createCapabilities, createPorts, reachabilityAdapters, type StartOptions } from './main.js';
import type { ReachabilityCapability } from './reach/capability.js';
import { doctorProbe } from './reach/doctor.js';
import type { ReachabilityReport } from './reach/probe.js';
import { acquireDataDirLock, ensureDataDir } from './store/data-dir.js';
import { openLowdbStore } from './store/lowdb-store.js';
import type { User } from './store/schema.js';
import type { Store } from './store/store.js';

/**
 * Offline password reset for `gatehouse admin reset-password`: takes the data directory's lock (so no server
 * writes the store meanwhile), sets the password, ends every session and optionally turns TOTP off.
 */
export async function resetAdminPassword(
  config: AppConfig,
  input: { username: string | undefined; password: string; disableTotp: boolean },
  options: StartOptions = {},
): Promise<Outcome<User, AuthFailure>> {
  const ports = createPorts({ ...config, logLevel: 'silent' }, options);
  ensureDataDir(config.dataDir);
  const lock = acquireDataDirLock(config.dataDir);
  try {
    const { store } = await openLowdbStore(config.dataDir, ports.clock, {
      checkRecord: coreAuditTypes().checkRecord,
    });
    const auth = new AuthService({
      store,
      clock: ports.clock,
      logger: ports.logger,
      files: ports.files,
      dataDir: config.dataDir,
      sessionPolicy: sessionPolicyOf(config),
    });
    return await auth.resetPassword(input.username, input.password, input.disableTotp);
  } finally {
    lock.release();
  }
}

/**
 * The store for a command that changes state without the server (`runLocalCommand`'s offline path): the same
 * audit types are registered as in the server — the core's and every capability's — so nothing is recorded
 * offline that the server would refuse. The capabilities are built for their registrations, never started.
 */
export async function openOfflineStore(config: AppConfig, options: StartOptions = {}): Promise<Store> {
  const ports = createPorts({ ...config, logLevel: 'silent' }, options);
  const auditTypes = coreAuditTypes();
  const { store } = await openLowdbStore(config.dataDir, ports.clock, {
    checkRecord: auditTypes.checkRecord,
  });
  createCapabilities(ports, config, { store, auditTypes, adapters: reachabilityAdapters(ports.clock) });
  return store;
}

/**
 * One reachability probe with the real adapters, plus a one-minute test mapping on the router that is removed
 * again (for `gatehouse doctor`; the server runs the probe in a loop and keeps its own mapping).
 */
export function runReachabilityProbe(
  config: AppConfig,
  options: StartOptions = {},
): Promise<ReachabilityReport> {
  const ports = createPorts({ ...config, logLevel: 'silent' }, options);
  return doctorProbe(ports, config.reachability, reachabilityAdapters(ports.clock));
}

/**
 * Before an offline DDNS run (`gatehouse ddns update --once` with no server): one probe by the reachability
 * capability, which accepts and stores what a quorum of sources agrees on exactly as the server's loop does, so the
 * run publishes the address the box has now — not the one stored when the server last ran. With reachability off
 * nothing is probed and the stored addresses stand. `capabilities` are built for this command and never started.
 */
export async function probeBeforeOfflineDdnsRun(
  config: AppConfig,
  capabilities: readonly Capability[],
): Promise<void> {
  if (!config.reachability.enabled) return;
  const reach = capabilities.find((c): c is ReachabilityCapability => c.id === 'reachability');
  if (!reach) return;
  try {
    await reach.service.probeNow();
  } finally {
    await reach.service.stop();
  }
}

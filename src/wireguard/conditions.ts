/**
 * @module Which WireGuard alerts hold, planned from the state after each check: the interface not running while
 * peers exist, the last apply failed, peers that reached the box from outside no longer doing so. Pure.
 */
import type { AlertInput } from '../alerts/rules.js';
import type { InterfaceStatus } from './reconciler.js';
import type { WireguardState } from './slice.js';

export interface ConditionState {
  readonly enabled: boolean;
  readonly peers: number;
  readonly status: Pick<InterfaceStatus, 'running' | 'reason'>;
  readonly lastApply: WireguardState['lastApply'];
  readonly publicHandshakes: WireguardState['publicHandshakes'];
  readonly now: Date;
  /** Since when the box (this process) is up: silence before that is not the peers'. */
  readonly upSince: Date;
}

/** Peers that connected from outside in the week before count; none of them for this long raises the alert. */
export const handshakeSilenceMs = 6 * 3600_000;
export const handshakeMemoryMs = 7 * 24 * 3600_000;

export function planConditions(s: ConditionState): AlertInput[] {
  if (!s.enabled || s.peers === 0) return [];
  const out: AlertInput[] = [];
  if (!s.status.running)
    out.push({
      rule: 'wireguard.not-running',
      key: '',
      message: `The WireGuard interface is not running: ${s.status.reason ?? 'unknown reason'}`,
    });
  else if (s.lastApply !== null && !s.lastApply.ok)
    out.push({ rule: 'wireguard.apply-failed', key: '', message: s.lastApply.message });
  const now = s.now.getTime();
  const recent = s.publicHandshakes.filter((h) => now - Date.parse(h.at) <= handshakeMemoryMs);
  const newest = Math.max(...recent.map((h) => Date.parse(h.at)));
  if (
    s.status.running &&
    recent.length > 0 &&
    now - newest >= handshakeSilenceMs &&
    now - s.upSince.getTime() >= handshakeSilenceMs
  ) {
    const hours = Math.floor((now - newest) / 3600_000);
    out.push({
      rule: 'wireguard.handshakes-stopped',
      key: '',
      message:
        `No peer has completed a handshake from outside for ${String(hours)} h; ` +
        `${String(recent.length)} peer(s) did in the week before`,
      details: { peers: recent.length, lastAt: new Date(newest).toISOString() },
    });
  }
  return out;
}

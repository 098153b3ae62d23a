/** @module The status cards of the base product: the server itself and the admin security posture. */
import { countAuditSince } from '../audit/read.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import type { StatusCardProvider } from './cards.js';

export function systemCard(input: {
  version: string;
  startedAt: Date;
  clock: Clock;
  /** Where the server really listens (known once it is listening; port 0 picks a free port). */
  listenUrl: () => string;
  tls: boolean;
}): StatusCardProvider {
  return {
    id: 'system',
    card: () => {
      const uptimeS = Math.floor((input.clock.now().getTime() - input.startedAt.getTime()) / 1000);
      return {
        id: 'system',
        title: 'Gatehouse',
        state: 'ok',
        summary: `Running version ${input.version}.`,
        facts: [
          { label: 'Listening on', value: input.listenUrl() },
          { label: 'Transport', value: input.tls ? 'HTTPS' : 'HTTP' },
          { label: 'Uptime', value: formatDuration(uptimeS) },
        ],
      };
    },
  };
}

export function securityCard(store: Store, clock: Clock): StatusCardProvider {
  return {
    id: 'security',
    card: () => {
      const state = store.read();
      const now = clock.now().getTime();
      const totpOn = state.users.length > 0 && state.users.every((u) => u.totpSecret !== null);
      const sessions = state.sessions.filter(
        (s) => new Date(s.expiresAt).getTime() > now && s.stage === 'complete',
      );
      const failures = countAuditSince(
        store.log('audit'),
        new Date(now - 24 * 3600_000),
        (e) => e.outcome === 'failure' && e.type.startsWith('login'),
      );
      return {
        id: 'security',
        title: 'Admin security',
        state: totpOn ? 'ok' : 'warning',
        summary: totpOn
          ? 'Two-factor authentication is on.'
          : 'Turn on two-factor authentication: a password alone guards your home network.',
        facts: [
          { label: 'Two-factor', value: totpOn ? 'on' : 'off' },
          { label: 'Active sessions', value: String(sessions.length) },
          { label: 'API tokens', value: String(state.apiTokens.length) },
          { label: 'Failed logins (24 h)', value: String(failures) },
        ],
      };
    },
  };
}

export function formatDuration(totalSeconds: number): string {
  const d = Math.floor(totalSeconds / 86400);
  const h = Math.floor((totalSeconds % 86400) / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${totalSeconds % 60} s`;
}

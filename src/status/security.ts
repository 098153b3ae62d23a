/**
 * @module The admin-security capability: the dashboard's security card and the alert that goes with it. What the
 * card calls a problem (an admin account without two-factor authentication) is also an active alert, so the
 * dashboard and the Alerts page (and the channels) tell one story. The account data is the auth slice's; this
 * module only reads it, at start and every `everyMs`, and raises or clears when the answer changes.
 */
import type { RuleDefinition } from '../alerts/catalogue.js';
import type { Capability } from '../core/capability.js';
import type { Ports } from '../core/ports.js';
import type { State } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { securityCard } from './core-cards.js';

export const securityRules = {
  'security.two-factor-off': {
    title: 'Two-factor authentication is off',
    severity: 'warning',
    remedy:
      'A password alone guards your home network. Turn on two-factor authentication on the Security page ' +
      '(an authenticator app on your phone), and keep the recovery codes somewhere safe.',
    kind: 'condition',
    notifyOnClear: false,
  },
} as const satisfies Record<string, RuleDefinition>;

type SecurityRuleId = keyof typeof securityRules;

/** The raise / clear the security capability needs (the alerts capability's sink fits). */
export interface SecurityAlertSink {
  raise(input: {
    rule: SecurityRuleId;
    key: string;
    message: string;
    details: Record<string, string | number | boolean | null>;
  }): Promise<void>;
  clear(rule: SecurityRuleId, key: string): Promise<void>;
}

/** The condition now: the accounts without two-factor, or none (also before setup: nothing to guard yet). Pure. */
export function accountsWithoutTwoFactor(state: Pick<State, 'users'>): string[] {
  return state.users.filter((u) => u.totpSecret === null).map((u) => u.username);
}

export interface SecurityDeps {
  readonly store: Store;
  readonly alerts: SecurityAlertSink;
  /** How often the accounts are read again (default 15 s): how long an alert may lag behind the card. */
  readonly everyMs?: number;
}

export interface SecurityCapability extends Capability {
  /** Reads the accounts now and raises or clears the alert if the answer changed (tests; the loop calls it). */
  reconcile(): Promise<void>;
}

export function createAdminSecurity(ports: Ports, deps: SecurityDeps): SecurityCapability {
  const everyMs = deps.everyMs ?? 15_000;
  let applied: string | undefined;
  let stopping: AbortController | undefined;
  let loop: Promise<void> | undefined;

  async function reconcile(): Promise<void> {
    const names = accountsWithoutTwoFactor(deps.store.read());
    const answer = names.join('\n');
    if (answer === applied) return;
    if (names.length === 0) await deps.alerts.clear('security.two-factor-off', '');
    else
      await deps.alerts.raise({
        rule: 'security.two-factor-off',
        key: '',
        message: `The account${names.length > 1 ? 's' : ''} ${names.join(', ')} log${
          names.length > 1 ? '' : 's'
        } in with a password alone.`,
        details: { accounts: names.join(', ') },
      });
    applied = answer;
  }

  return {
    id: 'security',
    statusCards: [securityCard(deps.store, ports.clock)],
    alertRules: securityRules,
    reconcile,
    start() {
      const controller = new AbortController();
      stopping = controller;
      loop = (async () => {
        while (!controller.signal.aborted) {
          try {
            await reconcile();
          } catch (e) {
            ports.logger.error(
              { err: (e as Error).message },
              'security: could not update the two-factor alert',
            );
          }
          try {
            await ports.clock.sleep(everyMs, controller.signal);
          } catch {
            return; // stopped
          }
        }
      })();
    },
    async stop() {
      stopping?.abort();
      await loop;
    },
  };
}

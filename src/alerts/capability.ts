/**
 * @module The alerts capability: the rules engine and its channels. Other capabilities raise through its sink;
 * their rules join its registry; the pending-delivery loop runs between start and stop.
 */
import type { Capability } from '../core/capability.js';
import type { Ports } from '../core/ports.js';
import type { Store } from '../store/store.js';
import { createRuleRegistry, type RuleRegistry } from './catalogue.js';
import type { NotifierFactory } from './notifiers/notifier.js';
import { alertRoutes } from './routes.js';
import { AlertService, alertSink, type AlertSink } from './service.js';

export interface AlertsDeps {
  readonly store: Store;
  readonly notifiers: NotifierFactory;
}

export interface AlertsCapability extends Capability {
  readonly service: AlertService;
  /** What other capabilities raise and clear through. */
  readonly sink: AlertSink;
  /**
   * Adds the rules of the capabilities the root lists (their `alertRules`); called once, before start. A rule
   * raised before its capability registered it still shows, as a plain warning, and the mistake is logged.
   */
  registerRules(capabilities: readonly Capability[]): void;
}

export const alertsAuditTypes = {
  'alerts.channel-created': 'An alert channel was added',
  'alerts.channel-updated': 'An alert channel was changed',
  'alerts.channel-deleted': 'An alert channel was removed',
  'alerts.channel-tested': 'A test alert was sent to a channel',
  'alerts.acknowledged': 'An alert was acknowledged',
} as const;

export function createAlerts(ports: Ports, deps: AlertsDeps): AlertsCapability {
  let rules: RuleRegistry = createRuleRegistry();
  // The service reads the registry through this view, so rules registered after construction are seen.
  const view: RuleRegistry = { get: (id) => rules.get(id), ids: () => rules.ids() };
  const service = new AlertService({
    store: deps.store,
    rules: view,
    clock: ports.clock,
    logger: ports.logger.child({ module: 'alerts' }),
    notifiers: deps.notifiers,
  });
  const loop = new AbortController();
  let pending: Promise<void> | undefined;
  return {
    id: 'alerts',
    service,
    sink: alertSink(service),
    routes: alertRoutes(service),
    auditTypes: alertsAuditTypes,
    uiPages: ['alerts'],
    registerRules(capabilities) {
      rules = createRuleRegistry(...capabilities.flatMap((c) => (c.alertRules ? [c.alertRules] : [])));
    },
    start() {
      pending = service.runPendingLoop(loop.signal);
    },
    async stop() {
      loop.abort();
      await pending;
    },
  };
}

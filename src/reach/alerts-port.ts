/** @module AlertSink port: how reachability raises and clears alerts; severity and title come from its rules. */
import type { ReachabilityRuleId } from './alert-rules.js';

export interface AlertInput {
  readonly rule: ReachabilityRuleId;
  /** De-duplication key within the rule (e.g. "ipv4"). */
  readonly key: string;
  readonly message: string;
  /** A remedy more specific than the rule's (the verdict's own); omitted: the rule's. */
  readonly remedy?: string;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AlertSink {
  /** Raises (or refreshes) an alert. Must not throw: delivery failures are the sink's business. */
  raise(alert: AlertInput): Promise<void>;
  clear(rule: ReachabilityRuleId, key: string): Promise<void>;
}

/** @module AlertSink port: how reachability (and later capabilities) raise and clear alerts in the rules engine. */

export interface AlertInput {
  readonly rule: string;
  /** De-duplication key within the rule (e.g. "ipv4"). */
  readonly key: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly title: string;
  readonly message: string;
  readonly remedy: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AlertSink {
  /** Raises (or refreshes) an alert. Must not throw: delivery failures are the sink's business. */
  raise(alert: AlertInput): Promise<void>;
  clear(rule: string, key: string): Promise<void>;
}

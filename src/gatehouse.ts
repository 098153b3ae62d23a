/** @module The types of a started Gatehouse and of what a test may give `startGatehouse` (src/main.ts). */
import type { DestinationStream } from 'pino';
import type { AuthService } from './auth/service.js';
import type { Capability } from './core/capability.js';
import type { Logger } from './core/log.js';
import type { Ports } from './core/ports.js';
import type { RunningServer } from './http/node-server.js';
import type { AlertSink } from './reach/alerts-port.js';
import type { Store } from './store/store.js';

export interface StartOptions {
  /** Where reachability's alerts go instead of the alerts engine (tests). */
  readonly alerts?: AlertSink;
  /** Replace any port (tests); the rest get their real adapters. */
  readonly ports?: Partial<Ports>;
  /** Log destination (tests capture the log to prove what it contains). */
  readonly logDestination?: DestinationStream;
  readonly webRoot?: string;
  /** Process-level metrics (event loop, memory); off in tests that start several instances. */
  readonly processMetrics?: boolean;
}

export interface Gatehouse {
  readonly server: RunningServer;
  readonly store: Store;
  readonly auth: AuthService;
  readonly logger: Logger;
  readonly ports: Ports;
  readonly capabilities: readonly Capability[];
  /** Closes the control socket, stops the capabilities (in reverse), stops serving, releases the data directory. */
  stop(): Promise<void>;
}

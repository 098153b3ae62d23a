/**
 * @module The ports every capability is built on. The composition root gives each its real adapter; tests give
 * fakes from test/fakes/. Nothing but the root constructs an adapter.
 */
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import type { Fetch } from './fetch.js';
import type { Logger } from './log.js';
import type { PrivateFiles } from './node-fs.js';
import type { CommandRunner } from './runner.js';
import type { Secrets } from './secrets.js';

export interface Ports {
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly fetch: Fetch;
  readonly logger: Logger;
  readonly files: PrivateFiles;
  /** How capabilities tell each other what happened. */
  readonly bus: EventBus;
  /** Credentials and keys (DNS providers, ACME account, WireGuard): written and read only through this port. */
  readonly secrets: Secrets;
}

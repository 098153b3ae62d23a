/**
 * @module The control socket as a lifecycle entry: it opens after every capability has started and closes before
 * any stops, so a local command never reaches a box that is not whole.
 */
import type { Capability } from '../core/capability.js';
import type { Logger } from '../core/log.js';
import type { StatusView } from './status-view.js';
import { createControlApi } from './api.js';
import { controlSocketPath } from './socket-path.js';
import { startControlServer } from './socket-server.js';

export function controlSocket(input: {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Their control routes mount on the socket. */
  readonly capabilities: readonly Capability[];
  readonly status: () => Promise<StatusView>;
}): Capability {
  let server: { close(): Promise<void> } | undefined;
  return {
    id: 'control-socket',
    async start() {
      const app = createControlApi({
        logger: input.logger,
        capabilities: input.capabilities,
        status: input.status,
      });
      server = await startControlServer({
        socketPath: controlSocketPath(input.dataDir),
        app,
        logger: input.logger,
      });
    },
    stop: () => server?.close(),
  };
}

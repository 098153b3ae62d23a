/**
 * @module Unix-socket adapter of the control API: node:http on `<dataDir>/control.sock`, mode 0600 from birth,
 * a stale socket of a crashed server replaced, the socket removed on close.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { FatalStartupError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ControlEnv } from './api.js';
import { socketPathProblem } from './socket-path.js';

export interface ControlServer {
  readonly socketPath: string;
  /** Stops accepting, ends open connections and removes the socket file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on `socketPath` (inside the 0700 data directory, whose lock the caller holds, so no other Gatehouse
 * server uses it). A socket file left by a server that died is removed first; anything else in the way — a file
 * that is not a socket, or a socket some process still answers on — stops start-up, as does a path too long for
 * a socket: the control socket is part of the server, and a server without it would leave the CLI unable to
 * reach it.
 */
export async function startControlServer(input: {
  readonly socketPath: string;
  readonly app: Hono<ControlEnv>;
  readonly logger: Logger;
}): Promise<ControlServer> {
  const { socketPath, logger } = input;
  const tooLong = socketPathProblem(socketPath, process.platform);
  if (tooLong !== undefined) throw new FatalStartupError(`cannot create the control socket: ${tooLong}`);
  await removeStaleSocket(socketPath, logger);

  const listener = getRequestListener(input.app.fetch);
  const server = http.createServer((req, res) => {
    // The listener answers every request itself, errors included (the app's onError renders them).
    void listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new FatalStartupError(`cannot listen on the control socket ${socketPath}: ${e.message}`, undefined, {
          cause: e,
        }),
      );
    });
    // The kernel gives a new socket file mode 0777 & ~umask. Binding happens synchronously inside listen(), so
    // narrowing the umask around that call makes the socket 0600 from its first moment, with no chmod window.
    // The umask is process-wide: a file another thread creates meanwhile is born narrower, never wider.
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.removeAllListeners('error');
        resolve();
      });
    } finally {
      process.umask(previous);
    }
  });
  const born = fs.lstatSync(socketPath);
  if ((born.mode & 0o777) !== 0o600) {
    await closeServer(server);
    throw new FatalStartupError(
      `the control socket ${socketPath} has mode ${(born.mode & 0o777).toString(8)} instead of 600`,
    );
  }
  logger.info({ socketPath }, 'control API listening');

  let closing: Promise<void> | undefined;
  return {
    socketPath,
    close() {
      // Closing the server unlinks its socket file (libuv does, on every Unix).
      closing ??= closeServer(server);
      return closing;
    },
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}

/** Removes a socket file that no process answers on; refuses to remove anything else. */
async function removeStaleSocket(socketPath: string, logger: Logger): Promise<void> {
  let existing: fs.Stats;
  try {
    existing = fs.lstatSync(socketPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new FatalStartupError(`cannot check ${socketPath}: ${(e as Error).message}`, undefined, {
      cause: e,
    });
  }
  if (!existing.isSocket()) {
    throw new FatalStartupError(
      `${socketPath} exists and is not a socket; Gatehouse does not remove it`,
      'move that file out of the data directory',
    );
  }
  if (await answers(socketPath)) {
    throw new FatalStartupError(
      `another process answers on the control socket ${socketPath}`,
      'stop the process that serves this data directory',
    );
  }
  fs.rmSync(socketPath, { force: true });
  logger.warn({ socketPath }, 'removed the control socket left by a server that did not stop cleanly');
}

/** Whether a process accepts connections on the socket (connection refused: the socket is stale). */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      socket.destroy();
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') resolve(false);
      else reject(new FatalStartupError(`cannot check ${socketPath}: ${e.message}`, undefined, { cause: e }));
    });
  });
}

/**
 * @module Client adapter of the control API for the CLI: HTTP over the data directory's Unix socket, answers
 * checked with zod, every way of not reaching the server told apart (none runs / not allowed / no answer).
 */
import http from 'node:http';
import net from 'node:net';
import { z } from 'zod';
import { socketPathProblem } from './socket-path.js';

/** Why the server could not be asked. */
export type Unreachable =
  /** No socket, or a stale one nobody listens on: no server runs (or it has not opened the socket yet). */
  | 'no-server'
  /** The kernel refused: this user may not open the socket (it belongs to the data directory's owner). */
  | 'denied'
  /** Connected, but no complete answer in time. */
  | 'timeout'
  /** The path cannot be a Unix socket (too long). */
  | 'bad-path'
  /** Anything else (the message says what). */
  | 'error';

export type ControlOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  /** The server answered with the API's error shape (or an answer that did not match the expected one). */
  | { readonly kind: 'failed'; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: 'unreachable'; readonly reason: Unreachable; readonly message: string };

export interface ControlClient {
  readonly socketPath: string;
  /** Connects and hangs up: whether a server listens, without a request. */
  probe(): Promise<{ readonly kind: 'up' } | Extract<ControlOutcome<never>, { kind: 'unreachable' }>>;
  /** One request; the success body is checked against `schema`. */
  request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ): Promise<ControlOutcome<T>>;
}

/** Largest answer read; anything longer is a broken server, not a status. */
const maxAnswerBytes = 4 * 1024 * 1024;

const errorShape = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function unreachable(
  socketPath: string,
  e: NodeJS.ErrnoException,
): Extract<ControlOutcome<never>, { kind: 'unreachable' }> {
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED')
    return { kind: 'unreachable', reason: 'no-server', message: `no server answers on ${socketPath}` };
  if (e.code === 'EACCES' || e.code === 'EPERM')
    return {
      kind: 'unreachable',
      reason: 'denied',
      message: `permission denied on ${socketPath}: run this as the user the server runs as (the data directory's owner) or as root`,
    };
  return { kind: 'unreachable', reason: 'error', message: `cannot reach ${socketPath}: ${e.message}` };
}

export function createControlClient(
  socketPath: string,
  options: { readonly timeoutMs?: number; readonly platform?: NodeJS.Platform } = {},
): ControlClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pathProblem = socketPathProblem(socketPath, options.platform ?? process.platform);
  const badPath =
    pathProblem === undefined
      ? undefined
      : ({ kind: 'unreachable', reason: 'bad-path', message: pathProblem } as const);

  return {
    socketPath,
    probe() {
      if (badPath) return Promise.resolve(badPath);
      return new Promise((resolve) => {
        const socket = net.connect(socketPath);
        socket.setTimeout(timeoutMs, () => {
          socket.destroy();
          resolve({
            kind: 'unreachable',
            reason: 'timeout',
            message: `no answer on ${socketPath} in ${timeoutMs} ms`,
          });
        });
        socket.once('connect', () => {
          socket.destroy();
          resolve({ kind: 'up' });
        });
        socket.once('error', (e: NodeJS.ErrnoException) => resolve(unreachable(socketPath, e)));
      });
    },
    request(method, path, schema, body) {
      if (badPath) return Promise.resolve(badPath);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve) => {
        let settled = false;
        const settle = (outcome: ControlOutcome<z.infer<typeof schema>>): void => {
          if (settled) return;
          settled = true;
          resolve(outcome);
        };
        const req = http.request(
          {
            socketPath,
            path,
            method,
            agent: false,
            headers: {
              accept: 'application/json',
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > maxAnswerBytes) {
                req.destroy();
                settle({
                  kind: 'failed',
                  status: res.statusCode ?? 0,
                  code: 'control.answer-too-large',
                  message: `the answer exceeds ${maxAnswerBytes} bytes`,
                });
                return;
              }
              chunks.push(chunk);
            });
            res.on('error', (e: NodeJS.ErrnoException) => settle(unreachable(socketPath, e)));
            res.on('end', () =>
              settle(readAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), schema)),
            );
          },
        );
        req.on('timeout', () => {
          req.destroy();
          settle({
            kind: 'unreachable',
            reason: 'timeout',
            message: `no answer on ${socketPath} in ${timeoutMs} ms`,
          });
        });
        req.on('error', (e: NodeJS.ErrnoException) => settle(unreachable(socketPath, e)));
        req.end(payload);
      });
    },
  };
}

function readAnswer<T>(status: number, text: string, schema: z.ZodType<T>): ControlOutcome<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      kind: 'failed',
      status,
      code: 'control.bad-answer',
      message: `the server answered ${status} with a body that is not JSON`,
    };
  }
  if (status < 200 || status > 299) {
    const problem = errorShape.safeParse(json);
    return problem.success
      ? { kind: 'failed', status, code: problem.data.error.code, message: problem.data.error.message }
      : {
          kind: 'failed',
          status,
          code: 'control.bad-answer',
          message: `the server answered ${status} without an error body`,
        };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.map(String).join('.') || '(root)' : '(root)';
    return {
      kind: 'failed',
      status,
      code: 'control.bad-answer',
      message: `unexpected answer from the server at ${where}: ${first?.message ?? 'invalid'}`,
    };
  }
  return { kind: 'ok', value: parsed.data };
}

/**
 * @module The port-80 listener for HTTP-01 (node:http), apart from the UI's app: every request is answered by
 * {@link planHttp01Response} — challenges and a redirect to HTTPS, nothing else — one request per connection,
 * headers small and slow clients cut off, no body ever read.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/log.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import {
  describeListenError,
  formatListen,
  listenFallback,
  planHttp01Response,
  type Http01Listener,
  type Http01ListenerStatus,
  type Http01ListenFailure,
  type Http01TokenLookup,
} from './http01.js';

/** Bounds on what one client may cost; the defaults suit a CA's validation (one small GET, answered at once). */
export interface Http01Limits {
  /** Request line and headers together (Node's maxHeaderSize). */
  readonly maxHeaderBytes: number;
  /** Time for the headers to arrive. */
  readonly headersTimeoutMs: number;
  /** Time for the whole request (no body is read, so the headers' time in practice). */
  readonly requestTimeoutMs: number;
  /**
   * A connection with no traffic either way is closed after this: one whose client does not close after the
   * answer. Keep it above the request timeout, or a slow request is cut off before it gets its 408.
   */
  readonly idleTimeoutMs: number;
  /** Connections open at once; more are refused by the kernel's backlog, not queued here. */
  readonly maxConnections: number;
}

export const defaultHttp01Limits: Http01Limits = {
  maxHeaderBytes: 8 * 1024,
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 15_000,
  maxConnections: 256,
};

export interface Http01ServerOptions {
  /** `acme.http01.listen` (default [::]:80, dual-stack; 0.0.0.0:80 where the kernel has no IPv6). */
  readonly listen: { readonly host: string; readonly port: number };
  readonly tokens: Http01TokenLookup;
  /** The HTTPS UI's port as browsers reach it (a function when it may change while the listener runs). */
  readonly httpsPort: number | (() => number);
  readonly logger?: Logger;
  readonly limits?: Partial<Http01Limits>;
}

export interface Http01Server extends Http01Listener {
  /** Listens; a second call while listening answers the same address. Failures are values with a remedy. */
  start(): Promise<Outcome<{ readonly host: string; readonly port: number }, Http01ListenFailure>>;
  /** Closes the listener and every connection; never throws. */
  stop(): Promise<void>;
}

/** Node's own request errors: the few with an answer of their own; anything else is a 400. */
const clientErrorStatus: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/** Answers what the parser refuses in plain text and closes, writing only when nothing was written yet. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const written = (socket as { bytesWritten?: number }).bytesWritten ?? 0;
  if (err.code !== 'ECONNRESET' && socket.writable && written === 0) {
    const status = (err.code === undefined ? undefined : clientErrorStatus[err.code]) ?? '400 Bad Request';
    const body = `${status.slice(4)}\n`;
    socket.write(
      `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n` +
        `Cache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function createHttp01Server(options: Http01ServerOptions): Http01Server {
  const limits = { ...defaultHttp01Limits, ...options.limits };
  const httpsPort = options.httpsPort;
  let server: Server | undefined;
  let status: Http01ListenerStatus = { state: 'stopped' };
  let starting: Promise<Outcome<{ host: string; port: number }, Http01ListenFailure>> | undefined;

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const plan = planHttp01Response(
      { method: req.method ?? '', target: req.url ?? '', hosts: req.headersDistinct.host ?? [] },
      { tokens: options.tokens, httpsPort: typeof httpsPort === 'number' ? httpsPort : httpsPort() },
    );
    if (plan.status === 200) options.logger?.info({ path: req.url }, 'ACME HTTP-01 challenge served');
    // One request per connection: a CA validates with one GET, a browser follows the redirect elsewhere.
    res.shouldKeepAlive = false;
    res.writeHead(plan.status, {
      ...plan.headers,
      'content-length': Buffer.byteLength(plan.body),
      connection: 'close',
    });
    res.end(req.method === 'HEAD' ? undefined : plan.body);
  };

  const listen = (at: {
    readonly host: string;
    readonly port: number;
  }): Promise<Outcome<{ host: string; port: number }, Http01ListenFailure>> =>
    new Promise((resolve) => {
      const s = createServer(
        {
          maxHeaderSize: limits.maxHeaderBytes,
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          keepAliveTimeout: 1_000,
          // How often Node looks for requests past their timeouts (default 30 s, which would dwarf them).
          connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
          // The planner decides about a missing or repeated Host (a challenge needs none).
          requireHostHeader: false,
        },
        answer,
      );
      s.maxConnections = limits.maxConnections;
      s.maxRequestsPerSocket = 1;
      s.setTimeout(limits.idleTimeoutMs, (socket) => socket.destroy());
      s.on('clientError', answerClientError);
      const onError = (e: NodeJS.ErrnoException): void => {
        const fallback = listenFallback(at, e.code);
        if (fallback !== undefined) {
          options.logger?.info(
            { listen: formatListen(at), instead: formatListen(fallback), code: e.code },
            'ACME HTTP-01 listener: no IPv6 on this machine, listening on IPv4 only',
          );
          resolve(listen(fallback));
          return;
        }
        const failure = describeListenError(e, at);
        status = { state: 'failed', failure };
        resolve(fail(failure));
      };
      s.once('error', onError);
      s.listen({ host: at.host, port: at.port, exclusive: true }, () => {
        s.off('error', onError);
        s.on('error', (e: Error) => options.logger?.warn({ err: e.message }, 'ACME HTTP-01 listener error'));
        const address = s.address() as AddressInfo;
        server = s;
        status = { state: 'listening', host: address.address, port: address.port };
        options.logger?.info({ host: address.address, port: address.port }, 'ACME HTTP-01 listener started');
        resolve(ok({ host: address.address, port: address.port }));
      });
    });

  return {
    start() {
      if (status.state === 'listening') return Promise.resolve(ok({ host: status.host, port: status.port }));
      starting ??= listen(options.listen).finally(() => (starting = undefined));
      return starting;
    },
    async stop() {
      await starting;
      const s = server;
      server = undefined;
      status = { state: 'stopped' };
      if (s === undefined) return;
      await new Promise<void>((done) => {
        s.close(() => done());
        s.closeAllConnections();
      });
    },
    status() {
      return status;
    },
  };
}

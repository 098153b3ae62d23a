/** @module @hono/node-server adapter: listens over HTTP or HTTPS and swaps the certificate live. */
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { lookup } from 'node:dns/promises';
import { createServer as createNetServer, isIP, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { FatalStartupError } from '../core/errors.js';
import type { KeyAndCert } from '../cert/bootstrap.js';
import { errorBody } from './errors.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Replaces the TLS certificate for new connections without a restart (HTTPS only). */
  replaceCertificate(pair: KeyAndCert): void;
  close(): Promise<void>;
}

const listenSetting = '--listen, GATEHOUSE_LISTEN';

/**
 * Checks the listen host before anything is written for it (the bootstrap certificate names it): a name must
 * resolve, and the address must be one of this machine's (a trial bind on a free port, closed at once). Failures
 * stop start-up with a message naming the setting. Whether the port itself is free is found out by listening.
 */
export async function checkListenHost(host: string): Promise<void> {
  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'failed';
      throw new FatalStartupError(
        `cannot resolve the listen host "${host}" (${code}; ${listenSetting})`,
        'listen on an IP address, or a name this machine resolves to one of its own addresses',
        { cause: e },
      );
    }
  }
  const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const probe = createNetServer();
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e));
    probe.listen({ host: address, port: 0, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
  if (failure?.code === 'EADDRNOTAVAIL') {
    throw new FatalStartupError(
      `cannot listen on ${host}: this machine has no such address (${listenSetting})`,
      'use one of its own addresses, 0.0.0.0 or [::]',
      { cause: failure },
    );
  }
}

/** The answer to each of Node's own request errors that has one of its own; anything else is a 400. */
const clientErrorAnswers: Readonly<Record<string, { status: string; code: string; message: string }>> = {
  HPE_HEADER_OVERFLOW: {
    status: '431 Request Header Fields Too Large',
    code: 'http.headers-too-large',
    message: 'the request headers are too large',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: '413 Payload Too Large',
    code: 'body.too-large',
    message: 'the chunk extensions of the request body are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: '408 Request Timeout',
    code: 'http.request-timeout',
    message: 'the request did not arrive in time',
  },
};

/**
 * Answers what Node's HTTP parser refuses (a bad request line, a malformed chunked body, headers too large) in the
 * API's JSON error shape instead of Node's bare 400 / 431, then closes the connection. As Node's own handler does,
 * it writes only when the socket is writable and nothing has been written on it yet (no response started).
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const written = (socket as { bytesWritten?: number }).bytesWritten ?? 0;
  if (err.code !== 'ECONNRESET' && socket.writable && written === 0) {
    const known = err.code === undefined ? undefined : clientErrorAnswers[err.code];
    const answer = known ?? {
      status: '400 Bad Request',
      code: 'http.bad-request',
      message: `malformed HTTP request: ${parserProblem(err)}`,
    };
    const body = JSON.stringify(errorBody(answer.code, answer.message));
    socket.write(
      `HTTP/1.1 ${answer.status}\r\nContent-Type: application/json; charset=UTF-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** llhttp's reason ("Invalid character in chunk size") without its code, internals or the bytes sent. */
function parserProblem(err: NodeJS.ErrnoException): string {
  const reason = (err as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason !== '' ? reason : 'the request could not be parsed';
}

export function listen(input: {
  fetch: (request: Request, env: unknown) => Response | Promise<Response>;
  host: string;
  port: number;
  tls?: KeyAndCert;
  /**
   * The certificate for the name a client asks for (TLS SNI), read at every handshake: an ACME certificate for the
   * names it covers; undefined: the default (`tls`, the self-signed bootstrap one — an address or a LAN name).
   */
  selectCertificate?: (servername: string) => KeyAndCert | undefined;
}): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    // One context per pair: a renewed certificate is a new pair, so it is picked up at the next handshake.
    const contexts = new WeakMap<KeyAndCert, SecureContext>();
    const select = input.selectCertificate;
    const sni = select
      ? {
          SNICallback: (servername: string, done: (err: Error | null, ctx?: SecureContext) => void) => {
            const pair = select(servername);
            if (!pair) {
              done(null);
              return;
            }
            let ctx = contexts.get(pair);
            if (!ctx) {
              try {
                ctx = createSecureContext({ key: pair.key, cert: pair.cert });
              } catch {
                // A pair Node cannot load must not break the handshake: the default certificate answers.
                done(null);
                return;
              }
              contexts.set(pair, ctx);
            }
            done(null, ctx);
          },
        }
      : {};
    const options = input.tls
      ? {
          createServer: createHttpsServer,
          serverOptions: { key: input.tls.key, cert: input.tls.cert, ...sni },
        }
      : {};
    const server = serve(
      { fetch: input.fetch, hostname: input.host, port: input.port, ...options },
      (info: AddressInfo) => {
        const scheme = input.tls ? 'https' : 'http';
        const hostForUrl = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        server.removeAllListeners('error');
        resolve({
          url: `${scheme}://${hostForUrl}:${info.port}`,
          port: info.port,
          replaceCertificate(pair) {
            if (!input.tls) throw new Error('the server runs plain HTTP; there is no certificate to replace');
            (server as HttpsServer).setSecureContext({ key: pair.key, cert: pair.cert });
          },
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.on('clientError', answerClientError);
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${input.host}:${input.port}`;
      if (e.code === 'EADDRINUSE') {
        reject(
          new FatalStartupError(
            `cannot listen on ${where}: another program already uses it (${listenSetting})`,
            'stop it, or choose another address with --listen (GATEHOUSE_LISTEN)',
            { cause: e },
          ),
        );
      } else if (e.code === 'EACCES') {
        reject(
          new FatalStartupError(
            `cannot listen on ${where}: permission denied (${listenSetting})`,
            'ports below 1024 need root or CAP_NET_BIND_SERVICE; choose a port above 1024 with --listen',
            { cause: e },
          ),
        );
      } else if (e.code === 'EADDRNOTAVAIL') {
        reject(
          new FatalStartupError(
            `cannot listen on ${where}: this machine has no such address (${listenSetting})`,
            'use one of its own addresses, 0.0.0.0 or [::]',
            { cause: e },
          ),
        );
      } else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'EAI_FAIL') {
        reject(
          new FatalStartupError(
            `cannot resolve the listen host "${input.host}" (${e.code}; ${listenSetting})`,
            undefined,
            {
              cause: e,
            },
          ),
        );
      } else {
        reject(
          new FatalStartupError(`cannot listen on ${where}: ${e.message} (${listenSetting})`, undefined, {
            cause: e,
          }),
        );
      }
    });
  });
}

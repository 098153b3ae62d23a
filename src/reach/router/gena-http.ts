/** @module GenaCallbackListener adapter on node:http: receives the router's NOTIFY requests on 0.0.0.0. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GenaCallbackListener, NotifyRequest } from './gena.js';

/** Event bodies are small; anything larger is refused unread. */
const maxBodyBytes = 64 * 1024;

export function nodeGenaListener(options: { host?: string } = {}): GenaCallbackListener {
  let server: http.Server | undefined;
  return {
    listen(handler: (request: NotifyRequest) => number): Promise<{ port: number }> {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        req.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxBodyBytes) {
            res.writeHead(413, { Connection: 'close' }).end();
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        req.on('end', () => {
          if (res.headersSent) return;
          const headers: Record<string, string | undefined> = {};
          for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          let status = 500;
          try {
            status = handler({
              method: req.method ?? '',
              path: req.url ?? '',
              headers,
              body: Buffer.concat(chunks).toString('utf8'),
              remoteAddress: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
            });
          } catch {
            status = 500;
          } finally {
            res.writeHead(status, { 'Content-Length': '0', Connection: 'close' }).end();
          }
        });
      });
      s.requestTimeout = 10_000;
      server = s;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, options.host ?? '0.0.0.0', () => {
          s.off('error', reject);
          resolve({ port: (s.address() as AddressInfo).port });
        });
      });
    },
    close(): Promise<void> {
      const s = server;
      server = undefined;
      if (!s) return Promise.resolve();
      return new Promise((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };
}

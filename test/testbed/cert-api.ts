/**
 * @module Calls a running Gatehouse's HTTP API from inside its namespace, for the certificate e2e and benchmark:
 * first-run setup with the setup token (or a login), the session cookie kept in a state file between runs, then the
 * requests in order, each timed.
 * Usage: node --import tsx cert-api.ts <url> <state file> <setup-token|-> <requests JSON>
 *   requests: [{ method, path, body?, untilCertificate? }] → JSON [{ method, path, status, startedAt, ms, polls, body }]
 *   `untilCertificate` (a GET of /api/v1/cert): asked again every 20 ms until the view has a current certificate or
 *   a last error (at most 120 s); `ms` then runs from the first ask to that answer.
 *
 * The server is reached by its LAN address while its certificate names the public hostname (or is the self-signed
 * bootstrap one), so this client does not verify it: what the certificate proves is the TLS probe's job
 * (cert-tls-probe.ts), which trusts only pebble's root.
 */
import fs from 'node:fs';
import { z } from 'zod';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
// Node warns once about the setting above on stderr; the callers read stdout only.

const [url = '', stateFile = '', setupToken = '', requestsText = ''] = process.argv.slice(2);
if (!url || !stateFile || !setupToken || !requestsText)
  throw new Error('usage: cert-api <url> <state file> <setup-token|-> <requests JSON>');
const requests = z
  .array(
    z.object({
      method: z.string(),
      path: z.string(),
      body: z.unknown().optional(),
      untilCertificate: z.boolean().optional(),
    }),
  )
  .parse(JSON.parse(requestsText));
const username = 'admin';
const password = 'correct horse battery staple';
const json = { 'content-type': 'application/json', origin: url };

interface Session {
  readonly cookie: string;
  /** Sent as X-CSRF-Token on every state-changing request. */
  readonly csrfToken: string;
}

async function session(): Promise<Session> {
  const res =
    setupToken === '-'
      ? await fetch(`${url}/api/v1/auth/login`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ username, password }),
        })
      : await fetch(`${url}/api/v1/setup`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ setupToken, username, password }),
        });
  const text = await res.text();
  if (res.status !== 200 && res.status !== 201) throw new Error(`setup/login: ${res.status} ${text}`);
  const cookie = /^([^=]+=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('no session cookie');
  const { csrfToken } = z.object({ csrfToken: z.string() }).parse(JSON.parse(text));
  const s = { cookie, csrfToken };
  fs.writeFileSync(stateFile, JSON.stringify(s), { mode: 0o600 });
  return s;
}

let current: Session = fs.existsSync(stateFile)
  ? (JSON.parse(fs.readFileSync(stateFile, 'utf8')) as Session)
  : await session();
const out: {
  method: string;
  path: string;
  status: number;
  startedAt: number;
  ms: number;
  polls: number;
  body: unknown;
}[] = [];
/** Whether a GET /api/v1/cert answer shows the order's end: a current certificate, or a failure. */
const settled = (body: unknown): boolean => {
  const v = body as { current?: unknown; renewal?: { lastError?: unknown } } | null;
  return (v?.current ?? null) !== null || (v?.renewal?.lastError ?? null) !== null;
};
for (const r of requests) {
  const send = () =>
    fetch(`${url}${r.path}`, {
      method: r.method,
      headers: { ...json, cookie: current.cookie, 'x-csrf-token': current.csrfToken },
      ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
    });
  const startedAt = Date.now();
  const t0 = performance.now();
  let polls = 0;
  let status: number;
  let body: unknown;
  for (;;) {
    let res = await send();
    if (res.status === 401) {
      current = await session();
      res = await send();
    }
    const text = await res.text();
    status = res.status;
    body = text.startsWith('{') || text.startsWith('[') ? (JSON.parse(text) as unknown) : text;
    polls += 1;
    if (r.untilCertificate !== true || status !== 200 || settled(body)) break;
    if (performance.now() - t0 > 120_000) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  out.push({
    method: r.method,
    path: r.path,
    status,
    startedAt,
    ms: Math.round(performance.now() - t0),
    polls,
    body,
  });
}
process.stdout.write(`${JSON.stringify(out)}\n`);

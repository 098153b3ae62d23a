/**
 * @module Asks a running Gatehouse's HTTP API from inside its namespace (the server listens on gw's loopback): first-run
 * setup with the setup token, or a login, then GETs, each timed. For the WireGuard e2e (firewall status) and its
 * benchmark (GET /api/v1/wireguard/peers with 1,000 peers).
 * Usage: node --import tsx wireguard-api.ts <url> <setup-token|-> <repeat> <path>…  → JSON
 *   [{ path, status, ms: [per request], body: <the last answer, parsed> }]
 */
const [url, setupToken, repeatText, ...paths] = process.argv.slice(2);
if (!url || !setupToken || !repeatText)
  throw new Error('usage: wireguard-api <url> <setup-token|-> <repeat> <path>…');
const username = 'admin';
const password = 'correct horse battery staple';
const json = { 'content-type': 'application/json', origin: url };

/** A session cookie: setup when a token is given (the first time), else a login. */
async function session(): Promise<string> {
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
  if (res.status !== 200 && res.status !== 201)
    throw new Error(`setup/login: ${res.status} ${await res.text()}`);
  const cookie = /^([^=]+=[^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}

const cookie = await session();
const out: { path: string; status: number; ms: number[]; body: unknown }[] = [];
for (const p of paths) {
  const ms: number[] = [];
  let status = 0;
  let body: unknown = null;
  for (let i = 0; i < Number(repeatText); i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}${p}`, { headers: { cookie } });
    const text = await res.text();
    ms.push(performance.now() - t0);
    status = res.status;
    body = text.startsWith('{') ? (JSON.parse(text) as unknown) : text;
  }
  out.push({ path: p, status, ms, body });
}
process.stdout.write(`${JSON.stringify(out)}\n`);

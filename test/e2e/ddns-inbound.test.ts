// The inbound dyndns2 endpoint against the real clients routers and homelabs use: Debian's ddclient (in the
// router namespace, as a router's own updater would) and inadyn (on a LAN host) push to the endpoint served inside
// the gw namespace. Accepted pushes must arrive as reach.wan-pushed events; wrong credentials, a hostname outside the
// client's scope, a private myip and a missing myip must be refused with their dyndns2 code and publish nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { alertsAuditTypes } from '../../src/alerts/capability.js';
import { coreAuditTypes } from '../../src/audit/core-types.js';
import { systemClock } from '../../src/core/clock.js';
import { ddnsInboundAuditTypes } from '../../src/ddns/inbound/audit-types.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { addr } from '../testbed/plan.js';
import { e2eSkipReason } from './support.js';

function onPath(cmd: string): boolean {
  return ['/usr/bin', '/usr/sbin', '/bin', '/sbin', ...(process.env.PATH ?? '').split(':')].some((d) =>
    fs.existsSync(path.join(d, cmd)),
  );
}

const missing = ['ddclient', 'inadyn'].filter((c) => !onPath(c));
const skip = e2eSkipReason(
  'ddns-inbound (ddclient, inadyn → /nic/update)',
  missing.length > 0
    ? `missing ${missing.join(', ')} (apt-get install --no-install-recommends ${missing.join(' ')})`
    : undefined,
);

const port = 8245;
const server = `${addr.gwLan}:${port}`;
const serverName = 'ddns-inbound-server';
// The bed's documentation ranges are its "internet": public there, as the reachability setting makes them.
const publicRanges = '203.0.113.0/24,198.51.100.0/24,2001:db8::/32';
const clients = [
  { name: 'router', password: 'Rtr-9fK2xQ7mW4pZ8vB3nL6hJ1cD', hostnames: ['home.example.test'] },
  {
    name: 'inadyn',
    password: 'Ina_4tY8uI2oP6aS0dF3gH7jK5lZ',
    hostnames: ['home.example.test', 'nas.example.test'],
  },
];

interface Facts {
  readonly pushed: { address: string; from: string; trusted: boolean }[];
  readonly answered: { method: string; path: string; status: number; body: string }[];
}

describe.skipIf(skip !== undefined)('inbound dyndns2 endpoint with the real ddclient and inadyn', () => {
  // Unset when `up` failed: afterAll must not hide that error behind a TypeError.
  let bed = undefined as unknown as Testbed;
  let dir = '';
  let dataDir = '';
  let serverProcess: ChildProcess | undefined;
  let runs = 0;

  const facts = (): Facts => {
    const lines = bed
      .log(serverName)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return {
      pushed: lines.flatMap((l) => (l.pushed ? [l.pushed as Facts['pushed'][number]] : [])),
      answered: lines.flatMap((l) => (l.answered ? [l.answered as Facts['answered'][number]] : [])),
    };
  };

  /** Waits for the server to have answered `count` requests (the client has exited, the log may lag). */
  const answeredAfter = (count: number) =>
    waitFor(`answer #${count + 1} in the server log`, () => {
      const f = facts();
      return Promise.resolve(f.answered.length > count ? f : undefined);
    });

  function writePrivate(name: string, text: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  /** One forced ddclient run in the router namespace; its output. */
  async function ddclient(o: { login: string; password: string; host: string; ip: string }): Promise<string> {
    const n = ++runs;
    const conf = writePrivate(
      `ddclient-${n}.conf`,
      [
        'daemon=0',
        'syslog=no',
        'ssl=no',
        `cache=${path.join(dir, `ddclient-${n}.cache`)}`,
        `pid=${path.join(dir, `ddclient-${n}.pid`)}`,
        `use=ip, ip=${o.ip}`,
        'protocol=dyndns2',
        `server=${server}`,
        `login=${o.login}`,
        `password=${o.password}`,
        o.host,
        '',
      ].join('\n'),
    );
    const r = await bed.exec(
      'router',
      ['ddclient', '-daemon=0', '-foreground', '-noquiet', '-verbose', '-force', '-file', conf],
      { timeoutMs: 30_000 },
    );
    return `${r.stdout}\n${r.stderr}`;
  }

  /** One forced inadyn run on the LAN host; its output. `path` is inadyn's ddns-path (%h hostname, %i address). */
  async function inadyn(o: { username: string; password: string; host: string; ip: string; path?: string }) {
    const n = ++runs;
    const cache = path.join(dir, `inadyn-${n}-cache`);
    fs.mkdirSync(cache, { mode: 0o700 });
    const conf = writePrivate(
      `inadyn-${n}.conf`,
      [
        'period = 300',
        // The test sends a private address on purpose: the endpoint, not inadyn, must refuse it.
        'verify-address = false',
        'custom gatehouse {',
        '    ssl = false',
        `    username = ${o.username}`,
        `    password = "${o.password}"`,
        `    checkip-command = "/bin/echo ${o.ip}"`,
        `    ddns-server = ${server}`,
        `    ddns-path = "${o.path ?? '/nic/update?hostname=%h&myip=%i'}"`,
        `    hostname = ${o.host}`,
        '}',
        '',
      ].join('\n'),
    );
    const r = await bed.exec(
      'lan',
      [
        'inadyn',
        '-1',
        '--force',
        '--foreground',
        '-l',
        'debug',
        '-f',
        conf,
        `--cache-dir=${cache}`,
        '-P',
        path.join(dir, `inadyn-${n}.pid`),
      ],
      { timeoutMs: 30_000 },
    );
    return { exitCode: r.exitCode, output: `${r.stdout}\n${r.stderr}` };
  }

  beforeAll(async () => {
    bed = await Testbed.up('nat');
    dir = path.join(bed.dir, 'ddns-inbound');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const clientsFile = writePrivate('clients.json', JSON.stringify(clients));
    serverProcess = bed.spawn('gw', serverName, [
      process.execPath,
      '--import',
      'tsx',
      path.resolve(import.meta.dirname, '../testbed/ddns-inbound-server.ts'),
      addr.gwLan,
      String(port),
      dataDir,
      clientsFile,
      publicRanges,
    ]).child;
    await waitFor(
      'the endpoint listening',
      () => Promise.resolve(bed.log(serverName).includes('"ready"') || undefined),
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    const runId = (bed as Testbed | undefined)?.names.ns.gw;
    await (bed as Testbed | undefined)?.down();
    if (runId) {
      const { execFileSync } = await import('node:child_process');
      const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(left).not.toContain(runId);
    }
  }, 60_000);

  it('ddclient (router namespace) pushes its WAN address: good, one reach.wan-pushed event', async () => {
    const before = facts();
    const out = await ddclient({
      login: 'router',
      password: clients[0]!.password,
      host: 'home.example.test',
      ip: addr.routerWan,
    });
    const after = await answeredAfter(before.answered.length);
    expect(out).toMatch(/SUCCESS:\s+updating home\.example\.test: good: IP address set to 203\.0\.113\.2/);
    expect(after.answered.at(-1)).toMatchObject({
      method: 'GET',
      path: `/nic/update?system=dyndns&hostname=home.example.test&myip=${addr.routerWan}`,
      status: 200,
      body: `good ${addr.routerWan}`,
    });
    expect(after.pushed.slice(before.pushed.length)).toEqual([
      { address: addr.routerWan, from: 'dyndns2:router', trusted: false },
    ]);
  });

  it('ddclient forced again with the same address: nochg, which ddclient takes as success, and the push still counts', async () => {
    const before = facts();
    const out = await ddclient({
      login: 'router',
      password: clients[0]!.password,
      host: 'home.example.test',
      ip: addr.routerWan,
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({ status: 200, body: `nochg ${addr.routerWan}` });
    expect(out).toMatch(/WARNING:\s+updating home\.example\.test: nochg/);
    expect(out).not.toMatch(/FAILED/);
    expect(after.pushed.slice(before.pushed.length)).toEqual([
      { address: addr.routerWan, from: 'dyndns2:router', trusted: false },
    ]);
  });

  it('inadyn (LAN host, custom provider) pushes two hostnames: one request and one event per hostname, each good', async () => {
    const before = facts();
    const r = await inadyn({
      username: 'inadyn',
      password: clients[1]!.password,
      host: '{ "home.example.test", "nas.example.test" }',
      ip: '203.0.113.7',
    });
    await waitFor('both inadyn requests answered', () => {
      const f = facts();
      return Promise.resolve(f.answered.length >= before.answered.length + 2 ? f : undefined);
    });
    const after = facts();
    // inadyn sends one request per hostname.
    expect(after.answered.slice(before.answered.length)).toEqual([
      {
        method: 'GET',
        path: '/nic/update?hostname=home.example.test&myip=203.0.113.7',
        status: 200,
        body: 'good 203.0.113.7',
      },
      {
        method: 'GET',
        path: '/nic/update?hostname=nas.example.test&myip=203.0.113.7',
        status: 200,
        body: 'good 203.0.113.7',
      },
    ]);
    expect(after.pushed.slice(before.pushed.length)).toEqual([
      { address: '203.0.113.7', from: 'dyndns2:inadyn', trusted: false },
      { address: '203.0.113.7', from: 'dyndns2:inadyn', trusted: false },
    ]);
    expect(r.exitCode, r.output).toBe(0);
  });

  it('ddclient with a wrong password: 401 badauth, ddclient reports the authorization failure, nothing published', async () => {
    const before = facts();
    const out = await ddclient({
      login: 'router',
      password: 'not-the-password-123',
      host: 'home.example.test',
      ip: '203.0.113.9',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({ status: 401, body: 'badauth' });
    expect(out).toMatch(/FAILED:\s+updating home\.example\.test: authorization failed/);
    expect(after.pushed).toHaveLength(before.pushed.length);
  });

  it('ddclient for a hostname outside its scope: nohost, reported as such, nothing published', async () => {
    const before = facts();
    const out = await ddclient({
      login: 'router',
      password: clients[0]!.password,
      host: 'nas.example.test',
      ip: '203.0.113.9',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({ status: 200, body: 'nohost' });
    expect(out).toMatch(/FAILED:\s+updating nas\.example\.test: nohost/);
    expect(after.pushed).toHaveLength(before.pushed.length);
  });

  it('inadyn pushing the bogon 10.0.0.1: badagent, inadyn fails, nothing published', async () => {
    const before = facts();
    const r = await inadyn({
      username: 'inadyn',
      password: clients[1]!.password,
      host: 'home.example.test',
      ip: '10.0.0.1',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({
      path: '/nic/update?hostname=home.example.test&myip=10.0.0.1',
      status: 200,
      body: 'badagent',
    });
    expect(after.pushed).toHaveLength(before.pushed.length);
    // inadyn shows the code and gives up (a fatal answer), as a client should until its configuration changes.
    expect(r.output).toMatch(/\[200 OK\] badagent/);
    expect(r.exitCode, r.output).not.toBe(0);
  });

  it('ddclient pushing the bogon 10.0.0.1: badagent, reported as a failure, nothing published', async () => {
    const before = facts();
    const out = await ddclient({
      login: 'router',
      password: clients[0]!.password,
      host: 'home.example.test',
      ip: '10.0.0.1',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({
      path: expect.stringContaining('myip=10.0.0.1') as string,
      status: 200,
      body: 'badagent',
    });
    expect(out).toMatch(/FAILED:\s+updating home\.example\.test: unexpected status \(badagent\)/);
    expect(after.pushed).toHaveLength(before.pushed.length);
  });

  it('inadyn with a wrong password: 401 badauth, inadyn fails, nothing published', async () => {
    const before = facts();
    const r = await inadyn({
      username: 'inadyn',
      password: 'not-the-password-456',
      host: 'home.example.test',
      ip: '203.0.113.9',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({ status: 401, body: 'badauth' });
    expect(after.pushed).toHaveLength(before.pushed.length);
    expect(r.exitCode, r.output).not.toBe(0);
  });

  it('inadyn without myip, from its LAN address: the source address is private, badagent, nothing published', async () => {
    const before = facts();
    await inadyn({
      username: 'inadyn',
      password: clients[1]!.password,
      host: 'home.example.test',
      ip: '203.0.113.8',
      path: '/nic/update?hostname=%h',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({
      path: '/nic/update?hostname=home.example.test',
      status: 200,
      body: 'badagent',
    });
    expect(after.pushed).toHaveLength(before.pushed.length);
  });

  it('a ddclient run with a wrong password for an unknown user is badauth too', async () => {
    const before = facts();
    await ddclient({
      login: 'nobody',
      password: 'whatever-password',
      host: 'home.example.test',
      ip: '203.0.113.9',
    });
    const after = await answeredAfter(before.answered.length);
    expect(after.answered.at(-1)).toMatchObject({ status: 401, body: 'badauth' });
    expect(after.pushed).toHaveLength(before.pushed.length);
    // No answer ever carried the credentials back, and the server's log never held them.
    const log = bed.log(serverName);
    for (const c of clients) expect(log).not.toContain(c.password);
    expect(log).not.toMatch(/authorization|not-the-password/i);
  });
  it("the server's real store: lastUsedAt of both clients, one audit record per answer, no password anywhere", async () => {
    const answered = facts().answered;
    const accepted = answered.filter((a) => /^(good|nochg) /.test(a.body)).length;
    // The server ends (SIGTERM, by its PID) so its store can be opened here; teardown would remove it.
    const exited = new Promise((resolve) => serverProcess?.once('exit', resolve));
    serverProcess?.kill('SIGTERM');
    await exited;
    const registry = coreAuditTypes();
    registry.registerAuditTypes('alerts', alertsAuditTypes);
    registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
    const { store } = await openLowdbStore(dataDir, systemClock, { checkRecord: registry.checkRecord });
    const stored = store.read().ddns.clients;
    expect(stored.map((c) => [c.name, c.lastUsedAt === null])).toEqual([
      ['router', false],
      ['inadyn', false],
    ]);
    const audit = [...store.log('audit').newestFirst()];
    const count = (type: string) => audit.filter((a) => a.type === type).length;
    expect(count('ddns.client-added')).toBe(2);
    expect(count('ddns.client-push')).toBe(accepted);
    expect(count('ddns.client-refused')).toBe(answered.length - accepted);
    expect(accepted).toBeGreaterThanOrEqual(4);
    expect(answered.length - accepted).toBeGreaterThanOrEqual(7);
    const files = fs.readdirSync(dataDir, { recursive: true, encoding: 'utf8' });
    for (const f of files) {
      const file = path.join(dataDir, f);
      if (!fs.statSync(file).isFile()) continue;
      const text = fs.readFileSync(file, 'utf8');
      for (const c of clients) expect(text, f).not.toContain(c.password);
    }
  });
});

/**
 * @module `gatehouse ddns …` as real processes against a temporary data directory: offline (no server: the store
 * is changed under the data-directory lock) and online (a running `gatehouse serve` on loopback answers on its
 * control socket). A provider credential goes in on standard input and is never seen again: not in any output,
 * not in the store file or the logs — only in the secrets directory, mode 0600. DNS traffic goes to loopback
 * only (the provider's server and the authoritative servers are a closed port on 127.0.0.1). A dyndns2 client's
 * generated password is printed once by `credential add` and never again; pushes go to the server on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
const repoRoot = path.join(import.meta.dirname, '..', '..');
const env = { ...process.env, GATEHOUSE_REACHABILITY: 'off' };
/** A TSIG secret (base64) and a dyndns2 password that must never be printed or stored outside secrets/. */
const tsigSecret = 'R2F0ZWhvdXNlVGVzdFNlY3JldEtleTEyMzQ1Njc4OTA=';
const dynPassword = 'pw-Zq8vN3xL-never-printed';

let dir: string;
let dataDir: string;
let configFile: string;
const started: ChildProcess[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-ddns-'));
  dataDir = path.join(dir, 'data');
  configFile = path.join(dir, 'gatehouse.json');
  // Nothing leaves loopback: the zone's servers are asked at a closed port, and give up quickly.
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      ddns: { resolver: '127.0.0.1:1', authoritativeServers: ['127.0.0.1:1'], verifySeconds: 5 },
    }),
  );
});
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const outputs: string[] = [];

function gatehouse(args: string[], stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', entry, ...args, '--data-dir', dataDir, '--config', configFile],
      { env, cwd: repoRoot },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.stdin.end(stdin);
    p.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

async function serve(): Promise<{ child: ChildProcess; exited: Promise<number | null>; log: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      entry,
      'serve',
      '--data-dir',
      dataDir,
      '--config',
      configFile,
      '--listen',
      '127.0.0.1:0',
    ],
    { env, cwd: repoRoot },
  );
  started.push(child);
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('"msg":"control API listening"')) resolve();
    });
    child.stderr.on('data', (b: Buffer) => (log += b.toString()));
    void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${log}`)));
  });
  return { child, exited, log: () => log };
}

function json(run: Run): unknown {
  try {
    return JSON.parse(run.stdout) as unknown;
  } catch {
    throw new Error(`no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
}

/** Every file under `root` (recursively) with its mode. */
function filesUnder(root: string): { file: string; mode: number }[] {
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).flatMap((rel) => {
    const file = path.join(root, rel);
    const stat = fs.lstatSync(file);
    return stat.isFile() ? [{ file, mode: stat.mode & 0o777 }] : [];
  });
}

/** The credential is only in secrets/, in 0600 files; never in the store, the logs or anything printed. */
function expectCredentialsKept(): void {
  const secretsDir = path.join(dataDir, 'secrets');
  const holding: string[] = [];
  for (const { file, mode } of filesUnder(dataDir)) {
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes(tsigSecret) || text.includes(dynPassword)) {
      holding.push(path.relative(dataDir, file));
      expect(file.startsWith(secretsDir + path.sep)).toBe(true);
      expect(mode.toString(8)).toBe('600');
    }
  }
  expect(holding.length).toBeGreaterThan(0);
  for (const text of outputs) {
    expect(text).not.toContain(tsigSecret);
    expect(text).not.toContain(dynPassword);
  }
}

interface Audit {
  type: string;
  actor: string;
  clientAddress: string;
}
function auditRecords(): Audit[] {
  return filesUnder(path.join(dataDir, 'logs', 'audit')).flatMap(({ file }) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Audit),
  );
}

interface ListJson {
  records: { hostname: string; type: string; value: unknown; ttl: number; zone: string }[];
  accounts: { name: string; kind: string; settings: Record<string, unknown>; credentials: unknown[] }[];
}

/** The same sequence of commands, offline or online. */
async function manageRecordsAndAccounts(): Promise<void> {
  const add = await gatehouse(
    [
      'ddns',
      'provider',
      'add',
      'home-bind',
      '--kind',
      'rfc2136',
      '--set',
      'server=127.0.0.1:1',
      '--set',
      'keyName=gatehouse',
    ],
    `secret=${tsigSecret}\n`,
  );
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  expect(add.stdout).toContain('Added the RFC 2136 (TSIG) account "home-bind" (credentials: secret stored)');

  const dyn = await gatehouse(
    [
      'ddns',
      'provider',
      'add',
      'noip',
      '--kind',
      'dyndns2',
      '--set',
      'preset=noip',
      '--set',
      'username=me',
      '--json',
    ],
    JSON.stringify({ password: dynPassword }),
  );
  expect(dyn.code).toBe(0);
  expect(json(dyn)).toMatchObject({
    name: 'noip',
    kind: 'dyndns2',
    credentials: [{ field: 'password', set: true }],
  });

  // A credential on the command line is refused with the reason, and nothing is added.
  const onArgv = await gatehouse([
    'ddns',
    'provider',
    'add',
    'leaky',
    '--kind',
    'dyndns2',
    '--set',
    'preset=noip',
    '--set',
    'username=me',
    '--set',
    'password=oops',
  ]);
  expect(onArgv.code).toBe(2);
  expect(onArgv.stderr).toContain('"password" is a credential: give it on standard input');

  const rec = await gatehouse([
    'ddns',
    'record',
    'add',
    'home.example.test',
    '--type',
    'A',
    '--account',
    'home-bind',
    '--fixed',
    '203.0.113.7',
    '--ttl',
    '120',
  ]);
  expect(rec.stderr).toBe('');
  expect(rec.code).toBe(0);
  expect(rec.stdout).toBe('Added home.example.test A (zone example.test, TTL 120 s).\n');
  const v6 = await gatehouse([
    'ddns',
    'record',
    'add',
    'nas.example.test',
    '--type',
    'AAAA',
    '--account',
    'noip',
    '--device-suffix',
    '::211:32ff:fe12:3456',
  ]);
  expect(v6.code).toBe(0);

  // Domain failures: exit 1 with the domain's message.
  const dup = await gatehouse([
    'ddns',
    'record',
    'add',
    'home.example.test',
    '--type',
    'A',
    '--account',
    'noip',
  ]);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toBe('gatehouse: home.example.test A is managed already\n');
  const outside = await gatehouse([
    'ddns',
    'record',
    'add',
    'home.example.test',
    '--type',
    'AAAA',
    '--account',
    'noip',
    '--zone',
    'other.test',
  ]);
  expect(outside.code).toBe(1);
  expect(outside.stderr).toBe('gatehouse: home.example.test is not in the zone other.test\n');
  const noAccount = await gatehouse([
    'ddns',
    'record',
    'add',
    'x.example.test',
    '--type',
    'A',
    '--account',
    'nope',
  ]);
  expect(noAccount.code).toBe(1);
  expect(noAccount.stderr).toBe('gatehouse: no provider account named "nope"; there are: home-bind, noip\n');
  // Usage errors: exit 2.
  expect(
    (await gatehouse(['ddns', 'record', 'add', 'x.example.test', '--type', 'MX', '--account', 'noip'])).code,
  ).toBe(2);

  const list = await gatehouse(['ddns', 'list', '--json']);
  expect(list.code).toBe(0);
  const listed = json(list) as ListJson;
  expect(listed.records).toMatchObject([
    { hostname: 'home.example.test', type: 'A', value: { kind: 'fixed', address: '203.0.113.7' }, ttl: 120 },
    {
      hostname: 'nas.example.test',
      type: 'AAAA',
      value: { kind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' },
    },
  ]);
  expect(listed.accounts.map((a) => [a.name, a.kind, a.settings])).toEqual([
    ['home-bind', 'rfc2136', { server: '127.0.0.1:1', keyName: 'gatehouse', algorithm: 'hmac-sha256' }],
    ['noip', 'dyndns2', { preset: 'noip', username: 'me' }],
  ]);
  const text = await gatehouse(['ddns', 'list']);
  // Online the server's engine runs right after the add and leaves the record pending (its provider is a closed port).
  expect(text.stdout).toMatch(/^HOSTNAME +TYPE +ACCOUNT +CURRENT +DESIRED +PROPAGATION +LAST RESULT\n/);
  expect(text.stdout).toMatch(
    /\nhome\.example\.test +A +home-bind +- +203\.0\.113\.7 +- +(not run yet|pending 203\.0\.113\.7, next try \S+)\n/,
  );
  expect(text.stdout).toMatch(/\nhome-bind +rfc2136 +secret set +ok\n/);

  // An account in use is not removed; removing its record first lets it go, with its credential.
  const inUse = await gatehouse(['ddns', 'provider', 'remove', 'noip']);
  expect(inUse.code).toBe(1);
  expect(inUse.stderr).toBe('gatehouse: remove or move its records first: nas.example.test AAAA\n');
  const removeRec = await gatehouse(['ddns', 'record', 'remove', 'NAS.example.test.', '--type', 'AAAA']);
  expect(removeRec.code).toBe(0);
  expect(removeRec.stdout).toBe('Removed nas.example.test AAAA.\n');
  expect((await gatehouse(['ddns', 'record', 'remove', 'nas.example.test'])).code).toBe(1);
  const removeAcc = await gatehouse(['ddns', 'provider', 'remove', 'noip']);
  expect(removeAcc.code).toBe(0);
  const after = json(await gatehouse(['ddns', 'list', '--json'])) as ListJson;
  expect(after.records.map((r) => r.hostname)).toEqual(['home.example.test']);
  expect(after.accounts.map((a) => a.name)).toEqual(['home-bind']);
  for (const { file } of filesUnder(dataDir))
    expect(fs.readFileSync(file, 'utf8')).not.toContain(dynPassword);

  expectCredentialsKept();
  const audit = auditRecords().filter((a) => a.type.startsWith('ddns.'));
  expect(audit.map((a) => a.type)).toEqual([
    'ddns.account-added',
    'ddns.account-added',
    'ddns.record-added',
    'ddns.record-added',
    'ddns.record-removed',
    'ddns.account-removed',
  ]);
  for (const a of audit) expect([a.actor, a.clientAddress]).toEqual(['local', 'local']);
}

describe('gatehouse ddns (real processes)', () => {
  beforeEach(() => outputs.splice(0));

  it('offline: providers, records, list, remove — under the data-directory lock, audited as local', async () => {
    const empty = await gatehouse(['ddns', 'list', '--json']);
    expect(empty.code).toBe(0);
    expect(json(empty)).toEqual({ records: [], accounts: [] });
    // Reading nothing creates nothing.
    expect(fs.existsSync(dataDir)).toBe(false);

    const kinds = await gatehouse(['ddns', 'providers']);
    expect(kinds.code).toBe(0);
    expect(kinds.stdout).toMatch(
      /\nrfc2136 +RFC 2136 \(TSIG\) +server, zone \(optional\), keyName, .*secret \(secret, stdin\)\n/,
    );

    await manageRecordsAndAccounts();
    // The offline commands gave the lock back.
    expect(fs.existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(false);
  }, 240_000);

  it('offline: update --once runs the engine without a server; a provider that does not answer is a failure (exit 1), left pending', async () => {
    await gatehouse(
      [
        'ddns',
        'provider',
        'add',
        'bind',
        '--kind',
        'rfc2136',
        '--set',
        'server=127.0.0.1:1',
        '--set',
        'keyName=k',
      ],
      JSON.stringify({ secret: tsigSecret }),
    );
    await gatehouse([
      'ddns',
      'record',
      'add',
      'home.example.test',
      '--type',
      'A',
      '--account',
      'bind',
      '--fixed',
      '203.0.113.7',
    ]);
    const run = await gatehouse(['ddns', 'update', '--once', '--json']);
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject([
      {
        hostname: 'home.example.test',
        type: 'A',
        action: { kind: 'update', value: '203.0.113.7' },
        result: 'failed',
        message: expect.stringContaining('no answer from 127.0.0.1:1') as unknown,
      },
    ]);
    const list = await gatehouse(['ddns', 'list']);
    expect(list.stdout).toMatch(
      /home\.example\.test +A +bind +- +203\.0\.113\.7 +- +pending 203\.0\.113\.7, next try /,
    );
    expect(auditRecords().map((a) => a.type)).toContain('ddns.update-requested');
    expectCredentialsKept();
  }, 120_000);

  it('online: the same commands go through the running server (audited as local); the data directory stays its', async () => {
    const server = await serve();
    await manageRecordsAndAccounts();
    // The server still holds the data directory: these commands did not run offline.
    expect(fs.existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(true);
    expect(server.log()).not.toContain(tsigSecret);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.log()).not.toContain(tsigSecret);
    expect(server.log()).not.toContain(dynPassword);
  }, 240_000);
});

/** GET /nic/update on the running server (loopback only; its self-signed certificate is accepted). */
function pushTo(url: string, name: string, password: string): Promise<{ status: number; body: string }> {
  const target = new URL('/nic/update?hostname=home.example.test&myip=203.0.113.9', url);
  if (target.hostname !== '127.0.0.1') throw new Error(`not loopback: ${url}`);
  const auth = `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = (target.protocol === 'https:' ? https : http).request(
      target,
      { method: 'GET', headers: { authorization: auth }, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.on('data', (b: Buffer) => (body += b.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface ClientsJson {
  clients: {
    name: string;
    hostnames: string[];
    trusted: boolean;
    createdAt: string;
    lastUsedAt: string | null;
  }[];
}

/** The same credential commands, offline or online; returns the password `add` printed. */
async function manageClients(): Promise<string> {
  const add = await gatehouse([
    'ddns',
    'credential',
    'add',
    'fritzbox',
    '--hostname',
    'Home.Example.Test',
    '--hostname',
    'nas.example.test',
  ]);
  expect(add.stderr).toBe('');
  expect(add.code).toBe(0);
  const password = /^ {4}([A-Za-z0-9_-]{32})$/m.exec(add.stdout)?.[1];
  if (password === undefined) throw new Error(`no password in:\n${add.stdout}`);
  expect(add.stdout.split(password)).toHaveLength(2);
  expect(add.stdout).toContain(
    'https://<this box>/nic/update?hostname=home.example.test,nas.example.test&myip=<ipaddr>',
  );
  const trusted = await gatehouse([
    'ddns',
    'credential',
    'add',
    'inadyn',
    '--hostname',
    'nas.example.test',
    '--trusted',
    '--json',
  ]);
  expect(trusted.code).toBe(0);
  const second = json(trusted) as { client: { trusted: boolean }; password: string };
  expect(second.client.trusted).toBe(true);

  // Bad input: a clear usage error, nothing changed.
  const before = fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8');
  for (const argv of [
    ['ddns', 'credential', 'add', 'Fritz Box', '--hostname', 'home.example.test'],
    ['ddns', 'credential', 'add', 'nas', '--hostname', 'nas'],
    ['ddns', 'credential', 'add', 'nas'],
    ['ddns', 'credential', 'remove', '../list'],
  ]) {
    const r = await gatehouse(argv);
    expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 2]);
    expect(r.stderr).toMatch(/^gatehouse: (NAME|--hostname|give at least one --hostname)/);
  }
  const taken = await gatehouse(['ddns', 'credential', 'add', 'fritzbox', '--hostname', 'x.example.test']);
  expect([taken.code, taken.stderr]).toEqual([
    1,
    'gatehouse: a client named "fritzbox" exists; remove it first\n',
  ]);
  const unknown = await gatehouse(['ddns', 'credential', 'remove', 'nobody']);
  expect([unknown.code, unknown.stderr]).toEqual([1, 'gatehouse: no client named "nobody"\n']);
  // The store may be rewritten (online: a push, a probe), but never with another client.
  const clientsOf = (text: string) =>
    (JSON.parse(text) as { ddns: { clients: { name: string }[] } }).ddns.clients;
  expect(clientsOf(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')).map((c) => c.name)).toEqual(
    clientsOf(before).map((c) => c.name),
  );

  const list = await gatehouse(['ddns', 'credential', 'list']);
  expect(list.code).toBe(0);
  expect(list.stdout).toMatch(/^NAME +HOSTNAMES +TRUSTED +CREATED +LAST USED\n/);
  expect(list.stdout).toMatch(/\nfritzbox +home\.example\.test,nas\.example\.test +no +\S+Z +never\n/);
  expect(list.stdout).toMatch(/\ninadyn +nas\.example\.test +yes +/);
  const listJson = await gatehouse(['ddns', 'credential', 'list', '--json']);
  expect((json(listJson) as ClientsJson).clients.map((c) => c.name)).toEqual(['fritzbox', 'inadyn']);
  for (const out of [list.stdout, listJson.stdout]) {
    expect(out).not.toContain(password);
    expect(out).not.toContain(second.password);
    expect(out).not.toMatch(/scrypt|passwordHash/);
  }

  const removed = await gatehouse(['ddns', 'credential', 'remove', 'inadyn']);
  expect(removed.code).toBe(0);
  expect(removed.stdout).toBe('Removed the dyndns2 client "inadyn": its password no longer works.\n');
  const after = json(await gatehouse(['ddns', 'credential', 'list', '--json'])) as ClientsJson;
  expect(after.clients.map((c) => c.name)).toEqual(['fritzbox']);
  return password;
}

describe('gatehouse ddns credential (real processes)', () => {
  beforeEach(() => outputs.splice(0));

  it('offline: add prints the password once, list never, remove; audited as local; the lock given back', async () => {
    const empty = await gatehouse(['ddns', 'credential', 'list', '--json']);
    expect([empty.code, json(empty)]).toEqual([0, { clients: [] }]);
    expect(fs.existsSync(dataDir)).toBe(false);
    const password = await manageClients();
    expect(fs.existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(false);
    for (const { file } of filesUnder(dataDir)) expect(fs.readFileSync(file, 'utf8')).not.toContain(password);
    const audit = auditRecords().filter((a) => a.type.startsWith('ddns.client-'));
    expect(audit.map((a) => [a.type, a.actor, a.clientAddress])).toEqual([
      ['ddns.client-added', 'local', 'local'],
      ['ddns.client-added', 'local', 'local'],
      ['ddns.client-removed', 'local', 'local'],
    ]);
  }, 240_000);

  it('online: through the running server; a removed client’s password gets badauth at /nic/update on loopback', async () => {
    const server = await serve();
    const password = await manageClients();
    expect(fs.existsSync(path.join(dataDir, 'gatehouse.lock'))).toBe(true);
    const { url } = JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.lock'), 'utf8')) as {
      url: string;
    };
    // Its credentials are accepted (the documentation address is no WAN address outside a test bed: badagent).
    const accepted = await pushTo(url, 'fritzbox', password);
    expect(accepted).toEqual({ status: 200, body: 'badagent' });
    const wrong = await pushTo(url, 'fritzbox', `${password}x`);
    expect(wrong).toEqual({ status: 401, body: 'badauth' });
    const removed = await gatehouse(['ddns', 'credential', 'remove', 'fritzbox']);
    expect(removed.code).toBe(0);
    expect(await pushTo(url, 'fritzbox', password)).toEqual({ status: 401, body: 'badauth' });
    expect((json(await gatehouse(['ddns', 'credential', 'list', '--json'])) as ClientsJson).clients).toEqual(
      [],
    );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.log()).not.toContain(password);
  }, 240_000);
});

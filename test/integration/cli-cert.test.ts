/**
 * @module `gatehouse cert …` as real processes. Offline: against a data directory with no server (status and the
 * settings work under the data-directory lock, orders are refused, a CA that cannot be reached is a failure with
 * what to do). Online: the CLI talks to a control socket served in this process by the real capabilities (the
 * test harness) with a scripted CA (test/fakes/acme.ts) — account with EAB from stdin, names, issue, renew, a
 * failing order, an order the server already runs — and to a real `gatehouse serve`. The EAB HMAC key is never
 * printed nor written outside the secrets port. Nothing leaves loopback; no test binds port 80. Real packets
 * against pebble: test/e2e/cert.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCert, type CertCapability } from '../../src/cert/capability.js';
import { createHttp01Server } from '../../src/cert/http01-server.js';
import { eabKeyName, systemActor } from '../../src/cert/manager.js';
import type { AcmeCaFactory } from '../../src/cert/ports.js';
import type { CertView } from '../../src/cert/view.js';
import { acmeSettingsSchema } from '../../src/config/schema.js';
import { controlSocket } from '../../src/control/capability.js';
import type { Capability } from '../../src/core/capability.js';
import { createEventBus } from '../../src/core/events.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import type { Ports } from '../../src/core/ports.js';
import { lockFileName } from '../../src/store/data-dir.js';
import { FakeAcmeCa, issueTestChain, makeTestKeyAndCsr } from '../fakes/acme.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { createHarness, type Harness } from '../support/app-harness.js';

const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
const repoRoot = path.join(import.meta.dirname, '..', '..');
// Tests never reach public STUN or echo services.
const env = { ...process.env, GATEHOUSE_REACHABILITY: 'off' };
/** An EAB HMAC key that must never be printed or stored outside the secrets port. */
const hmacKey = 'R2F0ZWhvdXNlLUVBQi1ITUFDLW5ldmVyLXByaW50ZWQ';
/** The port-80 listener on loopback, no router mapping: no test binds port 80 or talks to a router. */
const acmeConfig = { acme: { http01: { listen: '127.0.0.1:0', mapRouterPort: false } } };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const outputs: string[] = [];
/** Each CLI command is a new Node process compiling TypeScript: seconds apiece on a busy machine. */
const slow = { timeout: 180_000 };

/** One CLI process; `stderrSeen` resolves once its standard error holds the text. */
function gatehouse(
  args: string[],
  options: { dataDir: string; config?: string; stdin?: string },
): { done: Promise<Run>; stderrSeen: (text: string) => Promise<void> } {
  const p = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      entry,
      ...args,
      '--data-dir',
      options.dataDir,
      ...(options.config ? ['--config', options.config] : []),
    ],
    { env, cwd: repoRoot },
  );
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  p.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    for (const w of waiters.splice(0)) {
      if (stderr.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  p.stdin.end(options.stdin ?? '');
  const done = new Promise<Run>((resolve) =>
    p.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    }),
  );
  return {
    done,
    stderrSeen: (text) =>
      stderr.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve })),
  };
}

function json(run: Run): unknown {
  try {
    return JSON.parse(run.stdout) as unknown;
  } catch {
    throw new Error(`no JSON (exit ${run.code}): ${run.stdout}${run.stderr}`);
  }
}

const viewOf = (run: Run): CertView => json(run) as CertView;

/** Every file under `root` (recursively). */
function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((rel) => path.join(root, rel))
    .filter((file) => fs.lstatSync(file).isFile());
}

afterAll(() => {
  // Whatever any command printed, the HMAC key was not in it.
  for (const text of outputs) expect(text).not.toContain(hmacKey);
});

describe('gatehouse cert offline (no server)', () => {
  let dir: string;
  let dataDir: string;
  let config: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-cert-'));
    dataDir = path.join(dir, 'data');
    config = path.join(dir, 'gatehouse.json');
    fs.writeFileSync(config, JSON.stringify(acmeConfig));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[], stdin?: string) =>
    gatehouse(args, { dataDir, config, ...(stdin === undefined ? {} : { stdin }) }).done;

  it('status with nothing set up makes no data directory', slow, async () => {
    const text = await cli(['cert', 'status']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain('Nothing is set up yet');
    const asJson = await cli(['cert', 'status', '--json']);
    expect(asJson.code).toBe(1);
    expect(json(asJson)).toMatchObject({ error: { code: 'cert.not-initialized' } });
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('names and key type are saved; orders need the server (exit 1 with what to do)', slow, async () => {
    const issue = await cli(['cert', 'issue', '--name', 'home.example.test', '--challenge', 'http-01']);
    expect(issue.code).toBe(1);
    expect(issue.stdout).toBe('');
    expect(issue.stderr).toBe(
      'gatehouse: Gatehouse is not running: start it (the order needs its port-80 listener and serves the result)\n' +
        '  what to do: start the server (`gatehouse serve`, or its system service), then run the command again\n' +
        '  The settings given with this command were saved.\n',
    );
    // Only the key type changes: the names and the challenge stay.
    expect((await cli(['cert', 'issue', '--key-type', 'rsa-2048'])).code).toBe(1);
    const view = viewOf(await cli(['cert', 'status', '--json']));
    expect(view.certificate).toEqual({
      names: ['home.example.test'],
      challenge: 'http-01',
      keyType: 'rsa-2048',
    });
    expect(view.account).toBeNull();
    const text = await cli(['cert', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^The server is not running: this is what the store holds\./);
    expect(text.stdout).toContain('Names:      home.example.test (challenge: http-01, key: rsa-2048)\n');
    expect(text.stdout).toContain('Current:    none issued yet\n');

    const renew = await cli(['cert', 'renew', '--json']);
    expect(renew.code).toBe(1);
    expect(json(renew)).toMatchObject({ error: { code: 'cert.server-not-running' } });
    // Each command gave the data directory's lock back.
    expect(fs.existsSync(path.join(dataDir, lockFileName))).toBe(false);
  });

  it('usage errors are exit 2 and change nothing', slow, async () => {
    for (const args of [
      ['cert', 'issue', '--eab-kid', 'kid-1'],
      ['cert', 'issue', '--directory', 'http://ca.example.test/dir'],
      ['cert', 'issue', '--challenge', 'tls-alpn-01'],
      ['cert', 'issue', '--email', 'a@example.test'],
      ['cert', 'issue', '--ca-bundle', path.join(dir, 'missing.pem')],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    // None of them changed the certificate settings (the one that needed the setup read it from the store).
    expect(viewOf(await cli(['cert', 'status', '--json']))).toMatchObject({
      account: null,
      certificate: null,
    });
  });

  it(
    'a CA that cannot be reached: exit 1 with what to do; the HMAC key is not printed nor stored',
    slow,
    async () => {
      const r = await cli(
        [
          'cert',
          'issue',
          '--directory',
          'https://127.0.0.1:1/directory',
          '--email',
          'admin@example.test',
          '--agree-tos',
          '--eab-kid',
          'kid-1',
          '--eab-hmac-key-stdin',
          '--json',
        ],
        `${hmacKey}\n`,
      );
      expect(r.code).toBe(1);
      expect(json(r)).toMatchObject({
        error: {
          code: 'cert.ca-unreachable',
          message: expect.stringContaining('could not get the directory from the CA') as unknown,
          remedy: expect.stringContaining('Gatehouse could not reach the CA') as unknown,
        },
      });
      expect(r.stderr).toMatch(/^gatehouse: could not get the directory from the CA/);
      for (const file of filesUnder(dataDir)) expect(fs.readFileSync(file, 'utf8')).not.toContain(hmacKey);
      expect(viewOf(await cli(['cert', 'status', '--json'])).account).toBeNull();
    },
  );
});

describe('gatehouse cert online (control socket, scripted CA)', () => {
  let h: Harness;
  let cert: CertCapability;
  let control: Capability;
  let secrets: FakeSecrets;
  const ca = new FakeAcmeCa();
  const factoryInputs: Parameters<AcmeCaFactory>[0][] = [];
  let serial = 0x1000;

  beforeAll(async () => {
    // Validation over the real listener is the e2e suite's (pebble); here the CA accepts what it is told is ready.
    ca.validator = () => true;
    // A new serial per order, valid 90 days from now (the CLI reads "expires in" against its own clock).
    ca.chain = (names, csrPem) =>
      issueTestChain({
        names,
        csrPem,
        serial: (serial++).toString(16).padStart(4, '0'),
        notBefore: new Date(Date.now() - 3_600_000),
        notAfter: new Date(Date.now() + 90 * 86_400_000),
      });
    h = await createHarness({
      replace: (deps) => {
        secrets = new FakeSecrets(deps.clock);
        const ports: Ports = {
          clock: deps.clock,
          logger: deps.logger,
          files: nodePrivateFiles,
          runner: new FakeRunner(),
          fetch: globalThis.fetch,
          bus: createEventBus(deps.logger),
          secrets,
        };
        const settings = acmeSettingsSchema.parse(acmeConfig.acme);
        cert = createCert(ports, settings, {
          store: deps.store,
          alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
          dataDir: deps.dataDir,
          caFactory: (input) => {
            factoryInputs.push(input);
            return ca;
          },
          makeKeyAndCsr: (names) => Promise.resolve(makeTestKeyAndCsr(names)),
          http01Server: (tokens) =>
            createHttp01Server({ listen: settings.http01.listen, tokens, httpsPort: 8443 }),
        });
        return [cert];
      },
    });
    // The capability runs as in the server (its loop orders as soon as names are set), the socket last.
    await cert.start?.();
    control = controlSocket({
      dataDir: h.dataDir,
      logger: h.logger,
      capabilities: h.capabilities,
      status: () => Promise.reject(new Error('not in this test')),
    });
    await control.start?.();
  });
  afterAll(async () => {
    await control.stop?.();
    await cert.stop?.();
    h.cleanup();
  });
  const cli = (args: string[], stdin?: string) =>
    gatehouse(args, { dataDir: h.dataDir, ...(stdin === undefined ? {} : { stdin }) });

  it('status before anything is set up', slow, async () => {
    const view = viewOf(await cli(['cert', 'status', '--json']).done);
    expect(view).toMatchObject({
      account: null,
      certificate: null,
      current: null,
      serving: { kind: 'none' },
    });
    const text = await cli(['cert', 'status']).done;
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('not running');
    expect(text.stdout).toContain('No certificate is set up. Get one:\n');
  });

  it("the CA's terms are never agreed implicitly", slow, async () => {
    const r = await cli([
      'cert',
      'issue',
      '--directory',
      'https://ca.example.test/dir',
      '--email',
      'admin@example.test',
      '--name',
      'home.example.test',
    ]).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("agree to the CA's terms of service first (https://ca.example.test/terms)");
    expect(r.stderr).toContain('run the command again with --agree-tos');
    expect(ca.callsOf('ensureAccount')).toEqual([]);
    expect(h.store.read().cert.account).toBeNull();
    expect(h.store.read().cert.certificate).toBeNull();
  });

  let firstSerial = '';
  it('issue: account with EAB from stdin, names, order; exit 0 with the certificate', slow, async () => {
    const r = await cli(
      [
        'cert',
        'issue',
        '--directory',
        'https://ca.example.test/dir',
        '--email',
        'admin@example.test',
        '--agree-tos',
        '--eab-kid',
        'kid-7',
        '--eab-hmac-key-stdin',
        '--name',
        'home.example.test',
        '--challenge',
        'http-01',
      ],
      `${hmacKey}\n`,
    ).done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Issued a certificate for home\.example\.test \(issuer Fake Intermediate CA 1a2b3c, serial [0-9a-f]+, via http-01\): valid until .+ UTC, expires in (89|90) days\. The server serves it now\.\n$/,
    );
    const current = h.store.read().cert.current;
    expect(current?.names).toEqual(['home.example.test']);
    firstSerial = current?.serial ?? '';
    expect(r.stdout).toContain(`serial ${firstSerial},`);
    // The HMAC key went to the secrets port and to the CA, nowhere else.
    expect(await secrets.get(eabKeyName)).toEqual({ ok: true, value: hmacKey });
    expect(factoryInputs.some((i) => i.externalAccountBinding?.hmacKey === hmacKey)).toBe(true);
    expect(ca.callsOf('ensureAccount').at(-1)).toMatchObject({
      email: 'admin@example.test',
      termsAgreed: true,
    });
    for (const file of filesUnder(h.dataDir)) expect(fs.readFileSync(file, 'utf8')).not.toContain(hmacKey);
  });

  it('status: served certificate, expiry, renewal and why, challenge, account', slow, async () => {
    const r = await cli(['cert', 'status']).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Served: {5}the CA-issued certificate for home\.example\.test \(expires in (89|90) days\)\n/,
    );
    expect(r.stdout).toContain('Names:      home.example.test (challenge: http-01, key: ecdsa-p256)\n');
    expect(r.stdout).toContain('Issuer:     Fake Intermediate CA 1a2b3c\n');
    expect(r.stdout).toMatch(
      /\nRenewal: {4}waiting: Renews at .+ UTC, when a third of its lifetime remains\n/,
    );
    expect(r.stdout).toMatch(/\nChallenge: {2}http-01: /);
    expect(r.stdout).toContain('CA:         https://ca.example.test/dir\n');
    expect(r.stdout).toMatch(
      /\nAccount: {4}admin@example\.test, terms agreed .+, EAB key id kid-7, registered\n/,
    );
    const view = viewOf(await cli(['cert', 'status', '--json']).done);
    expect(view.account).toMatchObject({ eabKid: 'kid-7', eabHmacKeySet: true });
    expect(JSON.stringify(view)).not.toContain(hmacKey);
  });

  let secondSerial = '';
  it('renew --json: a new certificate', slow, async () => {
    const r = await cli(['cert', 'renew', '--json']).done;
    expect(r.code, r.stderr).toBe(0);
    const answer = json(r) as { ok: true; current: { serial: string; names: string[] } };
    expect(answer.ok).toBe(true);
    expect(answer.current.names).toEqual(['home.example.test']);
    expect(answer.current.serial).not.toBe(firstSerial);
    secondSerial = answer.current.serial;
    expect(h.store.read().cert.current?.serial).toBe(secondSerial);
  });

  it(
    'a failing renewal: exit 1 with kind, message and what to do; the certificate keeps serving',
    slow,
    async () => {
      ca.fail('finalize', {
        kind: 'rejected',
        message: 'a CAA record forbids this CA for home.example.test',
      });
      const r = await cli(['cert', 'renew']).done;
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(
        'gatehouse: renewing the certificate failed (rejected, http-01): the CA did not issue the certificate for home.example.test: a CAA record forbids this CA for home.example.test\n',
      );
      expect(r.stderr).toContain('  what to do: The CA refused the order: its message says why');
      expect(r.stderr).toContain('  The previous certificate keeps serving.\n');
      expect(h.store.read().cert.current?.serial).toBe(secondSerial);
      const status = await cli(['cert', 'status']).done;
      expect(status.stdout).toMatch(
        /\nLast error: .+ UTC, rejected \(http-01\), 1 failure in a row: .*a CAA record forbids this CA for home\.example\.test\n/,
      );
    },
  );

  it('an order the server already runs is waited for and its outcome told', slow, async () => {
    const gate = ca.hold('finalize');
    const running = cert.manager.run('renew', { wait: true, by: systemActor });
    await gate.reached;
    // The CLI's request reaches the manager while the order runs: it waits for that order, starts none.
    const manager = cert.manager;
    const run = manager.run.bind(manager);
    const asked = new Promise<void>((resolve) => {
      manager.run = (...args) => {
        resolve();
        return run(...args);
      };
    });
    const orders = ca.callsOf('newOrder').length;
    const cli1 = cli(['cert', 'renew']);
    await asked;
    gate.release();
    const r = await cli1.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Renewed the certificate for home\.example\.test /);
    const ours = await running;
    expect(ours.ok && ours.value).toMatchObject({ ok: true });
    expect(r.stdout).toContain(`serial ${h.store.read().cert.current?.serial ?? '?'},`);
    expect(h.store.read().cert.current?.serial).not.toBe(secondSerial);
    expect(ca.callsOf('newOrder')).toHaveLength(orders);
  });
});

describe('gatehouse cert against a real `gatehouse serve`', () => {
  let dir: string;
  let dataDir: string;
  let config: string;
  let server: ChildProcess | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-cert-serve-'));
    dataDir = path.join(dir, 'data');
    config = path.join(dir, 'gatehouse.json');
    fs.writeFileSync(config, JSON.stringify(acmeConfig));
  });
  afterEach(() => {
    // Only the server this file started, by its PID.
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it(
    'status online; names saved on the server; an order without a CA account says how to set one up',
    slow,
    async () => {
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
          config,
          '--listen',
          '127.0.0.1:0',
        ],
        { env, cwd: repoRoot },
      );
      server = child;
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
      const cli = (args: string[]) => gatehouse(args, { dataDir, config }).done;

      const status = await cli(['cert', 'status']);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^Served: {5}nothing: the web UI listens on plain HTTP\n/);

      const issue = await cli(['cert', 'issue', '--name', 'home.example.test']);
      expect(issue.code).toBe(1);
      expect(issue.stderr).toContain('gatehouse: choose a CA and agree to its terms first');
      expect(issue.stderr).toContain(
        'what to do: choose a CA and agree to its terms: gatehouse cert issue --directory letsencrypt --email you@example.com --agree-tos\n',
      );
      expect(issue.stderr).toContain('The settings given with this command were saved.\n');
      const view = viewOf(await cli(['cert', 'status', '--json']));
      expect(view.certificate).toEqual({
        names: ['home.example.test'],
        challenge: 'auto',
        keyType: 'ecdsa-p256',
      });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    },
  );
});

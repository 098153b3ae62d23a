/**
 * @module The listen address as a user types it, on real processes and sockets: invalid ones are refused naming the
 * setting before anything is written, valid unusual spellings work, and the bootstrap certificate on disk always
 * parses (one that does not is replaced, with a warning).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config/index.js';
import { FatalStartupError } from '../../src/core/errors.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { ensureBootstrapCertificate } from '../../src/cert/bootstrap.js';
import { captureLog } from '../support/log-capture.js';
import { testConfig } from '../support/config.js';

const entry = path.join(import.meta.dirname, '..', 'support', 'cli-entry.ts');
let dir: string;
let gh: Gatehouse | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-listen-'));
});
afterEach(async () => {
  await gh?.stop();
  gh = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string> = {}, prefix: string[] = []) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const argv = [process.execPath, '--import', 'tsx', entry, ...args];
    const [cmd, ...rest] = [...prefix, ...argv];
    const p = spawn(cmd ?? process.execPath, rest, {
      env: { ...process.env, GATEHOUSE_REACHABILITY: 'off', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The config `serve` would build from this listen flag, on the test's data directory. */
function configFor(listen: string): AppConfig {
  const r = loadConfig({ flags: { listen }, env: {}, cwd: dir, readFile: () => undefined });
  if (!r.ok) throw new Error(r.error.message);
  return { ...testConfig({ dataDir: dir }), listen: r.value.listen, tls: r.value.tls };
}

function httpsGet(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, agent: false, headers: { host: '127.0.0.1' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('an invalid listen address', () => {
  it('--listen 256.1.1.1:P is a usage error naming --listen; nothing is written to the data directory', async () => {
    const r = await runCli(['serve', '--data-dir', dir, '--listen', '256.1.1.1:8443']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--listen: "256.1.1.1" is not a valid IPv4 address');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('GATEHOUSE_LISTEN=256.1.1.1:P fails naming the variable', async () => {
    const r = await runCli(['serve', '--data-dir', dir], { GATEHOUSE_LISTEN: '256.1.1.1:8443' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('GATEHOUSE_LISTEN: "256.1.1.1" is not a valid IPv4 address');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a host name that does not resolve fails naming --listen, before data/tls exists', async () => {
    // A network namespace of its own: the name lookup fails at once and no query leaves this machine.
    const r = await runCli(['serve', '--data-dir', dir, '--listen', 'nosuch.invalid:8443'], {}, [
      'unshare',
      '--net',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot resolve the listen host "nosuch\.invalid" \(\S+; --listen, GATEHOUSE_LISTEN\)/,
    );
    expect(r.stderr).not.toMatch(/\bat \S+:\d+:\d+/);
    expect(fs.existsSync(path.join(dir, 'tls'))).toBe(false);
  });
});

describe('an address this machine does not have', () => {
  it('fails naming --listen before data/tls exists', async () => {
    const config = { ...testConfig({ dataDir: dir }), listen: { host: '198.51.100.77', port: 0 }, tls: true };
    const started = startGatehouse(config, { processMetrics: false });
    await expect(started).rejects.toThrow(FatalStartupError);
    await expect(started).rejects.toThrow(/198\.51\.100\.77.*this machine has no such address.*--listen/);
    expect(fs.existsSync(path.join(dir, 'tls'))).toBe(false);
  });

  it('a port another program uses is named with the setting', async () => {
    gh = await startGatehouse(configFor('127.0.0.1:0'), { processMetrics: false });
    const second = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-listen-2-'));
    try {
      const config = {
        ...testConfig({ dataDir: second }),
        listen: { host: '127.0.0.1', port: gh.server.port },
      };
      await expect(startGatehouse(config, { processMetrics: false })).rejects.toThrow(
        /another program already uses it \(--listen, GATEHOUSE_LISTEN\)/,
      );
    } finally {
      fs.rmSync(second, { recursive: true, force: true });
    }
  });
});

describe('valid listen addresses in unusual spellings', () => {
  it.each([
    ['[::ffff:127.0.0.1]:0', 'http'],
    ['127.1:0', 'http'],
  ])('%s starts and serves %s', async (listen, scheme) => {
    gh = await startGatehouse(configFor(listen), { processMetrics: false });
    expect(gh.server.url.startsWith(`${scheme}://`)).toBe(true);
    const res = await fetch(`http://127.0.0.1:${gh.server.port}/healthz`);
    expect(res.status).toBe(200);
  });

  it('0:P listens on every IPv4 address over HTTPS with a certificate that parses', async () => {
    const log = captureLog();
    gh = await startGatehouse(configFor('0:0'), {
      processMetrics: false,
      logDestination: log.destination,
    });
    expect(gh.server.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
    const cert = fs.readFileSync(path.join(dir, 'tls', 'bootstrap.crt'), 'utf8');
    expect(await httpsGet(`https://127.0.0.1:${gh.server.port}/healthz`, cert)).toBe(200);
  });
});

describe('the bootstrap certificate on disk', () => {
  it('one that does not parse is replaced at start, with a warning naming the file', async () => {
    fs.mkdirSync(path.join(dir, 'tls'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'tls', 'bootstrap.key'), 'not a key\n', { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'tls', 'bootstrap.crt'), '-----BEGIN CERTIFICATE-----\nAAAA\n', {
      mode: 0o600,
    });
    const log = captureLog();
    const config = { ...testConfig({ dataDir: dir }), tls: true, logLevel: 'info' as const };
    gh = await startGatehouse(config, { processMetrics: false, logDestination: log.destination });
    const warning = log.lines.find((l) => l.level === 40 && /bootstrap certificate/.test(String(l.msg)));
    expect(warning?.msg).toMatch(/could not be read; made a new one/);
    expect(String(warning?.reason)).toMatch(/bootstrap\.crt/);
    const cert = fs.readFileSync(path.join(dir, 'tls', 'bootstrap.crt'), 'utf8');
    expect(await httpsGet(`${gh.server.url}/healthz`, cert)).toBe(200);
  });

  it('one that would not parse is never written: the failure names --listen and leaves no files', () => {
    const attempt = () =>
      ensureBootstrapCertificate(
        nodePrivateFiles,
        dir,
        { hostname: 'box', listenHost: '256.1.1.1' },
        new Date('2026-11-28T10:00:00.000Z'),
      );
    expect(attempt).toThrow(FatalStartupError);
    expect(attempt).toThrow(/--listen/);
    expect(fs.existsSync(path.join(dir, 'tls', 'bootstrap.crt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'tls', 'bootstrap.key'))).toBe(false);
  });
});

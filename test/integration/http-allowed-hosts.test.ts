/**
 * @module The Host header against DNS rebinding: only the box's own names and addresses (the listen address,
 * loopback, its interfaces, configured names, names a capability provides) are served; any other host gets 421 in
 * the JSON error shape, before any route (the anonymous ones included) or the CSRF check sees the request.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { createHostAllowList, hostOf } from '../../src/http/allowed-hosts.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { expectError, harnessPerTest } from '../support/api-helpers.js';
import { testConfig } from '../support/config.js';

const createHarness = harnessPerTest();

describe('the harness app (configured name gatehouse.test)', () => {
  it.each([
    ['a rebinding name', 'evil.example'],
    ['a rebinding name with the port', 'evil.example:8080'],
    ['a look-alike', 'gatehouse.test.evil.example'],
    ['an address that is not the box', '198.51.100.99'],
    ['an empty host', ''],
  ])('%s (%j) gets 421 http.unknown-host on anonymous routes, health and the UI', async (_what, host) => {
    const h = await createHarness();
    for (const [method, route] of [
      ['GET', '/api/v1/setup'],
      ['POST', '/api/v1/auth/login'],
      ['GET', '/healthz'],
      ['GET', '/'],
    ] as const) {
      const res = await h.request(method, route, {
        headers: { host, origin: `http://${host}` },
        ...(method === 'POST' ? { body: { username: 'admin', password: 'x' } } : {}),
      });
      const body = await expectError(res, 421, 'http.unknown-host');
      expect(body.error.message).toMatch(/allowedHosts/);
    }
    const metrics = await h.metrics.registry.getSingleMetricAsString('gatehouse_http_requests_total');
    expect(metrics).toMatch(/status="421"/);
    // Nothing reached the auth service.
    expect(h.logger.lines.filter((l) => l.msg === 'login lockout')).toEqual([]);
  });

  it.each([
    'gatehouse.test',
    'GATEHOUSE.test.',
    'gatehouse.test:8080',
    'localhost',
    'localhost:8080',
    'ui.localhost:8080',
    '127.0.0.1:8080',
    '127.8.9.10',
    '[::1]:8080',
    '[::ffff:127.0.0.1]',
  ])('%s is served', async (host) => {
    const h = await createHarness();
    const res = await h.request('GET', '/api/v1/setup', { headers: { host } });
    expect(res.status).toBe(200);
  });
});

describe('names a capability provides (e.g. the DDNS hostnames)', () => {
  it('are served once the capability has them, read at each request', async () => {
    let names: string[] = [];
    // Stands in for a capability with hostnames of its own (DDNS); the harness swaps it in by id.
    const h = await createHarness({ replace: () => [{ id: 'reachability', hostNames: () => names }] });
    await expectError(
      await h.request('GET', '/api/v1/setup', { headers: { host: 'home.example.net' } }),
      421,
      'http.unknown-host',
    );
    names = ['home.example.net'];
    expect((await h.request('GET', '/api/v1/setup', { headers: { host: 'home.example.net' } })).status).toBe(
      200,
    );
  });
});

describe('hostOf', () => {
  it.each([
    ['gatehouse.test', 'gatehouse.test'],
    ['Gatehouse.Test.:443', 'gatehouse.test'],
    ['[2001:DB8::1]:8443', '2001:db8::1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['127.1', '127.0.0.1'],
    ['a b', undefined],
    ['[nope]:80', undefined],
    ['', undefined],
  ])('%j → %j', (header, expected) => {
    expect(hostOf(header)).toBe(expected);
  });
});

describe('createHostAllowList', () => {
  it('knows the listen host, configured names, own addresses, and names a provider adds later (DDNS)', () => {
    let own = ['198.51.100.4'];
    const hosts = createHostAllowList({
      listenHost: 'box.lan',
      configured: ['gatehouse.example.net'],
      machineNames: ['box'],
      ownAddresses: () => own,
    });
    expect(hosts.allows('box.lan')).toBe(true);
    expect(hosts.allows('box:8443')).toBe(true);
    expect(hosts.allows('gatehouse.example.net')).toBe(true);
    expect(hosts.allows('198.51.100.4:8443')).toBe(true);
    expect(hosts.allows('ddns.example.org')).toBe(false);
    hosts.provide(() => ['ddns.example.org']);
    expect(hosts.allows('ddns.example.org')).toBe(true);
    // Own addresses are read when asked: a new address on an interface is served without a restart.
    own = ['198.51.100.5'];
    expect(hosts.allows('198.51.100.5')).toBe(true);
    expect(hosts.allows('198.51.100.4')).toBe(false);
  });
});

describe('the setting', () => {
  const load = (env: Record<string, string>, file?: string) =>
    loadConfig({
      flags: file === undefined ? {} : { config: 'c.json' },
      env,
      cwd: '/',
      readFile: () => file,
    });

  it('GATEHOUSE_ALLOWED_HOSTS is a comma-separated list; the config file key is an array', () => {
    const fromEnv = load({ GATEHOUSE_ALLOWED_HOSTS: 'gatehouse.example.net, [2001:db8::1] ,box.lan' });
    expect(fromEnv.ok && fromEnv.value.allowedHosts).toEqual([
      'gatehouse.example.net',
      '2001:db8::1',
      'box.lan',
    ]);
    const fromFile = load({}, '{"allowedHosts":["gatehouse.example.net"]}');
    expect(fromFile.ok && fromFile.value.allowedHosts).toEqual(['gatehouse.example.net']);
    const fromFlag = loadConfig({
      flags: { allowedHosts: 'ui.example.net' },
      env: {},
      cwd: '/',
      readFile: () => undefined,
    });
    expect(fromFlag.ok && fromFlag.value.allowedHosts).toEqual(['ui.example.net']);
    const none = load({});
    expect(none.ok && none.value.allowedHosts).toEqual([]);
  });

  it('an entry that is not a host name or address is refused naming the setting', () => {
    const r = load({ GATEHOUSE_ALLOWED_HOSTS: 'ok.example,bad_host' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^environment: GATEHOUSE_ALLOWED_HOSTS.*"bad_host"/);
  });
});

describe('a real server on loopback', () => {
  let dir: string;
  let gh: Gatehouse | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-hosts-'));
  });
  afterEach(async () => {
    await gh?.stop();
    gh = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function get(port: number, host: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/api/v1/setup', headers: { host }, agent: false }, (res) => {
          let body = '';
          res.on('data', (b: Buffer) => (body += b.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  it('serves its own names and addresses, refuses a rebinding name with 421', async () => {
    gh = await startGatehouse(
      { ...testConfig({ dataDir: dir }), allowedHosts: ['gatehouse.example.net'] },
      { processMetrics: false },
    );
    const port = gh.server.port;
    expect((await get(port, `127.0.0.1:${port}`)).status).toBe(200);
    expect((await get(port, `localhost:${port}`)).status).toBe(200);
    expect((await get(port, 'gatehouse.example.net')).status).toBe(200);
    expect((await get(port, os.hostname())).status).toBe(200);
    const own = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a !== undefined && !a.internal && a.family === 'IPv4');
    if (own) expect((await get(port, `${own.address}:${port}`)).status).toBe(200);
    const rebound = await get(port, `rebind.evil.example:${port}`);
    expect(rebound.status).toBe(421);
    expect(JSON.parse(rebound.body)).toEqual({
      error: { code: 'http.unknown-host', message: expect.stringContaining('rebind.evil.example') },
    });
  });
});

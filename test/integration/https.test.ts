import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import type { AppConfig } from '../../src/config/index.js';
import { testConfig } from '../support/config.js';
import { createSelfSignedCertificate, fingerprintSha256 } from '../../src/cert/bootstrap.js';

let dir: string;
let gh: Gatehouse | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-https-'));
});
afterEach(async () => {
  await gh?.stop();
  gh = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const config = (over: Partial<AppConfig> = {}): AppConfig => testConfig({ dataDir: dir, tls: true, ...over });

function get(
  url: string,
  ca: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; peerFingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false }, (res) => {
      const socket: unknown = res.socket;
      const peerFingerprint =
        socket instanceof tls.TLSSocket ? socket.getPeerCertificate().fingerprint256 : '';
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peerFingerprint }),
      );
    });
    req.on('error', reject);
  });
}

describe('HTTPS listening', () => {
  it('serves HTTPS with a self-signed bootstrap certificate (key 0600), reused on restart', async () => {
    gh = await startGatehouse(config(), { processMetrics: false });
    expect(gh.server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const keyFile = path.join(dir, 'tls', 'bootstrap.key');
    const cert = fs.readFileSync(path.join(dir, 'tls', 'bootstrap.crt'), 'utf8');
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

    const res = await get(`${gh.server.url}/healthz`, cert);
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.peerFingerprint).toBe(fingerprintSha256(cert));

    // A plain-HTTP client cannot talk to it.
    await expect(fetch(gh.server.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();

    // An untrusted client refuses the self-signed certificate (nothing is silently trusted).
    await expect(get(`${gh.server.url}/healthz`, '')).rejects.toThrow();

    await gh.stop();
    gh = await startGatehouse(config(), { processMetrics: false });
    expect(fs.readFileSync(path.join(dir, 'tls', 'bootstrap.crt'), 'utf8')).toBe(cert);
  });

  it('replaces a bootstrap certificate that is about to expire', async () => {
    const old = createSelfSignedCertificate({
      commonName: 'old',
      dnsNames: ['localhost'],
      ipAddresses: ['127.0.0.1'],
      now: new Date(),
      validDays: 10,
    });
    fs.mkdirSync(path.join(dir, 'tls'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tls', 'bootstrap.key'), old.key, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'tls', 'bootstrap.crt'), old.cert);
    gh = await startGatehouse(config(), { processMetrics: false });
    const current = fs.readFileSync(path.join(dir, 'tls', 'bootstrap.crt'), 'utf8');
    expect(current).not.toBe(old.cert);
    const res = await get(`${gh.server.url}/healthz`, current);
    expect(res.peerFingerprint).toBe(fingerprintSha256(current));
  });

  it('swaps the certificate live: new connections get the new one without a restart', async () => {
    gh = await startGatehouse(config(), { processMetrics: false });
    const next = createSelfSignedCertificate({
      commonName: 'gatehouse.example',
      dnsNames: ['gatehouse.example'],
      ipAddresses: ['127.0.0.1'],
      now: new Date(),
      validDays: 10,
    });
    gh.server.replaceCertificate(next);
    const res = await get(`${gh.server.url}/healthz`, next.cert);
    expect(res.status).toBe(200);
    expect(res.peerFingerprint).toBe(fingerprintSha256(next.cert));
  });

  it('plain HTTP on loopback sets no HSTS and refuses a certificate swap', async () => {
    gh = await startGatehouse(config({ tls: false }), { processMetrics: false });
    const res = await fetch(`${gh.server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('strict-transport-security')).toBeNull();
    expect(() => gh?.server.replaceCertificate({ key: '', cert: '' })).toThrow(/plain HTTP/);
  });

  it('the status card shows the address the server really listens on (port 0 picks a free one)', async () => {
    gh = await startGatehouse(config({ tls: false }), { processMetrics: false });
    const setupToken = gh.auth.pendingSetupToken() ?? '';
    const origin = gh.server.url;
    const setup = await fetch(`${origin}/api/v1/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ setupToken, username: 'admin', password: 'long enough password' }),
    });
    expect(setup.status).toBe(201);
    const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const status = await fetch(`${origin}/api/v1/status`, { headers: { cookie } });
    const body = (await status.json()) as {
      cards: { id: string; facts: { label: string; value: string }[] }[];
    };
    const system = body.cards.find((c) => c.id === 'system');
    expect(system?.facts).toContainEqual({ label: 'Listening on', value: gh.server.url });
    expect(gh.server.url).not.toMatch(/:0$/);
  });
});

/**
 * @module What only some paths use is loaded when they run, not at start (a 1 GB box): nodemailer, node-forge,
 * prom-client, qrcode and acme-client, checked in a process of its own step by step.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { ensureBootstrapCertificate } from '../../src/cert/bootstrap.js';

interface Step {
  readonly step: string;
  readonly loaded: string[];
}

let dir: string;
let steps: Step[];
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lazy-'));
  // The certificate a previous start left behind.
  ensureBootstrapCertificate(
    nodePrivateFiles,
    dir,
    { hostname: os.hostname(), listenHost: '0.0.0.0' },
    new Date(),
  );
  const probe = path.join(import.meta.dirname, '..', 'support', 'lazy-loading-probe.ts');
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', probe, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`probe exited with ${String(code)}: ${stderr}`));
    });
  });
  steps = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Step);
}, 60_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('lazily loaded packages', () => {
  it('are not loaded by starting code, reusing a certificate, counting metrics or building a notifier', () => {
    expect(steps.slice(0, 4)).toEqual([
      { step: 'import the CLI and the composition root', loaded: [] },
      { step: 'reuse the bootstrap certificate (created: false)', loaded: [] },
      { step: 'count requests and logins', loaded: [] },
      { step: 'build an email notifier', loaded: [] },
    ]);
  });

  it('are loaded by the path that needs each (the probe sees them when they are there)', () => {
    expect(steps.slice(4)).toEqual([
      { step: 'scrape /metrics', loaded: ['prom-client'] },
      { step: 'create a certificate', loaded: ['node-forge', 'prom-client'] },
      { step: 'send an email', loaded: ['nodemailer', 'node-forge', 'prom-client'] },
      { step: 'draw a TOTP QR code', loaded: ['nodemailer', 'node-forge', 'prom-client', 'qrcode'] },
    ]);
  });
});

/**
 * @module README promises about the data directory and the bootstrap certificate, on a real server: every
 * directory 0700 and every file 0600 (store, lock, setup token, TLS key and certificate), and the certificate's
 * SHA-256 fingerprint in the log so it can be checked in the browser.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { fingerprintSha256 } from '../../src/cert/bootstrap.js';
import { testConfig } from '../support/config.js';
import { captureLog } from '../support/log-capture.js';

let dir: string;
let gh: Gatehouse | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-datadir-'));
});
afterEach(async () => {
  await gh?.stop();
  gh = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every path under `root` with its permission bits, directories marked with a trailing slash. */
function modes(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const rel = path.relative(root, full);
      const mode = (fs.statSync(full).mode & 0o777).toString(8);
      if (entry.isDirectory()) {
        out[`${rel}/`] = mode;
        walk(full);
      } else {
        out[rel] = mode;
      }
    }
  };
  out['./'] = (fs.statSync(root).mode & 0o777).toString(8);
  walk(root);
  return out;
}

describe('the data directory (README: "directory 0700, files 0600")', () => {
  it('holds only 0700 directories and 0600 files after a first HTTPS start', async () => {
    const dataDir = path.join(dir, 'data'); // created by Gatehouse itself
    gh = await startGatehouse(testConfig({ dataDir, tls: true, logLevel: 'info' }), {
      processMetrics: false,
      logDestination: captureLog().destination,
    });
    const seen = modes(dataDir);
    // The files the README names are there…
    expect(Object.keys(seen)).toEqual(
      expect.arrayContaining([
        './',
        'tls/',
        'tls/bootstrap.key',
        'tls/bootstrap.crt',
        'gatehouse.json',
        'setup-token',
      ]),
    );
    // …and nothing is readable by anyone else.
    for (const [name, mode] of Object.entries(seen)) {
      expect({ name, mode }).toEqual({ name, mode: name.endsWith('/') ? '700' : '600' });
    }
  });

  it('logs the bootstrap certificate’s SHA-256 fingerprint, the one the browser shows', async () => {
    const log = captureLog();
    gh = await startGatehouse(testConfig({ dataDir: dir, tls: true, logLevel: 'info' }), {
      processMetrics: false,
      logDestination: log.destination,
    });
    const cert = fs.readFileSync(path.join(dir, 'tls', 'bootstrap.crt'), 'utf8');
    const fingerprint = fingerprintSha256(cert);
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const logged = log.lines.filter((l) => l.fingerprintSha256 !== undefined);
    expect(logged.map((l) => l.msg)).toEqual([
      'created a self-signed bootstrap certificate',
      'HTTPS uses a self-signed certificate until an ACME certificate replaces it; check this fingerprint in your browser',
    ]);
    for (const l of logged) expect(l.fingerprintSha256).toBe(fingerprint);

    // On a restart the certificate is reused and the fingerprint is logged again (not "created").
    await gh.stop();
    const again = captureLog();
    gh = await startGatehouse(testConfig({ dataDir: dir, tls: true, logLevel: 'info' }), {
      processMetrics: false,
      logDestination: again.destination,
    });
    expect(again.lines.filter((l) => l.fingerprintSha256 === fingerprint).map((l) => l.msg)).toEqual([
      'HTTPS uses a self-signed certificate until an ACME certificate replaces it; check this fingerprint in your browser',
    ]);
  });
});

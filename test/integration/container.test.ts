/**
 * @module The Dockerfile's promises, checked without a Docker engine (none runs on the development machines): its
 * environment gives HTTPS on 0.0.0.0:8443 with data in /data, the runtime image carries the system tools later
 * capabilities need, and its HEALTHCHECK command really tells a serving Gatehouse from a dead one.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { testConfig } from '../support/config.js';

const dockerfile = fs.readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
/** The Dockerfile with continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
const runtime = instructions.slice(instructions.findIndex((l) => /^FROM .* AS runtime$/.test(l)));

/** `ENV A=1 B=2` of the runtime stage as a record. */
function runtimeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of runtime.filter((l) => l.startsWith('ENV '))) {
    for (const m of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[m[1] ?? ''] = m[2] ?? '';
  }
  return env;
}

describe('Dockerfile', () => {
  it('serves HTTPS on 0.0.0.0:8443 with its data in /data', () => {
    const config = loadConfig({ flags: {}, env: runtimeEnv(), cwd: '/app', readFile: () => undefined });
    expect(config.ok && config.value).toMatchObject({
      listen: { host: '0.0.0.0', port: 8443 },
      tls: true,
      dataDir: '/data',
    });
    expect(runtime).toContain('EXPOSE 8443/tcp 51820/udp');
    expect(runtime).toContain('VOLUME ["/data"]');
    expect(runtime).toContain('CMD ["serve"]');
  });

  it('installs the system tools the README names, without recommends', () => {
    const install = runtime.find((l) => l.includes('apt-get install'));
    expect(install).toContain('--no-install-recommends');
    for (const pkg of ['wireguard-tools', 'wireguard-go', 'nftables', 'iproute2', 'traceroute', 'tini'])
      expect(install?.split(/\s+/)).toContain(pkg);
  });

  describe('HEALTHCHECK', () => {
    const line = runtime.find((l) => l.startsWith('HEALTHCHECK '));
    const script = /CMD node -e "(.*)"$/.exec(line ?? '')?.[1];
    let dir: string;
    let gh: Gatehouse;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-container-'));
      gh = await startGatehouse(testConfig({ dataDir: dir, tls: true }), { processMetrics: false });
    });
    afterAll(async () => {
      await gh.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    /** Runs the health check command (asynchronously: the server answering it lives in this process). */
    const check = (listen: string) =>
      new Promise<number | null>((resolve) => {
        const child = execFile(process.execPath, ['-e', script ?? 'process.exit(9)'], {
          env: { ...process.env, GATEHOUSE_LISTEN: listen },
          timeout: 20_000,
        });
        child.on('exit', (code) => resolve(code));
      });

    it('passes against a serving Gatehouse (HTTPS, self-signed)', async () => {
      // The liveness route itself: an unknown path may answer 200 with the web UI's page.
      expect(script).toContain("path:'/healthz'");
      expect(await check(`0.0.0.0:${new URL(gh.server.url).port}`)).toBe(0);
    });

    it('fails when nothing answers on the port', async () => {
      // A port that was just free: bind, read, close.
      const net = await import('node:net');
      const port = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as { port: number }).port;
          s.close(() => resolve(p));
        });
      });
      expect(await check(`0.0.0.0:${port}`)).toBe(1);
    });
  });
});

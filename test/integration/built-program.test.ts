/**
 * @module The program as it ships: `bin/gatehouse.js` running the esbuild bundle in dist/server/ (scripts/build-server.js),
 * not the sources the other tests import. It must find what it finds from `import.meta.url` (the version in
 * package.json, the UI in web/dist), keep the start-up packages inside the bundle, keep the lazily loaded ones out of
 * it and unloaded, serve, answer `gatehouse status` through the control socket, and stop cleanly on SIGTERM.
 * Builds dist/server first when it is missing or older than the sources.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const bin = path.join(repoRoot, 'bin', 'gatehouse.js');
const serverDir = path.join(repoRoot, 'dist', 'server');
const builtCli = path.join(serverDir, 'cli.js');
const version = (
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;
// Tests never reach public STUN or echo services.
const env = { ...process.env, GATEHOUSE_REACHABILITY: 'off' };
const lazyPackages = ['acme-client', 'nodemailer', 'prom-client', 'node-forge', 'qrcode'];
const bundledPackages = ['hono', '@hono/node-server', '@hono/zod-openapi', 'zod', 'lowdb', 'otpauth'];

function newestMtime(file: string): number {
  const stat = fs.statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(file).map((f) => newestMtime(path.join(file, f))));
}

let dir: string;
let bundleText: string;
beforeAll(() => {
  const sources = ['src', 'scripts/build-server.js', 'package.json'].map((s) => path.join(repoRoot, s));
  const built = fs.existsSync(builtCli) ? fs.statSync(builtCli).mtimeMs : 0;
  if (sources.some((s) => newestMtime(s) > built)) {
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-server.js')], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`build-server failed: ${r.stderr}`);
  }
  bundleText = fs
    .readdirSync(serverDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => fs.readFileSync(path.join(serverDir, f), 'utf8'))
    .join('\n');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-built-'));
}, 60_000);
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...nodeArgs, ...args], { env, cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Imports the built CLI the way bin/gatehouse.js does, with a resolve hook reporting every module URL it resolves
// (CommonJS ones through require.cache), and prints them as JSON.
const importProbe = `
import { createRequire, register } from 'node:module';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const hook = 'let port; export function initialize(d) { port = d.port; } ' +
  'export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }';
register('data:text/javascript,' + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
await import(process.argv[1]);
const urls = [];
for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) urls.push(String(m.message));
console.log(JSON.stringify([...urls, ...Object.keys(createRequire(import.meta.url).cache)]));
`;

describe('the built program (dist/server)', () => {
  it('is what bin/gatehouse.js runs, and reports the version of package.json', async () => {
    expect(fs.readFileSync(bin, 'utf8')).toContain("'../dist/server/cli.js'");
    const r = await run([bin, '--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('bundles the start-up packages and leaves the lazy ones out, imported only dynamically', async () => {
    const r = await run(['--input-type=module', '-e', importProbe, builtCli]);
    expect(r.code, r.stderr).toBe(0);
    const files = JSON.parse(r.stdout) as string[];
    const fromNodeModules = (p: string) => files.some((f) => f.includes(`/node_modules/${p}/`));
    // Started code loads none of the lazy packages …
    expect(lazyPackages.filter(fromNodeModules)).toEqual([]);
    // … and none of the bundled ones from node_modules: they are inside dist/server.
    expect(bundledPackages.filter(fromNodeModules)).toEqual([]);
    expect(files.some((f) => f.includes('/node_modules/pino/'))).toBe(true);
    for (const p of lazyPackages) {
      // esbuild writes a static import of an external package as `from"pkg"`; a lazy one is a call,
      // `import("pkg")` or node-forge's `require("node-forge")`.
      expect(bundleText, p).toContain(`("${p}")`);
      expect(bundleText, p).not.toMatch(new RegExp(`from\\s*"${p}"`));
    }
  });

  it('serves the API and the UI, answers status through the control socket, and stops on SIGTERM', async () => {
    const dataDir = path.join(dir, 'data');
    const child: ChildProcess = spawn(
      process.execPath,
      [bin, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'],
      { env, cwd: repoRoot },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let log = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', (b: Buffer) => {
          log += b.toString();
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"Gatehouse is listening"/.exec(log);
          if (m?.[1]) resolve(m[1]);
        });
        child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
        void exited.then((code) => reject(new Error(`serve exited (${code}) before listening:\n${log}`)));
      });

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      // The UI comes from web/dist, found two folders above the bundle as it is above src/http.
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const title = /<title>[^<]*<\/title>/.exec(
        fs.readFileSync(path.join(repoRoot, 'web', 'dist', 'index.html'), 'utf8'),
      );
      expect(title).not.toBeNull();
      expect(html).toContain(title?.[0]);
      // The API's guard and zod validation, both inside the bundle.
      const openapi = await fetch(`${url}/api/v1/openapi.json`);
      expect(openapi.status).toBe(401);
      expect(await openapi.json()).toMatchObject({ error: { code: 'auth.required' } });
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 1 }),
      });
      expect(login.status).toBe(400);
      expect(await login.json()).toMatchObject({
        error: { code: 'validation', message: expect.stringContaining('username') as unknown },
      });

      const status = await run([bin, 'status', '--json', '--data-dir', dataDir]);
      expect(JSON.parse(status.stdout)).toMatchObject({
        version,
        running: true,
        pid: child.pid,
        healthy: true,
        control: { state: 'answered' },
      });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'control.sock'))).toBe(false);
    } finally {
      // Only the server this test started, by its PID.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

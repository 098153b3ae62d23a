/**
 * @module Shared pieces for browser tests: where Chromium is, whether to skip, a built UI to serve, and a real
 * Gatehouse on 127.0.0.1:0 with reachability off (nothing reaches the public internet).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/index.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { skipReason } from '../support/skip.js';

export const chromiumPath = '/usr/bin/chromium';
export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const artifactsRoot = path.join(repoRoot, 'test-artifacts');
const sharedWebRoot = path.join(repoRoot, 'web', 'dist');

/** Why Chromium cannot run here, or undefined when it can. */
export const chromiumMissing = fs.existsSync(chromiumPath)
  ? undefined
  : `${chromiumPath} not found (apt-get install chromium)`;

/** The reason a browser suite skips (after a loud banner), or undefined; throws in CI, where it must run. */
export function browserSkipReason(suite: string): string | undefined {
  return skipReason(`browser suite "${suite}"`, chromiumMissing);
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * A built UI to serve: web/dist when it is newer than the sources; otherwise a fresh build into `privateDir`,
 * so this file never races another browser test file rebuilding web/dist at the same moment.
 */
export async function builtWebRoot(privateDir: string): Promise<string> {
  const index = path.join(sharedWebRoot, 'index.html');
  const newestSource = Math.max(
    ...[path.join(repoRoot, 'web', 'index.html'), path.join(repoRoot, 'web', 'vite.config.ts')]
      .concat(listFiles(path.join(repoRoot, 'web', 'src')))
      .map((f) => fs.statSync(f).mtimeMs),
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestSource) return sharedWebRoot;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build:web', '--', '--outDir', privateDir, '--emptyOutDir'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm run build:web failed (exit ${code}):\n${output}`));
    });
  });
  return privateDir;
}

/** A real server on 127.0.0.1:0 with reachability checks off; its log lines go to `serverLog`. */
export async function startTestGatehouse(
  dataDir: string,
  webRoot: string,
  serverLog: string[],
): Promise<Gatehouse> {
  const config = loadConfig({
    flags: { dataDir, listen: '127.0.0.1:0', logLevel: 'warn' },
    // Tests never reach public STUN or echo services.
    env: { GATEHOUSE_REACHABILITY: 'off' },
    cwd: repoRoot,
    readFile: () => undefined,
  });
  if (!config.ok) throw new Error(config.error.message);
  // The HTTP-01 listener on a free loopback port and no router mapping: a browser test never binds port 80.
  const acme = {
    ...config.value.acme,
    http01: { listen: { host: '127.0.0.1', port: 0 }, mapRouterPort: false },
  };
  return startGatehouse(
    { ...config.value, acme },
    {
      webRoot,
      processMetrics: false,
      logDestination: { write: (line: string) => void serverLog.push(line) },
    },
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/**
 * What every browser test watches on its page: a 15 s default timeout, Content-Security-Policy violations
 * reported on the console, and uncaught page errors (each test asserts both lists stay empty).
 */
export function watchPage(page: Page, into: { cspViolations: string[]; pageErrors: string[] }): void {
  page.setDefaultTimeout(15_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' && msg.text().includes('Content Security Policy'))
      into.cspViolations.push(msg.text());
  });
  page.on('pageerror', (err) => into.pageErrors.push(err.message));
}

/** Everything the page shows or holds: the DOM as HTML plus the live value of every form field. */
export async function pageText(page: Page): Promise<string> {
  const values = await Promise.all(
    (await page.locator('input, textarea, select').all()).map((field) => field.inputValue()),
  );
  return [await page.content(), ...values].join('\n');
}

/** First-run setup through the UI with the token the server wrote; ends on the dashboard, logged in. */
export async function setUpThroughUi(
  page: Page,
  server: { readonly url: string; readonly dataDir: string },
  admin: { readonly username: string; readonly password: string },
): Promise<void> {
  const setupToken = fs.readFileSync(path.join(server.dataDir, 'setup-token'), 'utf8').trim();
  await page.goto(`${server.url}/`);
  await page.getByRole('heading', { name: 'Set up Gatehouse' }).waitFor();
  await page.getByLabel('Setup token').fill(setupToken);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Confirm password').fill(admin.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}

/**
 * @module Browser test: Debian's Chromium drives the built web UI against a real Gatehouse server through
 * setup, two-factor enrolment, logout and a two-factor login, under the server's strict CSP.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { browserSkipReason, launchChromium, watchPage } from './support.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const webRoot = path.join(repoRoot, 'web', 'dist');
const artifacts = path.join(repoRoot, 'test-artifacts', 'browser');

const skip = browserSkipReason('web UI');

const username = 'admin';
const password = 'browser test password 1';
const totpPeriodMs = 30_000;

/** Runs `npm run build:web` when web/dist is missing or older than the UI sources. */
async function ensureWebBuilt(): Promise<void> {
  const index = path.join(webRoot, 'index.html');
  const newestSource = Math.max(
    ...[path.join(repoRoot, 'web', 'index.html'), path.join(repoRoot, 'web', 'vite.config.ts')]
      .concat(listFiles(path.join(repoRoot, 'web', 'src')))
      .map((f) => fs.statSync(f).mtimeMs),
  );
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newestSource) return;
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build:web'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm run build:web failed (exit ${code}):\n${output}`));
    });
  });
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** The TOTP time step a code generated at `timestampMs` belongs to. */
const stepOf = (timestampMs: number) => Math.floor(timestampMs / totpPeriodMs);

describe.skipIf(skip !== undefined)('web UI in Chromium', () => {
  let dataDir: string;
  let gatehouse: Gatehouse | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const serverLog: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    // Fresh pictures each run, so an old failure.png never tells a story about this one.
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-browser-'));
    const config = loadConfig({
      flags: { dataDir, listen: '127.0.0.1:0', logLevel: 'warn' },
      // Tests never reach public STUN or echo services.
      env: { GATEHOUSE_REACHABILITY: 'off' },
      cwd: repoRoot,
      readFile: () => undefined,
    });
    if (!config.ok) throw new Error(config.error.message);
    gatehouse = await startGatehouse(config.value, {
      webRoot,
      processMetrics: false,
      logDestination: { write: (line: string) => void serverLog.push(line) },
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await context.newPage();
    watchPage(page, { cspViolations, pageErrors });
  });

  afterAll(async () => {
    await browser?.close();
    await gatehouse?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true, animations: 'disabled' });

  /** Keeps a picture of the page and the server log when a step fails; the error says where to find them. */
  async function withEvidence(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      await shot('failure').catch(() => undefined);
      fs.writeFileSync(path.join(artifacts, 'failure-server.log'), serverLog.join(''));
      throw new Error(
        `${(e as Error).message}\n(see test-artifacts/browser/failure.png and failure-server.log)`,
        {
          cause: e,
        },
      );
    }
  }

  it('sets up, turns on two-factor, and logs in again with a TOTP code', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('server did not start');
      const setupToken = fs.readFileSync(path.join(dataDir, 'setup-token'), 'utf8').trim();
      expect(setupToken).toBe(gatehouse.auth.pendingSetupToken());

      // --- First visit: the server sends a strict CSP and the UI asks for setup.
      const response = await page.goto(`${gatehouse.server.url}/`);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      // The built page itself carries nothing the CSP would block.
      const html = (await response?.text()) ?? '';
      expect(html).toMatch(/<script type="module"[^>]* src="\/assets\/[^"]+\.js"/);
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
      await page.getByRole('heading', { name: 'Set up Gatehouse' }).waitFor();
      // The app puts the route into the address after it has drawn the page (an effect): wait for it.
      await page.waitForFunction("window.location.hash === '#/setup'");
      expect(new URL(page.url()).hash).toBe('#/setup');
      await shot('01-setup');

      await page.getByLabel('Setup token').fill(setupToken);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Confirm password').fill(password);
      await page.getByRole('button', { name: 'Create account' }).click();

      // --- Dashboard with the generic status cards.
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      // The security card is headed by a link to the Security page, under that page's name.
      await page.getByTestId('card-security').getByRole('link', { name: 'Security' }).waitFor();
      await page.getByRole('heading', { name: 'Gatehouse', level: 2 }).waitFor();
      expect(await page.getByTestId('card-security').textContent()).toContain(
        'Turn on two-factor authentication',
      );
      // The app puts the route into the address after it has drawn the page (an effect): wait for it.
      await page.waitForFunction("window.location.hash === '#/'");
      expect(new URL(page.url()).hash).toBe('#/');
      await shot('02-dashboard');

      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByRole('link', { name: 'Audit log' }).waitFor();
      await shot('03-dashboard-phone');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await shot('04-dashboard-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // --- Security: enrol TOTP with the secret the page shows.
      await nav('Security').click();
      await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
      const secretText = page.getByTestId('totp-secret');
      await secretText.waitFor();
      const secret = ((await secretText.textContent()) ?? '').replace(/\s/g, '');
      expect(secret).toMatch(/^[A-Z2-7]+=*$/);
      await page.getByRole('img', { name: /QR code/ }).waitFor();
      await shot('05-totp-enrol');
      const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 });
      const enrolledAt = Date.now();
      await page.getByLabel('Code from the app').fill(totp.generate({ timestamp: enrolledAt }));
      await page.getByRole('button', { name: 'Turn on', exact: true }).click();

      const codes = page.getByTestId('recovery-codes');
      await codes.waitFor();
      expect(await codes.getByRole('listitem').count()).toBe(10);
      await shot('06-recovery-codes');
      await page.getByRole('button', { name: 'I saved them' }).click();
      await page.getByText('Two-factor authentication is on.').waitFor();
      await page.getByRole('button', { name: 'Turn off' }).waitFor();

      // --- Log out, then log in: a wrong password first shows the server's message.
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      await page.getByText('You are logged out.').waitFor();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').waitFor();
      expect(await page.getByRole('alert').textContent()).toMatch(/password/i);
      await shot('07-login-error');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();

      await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
      await shot('08-login-code');
      // The server refuses a second code from the time step used at enrolment; the next step is within its ±1 window.
      const now = Date.now();
      const codeTime = stepOf(now) > stepOf(enrolledAt) ? now : (stepOf(enrolledAt) + 1) * totpPeriodMs;
      await page.getByLabel('Authentication code').fill(totp.generate({ timestamp: codeTime }));
      await page.getByRole('button', { name: 'Verify' }).click();

      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      await page.getByText('Two-factor authentication is on.').waitFor();
      await shot('09-dashboard-after-login');

      // --- The other pages render: a token is shown once, the audit log highlights the failed login.
      await nav('API tokens').click();
      await page.getByLabel('Name', { exact: true }).fill('browser-test');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByTestId('new-token').waitFor();
      expect(await page.locator('#new-token-value').textContent()).toMatch(/^gth_/);
      await page.getByRole('cell', { name: 'browser-test', exact: true }).waitFor();
      await shot('10-tokens');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: 'Revoke browser-test' }).click();
      await page.getByRole('button', { name: 'Revoke', exact: true }).click();
      await page.getByText('No API tokens yet.').waitFor();

      await nav('Audit log').click();
      const audit = page.getByTestId('audit-table');
      await audit.waitFor();
      await audit.getByText('totp.enabled').waitFor();
      expect(await audit.locator('tr.row--failure').count()).toBeGreaterThanOrEqual(1);
      await shot('11-audit');
      await page.setViewportSize({ width: 390, height: 844 });
      await nav('Security').click();
      await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Sessions' }).waitFor();
      await shot('12-security-phone');
      await page.getByLabel('Instance name').fill('Home gateway');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByTestId('instance-name').getByText('Home gateway').waitFor();
      await expect.poll(() => page.title()).toBe('Security · Home gateway');

      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
});

/**
 * @module Browser test: the UI on a phone (390×844) and a desktop, against a real Gatehouse. Every page fits the
 * screen (no sideways scrolling, every navigation link in sight) and passes axe-core without a serious or critical
 * violation in light and dark mode; the dashboard puts problems first and links to the pages; problems sit beside
 * their fields in plain words; a channel is tested before it is saved and its last delivery survives a reload;
 * the audit filter offers every registered type; a session can be ended; recovery codes download; after the
 * password the code field has focus.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsCapability } from '../../src/alerts/capability.js';
import type { Gatehouse } from '../../src/main.js';
import { startReceiver, type Receiver } from '../support/loopback-receiver.js';
import {
  navLinksOutOfSight,
  problemBeside,
  seriousAxeViolations,
  sidewaysOverflow,
  withinViewportWidth,
} from './page-checks.js';
import {
  browserSkipReason,
  builtWebRoot,
  launchChromium,
  startTestGatehouse,
  tempDir,
  watchPage,
} from './support.js';

const skip = browserSkipReason('phone and accessibility');

// Pictures to look at by eye, and a failure's evidence: outside the repository, in a folder of this file's own.
const artifacts = path.join(os.tmpdir(), 'gatehouse-browser-phone-ui');
const username = 'admin';
const password = 'phone test password 3';
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 900 };
const pagesToCheck = [
  { hash: '#/', heading: 'Dashboard' },
  { hash: '#/reachability', heading: 'Reachability' },
  { hash: '#/alerts', heading: 'Alerts' },
  { hash: '#/security', heading: 'Security' },
  { hash: '#/tokens', heading: 'API tokens' },
  { hash: '#/audit', heading: 'Audit log' },
] as const;

describe.skipIf(skip !== undefined)('the UI on a phone and with axe-core', () => {
  let dataDir: string;
  let buildDir: string;
  let downloads: string;
  let gatehouse: Gatehouse | undefined;
  let receiver: Receiver | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let receiverAnswer: { status: number; body: string } = { status: 200, body: 'ok' };
  let totpSecret = '';
  let enrolledAt = 0;
  const serverLog: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    dataDir = tempDir('gatehouse-browser-phone-');
    buildDir = tempDir('gatehouse-browser-phone-web-');
    downloads = tempDir('gatehouse-browser-phone-downloads-');
    const webRoot = await builtWebRoot(buildDir);
    gatehouse = await startTestGatehouse(dataDir, webRoot, serverLog);
    receiver = await startReceiver(() => receiverAnswer);
    browser = await launchChromium();
    // Reduced motion: no colour transitions, so that axe measures the colours of the scheme just switched to.
    context = await browser.newContext({
      viewport: phone,
      colorScheme: 'light',
      reducedMotion: 'reduce',
      acceptDownloads: true,
    });
    page = await context.newPage();
    watchPage(page, { cspViolations, pageErrors });
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await gatehouse?.stop();
    for (const dir of [dataDir, buildDir, downloads])
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true, animations: 'disabled' });

  async function withEvidence(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      await shot('failure').catch(() => undefined);
      fs.writeFileSync(path.join(artifacts, 'failure-server.log'), serverLog.join(''));
      throw new Error(`${(e as Error).message}\n(see ${artifacts}/failure.png and failure-server.log)`, {
        cause: e,
      });
    }
  }

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  /** Fits, everything in sight, nothing serious for axe: the checks every page passes. */
  async function expectPageSound(where: string): Promise<void> {
    expect(await sidewaysOverflow(page), `${where}: scrolls sideways`).toBeLessThanOrEqual(0);
    expect(await navLinksOutOfSight(page), `${where}: navigation links out of sight`).toEqual([]);
    expect(await seriousAxeViolations(page), `${where}: axe-core`).toEqual([]);
  }

  it('setup on a phone: a wrong token is shown beside its field; the dashboard puts the problem first and links its cards to their pages', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('server did not start');
      const setupToken = fs.readFileSync(path.join(dataDir, 'setup-token'), 'utf8').trim();
      await page.goto(`${gatehouse.server.url}/`);
      await page.getByRole('heading', { name: 'Set up Gatehouse' }).waitFor();
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        expect(await seriousAxeViolations(page), `setup page, ${colorScheme}`).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: 'light' });

      // The two passwords differ: said at the confirmation, before anything is sent.
      await page.getByLabel('Setup token').fill(`${setupToken}x`);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByLabel('Confirm password').fill(`${password}!`);
      await page.getByRole('button', { name: 'Create account' }).click();
      expect(await problemBeside(page, 'Confirm password')).toEqual({
        text: 'The two passwords differ: type the same one twice.',
        describes: true,
        invalid: true,
      });

      // A wrong token: the server's answer sits at the token field, in words, and nowhere else.
      await page.getByLabel('Confirm password').fill(password);
      await page.getByRole('button', { name: 'Create account' }).click();
      const token = await problemBeside(page, 'Setup token');
      expect(token.describes && token.invalid).toBe(true);
      expect(token.text).toMatch(/^[A-Z][^{}]*token[^{}]*\.$/);
      expect(await page.getByTestId('field-error').count()).toBe(1);
      expect(await page.getByRole('alert').count()).toBe(0);
      await shot('01-setup-token-problem');

      await page.getByLabel('Setup token').fill(setupToken);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

      // Problems first: two-factor is off (a warning); reachability is off, DDNS and WireGuard have nothing yet
      // (unknown); the server is fine.
      const cards = page.locator('.cards > .card');
      await cards.first().waitFor();
      const ids = await Promise.all((await cards.all()).map((c) => c.getAttribute('data-testid')));
      expect(ids).toEqual([
        'card-security',
        'card-reachability',
        'card-ddns',
        'card-wireguard',
        'card-certificate',
        'card-system',
      ]);
      // Each card with a page of its own is headed by a link to it, under that page's name.
      const securityCard = page.getByTestId('card-security');
      expect(await securityCard.getByRole('heading', { level: 2 }).textContent()).toBe('Security');
      await shot('02-dashboard-phone');
      await securityCard.getByRole('link', { name: 'Security' }).click();
      await page.getByRole('heading', { name: 'Security', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/security');
      await page.goBack();
      await page.getByTestId('card-reachability').getByRole('link', { name: 'Reachability' }).click();
      await page.getByRole('heading', { name: 'Reachability', level: 1 }).waitFor();
      expect(await page.getByTestId('card-system').count()).toBe(0);
    }));

  it('alerts: a channel is tested before it is saved, problems sit beside their fields in plain words, and the last delivery survives a reload', () =>
    withEvidence(async () => {
      if (!gatehouse || !receiver) throw new Error('server or receiver did not start');
      await nav('Alerts').click();
      const channels = page.getByTestId('alerts-channels');
      await channels.getByRole('button', { name: 'Add channel' }).click();
      const form = page.getByRole('region', { name: 'New channel' });
      await form.getByLabel('Name').fill('Phone');
      await form.getByLabel('Kind').selectOption('webhook');
      const secret = `phone-webhook-secret-${Date.now().toString(36)}`;
      await form.getByLabel('Signing secret').fill(secret);

      // A port fetch refuses: the server says so in words, beside the URL field (not "bad port", not a path).
      await form.getByLabel('URL', { exact: true }).fill('http://127.0.0.1:6000/hook');
      await form.getByRole('button', { name: 'Send a test first' }).click();
      expect(await problemBeside(form, 'URL')).toEqual({
        text: 'That port is reserved for another protocol, so web requests to it are refused; use another port.',
        describes: true,
        invalid: true,
      });
      expect(await form.textContent()).not.toMatch(/json\.|target\.url|bad port/);
      await shot('03-alerts-url-problem-phone');

      // The form's own check: an empty URL is named at the URL field.
      await form.getByLabel('URL', { exact: true }).fill('   ');
      await form.getByRole('button', { name: 'Send a test first' }).click();
      expect((await problemBeside(form, 'URL')).text).toBe('Enter the URL.');

      // A receiver that refuses: the test's outcome says why in words, not with its raw JSON answer.
      receiverAnswer = { status: 422, body: '{"error":{"message":"unknown hook"}}' };
      await form.getByLabel('URL', { exact: true }).fill(`${receiver.origin}/hook`);
      const firstTest = receiver.next();
      await form.getByRole('button', { name: 'Send a test first' }).click();
      await firstTest;
      const result = form.getByTestId('form-test-result');
      await result.waitFor();
      expect(await result.textContent()).toBe(
        `Test failed: ${new URL(receiver.origin).host} answered 422 Unprocessable Entity: unknown hook. Nothing is saved yet.`,
      );
      expect(await withinViewportWidth(page, result)).toBe(true);
      expect(await channels.getByText('No channels yet').count()).toBe(1);

      receiverAnswer = { status: 200, body: 'ok' };
      const secondTest = receiver.next();
      await form.getByRole('button', { name: 'Send a test first' }).click();
      expect((await secondTest).headers['x-gatehouse-event']).toBe('test');
      await result.getByText('Test delivered. Nothing is saved yet.').waitFor();
      await form.getByRole('button', { name: 'Add channel' }).click();
      const row = page.getByTestId('channel-Phone');
      await row.waitFor();
      expect(await row.getByText('Nothing sent yet.').count()).toBe(1);

      // The list's test button on a failing receiver: the outcome is kept with the channel, in sight on a phone.
      receiverAnswer = { status: 503, body: '<html><body>Down for maintenance</body></html>' };
      await row.getByRole('button', { name: 'Send a test to Phone' }).click();
      const last = row.getByTestId('last-delivery');
      await last.getByText('Test failed').waitFor();
      expect(await last.textContent()).toContain(
        `${new URL(receiver.origin).host} answered 503 Service Unavailable`,
      );
      expect(await last.textContent()).not.toContain('<html>');
      expect(await withinViewportWidth(page, last)).toBe(true);
      expect(await withinViewportWidth(page, row.getByRole('button', { name: 'Delete Phone' }))).toBe(true);
      await shot('04-alerts-channel-phone');

      await page.reload();
      await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
      await page.getByTestId('channel-Phone').getByTestId('last-delivery').getByText('Test failed').waitFor();
      expect(await page.textContent('body')).not.toContain(secret);

      // An alert raised on the server: shown as a card with its words, delivered, and the new last delivery.
      receiverAnswer = { status: 200, body: 'ok' };
      const alerts = gatehouse.capabilities.find((c) => c.id === 'alerts') as AlertsCapability | undefined;
      if (!alerts) throw new Error('no alerts capability');
      const delivered = receiver.next();
      await alerts.service.raise({
        rule: 'reach.cgnat',
        key: 'ipv4',
        message: 'The router gets 100.64.0.7.',
      });
      await delivered;
      await page.getByRole('button', { name: 'Refresh' }).click();
      const alertRow = page.getByTestId('alert-reach.cgnat');
      await alertRow.waitFor();
      expect(await withinViewportWidth(page, alertRow.getByRole('button', { name: /^Acknowledge/ }))).toBe(
        true,
      );
      await page
        .getByTestId('channel-Phone')
        .getByTestId('last-delivery')
        .getByText('Alert delivered')
        .waitFor();
    }));

  it('tokens on a phone: each token is a card with Revoke in sight', () =>
    withEvidence(async () => {
      await nav('API tokens').click();
      await page.getByLabel('Name', { exact: true }).fill('home assistant');
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByTestId('new-token').waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      const revoke = page.getByRole('button', { name: 'Revoke home assistant' });
      await revoke.waitFor();
      expect(await withinViewportWidth(page, revoke)).toBe(true);
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await shot('05-tokens-phone');
      // The server's refusal of a name, with the form's own pattern check lifted so that it reaches the server.
      await page
        .getByLabel('Name', { exact: true })
        .evaluate((el: { removeAttribute(name: string): void }) => {
          el.removeAttribute('pattern');
        });
      await page.getByLabel('Name', { exact: true }).fill('bad/name');
      await page.getByRole('button', { name: 'Create token' }).click();
      const problem = await problemBeside(page, 'Name');
      expect(problem.describes && problem.invalid).toBe(true);
      expect(problem.text).toMatch(/^[A-Z]/);
      expect(problem.text).not.toMatch(/json\.|^name:/);
      expect(await page.getByRole('alert').count()).toBe(0);
    }));

  it('audit: the filter offers every registered type by its description, and events read as words', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('server did not start');
      await nav('Audit log').click();
      const table = page.getByTestId('audit-table');
      await table.waitFor();
      const types = (await page.evaluate(async () => {
        const res = await fetch('/api/v1/audit/types');
        return ((await res.json()) as { types: { type: string; description: string }[] }).types;
      })) as { type: string; description: string }[];
      expect(types.length).toBeGreaterThan(20);
      const options = await Promise.all(
        (await page.getByLabel('Show').locator('option').all()).map(async (o) => [
          (await o.getAttribute('value')) ?? '',
          (await o.textContent()) ?? '',
        ]),
      );
      expect(options).toEqual([['', 'All events'], ...types.map((t) => [t.type, t.description])]);

      // Events by their description; the filter narrows to one type.
      await table.getByText('A test alert was sent to a channel').first().waitFor();
      await table.getByText('An API token was created').waitFor();
      await page.getByLabel('Show').selectOption('token.created');
      await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
      expect(await table.locator('tbody tr').getAttribute('data-type')).toBe('token.created');
      expect(await table.textContent()).toContain('name: home assistant');
      await page.getByLabel('Show').selectOption('totp.enabled');
      await page.getByText('No events of this kind: “Two-factor authentication was turned on”.').waitFor();
      await page.getByLabel('Show').selectOption('');
      await table.waitFor();
      expect(await withinViewportWidth(page, table.locator('tbody tr').first())).toBe(true);
      await shot('06-audit-phone');
    }));

  it('security: another session can be ended, and recovery codes download as a text file', () =>
    withEvidence(async () => {
      if (!gatehouse || !browser) throw new Error('server did not start');
      // A second browser logs in.
      const other = await browser.newContext({ viewport: desktop });
      const otherPage = await other.newPage();
      await otherPage.goto(`${gatehouse.server.url}/`);
      await otherPage.getByLabel('Username').fill(username);
      await otherPage.getByLabel('Password').fill(password);
      await otherPage.getByRole('button', { name: 'Log in' }).click();
      await otherPage.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

      await nav('Security').click();
      const sessions = page.getByTestId('session-table');
      await expect.poll(() => sessions.locator('tbody tr').count()).toBe(2);
      const end = sessions.getByRole('button', { name: /^End the session of/ });
      expect(await end.count()).toBe(1);
      expect(await withinViewportWidth(page, end)).toBe(true);
      await end.click();
      // The question's answer has focus: Enter (or a tap) confirms.
      const endIt = sessions.getByRole('button', { name: 'End it' });
      await expect
        .poll(() =>
          endIt.evaluate(
            (el) =>
              el ===
              (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
          ),
        )
        .toBe(true);
      await page.keyboard.press('Enter');
      await expect.poll(() => sessions.locator('tbody tr').count()).toBe(1);
      expect(await sessions.locator('tbody tr').getAttribute('data-current')).toBe('true');
      // The other browser is out at its next request.
      await otherPage
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Audit log' })
        .click();
      await otherPage.getByText('Your session has ended. Please log in again.').waitFor();
      await other.close();

      // Two-factor on; the recovery codes download as a text file with all ten.
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
      const secretText = page.getByTestId('totp-secret');
      await secretText.waitFor();
      totpSecret = ((await secretText.textContent()) ?? '').replace(/\s/g, '');
      const totp = new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30 });
      // A wrong code: beside the code field.
      await page.getByLabel('Code from the app').fill('000000' === totp.generate() ? '111111' : '000000');
      await page.getByRole('button', { name: 'Turn on', exact: true }).click();
      const wrong = await problemBeside(page, 'Code from the app');
      expect(wrong.describes && wrong.invalid).toBe(true);
      enrolledAt = Date.now();
      await page.getByLabel('Code from the app').fill(totp.generate({ timestamp: enrolledAt }));
      await page.getByRole('button', { name: 'Turn on', exact: true }).click();
      const codes = page.getByTestId('recovery-codes');
      await codes.waitFor();
      const shown = (await codes.getByRole('listitem').allTextContents()).map((c) => c.trim());
      expect(shown).toHaveLength(10);
      const pending = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Download as a text file' }).click();
      const download = await pending;
      expect(download.suggestedFilename()).toBe('gatehouse-recovery-codes.txt');
      const file = path.join(downloads, 'codes.txt');
      await download.saveAs(file);
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toContain(`Gatehouse recovery codes for "${username}"`);
      expect(text.split('\n').filter((line) => shown.includes(line))).toEqual(shown);
      await shot('07-recovery-codes-phone');
      await page.getByRole('button', { name: 'I saved them' }).click();
      await page.getByText('Two-factor authentication is on.').waitFor();
    }));

  it('login: after the password step the code field has focus', () =>
    withEvidence(async () => {
      await page.getByRole('button', { name: 'Log out', exact: true }).click();
      await page.getByRole('heading', { name: 'Log in' }).waitFor();
      for (const colorScheme of ['dark', 'light'] as const) {
        await page.emulateMedia({ colorScheme });
        expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
        expect(await seriousAxeViolations(page), `login page, ${colorScheme}`).toEqual([]);
      }
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
      const code = page.getByLabel('Authentication code');
      await expect
        .poll(() =>
          code.evaluate(
            // Runs in the page; typed without the DOM library, which this tsconfig leaves out.
            (el) =>
              el ===
              (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
          ),
        )
        .toBe(true);
      // Typed straight away, without a tap on the field.
      const totp = new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30 });
      const step = (ms: number) => Math.floor(ms / 30_000);
      const now = Date.now();
      const at = step(now) > step(enrolledAt) ? now : (step(enrolledAt) + 1) * 30_000;
      await page.keyboard.type(totp.generate({ timestamp: at }));
      expect(await seriousAxeViolations(page)).toEqual([]);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
      // Two-factor on now: nothing is a warning, the unknown reachability leads.
      await page.locator('.cards > .card').first().waitFor();
      const ids = await Promise.all(
        (await page.locator('.cards > .card').all()).map((c) => c.getAttribute('data-testid')),
      );
      expect(ids[0]).toBe('card-reachability');
    }));

  it('every page fits a phone and a desktop, all navigation in sight, with no serious axe violation in light or dark mode', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('server did not start');
      // An address history, so that the Reachability page draws its timeline (family badges, sources) too.
      await gatehouse.store.update((_draft, tx) => {
        tx.append('reach.history', {
          at: new Date(Date.now() - 3_600_000).toISOString(),
          family: 'ipv4',
          address: '203.0.113.7',
          previous: null,
          sources: ['stun:stun.example.net:3478', 'upnp'],
        });
        tx.append('reach.history', {
          at: new Date().toISOString(),
          family: 'ipv6',
          address: '2001:db8::7',
          previous: null,
          sources: ['interface:eth0'],
        });
      });
      for (const viewport of [phone, desktop]) {
        await page.setViewportSize(viewport);
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          for (const p of pagesToCheck) {
            await page.evaluate(`window.location.hash = ${JSON.stringify(p.hash)}`);
            await page.getByRole('heading', { name: p.heading, level: 1 }).waitFor();
            // Wait until the page has drawn its data, not just its title.
            await expect.poll(() => page.locator('.loading').count()).toBe(0);
            await expectPageSound(`${p.hash} at ${viewport.width}px, ${colorScheme}`);
            await shot(`08-${p.heading.replace(/\W+/g, '-')}-${viewport.width}-${colorScheme}`);
          }
        }
      }
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
});

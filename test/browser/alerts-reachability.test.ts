/**
 * @module Browser test: Chromium adds a signed-webhook alert channel pointing at a receiver on 127.0.0.1,
 * sends it a test (the receiver checks the HMAC signature itself), and sees the Reachability page tell that
 * checks are turned off on this server.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gatehouse } from '../../src/main.js';
import { startReceiver, type Receiver } from '../support/loopback-receiver.js';
import {
  artifactsRoot,
  browserSkipReason,
  builtWebRoot,
  launchChromium,
  startTestGatehouse,
  tempDir,
  watchPage,
  pageText,
  setUpThroughUi,
} from './support.js';

const skip = browserSkipReason('alerts and reachability');

// Not inside test-artifacts/browser: web-ui.test.ts empties that directory when it starts, and the two files
// run in either order.
const artifacts = path.join(artifactsRoot, 'browser-alerts-reachability');
const username = 'admin';
const password = 'browser test password 2';
const channelName = 'Home receiver';
const hookPath = '/hooks/gatehouse';

describe.skipIf(skip !== undefined)('alerts and reachability pages in Chromium', () => {
  let dataDir: string;
  let buildDir: string;
  let gatehouse: Gatehouse | undefined;
  let receiver: Receiver | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const serverLog: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Fresh pictures each run, so an old failure.png never tells a story about this one.
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    dataDir = tempDir('gatehouse-browser-alerts-');
    buildDir = tempDir('gatehouse-browser-web-');
    const webRoot = await builtWebRoot(buildDir);
    gatehouse = await startTestGatehouse(dataDir, webRoot, serverLog);
    receiver = await startReceiver();
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
    });
    page = await context.newPage();
    watchPage(page, { cspViolations, pageErrors });
  });

  afterAll(async () => {
    await browser?.close();
    await receiver?.close();
    await gatehouse?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
  });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true, animations: 'disabled' });

  async function withEvidence(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      await shot('failure').catch(() => undefined);
      fs.writeFileSync(path.join(artifacts, 'failure-server.log'), serverLog.join(''));
      throw new Error(
        `${(e as Error).message}\n(see test-artifacts/browser-alerts-reachability/failure.png and failure-server.log)`,
        { cause: e },
      );
    }
  }

  it('tests a signed webhook channel and shows reachability as turned off', () =>
    withEvidence(async () => {
      if (!gatehouse || !receiver) throw new Error('server or receiver did not start');
      // --- Setup through the UI logs the new admin in.
      await setUpThroughUi(page, { url: gatehouse.server.url, dataDir }, { username, password });

      // --- Alerts: add a signed webhook channel that points at the local receiver.
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/alerts');
      const channels = page.getByTestId('alerts-channels');
      await channels.getByText('No channels yet').waitFor();
      await channels.getByRole('button', { name: 'Add channel' }).click();

      const form = page.getByRole('region', { name: 'New channel' });
      await form.getByLabel('Name').fill(channelName);
      await form.getByLabel('Kind').selectOption('webhook');
      await form.getByLabel('URL', { exact: true }).fill(`${receiver.origin}${hookPath}`);
      const secret = `browser-webhook-secret-${Date.now().toString(36)}`;
      expect(secret.length).toBeGreaterThanOrEqual(16);
      await form.getByLabel('Signing secret').fill(secret);
      await form.getByRole('button', { name: 'Add channel' }).click();

      const row = page.getByTestId(`channel-${channelName}`);
      await row.waitFor();
      await expect.poll(() => form.count()).toBe(0);
      expect(await row.textContent()).toContain('Webhook (JSON, signed)');
      expect(await row.locator('code').textContent()).toBe(`${receiver.origin}${hookPath}`);
      expect(receiver.requests).toEqual([]);

      // --- The test button: one signed POST reaches the receiver, and the row says it was delivered.
      const delivered = receiver.next();
      await row.getByRole('button', { name: `Send a test to ${channelName}` }).click();
      const request = await delivered;
      await row.getByTestId('last-delivery').getByText('Test delivered').waitFor();
      await page.getByTestId('alerts-deliveries').getByRole('cell', { name: channelName }).waitFor();
      expect(receiver.requests).toHaveLength(1);
      expect(request.method).toBe('POST');
      expect(request.url).toBe(hookPath);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-gatehouse-event']).toBe('test');

      const body = JSON.parse(request.body) as {
        version: number;
        id: string;
        event: string;
        sentAt: string;
        instance: { id: string; name: string };
        alert: { rule: string; severity: string; title: string; message: string };
      };
      expect(body).toMatchObject({
        version: 1,
        event: 'test',
        alert: { rule: 'alerts.test', severity: 'info', title: 'Test notification' },
      });
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);

      // The signature, checked as a receiver would (src/alerts/notifiers/webhook.ts): HMAC-SHA256 keyed with
      // the secret over "<timestamp>.<raw body>", lowercase hex after "sha256=", timestamp within 5 minutes.
      const timestamp = request.headers['x-gatehouse-timestamp'];
      const signature = request.headers['x-gatehouse-signature'];
      if (typeof timestamp !== 'string' || typeof signature !== 'string')
        throw new Error('the POST has no X-Gatehouse-Timestamp or X-Gatehouse-Signature header');
      expect(timestamp).toMatch(/^\d+$/);
      expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(300);
      expect(Number(timestamp)).toBe(Math.floor(Date.parse(body.sentAt) / 1000));
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
        .update(Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), Buffer.from(request.body, 'utf8')]))
        .digest();
      expect(timingSafeEqual(Buffer.from(signature.slice('sha256='.length), 'hex'), expected)).toBe(true);
      // A different secret would not have produced it.
      const forged = createHmac('sha256', `${secret}x`).update(`${timestamp}.${request.body}`).digest();
      expect(timingSafeEqual(Buffer.from(signature.slice('sha256='.length), 'hex'), forged)).toBe(false);

      // At desktop width the row's Test, Edit and Delete sit on one line (the column once shrank to one button's
      // width and stacked them), and the table still fits its frame without scrolling sideways.
      const buttons = await row.getByRole('button').all();
      expect(await Promise.all(buttons.map((b) => b.textContent()))).toEqual(['Test', 'Edit', 'Delete']);
      const boxes = await Promise.all(
        buttons.map(async (b) => {
          const box = await b.boundingBox();
          if (box === null) throw new Error(`${await b.textContent()} is not shown`);
          return box;
        }),
      );
      expect(new Set(boxes.map((b) => b.y)).size).toBe(1);
      expect(boxes.map((b) => b.x)).toEqual(boxes.map((b) => b.x).sort((a, b) => a - b));
      expect(
        await channels
          .locator('.table-wrap')
          .evaluate((el: { scrollWidth: number; clientWidth: number }) => el.scrollWidth - el.clientWidth),
      ).toBeLessThanOrEqual(0);

      // The secret is write-only: nothing on the page shows or holds it once the channel is saved.
      expect(await pageText(page)).not.toContain(secret);
      await shot('01-alerts-channel');

      // --- Reachability: no result yet, and "Check now" relays the server's "turned off" answer.
      await page.getByRole('link', { name: 'Reachability' }).click();
      await page.getByRole('heading', { name: 'Reachability', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/reachability');
      await page.getByRole('heading', { name: 'No result yet', level: 2 }).waitFor();
      await page.getByText('GATEHOUSE_REACHABILITY=off').waitFor();
      expect(await page.getByTestId('reachability-headline').count()).toBe(0);

      const probeResponse = page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/v1/reachability/probe' && r.request().method() === 'POST',
      );
      await page.getByTestId('reachability-check').click();
      const probe = await probeResponse;
      expect(probe.status()).toBe(409);
      expect(await probe.json()).toMatchObject({ error: { code: 'reachability.off' } });
      await page.getByRole('alert').filter({ hasText: 'reachability checks are turned off' }).waitFor();
      await page.getByRole('button', { name: 'Check now' }).waitFor();
      await page.getByRole('heading', { name: 'No result yet', level: 2 }).waitFor();
      await shot('02-reachability');

      // --- Both pages on a phone, in dark mode.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.getByRole('heading', { name: 'No result yet', level: 2 }).waitFor();
      await shot('03-reachability-phone-dark');
      await page.getByRole('link', { name: 'Alerts' }).click();
      await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
      await page.getByTestId(`channel-${channelName}`).waitFor();
      await page.getByTestId('alerts-deliveries').getByRole('cell', { name: channelName }).waitFor();
      await shot('04-alerts-phone-dark');
      expect(await pageText(page)).not.toContain(secret);

      expect(receiver.requests).toHaveLength(1);
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
});

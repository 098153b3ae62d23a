/**
 * @module Browser test: Chromium adds a dyndns2 account that points at a fake dyndns2 server on 127.0.0.1, sees a
 * bad URL refused beside its field and a Cloudflare token refused by a fake Cloudflare API, adds a record with a
 * fixed address, presses "Update now" and sees the record applied and served by a tiny authoritative DNS server on
 * 127.0.0.1 — on a desktop and a phone, without sideways scrolling and without serious axe findings. Nothing leaves
 * loopback: the engine asks only the configured loopback DNS server, and reachability is off. Then a router's
 * credentials for the inbound dyndns2 endpoint: added with a bad name and a bad hostname shown beside their fields,
 * the password shown once (a reload shows only the list), used at /nic/update on loopback, removed.
 */
import { servedKey, startLoopbackAuthoritative, type ServedRecords } from '../support/ddns-server.js';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { startReceiver, type Receiver } from '../support/loopback-receiver.js';
import { problemBeside, seriousAxeViolations, sidewaysOverflow, withinViewportWidth } from './page-checks.js';
import {
  artifactsRoot,
  browserSkipReason,
  builtWebRoot,
  launchChromium,
  repoRoot,
  tempDir,
  watchPage,
  pageText,
  setUpThroughUi,
} from './support.js';

const skip = browserSkipReason('ddns');

const artifacts = path.join(artifactsRoot, 'browser-ddns');
const username = 'admin';
const password = 'browser test password 3';
const hostname = 'home.example.test';
const fixedAddress = '203.0.113.7';
const dyndnsUser = 'gate';
const dyndnsPassword = `dyndns-secret-${Date.now().toString(36)}`;
const cloudflareToken = `cf-token-${Date.now().toString(36)}`;

/**
 * A fake dyndns2 server (https://help.dyn.com/remote-access-api/perform-update/): Basic auth, `good <ip>` for the
 * right credentials, `badauth` otherwise; it remembers the address each hostname was given.
 */
function dyndns2Reply(served: ServedRecords) {
  return (req: { url: string; headers: Record<string, string | string[] | undefined> }) => {
    const url = new URL(req.url, 'http://fake');
    const expected = `Basic ${Buffer.from(`${dyndnsUser}:${dyndnsPassword}`).toString('base64')}`;
    if (url.pathname !== '/nic/update') return { status: 404, body: 'not found' };
    if (req.headers.authorization !== expected) return { status: 401, body: 'badauth' };
    const host = url.searchParams.get('hostname') ?? '';
    const ip = url.searchParams.get('myip') ?? '';
    served.set(servedKey(host, 'A'), [ip]);
    return { status: 200, body: `good ${ip}` };
  };
}

/** GET /nic/update as a router would, on the Gatehouse under test (plain HTTP on 127.0.0.1 only). */
function routerPush(origin: string, name: string, pass: string): Promise<{ status: number; body: string }> {
  const url = new URL('/nic/update?hostname=home.example.test&myip=203.0.113.9', origin);
  if (url.hostname !== '127.0.0.1' || url.protocol !== 'http:') throw new Error(`not loopback: ${origin}`);
  const authorization = `Basic ${Buffer.from(`${name}:${pass}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers: { authorization } }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skip !== undefined)('DDNS page in Chromium', () => {
  let dataDir: string;
  let buildDir: string;
  let gatehouse: Gatehouse | undefined;
  let dyndns: Receiver | undefined;
  let cloudflare: Receiver | undefined;
  let dns: Awaited<ReturnType<typeof startLoopbackAuthoritative>> | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const served: ServedRecords = new Map();
  const serverLog: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    dataDir = tempDir('gatehouse-browser-ddns-');
    buildDir = tempDir('gatehouse-browser-web-');
    const webRoot = await builtWebRoot(buildDir);
    dyndns = await startReceiver(dyndns2Reply(served));
    cloudflare = await startReceiver(() => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: false,
        errors: [{ code: 1000, message: 'Invalid API Token' }],
        messages: [],
        result: null,
      }),
    }));
    dns = await startLoopbackAuthoritative(served);
    const config = loadConfig({
      flags: { dataDir, listen: '127.0.0.1:0', logLevel: 'warn', config: 'gatehouse.json' },
      env: { GATEHOUSE_REACHABILITY: 'off' },
      cwd: repoRoot,
      // The engine asks only the loopback server (never the resolver of /etc/resolv.conf); the documentation range
      // counts as public, as in the test bed.
      readFile: (file) => {
        if (path.basename(file) !== 'gatehouse.json') return undefined;
        return JSON.stringify({
          ddns: { resolver: dns?.server, authoritativeServers: [dns?.server], verifySeconds: 10 },
          reachability: { publicRanges: ['203.0.113.0/24'] },
        });
      },
    });
    // The config above must be the one in force: otherwise the engine would ask the resolver of /etc/resolv.conf.
    if (!config.ok) throw new Error(config.error.message);
    expect(config.value.ddns.authoritativeServers).toEqual([dns.server]);
    expect(config.value.ddns.resolver).toBe(dns.server);
    gatehouse = await startGatehouse(config.value, {
      webRoot,
      processMetrics: false,
      logDestination: { write: (line: string) => void serverLog.push(line) },
    });
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
    await gatehouse?.stop();
    await dyndns?.close();
    await cloudflare?.close();
    await dns?.close();
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
      fs.writeFileSync(
        path.join(artifacts, 'failure-fakes.json'),
        JSON.stringify(
          { dns: dns?.queries, dyndns: dyndns?.requests.map((r) => `${r.method} ${r.url}`) },
          null,
          2,
        ),
      );
      throw new Error(
        `${(e as Error).message}\n(see test-artifacts/browser-ddns/failure.png and failure-server.log)`,
        { cause: e },
      );
    }
  }

  it('adds a dyndns2 account and a record, updates it and sees it served, on a desktop and a phone', () =>
    withEvidence(async () => {
      if (!gatehouse || !dyndns || !cloudflare || !dns) throw new Error('a server did not start');
      await setUpThroughUi(page, { url: gatehouse.server.url, dataDir }, { username, password });

      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'DDNS' }).click();
      await page.getByRole('heading', { name: 'DDNS', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/ddns');
      const accounts = page.getByTestId('ddns-accounts');
      await accounts.getByText('No provider accounts yet.').waitFor();

      // --- A Cloudflare token the (fake) API refuses: the answer is shown, nothing is saved.
      await accounts.getByRole('button', { name: 'Add account' }).click();
      let form = page.getByRole('region', { name: 'New provider account' });
      await form.getByLabel('Provider').selectOption('cloudflare');
      await form.getByLabel('Account name').fill('Cloudflare');
      await form.getByLabel('API token').fill(cloudflareToken);
      expect(await form.getByLabel('API token').getAttribute('type')).toBe('password');
      await form.getByLabel('API endpoint').fill(cloudflare.origin);
      await form.getByRole('button', { name: 'Test credentials' }).click();
      const refused = form.getByTestId('form-test-result');
      await refused.getByText('the credentials were refused (HTTP 401)', { exact: false }).waitFor();
      expect(await refused.textContent()).toContain('Nothing is saved yet.');
      expect(cloudflare.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /user/tokens/verify']);
      expect(cloudflare.requests[0]?.headers.authorization).toBe(`Bearer ${cloudflareToken}`);
      await form.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => form.count()).toBe(0);
      await accounts.getByText('No provider accounts yet.').waitFor();

      // --- dyndns2: a bad update URL is shown beside its field; then the right one, tested, then saved.
      await accounts.getByRole('button', { name: 'Add account' }).click();
      form = page.getByRole('region', { name: 'New provider account' });
      expect(await form.getByLabel('Provider').inputValue()).toBe('dyndns2');
      await form.getByLabel('Account name').fill('Home dyndns');
      await form.getByLabel('Service').fill('custom');
      await form.getByLabel('Update URL').fill('not a url');
      await form.getByLabel('Username').fill(dyndnsUser);
      await form.getByLabel('Password').fill(dyndnsPassword);
      expect(await form.getByLabel('Password').getAttribute('type')).toBe('password');
      await form.getByRole('button', { name: 'Add account' }).click();
      const urlProblem = await problemBeside(form, 'Update URL');
      expect(urlProblem.describes).toBe(true);
      expect(urlProblem.invalid).toBe(true);
      expect(urlProblem.text).not.toMatch(/serverUrl|settings\./);
      expect(await accounts.getByText('No provider accounts yet.').count()).toBe(1);

      await form.getByLabel('Update URL').fill(`${dyndns.origin}/nic/update`);
      await form.getByRole('button', { name: 'Test credentials' }).click();
      const passed = form.getByTestId('form-test-result');
      await passed.getByText('no read-only request', { exact: false }).waitFor();
      // dyndns2 has no harmless request: the test sends nothing (every request would be an update).
      expect(dyndns.requests).toEqual([]);
      await form.getByRole('button', { name: 'Add account' }).click();
      const accountRow = page.getByTestId('account-Home dyndns');
      await accountRow.waitFor();
      await expect.poll(() => form.count()).toBe(0);
      expect(await accountRow.textContent()).toMatch(/Password: set \(/);
      expect(await accountRow.textContent()).toContain('ready');

      // --- A record with a fixed address through that account.
      const records = page.getByTestId('ddns-records');
      await records.getByRole('button', { name: 'Add record' }).click();
      const recordForm = page.getByRole('region', { name: 'New record' });
      await recordForm.getByLabel('Hostname').fill(hostname);
      await recordForm.getByLabel('Value').selectOption('fixed');
      await recordForm.getByLabel('Address').fill(fixedAddress);
      await recordForm.getByLabel('TTL (seconds)').fill('300');
      await recordForm.getByRole('button', { name: 'Add record' }).click();
      const recordRow = page.getByTestId(`record-${hostname}-A`);
      await recordRow.waitFor();
      await expect.poll(() => recordForm.count()).toBe(0);
      expect(await recordRow.textContent()).toContain(`Fixed: ${fixedAddress}`);
      expect(await recordRow.textContent()).toContain('TTL 300 s');

      // --- Update now: the record is set at the fake dyndns2 server and served by the loopback DNS server.
      await page.getByTestId('ddns-update-now').click();
      const report = page.getByTestId('ddns-update-result');
      await report.waitFor({ timeout: 30_000 });
      expect(await report.textContent()).toContain(`${hostname} A:`);
      await expect
        .poll(async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return recordRow.textContent();
        })
        .toContain('served by the authoritative servers');
      expect(await recordRow.getByRole('cell').nth(2).textContent()).toContain(fixedAddress);
      expect(await recordRow.getByRole('cell').nth(4).textContent()).toContain('ok');
      const updates = dyndns.requests.filter((r) => r.url.startsWith('/nic/update'));
      expect(updates.length).toBeGreaterThanOrEqual(1);
      const sent = new URL(updates[0]?.url ?? '', 'http://fake').searchParams;
      expect(sent.get('hostname')).toBe(hostname);
      expect(sent.get('myip')).toBe(fixedAddress);
      expect(dns.queries).toContain(`${hostname} A`);

      // The history, collapsed under the records, tells the change.
      const history = page.getByTestId('ddns-history');
      await history.locator('summary').click();
      await history.getByText(fixedAddress).first().waitFor();

      // Secrets are write-only: nothing on the page shows or holds them.
      const text = await pageText(page);
      expect(text).not.toContain(dyndnsPassword);
      expect(text).not.toContain(cloudflareToken);

      // --- Removing an account that a record uses is refused, in words.
      await accountRow.getByRole('button', { name: 'Remove Home dyndns' }).click();
      await accountRow.getByRole('button', { name: 'Remove', exact: true }).click();
      await accounts
        .getByRole('alert')
        .getByText('Records still use this account', { exact: false })
        .waitFor();
      await accountRow.waitFor();

      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('01-ddns-desktop');

      // --- On a phone: rows become cards, nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await recordRow.waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await withinViewportWidth(page, recordRow)).toBe(true);
      expect(await withinViewportWidth(page, accountRow)).toBe(true);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('02-ddns-phone');

      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
  // Runs after the test above, logged in on the same page.
  it('adds a router’s credentials, shows the password once, lists it after a reload, removes it', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${gatehouse.server.url}/#/ddns`);
      await page.getByRole('heading', { name: 'DDNS', level: 1 }).waitFor();
      const clients = page.getByTestId('ddns-clients');
      await clients.getByRole('heading', { name: 'Routers and clients that push their address' }).waitFor();
      await clients.getByText('No clients yet.').waitFor();

      await clients.getByRole('button', { name: 'Add client' }).click();
      const form = page.getByRole('region', { name: 'New client' });
      await form
        .getByText('A trusted client’s address is accepted alone; otherwise it is one vote in the quorum.')
        .waitFor();
      // A name the router could not send as its user name: refused beside the field, nothing asked.
      await form.getByLabel('Name', { exact: true }).fill('Fritz Box');
      await form.getByLabel('Hostnames', { exact: true }).fill('home.example.test');
      await form.getByRole('button', { name: 'Add client' }).click();
      const nameProblem = await problemBeside(form, 'Name');
      expect(nameProblem).toMatchObject({ describes: true, invalid: true });
      expect(nameProblem.text).toContain('user name the router sends');
      // A hostname the server refuses: its reason beside the hostnames, without the path.
      await form.getByLabel('Name', { exact: true }).fill('fritzbox');
      await form.getByLabel('Hostnames', { exact: true }).fill('home.example.test, nas');
      await form.getByRole('button', { name: 'Add client' }).click();
      const hostProblem = await problemBeside(form, 'Hostnames');
      expect(hostProblem.text).toContain('"nas" is not a fully qualified domain name');
      expect(hostProblem.text).not.toContain('hostnames.');
      await form.getByLabel('Hostnames', { exact: true }).fill('home.example.test');
      await form.getByLabel('Trusted').check();
      await form.getByRole('button', { name: 'Add client' }).click();

      const created = page.getByTestId('new-client');
      await created.waitFor();
      const pass = ((await created.getByTestId('new-client-password').textContent()) ?? '').trim();
      expect(pass).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(await created.getByTestId('new-client-url').textContent()).toBe(
        `${gatehouse.server.url}/nic/update?hostname=home.example.test&myip=<ipaddr>`,
      );
      await created.getByRole('button', { name: 'Copy password' }).waitFor();
      const row = page.getByTestId('client-fritzbox');
      await row.waitFor();
      expect(await row.textContent()).toContain('home.example.test');
      expect(await row.getByRole('cell').nth(2).textContent()).toBe('yes');
      expect(await row.getByRole('cell').nth(3).textContent()).toBe('never');
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('03-ddns-client-added');

      // The router uses it (the documentation range counts as public here).
      const pushed = await routerPush(gatehouse.server.url, 'fritzbox', pass);
      expect(pushed).toEqual({ status: 200, body: 'good 203.0.113.9' });

      // The page's Refresh loads the list again (its last use now), and keeps the password shown until Done.
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect
        .poll(() => row.getByRole('cell').nth(3).textContent(), { timeout: 10_000 })
        .not.toBe('never');
      expect(await created.count()).toBe(1);
      await created.getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => created.count()).toBe(0);

      // A reload: the list only, never the password again; the push shows as its last use.
      await page.reload();
      await row.waitFor();
      expect(await page.getByTestId('new-client').count()).toBe(0);
      expect(await pageText(page)).not.toContain(pass);
      expect(await row.getByRole('cell').nth(3).textContent()).not.toBe('never');

      // On a phone: the row is a card, nothing scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      await row.waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await withinViewportWidth(page, row)).toBe(true);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('04-ddns-client-phone');

      // Removed after a confirmation: its password stops working.
      await row.getByRole('button', { name: 'Remove fritzbox' }).click();
      await row.getByRole('button', { name: 'Remove', exact: true }).click();
      await clients.getByText('No clients yet.').waitFor();
      expect(await routerPush(gatehouse.server.url, 'fritzbox', pass)).toEqual({
        status: 401,
        body: 'badauth',
      });
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
});

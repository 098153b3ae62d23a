/**
 * @module Browser test: in Chromium, the owner adds a service (a bad port refused beside its field), adds a peer that
 * may reach it, sees the QR dialog (the image is a 200 image/svg+xml), downloads the .conf (with `[Interface]` and the
 * configured Endpoint), makes a one-time link, sees the peer's live status row, ticks a group's grant in the matrix and
 * finds it saved after a reload, reads the plan and presses Apply — on a desktop and a phone, without sideways
 * scrolling and without serious axe findings. A QR code the server refuses as too long (422 `wireguard.qr-too-long`,
 * answered by the browser's request interception) shows the server's words and leaves the download.
 *
 * No WireGuard interface and no nft table are ever made: the server runs with a CommandRunner that records every
 * argv and answers that the program is not installed (so `ip`, `wg`, `wireguard-go`, `nft` never run), and the banner
 * says WireGuard is not running and why.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { CommandRunner } from '../../src/core/runner.js';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import {
  navLinksOutOfSight,
  problemBeside,
  seriousAxeViolations,
  sidewaysOverflow,
  withinViewportWidth,
} from './page-checks.js';
import {
  artifactsRoot,
  browserSkipReason,
  builtWebRoot,
  launchChromium,
  repoRoot,
  setUpThroughUi,
  tempDir,
  watchPage,
} from './support.js';

const skip = browserSkipReason('wireguard');

const artifacts = path.join(artifactsRoot, 'browser-wireguard');
const username = 'admin';
const password = 'browser test password 4';
const endpointHost = 'home.example.test';
/** Unique per run; never created (the runner below runs nothing), but a real name would be global to the machine. */
const interfaceName = `ghui${process.pid.toString(36)}`.slice(0, 15);

/** The width of the QR image as the browser decoded it: above 0 once it has loaded as an image. */
const qrImageWidth = (page: Page) =>
  page.evaluate<number>(
    `(() => { const img = document.querySelector('[data-testid="wg-qr"]'); return img && img.complete ? img.naturalWidth : 0; })()`,
  );

/** Records every command and runs none: each program is "not installed". */
function refusingRunner(): CommandRunner & { readonly calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run(argv) {
      calls.push([...argv]);
      const program = argv[0];
      return Promise.resolve({
        ok: false,
        error: { kind: 'not-found', program, message: `${program} is not installed (browser test)` },
      });
    },
  };
}

describe.skipIf(skip !== undefined)('WireGuard pages in Chromium', () => {
  let dataDir: string;
  let buildDir: string;
  let gatehouse: Gatehouse | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const runner = refusingRunner();
  const serverLog: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    dataDir = tempDir('gatehouse-browser-wg-');
    buildDir = tempDir('gatehouse-browser-web-');
    const webRoot = await builtWebRoot(buildDir);
    const config = loadConfig({
      flags: { dataDir, listen: '127.0.0.1:0', logLevel: 'warn', config: 'gatehouse.json' },
      env: { GATEHOUSE_REACHABILITY: 'off' },
      cwd: repoRoot,
      readFile: (file) =>
        path.basename(file) === 'gatehouse.json'
          ? JSON.stringify({
              wireguard: { interface: interfaceName, endpointHost },
              exposure: { lanRanges: ['10.20.0.0/24'] },
            })
          : undefined,
    });
    if (!config.ok) throw new Error(config.error.message);
    expect(config.value.wireguard.endpointHost).toBe(endpointHost);
    gatehouse = await startGatehouse(config.value, {
      webRoot,
      processMetrics: false,
      ports: { runner },
      logDestination: { write: (line: string) => void serverLog.push(line) },
    });
    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      colorScheme: 'light',
      acceptDownloads: true,
    });
    page = await context.newPage();
    watchPage(page, { cspViolations, pageErrors });
  });

  afterAll(async () => {
    if (runner.calls.length > 0) {
      fs.writeFileSync(path.join(artifacts, 'commands.json'), JSON.stringify(runner.calls, null, 2));
    }
    await browser?.close();
    await gatehouse?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
  });

  /** The whole page; `screen`: what the screen shows (a modal dialog is fixed to the screen, not the page). */
  const shot = (name: string, screen = false) =>
    page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: !screen, animations: 'disabled' });

  async function withEvidence(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch (e) {
      await shot('failure').catch(() => undefined);
      fs.writeFileSync(path.join(artifacts, 'failure-server.log'), serverLog.join(''));
      throw new Error(
        `${(e as Error).message}\n(see test-artifacts/browser-wireguard/failure.png and failure-server.log)`,
        { cause: e },
      );
    }
  }

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  it('adds a service and a peer, shows its QR code, downloads its config, grants in the matrix, plans and applies', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await setUpThroughUi(page, { url: gatehouse.server.url, dataDir }, { username, password });

      // --- Services: the banner says WireGuard does not run here, and why; a bad port is refused beside its field.
      await nav('Services').click();
      await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/services');
      const banner = page.getByTestId('wg-banner');
      await banner.waitFor();
      expect(await banner.getByRole('heading').textContent()).toMatch(/^WireGuard is not running/);
      expect(await banner.textContent()).toContain(`Clients connect to ${endpointHost}:51820.`);
      const services = page.getByTestId('wg-services');
      await services.getByText('No services yet.', { exact: false }).waitFor();
      await services.getByRole('button', { name: 'Add service' }).click();
      const serviceForm = page.getByRole('region', { name: 'New service' });
      await serviceForm.getByLabel('Name', { exact: true }).fill('nas');
      await serviceForm.getByLabel('Host', { exact: true }).fill('10.20.0.5');
      await serviceForm.getByLabel('Ports', { exact: true }).fill('0');
      await serviceForm.getByLabel('Web address', { exact: true }).fill('https://10.20.0.5:5001/');
      await serviceForm.getByRole('button', { name: 'Add service' }).click();
      const portProblem = await problemBeside(serviceForm, 'Ports');
      expect(portProblem).toMatchObject({ describes: true, invalid: true });
      expect(portProblem.text).toContain('A port (1–65535)');
      // A host outside the LAN ranges: the server's words beside Host (no forwarding to arbitrary hosts).
      await serviceForm.getByLabel('Ports', { exact: true }).fill('443');
      await serviceForm.getByLabel('Host', { exact: true }).fill('198.51.100.20');
      await serviceForm.getByRole('button', { name: 'Add service' }).click();
      const hostProblem = await problemBeside(serviceForm, 'Host');
      expect(hostProblem).toMatchObject({ describes: true, invalid: true });
      expect(hostProblem.text).toContain('198.51.100.20');
      await serviceForm.getByLabel('Host', { exact: true }).fill('10.20.0.5');
      await serviceForm.getByRole('button', { name: 'Add service' }).click();
      const serviceRow = page.getByTestId('service-nas');
      await serviceRow.waitFor();
      await expect.poll(() => serviceForm.count()).toBe(0);
      expect(await serviceRow.textContent()).toContain('10.20.0.5');
      expect(await serviceRow.getByRole('link', { name: 'Open nas' }).getAttribute('href')).toBe(
        'https://10.20.0.5:5001/',
      );
      // Edit: a port range.
      await serviceRow.getByRole('button', { name: 'Edit nas' }).click();
      const serviceEdit = page.getByRole('region', { name: 'Edit “nas”' });
      expect(await serviceEdit.getByLabel('Ports', { exact: true }).inputValue()).toBe('443');
      await serviceEdit.getByLabel('Ports', { exact: true }).fill('5000-5001');
      await serviceEdit.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => serviceEdit.count()).toBe(0);
      await expect.poll(() => serviceRow.getByRole('cell').nth(3).textContent()).toBe('5000–5001');

      // --- Peers: add one that may reach the NAS; the QR dialog opens with the image served as SVG.
      await nav('Peers').click();
      await page.getByRole('heading', { name: 'Peers', level: 1 }).waitFor();
      await page.getByTestId('wg-peers').getByText('No peers yet.', { exact: false }).waitFor();
      await page.getByRole('button', { name: 'Add peer' }).click();
      const peerForm = page.getByRole('region', { name: 'New peer' });
      await peerForm.getByLabel('Name', { exact: true }).fill('Phone');
      await peerForm.getByLabel('Groups', { exact: true }).fill('family');
      await peerForm.getByRole('checkbox', { name: /^nas/ }).check();
      await peerForm.getByLabel('Keepalive (seconds)').fill('abc');
      await peerForm.getByRole('button', { name: 'Add peer' }).click();
      expect((await problemBeside(peerForm, 'Keepalive (seconds)')).text).toBe(
        'Seconds, 0 to 65535 (0 = off).',
      );
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('00-add-peer-form');
      await peerForm.getByLabel('Keepalive (seconds)').fill('25');
      const qrAnswer = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/qr.svg'));
      await peerForm.getByRole('button', { name: 'Add peer' }).click();
      const dialog = page.getByRole('dialog', { name: '“Phone” added: connect it' });
      await dialog.waitFor();
      const qr = await qrAnswer;
      expect(qr.status()).toBe(200);
      expect(qr.headers()['content-type']).toMatch(/^image\/svg\+xml/);
      const img = dialog.getByTestId('wg-qr');
      await expect.poll(() => qrImageWidth(page)).toBeGreaterThan(0);
      expect(await img.getAttribute('alt')).toBe('QR code of the WireGuard configuration for Phone');

      // The .conf download: the whole client config, pointing at the configured endpoint.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        dialog.getByTestId('wg-download').click(),
      ]);
      const file = await download.path();
      const conf = fs.readFileSync(file, 'utf8');
      expect(conf).toContain('[Interface]');
      expect(conf).toContain('[Peer]');
      expect(conf).toMatch(new RegExp(`^Endpoint\\s*=\\s*${endpointHost.replace(/\./g, '\\.')}:51820$`, 'm'));
      expect(conf).toMatch(/^PersistentKeepalive\s*=\s*25$/m);
      expect(download.suggestedFilename()).toMatch(/\.conf$/);
      // The QR code as a PNG too (to print or send), from the same session.
      const png = await page.request.get(
        new URL((await dialog.getByTestId('wg-qr-png').getAttribute('href')) ?? '', gatehouse.server.url)
          .href,
      );
      expect(png.status()).toBe(200);
      expect(png.headers()['content-type']).toBe('image/png');
      expect((await png.body()).subarray(1, 4).toString('latin1')).toBe('PNG');

      // A one-time link: its URL and expiry, with a copy button.
      await dialog.getByRole('button', { name: 'Create one-time link' }).click();
      const link = dialog.getByTestId('wg-link');
      await link.waitFor();
      expect(await link.getByTestId('wg-link-url').textContent()).toMatch(
        /^https?:\/\/.+\/onboard\/[A-Za-z0-9_-]+$/,
      );
      expect(await link.textContent()).toContain('Works once, until');
      await link.getByRole('button', { name: 'Copy link' }).waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('01-peer-added-qr', true);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);

      // The peer's row: no status (the interface is not running), its address, its access, and the banner's why.
      const peerRow = page.getByTestId('peer-Phone');
      await peerRow.waitFor();
      expect(await peerRow.getByTestId('wg-status').textContent()).toContain('unknown');
      expect(await peerRow.textContent()).toMatch(/10\.8\.0\.\d+/);
      expect(await peerRow.textContent()).toContain('nas');
      expect(await peerRow.textContent()).toContain('@family');
      expect(await page.getByTestId('wg-banner').getByRole('heading').textContent()).toMatch(
        /^WireGuard is not running: \S/,
      );

      // Disable, then enable again.
      await peerRow.getByRole('button', { name: 'Disable Phone' }).click();
      await peerRow.getByText('disabled', { exact: true }).waitFor();
      await peerRow.getByRole('button', { name: 'Enable Phone' }).click();
      await expect.poll(() => peerRow.getByText('disabled', { exact: true }).count()).toBe(0);

      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('02-peers-desktop');

      // --- The matrix: the peer's own grant is ticked; tick the family group's, save, reload, still ticked.
      await nav('Services').click();
      const matrix = page.getByTestId('wg-matrix');
      await matrix.waitFor();
      const peerCell = matrix.getByRole('checkbox', { name: 'Phone may reach nas' });
      const groupCell = matrix.getByRole('checkbox', { name: '@family may reach nas' });
      expect(await peerCell.isChecked()).toBe(true);
      expect(await groupCell.isChecked()).toBe(false);
      await groupCell.check();
      await peerCell.uncheck();
      const state = page.getByTestId('wg-matrix-state');
      expect(await state.textContent()).toBe('Unsaved: 1 to grant, 1 to revoke.');
      const put = page.waitForRequest(
        (r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/wireguard/grants'),
      );
      await page.getByRole('button', { name: 'Save access' }).click();
      const body = (await put).postDataJSON() as unknown;
      expect(body).toEqual({
        grants: [{ subject: { kind: 'group', group: 'family' }, serviceId: expect.any(String) }],
      });
      await expect.poll(() => state.textContent()).toBe('All changes saved.');
      await page.reload();
      await matrix.waitFor();
      expect(await groupCell.isChecked()).toBe(true);
      expect(await peerCell.isChecked()).toBe(false);
      expect(await matrix.getByTestId('grant-row-Phone').textContent()).toContain('via @family');

      // --- A second service granted to the phone: its split-tunnel config changes, so the Peers page marks it
      // outdated (the server's own verdict and reasons), and "Show new QR" opens its dialog.
      await services.getByRole('button', { name: 'Add service' }).click();
      const cameraForm = page.getByRole('region', { name: 'New service' });
      await cameraForm.getByLabel('Name', { exact: true }).fill('camera');
      await cameraForm.getByLabel('Host', { exact: true }).fill('10.20.0.6');
      await cameraForm.getByLabel('Ports', { exact: true }).fill('554');
      await cameraForm.getByRole('button', { name: 'Add service' }).click();
      await page.getByTestId('service-camera').waitFor();
      await matrix.getByRole('checkbox', { name: 'Phone may reach camera' }).check();
      await page.getByRole('button', { name: 'Save access' }).click();
      await expect.poll(() => state.textContent()).toBe('All changes saved.');
      await nav('Peers').click();
      const outdatedMark = page.getByTestId('peer-Phone').getByTestId('wg-outdated');
      await outdatedMark.waitFor();
      expect(((await outdatedMark.textContent()) ?? '').length).toBeGreaterThan('Show new QR'.length);
      await outdatedMark.getByRole('button', { name: 'Show new QR of Phone' }).click();
      const renewed = page.getByRole('dialog', { name: 'Connect “Phone”' });
      await renewed.getByText('Config outdated', { exact: false }).waitFor();
      await expect.poll(() => qrImageWidth(page)).toBeGreaterThan(0);
      await shot('02b-config-outdated-qr', true);
      await renewed.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => renewed.count()).toBe(0);
      await nav('Services').click();
      await matrix.waitFor();

      // --- The plan, then Apply: the answer is shown (here the tools are missing, so it says why it failed).
      const plan = page.getByTestId('wg-plan');
      await plan.getByTestId('wg-plan-summary').waitFor();
      await plan.getByTestId('wg-apply').click();
      const result = plan.getByTestId('wg-apply-result').or(plan.getByRole('alert'));
      await result.first().waitFor({ timeout: 30_000 });
      expect(((await result.first().textContent()) ?? '').length).toBeGreaterThan(10);
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('03-services-desktop');

      // --- On a phone: rows become cards, the matrix scrolls inside its frame, the navigation is all in sight.
      await page.setViewportSize({ width: 390, height: 844 });
      await matrix.waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await withinViewportWidth(page, serviceRow)).toBe(true);
      expect(await navLinksOutOfSight(page)).toEqual([]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('04-services-phone');
      await nav('Peers').click();
      await peerRow.waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await withinViewportWidth(page, peerRow)).toBe(true);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('05-peers-phone');
      await peerRow.getByRole('button', { name: 'Connect Phone' }).click();
      const phoneDialog = page.getByRole('dialog', { name: 'Connect “Phone”' });
      await phoneDialog.waitFor();
      await expect.poll(() => qrImageWidth(page)).toBeGreaterThan(0);
      expect(await withinViewportWidth(page, phoneDialog.getByTestId('wg-qr'))).toBe(true);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('06-qr-phone', true);
      await phoneDialog.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => phoneDialog.count()).toBe(0);

      // No command ran: every program the server asked for was refused by the test's runner.
      expect(runner.calls.every((argv) => argv.length > 0)).toBe(true);
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));

  // Runs after the test above, logged in on the same page.
  it('refuses a taken name beside its field, edits a peer’s expiry, adds a peer with its own key', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${gatehouse.server.url}/#/peers`);
      const peerRow = page.getByTestId('peer-Phone');
      await peerRow.waitFor();

      // A name that is taken: the server's words beside the name.
      await page.getByRole('button', { name: 'Add peer' }).click();
      const form = page.getByRole('region', { name: 'New peer' });
      await form.getByLabel('Name', { exact: true }).fill('Phone');
      await form.getByRole('button', { name: 'Add peer' }).click();
      const taken = await problemBeside(form, 'Name');
      expect(taken).toMatchObject({ describes: true, invalid: true });
      expect(taken.text).toContain('exists already');

      // Its own key: the box never sees a private key; the file has a blank to fill in on the device.
      const { publicKey } = generateKeyPairSync('x25519');
      const ownKey = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('base64');
      await form.getByLabel('Name', { exact: true }).fill('Laptop');
      await form.getByLabel('I bring my own public key').check();
      await form.getByLabel('Public key', { exact: true }).fill('not a key');
      await form.getByRole('button', { name: 'Add peer' }).click();
      expect((await problemBeside(form, 'Public key')).text).toContain('44 characters of base64');
      await form.getByLabel('Public key', { exact: true }).fill(ownKey);
      await form.getByRole('button', { name: 'Add peer' }).click();
      const dialog = page.getByRole('dialog', { name: '“Laptop” added: connect it' });
      await dialog.getByText('This peer brought its own key', { exact: false }).waitFor();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        dialog.getByTestId('wg-download').click(),
      ]);
      const conf = fs.readFileSync(await download.path(), 'utf8');
      expect(conf).toContain('[Interface]');
      expect(conf).not.toMatch(/^PrivateKey\s*=\s*[A-Za-z0-9+/]{43}=\s*$/m);
      await dialog.getByRole('button', { name: 'Close' }).click();
      const laptopRow = page.getByTestId('peer-Laptop');
      await laptopRow.waitFor();

      // Edit: an expiry date and time (local), shown in the row; the form opens with the peer's values.
      await peerRow.getByRole('button', { name: 'Edit Phone' }).click();
      const edit = page.getByRole('region', { name: 'Edit “Phone”' });
      expect(await edit.getByLabel('Groups', { exact: true }).inputValue()).toBe('family');
      expect(await edit.getByLabel('Keepalive (seconds)').inputValue()).toBe('25');
      await edit.getByLabel('Expiry date').fill('2031-03-04');
      await edit.getByLabel('Expiry time').fill('08:30');
      const patch = page.waitForRequest(
        (r) => r.method() === 'PATCH' && r.url().includes('/api/v1/wireguard/peers/'),
      );
      await edit.getByRole('button', { name: 'Save' }).click();
      expect((await patch).postDataJSON()).toEqual({ expiresAt: new Date(2031, 2, 4, 8, 30).toISOString() });
      await expect.poll(() => edit.count()).toBe(0);
      await expect.poll(() => peerRow.textContent()).toContain('2031');

      // Delete the second peer after a confirmation.
      await laptopRow.getByRole('button', { name: 'Delete Laptop' }).click();
      await laptopRow.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect.poll(() => laptopRow.count()).toBe(0);
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));

  // Runs after the tests above, logged in on the same page.
  it('live status without a reload; config outdated with its reasons; a QR code too long to scan; delete', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${gatehouse.server.url}/#/peers`);
      const peerRow = page.getByTestId('peer-Phone');
      const status = peerRow.getByTestId('wg-status');
      await peerRow.waitFor();
      expect(await status.textContent()).toContain('unknown');

      // The page asks again every few seconds: what the server reports next (here: the real answer with a handshake
      // 90 s ago and a new grant, patched in the browser — no interface runs) shows without a reload.
      const handshakeAt = new Date(Date.now() - 90_000).toISOString();
      await page.route('**/api/v1/wireguard/peers', async (route) => {
        const answer = await route.fetch();
        const body = (await answer.json()) as { peers: Record<string, unknown>[] };
        await route.fulfill({
          response: answer,
          json: {
            peers: body.peers.map((p) => ({
              ...p,
              configOutdated: true,
              outdatedReasons: ['a new grant: nas.'],
              status: {
                online: true,
                latestHandshakeAt: handshakeAt,
                endpoint: '198.51.100.7:41641',
                rxBytes: 1536,
                txBytes: 5_000_000,
              },
            })),
          },
        });
      });
      await expect.poll(() => status.textContent(), { timeout: 12_000 }).toContain('online');
      expect(await status.textContent()).toContain('last handshake 1 min ago');
      expect(await peerRow.textContent()).toContain('198.51.100.7:41641');
      expect(await peerRow.textContent()).toContain('↓ 4.8 MiB ↑ 1.5 KiB');
      expect(await page.getByTestId('wg-online-count').textContent()).toBe('1 of 1 peer online now.');
      expect(await peerRow.getByRole('img', { name: 'online' }).count()).toBe(1);
      const outdated = peerRow.getByTestId('wg-outdated');
      expect(await outdated.textContent()).toContain('A new grant: nas.');
      expect(await peerRow.getByText('config outdated', { exact: true }).count()).toBe(1);
      expect(await sidewaysOverflow(page)).toBe(0);
      expect(await withinViewportWidth(page, peerRow.getByRole('button', { name: 'Delete Phone' }))).toBe(
        true,
      );
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot('08-peer-online-outdated');

      // No endpoint known (409 from the server, answered here by the browser): the reason alone, no download button
      // that would save an error as a file.
      await page.route('**/api/v1/wireguard/peers/*/qr.svg*', (route) =>
        route.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'wireguard.no-endpoint',
              message: 'Gatehouse does not know yet how peers reach it.',
            },
          }),
        }),
      );
      await peerRow.getByRole('button', { name: 'Connect Phone' }).click();
      const noEndpoint = page.getByRole('dialog', { name: 'Connect “Phone”' });
      await noEndpoint
        .getByTestId('wg-qr-problem')
        .getByText('does not know yet how peers reach it')
        .waitFor();
      expect(await noEndpoint.getByTestId('wg-download').count()).toBe(0);
      expect(await noEndpoint.getByRole('button', { name: 'Create one-time link' }).count()).toBe(0);
      await noEndpoint.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => noEndpoint.count()).toBe(0);
      await page.unroute('**/api/v1/wireguard/peers/*/qr.svg*');

      // "Show new QR": the dialog repeats why; the server refuses the QR code as too long to scan (422, answered here
      // by the browser) — its words are shown, and the download and the link stay.
      const tooLong = 'The configuration is too long for a QR code that phones can scan (1,400 bytes).';
      await page.route('**/api/v1/wireguard/peers/*/qr.svg*', (route) =>
        route.fulfill({
          status: 422,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'wireguard.qr-too-long', message: tooLong } }),
        }),
      );
      await outdated.getByRole('button', { name: 'Show new QR of Phone' }).click();
      const dialog = page.getByRole('dialog', { name: 'Connect “Phone”' });
      await dialog.getByText('Config outdated: a new grant: nas.', { exact: false }).waitFor();
      const problem = dialog.getByTestId('wg-qr-problem');
      await problem.waitFor();
      expect(await problem.textContent()).toContain(tooLong);
      expect(await problem.textContent()).toContain('Download the file or send a one-time link');
      expect(await dialog.getByTestId('wg-qr').count()).toBe(0);
      await dialog.getByTestId('wg-download').waitFor();
      await dialog.getByRole('button', { name: 'Create one-time link' }).waitFor();
      await shot('07-qr-too-long', true);
      await page.unroute('**/api/v1/wireguard/peers/*/qr.svg*');
      await page.unroute('**/api/v1/wireguard/peers');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect.poll(() => dialog.count()).toBe(0);

      // Delete, after a confirmation.
      await peerRow.getByRole('button', { name: 'Delete Phone' }).click();
      await peerRow.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByTestId('wg-peers').getByText('No peers yet.', { exact: false }).waitFor();
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
});

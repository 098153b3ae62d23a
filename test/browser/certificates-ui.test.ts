/**
 * @module Browser test: the Certificates page in Chromium against a real Gatehouse (login, navigation, CSP), its
 * /api/v1/cert routes answered by a scripted fake of the certificate API inside the browser's request interception —
 * every answer checked against the server's own zod schemas (src/cert/view.ts), so the fake cannot drift from the
 * contract. The owner sees the self-signed bootstrap certificate, looks the CA up and sees its terms, has problems
 * shown beside their fields (not looked up, not agreed, an HMAC key the server refuses, a wildcard with HTTP-01),
 * saves the account (the HMAC key never shown again: "set") and the names (the DDNS hostnames suggested), presses
 * "Issue now" and sees it run (GET /cert every 2 s) and end with a real certificate and its countdown; then a failing
 * renewal with the CA's words and the remedy, "Renew now" failing again — on a desktop and a phone, without sideways
 * scrolling and without serious axe findings. No CA is reached: nothing leaves the browser and loopback.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountInputSchema,
  certificateInputSchema,
  certViewSchema,
  directoryViewSchema,
  runResultSchema,
  type CertView,
} from '../../src/cert/view.js';
import { checkCertificateNames } from '../../src/cert/names.js';
import { loadConfig } from '../../src/config/index.js';
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
  pageText,
  repoRoot,
  setUpThroughUi,
  tempDir,
  watchPage,
} from './support.js';

const skip = browserSkipReason('certificates');

const artifacts = path.join(artifactsRoot, 'browser-certificates');
const username = 'admin';
const password = 'browser test password 12';
/** Never fetched: the fake below answers for it inside the browser. */
const directoryUrl = 'https://acme.example.test/directory';
const termsUrl = 'https://acme.example.test/terms-v3.pdf';
const hmacKey = `eab-hmac-${Date.now().toString(36)}-0123456789abcdef`;
const hostname = 'home.example.test';
const day = 86_400_000;

type Answer = { readonly status: number; readonly body: unknown };

const problem = (status: number, code: string, message: string, details?: unknown): Answer => ({
  status,
  body: { error: details === undefined ? { code, message } : { code, message, details } },
});

/** What the fake's view starts as: the self-signed bootstrap certificate, nothing set up. */
function bootstrapView(): CertView {
  return {
    enabled: true,
    account: null,
    certificate: null,
    suggestedNames: [hostname],
    current: null,
    serving: {
      kind: 'bootstrap',
      names: ['gatehouse.local'],
      notAfter: new Date(Date.now() + 700 * day).toISOString(),
      fingerprintSha256: '3f'.repeat(32),
    },
    renewal: {
      state: 'none',
      nextAt: null,
      reason: 'no certificate from a CA yet',
      ari: null,
      failures: 0,
      lastError: null,
      lastSuccessAt: null,
    },
    challenge: { chosen: null, why: 'Choose the names first.', warnings: [] },
    history: [],
  };
}

/**
 * The certificate routes as the server answers them (COMMON.md, src/cert/routes.ts): bodies validated with the same
 * zod schemas, errors in the shared `{ error: { code, message, details } }` shape. An order runs for `runPolls` GETs
 * of /cert (state `running`), then `outcome` decides what it left behind.
 */
class FakeCertApi {
  view: CertView = bootstrapView();
  readonly requests: string[] = [];
  /** When each GET /cert arrived while an order ran (ms since the epoch). */
  readonly runningGets: number[] = [];
  runPolls = 2;
  outcome: 'issued' | 'failed' = 'issued';
  private remaining = 0;
  private hmacKeySet = false;

  answer(method: string, url: URL, body: unknown): Answer {
    const route = `${method} ${url.pathname.replace(/^\/api\/v1/, '')}`;
    this.requests.push(route);
    switch (route) {
      case 'GET /cert':
        return { status: 200, body: certViewSchema.parse(this.current()) };
      case 'GET /cert/directory': {
        const asked = url.searchParams.get('url') ?? '';
        if (asked !== directoryUrl)
          return problem(422, 'cert.ca-refused', 'url: not an ACME directory', [
            { path: ['url'], message: 'url: not an ACME directory' },
          ]);
        return {
          status: 200,
          body: directoryViewSchema.parse({
            url: directoryUrl,
            termsOfService: termsUrl,
            website: 'https://acme.example.test/',
            externalAccountRequired: true,
            renewalInfo: 'https://acme.example.test/renewal-info',
          }),
        };
      }
      case 'PUT /cert/account': {
        const parsed = accountInputSchema.safeParse(body);
        if (!parsed.success) return problem(400, 'validation', 'invalid body', parsed.error.issues);
        const input = parsed.data;
        if (!input.agreeTerms)
          return problem(409, 'cert.terms-not-agreed', "agree to the CA's terms of service first", [
            { path: ['agreeTerms'], message: "agree to the CA's terms of service first" },
          ]);
        if (input.eab) this.hmacKeySet = true;
        const at = new Date().toISOString();
        this.view = {
          ...this.view,
          account: {
            directoryUrl: input.directoryUrl,
            email: input.email ?? null,
            termsOfService: termsUrl,
            termsAgreedAt: at,
            eabKid: input.eab?.kid ?? this.view.account?.eabKid ?? null,
            eabHmacKeySet: this.hmacKeySet,
            accountUrl: 'https://acme.example.test/acct/7',
            caBundleSet: false,
          },
        };
        return { status: 200, body: certViewSchema.parse(this.view) };
      }
      case 'PUT /cert/certificate': {
        const parsed = certificateInputSchema.safeParse(body);
        if (!parsed.success) return problem(400, 'validation', 'invalid body', parsed.error.issues);
        const { challenge, keyType } = parsed.data;
        // The manager's own check of each name, answered as it does (`cert.invalid` about the field `names`).
        const checked = checkCertificateNames(parsed.data.names);
        if (!checked.ok)
          return problem(400, 'cert.invalid', checked.error, [{ path: ['names'], message: checked.error }]);
        const names = checked.value;
        this.view = {
          ...this.view,
          certificate: { names, challenge, keyType },
          challenge: {
            chosen: names.some((n) => n.startsWith('*.')) ? 'dns-01' : 'http-01',
            why: 'A wildcard name can only be validated with DNS-01: through the DNS provider of example.test.',
            warnings: [],
          },
        };
        return { status: 200, body: certViewSchema.parse(this.view) };
      }
      case 'DELETE /cert/certificate':
        this.view = {
          ...bootstrapView(),
          account: this.view.account,
          history: this.view.history,
          suggestedNames: this.view.suggestedNames,
        };
        return { status: 200, body: certViewSchema.parse(this.view) };
      case 'POST /cert/issue':
      case 'POST /cert/renew': {
        if (this.remaining > 0) return problem(409, 'cert.busy', 'a certificate is being ordered right now');
        if (this.view.account === null) return problem(409, 'cert.no-account', 'choose a CA first');
        this.remaining = this.runPolls;
        return { status: 202, body: runResultSchema.parse({ started: true }) };
      }
      default:
        return problem(404, 'not-found', `no route ${route} in the fake`);
    }
  }

  /** The view, with an order in progress for the next few GETs, then its outcome. */
  private current(): CertView {
    if (this.remaining > 0) {
      this.remaining -= 1;
      this.runningGets.push(Date.now());
      if (this.remaining === 0) this.finish();
      else return { ...this.view, renewal: { ...this.view.renewal, state: 'running', nextAt: null } };
    }
    return this.view;
  }

  private finish(): void {
    const now = Date.now();
    const names = this.view.certificate?.names ?? [hostname];
    if (this.outcome === 'issued') {
      const serial = `04${(now % 0xffffff).toString(16).padStart(6, '0')}a1b2c3d4e5f6`;
      const issued = {
        serial,
        names,
        issuer: 'Example Test CA R7',
        notBefore: new Date(now - 60_000).toISOString(),
        notAfter: new Date(now + 90 * day - 60_000).toISOString(),
        issuedAt: new Date(now).toISOString(),
        challenge: 'dns-01' as const,
      };
      this.view = {
        ...this.view,
        current: issued,
        serving: { kind: 'acme', names, notAfter: issued.notAfter, fingerprintSha256: 'c4'.repeat(32) },
        renewal: {
          state: 'waiting',
          nextAt: new Date(now + 60 * day).toISOString(),
          reason: 'in the window the CA suggests',
          ari: {
            start: new Date(now + 59 * day).toISOString(),
            end: new Date(now + 61 * day).toISOString(),
            explanationUrl: null,
          },
          failures: 0,
          lastError: null,
          lastSuccessAt: issued.issuedAt,
        },
        history: [
          {
            serial,
            names,
            notBefore: issued.notBefore,
            notAfter: issued.notAfter,
            issuedAt: issued.issuedAt,
          },
          ...this.view.history,
        ],
      };
      return;
    }
    this.view = {
      ...this.view,
      renewal: {
        ...this.view.renewal,
        state: 'failing',
        failures: this.view.renewal.failures + 1,
        nextAt: new Date(now + 3_600_000).toISOString(),
        lastError: {
          at: new Date(now).toISOString(),
          kind: 'challenge',
          message:
            'http-01 for home.example.test: the CA fetched http://home.example.test/.well-known/acme-challenge/Xy and got: Connection refused',
          challenge: 'http-01',
        },
      },
    };
  }
}

describe.skipIf(skip !== undefined)('Certificates page in Chromium', () => {
  let dataDir: string;
  let buildDir: string;
  let gatehouse: Gatehouse | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const fake = new FakeCertApi();
  const serverLog: string[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    dataDir = tempDir('gatehouse-browser-cert-');
    buildDir = tempDir('gatehouse-browser-web-');
    const webRoot = await builtWebRoot(buildDir);
    // As the shared harness, plus the certificate capability's port-80 listener on loopback and no router mapping:
    // the real server's certificate routes are used by the last test.
    const config = loadConfig({
      flags: { dataDir, listen: '127.0.0.1:0', logLevel: 'warn', config: 'gatehouse.json' },
      env: { GATEHOUSE_REACHABILITY: 'off' },
      cwd: repoRoot,
      readFile: (file) =>
        path.basename(file) === 'gatehouse.json'
          ? JSON.stringify({ acme: { http01: { listen: '127.0.0.1:0', mapRouterPort: false } } })
          : undefined,
    });
    if (!config.ok) throw new Error(config.error.message);
    expect(config.value.acme.http01.listen.host).toBe('127.0.0.1');
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
    // The certificate routes only; everything else is the real server.
    await page.route(
      (url) => /^\/api\/v1\/cert(\/|$)/.test(url.pathname),
      async (route: Route) => {
        const request = route.request();
        const raw = request.postData();
        const body: unknown = raw === null || raw === '' ? undefined : JSON.parse(raw);
        const answer = fake.answer(request.method(), new URL(request.url()), body);
        await route.fulfill({
          status: answer.status,
          contentType: 'application/json',
          body: JSON.stringify(answer.body),
        });
      },
    );
  });

  afterAll(async () => {
    await browser?.close();
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
      fs.writeFileSync(path.join(artifacts, 'failure-requests.json'), JSON.stringify(fake.requests, null, 2));
      throw new Error(
        `${(e as Error).message}\n(see test-artifacts/browser-certificates/failure.png and failure-requests.json)`,
        { cause: e },
      );
    }
  }

  async function checkLayout(name: string): Promise<void> {
    expect(await sidewaysOverflow(page)).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(name);
  }

  it('sets up the CA and the names, issues, and shows the real certificate with its countdown', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await setUpThroughUi(page, { url: gatehouse.server.url, dataDir }, { username, password });
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Certificates' })
        .click();
      await page.getByRole('heading', { name: 'Certificates', level: 1 }).waitFor();
      expect(new URL(page.url()).hash).toBe('#/certificates');

      // --- The bootstrap certificate; nothing can start yet, and the page says why.
      const banner = page.getByTestId('cert-banner');
      await banner.getByText('Serving the self-signed bootstrap certificate').waitFor();
      expect(await banner.textContent()).toContain('Choose a certificate authority and the names below');
      const start = page.getByTestId('cert-start');
      expect(await start.textContent()).toBe('Issue now');
      expect(await start.isDisabled()).toBe(true);
      await page.getByTestId('cert-progress').getByText('Choose a certificate authority first.').waitFor();
      expect(await page.getByTestId('cert-history').textContent()).toContain('No certificate issued yet.');
      await checkLayout('01-bootstrap-desktop');

      // --- The CA: another CA by its directory URL. Saving before its terms were shown is refused beside the URL.
      const form = page.getByRole('form', { name: 'Certificate authority settings' });
      await form.getByLabel('CA', { exact: true }).selectOption('custom');
      await form.getByLabel('Directory URL').fill('https://wrong.example.test/dir');
      await form.getByRole('button', { name: 'Save' }).click();
      let beside = await problemBeside(form, 'Directory URL');
      expect(beside).toMatchObject({ describes: true, invalid: true });
      expect(beside.text).toContain('Look the CA up first');
      // A URL that is no ACME directory: the server's words beside the field, without the query's name.
      await form.getByRole('button', { name: 'Show the CA’s terms' }).click();
      beside = await problemBeside(form, 'Directory URL');
      expect(beside.text).toBe('Not an ACME directory.');
      await form.getByLabel('Directory URL').fill(directoryUrl);
      await form.getByRole('button', { name: 'Show the CA’s terms' }).click();
      const terms = form.getByTestId('cert-directory');
      await terms.getByRole('link', { name: termsUrl }).waitFor();
      expect(await terms.textContent()).toContain('This CA requires External Account Binding');
      expect(await terms.textContent()).toContain('It suggests when to renew');
      expect(fake.requests).toContain('GET /cert/directory');

      // Not agreed: refused beside the checkbox, nothing sent.
      await form.getByLabel('Email (optional)').fill('owner@example.test');
      await form.getByLabel('Key ID').fill('kid-42');
      await form.getByLabel('HMAC key').fill('short');
      expect(await form.getByLabel('HMAC key').getAttribute('type')).toBe('password');
      await form.getByRole('button', { name: 'Save' }).click();
      beside = await problemBeside(form, 'I agree to the CA’s terms of service');
      expect(beside).toMatchObject({ describes: true, invalid: true });
      expect(fake.requests).not.toContain('PUT /cert/account');

      // An HMAC key the server refuses (too short): its words beside that field, without the path.
      await form.getByTestId('cert-agree').check();
      await form.getByRole('button', { name: 'Save' }).click();
      beside = await problemBeside(form, 'HMAC key');
      expect(beside).toMatchObject({ describes: true, invalid: true });
      expect(beside.text).not.toMatch(/eab\.|hmacKey/i);
      expect(fake.requests.filter((r) => r === 'PUT /cert/account')).toHaveLength(1);

      await form.getByLabel('HMAC key').fill(hmacKey);
      await form.getByRole('button', { name: 'Save' }).click();
      const accountFacts = page.getByTestId('cert-account-facts');
      await accountFacts.waitFor();
      expect(await accountFacts.textContent()).toContain(directoryUrl);
      expect(await accountFacts.textContent()).toContain('Key ID kid-42; HMAC key set');
      expect(await accountFacts.textContent()).toContain('owner@example.test');
      await page.getByTestId('cert-progress').getByText('Choose the names first.').waitFor();

      // Write-only: the HMAC key is nowhere on the page, and the form opened again starts empty.
      expect(await pageText(page)).not.toContain(hmacKey);
      await page.getByTestId('cert-account').getByRole('button', { name: 'Change' }).click();
      expect(await form.getByLabel('HMAC key').inputValue()).toBe('');
      expect(await form.getByLabel('Key ID').inputValue()).toBe('kid-42');
      expect(await form.getByTestId('cert-agree').isChecked()).toBe(false);
      await form.getByText('Set. Leave empty to keep it').waitFor();
      await form.getByRole('button', { name: 'Cancel' }).click();

      // --- The names: the DDNS hostname suggested; a wildcard with HTTP-01 refused beside the challenge.
      const names = page.getByRole('form', { name: 'Certificate names and challenge' });
      expect(await names.getByLabel('Names').inputValue()).toBe(hostname);
      await names.getByLabel('Names').fill(`${hostname}, *.example.test`);
      await names.getByText('A wildcard (*.example.com) needs DNS-01').waitFor();
      await names.getByLabel('Challenge').selectOption('http-01');
      await names.getByRole('button', { name: 'Save' }).click();
      beside = await problemBeside(names, 'Challenge');
      expect(beside.text).toContain('Wildcard names can only be validated with DNS-01');
      expect(fake.requests).not.toContain('PUT /cert/certificate');
      await names.getByLabel('Challenge').selectOption('auto');
      // A name only the server can judge (an IP address): its words beside the names, without the item's path.
      await names.getByLabel('Names').fill(`${hostname}, *.example.test, 203.0.113.5`);
      await names.getByRole('button', { name: 'Save' }).click();
      beside = await problemBeside(names, 'Names');
      expect(beside).toMatchObject({ describes: true, invalid: true });
      expect(beside.text).toContain('is an IP address, not a domain name');
      expect(beside.text).not.toMatch(/^names/i);
      await names.getByLabel('Names').fill(`${hostname}, *.example.test`);
      await names.getByRole('button', { name: 'Save' }).click();
      const settings = page.getByTestId('cert-settings-facts');
      await settings.waitFor();
      expect(await settings.textContent()).toContain(`${hostname}, *.example.test`);
      await page.getByTestId('cert-challenge').getByText('DNS-01: Gatehouse puts a TXT record').waitFor();
      expect(await page.getByTestId('cert-challenge').textContent()).toContain(
        'only be validated with DNS-01',
      );

      // --- Issue now: it runs (the page follows it every 2 s), then the real certificate is served.
      expect(await start.isDisabled()).toBe(false);
      await start.click();
      await expect.poll(() => start.textContent()).toBe('Issuing…');
      const result = page.getByTestId('cert-result');
      await result
        .getByText(`Done: a new certificate for ${hostname}, *.example.test is served now.`)
        .waitFor({
          timeout: 20_000,
        });
      expect(fake.requests).toContain('POST /cert/issue');
      // Polled while running, about every 2 s (not in a tight loop).
      expect(fake.runningGets.length).toBeGreaterThanOrEqual(2);
      const gaps = fake.runningGets.slice(1).map((t, i) => t - (fake.runningGets[i] ?? t));
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_500);
      await banner.getByText(`Serving an ACME certificate for ${hostname}, *.example.test`).waitFor();
      const countdown = await page.getByTestId('cert-countdown').textContent();
      expect(countdown).toMatch(
        /^Expires in 8[89] days \(.+\) — renews around .+ \(the CA’s suggested window\)\.$/,
      );
      expect(await start.textContent()).toBe('Renew now');
      expect(await page.getByTestId('cert-issuer').textContent()).toBe('Example Test CA R7');
      expect(await page.getByTestId('cert-renewal-state').textContent()).toBe('scheduled');
      const history = page.getByTestId('cert-history');
      await history.getByText('serving').waitFor();
      await checkLayout('02-issued-desktop');

      // --- On a phone: rows become cards, nothing scrolls sideways, every navigation link in sight.
      await page.setViewportSize({ width: 390, height: 844 });
      await banner.waitFor();
      expect(await navLinksOutOfSight(page)).toEqual([]);
      expect(await withinViewportWidth(page, page.getByTestId('cert-current'))).toBe(true);
      expect(await withinViewportWidth(page, history.locator('tbody tr').first())).toBe(true);
      await checkLayout('03-issued-phone');
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));

  // Runs after the test above, logged in on the same page.
  it('a failing renewal: the CA’s words, what to do, and "Renew now" failing again', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await page.setViewportSize({ width: 1280, height: 900 });
      const view = fake.view;
      const renewal = view.renewal;
      fake.view = {
        ...view,
        renewal: {
          ...renewal,
          state: 'failing',
          failures: 3,
          nextAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
          lastError: {
            // After the success of the test above: a failure since.
            at: new Date().toISOString(),
            kind: 'rate-limited',
            message:
              'too many certificates (5) already issued for this exact set of identifiers in the last 168h0m0s, retry after 2026-11-29 01:00:00 UTC',
            challenge: null,
          },
        },
        challenge: {
          ...view.challenge,
          warnings: ['Port 80 is not reachable from outside: HTTP-01 would fail; DNS-01 is used.'],
        },
      };
      await page.reload();
      const failure = page.getByTestId('cert-last-error');
      await failure.waitFor();
      expect(await failure.textContent()).toContain('too many certificates (5) already issued');
      expect(await failure.textContent()).toContain('What to do:');
      expect(await failure.textContent()).toContain('Pressing “Renew now” does not help');
      expect(await page.getByTestId('cert-renewal-state').textContent()).toBe('failing');
      expect(await page.getByTestId('cert-renewal').textContent()).toContain('3 failed attempts in a row');
      await page.getByTestId('cert-challenge').getByText('Port 80 is not reachable from outside').waitFor();
      // The old certificate keeps serving: the banner says so, in a warning's colour.
      const banner = page.getByTestId('cert-banner');
      expect(await banner.getAttribute('class')).toContain('reach-banner--warning');
      expect(await banner.textContent()).toContain('The certificate keeps serving meanwhile.');
      await checkLayout('04-failing-desktop');

      // Renew now: it runs and fails at the challenge; the new error and its remedy replace the old.
      fake.outcome = 'failed';
      const start = page.getByTestId('cert-start');
      await start.click();
      const result = page.getByTestId('cert-result');
      await result.getByText('The CA did not issue a certificate').waitFor({ timeout: 20_000 });
      expect(fake.requests).toContain('POST /cert/renew');
      await failure.getByText('got: Connection refused', { exact: false }).waitFor();
      expect(await failure.textContent()).toContain('(HTTP-01)');
      expect(await failure.textContent()).toContain('TCP port 80 is forwarded to this box');
      expect(await page.getByTestId('cert-renewal').textContent()).toContain('4 failed attempts in a row');

      await page.setViewportSize({ width: 390, height: 844 });
      await failure.waitFor();
      expect(await withinViewportWidth(page, failure)).toBe(true);
      await checkLayout('05-failing-phone');
      // Without the colour transitions (styles.css runs them for no-preference only): axe measures the end state.
      await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
      await checkLayout('06-failing-phone-dark');
      await page.emulateMedia({ colorScheme: 'light' });

      // Stop managing, after a confirmation: back to the self-signed certificate; the history stays.
      await page.setViewportSize({ width: 1280, height: 900 });
      const settings = page.getByTestId('cert-settings');
      await settings.getByRole('button', { name: 'Stop managing' }).click();
      await settings.getByRole('button', { name: 'Stop', exact: true }).click();
      await banner.getByText('Serving the self-signed bootstrap certificate').waitFor();
      expect(fake.requests).toContain('DELETE /cert/certificate');
      await page.getByRole('form', { name: 'Certificate names and challenge' }).waitFor();
      expect(await page.getByTestId('cert-history').locator('tbody tr').count()).toBe(1);
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
  // Runs after the tests above: the browser's interception is lifted, the real server answers.
  it('against the server’s own certificate routes: its view, the names saved, an unreachable CA in words', () =>
    withEvidence(async () => {
      if (!gatehouse) throw new Error('the server did not start');
      await page.unrouteAll({ behavior: 'wait' });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.reload();
      const banner = page.getByTestId('cert-banner');
      await banner.waitFor();
      // Plain HTTP on loopback: no certificate at all, and nothing set up.
      expect(await banner.textContent()).toMatch(
        /Serving the self-signed bootstrap certificate|No certificate is served/,
      );
      expect(await page.getByTestId('cert-start').textContent()).toBe('Issue now');
      await page.getByTestId('cert-progress').getByText('Choose a certificate authority first.').waitFor();

      // The names, saved by the server (its hostname rule): an IP address refused beside the field, then saved.
      const names = page.getByRole('form', { name: 'Certificate names and challenge' });
      await names.getByLabel('Names').fill(`${hostname}, 203.0.113.5`);
      await names.getByRole('button', { name: 'Save' }).click();
      const beside = await problemBeside(names, 'Names');
      expect(beside.text).toContain('is an IP address, not a domain name');
      expect(beside.text).not.toMatch(/^names/i);
      await names.getByLabel('Names').fill(hostname);
      await names.getByRole('button', { name: 'Save' }).click();
      const settings = page.getByTestId('cert-settings-facts');
      await settings.waitFor();
      expect(await settings.textContent()).toContain(hostname);
      // Nothing can be ordered without a CA: the renewal waits for the owner, whatever the server's schedule says.
      expect(await page.getByTestId('cert-renewal-state').textContent()).toBe('waiting for you');

      // A CA that cannot be reached (a closed port on loopback): the server's reason beside the directory URL.
      const closed = await new Promise<number>((resolve, reject) => {
        const probe = net.createServer();
        probe.once('error', reject);
        probe.listen(0, '127.0.0.1', () => {
          const address = probe.address();
          probe.close(() => {
            resolve(typeof address === 'object' && address !== null ? address.port : 0);
          });
        });
      });
      const form = page.getByRole('form', { name: 'Certificate authority settings' });
      await form.getByLabel('CA', { exact: true }).selectOption('custom');
      await form.getByLabel('Directory URL').fill(`https://127.0.0.1:${closed}/directory`);
      await form.getByRole('button', { name: 'Show the CA’s terms' }).click();
      const unreachable = await problemBeside(form, 'Directory URL');
      expect(unreachable).toMatchObject({ describes: true, invalid: true });
      expect(unreachable.text.length).toBeGreaterThan(0);
      expect(await form.getByTestId('cert-directory').count()).toBe(0);
      await checkLayout('07-real-server-desktop');
      expect(cspViolations).toEqual([]);
      expect(pageErrors).toEqual([]);
    }));
});

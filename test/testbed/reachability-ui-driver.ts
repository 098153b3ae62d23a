/**
 * @module Runs inside the test bed's gw namespace (spawned by test/e2e/reachability-ui.test.ts): a Gatehouse
 * with reachability on against the bed's servers, and Debian's Chromium showing its reachability page and
 * dashboard. Prints `STEP1 <json>` with what the page shows, waits for the test to renumber the router (the file
 * `<work>/renumbered` names the new address), prints `STEP2 <json>` once the page shows the change, and leaves
 * screenshots in `<work>/shots`. Usage: node --import tsx reachability-ui-driver.ts <config.json> <work dir> <web root>
 * [once]   — with `once`, only STEP1 (no renumbering) and DONE.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startGatehouse } from '../../src/main.js';
import { launchChromium } from '../browser/support.js';

const [configFile, work, webRoot, mode] = process.argv.slice(2);
const once = mode === 'once';
if (!configFile || !work || !webRoot)
  throw new Error('usage: reachability-ui-driver <config> <work> <web root>');
const shots = path.join(work, 'shots');
fs.mkdirSync(shots, { recursive: true });

const config = loadConfig({
  flags: { config: configFile, dataDir: path.join(work, 'data'), listen: '127.0.0.1:0', logLevel: 'info' },
  env: {},
  cwd: work,
  readFile: (f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined),
});
if (!config.ok) throw new Error(config.error.message);
const gatehouse = await startGatehouse(config.value, {
  webRoot,
  processMetrics: false,
  logDestination: fs.createWriteStream(path.join(work, 'server.log')),
});
const url = gatehouse.server.url;

/** Polls a condition (a wait on state, with a deadline), as the testbed's waitFor does. */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// First-run setup through the API, with the token the server holds (the browser test walks the setup page).
const setupToken = gatehouse.auth.pendingSetupToken();
const setup = await fetch(`${url}/api/v1/setup`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', origin: url },
  body: JSON.stringify({ setupToken, username: 'admin', password: 'correct horse battery staple' }),
});
if (setup.status !== 201) throw new Error(`setup failed: ${setup.status} ${await setup.text()}`);
// The session's CSRF token, for "Check now" (a POST).
const { csrfToken } = (await setup.json()) as { csrfToken: string };
const cookie = /^([^=]+)=([^;]+)/.exec(setup.headers.get('set-cookie') ?? '');
if (!cookie?.[1] || !cookie[2]) throw new Error('setup set no session cookie');
const cookieName: string = cookie[1];
const cookieValue: string = cookie[2];

interface Api {
  report: { headline: string; ipv4: { portMapping: string; publicAddress: string | null } } | null;
  current: { ipv4: string | null };
  changeDetection: { upnp: string; announcements: string; interfaceEvents: string } | null;
}
const api = async (): Promise<Api> => {
  const res = await fetch(`${url}/api/v1/reachability`, {
    headers: { cookie: `${cookieName}=${cookieValue}` },
  });
  return (await res.json()) as Api;
};
// The full run shows the change channels live; a first look ('once') needs only a report (a router may be absent).
await until('a report, the UPnP subscription and the announcement listener', async () => {
  const a = await api();
  if (once) return a.report ? true : undefined;
  return a.report &&
    a.changeDetection?.upnp === 'subscribed' &&
    a.changeDetection.announcements === 'listening'
    ? true
    : undefined;
});
// The port mapper's first attempt may end after the first probe: "Check now" (as a person would) until the report
// says what the router did.
// Offline, a probe waits for its sources' time limits, so this may take a few probes' time.
await until(
  "a report with the port mapper's state",
  async () => {
    const before = await api();
    if (before.report?.ipv4.portMapping !== 'not-tried') return true;
    const probed = await fetch(`${url}/api/v1/reachability/probe`, {
      method: 'POST',
      headers: { cookie: `${cookieName}=${cookieValue}`, origin: url, 'x-csrf-token': csrfToken },
    });
    if (probed.status !== 200) throw new Error(`Check now failed: ${probed.status} ${await probed.text()}`);
    return undefined;
  },
  80_000,
);

try {
  await showPages();
} finally {
  await gatehouse.stop();
}
console.log('DONE');

async function showPages(): Promise<void> {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    await context.addCookies([{ name: cookieName, value: cookieValue, url }]);
    const page = await context.newPage();
    const text = async (testId: string) => (await page.getByTestId(testId).innerText()).replace(/\s+/g, ' ');

    await page.goto(`${url}/#/reachability`);
    await page.getByTestId('reachability-detection').waitFor();
    await page.screenshot({ path: path.join(shots, '01-reachability.png'), fullPage: true });
    const step1 = {
      headline: await text('reachability-headline'),
      ipv4: await text('reachability-ipv4'),
      detection: await text('reachability-detection'),
      history: await text('reachability-history'),
      // Absent when there is nothing to do.
      remedies:
        (await page.getByTestId('reachability-remedies').count()) > 0
          ? await text('reachability-remedies')
          : '',
      evidence: await text('reachability-evidence'),
      sources: await text('reachability-sources'),
    };
    await page.goto(`${url}/#/`);
    await page.getByTestId('card-reachability').waitFor();
    const dashboard = await text('card-reachability');
    await page.screenshot({ path: path.join(shots, '02-dashboard.png'), fullPage: true });
    console.log(`STEP1 ${JSON.stringify({ ...step1, dashboard })}`);
    if (once) return;

    const renumbered = path.join(shots, '..', 'renumbered');
    const next = await until(
      'the test to renumber the router',
      () =>
        Promise.resolve(fs.existsSync(renumbered) ? fs.readFileSync(renumbered, 'utf8').trim() : undefined),
      60_000,
    );
    // The address is accepted at quorum; the report with it follows once the slower sources have answered.
    await until(`the server accepting ${next}, and its report`, async () => {
      const a = await api();
      return a.current.ipv4 === next && a.report?.ipv4.publicAddress === next ? true : undefined;
    });
    await page.goto(`${url}/#/reachability`);
    await page.getByTestId('reachability-history').getByText(next).first().waitFor();
    await page.screenshot({ path: path.join(shots, '03-reachability-after-change.png'), fullPage: true });
    console.log(
      `STEP2 ${JSON.stringify({ ipv4: await text('reachability-ipv4'), history: await text('reachability-history') })}`,
    );
  } finally {
    await browser.close();
  }
}

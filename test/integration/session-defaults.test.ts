/**
 * @module The documented session limits as the real server applies them (config defaults → main → auth): a
 * session ends after 720 minutes idle and after 168 hours in any case. Served on loopback, time on a fake clock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGatehouse, type Gatehouse } from '../../src/main.js';
import { FakeClock } from '../fakes/clock.js';
import { loadConfig } from '../../src/config/index.js';
import { testConfig } from '../support/config.js';

const minute = 60_000;
const hour = 60 * minute;

let dir: string;
let gh: Gatehouse | undefined;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-session-defaults-'));
});
afterEach(async () => {
  await gh?.stop();
  gh = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serverWithAdmin(env: Record<string, string> = {}) {
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const loaded = loadConfig({ flags: {}, env, cwd: dir, readFile: () => undefined });
  if (!loaded.ok) throw new Error(loaded.error.message);
  const { sessionIdleMinutes, sessionMaxAgeHours } = loaded.value;
  const config = testConfig({ dataDir: dir, sessionIdleMinutes, sessionMaxAgeHours });
  if (Object.keys(env).length === 0) {
    // The limits under test are the embedded defaults, not something this test chose.
    expect([config.sessionIdleMinutes, config.sessionMaxAgeHours]).toEqual([720, 168]);
  }
  gh = await startGatehouse(config, { processMetrics: false, ports: { clock } });
  const url = gh.server.url;
  const setupToken = fs.readFileSync(path.join(dir, 'setup-token'), 'utf8').trim();
  const setup = await fetch(`${url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ setupToken, username: 'admin', password: 'correct horse battery staple' }),
  });
  expect(setup.status).toBe(201);
  const cookie = /gatehouse_session=([^;]+)/.exec(setup.headers.get('set-cookie') ?? '')?.[1] ?? '';
  const status = async () =>
    (await fetch(`${url}/api/v1/status`, { headers: { cookie: `gatehouse_session=${cookie}` } })).status;
  return { clock, status };
}

describe('session limits with the default settings', () => {
  it('ends a session idle for 720 minutes; any request before that starts the idle time again', async () => {
    const { clock, status } = await serverWithAdmin();
    clock.advance(720 * minute - 1);
    expect(await status()).toBe(200);
    clock.advance(720 * minute - 1);
    expect(await status()).toBe(200);
    clock.advance(720 * minute);
    expect(await status()).toBe(401);
  });

  it('ends a busy session 168 hours after the login', async () => {
    const { clock, status } = await serverWithAdmin();
    const start = clock.now().getTime();
    const end = start + 168 * hour;
    // A request every 10 hours keeps the idle limit away.
    while (clock.now().getTime() + 10 * hour < end) {
      clock.advance(10 * hour);
      expect(await status(), clock.now().toISOString()).toBe(200);
    }
    clock.advance(end - 1 - clock.now().getTime());
    expect(await status()).toBe(200);
    clock.advance(1);
    expect(await status()).toBe(401);
  });
});

describe('a short idle limit (GATEHOUSE_SESSION_IDLE_MINUTES=1)', () => {
  it('keeps a session in use alive: the idle expiry is refreshed at a fraction of the limit, not once a minute', async () => {
    const { clock, status } = await serverWithAdmin({ GATEHOUSE_SESSION_IDLE_MINUTES: '1' });
    // A request every 50 s for ten minutes: never a minute of inactivity.
    for (let i = 0; i < 12; i++) {
      clock.advance(50_000);
      expect(await status(), `after ${(i + 1) * 50} s`).toBe(200);
    }
    // And a minute without a request still ends it.
    clock.advance(minute);
    expect(await status()).toBe(401);
  });
});

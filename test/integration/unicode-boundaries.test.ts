/**
 * @module Text from outside is well-formed Unicode or refused (API bodies, config file, environment, flags), and
 * text already stored that is not (a lone UTF-16 surrogate) never turns a request into a 500.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { bearer, createToken, expectError, harnessPerTest } from '../support/api-helpers.js';

const createHarness = harnessPerTest();

/** A JSON body whose string holds a lone high surrogate, written as the escape a client would send. */
const loneSurrogateJson = (field: string) => `{"${field}":"Home\\ud800"}`;

describe('a lone surrogate in an API body is refused', () => {
  it('PATCH /settings with a write token answers 400 naming instanceName; enrolment keeps working', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const { token } = await createToken(h, session, 'ci', 'write');
    const res = await h.request('PATCH', '/api/v1/settings', {
      rawBody: loneSurrogateJson('instanceName'),
      headers: bearer(token),
    });
    const body = await expectError(res, 400, 'validation');
    expect(body.error.message).toMatch(/instanceName/);
    expect(body.error.message).toMatch(/Unicode/);
    expect(h.store.read().settings.instanceName).toBe('Gatehouse');

    const enrol = await h.request('POST', '/api/v1/auth/totp/enrol', session);
    expect(enrol.status).toBe(200);
  });

  it.each([
    ['a token name', '/api/v1/tokens', '{"name":"ci\\udc00","scope":"read"}'],
    ['a login username', '/api/v1/auth/login', '{"username":"admin\\ud800","password":"x"}'],
    ['an object key', '/api/v1/auth/login', '{"\\ud800":"admin","password":"x"}'],
  ])('%s with a lone surrogate answers 400 validation', async (_what, route, rawBody) => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('POST', route, { rawBody, ...session });
    const body = await expectError(res, 400, 'validation');
    expect(body.error.message).toMatch(/well-formed Unicode/);
  });

  it('well-formed text outside the BMP (a surrogate pair) is accepted', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    const res = await h.request('PATCH', '/api/v1/settings', {
      ...session,
      rawBody: '{"instanceName":"Home \\ud83c\\udfe0"}',
    });
    expect(res.status).toBe(200);
    expect(h.store.read().settings.instanceName).toBe('Home 🏠');
  });
});

describe('stored text that is not well-formed', () => {
  it('a stored instanceName with a lone surrogate does not break TOTP enrolment (U+FFFD in the URI)', async () => {
    const h = await createHarness();
    const session = await h.setupAdmin();
    // As a store written by an older version (or by hand) could hold it.
    await h.store.update((draft) => {
      draft.settings.instanceName = 'Home\ud800';
    });
    const enrol = await h.request('POST', '/api/v1/auth/totp/enrol', session);
    expect(enrol.status).toBe(200);
    const { uri } = (await enrol.json()) as { uri: string };
    expect(uri).toContain('issuer=Home%EF%BF%BD');
    const status = await h.request('GET', '/api/v1/status', session);
    expect(status.status).toBe(200);
  });
});

describe('settings from outside the process', () => {
  const base = { cwd: '/', readFile: () => undefined };

  it('an environment value with a lone surrogate stops start-up naming the variable', () => {
    const r = loadConfig({ ...base, flags: {}, env: { GATEHOUSE_DATA_DIR: 'data\udc80' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^environment: GATEHOUSE_DATA_DIR: .*well-formed Unicode/);
  });

  it('a flag with a lone surrogate fails naming the flag', () => {
    const r = loadConfig({ ...base, flags: { dataDir: '\ud800' }, env: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^command line: --data-dir: .*well-formed Unicode/);
  });

  it('a config file string with a lone surrogate (JSON escape) fails naming the key', () => {
    const file = '{"reachability":{"trustedSource":"stun\\ud800"}}';
    const r = loadConfig({ ...base, flags: { config: 'c.json' }, env: {}, readFile: () => file });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /^config file \/c\.json: reachability\.trustedSource: .*well-formed Unicode/,
      );
  });
});

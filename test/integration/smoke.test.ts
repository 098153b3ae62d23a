import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, testPassword, type Harness } from '../support/app-harness.js';

let h: Harness;
afterEach(() => h.cleanup());

describe('smoke', () => {
  it('sets up and logs in', async () => {
    h = await createHarness();
    const { cookie, csrf } = await h.setupAdmin();
    const status = await h.request('GET', '/api/v1/status', { cookie });
    expect(status.status).toBe(200);
    const login = await h.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: testPassword },
    });
    expect(login.status).toBe(200);
    const out = await h.request('POST', '/api/v1/auth/logout', { cookie, csrf });
    expect(out.status).toBe(200);
  });
});

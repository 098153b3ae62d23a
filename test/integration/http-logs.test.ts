/** @module No secret reaches the log: a whole admin journey is replayed and every log line is searched. */
import { describe, expect, it } from 'vitest';
import { testPassword } from '../support/app-harness.js';
import {
  bearer,
  createToken,
  enableTotp,
  harnessPerTest,
  login,
  totpCodeAt,
} from '../support/api-helpers.js';

const createHarness = harnessPerTest();

describe('logs', () => {
  it('never contain a password, setup token, API token, TOTP secret or code, recovery code or session cookie', async () => {
    const h = await createHarness();
    const secrets = new Map<string, string>();
    secrets.set('setup token', h.setupToken);
    secrets.set('password', testPassword);

    const session = await h.setupAdmin();
    secrets.set('setup session cookie', session.cookie);
    secrets.set('setup CSRF token', session.csrf);

    const wrongPassword = 'an almost right password';
    secrets.set('wrong password', wrongPassword);
    for (let i = 0; i < 6; i++) await login(h, { password: wrongPassword, from: '192.0.2.99' });

    const second = await login(h, { from: '198.51.100.1' });
    secrets.set('login cookie', second.cookie!);

    const { token } = await createToken(h, session, 'logs-test', 'write');
    secrets.set('API token', token);
    await h.request('GET', '/api/v1/status', { headers: bearer(token) });
    await h.request('GET', '/api/v1/status', { headers: bearer(`${token}-revoked`) });

    const { secret, recoveryCodes } = await enableTotp(h, session);
    secrets.set('TOTP secret', secret);
    recoveryCodes.forEach((c, i) => secrets.set(`recovery code ${i}`, c));

    h.clock.advance(30_000);
    const pending = await login(h);
    secrets.set('pending cookie', pending.cookie!);
    const code = totpCodeAt(secret, h.clock.now());
    secrets.set('TOTP code', code);
    const done = await h.request('POST', '/api/v1/auth/login/totp', {
      cookie: pending.cookie!,
      body: { code },
    });
    expect(done.status).toBe(200);
    secrets.set('complete cookie', h.sessionCookieFrom(done)!);

    const newPassword = 'the next long password';
    secrets.set('new password', newPassword);
    expect(
      (
        await h.request('POST', '/api/v1/auth/password', {
          ...session,
          body: { currentPassword: testPassword, newPassword },
        })
      ).status,
    ).toBe(200);
    // A request that fails validation with a secret in it.
    await h.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: newPassword, extra: 1 },
    });

    // The scan must have something to scan: per-request lines plus the security events.
    expect(h.logger.lines.length).toBeGreaterThan(15);
    expect(h.logger.lines.some((l) => l.msg === 'login lockout')).toBe(true);
    expect(h.logger.lines.some((l) => l.msg.startsWith('setup complete'))).toBe(true);

    const leaks: string[] = [];
    for (const line of h.logger.lines) {
      const text = JSON.stringify({ fields: line.fields, msg: line.msg });
      for (const [what, value] of secrets) {
        if (text.includes(value)) leaks.push(`${what} in ${text}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

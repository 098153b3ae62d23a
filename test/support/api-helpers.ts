/** @module Small helpers for HTTP-layer tests: error-shape assertions, TOTP codes at the fake time, tokens, logins. */
import { Secret, TOTP } from 'otpauth';
import { afterEach, expect } from 'vitest';
import { createHarness, testPassword, type Harness } from './app-harness.js';
import { readAuditLog } from '../../src/audit/read.js';

/** Returns a harness factory whose harnesses are removed after each test of the calling file. */
export function harnessPerTest(): (options?: Parameters<typeof createHarness>[0]) => Promise<Harness> {
  const made: Harness[] = [];
  afterEach(() => {
    for (const h of made.splice(0)) h.cleanup();
  });
  return async (options) => {
    const h = await createHarness(options);
    made.push(h);
    return h;
  };
}

export interface BrowserSession {
  readonly cookie: string;
  readonly csrf: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** Asserts the status and the shared error shape; returns the parsed body for further checks. */
export async function expectError(res: Response, status: number, code?: string): Promise<ApiErrorBody> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = JSON.parse(text) as ApiErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body;
}

/** The six-digit code an authenticator app shows for `secret` at the given time. */
export function totpCodeAt(secret: string, at: Date): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({
    timestamp: at.getTime(),
  });
}

/** Logs in with a password from the given client address; returns the response and any cookie it set. */
export async function login(
  h: Harness,
  input: { username?: string; password?: string; from?: string; cookie?: string; csrf?: string } = {},
) {
  const res = await h.request('POST', '/api/v1/auth/login', {
    body: { username: input.username ?? 'admin', password: input.password ?? testPassword },
    headers: input.from === undefined ? {} : { 'x-forwarded-for': input.from },
    ...(input.cookie === undefined ? {} : { cookie: input.cookie }),
    ...(input.csrf === undefined ? {} : { csrf: input.csrf }),
  });
  return { res, cookie: h.sessionCookieFrom(res) };
}

/** Logs in (no 2FA) and returns the new browser session. */
export async function loginSession(h: Harness, from?: string): Promise<BrowserSession> {
  const { res, cookie } = await login(h, from === undefined ? {} : { from });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { csrfToken: string; stage: string };
  expect(body.stage).toBe('complete');
  if (!cookie) throw new Error('login set no cookie');
  return { cookie, csrf: body.csrfToken };
}

/** Creates an API token through the API with a browser session; returns the secret and its record id. */
export async function createToken(
  h: Harness,
  session: BrowserSession,
  name: string,
  scope: 'read' | 'write',
): Promise<{ token: string; id: string }> {
  const res = await h.request('POST', '/api/v1/tokens', { ...session, body: { name, scope } });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { token: string; record: { id: string } };
  return { token: body.token, id: body.record.id };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Turns on TOTP for the session's user; returns the secret and the recovery codes. */
export async function enableTotp(
  h: Harness,
  session: BrowserSession,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrol = await h.request('POST', '/api/v1/auth/totp/enrol', session);
  expect(enrol.status).toBe(200);
  const { secret } = (await enrol.json()) as { secret: string };
  const confirm = await h.request('POST', '/api/v1/auth/totp/confirm', {
    ...session,
    body: { code: totpCodeAt(secret, h.clock.now()) },
  });
  expect(confirm.status).toBe(200);
  const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
  return { secret, recoveryCodes };
}

export function auditTypes(h: Harness): string[] {
  return readAuditLog(h.store.log('audit')).map((e) => e.type);
}

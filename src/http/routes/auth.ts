/** @module Login (password, then TOTP or recovery code), session, logout, password change and 2FA management. */
import { createRoute, z } from '@hono/zod-openapi';
import type { AuthService } from '../../auth/service.js';
import { sha256Hex } from '../../auth/crypto.js';
import { publicSessionId } from '../../auth/sessions.js';
import { sessionUser } from '../context.js';
import { ApiProblem } from '../errors.js';
import type { CookieSettings } from '../middleware/identify.js';
import { sessionOnly } from '../middleware/guard.js';
import {
  commonErrors,
  createRouter,
  errorResponse,
  jsonBody,
  jsonContent,
  okSchema,
  noInput,
} from '../openapi.js';
import { failAuth } from './auth-failures.js';
import { anyPasswordSchema, newPasswordSchema, totpCodeSchema, usernameSchema } from './schemas.js';
import { clearSessionCookie, describeSession, sessionInfoSchema, setSessionCookie } from './session-info.js';

const loginSchema = z
  .object({ username: usernameSchema, password: anyPasswordSchema })
  .strict()
  .openapi('LoginRequest');

const mfaSchema = z
  .object({ code: totpCodeSchema.optional(), recoveryCode: z.string().min(1).max(64).optional() })
  .strict()
  .refine((v) => (v.code === undefined) !== (v.recoveryCode === undefined), {
    message: 'send exactly one of "code" or "recoveryCode"',
  })
  .openapi('MfaRequest');

const passwordChangeSchema = z
  .object({ currentPassword: anyPasswordSchema, newPassword: newPasswordSchema })
  .strict()
  .openapi('PasswordChange');

const passwordConfirmSchema = z.object({ password: anyPasswordSchema }).strict().openapi('PasswordConfirm');

const sessionListSchema = z
  .object({
    sessions: z.array(
      z.object({
        id: z.string().openapi({ description: 'Stable for the session, for DELETE /auth/sessions/{id}' }),
        current: z.boolean(),
        createdAt: z.string(),
        lastSeenAt: z.string(),
        expiresAt: z.string(),
        clientAddress: z.string(),
        userAgent: z.string(),
      }),
    ),
  })
  .openapi('SessionList');

const enrolmentSchema = z
  .object({ secret: z.string(), uri: z.string(), qrSvg: z.string() })
  .openapi('TotpEnrolment', { description: 'Scan qrSvg or type the secret into an authenticator app' });

const recoveryCodesSchema = z
  .object({ recoveryCodes: z.array(z.string()) })
  .openapi('RecoveryCodes', { description: 'Shown once; each code logs in once instead of a TOTP code' });

export function authRoutes(auth: AuthService, cookie: CookieSettings) {
  const router = createRouter();
  for (const path of [
    '/auth/password',
    '/auth/totp/*',
    '/auth/recovery-codes',
    '/auth/logout-everywhere',
    '/auth/sessions',
    '/auth/sessions/*',
  ]) {
    router.use(path, sessionOnly());
  }
  return router
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/login',
        tags: ['auth'],
        summary: 'Log in with username and password (anonymous)',
        description:
          'When two-factor authentication is on, the answer has stage "pending-mfa"; then POST /auth/login/totp.',
        request: { body: jsonBody(loginSchema) },
        responses: {
          200: jsonContent(sessionInfoSchema, 'Logged in, or waiting for the second factor'),
          400: errorResponse('Invalid input'),
          401: errorResponse('Wrong username or password'),
          429: errorResponse('Locked out after too many failures; see Retry-After'),
        },
      }),
      async (c) => {
        const result = await auth.login(c.req.valid('json'), c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        setSessionCookie(c, cookie, result.value);
        return c.json(describeSession(result.value.user, result.value.session), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/login/totp',
        tags: ['auth'],
        summary: 'Second login step: a TOTP code or a recovery code',
        request: { body: jsonBody(mfaSchema) },
        responses: {
          200: jsonContent(sessionInfoSchema, 'Logged in'),
          400: errorResponse('Invalid input'),
          401: errorResponse('Wrong code or no pending login'),
          429: errorResponse('Locked out'),
        },
      }),
      async (c) => {
        const identity = c.get('identity');
        const pendingId = identity.kind === 'session' ? identity.sessionId : undefined;
        const result = await auth.completeMfa(pendingId, c.req.valid('json'), c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        setSessionCookie(c, cookie, result.value);
        return c.json(describeSession(result.value.user, result.value.session), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/session',
        tags: ['auth'],
        summary: 'The current session (and its CSRF token)',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(sessionInfoSchema, 'The session'), ...commonErrors },
      }),
      (c) => {
        const identity = c.get('identity');
        if (identity.kind !== 'session') {
          throw new ApiProblem(403, 'auth.session-required', 'an API token has no session');
        }
        return c.json(describeSession(identity.user, identity.session), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/logout',
        tags: ['auth'],
        summary: 'End this session',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(okSchema, 'Logged out'), ...commonErrors },
      }),
      async (c) => {
        const identity = c.get('identity');
        if (identity.kind === 'session') await auth.logout(identity.sessionId, c.get('requestContext'));
        clearSessionCookie(c, cookie);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/logout-everywhere',
        tags: ['auth'],
        summary: 'End every session of this account, this one included',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.object({ sessionsEnded: z.number().int() }), 'Sessions ended'),
          ...commonErrors,
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const ended = await auth.logoutEverywhere(user, c.get('requestContext'));
        clearSessionCookie(c, cookie);
        return c.json({ sessionsEnded: ended }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/auth/sessions',
        tags: ['auth'],
        summary: 'Live sessions of this account',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(sessionListSchema, 'Sessions'), ...commonErrors },
      }),
      (c) => {
        const { user, session } = sessionUser(c);
        const sessions = auth.listSessions(user).map((s) => ({
          id: publicSessionId(s),
          current: s.idHash === session.idHash,
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          expiresAt: s.expiresAt,
          clientAddress: s.clientAddress,
          userAgent: s.userAgent,
        }));
        return c.json({ sessions }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/auth/sessions/{id}',
        tags: ['auth'],
        summary: 'End one session of this account (e.g. a lost phone)',
        request: { params: z.object({ id: z.string().regex(/^[0-9a-f]{32}$/, 'id: 32 hex digits') }) },
        responses: {
          200: jsonContent(okSchema, 'Ended'),
          ...commonErrors,
          404: errorResponse('No such session of this account'),
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await auth.revokeSession(user, c.req.valid('param').id, c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/password',
        tags: ['auth'],
        summary: 'Change the password; other sessions end',
        request: { body: jsonBody(passwordChangeSchema) },
        responses: { 200: jsonContent(okSchema, 'Changed'), ...commonErrors },
      }),
      async (c) => {
        const { user, sessionId } = sessionUser(c);
        const result = await auth.changePassword(
          user,
          sha256Hex(sessionId),
          c.req.valid('json'),
          c.get('requestContext'),
        );
        if (!result.ok) return failAuth(result.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/totp/enrol',
        tags: ['auth'],
        summary: 'Start TOTP enrolment: a new secret and its QR code',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(enrolmentSchema, 'Secret to confirm'),
          ...commonErrors,
          409: errorResponse('Already on'),
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await auth.beginTotpEnrolment(user);
        if (!result.ok) return failAuth(result.error);
        return c.json(result.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/totp/confirm',
        tags: ['auth'],
        summary: 'Confirm TOTP enrolment with a code; returns recovery codes once',
        request: { body: jsonBody(z.object({ code: totpCodeSchema }).strict()) },
        responses: {
          200: jsonContent(recoveryCodesSchema, 'Two-factor authentication is on'),
          ...commonErrors,
          409: errorResponse('Not started or already on'),
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await auth.confirmTotpEnrolment(
          user,
          c.req.valid('json').code,
          c.get('requestContext'),
        );
        if (!result.ok) return failAuth(result.error);
        return c.json({ recoveryCodes: result.value }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/totp/disable',
        tags: ['auth'],
        summary: 'Turn two-factor authentication off (password required)',
        request: { body: jsonBody(passwordConfirmSchema) },
        responses: { 200: jsonContent(okSchema, 'Off'), ...commonErrors },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await auth.disableTotp(user, c.req.valid('json').password, c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/auth/recovery-codes',
        tags: ['auth'],
        summary: 'Replace the recovery codes (password required)',
        request: { body: jsonBody(passwordConfirmSchema) },
        responses: {
          200: jsonContent(recoveryCodesSchema, 'New codes'),
          ...commonErrors,
          409: errorResponse('2FA is off'),
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await auth.regenerateRecoveryCodes(
          user,
          c.req.valid('json').password,
          c.get('requestContext'),
        );
        if (!result.ok) return failAuth(result.error);
        return c.json({ recoveryCodes: result.value }, 200);
      },
    );
}

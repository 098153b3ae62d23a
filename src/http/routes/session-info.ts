/** @module The session description returned after setup, login and on GET /auth/session; and the cookie that carries it. */
import { z } from '@hono/zod-openapi';
import { setCookie } from 'hono/cookie';
import type { IssuedSession } from '../../auth/service.js';
import type { Session, User } from '../../store/schema.js';
import type { AppContext } from '../context.js';
import type { CookieSettings } from '../middleware/identify.js';

export const sessionInfoSchema = z
  .object({
    stage: z.enum(['pending-mfa', 'complete']),
    username: z.string(),
    totpEnabled: z.boolean(),
    csrfToken: z.string().openapi({ description: 'Send as X-CSRF-Token on every state-changing request' }),
    expiresAt: z.string(),
  })
  .openapi('SessionInfo');

export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export function describeSession(user: User, session: Session): SessionInfo {
  return {
    stage: session.stage,
    username: user.username,
    totpEnabled: user.totpSecret !== null,
    // A pending session gets no usable CSRF token: it can only complete the login.
    csrfToken: session.stage === 'complete' ? session.csrfToken : '',
    expiresAt: session.expiresAt,
  };
}

export function setSessionCookie(c: AppContext, cookie: CookieSettings, issued: IssuedSession): void {
  const maxAge = issued.cookieMaxAgeSeconds;
  setCookie(c, cookie.name, issued.sessionId, {
    path: '/',
    httpOnly: true,
    secure: cookie.secure,
    sameSite: 'Strict',
    maxAge,
  });
  if (issued.device) {
    // Outlives sessions and logouts on purpose: it is what lets this browser log in while strangers are locked out.
    setCookie(c, cookie.deviceName, issued.device.token, {
      path: '/',
      httpOnly: true,
      secure: cookie.secure,
      sameSite: 'Strict',
      maxAge: issued.device.maxAgeSeconds,
    });
  }
}

export function clearSessionCookie(c: AppContext, cookie: CookieSettings): void {
  setCookie(c, cookie.name, '', {
    path: '/',
    httpOnly: true,
    secure: cookie.secure,
    sameSite: 'Strict',
    maxAge: 0,
  });
}

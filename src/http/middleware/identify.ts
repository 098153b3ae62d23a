/** @module Resolves the caller (session cookie or bearer API token) and the request context for every request. */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AuthService } from '../../auth/service.js';
import type { AppContext, AppEnv } from '../context.js';

export interface CookieSettings {
  readonly name: string;
  readonly secure: boolean;
  /** The device cookie's name (auth/device-cookie.ts): set on a complete login, kept across sessions. */
  readonly deviceName: string;
}

/** `__Host-` binds the cookie to this exact origin, but browsers accept it only with Secure (HTTPS). */
export function sessionCookieSettings(tls: boolean): CookieSettings {
  return tls
    ? { name: '__Host-gatehouse_session', secure: true, deviceName: '__Host-gatehouse_device' }
    : { name: 'gatehouse_session', secure: false, deviceName: 'gatehouse_device' };
}

function clientAddressOf(c: AppContext, trustProxy: boolean): string {
  if (trustProxy) {
    // The proxy appends the address it saw; anything to the left of it came from the client and can be forged.
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}

/** What identify needs: sessions from the AuthService, bearer tokens from its token service. */
export type Identifier = Pick<AuthService, 'authenticateSession' | 'tokens'>;

export function identify(
  auth: Identifier,
  cookie: CookieSettings,
  trustProxy: boolean,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('requestContext', {
      clientAddress: clientAddressOf(c, trustProxy),
      userAgent: c.req.header('user-agent') ?? '',
      deviceToken: getCookie(c, cookie.deviceName),
    });
    c.set('identity', { kind: 'anonymous' });
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      // An Authorization header decides alone: a bad token is never rescued by a cookie.
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (m?.[1]) {
        const token = await auth.tokens.authenticate(m[1], c.get('requestContext'));
        if (token) c.set('identity', { kind: 'token', token });
      }
      await next();
      return;
    }
    const sessionId = getCookie(c, cookie.name);
    if (sessionId) {
      const found = await auth.authenticateSession(sessionId);
      if (found) c.set('identity', { kind: 'session', user: found.user, session: found.session, sessionId });
    }
    await next();
  };
}

/** @module Resolves the caller (session cookie or bearer API token) and the request context for every request. */
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AuthService } from '../../auth/service.js';
import type { Logger } from '../../core/log.js';
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

/** Longer than any address (45 characters) with a short zone: nothing longer is taken from a header. */
const maxForwardedLength = 64;

/**
 * The client address in an X-Forwarded-For header: its last entry (the one the proxy appended; anything to the
 * left of it came from the client and can be forged), without a port or brackets, if it is an IP address at all.
 * Undefined otherwise: the header is then ignored. Pure.
 */
export function forwardedAddress(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const last = header.slice(header.lastIndexOf(',') + 1).trim();
  if (last.length > maxForwardedLength) return undefined;
  // `[2001:db8::1]:443`, `[2001:db8::1]` and `198.51.100.7:8080` as some proxies write them.
  const m = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(last) ?? /^([0-9.]+):\d{1,5}$/.exec(last);
  const address = m?.[1] ?? last;
  return isIP(address) === 0 ? undefined : address;
}

function clientAddressOf(c: AppContext, trustProxy: boolean, logger: Logger | undefined): string {
  if (trustProxy) {
    const header = c.req.header('x-forwarded-for');
    const forwarded = forwardedAddress(header);
    if (forwarded !== undefined) return forwarded;
    if (header !== undefined) {
      // Only the length is logged: the text is the caller's.
      logger?.debug(
        { headerLength: header.length },
        'X-Forwarded-For holds no IP address last; using the socket address',
      );
    }
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
  /** Where a refused X-Forwarded-For is noted (debug). */
  logger?: Logger,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('requestContext', {
      clientAddress: clientAddressOf(c, trustProxy, logger),
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

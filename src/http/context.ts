/** @module Types shared by the HTTP layer: who is calling, and the Hono environment carrying it. */
import type { Context } from 'hono';
import type { ApiToken, Session, User } from '../store/schema.js';
import type { RequestContext } from '../auth/service.js';

export type Identity =
  | { readonly kind: 'session'; readonly user: User; readonly session: Session; readonly sessionId: string }
  | { readonly kind: 'token'; readonly token: ApiToken }
  | { readonly kind: 'anonymous' };

export interface AppEnv {
  Variables: {
    identity: Identity;
    requestContext: RequestContext;
  };
}

export type AppContext = Context<AppEnv>;

/** The user behind a session identity; routes that only sessions may reach call this after `sessionOnly`. */
export function sessionUser(c: AppContext): { user: User; session: Session; sessionId: string } {
  const identity = c.get('identity');
  if (identity.kind !== 'session')
    throw new Error('route requires a session but the guard let another identity in');
  return identity;
}

/** Who made the request and from where, as capabilities record it in the audit log. */
export function requestActor(c: AppContext): { readonly actor: string; readonly clientAddress: string } {
  return { actor: actorName(c.get('identity')), clientAddress: c.get('requestContext').clientAddress };
}

export function actorName(identity: Identity): string {
  switch (identity.kind) {
    case 'session':
      return identity.user.username;
    case 'token':
      return `token:${identity.token.name}`;
    case 'anonymous':
      return 'anonymous';
  }
}

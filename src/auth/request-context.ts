/** @module Who is making a request, as the auth services need it for throttling and the audit log. */

export interface RequestContext {
  readonly clientAddress: string;
  readonly userAgent: string;
  /** The browser's device cookie, if it sent one (see device-cookie.ts); verified where it is used. */
  readonly deviceToken?: string | undefined;
}

/** The part of the context that goes into an audit event (the user agent stays out: it is free text). */
export function auditContext(ctx: RequestContext): { clientAddress: string } {
  return { clientAddress: ctx.clientAddress };
}

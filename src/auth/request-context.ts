/** @module Who is making a request, as the auth services need it for throttling and the audit log. */

export interface RequestContext {
  readonly clientAddress: string;
  readonly userAgent: string;
}

/** The part of the context that goes into an audit event (the user agent stays out: it is free text). */
export function auditContext(ctx: RequestContext): { clientAddress: string } {
  return { clientAddress: ctx.clientAddress };
}

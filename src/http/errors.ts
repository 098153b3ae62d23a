/** @module The one error shape of the JSON API: `{ "error": { "code", "message", "details"? } }`. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation' }),
      message: z.string().openapi({ example: 'body.password: password must be at least 12 characters' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

export type ErrorBody = z.infer<typeof errorSchema>;

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
) {
  return c.json(errorBody(code, message, details), status);
}

/** Turns zod issues into a one-line message naming the first offending field. */
export function describeZodIssues(target: string, issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return `${target}: invalid`;
  const where = [target, ...first.path.map(String)].join('.');
  if (first.code === 'unrecognized_keys') {
    return `${where}: unknown field${first.keys.length > 1 ? 's' : ''} ${first.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${where}: ${first.message}`;
}

/**
 * Thrown by route handlers to answer with the shared error shape; app.onError renders it. Handlers declare
 * only their success responses' types, so expected failures leave through here.
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** An expected failure as a domain returns it: a stable code, a message, and when waiting helps. */
export interface CodedFailure<C extends string = string> {
  readonly code: C;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/**
 * The HTTP status of each failure code of one domain. Domains say what went wrong; only this edge decides how
 * HTTP says it. A `Record` over the domain's closed code union, so a new code without a status does not compile.
 */
export type StatusTable<C extends string> = Readonly<Record<C, ContentfulStatusCode>>;

function retryAfter(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

/** Ends a handler with a domain failure; its status comes from the domain's table, Retry-After from the wait. */
export function failWithCode<C extends string>(table: StatusTable<C>, f: CodedFailure<C>): never {
  throw new ApiProblem(table[f.code], f.code, f.message, retryAfter(f.retryAfterSeconds));
}

/**
 * Ends a handler with a domain failure that may be about one input field: the field goes into `details` as a
 * validation issue's path does, so a form shows the message beside it.
 */
export function failWithField<C extends string>(
  table: StatusTable<C>,
  f: CodedFailure<C> & { readonly field?: string },
): never {
  if (f.field === undefined) return failWithCode(table, f);
  throw new ApiProblem(table[f.code], f.code, f.message, {}, [
    { path: f.field.split('.'), message: f.message },
  ]);
}

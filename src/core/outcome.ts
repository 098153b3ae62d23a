/** @module Expected failures as values: every fallible operation returns an Outcome instead of throwing. */

export type Outcome<T, E = Failure> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** A failure that a caller is expected to handle; `code` is stable for scripts, `message` is for people. */
export interface Failure {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail<E = Failure>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

export function failure(code: string, message: string, details?: unknown): Failure {
  return details === undefined ? { code, message } : { code, message, details };
}

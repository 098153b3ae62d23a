/** @module Logger port: structured logs; secrets are redacted by the adapter and never passed in messages. */

export interface Logger {
  debug(fields: Record<string, unknown>, msg: string): void;
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Field names whose values are removed from every log line, wherever they appear (one level of nesting). */
export const redactedKeys = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'setupToken',
  'secret',
  'code',
  'recoveryCode',
  'authorization',
  'cookie',
  'set-cookie',
  'privateKey',
  'key',
] as const;

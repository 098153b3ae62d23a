/** @module How HTTP answers each auth failure (setup, login, 2FA, passwords, API tokens): the code → status table. */
import type { AuthFailure, AuthFailureCode } from '../../auth/failure.js';
import { failWithCode, type StatusTable } from '../errors.js';

const authFailureStatus: StatusTable<AuthFailureCode> = {
  'setup.already-complete': 409,
  'setup.bad-token': 403,
  'auth.invalid-credentials': 401,
  'auth.no-pending-login': 401,
  'auth.invalid-code': 401,
  'auth.wrong-password': 403,
  'auth.locked': 429,
  'auth.no-such-user': 404,
  'auth.session-not-found': 404,
  'totp.already-enabled': 409,
  'totp.not-started': 409,
  'totp.not-enabled': 409,
  'totp.invalid-code': 400,
  'token.name-taken': 409,
  'token.not-found': 404,
};

/** Ends a handler with an auth failure: the status from the table, Retry-After when the failure says to wait. */
export function failAuth(failure: AuthFailure): never {
  return failWithCode(authFailureStatus, failure);
}

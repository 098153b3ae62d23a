/** @module The audit event types the auth area records (setup, sign-in, passwords, two-factor, API tokens). */

/** Registered by the composition root with `registerAuditTypes('auth', authAuditTypes)`. */
export const authAuditTypes = {
  'setup.completed': 'The first admin account was created',
  'setup.token-rejected': 'Setup was tried with a wrong setup token',
  'login.success': 'An admin signed in',
  'login.failure': 'A sign-in failed (unknown user or wrong password)',
  'login.lockout': 'Repeated failures locked sign-ins out for a while',
  'login.mfa-failure': 'A wrong two-factor or recovery code was entered',
  logout: 'An admin signed out',
  'logout.everywhere': 'An admin ended every session',
  'session.revoked': 'An admin ended one of their sessions (another browser or device)',
  'password.changed': 'An admin changed their password',
  'password.confirm-failed': 'A wrong current password was given to confirm a change',
  'password.reset': 'A password was reset from the command line',
  'totp.enabled': 'Two-factor authentication was turned on',
  'totp.disabled': 'Two-factor authentication was turned off',
  'recovery-code.used': 'A recovery code was used to sign in',
  'recovery-codes.regenerated': 'New recovery codes were made (the old ones stopped working)',
  'token.created': 'An API token was created',
  'token.revoked': 'An API token was revoked',
  'token.rejected': 'An unknown or revoked API token was presented',
} as const;

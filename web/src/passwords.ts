/** @module Client-side password checks that mirror the server's policy, for instant feedback only. */

/** The server refuses shorter new passwords (src/auth/passwords.ts); it stays the authority. */
export const minPasswordLength = 12;

/** What is wrong with a new password and its confirmation, or undefined when they are fine. */
export function passwordProblem(password: string, confirmation: string): string | undefined {
  if (password.length < minPasswordLength)
    return `The password must be at least ${minPasswordLength} characters.`;
  if (password !== confirmation) return 'The two passwords differ.';
  return undefined;
}

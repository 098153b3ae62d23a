/** @module Client-side password checks that mirror the server's policy, for instant feedback only. */

/** The server refuses shorter new passwords (src/auth/passwords.ts); it stays the authority. */
export const minPasswordLength = 12;

/**
 * What is wrong with a new password and its confirmation, and which of the two fields to show it at, or
 * undefined when they are fine.
 */
export function passwordProblem(
  password: string,
  confirmation: string,
): { readonly field: 'password' | 'confirmation'; readonly message: string } | undefined {
  if (password.length < minPasswordLength)
    return { field: 'password', message: `The password must be at least ${minPasswordLength} characters.` };
  if (password !== confirmation)
    return { field: 'confirmation', message: 'The two passwords differ: type the same one twice.' };
  return undefined;
}

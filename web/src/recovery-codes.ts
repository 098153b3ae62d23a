/** @module The recovery codes as a text file to download, pure. */

/** The recovery codes as a text file to keep: what they are for, whose they are, one code a line. */
export function recoveryCodesText(input: {
  readonly codes: readonly string[];
  readonly username: string;
  readonly site: string;
  readonly madeAt: Date;
}): string {
  return [
    `Gatehouse recovery codes for "${input.username}" at ${input.site}`,
    `Made ${input.madeAt.toISOString()}. New codes replace these.`,
    'Each code logs you in once instead of a code from your authenticator app.',
    'Keep this file somewhere safe, away from this computer.',
    '',
    ...input.codes,
    '',
  ].join('\n');
}

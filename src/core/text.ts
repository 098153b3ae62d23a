/**
 * @module Well-formed Unicode for text from outside: the one check every boundary applies (API bodies, config
 * file, environment, flags), and the repair for text already stored that predates it.
 */

/** A lone UTF-16 surrogate: with the `u` flag a pair is one code point, so only unpaired halves match. */
const loneSurrogate = /\p{Cs}/u;
const loneSurrogates = /\p{Cs}/gu;

export const notWellFormedMessage = 'must be well-formed Unicode text (it holds a lone UTF-16 surrogate)';

/** True when `text` has no lone surrogate, i.e. it can be encoded as UTF-8 and percent-encoded. */
export function isWellFormedText(text: string): boolean {
  return !loneSurrogate.test(text);
}

/**
 * Replaces each lone surrogate with U+FFFD, as `String.prototype.toWellFormed` does. For text read from the
 * store, which may hold what an older version accepted: showing a replacement character beats answering 500.
 */
export function toWellFormedText(text: string): string {
  return text.replace(loneSurrogates, '\uFFFD');
}

/**
 * The path of the first string (value or object key) in a parsed JSON value that is not well-formed, or
 * undefined when every string is. Keys count: `{"\ud800": 1}` is text from outside too.
 */
export function findIllFormedText(
  value: unknown,
  at: readonly (string | number)[] = [],
): (string | number)[] | undefined {
  if (typeof value === 'string') return isWellFormedText(value) ? undefined : [...at];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findIllFormedText(item, [...at, i]);
      if (found) return found;
    }
    return undefined;
  }
  // Stryker disable next-line ConditionalExpression: a number or boolean has no entries, so it is well-formed either way
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!isWellFormedText(key)) return [...at, toWellFormedText(key)];
      const found = findIllFormedText(item, [...at, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The shared zod refinement: `schema.superRefine(refineWellFormedText)` refuses any ill-formed string inside. */
export function refineWellFormedText(
  value: unknown,
  ctx: { addIssue(issue: { code: 'custom'; message: string; path: (string | number)[] }): void },
): void {
  const path = findIllFormedText(value);
  if (path) ctx.addIssue({ code: 'custom', message: notWellFormedMessage, path });
}

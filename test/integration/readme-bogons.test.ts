/**
 * @module The README's list of addresses that never count is the bogon table itself: a range added to or dropped
 * from either one turns this red, so the documentation cannot drift from the code.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bogonRanges } from '../../src/reach/addresses.js';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The ranges the README names in its "never count" sentence, bare IPv6 addresses as /128. */
function documentedRanges(): string[] {
  const start = readme.indexOf('Addresses that cannot be a public address never count');
  const end = readme.indexOf('(`reachability.publicRanges`', start);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const sentence = readme.slice(start, end).replace(/\s+/g, ' ');
  const cidrs = sentence.match(/(?<![\w.:])[0-9a-f.:]*[.:][0-9a-f.:]*\/\d+/gi) ?? [];
  const bare = (sentence.match(/(?<=IPv6 )::, ::1\b/) ?? [''])[0]
    .split(', ')
    .filter((a) => a !== '')
    .map((a) => `${a}/128`);
  return [...cidrs, ...bare];
}

describe('README: the addresses that never count', () => {
  it('names exactly the bogon table', () => {
    expect(documentedRanges().sort()).toEqual(bogonRanges.map((b) => b.cidr).sort());
  });
});

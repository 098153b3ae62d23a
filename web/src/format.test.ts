import { describe, expect, it } from 'vitest';
import { detailsInWords, keyInWords } from './format.js';

describe('detailsInWords', () => {
  it('names each detail in words, values as a person reads them, in a stable order', () => {
    expect(
      detailsInWords({ sessionsEnded: 3, unsaved: true, channel: null, kind: 'webhook', ok: false }),
    ).toEqual([
      ['channel', 'none'],
      ['kind', 'webhook'],
      ['ok', 'no'],
      ['sessions ended', '3'],
      ['unsaved', 'yes'],
    ]);
  });

  it.each([
    ['clientAddress', 'client address'],
    ['min_severity', 'min severity'],
    ['ipv4', 'ipv4'],
    ['alert.rule', 'alert rule'],
  ])('%s → %s', (key, words) => {
    expect(keyInWords(key)).toBe(words);
  });
});

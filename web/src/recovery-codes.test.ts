import { describe, expect, it } from 'vitest';
import { recoveryCodesText } from './recovery-codes.js';

describe('recoveryCodesText', () => {
  it('says what the codes are for and whose they are, then one code a line', () => {
    const text = recoveryCodesText({
      codes: ['aaaa-bbbb', 'cccc-dddd'],
      username: 'admin',
      site: 'gate.example.net:8443',
      madeAt: new Date('2026-03-01T12:00:00.000Z'),
    });
    expect(text.split('\n')).toEqual([
      'Gatehouse recovery codes for "admin" at gate.example.net:8443',
      'Made 2026-03-01T12:00:00.000Z. New codes replace these.',
      'Each code logs you in once instead of a code from your authenticator app.',
      'Keep this file somewhere safe, away from this computer.',
      '',
      'aaaa-bbbb',
      'cccc-dddd',
      '',
    ]);
  });
});

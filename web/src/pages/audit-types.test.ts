import { describe, expect, it } from 'vitest';
import { typeOptionsOf } from './audit-types.js';

describe('typeOptionsOf', () => {
  it('offers every registered type by its description, in order, then types seen but no longer registered', () => {
    const types = [
      { type: 'login.success', description: 'An admin signed in' },
      { type: 'alerts.channel-tested', description: 'A test alert was sent to a channel' },
    ];
    expect(typeOptionsOf(types, ['old.thing', 'login.success', 'another.old', 'old.thing'])).toEqual([
      { value: '', label: 'All events' },
      { value: 'login.success', label: 'An admin signed in' },
      { value: 'alerts.channel-tested', label: 'A test alert was sent to a channel' },
      { value: 'another.old', label: 'another.old' },
      { value: 'old.thing', label: 'old.thing' },
    ]);
  });

  it('still offers "All events" and what was seen while the list of types is missing', () => {
    expect(typeOptionsOf([], ['login.failure'])).toEqual([
      { value: '', label: 'All events' },
      { value: 'login.failure', label: 'login.failure' },
    ]);
  });
});

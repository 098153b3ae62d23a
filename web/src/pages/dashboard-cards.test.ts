import { describe, expect, it } from 'vitest';
import { orderCards, pageOfCard } from './dashboard-cards.js';

describe('orderCards', () => {
  it('puts problems first, then warnings, the unknown and what is fine, keeping the providers’ order within a state', () => {
    const cards = [
      { id: 'system', state: 'ok' as const },
      { id: 'security', state: 'warning' as const },
      { id: 'ddns', state: 'ok' as const },
      { id: 'reachability', state: 'error' as const },
      { id: 'certificate', state: 'unknown' as const },
      { id: 'wireguard', state: 'warning' as const },
    ];
    expect(orderCards(cards).map((c) => c.id)).toEqual([
      'reachability',
      'security',
      'wireguard',
      'certificate',
      'system',
      'ddns',
    ]);
    // The input is left as it was.
    expect(cards[0]?.id).toBe('system');
  });
});

describe('pageOfCard', () => {
  it.each([
    ['reachability', 'Reachability'],
    ['security', 'Security'],
    ['wireguard', 'Peers'],
    ['peers', 'Peers'],
    ['system', undefined],
    ['dashboard', undefined],
  ])('the card %s opens %s', (id, title) => {
    expect(pageOfCard(id)?.title).toBe(title);
  });
});

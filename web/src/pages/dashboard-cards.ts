/** @module The dashboard's order of cards and the page each card opens, pure. */
import type { CardState } from '../../../src/status/cards.js';
import { pages } from './index.js';

/** What needs the person most comes first: problems, then warnings, then the unknown, then what is fine. */
const stateOrder: Record<CardState, number> = { error: 0, warning: 1, unknown: 2, ok: 3 };

/** The cards in the order to show them: by state as above, the providers' order within a state. */
export function orderCards<C extends { readonly state: CardState }>(cards: readonly C[]): C[] {
  return cards
    .map((card, i) => ({ card, i }))
    .sort((a, b) => stateOrder[a.card.state] - stateOrder[b.card.state] || a.i - b.i)
    .map(({ card }) => card);
}

/** The page a card is about: the one with the card's id (reachability, security), or its own (the WireGuard card: Peers). */
export function pageOfCard(cardId: string): (typeof pages)[number] | undefined {
  const id = cardId === 'wireguard' ? 'peers' : cardId;
  return pages.find((p) => p.id === id && p.id !== 'dashboard');
}

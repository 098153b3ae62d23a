/**
 * @module The words for a reachability verdict's level and its port mapping, the one source for the dashboard card
 * (status-card.ts) and the Reachability page (web/src/pages/reachability), so the two always say the same. Pure
 * data with type-only imports: the browser bundle takes it without any server code. Tones and styling stay in the UI.
 */
import type { PortMappingVerdict, VerdictLevel } from './verdict.js';

/** How sure the verdict is that the box can be reached from the internet. */
export const levelWords: Readonly<Record<VerdictLevel, string>> = {
  proven: 'Reachable: seen from the internet',
  likely: 'Likely reachable',
  unlikely: 'Unlikely reachable (cannot verify from inside)',
  impossible: 'Not reachable',
};

/** What became of the WireGuard port mapping on the router. */
export const portMappingWords: Readonly<Record<PortMappingVerdict, string>> = {
  mapped: 'Mapped on the router',
  unconfirmed: 'Mapped, but not on the public address',
  refused: 'Refused by the router',
  lost: 'Lost: the router dropped it',
  unsupported: 'The router offers none',
  disabled: 'Turned off in the settings',
  'not-tried': 'Not tried yet',
};

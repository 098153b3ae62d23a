/** @module Dashboard status cards: each capability contributes one through a StatusCardProvider. */

export type CardState = 'ok' | 'warning' | 'error' | 'unknown';

export interface StatusCard {
  /** Stable id, e.g. `system`, `security`, later `reachability`, `ddns`, `certificate`, `wireguard`. */
  readonly id: string;
  readonly title: string;
  readonly state: CardState;
  /** One plain sentence a person can act on. */
  readonly summary: string;
  /** Label → value facts, shown as a small table. */
  readonly facts: readonly StatusFact[];
}

export interface StatusFact {
  readonly label: string;
  readonly value: string;
  /** ISO time the fact refers to; the UI shows it as a relative time before the value (unless the value is it). */
  readonly at?: string;
}

export interface StatusCardProvider {
  readonly id: string;
  /** Must not throw; a provider that cannot tell returns state 'unknown' with the reason in the summary. */
  card(): Promise<StatusCard> | StatusCard;
}

/** Collects all cards; a provider that breaks its contract yields an 'unknown' card instead of failing the page. */
export async function collectCards(providers: readonly StatusCardProvider[]): Promise<StatusCard[]> {
  return Promise.all(
    providers.map(async (p) => {
      try {
        return await p.card();
      } catch (e) {
        return {
          id: p.id,
          title: p.id,
          state: 'unknown' as const,
          summary: `status unavailable: ${(e as Error).message}`,
          facts: [],
        };
      }
    }),
  );
}

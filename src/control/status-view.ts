/**
 * @module What `GET /v1/status` on the control socket answers — the dashboard's status cards plus version and
 * uptime — and the zod schema the CLI checks the answer with (the socket is a boundary like any other).
 */
import { z } from 'zod';
import type { CardState, StatusCard } from '../status/cards.js';

export interface StatusView {
  readonly version: string;
  readonly pid: number;
  /** Where the public HTTP(S) listener really listens. */
  readonly url: string;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly cards: readonly StatusCard[];
}

const cardStates = ['ok', 'warning', 'error', 'unknown'] as const satisfies readonly CardState[];

export const statusViewSchema = z.object({
  version: z.string(),
  pid: z.number().int().positive(),
  url: z.string(),
  startedAt: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
  cards: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      state: z.enum(cardStates),
      summary: z.string(),
      facts: z.array(z.object({ label: z.string(), value: z.string(), at: z.string().optional() })),
    }),
  ),
}) satisfies z.ZodType<StatusView>;

/** Cards a person should look at: a warning or an error. 'unknown' (e.g. the first probe still running) is not. */
export function cardsNeedingAttention(cards: readonly StatusCard[]): StatusCard[] {
  return cards.filter((card) => card.state === 'warning' || card.state === 'error');
}

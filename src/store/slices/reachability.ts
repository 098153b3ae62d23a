/**
 * @module The reachability slice of the store: the last accepted public address per family (in the document) and
 * the history of accepted changes (the `reach.history` log).
 */
import { z } from 'zod';
import { defineLog } from '../log.js';
import { defineSlice, isoDate } from '../slice.js';

const family = z.enum(['ipv4', 'ipv6']);

/** One accepted change of the public address (or its loss), with the sources that agreed. */
export const addressChangeSchema = z
  .object({
    at: isoDate,
    family,
    /** null: no address could be agreed on any more. */
    address: z.string().nullable(),
    previous: z.string().nullable(),
    /** Sources that agreed on `address`, e.g. ["stun:stun.example.net:3478", "upnp"]. */
    sources: z.array(z.string()),
  })
  .strict();

export type AddressChange = z.infer<typeof addressChangeSchema>;

/** The last accepted address per family, so a restart is not mistaken for a change. */
export const currentAddressesSchema = z
  .object({ ipv4: z.string().nullable(), ipv6: z.string().nullable() })
  .strict();

export const reachabilityStateSchema = z.object({ current: currentAddressesSchema }).strict();

export const reachabilityHistoryRetention = 1000;

export const reachHistoryLog = defineLog({
  name: 'reach.history',
  schema: addressChangeSchema,
  retention: reachabilityHistoryRetention,
});

export function emptyReachability(): z.infer<typeof reachabilityStateSchema> {
  return { current: { ipv4: null, ipv6: null } };
}

export const reachabilitySlice = defineSlice({
  owner: 'reachability',
  shape: { reachability: reachabilityStateSchema },
  empty: () => ({ reachability: emptyReachability() }),
  logs: [reachHistoryLog],
});

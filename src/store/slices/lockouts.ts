/**
 * @module The lockouts slice of the store: login failure counts and running lockouts by throttle key
 * (`account:<name>`, `client:<address>`, `device:<id>`, `setup:<address>`), so a restart does not lift them.
 */
import { z } from 'zod';
import { defineSlice, isoDate } from '../slice.js';

export const lockoutSchema = z
  .object({
    /** The throttle key, e.g. `account:admin`, `client:203.0.113.9`, `device:<id of a device cookie>`. */
    key: z.string().min(1).max(300),
    /** Consecutive failures (forgotten a day after the last one). */
    failures: z.number().int().min(0),
    lastFailureAt: isoDate,
    /** When the running lockout ends (in the past: none is running). */
    lockedUntil: isoDate,
  })
  .strict();

export type LockoutRecord = z.infer<typeof lockoutSchema>;

/** At most this many keys are kept: a spray of names or addresses cannot grow the document without bound. */
export const lockoutRetention = 500;

export const lockoutsSlice = defineSlice({
  owner: 'lockouts',
  shape: { lockouts: z.array(lockoutSchema).max(lockoutRetention) },
  empty: () => ({ lockouts: [] }),
  introducedIn: 5,
});

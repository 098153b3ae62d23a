/** @module The auth slice of the store: the admin accounts, their sessions and API tokens, and when setup ended. */
import { z } from 'zod';
import { defineSlice, isoDate } from '../slice.js';

export const userSchema = z
  .object({
    id: z.string().min(1),
    username: z.string().min(1).max(64),
    /** scrypt hash in the self-describing form `scrypt$N$r$p$salt$hash` (see auth/passwords.ts). */
    passwordHash: z.string().min(1),
    createdAt: isoDate,
    passwordChangedAt: isoDate,
    /** Confirmed TOTP secret (base32); null until enrolment is confirmed with a valid code. */
    totpSecret: z.string().nullable(),
    /** Secret offered during enrolment but not yet confirmed. */
    pendingTotpSecret: z.string().nullable(),
    /** SHA-256 hashes of unused recovery codes. */
    recoveryCodeHashes: z.array(z.string()),
    /** Last accepted TOTP time step: a code is never accepted twice, even across restarts. */
    totpLastStep: z.number().int().nullable(),
    /**
     * Random, signed into the user's device cookies (auth/device-cookie.ts) and renewed by a password change or
     * reset and by logging out everywhere, which so end every device cookie. Absent in accounts made before it
     * existed: read as empty, with no migration.
     */
    deviceEpoch: z.string().min(1).max(64).optional(),
  })
  .strict();

export const sessionSchema = z
  .object({
    /** SHA-256 of the cookie value; the cookie value itself is never stored. */
    idHash: z.string().min(1),
    userId: z.string().min(1),
    createdAt: isoDate,
    lastSeenAt: isoDate,
    expiresAt: isoDate,
    /** pending: password ok, TOTP still required; such a session can only complete the login. */
    stage: z.enum(['pending-mfa', 'complete']),
    csrfToken: z.string().min(1),
    clientAddress: z.string(),
    userAgent: z.string(),
  })
  .strict();

export const apiTokenSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1).max(64),
    scope: z.enum(['read', 'write']),
    /** SHA-256 of the token; the token is shown once at creation and never stored. */
    tokenHash: z.string().min(1),
    /** First characters of the token, so a person can tell tokens apart. */
    prefix: z.string(),
    createdAt: isoDate,
    lastUsedAt: isoDate.nullable(),
    createdBy: z.string(),
  })
  .strict();

export type User = z.infer<typeof userSchema>;
export type Session = z.infer<typeof sessionSchema>;
export type ApiToken = z.infer<typeof apiTokenSchema>;

export const authSlice = defineSlice({
  owner: 'auth',
  shape: {
    setupCompletedAt: isoDate.nullable(),
    users: z.array(userSchema),
    sessions: z.array(sessionSchema),
    apiTokens: z.array(apiTokenSchema),
  },
  empty: () => ({ setupCompletedAt: null, users: [], sessions: [], apiTokens: [] }),
});

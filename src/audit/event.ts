/** @module The audit event and the `audit` log that keeps them, apart from the store's document. */
import { z } from 'zod';
import { defineLog } from '../store/log.js';
import { defineSlice, isoDate } from '../store/slice.js';

export const auditEventSchema = z
  .object({
    id: z.string().min(1),
    at: isoDate,
    type: z.string().min(1),
    actor: z.string(),
    clientAddress: z.string(),
    outcome: z.enum(['success', 'failure']),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .strict();

export type AuditEvent = z.infer<typeof auditEventSchema>;

/** The audit log keeps this many newest events. */
export const auditRetention = 10_000;

export const auditLog = defineLog({ name: 'audit', schema: auditEventSchema, retention: auditRetention });

/** The audit module's part of the store: no document keys, one log. */
export const auditSlice = defineSlice({ owner: 'audit', shape: {}, empty: () => ({}), logs: [auditLog] });

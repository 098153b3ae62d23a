/** @module The settings slice of the store: what an admin sets for the whole box. */
import { z } from 'zod';
import { defineSlice } from '../slice.js';

export const settingsSchema = z
  .object({
    /** A name for this box, shown in the UI title and TOTP issuer. */
    instanceName: z.string().min(1).max(64),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;

export const settingsSlice = defineSlice({
  owner: 'settings',
  shape: { settings: settingsSchema },
  empty: () => ({ settings: { instanceName: 'Gatehouse' } }),
});

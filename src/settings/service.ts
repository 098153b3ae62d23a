/** @module Instance settings an admin changes: the one place they are written, every change audited. */
import { appendAudit } from '../audit/record.js';
import type { Clock } from '../core/clock.js';
import type { Settings } from '../store/schema.js';
import type { Store } from '../store/store.js';

/** The audit types settings records (registered by the composition root, as the capabilities' are). */
export const settingsAuditTypes = { 'settings.changed': 'An admin changed the instance settings' } as const;

export interface SettingsActor {
  readonly actor: string;
  readonly clientAddress: string;
}

export class SettingsService {
  constructor(private readonly deps: { readonly store: Store; readonly clock: Clock }) {}

  current(): Settings {
    return this.deps.store.read().settings;
  }

  /** Applies `patch`; records which fields really changed (none: nothing is audited). Returns the new settings. */
  async update(patch: Partial<Settings>, by: SettingsActor): Promise<Settings> {
    return this.deps.store.update((draft, tx) => {
      const changed = (Object.keys(patch) as (keyof Settings)[]).filter(
        (k) => patch[k] !== undefined && patch[k] !== draft.settings[k],
      );
      Object.assign(draft.settings, patch);
      if (changed.length > 0) {
        appendAudit(tx, this.deps.clock.now(), {
          type: 'settings.changed',
          actor: by.actor,
          clientAddress: by.clientAddress,
          outcome: 'success',
          details: { changed: changed.join(',') },
        });
      }
      return { ...draft.settings };
    });
  }
}

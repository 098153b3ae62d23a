/** @module The form that adds or edits a channel; what it sends is worked out in draft.ts. */
import { useState } from 'preact/hooks';
import { expectOk } from '../../api.js';
import { CopyButton, ErrorNotice, Field, SelectField, SubmitButton } from '../../components/ui.js';
import { useAction } from '../../hooks.js';
import type { AlertsApi, ChannelItem } from './api.js';
import {
  channelPatchOf,
  draftOf,
  generateSecret,
  inSentence,
  kindChanged,
  newChannelOf,
  secretChoiceOf,
  secretField,
  urlLabel,
  type Draft,
} from './draft.js';
import { enabledOptions, kindOptions, securityOptions, severityOptions, urlHint } from './labels.js';

export function ChannelForm(props: {
  readonly api: AlertsApi;
  /** null: a new channel. */
  readonly channel: ChannelItem | null;
  readonly onDone: () => void;
  readonly onCancel: () => void;
}) {
  const editing = props.channel;
  const [draft, setDraft] = useState<Draft>(() => draftOf(editing));
  const action = useAction();
  const set =
    <K extends keyof Draft>(key: K) =>
    (value: Draft[K]) => {
      setDraft((d) => ({ ...d, [key]: value }));
    };
  /** The value and setter of one draft field, for a Field or SelectField. */
  const bind = <K extends keyof Draft>(key: K) => ({ value: draft[key], onValue: set(key) });
  const changedKind = kindChanged(editing, draft);
  const secret = secretField[draft.kind];
  const { modes: secretModes, mode: secretMode, stored } = secretChoiceOf(editing, draft);

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const { channels } = props.api.alerts;
      if (editing === null) {
        const created = newChannelOf(draft);
        if (!created.ok) throw new Error(created.message);
        await expectOk(channels.$post({ json: created.body }));
      } else {
        const patch = channelPatchOf(editing, draft);
        if (!patch.ok) throw new Error(patch.message);
        await expectOk(channels[':id'].$patch({ param: { id: editing.id }, json: patch.body }));
      }
      props.onDone();
    });
  };

  const keepHint = stored ? 'Leave empty to keep the stored one.' : undefined;
  return (
    <section class="subform" aria-label={editing === null ? 'New channel' : `Edit ${editing.name}`}>
      <form onSubmit={submit} class="stack form-inline">
        <Field label="Name" {...bind('name')} required maxLength={64} />
        <SelectField label="Kind" {...bind('kind')} options={kindOptions} />
        <SelectField label="Send" {...bind('minSeverity')} options={severityOptions} />
        <SelectField label="Channel" {...bind('enabled')} options={enabledOptions} />
        {draft.kind === 'email' ? (
          <>
            <Field label="SMTP server" {...bind('host')} required maxLength={253} />
            <Field label="Port" {...bind('port')} required inputMode="numeric" pattern="[0-9]{1,5}" />
            <SelectField label="Encryption" {...bind('security')} options={securityOptions} />
            <Field
              label="User name"
              {...bind('username')}
              autocomplete="off"
              hint="Leave empty if the server takes mail without a login."
            />
            <Field label="From" {...bind('from')} required hint="e.g. gatehouse@example.net" />
            <Field label="To" {...bind('to')} required hint="One or more addresses, comma-separated." />
          </>
        ) : (
          <Field
            label={urlLabel[draft.kind]}
            {...bind('url')}
            required={editing === null || changedKind}
            maxLength={2048}
            hint={
              editing !== null && !changedKind && 'urlHint' in editing.target
                ? `Now ${editing.target.urlHint} — leave empty to keep it.`
                : urlHint[draft.kind]
            }
          />
        )}
        {secret === undefined ? null : (
          <>
            {secretModes.length > 1 ? (
              <SelectField
                label={secret.label}
                value={secretMode}
                onValue={set('secretMode')}
                options={secretModes}
              />
            ) : null}
            {secretMode === 'set' ? (
              <Field
                label={secretModes.length > 1 ? `New ${inSentence(secret.label)}` : secret.label}
                type={draft.kind === 'webhook' ? 'text' : 'password'}
                autocomplete="new-password"
                {...bind('secret')}
                required={!secret.optional}
                hint={
                  draft.kind === 'webhook'
                    ? 'At least 16 characters; the receiver checks signatures with it.'
                    : (keepHint ?? (secret.optional ? 'Optional.' : undefined))
                }
              />
            ) : null}
            {secretMode === 'set' && draft.kind === 'webhook' ? (
              <div class="row">
                <button
                  type="button"
                  class="button button--secondary button--small"
                  onClick={() => {
                    set('secret')(generateSecret());
                  }}
                >
                  Generate a secret
                </button>
                {draft.secret === '' ? null : <CopyButton text={draft.secret} label="Copy secret" />}
              </div>
            ) : null}
          </>
        )}
        <ErrorNotice message={action.error} />
        <div class="row">
          <SubmitButton busy={action.busy}>{editing === null ? 'Add channel' : 'Save'}</SubmitButton>
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * @module The form that adds or edits a channel, and tests it before it is saved; what it sends is worked out
 * in draft.ts. Every problem, the form's own or the server's, shows beside its field.
 */
import { useState } from 'preact/hooks';
import { expectOk, fieldProblem } from '../../api.js';
import {
  ActionButton,
  CopyButton,
  ErrorNotice,
  Field,
  Notice,
  SelectField,
  SubmitButton,
} from '../../components/ui.js';
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
  type Checked,
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
  const testing = useAction();
  const [tested, setTested] = useState<{ ok: boolean; error: string | null } | undefined>(undefined);
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

  const { channels } = props.api.alerts;
  const submit = (e: Event) => {
    e.preventDefault();
    testing.clearError();
    void action.run(async () => {
      if (editing === null) {
        const created = checked(newChannelOf(draft));
        await expectOk(channels.$post({ json: created }));
      } else {
        const patch = checked(channelPatchOf(editing, draft));
        await expectOk(channels[':id'].$patch({ param: { id: editing.id }, json: patch }));
      }
      props.onDone();
    });
  };
  /** Sends a test to the channel as the form has it now, saved or not; nothing is saved. */
  const test = () => {
    action.clearError();
    setTested(undefined);
    void testing.run(async () => {
      const outcome =
        editing === null
          ? await expectOk(
              channels.test.$post({
                json: (({ name, target }) => ({ name, target }))(checked(newChannelOf(draft))),
              }),
            )
          : await expectOk(
              channels[':id'].test.$post({
                param: { id: editing.id },
                json: checked(channelPatchOf(editing, draft)),
              }),
            );
      setTested(outcome);
    });
  };
  /** Problems of either action (only the last one run has any), by the API's name of the field. */
  const fields = { ...action.fields, ...testing.fields };
  const shownPaths = [
    'name',
    'target.kind',
    'minSeverity',
    'enabled',
    'target.url',
    'target.secret',
    'target.token',
    'target.password',
    'target.host',
    'target.port',
    'target.security',
    'target.username',
    'target.from',
    'target.to',
  ];
  /** The problem of the field at `path` (or inside it: `target.to.1`). */
  const problem = (...paths: string[]): string | undefined =>
    Object.entries(fields).find(([k]) => paths.some((p) => k === p || k.startsWith(`${p}.`)))?.[1];
  const shown = Object.keys(fields).filter((k) => shownPaths.some((p) => k === p || k.startsWith(`${p}.`)));
  const generalError = action.errorBesides(shown) ?? testing.errorBesides(shown);

  const keepHint = stored ? 'Leave empty to keep the stored one.' : undefined;
  return (
    <section class="subform" aria-label={editing === null ? 'New channel' : `Edit ${editing.name}`}>
      <form onSubmit={submit} class="stack form-inline">
        <Field label="Name" {...bind('name')} required maxLength={64} error={problem('name')} />
        <SelectField label="Kind" {...bind('kind')} options={kindOptions} error={problem('target.kind')} />
        <SelectField
          label="Send"
          {...bind('minSeverity')}
          options={severityOptions}
          error={problem('minSeverity')}
        />
        <SelectField
          label="Channel"
          {...bind('enabled')}
          options={enabledOptions}
          error={problem('enabled')}
        />
        {draft.kind === 'email' ? (
          <>
            <Field
              label="SMTP server"
              {...bind('host')}
              required
              maxLength={253}
              error={problem('target.host')}
            />
            <Field
              label="Port"
              {...bind('port')}
              required
              inputMode="numeric"
              pattern="[0-9]{1,5}"
              error={problem('target.port')}
            />
            <SelectField
              label="Encryption"
              {...bind('security')}
              options={securityOptions}
              error={problem('target.security')}
            />
            <Field
              label="User name"
              {...bind('username')}
              autocomplete="off"
              hint="Leave empty if the server takes mail without a login."
              error={problem('target.username')}
            />
            <Field
              label="From"
              {...bind('from')}
              required
              hint="e.g. gatehouse@example.net"
              error={problem('target.from')}
            />
            <Field
              label="To"
              {...bind('to')}
              required
              hint="One or more addresses, comma-separated."
              error={problem('target.to')}
            />
          </>
        ) : (
          <Field
            label={urlLabel[draft.kind]}
            {...bind('url')}
            required={editing === null || changedKind}
            maxLength={2048}
            error={problem('target.url')}
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
                error={problem('target.secret', 'target.token', 'target.password')}
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
        <ErrorNotice message={generalError} />
        <div class="row">
          <SubmitButton busy={action.busy}>{editing === null ? 'Add channel' : 'Save'}</SubmitButton>
          <ActionButton variant="secondary" busy={testing.busy} onClick={test}>
            {editing === null ? 'Send a test first' : 'Send a test with these settings'}
          </ActionButton>
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
        {tested === undefined ? null : (
          <Notice kind={tested.ok ? 'success' : 'error'} testId="form-test-result">
            {tested.ok
              ? 'Test delivered. Nothing is saved yet.'
              : `Test failed: ${tested.error ?? 'no reason given'}. Nothing is saved yet.`}
          </Notice>
        )}
      </form>
    </section>
  );
}

/** The body a check produced, or the problem it found, thrown so that the form shows it beside its field. */
function checked<T>(result: Checked<T>): T {
  if (!result.ok) throw fieldProblem(result.field, result.message);
  return result.body;
}

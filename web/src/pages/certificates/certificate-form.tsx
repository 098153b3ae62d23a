/**
 * @module The certificate wanted: its names (the DDNS hostnames suggested; wildcards through DNS-01), the challenge
 * (automatic from reachability, HTTP-01 or DNS-01) and the key type; "stop managing" falls back to the self-signed
 * certificate.
 */
import { useState } from 'preact/hooks';
import { fieldProblem } from '../../api.js';
import { ConfirmButton, ErrorNotice, Field, Panel, SelectField, SubmitButton } from '../../components/ui.js';
import { useAction } from '../../hooks.js';
import type { CertApi, CertificateSettings, CertView } from './api.js';
import {
  certificateBodyOf,
  certificateDraftOf,
  challengeChoices,
  formProblems,
  keyTypeChoices,
  namesHint,
  type CertificateDraft,
  type Checked,
} from './model.js';

function checked<T>(result: Checked<T>): T {
  if (!result.ok) throw fieldProblem(result.field, result.message);
  return result.body;
}

const labelOf = <V extends string>(options: readonly { value: V; label: string }[], v: V): string =>
  options.find((o) => o.value === v)?.label ?? v;

export function CertificatePanel(props: {
  readonly api: CertApi;
  readonly view: CertView;
  readonly onSaved: (view: CertView) => void;
}) {
  const settings = props.view.certificate;
  const [editing, setEditing] = useState(settings === null);
  const remove = useAction();
  const stop = () => {
    void remove.run(async () => {
      props.onSaved(await props.api.deleteCertificate());
      setEditing(true);
    });
  };
  return (
    <Panel
      title="Names and challenge"
      testId="cert-settings"
      actions={
        editing || settings === null ? undefined : (
          <div class="row">
            <button
              type="button"
              class="button button--secondary button--small"
              onClick={() => {
                setEditing(true);
              }}
            >
              Change
            </button>
            <ConfirmButton
              label="Stop managing"
              question="Stop getting certificates? The web UI goes back to its self-signed one."
              confirmLabel="Stop"
              small
              busy={remove.busy}
              onConfirm={stop}
            />
          </div>
        )
      }
    >
      <ErrorNotice message={remove.error} />
      {settings !== null && !editing ? <SettingsFacts settings={settings} /> : null}
      {editing || settings === null ? (
        <CertificateForm
          api={props.api}
          view={props.view}
          onSaved={(view) => {
            setEditing(false);
            props.onSaved(view);
          }}
          onCancel={
            settings === null
              ? undefined
              : () => {
                  setEditing(false);
                }
          }
        />
      ) : null}
    </Panel>
  );
}

function SettingsFacts(props: { readonly settings: CertificateSettings }) {
  const s = props.settings;
  return (
    <table class="facts" data-testid="cert-settings-facts">
      <tbody>
        <tr>
          <th scope="row">Names</th>
          <td>{s.names.join(', ')}</td>
        </tr>
        <tr>
          <th scope="row">Challenge</th>
          <td>{labelOf(challengeChoices, s.challenge)}</td>
        </tr>
        <tr>
          <th scope="row">Key type</th>
          <td>{labelOf(keyTypeChoices, s.keyType)}</td>
        </tr>
      </tbody>
    </table>
  );
}

function CertificateForm(props: {
  readonly api: CertApi;
  readonly view: CertView;
  readonly onSaved: (view: CertView) => void;
  readonly onCancel: (() => void) | undefined;
}) {
  const [draft, setDraft] = useState<CertificateDraft>(() => certificateDraftOf(props.view));
  const save = useAction();
  const change = (patch: Partial<CertificateDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void save.run(async () => {
      props.onSaved(await props.api.putCertificate(checked(certificateBodyOf(draft))));
    });
  };
  const problems = formProblems(save.fields);
  const shown = Object.keys(save.fields).filter((k) => /^(names|challenge|keyType)(\.\d+)?$/.test(k));
  const suggested = props.view.suggestedNames;
  return (
    <form class="stack form-inline" onSubmit={submit} noValidate aria-label="Certificate names and challenge">
      <Field
        label="Names"
        value={draft.names}
        onValue={(names) => {
          change({ names });
        }}
        maxLength={8192}
        hint={
          <>
            {namesHint(draft.names)}
            {suggested.length === 0 ? ' Add a DDNS record first to have its hostname suggested.' : null}
          </>
        }
        error={problems.names}
      />
      <SelectField
        label="Challenge"
        value={draft.challenge}
        onValue={(challenge) => {
          change({ challenge });
        }}
        options={challengeChoices}
        hint="Automatic uses HTTP-01 when port 80 is reachable from the internet, otherwise DNS-01 (behind CGNAT, for example)."
        error={problems.challenge}
      />
      <SelectField
        label="Key type"
        value={draft.keyType}
        onValue={(keyType) => {
          change({ keyType });
        }}
        options={keyTypeChoices}
        error={problems.keyType}
      />
      <ErrorNotice message={save.errorBesides(shown)} />
      <div class="row">
        <SubmitButton busy={save.busy}>Save</SubmitButton>
        {props.onCancel === undefined ? null : (
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

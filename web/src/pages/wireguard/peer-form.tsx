/**
 * @module The add/edit peer form: name, groups, the services it may reach (on add; later in the grants matrix),
 * tunnel mode, expiry date and time, DNS, keepalive and, on add, who holds the private key. Problems the form
 * finds and those the server names show beside their field.
 */
import { useId, useState } from 'preact/hooks';
import { fieldProblem } from '../../api.js';
import { ErrorNotice, Field, SelectField, SubmitButton } from '../../components/ui.js';
import { useAction } from '../../hooks.js';
import type { KeyMode, PeerView, ServiceView, TunnelMode, WireguardApi } from './api.js';
import {
  emptyPeerDraft,
  keyModeWords,
  newPeerOf,
  peerDraftOf,
  peerPatchOf,
  portsWords,
  problemOf,
  tunnelWords,
  type Checked,
  type PeerDraft,
} from './model.js';

/** Failure codes the server does not tie to a field itself, and the field they are about. */
const codeFields: Readonly<Record<string, string>> = {
  'wireguard.duplicate': 'name',
  'wireguard.service-not-found': 'services',
};

const shownFields = [
  'name',
  'groups',
  'services',
  'tunnel',
  'expiresAt',
  'dns',
  'persistentKeepalive',
  'publicKey',
];

const tunnelOptions = (['services', 'lan', 'full'] as const).map((value) => ({
  value,
  label: tunnelWords[value],
}));

function checked<T>(c: Checked<T>): T {
  if (!c.ok) throw fieldProblem(c.field, c.message);
  return c.body;
}

export function PeerForm(props: {
  readonly api: WireguardApi;
  readonly services: readonly ServiceView[];
  /** The peer to edit, or undefined to add one. */
  readonly peer?: PeerView;
  readonly onSaved: (peer: PeerView) => void;
  readonly onCancel: () => void;
}) {
  const editing = props.peer;
  const [draft, setDraft] = useState<PeerDraft>(
    editing === undefined ? emptyPeerDraft : peerDraftOf(editing),
  );
  const action = useAction(codeFields);
  const set = (change: Partial<PeerDraft>) => {
    setDraft({ ...draft, ...change });
  };
  const submit = (e: Event) => {
    e.preventDefault();
    let saved: PeerView | undefined;
    void action
      .run(async () => {
        const now = new Date();
        saved =
          editing === undefined
            ? await props.api.addPeer(checked(newPeerOf(draft, now)))
            : await props.api.patchPeer(editing.id, checked(peerPatchOf(draft, editing, now)));
      })
      .then((ok) => {
        if (ok && saved !== undefined) props.onSaved(saved);
      });
  };
  const problem = (name: string) => problemOf(action.fields, name);
  const title = editing === undefined ? 'New peer' : `Edit “${editing.name}”`;
  return (
    // The panel around it carries the title; the region's name is for finding it.
    <section class="wg-form" aria-label={title}>
      <form onSubmit={submit} class="stack" noValidate>
        <Field
          label="Name"
          value={draft.name}
          onValue={(name) => {
            set({ name });
          }}
          required
          maxLength={64}
          autoFocus
          hint="Who or what connects, e.g. “Anna’s phone”."
          error={problem('name')}
        />
        <Field
          label="Groups"
          value={draft.groups}
          onValue={(groups) => {
            set({ groups });
          }}
          hint="Optional lowercase words, separated by commas, e.g. family. A group’s grants apply to each of its peers."
          error={problem('groups')}
        />
        {editing === undefined ? (
          <ServiceChoice
            services={props.services}
            chosen={draft.services}
            onChosen={(services) => {
              set({ services });
            }}
            error={problem('services')}
          />
        ) : (
          <p class="hint">
            The services this peer may reach are set in the grants matrix on the{' '}
            <a href="#/services">Services page</a>.
          </p>
        )}
        <SelectField<TunnelMode>
          label="Tunnel"
          value={draft.tunnel}
          onValue={(tunnel) => {
            set({ tunnel });
          }}
          options={tunnelOptions}
          hint="What the device sends through the tunnel. The firewall lets through only the granted services either way."
          error={problem('tunnel')}
        />
        <ExpiryFields
          date={draft.expiresDate}
          time={draft.expiresTime}
          onDate={(expiresDate) => {
            set({ expiresDate });
          }}
          onTime={(expiresTime) => {
            set({ expiresTime });
          }}
          error={problem('expiresAt')}
        />
        <Field
          label="DNS servers"
          value={draft.dns}
          onValue={(dns) => {
            set({ dns });
          }}
          hint="Optional, e.g. 10.8.0.1 or 1.1.1.1; empty uses the interface’s default."
          error={problem('dns')}
        />
        <Field
          label="Keepalive (seconds)"
          value={draft.keepalive}
          onValue={(keepalive) => {
            set({ keepalive });
          }}
          inputMode="numeric"
          hint="Optional; 25 keeps a phone behind NAT reachable. Empty uses the interface’s default, 0 turns it off."
          error={problem('persistentKeepalive')}
        />
        {editing === undefined ? (
          <KeyModeChoice
            keyMode={draft.keyMode}
            onKeyMode={(keyMode) => {
              set({ keyMode });
            }}
          />
        ) : null}
        {editing === undefined && draft.keyMode === 'own' ? (
          <Field
            label="Public key"
            value={draft.publicKey}
            onValue={(publicKey) => {
              set({ publicKey });
            }}
            required
            maxLength={44}
            hint="From the device (wg pubkey): 44 characters ending in “=”. Its config then has a blank for the private key."
            error={problem('publicKey')}
          />
        ) : null}
        <ErrorNotice message={action.errorBesides(shownFields)} />
        <div class="row">
          <SubmitButton busy={action.busy}>{editing === undefined ? 'Add peer' : 'Save'}</SubmitButton>
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function ServiceChoice(props: {
  readonly services: readonly ServiceView[];
  readonly chosen: readonly string[];
  readonly onChosen: (ids: string[]) => void;
  readonly error: string | undefined;
}) {
  const id = useId();
  return (
    <fieldset class={props.error === undefined ? 'wg-fieldset' : 'wg-fieldset field--invalid'}>
      <legend>Services it may reach</legend>
      {props.services.length === 0 ? (
        <p class="hint">
          No services yet: add them on the <a href="#/services">Services page</a> (the peer reaches nothing
          until then).
        </p>
      ) : (
        <ul class="wg-checks">
          {props.services.map((s) => (
            <li key={s.id}>
              <label class="wg-check">
                <input
                  type="checkbox"
                  checked={props.chosen.includes(s.id)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    props.onChosen(on ? [...props.chosen, s.id] : props.chosen.filter((x) => x !== s.id));
                  }}
                />
                <span>
                  {s.name}{' '}
                  <span class="muted">
                    {s.host} {s.protocol.toUpperCase()} {portsWords(s)}
                  </span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {props.error === undefined ? null : (
        <p class="field__error" id={`${id}-error`} data-testid="field-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}

function ExpiryFields(props: {
  readonly date: string;
  readonly time: string;
  readonly onDate: (v: string) => void;
  readonly onTime: (v: string) => void;
  readonly error: string | undefined;
}) {
  const id = useId();
  const invalid = props.error !== undefined;
  const described = [invalid ? `${id}-error` : '', `${id}-hint`].filter((x) => x !== '').join(' ');
  return (
    <fieldset class={invalid ? 'wg-fieldset field--invalid' : 'wg-fieldset'}>
      <legend>Expires</legend>
      <div class="wg-expiry">
        <div class="field">
          <label for={`${id}-date`}>Expiry date</label>
          <input
            id={`${id}-date`}
            type="date"
            value={props.date}
            onInput={(e) => {
              props.onDate(e.currentTarget.value);
            }}
            aria-invalid={invalid ? 'true' : undefined}
            aria-describedby={described}
          />
        </div>
        <div class="field">
          <label for={`${id}-time`}>Expiry time</label>
          <input
            id={`${id}-time`}
            type="time"
            value={props.time}
            onInput={(e) => {
              props.onTime(e.currentTarget.value);
            }}
            aria-invalid={invalid ? 'true' : undefined}
            aria-describedby={described}
          />
        </div>
      </div>
      {invalid ? (
        <p class="field__error" id={`${id}-error`} data-testid="field-error">
          {props.error}
        </p>
      ) : null}
      <p class="hint" id={`${id}-hint`}>
        Optional: the peer is turned off at that minute (your local time). A date without a time means the end
        of that day.
      </p>
    </fieldset>
  );
}

function KeyModeChoice(props: { readonly keyMode: KeyMode; readonly onKeyMode: (k: KeyMode) => void }) {
  const name = useId();
  return (
    <fieldset class="wg-fieldset">
      <legend>Private key</legend>
      {(['kept', 'forget-after-download', 'own'] as const).map((mode) => (
        <label class="wg-check" key={mode}>
          <input
            type="radio"
            name={name}
            value={mode}
            checked={props.keyMode === mode}
            onChange={() => {
              props.onKeyMode(mode);
            }}
          />
          <span>{keyModeWords[mode]}</span>
        </label>
      ))}
    </fieldset>
  );
}

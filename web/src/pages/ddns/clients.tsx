/**
 * @module Routers and clients that push their address (the inbound dyndns2 endpoint, /nic/update): the list
 * (hostnames, trusted, last used — never a password), the add form, the generated password shown once with the
 * update URL and a copy button, and remove with confirmation. Its own data: it loads /ddns/credentials itself.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, expectOk, fieldProblem } from '../../api.js';
import { DataTable } from '../../components/table.js';
import {
  ConfirmButton,
  CopyButton,
  ErrorNotice,
  Field,
  Loading,
  Notice,
  Panel,
  SubmitButton,
} from '../../components/ui.js';
import { formatDateTime } from '../../format.js';
import { useAction, useLoad } from '../../hooks.js';
import type { ClientAdded, ClientItem, DdnsApi } from './api.js';
import {
  clientProblem,
  emptyClientDraft,
  lastUsedWords,
  newClientOf,
  trustWords,
  updateUrlOf,
  type ClientDraft,
} from './model.js';
import { checked } from './records.js';

export function ClientsPanel(props: {
  readonly api: DdnsApi;
  /** The page's Refresh presses and timer ticks: each one loads the list again (a push changes "last used"). */
  readonly refreshes: number;
}) {
  const credentials = props.api.ddns.credentials;
  const load = useCallback(() => expectOk(credentials.$get()), [credentials]);
  const list = useLoad(load);
  const { reload } = list;
  useEffect(() => {
    if (props.refreshes > 0) reload();
  }, [props.refreshes, reload]);
  const [adding, setAdding] = useState(false);
  /** Held in memory only until "Done": a reload shows the list alone. */
  const [added, setAdded] = useState<ClientAdded | undefined>(undefined);
  return (
    <Panel
      title="Routers and clients that push their address"
      testId="ddns-clients"
      actions={
        adding || added !== undefined ? undefined : (
          <button
            type="button"
            class="button button--primary button--small"
            onClick={() => {
              setAdding(true);
            }}
          >
            Add client
          </button>
        )
      }
    >
      <p class="hint">
        A router (FRITZ!Box, OpenWrt, UniFi), ddclient or inadyn can tell this box its WAN address the moment
        it changes, with the dyndns2 protocol at <code>/nic/update</code>. Each gets its own user name and
        password, for the hostnames you name.
      </p>
      {added === undefined ? null : (
        <NewClient
          added={added}
          onDone={() => {
            setAdded(undefined);
          }}
        />
      )}
      {adding ? (
        <ClientForm
          api={props.api}
          onAdded={(a) => {
            setAdding(false);
            setAdded(a);
            list.reload();
          }}
          onCancel={() => {
            setAdding(false);
          }}
        />
      ) : null}
      {list.result.state === 'loading' ? <Loading what="clients" /> : null}
      {list.result.state === 'error' ? <ErrorNotice message={list.result.message} /> : null}
      {list.result.state === 'ready' ? (
        <ClientTable api={props.api} clients={list.result.data.clients} onChanged={list.reload} />
      ) : null}
    </Panel>
  );
}

function ClientTable(props: {
  readonly api: DdnsApi;
  readonly clients: readonly ClientItem[];
  readonly onChanged: () => void;
}) {
  const action = useAction();
  const remove = (c: ClientItem) => {
    void action
      .run(async () => {
        await expectOk(props.api.ddns.credentials[':name'].$delete({ param: { name: c.name } }));
      })
      .then(props.onChanged);
  };
  return (
    <>
      <ErrorNotice message={action.error} />
      <DataTable
        columns={['Name', 'Hostnames', 'Trusted', 'Last used']}
        actions
        cards
        caption="Clients that push their address"
        empty="No clients yet."
        rows={props.clients}
        row={(c) => (
          <tr key={c.id} data-testid={`client-${c.name}`}>
            <td class="strong">{c.name}</td>
            <td data-label="Hostnames">
              <ul class="details-list">
                {c.hostnames.map((h) => (
                  <li key={h}>{h}</li>
                ))}
              </ul>
            </td>
            <td data-label="Trusted">
              <span title={trustWords(c.trusted)}>{c.trusted ? 'yes' : 'no (one vote)'}</span>
            </td>
            <td data-label="Last used">{lastUsedWords(c.lastUsedAt, (iso) => formatDateTime(iso))}</td>
            <td class="actions">
              <ConfirmButton
                label="Remove"
                accessibleLabel={`Remove ${c.name}`}
                question={`Remove “${c.name}”? Its password stops working at once.`}
                confirmLabel="Remove"
                small
                busy={action.busy}
                onConfirm={() => {
                  remove(c);
                }}
              />
            </td>
          </tr>
        )}
      />
    </>
  );
}

function ClientForm(props: {
  readonly api: DdnsApi;
  readonly onAdded: (added: ClientAdded) => void;
  readonly onCancel: () => void;
}) {
  const [draft, setDraft] = useState<ClientDraft>(emptyClientDraft);
  const action = useAction({ 'ddns.client-exists': 'name', 'ddns.client-limit': 'name' });
  const submit = (e: Event) => {
    e.preventDefault();
    let result: ClientAdded | undefined;
    void action
      .run(async () => {
        try {
          result = await expectOk(props.api.ddns.credentials.$post({ json: checked(newClientOf(draft)) }));
        } catch (err) {
          // The server names the field in its message ("hostnames.1: …"): show the reason beside that field.
          if (!(err instanceof ApiError) || err.code !== 'ddns.client-invalid') throw err;
          const p = clientProblem(err.message);
          throw p.field === undefined ? err : fieldProblem(p.field, p.message);
        }
      })
      .then((ok) => {
        if (ok && result !== undefined) props.onAdded(result);
      });
  };
  const trustedId = 'ddns-client-trusted';
  return (
    <section class="subform" aria-label="New client">
      <form onSubmit={submit} class="stack form-inline" noValidate>
        <Field
          label="Name"
          value={draft.name}
          onValue={(name) => {
            setDraft({ ...draft, name });
          }}
          required
          maxLength={64}
          hint="The user name the router sends, e.g. fritzbox (a–z, 0–9, “.”, “_”, “-”)."
          error={action.fields.name}
        />
        <Field
          label="Hostnames"
          value={draft.hostnames}
          onValue={(hostnames) => {
            setDraft({ ...draft, hostnames });
          }}
          required
          maxLength={2048}
          hint="The hostnames it may push for, separated by commas, e.g. home.example.com."
          error={action.fields.hostnames}
        />
        <div class="field">
          <div class="row">
            <input
              id={trustedId}
              type="checkbox"
              checked={draft.trusted}
              onChange={(e) => {
                setDraft({ ...draft, trusted: e.currentTarget.checked });
              }}
              aria-describedby={`${trustedId}-hint`}
              style={{ width: 'auto', minHeight: 'auto' }}
            />
            <label for={trustedId}>Trusted</label>
          </div>
          <p class="hint" id={`${trustedId}-hint`}>
            A trusted client’s address is accepted alone; otherwise it is one vote in the quorum.
          </p>
        </div>
        <ErrorNotice message={action.errorBesides(['name', 'hostnames'])} />
        <div class="row">
          <SubmitButton busy={action.busy}>Add client</SubmitButton>
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

function NewClient(props: { readonly added: ClientAdded; readonly onDone: () => void }) {
  const { client, password } = props.added;
  const url = updateUrlOf(window.location.origin, client.hostnames);
  return (
    <section class="panel panel--highlight" aria-labelledby="new-client-title" data-testid="new-client">
      <h3 id="new-client-title">Client “{client.name}” added</h3>
      <Notice kind="warning">
        <strong>Copy the password now.</strong> This is the only time Gatehouse shows it; only a hash is
        stored.
      </Notice>
      <p>
        User name <code>{client.name}</code>, password:
      </p>
      <div class="token-secret">
        <code data-testid="new-client-password">{password}</code>
      </div>
      <div class="row">
        <CopyButton text={password} label="Copy password" />
      </div>
      <p>
        Point the router’s custom DynDNS (or ddclient, inadyn with protocol dyndns2) at this update URL, with
        the user name and password above:
      </p>
      <div class="token-secret">
        <code data-testid="new-client-url">{url}</code>
      </div>
      <div class="row">
        <CopyButton text={url} label="Copy URL" />
        <button type="button" class="button button--primary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

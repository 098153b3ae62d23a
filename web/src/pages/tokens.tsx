/** @module API tokens: create (the secret is shown once), list and revoke. */
import { useCallback, useState } from 'preact/hooks';
import { expectOk, type GatehouseClient, type OkBody } from '../api.js';
import { DataTable } from '../components/table.js';
import {
  ConfirmButton,
  CopyButton,
  ErrorNotice,
  Field,
  Loading,
  Notice,
  PageTitle,
  Panel,
  SelectField,
  SubmitButton,
} from '../components/ui.js';
import { formatDateTime, formatRelative } from '../format.js';
import { useAction, useLoad } from '../hooks.js';

type Api = GatehouseClient['api'];
type Created = OkBody<Awaited<ReturnType<Api['tokens']['$post']>>>;
type Token = Created['record'];
type Scope = Token['scope'];

const scopeOptions: readonly { value: Scope; label: string }[] = [
  { value: 'read', label: 'Read: look, change nothing' },
  { value: 'write', label: 'Write: look and change' },
];

export function TokensPage(props: { readonly client: GatehouseClient }) {
  const { api } = props.client;
  const load = useCallback(() => expectOk(api.tokens.$get()), [api]);
  const { result, reload } = useLoad(load);
  const [created, setCreated] = useState<Created | undefined>(undefined);
  return (
    <>
      <PageTitle title="API tokens" />
      <p class="lead">
        Scripts and tools (Home Assistant, monitoring, <code>curl</code>) authenticate with{' '}
        <code>Authorization: Bearer &lt;token&gt;</code>. Tokens cannot manage tokens, passwords or two-factor
        settings.
      </p>
      {created === undefined ? null : (
        <NewToken
          created={created}
          onDone={() => {
            setCreated(undefined);
          }}
        />
      )}
      <CreateToken
        client={props.client}
        onCreated={(c) => {
          setCreated(c);
          reload();
        }}
      />
      <Panel title="Tokens">
        {result.state === 'loading' ? <Loading what="tokens" /> : null}
        {result.state === 'error' ? <ErrorNotice message={result.message} /> : null}
        {result.state === 'ready' ? (
          <TokenTable client={props.client} tokens={result.data.tokens} onRevoked={reload} />
        ) : null}
      </Panel>
    </>
  );
}

function CreateToken(props: {
  readonly client: GatehouseClient;
  readonly onCreated: (created: Created) => void;
}) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const created = await expectOk(props.client.api.tokens.$post({ json: { name: name.trim(), scope } }));
      setName('');
      props.onCreated(created);
    });
  };
  return (
    <Panel title="New token">
      <form onSubmit={submit} class="stack form-inline">
        <Field
          label="Name"
          value={name}
          onValue={setName}
          required
          maxLength={64}
          pattern="[A-Za-z0-9 ._\-]{1,64}"
          hint="What uses it, e.g. home-assistant. Letters, digits, spaces, dot, dash or underscore."
          error={action.fields.name}
        />
        <SelectField
          label="Scope"
          value={scope}
          onValue={setScope}
          options={scopeOptions}
          hint="Give write only to tools that must change things."
          error={action.fields.scope}
        />
        <ErrorNotice message={action.errorBesides(['name', 'scope'])} />
        <div class="row">
          <SubmitButton busy={action.busy}>Create token</SubmitButton>
        </div>
      </form>
    </Panel>
  );
}

function NewToken(props: { readonly created: Created; readonly onDone: () => void }) {
  return (
    <section class="panel panel--highlight" aria-labelledby="new-token-title" data-testid="new-token">
      <h2 id="new-token-title">Token “{props.created.record.name}” created</h2>
      <Notice kind="warning">
        <strong>Copy it now.</strong> This is the only time Gatehouse shows it; only a hash is stored.
      </Notice>
      <div class="token-secret">
        <code id="new-token-value">{props.created.token}</code>
      </div>
      <div class="row">
        <CopyButton text={props.created.token} label="Copy token" />
        <button type="button" class="button button--primary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </section>
  );
}

function TokenTable(props: {
  readonly client: GatehouseClient;
  readonly tokens: readonly Token[];
  readonly onRevoked: () => void;
}) {
  const action = useAction();
  const now = new Date();
  const revoke = (token: Token) => {
    void action
      .run(async () => {
        await expectOk(props.client.api.tokens[':id'].$delete({ param: { id: token.id } }));
      })
      .then((ok) => {
        if (ok) props.onRevoked();
      });
  };
  return (
    <>
      <ErrorNotice message={action.error} />
      <DataTable
        columns={['Name', 'Scope', 'Starts with', 'Created', 'Last used']}
        actions
        cards
        testId="token-table"
        rows={props.tokens}
        empty="No API tokens yet."
        row={(t) => (
          <tr key={t.id}>
            <td class="strong">{t.name}</td>
            <td data-label="Scope">
              <span>
                <span class={`badge badge--${t.scope === 'write' ? 'warning' : 'unknown'}`}>{t.scope}</span>
              </span>
            </td>
            <td data-label="Starts with">
              <code>{t.prefix}…</code>
            </td>
            <td data-label="Created">
              <span>
                {formatDateTime(t.createdAt)} <span class="muted">by {t.createdBy}</span>
              </span>
            </td>
            <td data-label="Last used">
              {t.lastUsedAt === null ? <span class="muted">never</span> : formatRelative(t.lastUsedAt, now)}
            </td>
            <td class="actions">
              <ConfirmButton
                label="Revoke"
                accessibleLabel={`Revoke ${t.name}`}
                question={`Revoke “${t.name}”? Tools using it stop working.`}
                confirmLabel="Revoke"
                busy={action.busy}
                onConfirm={() => {
                  revoke(t);
                }}
              />
            </td>
          </tr>
        )}
      />
    </>
  );
}

/**
 * @module DNS provider accounts: the list (credentials only as "set (date)", a stopped account's reason and what
 * resumes it), test and remove; the form built from the provider's fields, with "Test credentials" before saving.
 * Secret fields are password inputs and always start empty: the API never returns a credential.
 */
import { useState } from 'preact/hooks';
import { ApiError, expectOk, sentence } from '../../api.js';
import { DataTable, RowButton } from '../../components/table.js';
import { ConfirmButton, ErrorNotice, Field, Notice, SelectField, SubmitButton } from '../../components/ui.js';
import { formatDateTime } from '../../format.js';
import { useAction } from '../../hooks.js';
import type { AccountItem, DdnsApi, ProviderItem } from './api.js';
import {
  accountDraftOf,
  accountPatchOf,
  credentialWords,
  fieldHint,
  fieldLabel,
  fieldPath,
  newAccountOf,
  plainProblem,
  removeAccountProblem,
  type AccountDraft,
} from './model.js';
import { checked } from './records.js';

export function AccountTable(props: {
  readonly api: DdnsApi;
  readonly accounts: readonly AccountItem[];
  readonly providers: readonly ProviderItem[];
  readonly onEdit: (a: AccountItem) => void;
  readonly onChanged: () => void;
}) {
  const action = useAction();
  const [removeError, setRemoveError] = useState<string | undefined>(undefined);
  const [tested, setTested] = useState<{ name: string; ok: boolean; text: string } | undefined>(undefined);
  const accounts = props.api.ddns.accounts;
  const test = (a: AccountItem) => {
    setTested(undefined);
    setRemoveError(undefined);
    void action.run(async () => {
      try {
        const r = await expectOk(accounts[':id'].test.$post({ param: { id: a.id }, json: {} }));
        setTested({
          name: a.name,
          ok: true,
          text: `${a.name}: test passed. ${sentence(r.detail)}`,
        });
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 422) throw e;
        setTested({ name: a.name, ok: false, text: `${a.name}: ${e.message}` });
      }
    });
  };
  const remove = (a: AccountItem) => {
    setTested(undefined);
    setRemoveError(undefined);
    void action.run(async () => {
      try {
        await expectOk(accounts[':id'].$delete({ param: { id: a.id } }));
      } catch (e) {
        if (e instanceof ApiError && e.code === 'ddns.account-in-use') {
          setRemoveError(`${a.name}: ${removeAccountProblem(e.code, e.message)}`);
          return;
        }
        throw e;
      }
      props.onChanged();
    });
  };
  return (
    <>
      <ErrorNotice message={action.error ?? removeError} />
      {tested === undefined ? null : (
        <Notice kind={tested.ok ? 'success' : 'error'} testId="account-test-result">
          {tested.text}
        </Notice>
      )}
      <DataTable
        columns={['Name', 'Provider', 'Credentials', 'State']}
        actions
        cards
        caption="DNS provider accounts"
        rows={props.accounts}
        row={(a) => {
          const provider = props.providers.find((p) => p.kind === a.kind);
          return (
            <tr key={a.id} data-testid={`account-${a.name}`} class={a.stopped ? 'row--failure' : undefined}>
              <td class="strong">{a.name}</td>
              <td data-label="Provider">{a.provider}</td>
              <td data-label="Credentials">
                {a.credentials.length === 0 ? (
                  <span class="muted">none</span>
                ) : (
                  <ul class="details-list">
                    {a.credentials.map((c) => (
                      <li key={c.field}>
                        {fieldLabel(provider, c.field)}: {credentialWords(c, (iso) => formatDateTime(iso))}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td data-label="State">
                <div>
                  {a.stopped ? (
                    <>
                      <span class="badge badge--error">stopped</span>
                      <div class="hint">
                        {a.stopped.message}. Updates through this account wait for new credentials: choose
                        Edit and enter them.
                      </div>
                    </>
                  ) : a.notBefore !== null && Date.parse(a.notBefore) > Date.now() ? (
                    <>
                      <span class="badge badge--warning">waiting</span>
                      <div class="hint">
                        The provider asked for a pause until {formatDateTime(a.notBefore)}.
                      </div>
                    </>
                  ) : (
                    <span class="badge badge--ok">ready</span>
                  )}
                </div>
              </td>
              <td class="actions">
                <div class="row">
                  <RowButton
                    label={`Test ${a.name}`}
                    busy={action.busy}
                    onClick={() => {
                      test(a);
                    }}
                  >
                    Test
                  </RowButton>
                  <RowButton
                    label={`Edit ${a.name}`}
                    onClick={() => {
                      props.onEdit(a);
                    }}
                  >
                    Edit
                  </RowButton>
                  <ConfirmButton
                    label="Remove"
                    accessibleLabel={`Remove ${a.name}`}
                    question={`Remove “${a.name}” and its stored credentials?`}
                    confirmLabel="Remove"
                    small
                    busy={action.busy}
                    onConfirm={() => {
                      remove(a);
                    }}
                  />
                </div>
              </td>
            </tr>
          );
        }}
      />
    </>
  );
}

export function AccountForm(props: {
  readonly api: DdnsApi;
  readonly providers: readonly ProviderItem[];
  /** null: a new account. */
  readonly account: AccountItem | null;
  readonly onDone: () => void;
  readonly onCancel: () => void;
}) {
  const editing = props.account;
  const initialProvider =
    props.providers.find((p) => p.kind === (editing?.kind ?? 'dyndns2')) ?? props.providers[0];
  const [draft, setDraft] = useState<AccountDraft | undefined>(() =>
    initialProvider === undefined ? undefined : accountDraftOf(initialProvider, editing ?? undefined),
  );
  const [zone, setZone] = useState('');
  const action = useAction({ 'ddns.duplicate': 'name' });
  const testing = useAction();
  const [tested, setTested] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const provider = props.providers.find((p) => p.kind === draft?.kind);
  if (draft === undefined || provider === undefined)
    return <Notice kind="warning">This server offers no DNS providers.</Notice>;

  const setValue = (name: string) => (value: string) => {
    setDraft((d) => (d === undefined ? d : { ...d, values: { ...d.values, [name]: value } }));
  };
  const chooseKind = (kind: string) => {
    const next = props.providers.find((p) => p.kind === kind);
    if (next === undefined) return;
    setTested(undefined);
    // Nothing typed for one provider carries over to another, secrets least of all.
    setDraft({ ...accountDraftOf(next), name: draft.name });
  };
  const accounts = props.api.ddns.accounts;
  const submit = (e: Event) => {
    e.preventDefault();
    testing.clearError();
    void action
      .run(async () => {
        if (editing === null) {
          await expectOk(accounts.$post({ json: checked(newAccountOf(provider, draft)) }));
        } else {
          await expectOk(
            accounts[':id'].$patch({
              param: { id: editing.id },
              json: checked(accountPatchOf(provider, editing, draft)),
            }),
          );
        }
      })
      .then((ok) => {
        if (ok) props.onDone();
      });
  };
  const test = () => {
    action.clearError();
    setTested(undefined);
    void testing.run(async () => {
      const body = checked(newAccountOf(provider, draft));
      const z = zone.trim();
      try {
        const r = await expectOk(accounts.test.$post({ json: z === '' ? body : { ...body, zone: z } }));
        setTested({
          ok: true,
          text: `Test passed. ${sentence(r.detail)} Nothing is saved yet.`,
        });
      } catch (e) {
        // The provider's refusal is the answer to show; a problem with a field shows beside it instead.
        if (!(e instanceof ApiError) || e.status !== 422) throw e;
        setTested({ ok: false, text: `${e.message} Nothing is saved yet.` });
      }
    });
  };
  const fields = { ...action.fields, ...testing.fields };
  const problem = (path: string): string | undefined => {
    const m = fields[path];
    return m === undefined ? undefined : plainProblem(path, m);
  };
  const shown = ['name', 'kind', 'zone', ...provider.fields.map(fieldPath)];
  const generalError = action.errorBesides(shown) ?? testing.errorBesides(shown);
  return (
    <section class="subform" aria-label={editing === null ? 'New provider account' : `Edit ${editing.name}`}>
      <form onSubmit={submit} class="stack form-inline" noValidate>
        {editing === null ? (
          <SelectField
            label="Provider"
            value={draft.kind}
            onValue={chooseKind}
            options={props.providers.map((p) => ({ value: p.kind, label: p.label }))}
            error={problem('kind')}
            hint={
              <>
                How Gatehouse talks to it:{' '}
                <a href={provider.docsUrl} target="_blank" rel="noreferrer noopener">
                  the provider’s documentation
                </a>
                .
              </>
            }
          />
        ) : (
          <p>
            Provider: <span class="strong">{editing.provider}</span>
          </p>
        )}
        {editing?.stopped ? (
          <Notice kind="warning">
            Stopped: {editing.stopped.message}. Enter new credentials below; saving resumes the account.
          </Notice>
        ) : null}
        <Field
          label="Account name"
          value={draft.name}
          onValue={(name) => {
            setDraft({ ...draft, name });
          }}
          required
          maxLength={64}
          hint="Your name for it, e.g. “Home zone”."
          error={problem('name')}
        />
        {provider.fields.map((f) => (
          <Field
            key={`${provider.kind}-${f.name}`}
            label={f.label}
            name={f.name}
            type={f.secret ? 'password' : 'text'}
            autocomplete={f.secret ? 'new-password' : 'off'}
            value={draft.values[f.name] ?? ''}
            onValue={setValue(f.name)}
            required={f.optional !== true && !(f.secret && editing !== null)}
            maxLength={f.secret ? 8192 : 2048}
            hint={fieldHint(f, editing !== null)}
            error={problem(fieldPath(f))}
          />
        ))}
        {editing === null ? (
          <Field
            label="Zone to check (optional)"
            value={zone}
            onValue={setZone}
            maxLength={253}
            hint="With a zone, the test also checks the credentials may change it, e.g. example.com."
            error={problem('zone')}
          />
        ) : null}
        <ErrorNotice message={generalError} />
        <div class="row">
          <SubmitButton busy={action.busy}>{editing === null ? 'Add account' : 'Save'}</SubmitButton>
          {editing === null ? (
            <button
              type="button"
              class="button button--secondary"
              onClick={test}
              disabled={testing.busy}
              aria-busy={testing.busy}
            >
              {testing.busy ? 'Testing…' : 'Test credentials'}
            </button>
          ) : null}
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
        {tested === undefined ? null : (
          <Notice kind={tested.ok ? 'success' : 'error'} testId="form-test-result">
            {tested.text}
          </Notice>
        )}
      </form>
    </section>
  );
}

/**
 * @module The DDNS records: each hostname with where its value comes from, the applied and desired value, the last
 * result and how soon the authoritative servers served it; on/off and remove; the form that adds one.
 */
import { useState } from 'preact/hooks';
import { expectOk, fieldProblem } from '../../api.js';
import { DataTable, RowButton } from '../../components/table.js';
import { ConfirmButton, ErrorNotice, Field, SelectField, SubmitButton } from '../../components/ui.js';
import { formatDateTime } from '../../format.js';
import { useAction } from '../../hooks.js';
import type { AccountItem, DdnsApi, RecordItem, RecordType } from './api.js';
import {
  emptyRecordDraft,
  lastResultOf,
  newRecordOf,
  plainProblem,
  propagationWords,
  valueSourceWords,
  type Checked,
  type RecordDraft,
  type Tone,
  type ValueKind,
} from './model.js';

const badgeClass: Record<Tone, string> = {
  ok: 'badge badge--ok',
  warning: 'badge badge--warning',
  error: 'badge badge--error',
  unknown: 'badge',
};

const typeOptions: readonly { value: RecordType; label: string }[] = [
  { value: 'A', label: 'A (IPv4)' },
  { value: 'AAAA', label: 'AAAA (IPv6)' },
];

const valueOptions: readonly { value: ValueKind; label: string }[] = [
  { value: 'public', label: 'This box’s public address' },
  { value: 'fixed', label: 'A fixed address' },
  { value: 'ipv6-host', label: 'A device behind the IPv6 prefix (AAAA)' },
];

const dateOf = (iso: string) => formatDateTime(iso, { seconds: true });

export function RecordTable(props: {
  readonly api: DdnsApi;
  readonly records: readonly RecordItem[];
  readonly accounts: readonly AccountItem[];
  readonly onChanged: () => void;
}) {
  const action = useAction();
  const records = props.api.ddns.records;
  const run = (task: () => Promise<unknown>) => {
    void action
      .run(async () => {
        await task();
      })
      .then((ok) => {
        if (ok) props.onChanged();
      });
  };
  return (
    <>
      <ErrorNotice message={action.error} />
      <DataTable
        columns={['Hostname', 'Value from', 'Applied', 'Desired', 'Last result']}
        actions
        cards
        caption="DDNS records"
        rows={props.records}
        row={(r) => {
          const result = lastResultOf(r, dateOf);
          const s = r.state;
          const served = propagationWords(s?.propagationMs);
          const account = props.accounts.find((a) => a.id === r.accountId);
          const name = `${r.hostname} ${r.type}`;
          return (
            <tr key={r.id} data-testid={`record-${r.hostname}-${r.type}`}>
              <td class="strong">
                {r.hostname} <span class="muted">{r.type}</span>
                {r.enabled ? null : <span class="badge badge--inline">off</span>}
                <div class="hint">
                  {account?.name ?? 'missing account'} · TTL {r.ttl} s
                </div>
              </td>
              <td data-label="Value from">{valueSourceWords(r.value)}</td>
              <td data-label="Applied">
                {/* One child per cell: on a phone each child of a card's cell would take a grid cell of its own. */}
                <div>
                  {s?.applied ? <code>{s.applied}</code> : <span class="muted">none yet</span>}
                  {served === undefined ? null : <div class="hint">{served}</div>}
                </div>
              </td>
              <td data-label="Desired">
                {s?.desired ? <code>{s.desired}</code> : <span class="muted">unknown</span>}
              </td>
              <td data-label="Last result">
                <div>
                  <span class={badgeClass[result.tone]}>{result.label}</span>
                  {result.detail === undefined ? null : <div class="hint">{result.detail}</div>}
                  {s?.lastAttempt ? (
                    <div class="hint">
                      <time dateTime={s.lastAttempt.at}>{dateOf(s.lastAttempt.at)}</time>
                    </div>
                  ) : null}
                </div>
              </td>
              <td class="actions">
                <div class="row">
                  <RowButton
                    label={`${r.enabled ? 'Turn off' : 'Turn on'} ${name}`}
                    busy={action.busy}
                    onClick={() => {
                      run(() =>
                        expectOk(
                          records[':id'].$patch({ param: { id: r.id }, json: { enabled: !r.enabled } }),
                        ),
                      );
                    }}
                  >
                    {r.enabled ? 'Turn off' : 'Turn on'}
                  </RowButton>
                  <ConfirmButton
                    label="Remove"
                    accessibleLabel={`Remove ${name}`}
                    question={`Stop managing ${name}? The record at the provider stays as it is.`}
                    confirmLabel="Remove"
                    small
                    busy={action.busy}
                    onConfirm={() => {
                      run(() => expectOk(records[':id'].$delete({ param: { id: r.id } })));
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

const recordFields = [
  'hostname',
  'type',
  'accountId',
  'value.kind',
  'value.address',
  'value.suffix',
  'ttl',
  'zone',
];

export function RecordForm(props: {
  readonly api: DdnsApi;
  readonly accounts: readonly AccountItem[];
  readonly onDone: () => void;
  readonly onCancel: () => void;
}) {
  const [draft, setDraft] = useState<RecordDraft>(() => emptyRecordDraft(props.accounts[0]?.id ?? ''));
  const action = useAction({ 'ddns.account-not-found': 'accountId', 'ddns.duplicate': 'hostname' });
  const set =
    <K extends keyof RecordDraft>(key: K) =>
    (value: RecordDraft[K]) => {
      setDraft((d) => ({ ...d, [key]: value }));
    };
  const bind = <K extends keyof RecordDraft>(key: K) => ({ value: draft[key], onValue: set(key) });
  const problem = (path: string) => {
    const m = action.fields[path];
    return m === undefined ? undefined : plainProblem(path, m);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void action
      .run(async () => {
        await expectOk(props.api.ddns.records.$post({ json: checked(newRecordOf(draft)) }));
      })
      .then((ok) => {
        if (ok) props.onDone();
      });
  };
  const accountOptions = props.accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.provider})` }));
  return (
    <section class="subform" aria-label="New record">
      <form onSubmit={submit} class="stack form-inline" noValidate>
        <Field
          label="Hostname"
          {...bind('hostname')}
          required
          maxLength={253}
          hint="e.g. home.example.com"
          error={problem('hostname') ?? problem('zone')}
        />
        <SelectField label="Type" {...bind('type')} options={typeOptions} error={problem('type')} />
        <SelectField
          label="Account"
          {...bind('accountId')}
          options={accountOptions}
          error={problem('accountId')}
        />
        <SelectField
          label="Value"
          {...bind('valueKind')}
          options={valueOptions}
          error={problem('value.kind')}
        />
        {draft.valueKind === 'fixed' ? (
          <Field
            label="Address"
            {...bind('address')}
            required
            maxLength={45}
            hint={draft.type === 'A' ? 'e.g. 203.0.113.7' : 'e.g. 2001:db8::7'}
            error={problem('value.address')}
          />
        ) : null}
        {draft.valueKind === 'ipv6-host' ? (
          <Field
            label="Interface identifier"
            {...bind('suffix')}
            required
            maxLength={45}
            hint="The last 64 bits of the device’s address, e.g. ::211:32ff:fe12:3456. The box’s prefix goes in front."
            error={problem('value.suffix')}
          />
        ) : null}
        <Field
          label="TTL (seconds)"
          {...bind('ttl')}
          required
          inputMode="numeric"
          pattern="[0-9]{1,5}"
          error={problem('ttl')}
        />
        <ErrorNotice message={action.errorBesides(recordFields)} />
        <div class="row">
          <SubmitButton busy={action.busy}>Add record</SubmitButton>
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/** The body a check produced, or its problem thrown so that the form shows it beside its field. */
export function checked<T>(result: Checked<T>): T {
  if (!result.ok) throw fieldProblem(result.field, result.message);
  return result.body;
}

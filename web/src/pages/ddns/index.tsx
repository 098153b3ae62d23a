/**
 * @module DDNS: the records with their applied and desired values, the last result and how soon the authoritative
 * servers served a change; "Update now" and what it did; the provider accounts and their forms; the history; the
 * routers and clients that push their address to this box (clients.tsx).
 */
import { useCallback, useMemo, useState } from 'preact/hooks';
import { expectOk, type GatehouseClient } from '../../api.js';
import { DataTable, LoggedAtCell, OutcomeBadge } from '../../components/table.js';
import { ActionButton, ErrorNotice, Loading, Notice, PageTitle, Panel } from '../../components/ui.js';
import { formatDateTime } from '../../format.js';
import { useAction, useInterval, useLoad, type Loaded } from '../../hooks.js';
import { AccountForm, AccountTable } from './accounts.js';
import { ClientsPanel } from './clients.js';
import { connectDdns, type AccountItem, type HistoryEntry, type Overview, type Run } from './api.js';
import { changeWords, newestFirst, propagationWords, runWords } from './model.js';
import { RecordForm, RecordTable } from './records.js';

/** Retries and verifications finish on their own; look again now and then. */
const refreshMs = 30_000;

export function DdnsPage(props: { readonly client: GatehouseClient }) {
  const api = useMemo(() => connectDdns(props.client), [props.client]);
  const { ddns } = api;
  const loadOverview = useCallback(() => expectOk(ddns.$get()), [ddns]);
  const loadHistory = useCallback(() => expectOk(ddns.history.$get()), [ddns]);
  const overview = useLoad(loadOverview);
  const history = useLoad(loadHistory);
  /** Counts Refresh presses and timer ticks, so the clients' list (its own load) follows them too. */
  const [refreshes, setRefreshes] = useState(0);
  const reload = useCallback(() => {
    overview.reload();
    history.reload();
    setRefreshes((n) => n + 1);
  }, [overview, history]);
  useInterval(reload, refreshMs);
  const update = useAction();
  const [runs, setRuns] = useState<readonly Run[] | undefined>(undefined);
  const updateNow = () => {
    setRuns(undefined);
    void update
      .run(async () => {
        setRuns(await expectOk(ddns.update.$post()));
      })
      .then(reload);
  };
  return (
    <>
      <PageTitle title="DDNS">
        <button type="button" class="button button--secondary" onClick={reload}>
          Refresh
        </button>
        <ActionButton busy={update.busy} onClick={updateNow} testId="ddns-update-now">
          {update.busy ? 'Updating…' : 'Update now'}
        </ActionButton>
      </PageTitle>
      <p class="lead">
        Gatehouse keeps these hostnames pointed at this box: when the public address changes it updates each
        record at its provider, then asks the zone’s authoritative servers until they serve the new value.
      </p>
      <div role="status">
        {update.busy ? <p>Updating: asking the providers and the authoritative servers…</p> : null}
      </div>
      <ErrorNotice message={update.error} />
      {runs === undefined ? null : <RunReport runs={runs} />}
      {overview.result.state === 'loading' ? <Loading what="DDNS records" /> : null}
      {overview.result.state === 'error' ? <ErrorNotice message={overview.result.message} /> : null}
      {overview.result.state === 'ready' ? (
        <DdnsView api={api} data={overview.result.data} onChanged={reload} history={history.result} />
      ) : null}
      {/* Apart from the overview (it never goes back to loading): a failed refresh keeps a new password shown. */}
      {overview.result.state === 'loading' ? null : <ClientsPanel api={api} refreshes={refreshes} />}
    </>
  );
}

function RunReport(props: { readonly runs: readonly Run[] }) {
  if (props.runs.length === 0) return <Notice kind="info">No records to update.</Notice>;
  const words = props.runs.map((r) => runWords(r, (iso) => formatDateTime(iso, { seconds: true })));
  const worst = words.some((w) => w.tone === 'error')
    ? 'error'
    : words.some((w) => w.tone === 'warning')
      ? 'warning'
      : 'success';
  return (
    <Notice kind={worst} testId="ddns-update-result">
      <p class="strong">Update done:</p>
      <ul>
        {props.runs.map((r, i) => (
          <li key={r.recordId}>{words[i]?.text}</li>
        ))}
      </ul>
    </Notice>
  );
}

function DdnsView(props: {
  readonly api: ReturnType<typeof connectDdns>;
  readonly data: Overview;
  readonly history: Loaded<readonly HistoryEntry[]>;
  readonly onChanged: () => void;
}) {
  const { records, accounts, providers, current } = props.data;
  const [addingRecord, setAddingRecord] = useState(false);
  /** undefined: no form; null: adding; an account: editing it. */
  const [editingAccount, setEditingAccount] = useState<AccountItem | null | undefined>(undefined);
  return (
    <>
      <Panel
        title="Records"
        testId="ddns-records"
        actions={
          addingRecord ? undefined : (
            <button
              type="button"
              class="button button--primary button--small"
              onClick={() => {
                setAddingRecord(true);
              }}
            >
              Add record
            </button>
          )
        }
      >
        <p class="hint">
          This box’s public addresses now: IPv4 {current.ipv4 ?? 'unknown'}, IPv6 {current.ipv6 ?? 'unknown'}.
        </p>
        {addingRecord ? (
          accounts.length === 0 ? (
            <Notice kind="info">Add a provider account first: each record is kept through one.</Notice>
          ) : (
            <RecordForm
              api={props.api}
              accounts={accounts}
              onDone={() => {
                setAddingRecord(false);
                props.onChanged();
              }}
              onCancel={() => {
                setAddingRecord(false);
              }}
            />
          )
        ) : null}
        {records.length === 0 ? (
          <p class="muted">No records yet.</p>
        ) : (
          <RecordTable api={props.api} records={records} accounts={accounts} onChanged={props.onChanged} />
        )}
        <details class="stack" data-testid="ddns-history">
          <summary>History of changes at the providers</summary>
          <HistoryView history={props.history} />
        </details>
      </Panel>
      <Panel
        title="Provider accounts"
        testId="ddns-accounts"
        actions={
          editingAccount === undefined ? (
            <button
              type="button"
              class="button button--primary button--small"
              onClick={() => {
                setEditingAccount(null);
              }}
            >
              Add account
            </button>
          ) : undefined
        }
      >
        {editingAccount === undefined ? null : (
          <AccountForm
            key={editingAccount?.id ?? 'new'}
            api={props.api}
            providers={providers}
            account={editingAccount}
            onDone={() => {
              setEditingAccount(undefined);
              props.onChanged();
            }}
            onCancel={() => {
              setEditingAccount(undefined);
            }}
          />
        )}
        {accounts.length === 0 ? (
          <p class="muted">No provider accounts yet.</p>
        ) : (
          <AccountTable
            api={props.api}
            accounts={accounts}
            providers={providers}
            onEdit={setEditingAccount}
            onChanged={props.onChanged}
          />
        )}
      </Panel>
    </>
  );
}

function HistoryView(props: { readonly history: Loaded<readonly HistoryEntry[]> }) {
  const h = props.history;
  if (h.state === 'loading') return <Loading what="history" />;
  if (h.state === 'error') return <ErrorNotice message={h.message} />;
  return (
    <DataTable
      columns={['Time', 'Record', 'Change', 'Result']}
      cards
      caption="DDNS history, newest first"
      empty="No changes made yet."
      rows={newestFirst(h.data)}
      row={(e, i) => {
        const served = propagationWords(e.propagationMs);
        return (
          <tr key={`${e.at}-${e.recordId}-${i}`} class={e.ok ? undefined : 'row--failure'}>
            <LoggedAtCell at={e.at} />
            <td data-label="Record">
              <span>
                {e.hostname} <span class="muted">{e.type}</span>
              </span>
            </td>
            <td data-label="Change">
              <code>{changeWords(e)}</code>
            </td>
            <td data-label="Result">
              <span>
                <OutcomeBadge ok={e.ok}>{e.ok ? 'done' : 'failed'}</OutcomeBadge>
                {e.message === '' ? null : <span class="hint delivery-error">{e.message}</span>}
                {served === undefined ? null : <span class="hint delivery-error">{served}</span>}
              </span>
            </td>
          </tr>
        );
      }}
    />
  );
}

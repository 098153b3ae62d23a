/** @module Alerts: what is wrong now (acknowledge), what was, where notifications go (channels, test), and how that went. */
import { useCallback, useState } from 'preact/hooks';
import { expectOk, type OkBody } from '../api.js';
import {
  announceAlertsChanged,
  type AlertItem,
  type AlertsApi,
  type AlertsClient,
} from '../components/alert-banner.js';
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
import { formatDateTime, formatDetails, formatRelative } from '../format.js';
import { useAction, useLoad } from '../hooks.js';

type Channels = AlertsApi['alerts']['channels'];
type ChannelItem = OkBody<Awaited<ReturnType<Channels['$get']>>>['channels'][number];
type NewChannelJson = Parameters<Channels['$post']>[0]['json'];
type ChannelPatchJson = Parameters<Channels[':id']['$patch']>[0]['json'];
type Delivery = OkBody<Awaited<ReturnType<AlertsApi['alerts']['deliveries']['$get']>>>['deliveries'][number];
type Kind = ChannelItem['target']['kind'];
type Severity = ChannelItem['minSeverity'];
type Security = 'tls' | 'starttls' | 'none';
/** For a write-only secret while editing: keep the stored one, replace it, or (where allowed) have none. */
type SecretMode = 'keep' | 'set' | 'none';

const kindOptions: readonly { value: Kind; label: string }[] = [
  { value: 'ntfy', label: 'ntfy' },
  { value: 'gotify', label: 'Gotify' },
  { value: 'discord', label: 'Discord webhook' },
  { value: 'slack', label: 'Slack (or compatible) webhook' },
  { value: 'webhook', label: 'Webhook (JSON, signed)' },
  { value: 'email', label: 'Email (SMTP)' },
];

const severityOptions: readonly { value: Severity; label: string }[] = [
  { value: 'info', label: 'Everything (info and up)' },
  { value: 'warning', label: 'Warnings and critical' },
  { value: 'critical', label: 'Critical only' },
];

const securityOptions: readonly { value: Security; label: string }[] = [
  { value: 'starttls', label: 'STARTTLS, required (usually port 587)' },
  { value: 'tls', label: 'TLS from the start (usually port 465)' },
  { value: 'none', label: 'None: plain text on a trusted network (port 25)' },
];

const enabledOptions: readonly { value: 'yes' | 'no'; label: string }[] = [
  { value: 'yes', label: 'On' },
  { value: 'no', label: 'Off (the test button still works)' },
];

const severityBadge: Record<Severity, string> = { critical: 'error', warning: 'warning', info: 'unknown' };

export function AlertsPage(props: { readonly client: AlertsClient }) {
  const { alerts } = props.client.api;
  const loadAlerts = useCallback(() => expectOk(alerts.$get()), [alerts]);
  const loadDeliveries = useCallback(() => expectOk(alerts.deliveries.$get()), [alerts]);
  const list = useLoad(loadAlerts);
  const deliveries = useLoad(loadDeliveries);
  return (
    <>
      <PageTitle title="Alerts">
        <button
          type="button"
          class="button button--secondary"
          onClick={() => {
            list.reload();
            deliveries.reload();
          }}
        >
          Refresh
        </button>
      </PageTitle>
      <p class="lead">
        Gatehouse raises an alert when something stops the outside world from reaching this box, and sends it
        to the channels below. An alert stays here until its cause is gone; acknowledging it hides the banner.
      </p>
      <Panel title="Active" testId="alerts-active">
        {list.result.state === 'loading' ? <Loading what="alerts" /> : null}
        {list.result.state === 'error' ? <ErrorNotice message={list.result.message} /> : null}
        {list.result.state === 'ready' ? (
          list.result.data.active.length === 0 ? (
            <p class="muted">Nothing is wrong right now.</p>
          ) : (
            <AlertTable
              client={props.client}
              alerts={list.result.data.active}
              onAcknowledged={() => {
                list.reload();
                announceAlertsChanged();
              }}
            />
          )
        ) : null}
      </Panel>
      {list.result.state === 'ready' && list.result.data.recent.length > 0 ? (
        <Panel title="Recently cleared">
          <AlertTable client={props.client} alerts={list.result.data.recent} />
        </Panel>
      ) : null}
      <ChannelsPanel client={props.client} onTested={deliveries.reload} />
      <Panel title="Deliveries" testId="alerts-deliveries">
        {deliveries.result.state === 'loading' ? <Loading what="deliveries" /> : null}
        {deliveries.result.state === 'error' ? <ErrorNotice message={deliveries.result.message} /> : null}
        {deliveries.result.state === 'ready' ? (
          <DeliveryTable deliveries={deliveries.result.data.deliveries} />
        ) : null}
      </Panel>
    </>
  );
}

function AlertTable(props: {
  readonly client: AlertsClient;
  readonly alerts: readonly AlertItem[];
  /** Present for active alerts: offers the Acknowledge button. */
  readonly onAcknowledged?: () => void;
}) {
  const action = useAction();
  const now = new Date();
  const acknowledge = (a: AlertItem) => {
    void action
      .run(async () => {
        await expectOk(props.client.api.alerts[':id'].acknowledge.$post({ param: { id: a.id } }));
      })
      .then((ok) => {
        if (ok) props.onAcknowledged?.();
      });
  };
  return (
    <>
      <ErrorNotice message={action.error} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Alert</th>
              <th scope="col">Since</th>
              <th scope="col">{props.onAcknowledged ? 'Seen' : 'Cleared'}</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.alerts.map((a) => (
              <tr key={a.id} data-testid={`alert-${a.rule}`}>
                <td>
                  <span class={`badge badge--${severityBadge[a.severity]}`}>{a.severity}</span>
                </td>
                <td>
                  <strong>{a.title}</strong>
                  <p>{a.message}</p>
                  {a.remedy === null ? null : <p class="hint">What to do: {a.remedy}</p>}
                  {Object.keys(a.details).length === 0 ? null : (
                    <p class="hint">
                      <code>{formatDetails(a.details)}</code>
                    </p>
                  )}
                </td>
                <td class="nowrap">
                  <time dateTime={a.raisedAt} title={formatDateTime(a.raisedAt)}>
                    {formatRelative(a.raisedAt, now)}
                  </time>
                </td>
                <td class="nowrap">
                  {props.onAcknowledged ? (
                    <>
                      {a.occurrences === 1 ? 'once' : `${a.occurrences} times`}, last{' '}
                      {formatRelative(a.lastSeenAt, now)}
                    </>
                  ) : a.clearedAt === null ? null : (
                    formatDateTime(a.clearedAt)
                  )}
                </td>
                <td class="actions">
                  {props.onAcknowledged && a.acknowledgedAt === null ? (
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      disabled={action.busy}
                      aria-label={`Acknowledge ${a.title}`}
                      onClick={() => {
                        acknowledge(a);
                      }}
                    >
                      Acknowledge
                    </button>
                  ) : a.acknowledgedAt === null ? null : (
                    <span class="muted">acknowledged</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function ChannelsPanel(props: { readonly client: AlertsClient; readonly onTested: () => void }) {
  const { channels } = props.client.api.alerts;
  const load = useCallback(() => expectOk(channels.$get()), [channels]);
  const { result, reload } = useLoad(load);
  /** undefined: no form; null: adding; a channel: editing it. */
  const [editing, setEditing] = useState<ChannelItem | null | undefined>(undefined);
  const done = () => {
    setEditing(undefined);
    reload();
  };
  return (
    <Panel
      title="Channels"
      testId="alerts-channels"
      actions={
        editing === undefined ? (
          <button
            type="button"
            class="button button--primary button--small"
            onClick={() => {
              setEditing(null);
            }}
          >
            Add channel
          </button>
        ) : undefined
      }
    >
      {editing === undefined ? null : (
        <ChannelForm
          key={editing?.id ?? 'new'}
          client={props.client}
          channel={editing}
          onDone={done}
          onCancel={() => {
            setEditing(undefined);
          }}
        />
      )}
      {result.state === 'loading' ? <Loading what="channels" /> : null}
      {result.state === 'error' ? <ErrorNotice message={result.message} /> : null}
      {result.state === 'ready' ? (
        result.data.channels.length === 0 ? (
          <p class="muted">No channels yet: alerts show only here until you add one.</p>
        ) : (
          <ChannelTable
            client={props.client}
            channels={result.data.channels}
            onEdit={setEditing}
            onDeleted={reload}
            onTested={props.onTested}
          />
        )
      ) : null}
    </Panel>
  );
}

function describeTarget(t: ChannelItem['target']): string {
  switch (t.kind) {
    case 'email':
      return `${t.to.join(', ')} via ${t.host}:${t.port}`;
    case 'webhook':
    case 'ntfy':
    case 'gotify':
    case 'discord':
    case 'slack':
      return t.urlHint;
  }
}

function ChannelTable(props: {
  readonly client: AlertsClient;
  readonly channels: readonly ChannelItem[];
  readonly onEdit: (c: ChannelItem) => void;
  readonly onDeleted: () => void;
  readonly onTested: () => void;
}) {
  const action = useAction();
  const [tests, setTests] = useState<Readonly<Record<string, { ok: boolean; error: string | null }>>>({});
  const { channels } = props.client.api.alerts;
  const test = (c: ChannelItem) => {
    void action.run(async () => {
      const outcome = await expectOk(channels[':id'].test.$post({ param: { id: c.id } }));
      setTests((t) => ({ ...t, [c.id]: outcome }));
      props.onTested();
    });
  };
  const remove = (c: ChannelItem) => {
    void action
      .run(async () => {
        await expectOk(channels[':id'].$delete({ param: { id: c.id } }));
      })
      .then((ok) => {
        if (ok) props.onDeleted();
      });
  };
  return (
    <>
      <ErrorNotice message={action.error} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Sends to</th>
              <th scope="col">Alerts</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.channels.map((c) => {
              const tested = tests[c.id];
              return (
                <tr key={c.id} data-testid={`channel-${c.name}`}>
                  <td>
                    {c.name}
                    {c.enabled ? null : <span class="badge badge--inline">off</span>}
                  </td>
                  <td>{kindOptions.find((k) => k.value === c.target.kind)?.label ?? c.target.kind}</td>
                  <td>
                    <code>{describeTarget(c.target)}</code>
                    {tested === undefined ? null : (
                      <Notice kind={tested.ok ? 'success' : 'error'}>
                        {tested.ok ? 'Test delivered.' : `Test failed: ${tested.error ?? 'unknown error'}`}
                      </Notice>
                    )}
                  </td>
                  <td>{severityOptions.find((s) => s.value === c.minSeverity)?.label}</td>
                  <td class="actions">
                    <div class="row">
                      <button
                        type="button"
                        class="button button--secondary button--small"
                        disabled={action.busy}
                        aria-label={`Send a test to ${c.name}`}
                        onClick={() => {
                          test(c);
                        }}
                      >
                        Test
                      </button>
                      <button
                        type="button"
                        class="button button--secondary button--small"
                        aria-label={`Edit ${c.name}`}
                        onClick={() => {
                          props.onEdit(c);
                        }}
                      >
                        Edit
                      </button>
                      <ConfirmButton
                        label="Delete"
                        accessibleLabel={`Delete ${c.name}`}
                        question={`Delete “${c.name}”? It gets no more alerts.`}
                        confirmLabel="Delete"
                        busy={action.busy}
                        onConfirm={() => {
                          remove(c);
                        }}
                      />
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

interface Draft {
  readonly name: string;
  readonly kind: Kind;
  readonly enabled: 'yes' | 'no';
  readonly minSeverity: Severity;
  readonly url: string;
  readonly secret: string;
  readonly secretMode: SecretMode;
  readonly host: string;
  readonly port: string;
  readonly security: Security;
  readonly username: string;
  readonly from: string;
  readonly to: string;
}

function draftOf(c: ChannelItem | null): Draft {
  const t = c?.target;
  return {
    name: c?.name ?? '',
    kind: t?.kind ?? 'ntfy',
    enabled: c === null || c.enabled ? 'yes' : 'no',
    minSeverity: c?.minSeverity ?? 'warning',
    // URLs and secrets are write-only: editing starts empty, and empty means "keep".
    url: '',
    secret: '',
    secretMode: c === null ? 'set' : 'keep',
    host: t?.kind === 'email' ? t.host : '',
    port: t?.kind === 'email' ? String(t.port) : '587',
    security: t?.kind === 'email' ? t.security : 'starttls',
    username: t?.kind === 'email' ? (t.username ?? '') : '',
    from: t?.kind === 'email' ? t.from : '',
    to: t?.kind === 'email' ? t.to.join(', ') : '',
  };
}

/** A random secret for signed webhooks: 32 URL-safe characters (192 bits). */
function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
}

const orUndefined = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());

/** The secret as an edit sends it: left out to keep, null for none, else the new value. */
function secretOf(d: Draft): string | null | undefined {
  if (d.secretMode === 'none') return null;
  if (d.secretMode === 'keep') return undefined;
  return d.secret;
}

function emailFields(d: Draft) {
  return {
    kind: 'email' as const,
    host: d.host.trim(),
    port: Number(d.port),
    security: d.security,
    username: orUndefined(d.username) ?? null,
    from: d.from.trim(),
    to: d.to
      .split(/[\s,;]+/)
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  };
}

function newTarget(d: Draft): NewChannelJson['target'] {
  const url = d.url.trim();
  switch (d.kind) {
    case 'webhook':
      return { kind: 'webhook', url, secret: d.secret };
    case 'ntfy':
      return { kind: 'ntfy', url, token: orUndefined(d.secret) ?? null };
    case 'gotify':
      return { kind: 'gotify', url, token: d.secret.trim() };
    case 'discord':
    case 'slack':
      return { kind: d.kind, url };
    case 'email':
      return { ...emailFields(d), password: d.secret === '' ? null : d.secret };
  }
}

function patchTarget(d: Draft): NonNullable<ChannelPatchJson['target']> {
  const url = orUndefined(d.url);
  const secret = secretOf(d);
  switch (d.kind) {
    case 'webhook':
      return { kind: 'webhook', url, secret: secret ?? undefined };
    case 'ntfy':
      return { kind: 'ntfy', url, token: secret };
    case 'gotify':
      return { kind: 'gotify', url, token: secret ?? undefined };
    case 'discord':
    case 'slack':
      return { kind: d.kind, url };
    case 'email':
      return { ...emailFields(d), password: secret };
  }
}

/** What the secret of each kind is called, and whether a channel may have none. */
const secretField: Record<Kind, { label: string; optional: boolean } | undefined> = {
  webhook: { label: 'Signing secret', optional: false },
  ntfy: { label: 'Access token', optional: true },
  gotify: { label: 'Application token', optional: false },
  discord: undefined,
  slack: undefined,
  email: { label: 'SMTP password', optional: true },
};

const urlLabel: Record<Exclude<Kind, 'email'>, { label: string; hint: string }> = {
  ntfy: { label: 'Topic URL', hint: 'e.g. https://ntfy.sh/a-topic-nobody-guesses' },
  gotify: { label: 'Server URL', hint: 'e.g. https://gotify.example.net' },
  discord: { label: 'Webhook URL', hint: 'Channel settings → Integrations → Webhooks → Copy Webhook URL' },
  slack: { label: 'Webhook URL', hint: 'An incoming webhook: https://hooks.slack.com/services/…' },
  webhook: { label: 'URL', hint: 'Receives a signed JSON POST (header X-Gatehouse-Signature).' },
};

function ChannelForm(props: {
  readonly client: AlertsClient;
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
  // A different kind or server stores nothing of the old secret: ask for it.
  const kindChanged = editing !== null && editing.target.kind !== draft.kind;
  const secret = secretField[draft.kind];
  const hadSecret =
    editing !== null &&
    !kindChanged &&
    (('hasSecret' in editing.target && editing.target.hasSecret) ||
      ('hasToken' in editing.target && editing.target.hasToken) ||
      ('hasPassword' in editing.target && editing.target.hasPassword));
  const secretModes: { value: SecretMode; label: string }[] = [
    ...(hadSecret ? [{ value: 'keep' as const, label: 'Keep the stored one' }] : []),
    { value: 'set', label: hadSecret ? 'Replace it' : 'Set one' },
    ...(secret?.optional ? [{ value: 'none' as const, label: 'None' }] : []),
  ];
  const secretMode = secretModes.some((m) => m.value === draft.secretMode)
    ? draft.secretMode
    : (secretModes[0]?.value ?? 'set');

  const submit = (e: Event) => {
    e.preventDefault();
    const d: Draft = { ...draft, secretMode };
    void action.run(async () => {
      const { channels } = props.client.api.alerts;
      const common = { name: d.name.trim(), enabled: d.enabled === 'yes', minSeverity: d.minSeverity };
      if (editing === null) {
        await expectOk(channels.$post({ json: { ...common, target: newTarget(d) } }));
      } else {
        await expectOk(
          channels[':id'].$patch({ param: { id: editing.id }, json: { ...common, target: patchTarget(d) } }),
        );
      }
      props.onDone();
    });
  };

  const keepHint = editing !== null && !kindChanged ? 'Leave empty to keep the stored one.' : undefined;
  return (
    <section class="subform" aria-label={editing === null ? 'New channel' : `Edit ${editing.name}`}>
      <form onSubmit={submit} class="stack form-inline">
        <Field label="Name" value={draft.name} onValue={set('name')} required maxLength={64} />
        <SelectField label="Kind" value={draft.kind} onValue={set('kind')} options={kindOptions} />
        <SelectField
          label="Send"
          value={draft.minSeverity}
          onValue={set('minSeverity')}
          options={severityOptions}
        />
        <SelectField
          label="Channel"
          value={draft.enabled}
          onValue={set('enabled')}
          options={enabledOptions}
        />
        {draft.kind === 'email' ? (
          <>
            <Field label="SMTP server" value={draft.host} onValue={set('host')} required maxLength={253} />
            <Field
              label="Port"
              value={draft.port}
              onValue={set('port')}
              required
              inputMode="numeric"
              pattern="[0-9]{1,5}"
            />
            <SelectField
              label="Encryption"
              value={draft.security}
              onValue={set('security')}
              options={securityOptions}
            />
            <Field
              label="User name"
              value={draft.username}
              onValue={set('username')}
              autocomplete="off"
              hint="Leave empty if the server takes mail without a login."
            />
            <Field
              label="From"
              value={draft.from}
              onValue={set('from')}
              required
              hint="e.g. gatehouse@example.net"
            />
            <Field
              label="To"
              value={draft.to}
              onValue={set('to')}
              required
              hint="One or more addresses, comma-separated."
            />
          </>
        ) : (
          <Field
            label={urlLabel[draft.kind].label}
            value={draft.url}
            onValue={set('url')}
            required={editing === null || kindChanged}
            maxLength={2048}
            hint={
              editing !== null && !kindChanged && 'urlHint' in editing.target
                ? `Now ${editing.target.urlHint} — leave empty to keep it.`
                : urlLabel[draft.kind].hint
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
                label={secretModes.length > 1 ? `New ${secret.label.toLowerCase()}` : secret.label}
                type={draft.kind === 'webhook' ? 'text' : 'password'}
                autocomplete="new-password"
                value={draft.secret}
                onValue={set('secret')}
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

function DeliveryTable(props: { readonly deliveries: readonly Delivery[] }) {
  if (props.deliveries.length === 0) return <p class="muted">Nothing sent yet.</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Channel</th>
            <th scope="col">Alert</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d, i) => (
            <tr key={`${d.at}-${d.channelId}-${i}`} class={d.ok ? undefined : 'row--failure'}>
              <td class="nowrap">
                <time dateTime={d.at}>{formatDateTime(d.at, { seconds: true })}</time>
              </td>
              <td>{d.channelName ?? <span class="muted">deleted channel</span>}</td>
              <td>{d.alertId === null ? <span class="muted">test</span> : (d.alertTitle ?? d.alertId)}</td>
              <td>
                <span class={`badge badge--${d.ok ? 'ok' : 'error'}`}>{d.ok ? 'delivered' : 'failed'}</span>
                {d.error === null ? null : <p class="hint">{d.error}</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

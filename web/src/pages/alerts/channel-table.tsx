/**
 * @module The channel list: what each sends to and from which severity, how its last delivery went (kept by the
 * server, so it survives a reload), with Test, Edit and Delete. A card per channel on a phone.
 */
import { expectOk } from '../../api.js';
import { DataTable, RowButton } from '../../components/table.js';
import { ConfirmButton, ErrorNotice, RelativeTime } from '../../components/ui.js';
import { useAction } from '../../hooks.js';
import type { AlertsApi, ChannelItem } from './api.js';
import { kindOptions, severityOptions } from './labels.js';

/** Where a channel sends, without its secrets: the API gives a URL only as a hint. */
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

type LastDelivery = NonNullable<ChannelItem['lastDelivery']>;

const eventWords: Record<LastDelivery['event'], string> = {
  test: 'Test',
  raised: 'Alert',
  cleared: '“Cleared” message',
};

/** "Test delivered 5 min ago" / "Alert failed 2 h ago: connection refused by …", in a box of its colour. */
export function LastDeliveryNote(props: { readonly last: ChannelItem['lastDelivery']; readonly now: Date }) {
  const { last } = props;
  if (last === null) return <span class="muted">Nothing sent yet.</span>;
  return (
    <div
      class={`delivery-note delivery-note--${last.ok ? 'ok' : 'error'}`}
      data-testid="last-delivery"
      role="status"
    >
      <span class="strong">
        {eventWords[last.event]} {last.ok ? 'delivered' : 'failed'}
      </span>{' '}
      <RelativeTime at={last.at} now={props.now} />
      {last.ok || last.error === null ? null : <span class="delivery-note__error">{last.error}</span>}
    </div>
  );
}

export function ChannelTable(props: {
  readonly api: AlertsApi;
  readonly channels: readonly ChannelItem[];
  readonly onEdit: (c: ChannelItem) => void;
  readonly onDeleted: () => void;
  /** A test was sent from the list: the channel's last delivery and the delivery log changed. */
  readonly onTested: () => void;
}) {
  const action = useAction();
  const now = new Date();
  const { channels } = props.api.alerts;
  const test = (c: ChannelItem) => {
    void action
      .run(async () => {
        await expectOk(channels[':id'].test.$post({ param: { id: c.id }, json: {} }));
      })
      .then(() => {
        // Also after a failed call: whatever was recorded shows.
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
      <DataTable
        columns={['Name', 'Kind', 'Sends to', 'Alerts', 'Last delivery']}
        actions
        cards
        variant="channels"
        rows={props.channels}
        row={(c) => (
          <tr key={c.id} data-testid={`channel-${c.name}`}>
            <td class="strong">
              {c.name}
              {c.enabled ? null : <span class="badge badge--inline">off</span>}
            </td>
            <td data-label="Kind">
              {kindOptions.find((k) => k.value === c.target.kind)?.label ?? c.target.kind}
            </td>
            <td data-label="Sends to">
              <code>{describeTarget(c.target)}</code>
            </td>
            <td data-label="Alerts">{severityOptions.find((s) => s.value === c.minSeverity)?.label}</td>
            <td data-label="Last delivery">
              <LastDeliveryNote last={c.lastDelivery} now={now} />
            </td>
            <td class="actions">
              <div class="row">
                <RowButton
                  label={`Send a test to ${c.name}`}
                  busy={action.busy}
                  onClick={() => {
                    test(c);
                  }}
                >
                  Test
                </RowButton>
                <RowButton
                  label={`Edit ${c.name}`}
                  onClick={() => {
                    props.onEdit(c);
                  }}
                >
                  Edit
                </RowButton>
                <ConfirmButton
                  label="Delete"
                  accessibleLabel={`Delete ${c.name}`}
                  question={`Delete “${c.name}”? It gets no more alerts.`}
                  confirmLabel="Delete"
                  small
                  busy={action.busy}
                  onConfirm={() => {
                    remove(c);
                  }}
                />
              </div>
            </td>
          </tr>
        )}
      />
    </>
  );
}

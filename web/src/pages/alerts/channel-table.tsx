/** @module The channel list: what each sends to and from which severity, with Test, Edit and Delete. */
import { useState } from 'preact/hooks';
import { expectOk } from '../../api.js';
import { DataTable, RowButton } from '../../components/table.js';
import { ConfirmButton, ErrorNotice, Notice } from '../../components/ui.js';
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

export function ChannelTable(props: {
  readonly api: AlertsApi;
  readonly channels: readonly ChannelItem[];
  readonly onEdit: (c: ChannelItem) => void;
  readonly onDeleted: () => void;
  readonly onTested: () => void;
}) {
  const action = useAction();
  const [tests, setTests] = useState<Readonly<Record<string, { ok: boolean; error: string | null }>>>({});
  const { channels } = props.api.alerts;
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
      <DataTable
        columns={['Name', 'Kind', 'Sends to', 'Alerts']}
        actions
        rows={props.channels}
        row={(c) => {
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
                    busy={action.busy}
                    onConfirm={() => {
                      remove(c);
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

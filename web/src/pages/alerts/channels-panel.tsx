/** @module The notification channels: the list, and the form to add or edit one in place. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { expectOk } from '../../api.js';
import { ErrorNotice, Loading, Panel } from '../../components/ui.js';
import { useLoad } from '../../hooks.js';
import type { AlertsApi, ChannelItem } from './api.js';
import { ChannelForm } from './channel-form.js';
import { ChannelTable } from './channel-table.js';

export function ChannelsPanel(props: {
  readonly api: AlertsApi;
  readonly onTested: () => void;
  /** Changes when the page's Refresh is pressed: the channels' last deliveries are read again too. */
  readonly refreshed: number;
}) {
  const { channels } = props.api.alerts;
  const load = useCallback(() => expectOk(channels.$get()), [channels]);
  const { result, reload } = useLoad(load);
  useEffect(() => {
    if (props.refreshed > 0) reload();
  }, [props.refreshed, reload]);
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
          api={props.api}
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
            api={props.api}
            channels={result.data.channels}
            onEdit={setEditing}
            onDeleted={reload}
            onTested={() => {
              reload();
              props.onTested();
            }}
          />
        )
      ) : null}
    </Panel>
  );
}

/** @module Alerts: what is wrong now (acknowledge), what was, where notifications go (channels, test), and how that went. */
import { useCallback, useMemo, useState } from 'preact/hooks';
import { expectOk, type GatehouseClient } from '../../api.js';
import { ErrorNotice, Loading, PageTitle, Panel } from '../../components/ui.js';
import { useLoad } from '../../hooks.js';
import { AlertTable } from './alert-table.js';
import { connectAlerts } from './api.js';
import { announceAlertsChanged } from './banner.js';
import { ChannelsPanel } from './channels-panel.js';
import { DeliveryTable } from './delivery-table.js';

export function AlertsPage(props: { readonly client: GatehouseClient }) {
  const api = useMemo(() => connectAlerts(props.client), [props.client]);
  const { alerts } = api;
  const loadAlerts = useCallback(() => expectOk(alerts.$get()), [alerts]);
  const loadDeliveries = useCallback(() => expectOk(alerts.deliveries.$get()), [alerts]);
  const list = useLoad(loadAlerts);
  const deliveries = useLoad(loadDeliveries);
  const [refreshed, setRefreshed] = useState(0);
  return (
    <>
      <PageTitle title="Alerts">
        <button
          type="button"
          class="button button--secondary"
          onClick={() => {
            list.reload();
            deliveries.reload();
            setRefreshed((n) => n + 1);
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
            <p class="muted">No active alerts.</p>
          ) : (
            <AlertTable
              api={api}
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
          <AlertTable api={api} alerts={list.result.data.recent} />
        </Panel>
      ) : null}
      <ChannelsPanel api={api} onTested={deliveries.reload} refreshed={refreshed} />
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

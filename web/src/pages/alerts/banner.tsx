/** @module The banner at the top of every page while active alerts wait to be acknowledged. */
import { useCallback, useEffect, useMemo } from 'preact/hooks';
import { expectOk, type GatehouseClient } from '../../api.js';
import { useInterval, useLoad } from '../../hooks.js';
import { connectAlerts } from './api.js';

/** Sent on window after anything that changes alerts (acknowledging), so the banner refreshes at once. */
export const alertsChangedEvent = 'gatehouse:alerts-changed';

export function announceAlertsChanged(): void {
  window.dispatchEvent(new Event(alertsChangedEvent));
}

const refreshMs = 60_000;
const shown = 3;

export function AlertBanner(props: { readonly client: GatehouseClient; readonly href?: string }) {
  const { alerts } = useMemo(() => connectAlerts(props.client), [props.client]);
  const load = useCallback(() => expectOk(alerts.$get()), [alerts]);
  const { result, reload } = useLoad(load);
  useInterval(reload, refreshMs);
  useEffect(() => {
    window.addEventListener(alertsChangedEvent, reload);
    return () => {
      window.removeEventListener(alertsChangedEvent, reload);
    };
  }, [reload]);
  // The banner is a hint, not a page: when it cannot load, it stays out of the way.
  if (result.state !== 'ready') return null;
  const open = result.data.active.filter((a) => a.acknowledgedAt === null);
  if (open.length === 0) return null;
  const critical = open.some((a) => a.severity === 'critical');
  return (
    <div class={`notice notice--${critical ? 'error' : 'warning'}`} role="status" data-testid="alert-banner">
      <strong>{open.length === 1 ? '1 alert needs' : `${open.length} alerts need`} your attention:</strong>{' '}
      {open
        .slice(0, shown)
        .map((a) => a.title)
        .join(' · ')}
      {open.length > shown ? ` and ${open.length - shown} more` : ''}.{' '}
      <a href={props.href ?? '#/alerts'}>Review alerts</a>
    </div>
  );
}

/**
 * @module The Certificates page: "does my box have a real certificate, when does it renew, and if it fails, why and
 * what do I do?". The banner and the served certificate's facts with the countdown, the renewal and the last error
 * with its remedy, "Issue now" / "Renew now" (started at once, then GET /cert every 2 s while it runs), the
 * challenge chosen and why, the CA account and the names, the history.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, type GatehouseClient } from '../../api.js';
import { ErrorNotice, Loading, Notice, PageTitle } from '../../components/ui.js';
import { useAction, useInterval, useLoad } from '../../hooks.js';
import { AccountPanel } from './account-form.js';
import { connectCert, type CertView } from './api.js';
import { CertificatePanel } from './certificate-form.js';
import {
  baselineOf,
  keepPolling,
  outcomeSince,
  startActionOf,
  startProblem,
  whenFormatter,
  type Baseline,
  type FormatDate,
} from './model.js';
import { CertificateFacts, ChallengePanel, HistoryPanel, RenewalPanel, StatusBanner } from './status.js';

/** While an order runs: how often to look again. */
const pollMs = 2_000;
/** Otherwise: the countdown and a scheduled renewal change slowly. */
const refreshMs = 60_000;

type Press = { readonly before: Baseline; readonly polls: number };
type Result = { readonly kind: 'success' | 'error' | 'info'; readonly text: string };

export function CertificatesPage(props: { readonly client: GatehouseClient }) {
  const api = useMemo(() => connectCert(props.client), [props.client]);
  const loaded = useLoad(useCallback(() => api.view(), [api]));
  /** A view a form's save answered with: newer than the load until the next load. */
  const [saved, setSaved] = useState<CertView | undefined>(undefined);
  const [now, setNow] = useState(() => new Date());
  // useLoad's reload is stable; `loaded` itself is new at each render and would restart the poll timer.
  const reloadView = loaded.reload;
  const reload = useCallback(() => {
    reloadView();
    setNow(new Date());
  }, [reloadView]);
  useInterval(reload, refreshMs);
  useEffect(() => {
    setSaved(undefined);
  }, [loaded.result]);
  const view = saved ?? (loaded.result.state === 'ready' ? loaded.result.data : undefined);

  const start = useAction();
  const [press, setPress] = useState<Press | undefined>(undefined);
  const [result, setResult] = useState<Result | undefined>(undefined);

  // After a press and while an order runs: look again every 2 s; say what came of the press once it shows.
  useEffect(() => {
    if (view === undefined) return undefined;
    if (press !== undefined) {
      const outcome = outcomeSince(view, press.before);
      if (outcome !== 'pending' && view.renewal.state !== 'running') {
        setPress(undefined);
        setResult(
          outcome === 'issued'
            ? {
                kind: 'success',
                text: `Done: a new certificate for ${view.current?.names.join(', ') ?? 'the names'} is served now.`,
              }
            : {
                kind: 'error',
                text: 'The CA did not issue a certificate: the reason and what to do are below.',
              },
        );
        return undefined;
      }
    }
    if (!keepPolling(view, press)) {
      if (press !== undefined) {
        setPress(undefined);
        setResult({ kind: 'info', text: 'Nothing changed yet: see the renewal below.' });
      }
      return undefined;
    }
    const id = window.setTimeout(() => {
      setPress((p) => (p === undefined ? p : { ...p, polls: p.polls + 1 }));
      reload();
    }, pollMs);
    return () => {
      window.clearTimeout(id);
    };
  }, [view, press, reload]);

  const startNow = (v: CertView) => {
    const action = startActionOf(v);
    setResult(undefined);
    void start.run(async () => {
      try {
        await api.start(action.which);
      } catch (e) {
        // One already running: follow it like our own.
        if (!(e instanceof ApiError) || e.code !== 'cert.busy')
          throw e instanceof ApiError ? new ApiError(e.status, e.code, startProblem(e.code, e.message)) : e;
      }
      setPress({ before: baselineOf(v), polls: 0 });
      reload();
    });
  };

  const when = useMemo<FormatDate>(() => whenFormatter(now), [now]);
  const onSaved = (v: CertView) => {
    setSaved(v);
    setResult(undefined);
    // A load still under way began before the change: a fresh one supersedes it (useLoad keeps the newest).
    reload();
  };
  const action = view === undefined ? undefined : startActionOf(view);
  const running = view?.renewal.state === 'running' || press !== undefined;
  const setUp = view !== undefined && view.account !== null && view.certificate !== null;
  const settingsPanels =
    view === undefined || !view.enabled ? null : (
      <>
        <AccountPanel api={api} view={view} when={when} onSaved={onSaved} />
        <CertificatePanel api={api} view={view} onSaved={onSaved} />
      </>
    );

  return (
    <>
      <PageTitle title="Certificates">
        <button type="button" class="button button--secondary" onClick={reload}>
          Refresh
        </button>
        {view === undefined || action === undefined ? null : (
          <button
            type="button"
            class="button button--primary"
            onClick={() => {
              startNow(view);
            }}
            disabled={start.busy || running || action.blocked !== undefined}
            aria-busy={start.busy || running}
            data-testid="cert-start"
          >
            {running ? (action.which === 'issue' ? 'Issuing…' : 'Renewing…') : action.label}
          </button>
        )}
      </PageTitle>
      <p class="lead">
        A certificate from a certificate authority lets browsers trust this box without a warning. Gatehouse
        gets one for your hostnames over ACME and renews it by itself before it expires.
      </p>
      <div role="status" data-testid="cert-progress">
        {running ? <p>Talking to the CA: this page follows it every few seconds…</p> : null}
        {!running && action?.blocked !== undefined ? <p class="hint">{action.blocked}</p> : null}
      </div>
      <ErrorNotice message={start.error} />
      {result === undefined ? null : (
        <Notice kind={result.kind} testId="cert-result">
          {result.text}
        </Notice>
      )}
      {loaded.result.state === 'loading' ? <Loading what="certificates" /> : null}
      {loaded.result.state === 'error' ? <ErrorNotice message={loaded.result.message} /> : null}
      {view === undefined ? null : (
        <>
          <StatusBanner view={view} now={now} when={when} />
          {/* Not set up yet: the forms are what to do next, so they come first. */}
          {setUp ? null : settingsPanels}
          <RenewalPanel view={view} when={when} />
          <CertificateFacts view={view} now={now} when={when} />
          <ChallengePanel challenge={view.challenge} />
          {setUp ? settingsPanels : null}
          <HistoryPanel view={view} when={when} />
        </>
      )}
    </>
  );
}

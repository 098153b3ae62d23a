/**
 * @module The plan before it is applied: the interface changes and the firewall lines added and removed (a diff),
 * the whole ruleset on request, and "Apply" with the server's answer in words.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { sentence } from '../../api.js';
import { ActionButton, ErrorNotice, Loading, Notice } from '../../components/ui.js';
import { useAction, useLoad } from '../../hooks.js';
import type { ApplyResult, WireguardApi } from './api.js';
import { planWords } from './model.js';

export function PlanView(props: {
  readonly api: WireguardApi;
  /** Changes elsewhere on the page (a service, the grants): each one asks for the plan again. */
  readonly changes: number;
  readonly onApplied: () => void;
}) {
  const { api } = props;
  const plan = useLoad(useCallback(() => api.plan(), [api]));
  const { reload } = plan;
  useEffect(() => {
    if (props.changes > 0) reload();
  }, [props.changes, reload]);
  const apply = useAction();
  const [result, setResult] = useState<ApplyResult | undefined>(undefined);
  const run = () => {
    setResult(undefined);
    void apply
      .run(async () => {
        setResult(await api.apply());
      })
      .then(() => {
        reload();
        props.onApplied();
      });
  };
  const p = plan.result;
  return (
    <div class="stack">
      {p.state === 'loading' ? <Loading what="the plan" /> : null}
      {p.state === 'error' ? <ErrorNotice message={p.message} /> : null}
      {p.state === 'ready' ? (
        <>
          <p data-testid="wg-plan-summary">{planWords(p.data)}</p>
          {p.data.message === '' ? null : <p class="hint">{sentence(p.data.message)}</p>}
          <Warnings warnings={p.data.warnings} />
          {p.data.device.changes.length === 0 ? null : (
            <div>
              <h3>Interface</h3>
              <ul class="details-list">
                {p.data.device.changes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </div>
          )}
          {p.data.firewall.added.length + p.data.firewall.removed.length === 0 ? null : (
            <div>
              <h3>Firewall</h3>
              <div
                class="wg-diff"
                data-testid="wg-plan-diff"
                role="region"
                tabIndex={0}
                aria-label="Firewall lines added and removed"
              >
                <pre>
                  {p.data.firewall.removed.map((line, i) => (
                    <span key={`r${i}`} class="wg-diff__removed">
                      {`- ${line}\n`}
                    </span>
                  ))}
                  {p.data.firewall.added.map((line, i) => (
                    <span key={`a${i}`} class="wg-diff__added">
                      {`+ ${line}\n`}
                    </span>
                  ))}
                </pre>
              </div>
            </div>
          )}
          {p.data.firewall.script === '' ? null : (
            <details>
              <summary>The whole ruleset (nft)</summary>
              <div class="wg-diff" role="region" tabIndex={0} aria-label="The whole nftables ruleset">
                <pre>{p.data.firewall.script}</pre>
              </div>
            </details>
          )}
        </>
      ) : null}
      <div class="row">
        <ActionButton busy={apply.busy} onClick={run} testId="wg-apply">
          {apply.busy ? 'Applying…' : 'Apply'}
        </ActionButton>
        <button type="button" class="button button--secondary" onClick={reload}>
          Check again
        </button>
      </div>
      <ErrorNotice message={apply.error} />
      {result === undefined ? null : (
        <Notice kind={result.ok ? 'success' : 'error'} testId="wg-apply-result">
          <p class="strong">{result.ok ? 'Applied.' : 'Not applied: the previous state stays in place.'}</p>
          {result.message === '' ? null : <p>{sentence(result.message)}</p>}
          <Warnings warnings={result.warnings} />
        </Notice>
      )}
    </div>
  );
}

function Warnings(props: { readonly warnings: readonly string[] }) {
  if (props.warnings.length === 0) return null;
  return (
    <ul class="details-list">
      {props.warnings.map((w) => (
        <li key={w}>{w}</li>
      ))}
    </ul>
  );
}

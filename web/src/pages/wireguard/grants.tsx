/**
 * @module The grants matrix: groups (@name) and peers down the side, services across, a checkbox per cell. Ticks
 * are kept in the page until "Save access" sends the whole matrix in one PUT (atomic on the server); a peer's
 * access through one of its groups shows in its row.
 */
import { useState } from 'preact/hooks';
import { ErrorNotice, Notice } from '../../components/ui.js';
import { useAction } from '../../hooks.js';
import type { Grant, PeerView, ServiceView, WireguardApi } from './api.js';
import {
  changesWords,
  grantKey,
  grantSetOf,
  grantsOf,
  matrixChanges,
  matrixRows,
  portsWords,
  subjectKey,
  toggled,
  viaGroups,
} from './model.js';

export function GrantsMatrix(props: {
  readonly api: WireguardApi;
  readonly peers: readonly PeerView[];
  readonly services: readonly ServiceView[];
  readonly grants: readonly Grant[];
  readonly onSaved: () => void;
}) {
  // The page keys this component by the loaded grants: an answer that differs starts the matrix anew.
  const [saved, setSaved] = useState(() => grantSetOf(props.grants));
  const [ticked, setTicked] = useState(saved);
  const action = useAction();
  const changes = matrixChanges(saved, ticked);
  const unsaved = changesWords(changes);
  const rows = matrixRows(props.peers, props.grants);
  if (props.services.length === 0) {
    return <p class="muted">Add a service first: the matrix grants peers and groups access to services.</p>;
  }
  if (rows.length === 0) {
    return (
      <p class="muted">
        Add a peer first (on the Peers page): the matrix grants peers and groups access to services.
      </p>
    );
  }
  const save = () => {
    void action
      .run(async () => {
        await props.api.putGrants(grantsOf(ticked));
        setSaved(ticked);
      })
      .then((ok) => {
        if (ok) props.onSaved();
      });
  };
  return (
    <div class="stack">
      <div class="table-wrap wg-matrix-wrap">
        <table class="table wg-matrix" data-testid="wg-matrix">
          <caption class="visually-hidden">Which peers and groups may reach which services</caption>
          <thead>
            <tr>
              <th scope="col">Peer or group</th>
              {props.services.map((s) => (
                <th scope="col" key={s.id}>
                  <span class="wg-matrix__service">{s.name}</span>
                  <span class="hint">
                    {s.protocol.toUpperCase()} {portsWords(s)}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={subjectKey(row.subject)} data-testid={`grant-row-${row.label}`}>
                <th scope="row" class={row.subject.kind === 'group' ? 'wg-matrix__group' : undefined}>
                  {row.label}
                  {row.enabled ? null : <span class="hint"> (disabled)</span>}
                </th>
                {props.services.map((s) => {
                  const k = grantKey(row.subject, s.id);
                  const via = viaGroups(row, s.id, ticked);
                  return (
                    <td key={s.id} class="wg-matrix__cell">
                      <label class="wg-matrix__label">
                        <input
                          type="checkbox"
                          checked={ticked.has(k)}
                          aria-label={`${row.label} may reach ${s.name}`}
                          onChange={(e) => {
                            action.clearError();
                            setTicked(toggled(ticked, k, e.currentTarget.checked));
                          }}
                        />
                        {via.length === 0 ? null : (
                          <span class="hint wg-via">via {via.map((g) => `@${g}`).join(', ')}</span>
                        )}
                      </label>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorNotice message={action.error} />
      <div class="row">
        <button
          type="button"
          class="button button--primary"
          disabled={action.busy || unsaved === undefined}
          aria-busy={action.busy}
          onClick={save}
        >
          Save access
        </button>
        {unsaved === undefined ? null : (
          <button
            type="button"
            class="button button--secondary"
            disabled={action.busy}
            onClick={() => {
              setTicked(saved);
            }}
          >
            Undo changes
          </button>
        )}
        <span class="hint" role="status" data-testid="wg-matrix-state">
          {unsaved ?? 'All changes saved.'}
        </span>
      </div>
      {unsaved === undefined ? null : (
        <Notice kind="info">
          Saving changes what each device may reach; the firewall follows when it is applied (below). A peer
          whose split-tunnel config gains a service is marked “config outdated” until its new QR code is
          scanned.
        </Notice>
      )}
    </div>
  );
}

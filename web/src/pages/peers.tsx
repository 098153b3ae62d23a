/**
 * @module The Peers page: "can my phone reach home right now". Each peer with its live status (online, last
 * handshake, endpoint, bytes each way; refreshed every few seconds while the page is visible), its badges
 * (disabled, expired, config outdated and why), the add/edit form, and the dialog with its QR code, download
 * and one-time link. The interface banner on top says whether WireGuard runs at all, and why not.
 */
import { useCallback, useMemo, useState } from 'preact/hooks';
import type { GatehouseClient } from '../api.js';
import { DataTable, RowButton } from '../components/table.js';
import { ConfirmButton, ErrorNotice, Field, Loading, PageTitle, Panel } from '../components/ui.js';
import { formatDateTime } from '../format.js';
import { useAction, useInterval, useLoad } from '../hooks.js';
import { connectWireguard, type PeerView, type ServiceView, type WireguardApi } from './wireguard/api.js';
import { InterfaceBanner } from './wireguard/banner.js';
import {
  agoWords,
  connectionOf,
  matchesPeer,
  reasonsWords,
  peerBadges,
  serviceNames,
  transferWords,
  tunnelShortWords,
  tunnelWords,
  type Tone,
} from './wireguard/model.js';
import { PeerDialog } from './wireguard/peer-dialog.js';
import { PeerForm } from './wireguard/peer-form.js';

/** Status comes from `wg show dump`, cheap to read: often enough that a phone's connecting shows at once. */
const refreshMs = 5_000;
/** The banner reads the firewall's counters (nft) when the interface runs: less often. */
const bannerRefreshMs = 15_000;

const badgeClass: Record<Tone, string> = {
  ok: 'badge badge--ok',
  warning: 'badge badge--warning',
  error: 'badge badge--error',
  unknown: 'badge',
};

export function PeersPage(props: { readonly client: GatehouseClient }) {
  const api = useMemo(() => connectWireguard(props.client), [props.client]);
  const peers = useLoad(useCallback(() => api.peers(), [api]));
  const services = useLoad(useCallback(() => api.services(), [api]));
  const overview = useLoad(useCallback(() => api.overview(), [api]));
  const [now, setNow] = useState(() => new Date());
  const refresh = useCallback(() => {
    peers.reload();
    overview.reload();
    setNow(new Date());
  }, [peers, overview]);
  const livePeers = useCallback(() => {
    peers.reload();
    setNow(new Date());
  }, [peers]);
  useInterval(livePeers, refreshMs);
  useInterval(overview.reload, bannerRefreshMs);
  /** undefined: no form; null: adding; a peer: editing it. */
  const [editing, setEditing] = useState<PeerView | null | undefined>(undefined);
  const [dialog, setDialog] = useState<{ peer: PeerView; added: boolean } | undefined>(undefined);
  const serviceList = services.result.state === 'ready' ? services.result.data : [];
  return (
    <>
      <PageTitle title="Peers">
        <button
          type="button"
          class="button button--secondary"
          onClick={() => {
            refresh();
            services.reload();
          }}
        >
          Refresh
        </button>
        {editing === undefined ? (
          <button
            type="button"
            class="button button--primary"
            onClick={() => {
              setEditing(null);
            }}
          >
            Add peer
          </button>
        ) : null}
      </PageTitle>
      <p class="lead">
        Phones and laptops that reach home through WireGuard. Each sees only the services granted to it.
      </p>
      <InterfaceBanner overview={overview.result} now={now} />
      {editing === undefined ? null : (
        <Panel title={editing === null ? 'New peer' : `Edit “${editing.name}”`}>
          <PeerForm
            key={editing?.id ?? 'new'}
            api={api}
            services={serviceList}
            peer={editing ?? undefined}
            onSaved={(saved) => {
              const added = editing === null;
              setEditing(undefined);
              refresh();
              if (added) setDialog({ peer: saved, added: true });
            }}
            onCancel={() => {
              setEditing(undefined);
            }}
          />
        </Panel>
      )}
      <Panel title="Peers" testId="wg-peers">
        {peers.result.state === 'loading' ? <Loading what="peers" /> : null}
        {peers.result.state === 'error' ? <ErrorNotice message={peers.result.message} /> : null}
        {peers.result.state === 'ready' ? (
          <PeerTable
            api={api}
            peers={peers.result.data}
            services={serviceList}
            now={now}
            onShow={(peer) => {
              setDialog({ peer, added: false });
            }}
            onEdit={setEditing}
            onChanged={refresh}
          />
        ) : null}
      </Panel>
      {dialog === undefined ? null : (
        <PeerDialog
          key={dialog.peer.id}
          api={api}
          peer={dialog.peer}
          added={dialog.added}
          onClose={() => {
            setDialog(undefined);
            // Showing or downloading can change the peer (a key forgotten, the outdated mark gone).
            refresh();
          }}
        />
      )}
    </>
  );
}

function PeerTable(props: {
  readonly api: WireguardApi;
  readonly peers: readonly PeerView[];
  readonly services: readonly ServiceView[];
  readonly now: Date;
  readonly onShow: (peer: PeerView) => void;
  readonly onEdit: (peer: PeerView) => void;
  readonly onChanged: () => void;
}) {
  const action = useAction();
  const run = (task: () => Promise<unknown>) => {
    void action
      .run(async () => {
        await task();
      })
      .then(props.onChanged);
  };
  const online = props.peers.filter((p) => p.status?.online === true).length;
  const [query, setQuery] = useState('');
  const shown = query.trim() === '' ? props.peers : props.peers.filter((p) => matchesPeer(p, query));
  return (
    <>
      <p class="hint" role="status" data-testid="wg-online-count">
        {props.peers.length === 0
          ? ''
          : `${online} of ${props.peers.length} ${props.peers.length === 1 ? 'peer' : 'peers'} online now.`}
      </p>
      {props.peers.length > 5 ? (
        <div class="toolbar">
          <Field
            label="Find a peer"
            type="search"
            value={query}
            onValue={setQuery}
            hint="Name, @group, address or endpoint."
          />
        </div>
      ) : null}
      <ErrorNotice message={action.error} />
      <DataTable
        columns={['Peer', 'Status', 'Endpoint', 'Transfer', 'Address', 'Access', 'Expires']}
        actions
        cards
        variant="peers"
        caption="WireGuard peers"
        empty={
          props.peers.length === 0
            ? 'No peers yet. Add one, then scan its QR code with the WireGuard app.'
            : 'No peer matches the search.'
        }
        rows={shown}
        row={(p) => {
          const c = connectionOf(p, props.now);
          const badges = peerBadges(p, props.now);
          const services = serviceNames(p.services, props.services);
          return (
            <tr key={p.id} data-testid={`peer-${p.name}`} class={p.enabled ? undefined : 'row--unavailable'}>
              <td class="strong">
                <span class="wg-peer-name">
                  <span
                    class={c.online ? 'wg-dot wg-dot--online' : 'wg-dot'}
                    role="img"
                    aria-label={c.online ? 'online' : 'not online'}
                  />
                  {p.name}
                  {badges.map((b) => (
                    <span key={b.label} class={`${badgeClass[b.tone]} badge--inline`}>
                      {b.label}
                    </span>
                  ))}
                </span>
                {p.groups.length === 0 ? null : (
                  <span class="hint wg-groups">{p.groups.map((g) => `@${g}`).join(' ')}</span>
                )}
                {p.configOutdated ? (
                  <span class="wg-outdated" data-testid="wg-outdated">
                    <span class="hint">{reasonsWords(p.outdatedReasons)}</span>
                    <RowButton
                      label={`Show new QR of ${p.name}`}
                      onClick={() => {
                        props.onShow(p);
                      }}
                    >
                      Show new QR
                    </RowButton>
                  </span>
                ) : null}
              </td>
              <td data-label="Status" data-testid="wg-status">
                <span>
                  <span class={c.online ? 'badge badge--ok' : 'badge'}>{c.label}</span>
                  <span class="hint wg-status-detail">
                    {p.status?.latestHandshakeAt == null ? (
                      c.detail
                    ) : (
                      <time
                        dateTime={p.status.latestHandshakeAt}
                        title={formatDateTime(p.status.latestHandshakeAt, { seconds: true })}
                      >
                        {c.detail}
                      </time>
                    )}
                  </span>
                </span>
              </td>
              <td data-label="Endpoint">
                <code class="wg-endpoint">{p.status?.endpoint ?? '—'}</code>
              </td>
              <td
                data-label="Transfer"
                class="nowrap"
                title="↓ what the device received through the tunnel, ↑ what it sent"
              >
                {transferWords(p.status)}
              </td>
              <td data-label="Address">
                <code>{p.ipv4}</code>
                {p.ipv6 === null ? null : (
                  <>
                    {' '}
                    <code>{p.ipv6}</code>
                  </>
                )}
              </td>
              <td data-label="Access">
                <span>
                  {services.length === 0 ? <span class="muted">no services</span> : services.join(', ')}
                  <span class="hint wg-tunnel" title={tunnelWords[p.tunnel]}>
                    {tunnelShortWords[p.tunnel]}
                  </span>
                </span>
              </td>
              <td data-label="Expires">
                {p.expiresAt === null ? (
                  <span class="muted">never</span>
                ) : (
                  <time dateTime={p.expiresAt} title={agoWords(p.expiresAt, props.now)}>
                    {formatDateTime(p.expiresAt)}
                  </time>
                )}
              </td>
              <td class="actions">
                <span class="row">
                  <RowButton
                    label={`Connect ${p.name}`}
                    onClick={() => {
                      props.onShow(p);
                    }}
                  >
                    Connect
                  </RowButton>
                  <RowButton
                    label={`Edit ${p.name}`}
                    onClick={() => {
                      props.onEdit(p);
                    }}
                  >
                    Edit
                  </RowButton>
                  <RowButton
                    label={`${p.enabled ? 'Disable' : 'Enable'} ${p.name}`}
                    busy={action.busy}
                    onClick={() => {
                      run(() => props.api.patchPeer(p.id, { enabled: !p.enabled }));
                    }}
                  >
                    {p.enabled ? 'Disable' : 'Enable'}
                  </RowButton>
                  <ConfirmButton
                    label="Delete"
                    accessibleLabel={`Delete ${p.name}`}
                    question={`Delete “${p.name}”? Its device is cut off at once and its address is freed.`}
                    confirmLabel="Delete"
                    small
                    busy={action.busy}
                    onConfirm={() => {
                      run(() => props.api.deletePeer(p.id));
                    }}
                  />
                </span>
              </td>
            </tr>
          );
        }}
      />
    </>
  );
}

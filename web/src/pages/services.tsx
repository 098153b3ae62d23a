/**
 * @module The Services page: the catalog of home-network services peers may reach (name, host, protocol, ports,
 * web link) with add/edit/remove, the grants matrix (peers and @groups × services, saved in one PUT), and the plan
 * of the interface and firewall with "Apply". The interface banner on top, as on the Peers page.
 */
import { useCallback, useMemo, useState } from 'preact/hooks';
import { fieldProblem, type GatehouseClient } from '../api.js';
import { DataTable, RowButton } from '../components/table.js';
import {
  ConfirmButton,
  ErrorNotice,
  Field,
  Loading,
  PageTitle,
  Panel,
  SelectField,
  SubmitButton,
} from '../components/ui.js';
import { useAction, useLoad } from '../hooks.js';
import { connectWireguard, type Protocol, type ServiceView, type WireguardApi } from './wireguard/api.js';
import { InterfaceBanner } from './wireguard/banner.js';
import { GrantsMatrix } from './wireguard/grants.js';
import {
  emptyServiceDraft,
  grantsOf,
  grantSetOf,
  portsWords,
  problemOf,
  serviceBodyOf,
  serviceDraftOf,
  type ServiceDraft,
} from './wireguard/model.js';
import { PlanView } from './wireguard/plan.js';

const protocolOptions: readonly { value: Protocol; label: string }[] = [
  { value: 'tcp', label: 'TCP' },
  { value: 'udp', label: 'UDP' },
];

/** A failure the server does not tie to a field itself: a taken name is about the name. */
const serviceCodeFields: Readonly<Record<string, string>> = { 'wireguard.duplicate': 'name' };

export function ServicesPage(props: { readonly client: GatehouseClient }) {
  const api = useMemo(() => connectWireguard(props.client), [props.client]);
  const services = useLoad(useCallback(() => api.services(), [api]));
  const peers = useLoad(useCallback(() => api.peers(), [api]));
  const grants = useLoad(useCallback(() => api.grants(), [api]));
  const overview = useLoad(useCallback(() => api.overview(), [api]));
  /** Counts changes that alter the plan, so the plan asks again. */
  const [changes, setChanges] = useState(0);
  const reloadAll = useCallback(() => {
    services.reload();
    peers.reload();
    grants.reload();
    overview.reload();
    setChanges((n) => n + 1);
  }, [services, peers, grants, overview]);
  /** undefined: no form; null: adding; a service: editing it. */
  const [editing, setEditing] = useState<ServiceView | null | undefined>(undefined);
  const now = new Date();
  return (
    <>
      <PageTitle title="Services">
        <button type="button" class="button button--secondary" onClick={reloadAll}>
          Refresh
        </button>
      </PageTitle>
      <p class="lead">
        The devices at home that peers may reach — the camera, the NAS — and who may reach which. Everything
        else from the tunnel is dropped.
      </p>
      <InterfaceBanner overview={overview.result} now={now} />
      <Panel
        title="Services"
        testId="wg-services"
        actions={
          editing === undefined ? (
            <button
              type="button"
              class="button button--primary button--small"
              onClick={() => {
                setEditing(null);
              }}
            >
              Add service
            </button>
          ) : undefined
        }
      >
        {editing === undefined ? null : (
          <ServiceForm
            key={editing?.id ?? 'new'}
            api={api}
            service={editing ?? undefined}
            onSaved={() => {
              setEditing(undefined);
              reloadAll();
            }}
            onCancel={() => {
              setEditing(undefined);
            }}
          />
        )}
        {services.result.state === 'loading' ? <Loading what="services" /> : null}
        {services.result.state === 'error' ? <ErrorNotice message={services.result.message} /> : null}
        {services.result.state === 'ready' ? (
          <ServiceTable api={api} services={services.result.data} onEdit={setEditing} onChanged={reloadAll} />
        ) : null}
      </Panel>
      <Panel title="Who may reach what" testId="wg-grants">
        {services.result.state === 'ready' &&
        peers.result.state === 'ready' &&
        grants.result.state === 'ready' ? (
          <GrantsMatrix
            key={JSON.stringify(grantsOf(grantSetOf(grants.result.data)))}
            api={api}
            peers={peers.result.data}
            services={services.result.data}
            grants={grants.result.data}
            onSaved={reloadAll}
          />
        ) : null}
        {[peers.result, grants.result].map((r, i) =>
          r.state === 'error' ? <ErrorNotice key={i} message={r.message} /> : null,
        )}
        {peers.result.state === 'loading' || grants.result.state === 'loading' ? (
          <Loading what="access" />
        ) : null}
      </Panel>
      <Panel title="Plan and apply" testId="wg-plan">
        <p class="hint">
          What Gatehouse would change on the WireGuard interface and in its own firewall table, before it
          does.
        </p>
        <PlanView api={api} changes={changes} onApplied={overview.reload} />
      </Panel>
    </>
  );
}

function ServiceTable(props: {
  readonly api: WireguardApi;
  readonly services: readonly ServiceView[];
  readonly onEdit: (s: ServiceView) => void;
  readonly onChanged: () => void;
}) {
  const action = useAction();
  return (
    <>
      <ErrorNotice message={action.error} />
      <DataTable
        columns={['Name', 'Host', 'Protocol', 'Ports', 'Web']}
        actions
        cards
        caption="Services peers may be granted"
        empty="No services yet. Add the devices at home that peers should reach, e.g. the NAS on 192.168.1.20 TCP 443."
        rows={props.services}
        row={(s) => (
          <tr key={s.id} data-testid={`service-${s.name}`}>
            <td class="strong">{s.name}</td>
            <td data-label="Host">
              <code>{s.host}</code>
            </td>
            <td data-label="Protocol">{s.protocol.toUpperCase()}</td>
            <td data-label="Ports">{portsWords(s)}</td>
            <td data-label="Web">
              {s.webUrl === null ? (
                <span class="muted">—</span>
              ) : (
                <a href={s.webUrl} target="_blank" rel="noopener noreferrer">
                  Open<span class="visually-hidden"> {s.name}</span>
                </a>
              )}
            </td>
            <td class="actions">
              <span class="row">
                <RowButton
                  label={`Edit ${s.name}`}
                  onClick={() => {
                    props.onEdit(s);
                  }}
                >
                  Edit
                </RowButton>
                <ConfirmButton
                  label="Remove"
                  accessibleLabel={`Remove ${s.name}`}
                  question={`Remove “${s.name}”? Every grant of it goes too.`}
                  confirmLabel="Remove"
                  small
                  busy={action.busy}
                  onConfirm={() => {
                    void action.run(() => props.api.deleteService(s.id)).then(props.onChanged);
                  }}
                />
              </span>
            </td>
          </tr>
        )}
      />
    </>
  );
}

function ServiceForm(props: {
  readonly api: WireguardApi;
  readonly service?: ServiceView;
  readonly onSaved: () => void;
  readonly onCancel: () => void;
}) {
  const editing = props.service;
  const [draft, setDraft] = useState<ServiceDraft>(
    editing === undefined ? emptyServiceDraft : serviceDraftOf(editing),
  );
  const action = useAction(serviceCodeFields);
  const set = (change: Partial<ServiceDraft>) => {
    setDraft({ ...draft, ...change });
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void action
      .run(async () => {
        const c = serviceBodyOf(draft);
        if (!c.ok) throw fieldProblem(c.field, c.message);
        if (editing === undefined) await props.api.addService(c.body);
        else await props.api.patchService(editing.id, c.body);
      })
      .then((ok) => {
        if (ok) props.onSaved();
      });
  };
  const problem = (name: string) => problemOf(action.fields, name);
  const title = editing === undefined ? 'New service' : `Edit “${editing.name}”`;
  return (
    <section class="subform" aria-label={title}>
      <h3>{title}</h3>
      <form onSubmit={submit} class="stack" noValidate>
        <Field
          label="Name"
          value={draft.name}
          onValue={(name) => {
            set({ name });
          }}
          required
          maxLength={64}
          autoFocus
          hint="One lowercase word, e.g. nas, camera, home-assistant: the CLI’s grant command names it."
          error={problem('name')}
        />
        <Field
          label="Host"
          value={draft.host}
          onValue={(host) => {
            set({ host });
          }}
          required
          hint="Its address on the home network, e.g. 192.168.1.20 (it must lie in the LAN ranges)."
          error={problem('host')}
        />
        <SelectField<Protocol>
          label="Protocol"
          value={draft.protocol}
          onValue={(protocol) => {
            set({ protocol });
          }}
          options={protocolOptions}
          error={problem('protocol')}
        />
        <Field
          label="Ports"
          value={draft.ports}
          onValue={(ports) => {
            set({ ports });
          }}
          required
          inputMode="numeric"
          hint="One port, e.g. 443, or a range, e.g. 8000-8100."
          error={problem('port')}
        />
        <Field
          label="Web address"
          value={draft.webUrl}
          onValue={(webUrl) => {
            set({ webUrl });
          }}
          hint="Optional: a link to open it from a device in the tunnel, e.g. https://192.168.1.20:5001/."
          error={problem('webUrl')}
        />
        <ErrorNotice message={action.errorBesides(['name', 'host', 'protocol', 'port', 'webUrl'])} />
        <div class="row">
          <SubmitButton busy={action.busy}>{editing === undefined ? 'Add service' : 'Save'}</SubmitButton>
          <button type="button" class="button button--secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * @module The audit log: security events newest first, in words (each type's description from the server's
 * registry), failures highlighted, filtered by any registered type, paged back in time.
 */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { AuditTypeRoutes } from '../../../src/audit/routes.js';
import { expectOk, messageOf, type GatehouseClient, type OkBody } from '../api.js';
import { DataTable, LoggedAtCell, OutcomeBadge } from '../components/table.js';
import { ActionButton, ErrorNotice, Loading, PageTitle, SelectField } from '../components/ui.js';
import { detailsInWords } from '../format.js';
import { useAction, useLoad } from '../hooks.js';
import { typeOptionsOf } from './audit-types.js';

type AuditPage = OkBody<Awaited<ReturnType<GatehouseClient['api']['audit']['$get']>>>;
type AuditEvent = AuditPage['events'][number];

const pageSize = 100;

function fetchAudit(
  api: GatehouseClient['api'],
  type: string,
  cursor: string | undefined,
): Promise<AuditPage> {
  return expectOk(
    api.audit.$get({
      query: {
        limit: String(pageSize),
        ...(cursor === undefined ? {} : { cursor }),
        ...(type === '' ? {} : { type }),
      },
    }),
  );
}

type Listing =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | {
      readonly state: 'ready';
      readonly events: readonly AuditEvent[];
      readonly hasMore: boolean;
      readonly nextCursor: string | null;
    };

export function AuditPage(props: { readonly client: GatehouseClient }) {
  const { api } = props.client;
  const typesApi = useMemo(() => props.client.connect<AuditTypeRoutes>(), [props.client]);
  const loadTypes = useCallback(() => expectOk(typesApi.audit.types.$get()), [typesApi]);
  const types = useLoad(loadTypes).result;
  const registered = types.state === 'ready' ? types.data.types : [];
  const describe = (type: string) => registered.find((t) => t.type === type)?.description;
  const [type, setType] = useState('');
  const [generation, setGeneration] = useState(0);
  const [listing, setListing] = useState<Listing>({ state: 'loading' });
  const older = useAction();

  useEffect(() => {
    let current = true;
    setListing({ state: 'loading' });
    fetchAudit(api, type, undefined).then(
      (page) => {
        if (current) {
          setListing({
            state: 'ready',
            events: page.events,
            hasMore: page.hasMore,
            nextCursor: page.nextCursor,
          });
        }
      },
      (e: unknown) => {
        if (current) setListing({ state: 'error', message: messageOf(e) });
      },
    );
    return () => {
      current = false;
    };
  }, [api, type, generation]);

  const loadOlder = () => {
    if (listing.state !== 'ready' || listing.nextCursor === null) return;
    const cursor = listing.nextCursor;
    void older.run(async () => {
      const page = await fetchAudit(api, type, cursor);
      setListing({
        state: 'ready',
        events: [...listing.events, ...page.events],
        hasMore: page.hasMore,
        nextCursor: page.nextCursor,
      });
    });
  };

  const seenTypes = listing.state === 'ready' ? listing.events.map((e) => e.type) : [];
  const typeOptions = typeOptionsOf(registered, [...seenTypes, ...(type === '' ? [] : [type])]);
  const chosen = typeOptions.find((o) => o.value === type)?.label ?? type;

  return (
    <>
      <PageTitle title="Audit log">
        <button
          type="button"
          class="button button--secondary"
          onClick={() => {
            setGeneration((g) => g + 1);
          }}
        >
          Refresh
        </button>
      </PageTitle>
      <div class="toolbar">
        <SelectField label="Show" value={type} onValue={setType} options={typeOptions} />
        {types.state === 'error' ? (
          <p class="hint">The list of event types did not load ({types.message}); events show by name.</p>
        ) : null}
      </div>
      {listing.state === 'loading' ? <Loading what="events" /> : null}
      {listing.state === 'error' ? <ErrorNotice message={listing.message} /> : null}
      {listing.state === 'ready' ? (
        listing.events.length === 0 ? (
          <p class="muted">{type === '' ? 'No events.' : `No events of this kind: “${chosen}”.`}</p>
        ) : (
          <>
            <DataTable
              columns={['Time', 'Event', 'Outcome', 'By', 'From', 'Details']}
              variant="audit"
              cards
              testId="audit-table"
              rows={listing.events}
              row={(e) => {
                const details = detailsInWords(e.details);
                return (
                  <tr
                    key={e.id}
                    class={e.outcome === 'failure' ? 'row--failure' : undefined}
                    data-type={e.type}
                  >
                    <LoggedAtCell at={e.at} label="When" />
                    <td class="audit-event">
                      <span class="strong">{describe(e.type) ?? e.type}</span>{' '}
                      <code class="audit-type">{e.type}</code>
                    </td>
                    <td data-label="Outcome">
                      <span>
                        <OutcomeBadge ok={e.outcome !== 'failure'}>
                          {e.outcome === 'failure' ? 'failed' : 'succeeded'}
                        </OutcomeBadge>
                      </span>
                    </td>
                    <td data-label="By">{e.actor}</td>
                    <td data-label="From">
                      <code>{e.clientAddress}</code>
                    </td>
                    <td class="details" data-label="Details">
                      {details.length === 0 ? (
                        <span class="muted">none</span>
                      ) : (
                        <ul class="details-list">
                          {details.map(([label, value]) => (
                            <li key={label}>
                              <span class="muted">{label}:</span> {value}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              }}
            />
            <ErrorNotice message={older.error} />
            {listing.hasMore ? (
              <div class="row row--center">
                <ActionButton variant="secondary" busy={older.busy} onClick={loadOlder}>
                  Older events
                </ActionButton>
              </div>
            ) : (
              <p class="muted center">That is the oldest event.</p>
            )}
          </>
        )
      ) : null}
    </>
  );
}

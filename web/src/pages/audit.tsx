/** @module The audit log: security events newest first, failures highlighted, paged back in time. */
import { useEffect, useState } from 'preact/hooks';
import { expectOk, messageOf, type GatehouseClient, type OkBody } from '../api.js';
import { DataTable, LoggedAtCell, OutcomeBadge } from '../components/table.js';
import { ActionButton, ErrorNotice, Loading, PageTitle, SelectField } from '../components/ui.js';
import { formatDetails } from '../format.js';
import { useAction } from '../hooks.js';

type AuditPage = OkBody<Awaited<ReturnType<GatehouseClient['api']['audit']['$get']>>>;
type AuditEvent = AuditPage['events'][number];

const pageSize = 100;

/** Types the base product records; types seen in loaded events join the filter list, so new features need no change here. */
const knownTypes = [
  'login.success',
  'login.failure',
  'login.lockout',
  'logout',
  'logout.everywhere',
  'password.changed',
  'password.reset',
  'recovery-code.used',
  'recovery-codes.regenerated',
  'settings.changed',
  'setup.completed',
  'setup.token-rejected',
  'token.created',
  'token.rejected',
  'token.revoked',
  'totp.disabled',
  'totp.enabled',
];

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
  const typeOptions = [
    { value: '', label: 'All events' },
    ...[...new Set([...knownTypes, ...seenTypes, ...(type === '' ? [] : [type])])]
      .sort()
      .map((t) => ({ value: t, label: t })),
  ];

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
      </div>
      {listing.state === 'loading' ? <Loading what="events" /> : null}
      {listing.state === 'error' ? <ErrorNotice message={listing.message} /> : null}
      {listing.state === 'ready' ? (
        listing.events.length === 0 ? (
          <p class="muted">No events{type === '' ? '' : ` of type ${type}`}.</p>
        ) : (
          <>
            <DataTable
              columns={['Time', 'Event', 'Outcome', 'Actor', 'Client', 'Details']}
              variant="audit"
              testId="audit-table"
              rows={listing.events}
              row={(e) => (
                <tr key={e.id} class={e.outcome === 'failure' ? 'row--failure' : undefined}>
                  <LoggedAtCell at={e.at} />
                  <td>
                    <code>{e.type}</code>
                  </td>
                  <td>
                    <OutcomeBadge ok={e.outcome !== 'failure'}>{e.outcome}</OutcomeBadge>
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.clientAddress}</code>
                  </td>
                  <td class="details">{formatDetails(e.details)}</td>
                </tr>
              )}
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

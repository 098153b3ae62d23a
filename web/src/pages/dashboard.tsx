/**
 * @module The dashboard: one card per status provider, rendered generically (state, summary, facts); problems
 * first, and each card that has a page of its own links to it under that page's name.
 */
import { useCallback } from 'preact/hooks';
import { expectOk, type GatehouseClient, type OkBody } from '../api.js';
import { ErrorNotice, Loading, PageTitle } from '../components/ui.js';
import { formatDateTime, formatRelative } from '../format.js';
import { useInterval, useLoad } from '../hooks.js';
import { hrefOf } from '../router.js';
import { orderCards, pageOfCard } from './dashboard-cards.js';

type Status = OkBody<Awaited<ReturnType<GatehouseClient['api']['status']['$get']>>>;
type Card = Status['cards'][number];

const stateLabels: Record<Card['state'], string> = {
  ok: 'OK',
  warning: 'Needs attention',
  error: 'Problem',
  unknown: 'Unknown',
};

/** Cards refresh on their own; status is cheap to compute. */
const refreshMs = 30_000;

export function DashboardPage(props: { readonly client: GatehouseClient }) {
  const { client } = props;
  const load = useCallback(() => expectOk(client.api.status.$get()), [client]);
  const { result, reload } = useLoad(load);
  useInterval(reload, refreshMs);
  return (
    <>
      <PageTitle title="Dashboard">
        {result.state === 'ready' ? (
          <span class="muted">Updated {formatDateTime(result.data.now, { seconds: true })}</span>
        ) : null}
        <button type="button" class="button button--secondary" onClick={reload}>
          Refresh
        </button>
      </PageTitle>
      {result.state === 'loading' ? <Loading what="status" /> : null}
      {result.state === 'error' ? <ErrorNotice message={result.message} /> : null}
      {result.state === 'ready' ? (
        result.data.cards.length === 0 ? (
          <p class="muted">No status to show yet.</p>
        ) : (
          <div class="cards">
            {orderCards(result.data.cards).map((card) => (
              <StatusCard key={card.id} card={card} now={new Date(result.data.now)} />
            ))}
          </div>
        )
      ) : null}
    </>
  );
}

function StatusCard(props: { readonly card: Card; readonly now: Date }) {
  const { card, now } = props;
  const titleId = `card-${card.id}-title`;
  const page = pageOfCard(card.id);
  return (
    <section class={`card card--${card.state}`} aria-labelledby={titleId} data-testid={`card-${card.id}`}>
      <div class="card__head">
        <h2 id={titleId}>
          {page === undefined ? (
            card.title
          ) : (
            // The page's own name, so the card and the page it opens read the same.
            <a class="card__link" href={hrefOf(page.id)}>
              {page.title}
            </a>
          )}
        </h2>
        <span class={`badge badge--${card.state}`}>{stateLabels[card.state]}</span>
      </div>
      <p class="card__summary">{card.summary}</p>
      {card.facts.length === 0 ? null : (
        <table class="facts">
          <caption class="visually-hidden">{card.title} details</caption>
          <tbody>
            {card.facts.map((fact) => (
              <tr key={fact.label}>
                <th scope="row">{fact.label}</th>
                <td>
                  {fact.at === undefined ? (
                    fact.value
                  ) : (
                    <>
                      <time dateTime={fact.at} title={formatDateTime(fact.at, { seconds: true })}>
                        {formatRelative(fact.at, now)}
                      </time>
                      {fact.value === fact.at ? null : ` ${fact.value}`}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** @module The history of public addresses as a vertical timeline, newest first: when, which family, old → new, who agreed. */
import { useState } from 'preact/hooks';
import { formatDateTime, formatRelative } from '../format.js';

/** One accepted change of a public address, as GET /reachability lists it. */
export interface AddressChange {
  readonly at: string;
  readonly family: 'ipv4' | 'ipv6';
  /** null: the family lost its public address. */
  readonly address: string | null;
  /** null: the first address ever seen for the family. */
  readonly previous: string | null;
  /** The sources whose answers agreed on `address`. */
  readonly sources: readonly string[];
}

const familyLabels: Record<AddressChange['family'], string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

/** Enough to see the recent story on a phone; the rest is one press away. */
const initiallyShown = 10;

/**
 * `changes` newest first. `now` anchors the relative times ("3 h ago"), so the caller decides when
 * they move on (e.g. at each refresh).
 */
export function AddressTimeline(props: { readonly changes: readonly AddressChange[]; readonly now: Date }) {
  const [showAll, setShowAll] = useState(false);
  const { changes, now } = props;
  if (changes.length === 0) {
    return <p class="muted">No address changes recorded yet.</p>;
  }
  const visible = showAll ? changes : changes.slice(0, initiallyShown);
  return (
    <>
      <ol class="timeline" data-testid="address-timeline">
        {visible.map((c) => (
          <li key={`${c.at}-${c.family}`} class={`timeline__item timeline__item--${c.family}`}>
            <p class="timeline__when">
              <time dateTime={c.at}>{formatDateTime(c.at)}</time>{' '}
              <span class="muted">({formatRelative(c.at, now)})</span>
            </p>
            <p class="timeline__change">
              <span class={`badge timeline__family timeline__family--${c.family}`}>
                {familyLabels[c.family]}
              </span>{' '}
              <ChangeText change={c} />
            </p>
            {c.sources.length === 0 ? null : (
              <p class="timeline__sources">
                <span class="muted">Agreed: </span>
                {c.sources.join(', ')}
              </p>
            )}
          </li>
        ))}
      </ol>
      {changes.length > initiallyShown ? (
        <button
          type="button"
          class="button button--secondary button--small timeline__more"
          aria-expanded={showAll}
          onClick={() => {
            setShowAll((s) => !s);
          }}
        >
          {showAll ? 'Show fewer' : `Show all ${changes.length} changes`}
        </button>
      ) : null}
    </>
  );
}

function ChangeText(props: { readonly change: AddressChange }) {
  const { address, previous } = props.change;
  if (previous === null && address === null) return <span class="muted">no public address</span>;
  if (previous === null) {
    return (
      <>
        <span class="muted">first seen </span>
        <code>{address}</code>
      </>
    );
  }
  return (
    <>
      <code class="timeline__previous">{previous}</code>
      <span class="timeline__arrow" aria-hidden="true">
        {' → '}
      </span>
      <span class="visually-hidden"> changed to </span>
      {address === null ? <span class="muted">none (address lost)</span> : <code>{address}</code>}
    </>
  );
}

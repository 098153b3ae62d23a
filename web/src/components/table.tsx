/** @module Data tables: the scrolling frame with its column heads or an empty-state line, and the cells several tables share. */
import type { ComponentChildren } from 'preact';
import { formatDateTime } from '../format.js';

/**
 * A table of `rows`, each drawn by `row` (a `<tr>` with its key), in a frame that scrolls sideways on narrow
 * screens. With `cards`, a phone shows each row as a card instead, each cell under the name its `data-label`
 * gives (the row's cells set it: `<td data-label="Scope">`; a cell without one takes the card's full width).
 * With no rows it shows `empty` instead, when given.
 */
export function DataTable<T>(props: {
  readonly columns: readonly string[];
  readonly rows: readonly T[];
  readonly row: (item: T, index: number) => ComponentChildren;
  /** Adds a last column for each row's buttons, headed for screen readers only. */
  readonly actions?: boolean;
  readonly empty?: string;
  /** A modifier of the `table` class, e.g. `audit` for `table--audit`. */
  readonly variant?: string;
  /** One card per row on a phone (see above). */
  readonly cards?: boolean;
  readonly caption?: string;
  readonly testId?: string;
}) {
  if (props.empty !== undefined && props.rows.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table
        class={[
          'table',
          ...(props.variant === undefined ? [] : [`table--${props.variant}`]),
          ...(props.cards ? ['table--cards'] : []),
        ].join(' ')}
        data-testid={props.testId}
      >
        {props.caption === undefined ? null : <caption class="visually-hidden">{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            {props.actions ? (
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>{props.rows.map(props.row)}</tbody>
      </table>
    </div>
  );
}

/** When something was logged, to the second. */
export function LoggedAtCell(props: { readonly at: string; readonly label?: string }) {
  return (
    <td class="nowrap" data-label={props.label ?? 'Time'}>
      <time dateTime={props.at}>{formatDateTime(props.at, { seconds: true })}</time>
    </td>
  );
}

/** Green for what went well, red for what failed; the words say which. */
export function OutcomeBadge(props: { readonly ok: boolean; readonly children: ComponentChildren }) {
  return <span class={`badge badge--${props.ok ? 'ok' : 'error'}`}>{props.children}</span>;
}

/** A small secondary button in a table row; `label` names the row for screen readers ("Edit Phone"). */
export function RowButton(props: {
  readonly label: string;
  readonly onClick: () => void;
  readonly busy?: boolean;
  readonly children: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class="button button--secondary button--small"
      disabled={props.busy}
      aria-label={props.label}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

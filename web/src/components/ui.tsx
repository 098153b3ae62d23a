/** @module Shared UI pieces: labelled fields, notices, buttons, copy-to-clipboard, panels, relative times. */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { formatDateTime, formatRelative } from '../format.js';

export interface FieldProps {
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly type?: 'text' | 'password' | 'search';
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly inputMode?: 'text' | 'numeric';
  readonly hint?: ComponentChildren;
  readonly autoFocus?: boolean;
  readonly spellcheck?: boolean;
  readonly name?: string;
  readonly testId?: string;
  /** What is wrong with the value, in plain words: shown under the field and read out with it. */
  readonly error?: string | undefined;
}

/** The ids a field's input is described by: its problem first, then its hint. */
function describedBy(id: string, hint: unknown, error: string | undefined): string | undefined {
  const ids = [error === undefined ? '' : `${id}-error`, hint === undefined ? '' : `${id}-hint`].filter(
    (x) => x !== '',
  );
  return ids.length === 0 ? undefined : ids.join(' ');
}

/** A field's problem, under it; rendered only when there is one. */
function FieldProblem(props: { readonly id: string; readonly error: string | undefined }) {
  return props.error === undefined ? null : (
    <p class="field__error" id={`${props.id}-error`} data-testid="field-error">
      {props.error}
    </p>
  );
}

/**
 * A text input with a visible label, an optional hint and an optional problem, both tied to it by
 * aria-describedby. `autoFocus` focuses it when it appears, also on a screen drawn after the page loaded
 * (a browser honours the autofocus attribute only once per page, so a second step would not get focus).
 */
export function Field(props: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const input = useRef<HTMLInputElement>(null);
  const { autoFocus } = props;
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);
  const invalid = props.error !== undefined;
  return (
    <div class={invalid ? 'field field--invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        ref={input}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => {
          props.onValue(e.currentTarget.value);
        }}
        autocomplete={props.autocomplete}
        required={props.required}
        minLength={props.minLength}
        maxLength={props.maxLength}
        pattern={props.pattern}
        inputMode={props.inputMode}
        autoFocus={props.autoFocus}
        spellcheck={props.spellcheck ?? false}
        autocapitalize="off"
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        data-testid={props.testId}
      />
      <FieldProblem id={id} error={props.error} />
      {props.hint === undefined ? null : (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function SelectField<V extends string>(props: {
  readonly label: string;
  readonly value: V;
  readonly onValue: (value: V) => void;
  readonly options: readonly { readonly value: V; readonly label: string }[];
  readonly hint?: ComponentChildren;
  readonly error?: string | undefined;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const invalid = props.error !== undefined;
  return (
    <div class={invalid ? 'field field--invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        onChange={(e) => {
          const chosen = props.options.find((o) => o.value === e.currentTarget.value);
          if (chosen) props.onValue(chosen.value);
        }}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldProblem id={id} error={props.error} />
      {props.hint === undefined ? null : (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export type NoticeKind = 'error' | 'warning' | 'success' | 'info';

/** Errors interrupt screen readers (role=alert); everything else is announced politely. */
export function Notice(props: {
  readonly kind: NoticeKind;
  readonly children: ComponentChildren;
  readonly testId?: string;
}) {
  return (
    <div
      class={`notice notice--${props.kind}`}
      role={props.kind === 'error' ? 'alert' : 'status'}
      data-testid={props.testId}
    >
      {props.children}
    </div>
  );
}

/** An error notice that renders nothing when there is no error. */
export function ErrorNotice(props: { readonly message: string | undefined }) {
  return props.message === undefined ? null : <Notice kind="error">{props.message}</Notice>;
}

export function SubmitButton(props: {
  readonly busy: boolean;
  readonly children: ComponentChildren;
  readonly variant?: 'primary' | 'danger' | 'secondary';
}) {
  return (
    <button
      type="submit"
      class={`button button--${props.variant ?? 'primary'}`}
      disabled={props.busy}
      aria-busy={props.busy}
    >
      {props.children}
    </button>
  );
}

/** A button that runs an action: disabled and marked busy while it runs. */
export function ActionButton(props: {
  readonly busy: boolean;
  readonly onClick: () => void;
  readonly children: ComponentChildren;
  readonly variant?: 'primary' | 'secondary';
  readonly testId?: string;
}) {
  return (
    <button
      type="button"
      class={`button button--${props.variant ?? 'primary'}`}
      onClick={props.onClick}
      disabled={props.busy}
      aria-busy={props.busy}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}

/** Copies `text`; outside a secure context (plain HTTP off localhost) the clipboard API is missing, so say how. */
export function CopyButton(props: { readonly text: string; readonly label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return undefined;
    const id = window.setTimeout(() => {
      setState('idle');
    }, 2500);
    return () => {
      window.clearTimeout(id);
    };
  }, [state]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span class="copy">
      <button
        type="button"
        class="button button--secondary"
        onClick={() => {
          void copy();
        }}
      >
        {props.label ?? 'Copy'}
      </button>
      <span class="copy__result" role="status">
        {state === 'copied'
          ? 'Copied.'
          : state === 'failed'
            ? 'Copying is blocked here: select the text and copy it.'
            : ''}
      </span>
    </span>
  );
}

/** A titled section of a page. */
export function Panel(props: {
  readonly title: string;
  readonly children: ComponentChildren;
  readonly actions?: ComponentChildren;
  readonly testId?: string;
}) {
  const id = useId();
  return (
    <section class="panel" aria-labelledby={id} data-testid={props.testId}>
      <div class="panel__head">
        <h2 id={id}>{props.title}</h2>
        {props.actions === undefined ? null : <div class="panel__actions">{props.actions}</div>}
      </div>
      {props.children}
    </section>
  );
}

export function PageTitle(props: { readonly title: string; readonly children?: ComponentChildren }) {
  return (
    <div class="page-title">
      <h1>{props.title}</h1>
      {props.children === undefined ? null : <div class="page-title__aside">{props.children}</div>}
    </div>
  );
}

export function Loading(props: { readonly what: string }) {
  return (
    <p class="loading" role="status">
      Loading {props.what}…
    </p>
  );
}

/**
 * A destructive button that asks first, inline (no window.confirm, which blocks the page and is easy to
 * click through): the first press shows the question with Confirm and Cancel.
 */
export function ConfirmButton(props: {
  readonly label: string;
  readonly question: string;
  readonly confirmLabel: string;
  readonly busy: boolean;
  readonly onConfirm: () => void;
  readonly accessibleLabel?: string;
  /** Sized as a table row's other buttons (RowButton). */
  readonly small?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const size = props.small ? ' button--small' : '';
  const confirm = useRef<HTMLButtonElement>(null);
  // Focus moves to the question's answer (autofocus alone works only while the page loads).
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        class={`button button--danger-outline${size}`}
        aria-label={props.accessibleLabel}
        onClick={() => {
          setAsking(true);
        }}
      >
        {props.label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={props.question}>
      <span class="confirm__question">{props.question}</span>
      <button
        ref={confirm}
        type="button"
        class={`button button--danger${size}`}
        disabled={props.busy}
        aria-busy={props.busy}
        onClick={props.onConfirm}
      >
        {props.confirmLabel}
      </button>
      <button
        type="button"
        class={`button button--secondary${size}`}
        onClick={() => {
          setAsking(false);
        }}
      >
        Cancel
      </button>
    </span>
  );
}

/** How long ago `at` was ("5 min ago"), with the exact time on hover. */
export function RelativeTime(props: { readonly at: string; readonly now: Date; readonly seconds?: boolean }) {
  return (
    <time dateTime={props.at} title={formatDateTime(props.at, { seconds: props.seconds })}>
      {formatRelative(props.at, props.now)}
    </time>
  );
}

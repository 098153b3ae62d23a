/**
 * @module Two form fields the shared ones lack, built the same way (visible label, hint and problem tied to the
 * control by aria-describedby, the problem in `field__error`): a multi-line text area and a checkbox.
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

function describedBy(id: string, hint: unknown, error: string | undefined): string | undefined {
  const ids = [error === undefined ? '' : `${id}-error`, hint === undefined ? '' : `${id}-hint`].filter(
    (x) => x !== '',
  );
  return ids.length === 0 ? undefined : ids.join(' ');
}

function Problem(props: { readonly id: string; readonly error: string | undefined }) {
  return props.error === undefined ? null : (
    <p class="field__error" id={`${props.id}-error`} data-testid="field-error">
      {props.error}
    </p>
  );
}

function Hint(props: { readonly id: string; readonly hint: ComponentChildren }) {
  return props.hint === undefined ? null : (
    <p class="hint" id={`${props.id}-hint`}>
      {props.hint}
    </p>
  );
}

/**
 * The shared stylesheet styles `input` and `select` only; a text area takes the same look through its style
 * property (set through the CSSOM, which the Content-Security-Policy allows, unlike a style attribute in markup).
 */
const textAreaStyle = {
  font: 'inherit',
  fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  fontSize: '0.85rem',
  color: 'var(--text)',
  background: 'var(--surface)',
  border: '1px solid var(--border)',
  borderRadius: '6px',
  padding: '0.5rem 0.65rem',
  width: '100%',
  boxSizing: 'border-box',
  resize: 'vertical',
} as const;

export function TextAreaField(props: {
  readonly label: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly rows?: number;
  readonly maxLength?: number;
  readonly placeholder?: string;
  readonly hint?: ComponentChildren;
  readonly error?: string | undefined;
}) {
  const id = useId();
  const invalid = props.error !== undefined;
  return (
    <div class={invalid ? 'field field--invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        value={props.value}
        rows={props.rows ?? 4}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        spellcheck={false}
        autocapitalize="off"
        onInput={(e) => {
          props.onValue(e.currentTarget.value);
        }}
        aria-invalid={invalid ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
        style={invalid ? { ...textAreaStyle, borderColor: 'var(--error)' } : textAreaStyle}
      />
      <Problem id={id} error={props.error} />
      <Hint id={id} hint={props.hint} />
    </div>
  );
}

export function CheckboxField(props: {
  readonly label: ComponentChildren;
  readonly checked: boolean;
  readonly onChecked: (checked: boolean) => void;
  readonly hint?: ComponentChildren;
  readonly error?: string | undefined;
  readonly testId?: string;
}) {
  const id = useId();
  const invalid = props.error !== undefined;
  return (
    <div class={invalid ? 'field field--invalid' : 'field'}>
      <div class="row">
        <input
          id={id}
          type="checkbox"
          checked={props.checked}
          onChange={(e) => {
            props.onChecked(e.currentTarget.checked);
          }}
          aria-invalid={invalid ? 'true' : undefined}
          aria-describedby={describedBy(id, props.hint, props.error)}
          data-testid={props.testId}
          style={{ width: 'auto', minHeight: 'auto' }}
        />
        <label for={id}>{props.label}</label>
      </div>
      <Problem id={id} error={props.error} />
      <Hint id={id} hint={props.hint} />
    </div>
  );
}

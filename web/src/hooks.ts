/** @module Small hooks for loading data and running form actions with busy and error states. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, messageOf } from './api.js';

export type Loaded<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string }
  | { readonly state: 'ready'; readonly data: T };

/**
 * Runs `load` on mount and whenever `reload` is called; a slow answer from an earlier run never
 * overwrites a newer one. Keeps showing the previous data while reloading.
 */
export function useLoad<T>(load: () => Promise<T>): { result: Loaded<T>; reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let current = true;
    loadRef.current().then(
      (data) => {
        if (current) setResult({ state: 'ready', data });
      },
      (e: unknown) => {
        if (current) setResult({ state: 'error', message: messageOf(e) });
      },
    );
    return () => {
      current = false;
    };
  }, [generation]);
  const reload = useCallback(() => {
    setGeneration((g) => g + 1);
  }, []);
  return { result, reload };
}

export interface Action {
  readonly busy: boolean;
  readonly error: string | undefined;
  /** The failure's problems tied to a field (`target.url` → "Must be …"), for the form to show beside each. */
  readonly fields: Readonly<Record<string, string>>;
  /**
   * The error to show for the form as a whole: undefined when every problem of the failure is shown beside
   * one of `shownFields` (the fields the form draws), so nothing is said twice and nothing is lost.
   */
  errorBesides(shownFields: readonly string[]): string | undefined;
  /** Runs `task` unless one is already running; its failure becomes `error`. Resolves true on success. */
  run(task: () => Promise<void>): Promise<boolean>;
  clearError(): void;
}

const noFields: Readonly<Record<string, string>> = {};

/**
 * `codeFields` ties a failure code to the form field it is about (`auth.wrong-password` → `currentPassword`),
 * for failures the server does not tie to a field itself; the message then shows beside that field.
 */
export function useAction(codeFields: Readonly<Record<string, string>> = noFields): Action {
  const codeFieldsRef = useRef(codeFields);
  codeFieldsRef.current = codeFields;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [fields, setFields] = useState<Readonly<Record<string, string>>>(noFields);
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const run = useCallback(async (task: () => Promise<void>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(undefined);
    setFields(noFields);
    try {
      await task();
      return true;
    } catch (e) {
      if (mounted.current) {
        setError(messageOf(e));
        setFields(e instanceof ApiError ? fieldsOf(e, codeFieldsRef.current) : noFields);
      }
      return false;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => {
    setError(undefined);
    setFields(noFields);
  }, []);
  const errorBesides = (shownFields: readonly string[]): string | undefined => {
    const keys = Object.keys(fields);
    if (keys.length > 0 && keys.every((k) => shownFields.includes(k))) return undefined;
    return error;
  };
  return { busy, error, fields, errorBesides, run, clearError };
}

/** Calls `tick` every `ms` while the page is visible. */
export function useInterval(tick: () => void, ms: number): void {
  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    const id = window.setInterval(() => {
      if (document.visibilityState === 'visible') tickRef.current();
    }, ms);
    return () => {
      window.clearInterval(id);
    };
  }, [ms]);
}

function fieldsOf(
  e: ApiError,
  codeFields: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (Object.keys(e.fields).length > 0) return e.fields;
  const field = codeFields[e.code];
  return field === undefined ? noFields : { [field]: e.message };
}

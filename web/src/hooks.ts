/** @module Small hooks for loading data and running form actions with busy and error states. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { messageOf } from './api.js';

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
  /** Runs `task` unless one is already running; its failure becomes `error`. Resolves true on success. */
  run(task: () => Promise<void>): Promise<boolean>;
  clearError(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
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
    try {
      await task();
      return true;
    } catch (e) {
      if (mounted.current) setError(messageOf(e));
      return false;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clearError = useCallback(() => {
    setError(undefined);
  }, []);
  return { busy, error, run, clearError };
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

/**
 * @module A time limit for one operation, as an AbortSignal that also follows a parent signal.
 *
 * Why not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 the composite holds its sources
 * weakly and the timeout's timer holds its signal weakly, so a timeout signal nobody else references can be
 * garbage-collected while the request waits, and then it never fires: a fetch to a peer that never answers
 * hangs for good. Seen in the test bed (an HTTP echo request sent while the WAN address was being renumbered
 * hung every probe after it). Here the timer holds the controller strongly until `clear()`.
 */

export interface Deadline {
  readonly signal: AbortSignal;
  /** True when the time limit (not the parent) aborted the signal. */
  timedOut(): boolean;
  /** Stops the timer and the parent link; call it when the operation is over. */
  clear(): void;
}

export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(() => {
    if (controller.signal.aborted) return;
    expired = true;
    controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError'));
    parent?.removeEventListener('abort', onParentAbort);
  }, ms);
  // A pending operation keeps the process alive by itself; the timer alone should not.
  timer.unref();
  if (parent?.aborted) {
    clearTimeout(timer);
    controller.abort(parent.reason);
  } else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

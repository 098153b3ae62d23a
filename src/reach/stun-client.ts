/** @module StunClient port: Binding requests from ONE local socket to several servers, so mappings can be compared. */
import type { Family } from './types.js';
import type { StunObservation } from './verdict.js';

export interface StunQueryResult {
  /** The local UDP port all requests were sent from. */
  readonly localPort: number;
  readonly results: readonly StunObservation[];
}

export interface StunClient {
  /**
   * Sends a Binding request to each `host:port` (hostnames resolved for `family`), retransmitting until
   * `timeoutMs`. Never throws: a server that does not answer, or cannot be resolved, is a result with `error`.
   */
  query(
    servers: readonly string[],
    family: Family,
    options: {
      timeoutMs: number;
      signal?: AbortSignal;
      /**
       * Called with each server's observation as soon as it is known (an answer, or its failure); the query goes on
       * until every server has one. Must not throw.
       */
      onResult?: (observation: StunObservation) => void;
    },
  ): Promise<StunQueryResult>;
}

export function splitHostPort(hostPort: string): { host: string; port: number } {
  const i = hostPort.lastIndexOf(':');
  return { host: hostPort.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(i + 1)) };
}

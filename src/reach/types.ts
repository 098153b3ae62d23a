/** @module Shared vocabulary of reachability: address families, source results and the PublicIpSource port. */

export type Family = 'ipv4' | 'ipv6';

/**
 * What one source says about the public address: a known address, or unavailable with the reason.
 * Never "empty": a failed source is a value that names why (STYLE.md, favonia/cloudflare-ddns).
 */
export type SourceResult =
  | {
      readonly kind: 'known';
      /** Stable source id, e.g. `stun:stun.example.net:3478`, `upnp`, `interface:eth0`, `http:api.ipify.org`. */
      readonly source: string;
      readonly family: Family;
      readonly address: string;
      /** Extra facts for the report (mapped port, local address, …). */
      readonly detail?: Readonly<Record<string, string | number | boolean>>;
    }
  | {
      readonly kind: 'unavailable';
      readonly source: string;
      readonly family: Family;
      readonly reason: string;
      /**
       * The source answered but declined to give an address (a router's NAT-PMP result 3, an empty UPnP
       * GetExternalIPAddress) — unlike silence, that is a fact about the source.
       */
      readonly declined?: true;
    };

export interface PublicIpSource {
  /** Stable id (see SourceResult.source); one source may answer for several ids (e.g. several STUN servers). */
  readonly id: string;
  /**
   * Asks the source for the public address of `family`. Must not throw: every failure (timeout, refusal,
   * garbage) is an `unavailable` result with a reason a person can act on. Honours the signal.
   */
  probe(family: Family, signal: AbortSignal): Promise<readonly SourceResult[]>;
}

export const known = (
  source: string,
  family: Family,
  address: string,
  detail?: Readonly<Record<string, string | number | boolean>>,
): SourceResult =>
  detail ? { kind: 'known', source, family, address, detail } : { kind: 'known', source, family, address };

export const unavailable = (source: string, family: Family, reason: string): SourceResult => ({
  kind: 'unavailable',
  source,
  family,
  reason,
});

/** The source answered and declined to give an address (see `SourceResult.declined`). */
export const declined = (source: string, family: Family, reason: string): SourceResult => ({
  kind: 'unavailable',
  source,
  family,
  reason,
  declined: true,
});

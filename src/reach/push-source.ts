/** @module Source "push": the router tells Gatehouse its WAN address (dyndns2-style request, see the DDNS endpoint). */
import type { Clock } from '../core/clock.js';
import { familyOf } from './addresses.js';
import { known, unavailable, type Family, type PublicIpSource, type SourceResult } from './types.js';

/** Holds the last pushed address per family; an old push (default 15 min) no longer counts. */
export class PushedAddressSource implements PublicIpSource {
  readonly id = 'push';
  private readonly latest = new Map<
    Family,
    { address: string; at: number; from: string; trusted: boolean }
  >();

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs = 15 * 60_000,
  ) {}

  /**
   * Records a push; returns false (and records nothing) when `address` is not an IP address. A push from a client
   * the owner marked trusted decides alone (consensus reads `detail.trusted`); any other is one vote.
   */
  push(address: string, from: string, trusted = false): boolean {
    const family = familyOf(address);
    if (!family) return false;
    this.latest.set(family, { address, at: this.clock.now().getTime(), from, trusted });
    return true;
  }

  probe(family: Family): Promise<SourceResult[]> {
    const p = this.latest.get(family);
    if (!p) return Promise.resolve([unavailable('push', family, 'the router has not pushed an address')]);
    const age = this.clock.now().getTime() - p.at;
    if (age > this.maxAgeMs) {
      return Promise.resolve([
        unavailable('push', family, `the last push is ${Math.round(age / 60_000)} min old`),
      ]);
    }
    return Promise.resolve([
      known('push', family, p.address, p.trusted ? { from: p.from, trusted: true } : { from: p.from }),
    ]);
  }
}

/**
 * @module How fast Gatehouse sends updates to each DNS provider, and the pure check of that pace. The engine counts
 * updates per provider account and holds a record back (a `wait`, not a failure) while a window is full, so a
 * flapping address or many records at once never run into a provider's limit or its abuse rules; a 429 that comes
 * anyway is still honoured through `retryAfterMs`.
 *
 * The budgets are in updates (one `set`), derived from each provider's published request limit divided by the
 * requests one update may take (listing the zone and the record, then writing: up to 4 for the REST adapters).
 * Providers that publish no figure get Gatehouse's own pace (`rateWindowsOf`); an RFC 2136 server is the user's
 * own and has none.
 */

/** At most `updates` in any `seconds`. */
export interface RateWindow {
  readonly updates: number;
  readonly seconds: number;
}

/** The budgets by provider kind; a kind missing here gets Gatehouse's own pace (`rateWindowsOf`). */
export const providerRateLimits: ReadonlyMap<string, readonly RateWindow[]> = new Map([
  // The user's own authoritative server: no published limit to keep, nothing to be blocked by.
  ['rfc2136', []],
  // "The global rate limit for the Cloudflare API is 1200 requests per five minutes per user"
  // (https://developers.cloudflare.com/fundamentals/api/reference/limits/).
  ['cloudflare', [{ updates: 300, seconds: 300 }]],
  // "five requests per second per AWS account" (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/
  // DNSLimitations.html#limits-api-requests); an update is a read, one change and GetChange polls after pauses.
  ['route53', [{ updates: 2, seconds: 1 }]],
  // RRset writes (`dns_api_per_domain_expensive`): 2/s, 15/min, 100/h, 300/day
  // (https://desec.readthedocs.io/en/latest/rate-limits.html); counted per account, which is stricter.
  [
    'desec',
    [
      { updates: 2, seconds: 1 },
      { updates: 15, seconds: 60 },
      { updates: 100, seconds: 3600 },
      { updates: 300, seconds: 86_400 },
    ],
  ],
  // 3600 requests per hour per project (https://docs.hetzner.cloud/reference/cloud#rate-limiting).
  ['hetzner', [{ updates: 900, seconds: 3600 }]],
  // 5000 requests per hour and 250 per minute (https://docs.digitalocean.com/reference/api/digitalocean/#section/
  // Introduction/Rate-Limit).
  [
    'digitalocean',
    [
      { updates: 60, seconds: 60 },
      { updates: 1250, seconds: 3600 },
    ],
  ],
  // 1000 requests per minute (https://api.gandi.net/docs/reference/).
  ['gandi', [{ updates: 250, seconds: 60 }]],
]);

/**
 * The budget of a provider kind. Gatehouse's own pace for providers that publish no limit: a change of address
 * touches a few records at once. (Written here, not as a module constant: Stryker's vitest runner cannot kill
 * mutants in tables built when a module loads, stryker-js#6150.)
 */
export function rateWindowsOf(kind: string, limits = providerRateLimits): readonly RateWindow[] {
  return (
    limits.get(kind) ?? [
      { updates: 10, seconds: 60 },
      { updates: 60, seconds: 3600 },
    ]
  );
}

/**
 * When the next update may be sent, given the times (ms) of the updates sent before: undefined when one may go
 * now. A full window frees up when its oldest counted update leaves it.
 */
export function rateLimitedUntil(
  windows: readonly RateWindow[],
  sentMs: readonly number[],
  nowMs: number,
): number | undefined {
  let until: number | undefined;
  for (const w of windows) {
    const spanMs = w.seconds * 1000;
    const inWindow = sentMs.filter((t) => t > nowMs - spanMs).sort((a, b) => a - b);
    const oldest = inWindow[inWindow.length - w.updates];
    if (oldest === undefined) continue;
    until = Math.max(until ?? 0, oldest + spanMs);
  }
  return until;
}

/** The sends still inside the longest window (the rest can never count again). */
export function keepRecentSends(
  windows: readonly RateWindow[],
  sentMs: readonly number[],
  nowMs: number,
): number[] {
  const longestMs = Math.max(0, ...windows.map((w) => w.seconds * 1000));
  return sentMs.filter((t) => t > nowMs - longestMs);
}

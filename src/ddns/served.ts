/**
 * @module The engine's ServedLookup over the DNS client: each authoritative server of the record's zone (found
 * through the resolver), or the servers the settings name, asked directly what it serves.
 */
import type { Clock } from '../core/clock.js';
import { fail } from '../core/outcome.js';
import type { UdpTransport } from '../core/udp.js';
import type { DdnsSettings } from '../config/schema.js';
import type { DnsStreamTransport } from './dns/client.js';
import type { ServedLookup } from './engine.js';
import { parseServer } from './dns/server.js';
import { lookupAuthoritative, parseResolvConf } from './verify.js';

export interface ServedLookupDeps {
  readonly udp: UdpTransport;
  readonly clock: Clock;
  readonly tcp?: DnsStreamTransport;
  /** The text of /etc/resolv.conf (read when a lookup needs the resolver), or undefined. */
  readonly resolvConf: () => string | undefined;
}

export function createServedLookup(
  deps: ServedLookupDeps,
  settings: Pick<DdnsSettings, 'resolver' | 'authoritativeServers'>,
): ServedLookup {
  return async (ref) => {
    const resolver =
      settings.resolver === null
        ? parseResolvConf(deps.resolvConf() ?? '')[0]
        : parseServer(settings.resolver);
    if (!resolver && settings.authoritativeServers.length === 0)
      return fail(
        settings.resolver === null
          ? 'no nameserver in /etc/resolv.conf to find the zone’s servers with (set ddns.resolver)'
          : `ddns.resolver "${settings.resolver}" is not an address`,
      );
    const answers = await lookupAuthoritative(
      ref.name,
      ref.type,
      {
        udp: deps.udp,
        clock: deps.clock,
        ...(deps.tcp ? { tcp: deps.tcp } : {}),
        // With an explicit server list the resolver only looks up server names given as names.
        resolver: resolver ?? { address: '127.0.0.1', port: 53 },
      },
      settings.authoritativeServers.length > 0 ? { servers: settings.authoritativeServers } : {},
    );
    if (!answers.ok) return answers;
    return {
      ok: true,
      value: answers.value.servers.map((s) =>
        s.result.ok
          ? { server: s.server, values: s.result.value.values }
          : { server: s.server, values: null, error: s.result.error },
      ),
    };
  };
}

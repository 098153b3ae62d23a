/**
 * @module DNS echo source: a name whose answer is the asking address, queried directly at the authoritative
 * server (OpenDNS `myip.opendns.com A @resolver1.opendns.com`, Google `o-o.myaddr.l.google.com TXT @ns1.google.com`).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { familyOf } from './addresses.js';
import { known, unavailable, type Family, type PublicIpSource, type SourceResult } from './types.js';

export interface DnsEchoEndpoint {
  /** Server hostname or address, optionally with :port. */
  readonly server: string;
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'TXT';
}

/** Picks the address of `family` out of TXT strings (some servers add other text). Pure. */
export function addressFromTxt(records: readonly (readonly string[])[], family: Family): string | undefined {
  for (const chunks of records) {
    const text = chunks.join('').trim();
    if (familyOf(text) === family) return text;
  }
  return undefined;
}

async function serverAddress(server: string, family: Family): Promise<string> {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(server);
  const host = m?.[1] ?? m?.[2] ?? server;
  const port = m?.[3];
  let ip = host;
  if (!isIP(host)) {
    // The echo server itself is found through the system resolver, over the family being probed.
    const lookup = new Resolver({ timeout: 2000, tries: 1 });
    const found = family === 'ipv4' ? await lookup.resolve4(host) : await lookup.resolve6(host);
    ip = found[0] ?? host;
  }
  const withBrackets = ip.includes(':') ? `[${ip}]` : ip;
  return port ? `${withBrackets}:${port}` : ip;
}

export function dnsEchoSource(endpoints: readonly DnsEchoEndpoint[], timeoutMs: number): PublicIpSource {
  return {
    id: 'dns',
    async probe(family): Promise<SourceResult[]> {
      const mine = endpoints.filter((e) => (family === 'ipv4' ? e.type !== 'AAAA' : e.type !== 'A'));
      return Promise.all(
        mine.map(async (e): Promise<SourceResult> => {
          const id = `dns:${e.server}`;
          try {
            const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
            resolver.setServers([await serverAddress(e.server, family)]);
            let address: string | undefined;
            if (e.type === 'TXT') address = addressFromTxt(await resolver.resolveTxt(e.name), family);
            else
              address = (
                e.type === 'A' ? await resolver.resolve4(e.name) : await resolver.resolve6(e.name)
              )[0];
            if (address === undefined || familyOf(address) !== family) {
              return unavailable(id, family, `${e.name} ${e.type} at ${e.server} held no ${family} address`);
            }
            return known(id, family, address);
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            return unavailable(id, family, `${e.name} ${e.type} at ${e.server}: ${code}`);
          }
        }),
      );
    },
  };
}

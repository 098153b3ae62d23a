/** @module The box's own addresses, read with `ip -j addr show` through the CommandRunner (zod-validated). */
import { z } from 'zod';
import type { CommandRunner } from '../core/runner.js';
import type { Outcome } from '../core/outcome.js';
import { checkBogon } from './addresses.js';
import { known, unavailable, type Family, type PublicIpSource, type SourceResult } from './types.js';

const addrInfoSchema = z.object({
  family: z.enum(['inet', 'inet6']),
  local: z.string(),
  prefixlen: z.number(),
  scope: z.string(),
  temporary: z.boolean().optional(),
  deprecated: z.boolean().optional(),
  tentative: z.boolean().optional(),
  dadfailed: z.boolean().optional(),
});

const linkSchema = z.object({
  ifname: z.string(),
  flags: z.array(z.string()).optional(),
  addr_info: z.array(addrInfoSchema.loose()).default([]),
});

export interface InterfaceAddress {
  readonly ifname: string;
  readonly family: Family;
  readonly address: string;
  readonly scope: string;
  readonly temporary: boolean;
  readonly deprecated: boolean;
}

/** Parses `ip -j addr show` output. Pure. */
export function parseIpAddr(json: string): Outcome<InterfaceAddress[], string> {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return { ok: false, error: 'ip -j addr show printed something that is not JSON' };
  }
  const parsed = z.array(linkSchema.loose()).safeParse(doc);
  if (!parsed.success)
    return { ok: false, error: `unexpected ip -j output: ${parsed.error.issues[0]?.message ?? ''}` };
  return {
    ok: true,
    value: parsed.data.flatMap((link) =>
      link.addr_info
        .filter((a) => !a.tentative && !a.dadfailed)
        .map((a) => ({
          ifname: link.ifname,
          family: a.family === 'inet' ? ('ipv4' as const) : ('ipv6' as const),
          address: a.local,
          scope: a.scope,
          temporary: a.temporary === true,
          deprecated: a.deprecated === true,
        })),
    ),
  };
}

export async function readInterfaceAddresses(
  runner: CommandRunner,
): Promise<Outcome<InterfaceAddress[], string>> {
  const r = await runner.run(['ip', '-j', 'addr', 'show'], { timeoutMs: 5000 });
  if (!r.ok) return { ok: false, error: r.error.message };
  if (r.value.exitCode !== 0) return { ok: false, error: `ip addr show failed: ${r.value.stderr.trim()}` };
  return parseIpAddr(r.value.stdout);
}

/**
 * The addresses a person would call "this box's" for a family: global scope, not loopback; for IPv6 stable
 * addresses first (not temporary privacy addresses, not deprecated ones).
 */
export function boxAddresses(all: readonly InterfaceAddress[], family: Family): string[] {
  return all
    .filter((a) => a.family === family && a.scope === 'global')
    .sort((a, b) => Number(a.temporary) - Number(b.temporary) || Number(a.deprecated) - Number(b.deprecated))
    .map((a) => a.address);
}

/** Source "interface": a public address held by the box itself (a VPS, a modem in bridge mode, IPv6). */
export function interfaceSource(runner: CommandRunner, publicRanges: readonly string[]): PublicIpSource {
  return {
    id: 'interface',
    async probe(family): Promise<SourceResult[]> {
      const r = await readInterfaceAddresses(runner);
      if (!r.ok) return [unavailable('interface', family, r.error)];
      const candidates = r.value
        .filter((a) => a.family === family && a.scope === 'global' && !a.deprecated)
        .sort((a, b) => Number(a.temporary) - Number(b.temporary));
      const usable = candidates.find((a) => !checkBogon(a.address, publicRanges).bogon);
      if (!usable) {
        const name = family === 'ipv4' ? 'IPv4' : 'IPv6';
        return [
          unavailable(
            'interface',
            family,
            candidates.length > 0
              ? `only non-public ${name} addresses on this box (${candidates.map((c) => c.address).join(', ')})`
              : `no global ${name} address on this box`,
          ),
        ];
      }
      return [
        known('interface', family, usable.address, { ifname: usable.ifname, temporary: usable.temporary }),
      ];
    },
  };
}

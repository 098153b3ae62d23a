/** @module The first hops towards the internet (traceroute through the CommandRunner): where NAT layers show. */
import { describeFailedExit, type CommandRunner } from '../core/runner.js';
import { familyOf } from './addresses.js';

/**
 * Parses `traceroute -n` output into hop number → the first address that answered at that hop (null when no probe
 * of it was answered), in the order of the output. Stars and round-trip times are not addresses. Pure.
 */
export function parseHops(stdout: string): Map<number, string | null> {
  const hops = new Map<number, string | null>();
  for (const line of stdout.split('\n')) {
    // Stryker disable next-line Regex: splitting at single spaces only adds empty tokens, which are no address
    const [first, ...rest] = line.trim().split(/\s+/);
    const hop = Number(first);
    // The header ("traceroute to …, 3 hops max") does not start with a hop number; an empty line has none.
    if (!first || !Number.isInteger(hop)) continue;
    hops.set(hop, rest.find((token) => familyOf(token) !== undefined) ?? null);
  }
  return hops;
}

/** Parses `traceroute -n` output into hop addresses (null for a hop that did not answer). Pure. */
export function parseTraceroute(stdout: string): (string | null)[] {
  return [...parseHops(stdout).values()];
}

/** Silent hops filled in from a second, slower look at the same hops. Pure. */
export function mergeHops(
  first: readonly (string | null)[],
  again: ReadonlyMap<number, string | null>,
): (string | null)[] {
  return first.map((hop, i) => hop ?? again.get(i + 1) ?? null);
}

type Trace = { ok: true; hops: (string | null)[] } | { ok: false; reason: string };

async function traceroute(
  runner: CommandRunner,
  args: readonly string[],
  target: string,
  timeoutMs: number,
): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  const r = await runner.run(['traceroute', '-n', ...args, target], { timeoutMs });
  if (!r.ok) {
    return {
      ok: false,
      reason:
        r.error.kind === 'not-found'
          ? 'traceroute is not installed (apt-get install traceroute)'
          : r.error.message,
    };
  }
  if (r.value.exitCode !== 0) {
    // traceroute's words when the target's name does not resolve (it looks the name up itself).
    if (/Cannot handle "host" cmdline arg/.test(r.value.stderr))
      return { ok: false, reason: `traceroute could not look up ${target} (DNS)` };
    return { ok: false, reason: describeFailedExit('traceroute', r.value, timeoutMs) };
  }
  return { ok: true, stdout: r.value.stdout };
}

/**
 * Up to `maxHops` hops towards `target` (an address on the internet, e.g. a STUN server), or a reason.
 * UDP probes, one per hop, 1 s each: a few seconds at most. When the hop after the router stays silent (as
 * carrier-grade NATs often do), the hops from there on are probed once more with three probes each, since one lost
 * answer (ICMP rate limits) must not hide a 100.64.0.0/10 hop.
 */
export async function tracePath(runner: CommandRunner, target: string, maxHops = 3): Promise<Trace> {
  const timeoutMs = (maxHops + 2) * 1500;
  const first = await traceroute(runner, ['-q', '1', '-w', '1', '-m', String(maxHops)], target, timeoutMs);
  if (!first.ok) return first;
  const hops = parseTraceroute(first.stdout);
  // Hop 1 is the router; the hop after it tells CGNAT apart, so only its silence is worth a second look.
  // (No hop 2 at all is `undefined`: nothing to look at again either.)
  if (hops[1] !== null) return { ok: true, hops };
  const again = await traceroute(
    runner,
    ['-q', '3', '-w', '1', '-f', '2', '-m', String(maxHops)],
    target,
    timeoutMs,
  );
  // The second look only adds: when it fails, the first one stands.
  return { ok: true, hops: again.ok ? mergeHops(hops, parseHops(again.stdout)) : hops };
}

/** @module The first hops towards the internet (traceroute through the CommandRunner): where NAT layers show. */
import { describeFailedExit, type CommandRunner } from '../core/runner.js';

/** Parses `traceroute -n` output into hop addresses (null for a hop that did not answer). Pure. */
export function parseTraceroute(stdout: string): (string | null)[] {
  const hops: (string | null)[] = [];
  // The header ("traceroute to …, 3 hops max") does not start with a hop number, so the pattern skips it.
  for (const line of stdout.split('\n')) {
    const m = /^\s*\d+\s+(\S+)/.exec(line);
    if (!m) continue;
    hops.push(m[1] === '*' ? null : (m[1] ?? null));
  }
  return hops;
}

/**
 * Up to `maxHops` hops towards `target` (an address on the internet, e.g. a STUN server), or a reason.
 * UDP probes, one per hop, 1 s each: a few seconds at most.
 */
export async function tracePath(
  runner: CommandRunner,
  target: string,
  maxHops = 3,
): Promise<{ ok: true; hops: (string | null)[] } | { ok: false; reason: string }> {
  const timeoutMs = (maxHops + 2) * 1500;
  const r = await runner.run(['traceroute', '-n', '-q', '1', '-w', '1', '-m', String(maxHops), target], {
    timeoutMs,
  });
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
    return { ok: false, reason: describeFailedExit('traceroute', r.value, timeoutMs) };
  }
  return { ok: true, hops: parseTraceroute(r.value.stdout) };
}

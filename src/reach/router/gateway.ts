/** @module The router's address, from the default route (`ip -j route show default`), for NAT-PMP and PCP. */
import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { describeFailedExit, type CommandRunner } from '../../core/runner.js';

export type GatewayLookup =
  { readonly ok: true; readonly address: string } | { readonly ok: false; readonly reason: string };

/** Finds the router to talk to. Never throws: a missing route or tool is a reason. */
export type GatewayLocator = (signal?: AbortSignal) => Promise<GatewayLookup>;

const routesSchema = z.array(
  z.looseObject({
    dst: z.string(),
    gateway: z.string().optional(),
    dev: z.string().optional(),
    metric: z.number().optional(),
  }),
);

/**
 * Picks the IPv4 default gateway from `ip -j route show default` output: the route with the lowest metric that
 * has a gateway. Pure.
 */
export function parseDefaultGateway(stdout: string): GatewayLookup {
  let json: unknown;
  try {
    json = stdout.trim() === '' ? [] : JSON.parse(stdout);
  } catch {
    return { ok: false, reason: 'ip -j route printed something that is not JSON' };
  }
  const parsed = routesSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'ip -j route printed an unexpected shape' };
  const candidates = parsed.data
    .filter(isDefaultViaIpv4Gateway)
    .sort((a, b) => (a.metric ?? 0) - (b.metric ?? 0));
  const best = candidates[0];
  if (!best?.gateway) return { ok: false, reason: 'no IPv4 default route with a gateway' };
  return { ok: true, address: best.gateway };
}

function isDefaultViaIpv4Gateway(route: z.infer<typeof routesSchema>[number]): boolean {
  if (route.dst !== 'default') return false;
  // Stryker disable next-line StringLiteral: no gateway and any text that is not an IPv4 address both mean "none"
  return isIPv4(route.gateway ?? '');
}

/** The GatewayLocator of a real box: asks iproute2 each time (routes change when links come and go). */
export function defaultRouteGateway(runner: CommandRunner): GatewayLocator {
  return async (signal) => {
    const timeoutMs = 5000;
    const r = await runner.run(['ip', '-j', 'route', 'show', 'default'], {
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    if (!r.ok) return { ok: false, reason: r.error.message };
    if (r.value.exitCode !== 0)
      return { ok: false, reason: describeFailedExit('ip route', r.value, timeoutMs) };
    return parseDefaultGateway(r.value.stdout);
  };
}

/** A fixed gateway (configuration, tests). */
export function fixedGateway(address: string): GatewayLocator {
  return () => Promise.resolve({ ok: true, address });
}

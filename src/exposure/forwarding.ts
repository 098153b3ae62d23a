/**
 * @module IP forwarding, which the tunnel needs to reach the LAN (neither WireGuard nor nftables turns it on):
 * read with `sysctl -n`, switched on with `sysctl -w`, through the CommandRunner.
 *
 * Caveat for the caller: with `net.ipv6.conf.all.forwarding=1` the kernel acts as an IPv6 router and ignores router
 * advertisements on interfaces whose `accept_ra` is 1 — a box that gets its own IPv6 address by SLAAC needs
 * `accept_ra=2` on its LAN interface before IPv6 forwarding is switched on. Only enable IPv6 forwarding when the
 * pool has IPv6. `sysctl -w` does not persist across reboots: the owner (or the package) writes
 * /etc/sysctl.d/ for that.
 */
import { failure, type Failure, type Outcome } from '../core/outcome.js';
import type { CommandRunner } from '../core/runner.js';
import type { AddressFamily } from './lan-ranges.js';

const keys: Readonly<Record<AddressFamily, string>> = {
  ipv4: 'net.ipv4.ip_forward',
  ipv6: 'net.ipv6.conf.all.forwarding',
};

const timeoutMs = 10_000;

/** The command the owner can run as root to do what enableForwarding could not. */
export function enableCommand(family: AddressFamily): string {
  return `sysctl -w ${keys[family]}=1`;
}

/** sysctl's first line of complaint, without the rest. */
const firstLine = (text: string): string => text.trim().replace(/\n[\s\S]*$/, '');

const missingSysctl = (message: string): Failure =>
  failure('exposure.sysctl-missing', `sysctl cannot run (${message}): install the procps package`);

async function read(runner: CommandRunner, family: AddressFamily): Promise<Outcome<boolean | null>> {
  const r = await runner.run(['sysctl', '-n', keys[family]], { timeoutMs });
  if (!r.ok) return { ok: false, error: missingSysctl(r.error.message) };
  if (r.value.exitCode !== 0) {
    // A kernel without IPv6 has no such key: IPv6 cannot be forwarded, which is an answer, not an error.
    if (family === 'ipv6' && /cannot stat|No such file/.test(r.value.stderr))
      return { ok: true, value: null };
    const said = firstLine(r.value.stderr);
    return {
      ok: false,
      error: failure(
        'exposure.sysctl-failed',
        `sysctl -n ${keys[family]} failed${said === '' ? '' : `: ${said}`}`,
      ),
    };
  }
  const value = r.value.stdout.trim();
  if (value !== '0' && value !== '1') {
    return {
      ok: false,
      error: failure(
        'exposure.sysctl-failed',
        `sysctl -n ${keys[family]} printed ${JSON.stringify(value.slice(0, 40))}, not 0 or 1`,
      ),
    };
  }
  return { ok: true, value: value === '1' };
}

/** Whether the kernel forwards IPv4 and IPv6 (a kernel without IPv6 reads as ipv6: false). */
export async function checkForwarding(
  runner: CommandRunner,
): Promise<Outcome<{ ipv4: boolean; ipv6: boolean }>> {
  const ipv4 = await read(runner, 'ipv4');
  if (!ipv4.ok) return ipv4;
  const ipv6 = await read(runner, 'ipv6');
  if (!ipv6.ok) return ipv6;
  return { ok: true, value: { ipv4: ipv4.value === true, ipv6: ipv6.value === true } };
}

/** Switches forwarding on for each family (`sysctl -w`); a failure names the command to run as root. */
export async function enableForwarding(
  runner: CommandRunner,
  families: readonly AddressFamily[],
): Promise<Outcome<void>> {
  for (const family of [...new Set(families)]) {
    const r = await runner.run(['sysctl', '-w', `${keys[family]}=1`], { timeoutMs });
    if (!r.ok) return { ok: false, error: missingSysctl(r.error.message) };
    if (r.value.exitCode !== 0) {
      const said = firstLine(r.value.stderr);
      return {
        ok: false,
        error: failure(
          'exposure.forwarding-off',
          `IP forwarding (${family}) could not be switched on${said === '' ? '' : ` (${said})`}: run as root \`${enableCommand(family)}\``,
        ),
      };
    }
  }
  return { ok: true, value: undefined };
}

/** The forwarding port over a runner (structurally src/wireguard/reconciler.ts `Forwarding`). */
export function createForwarding(runner: CommandRunner): {
  check(): Promise<Outcome<{ ipv4: boolean; ipv6: boolean }>>;
  enable(families: readonly AddressFamily[]): Promise<Outcome<void>>;
} {
  return {
    check: () => checkForwarding(runner),
    enable: (families) => enableForwarding(runner, families),
  };
}

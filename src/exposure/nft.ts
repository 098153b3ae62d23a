/**
 * @module The nftables adapter: loads, checks, reads back and removes `table inet gatehouse` with the `nft` program
 * through the CommandRunner (scripts on stdin, argv only), reads its counters from `nft -j`, and finds other
 * tables' forward chains that would drop the tunnel's traffic whatever our table allows.
 */
import { z } from 'zod';
import type { Outcome } from '../core/outcome.js';
import { describeFailedExit, type CommandRunner } from '../core/runner.js';
import type { Protocol } from '../wireguard/model.js';
import { parseIpLiteral } from './lan-ranges.js';
import { planRulesetUpdate, type UpdatePlan } from './ruleset-diff.js';
import { tableFamily, tableName, tunnelDropCounters, type ElementHits, type Hook } from './ruleset.js';

export type FirewallFailureCode =
  /** The `nft` program is missing or cannot start. */
  | 'exposure.nft-missing'
  /** nft ran and refused (a script error, no permission, …); the message carries its first lines of stderr. */
  | 'exposure.nft-failed'
  /** nft printed something this adapter cannot read. */
  | 'exposure.nft-output'
  /** `counters()` found no table: nothing has been applied (or it was removed). */
  | 'exposure.not-applied';

export interface FirewallFailure {
  readonly code: FirewallFailureCode;
  readonly message: string;
}

export interface PacketCount {
  readonly packets: number;
  readonly bytes: number;
}

export interface FirewallCounters {
  /** Dropped from the tunnel: the sum of ruleset.ts `tunnelDropCounters`. */
  readonly drops: PacketCount;
  /** Every named counter of the table by name (ruleset.ts `dropCounters`). */
  readonly named: Readonly<Record<string, PacketCount>>;
  /** Per flow set element (ruleset.ts `hitsOfFlow` maps them back to flows). */
  readonly elements: readonly ElementHits[];
}

export interface NftFirewall {
  /** Loads the script in one transaction (`nft -f -`): all of it or nothing; on failure the previous table stays. */
  apply(script: string): Promise<Outcome<void, FirewallFailure>>;
  /**
   * Brings the table to `script` (a buildRuleset script) with the least disturbance: reads the live table and,
   * when only flow set elements differ, applies just those (ruleset-diff.ts `planRulesetUpdate`: unchanged
   * elements and their counters stay); otherwise — or when the element update is refused — loads the whole script.
   */
  sync(script: string): Promise<Outcome<{ readonly mode: UpdatePlan['mode'] }, FirewallFailure>>;
  /** Validates the script without applying it (`nft -c -f -`). */
  check(script: string): Promise<Outcome<void, FirewallFailure>>;
  /** The table as nft lists it, or null when it does not exist. */
  current(): Promise<Outcome<string | null, FirewallFailure>>;
  counters(): Promise<Outcome<FirewallCounters, FirewallFailure>>;
  /** Deletes our table (and nothing else): true when it existed. */
  remove(): Promise<Outcome<boolean, FirewallFailure>>;
  /**
   * Other tables' base chains on the forward hook with `policy drop` (Docker, ufw, …): each a sentence with the
   * remedy. `interfaceName` (the WireGuard interface) makes the remedies copy-pasteable.
   */
  foreignForwardDrops(interfaceName?: string): Promise<Outcome<string[], FirewallFailure>>;
}

const table = `${tableFamily} ${tableName}`;
const defaultTimeoutMs = 30_000;

/** The first lines of nft's stderr: its error and the script line it points at (our own script, never a secret). */
export function firstLines(text: string, count = 4): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l !== '')
    .slice(0, count)
    .join('\n')
    .slice(0, 600);
}

const missingNft = (detail: string): FirewallFailure => ({
  code: 'exposure.nft-missing',
  message: `nft cannot run (${detail}): install the nftables package (e.g. apt-get install nftables)`,
});

const failed = (what: string, stderr: string, exitCode: number): FirewallFailure => {
  const said = firstLines(stderr);
  return {
    code: 'exposure.nft-failed',
    message: `${what} failed (nft exit ${String(exitCode)})${said === '' ? '' : `: ${said}`}`,
  };
};

const unreadable = (what: string, why: string): { ok: false; error: FirewallFailure } => ({
  ok: false,
  error: { code: 'exposure.nft-output', message: `nft printed ${what} that Gatehouse cannot read: ${why}` },
});

/** nft's answer when the named table does not exist (ENOENT), as opposed to any other refusal. */
export const isNoSuchTable = (stderr: string): boolean => stderr.includes('No such file or directory');

const countSchema = z.object({
  packets: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

const namedCounterSchema = z.object({
  counter: z
    .object({ family: z.string(), table: z.string(), name: z.string() })
    .extend(countSchema.shape)
    .loose(),
});

const elemValueSchema = z.union([
  z.string(),
  z.number(),
  z.object({ range: z.tuple([z.number(), z.number()]) }).loose(),
]);

const setElemSchema = z.object({
  elem: z
    .object({
      val: z.object({ concat: z.array(elemValueSchema) }).loose(),
      counter: countSchema.loose().optional(),
    })
    .loose(),
});

const setSchema = z.object({
  set: z
    .object({
      family: z.string(),
      table: z.string(),
      name: z.string(),
      elem: z.array(z.unknown()).optional(),
    })
    .loose(),
});

const chainSchema = z.object({
  chain: z
    .object({
      family: z.string(),
      table: z.string(),
      name: z.string(),
      hook: z.string().optional(),
      policy: z.string().optional(),
    })
    .loose(),
});

const documentSchema = z.object({ nftables: z.array(z.unknown()) }).loose();

function parseDocument(json: string, what: string): Outcome<unknown[], FirewallFailure> {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return unreadable(what, 'not JSON');
  }
  const parsed = documentSchema.safeParse(doc);
  if (!parsed.success) return unreadable(what, 'no "nftables" array');
  return { ok: true, value: parsed.data.nftables };
}

const protocolOf = (v: unknown): Protocol | undefined =>
  v === 'tcp' || v === 6 ? 'tcp' : v === 'udp' || v === 17 ? 'udp' : undefined;

/** `forward_v4` → forward, `input_v6` → input; other sets (the LAN ranges) carry no flows. */
function hookOfSet(name: string): Hook | undefined {
  const match = /^(forward|input)_v[46]$/.exec(name);
  return match?.[1] === 'forward' ? 'forward' : match?.[1] === 'input' ? 'input' : undefined;
}

function elementHits(hook: Hook, raw: unknown): ElementHits | undefined {
  const parsed = setElemSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const [peer, host, proto, port] = parsed.data.elem.val.concat;
  const peerAddress = typeof peer === 'string' ? parseIpLiteral(peer) : undefined;
  const hostAddress = typeof host === 'string' ? parseIpLiteral(host) : undefined;
  const protocol = protocolOf(proto);
  const ports: readonly [number, number] | undefined =
    typeof port === 'number' ? [port, port] : typeof port === 'object' ? port.range : undefined;
  if (!peerAddress || !hostAddress || !protocol || !ports) return undefined;
  const count = parsed.data.elem.counter ?? { packets: 0, bytes: 0 };
  return {
    hook,
    peerAddress: peerAddress.text,
    host: hostAddress.text,
    protocol,
    portFrom: ports[0],
    portTo: ports[1],
    packets: count.packets,
    bytes: count.bytes,
  };
}

/** Reads the counters out of `nft -j list table inet gatehouse`. Pure. */
export function parseCounters(json: string): Outcome<FirewallCounters, FirewallFailure> {
  const doc = parseDocument(json, 'a table listing');
  if (!doc.ok) return doc;
  const named: Record<string, PacketCount> = {};
  const elements: ElementHits[] = [];
  for (const item of doc.value) {
    const counter = namedCounterSchema.safeParse(item);
    if (counter.success && counter.data.counter.table === tableName) {
      const { name, packets, bytes } = counter.data.counter;
      named[name] = { packets, bytes };
      continue;
    }
    const set = setSchema.safeParse(item);
    if (!set.success || set.data.set.table !== tableName) continue;
    const hook = hookOfSet(set.data.set.name);
    if (hook === undefined) continue;
    for (const raw of set.data.set.elem ?? []) {
      const hits = elementHits(hook, raw);
      if (hits === undefined) return unreadable('a set element', JSON.stringify(raw).slice(0, 200));
      elements.push(hits);
    }
  }
  const drops = tunnelDropCounters.reduce<PacketCount>(
    (sum, name) => ({
      packets: sum.packets + (named[name]?.packets ?? 0),
      bytes: sum.bytes + (named[name]?.bytes ?? 0),
    }),
    { packets: 0, bytes: 0 },
  );
  return { ok: true, value: { drops, named, elements } };
}

/**
 * From `nft -j list ruleset`: every base chain of another table on the forward hook whose policy is drop, as a
 * sentence with the remedy. An accept in our table cannot overrule a drop elsewhere (nft(8): a drop is final, an
 * accept only ends its own base chain), so such a chain silently eats the tunnel's traffic. Pure.
 */
export function describeForeignForwardDrops(
  json: string,
  interfaceName?: string,
): Outcome<string[], FirewallFailure> {
  const doc = parseDocument(json, 'a ruleset listing');
  if (!doc.ok) return doc;
  const chains: z.infer<typeof chainSchema>['chain'][] = [];
  for (const item of doc.value) {
    const parsed = chainSchema.safeParse(item);
    if (parsed.success) chains.push(parsed.data.chain);
  }
  const wg = interfaceName ?? '<wireguard-interface>';
  const namesIn = (family: string, tableOf: string) =>
    chains.filter((c) => c.family === family && c.table === tableOf).map((c) => c.name);
  const sentences: string[] = [];
  for (const c of chains) {
    if (c.hook !== 'forward' || c.policy !== 'drop') continue;
    if (c.family === tableFamily && c.table === tableName) continue;
    const where = `chain ${c.name} of table ${c.family} ${c.table}`;
    const siblings = namesIn(c.family, c.table);
    if (siblings.includes('DOCKER-USER')) {
      sentences.push(
        `Docker's FORWARD policy drops forwarded traffic (${where}), including the tunnel's even where Gatehouse allows it: ` +
          `add rules to DOCKER-USER, e.g. \`iptables -I DOCKER-USER -i ${wg} -j ACCEPT\` and ` +
          `\`iptables -I DOCKER-USER -o ${wg} -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\` ` +
          `(Gatehouse's own table still drops what is not granted).`,
      );
    } else if (siblings.some((n) => n.startsWith('ufw'))) {
      sentences.push(
        `ufw's default forward policy drops forwarded traffic (${where}), including the tunnel's: ` +
          `run \`ufw route allow in on ${wg}\` and \`ufw route allow out on ${wg}\`, or set ` +
          `DEFAULT_FORWARD_POLICY="ACCEPT" in /etc/default/ufw (Gatehouse's own table still drops what is not granted).`,
      );
    } else if (c.table.startsWith('docker')) {
      sentences.push(
        `Docker's nftables firewall drops forwarded traffic (${where}), including the tunnel's: start dockerd with ` +
          `--bridge-accept-fwmark and mark the tunnel's packets, or with --ip-forward-no-drop ` +
          `(Gatehouse's own table still drops what is not granted).`,
      );
    } else {
      sentences.push(
        `The ${where} drops forwarded traffic by default (policy drop), including the tunnel's even where Gatehouse ` +
          `allows it: add an accept there for iifname "${wg}" and for replies to oifname "${wg}", or change its policy.`,
      );
    }
  }
  return { ok: true, value: sentences };
}

/** The nftables firewall over a CommandRunner (a runner wrapped in `ip netns exec` works on a namespace). */
export function createNftFirewall(
  runner: CommandRunner,
  options: { readonly timeoutMs?: number } = {},
): NftFirewall {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;

  /** Runs nft; a missing program or a run that could not start is the nft-missing failure. */
  async function nft(
    args: readonly string[],
    stdin?: string,
  ): Promise<Outcome<{ exitCode: number; stdout: string; stderr: string }, FirewallFailure>> {
    const r = await runner.run(['nft', ...args], stdin === undefined ? { timeoutMs } : { timeoutMs, stdin });
    if (!r.ok) {
      return {
        ok: false,
        error:
          r.error.kind === 'cancelled'
            ? { code: 'exposure.nft-failed', message: r.error.message }
            : missingNft(r.error.message),
      };
    }
    return { ok: true, value: r.value };
  }

  async function load(args: readonly string[], script: string, what: string) {
    const r = await nft(args, script);
    if (!r.ok) return r;
    if (r.value.exitCode !== 0) {
      const stderr =
        r.value.stderr.trim() === '' ? describeFailedExit('nft', r.value, timeoutMs) : r.value.stderr;
      return { ok: false as const, error: failed(what, stderr, r.value.exitCode) };
    }
    return { ok: true as const, value: undefined };
  }

  async function list(json: boolean): Promise<Outcome<string | null, FirewallFailure>> {
    const r = await nft(
      json ? ['-j', 'list', 'table', tableFamily, tableName] : ['list', 'table', tableFamily, tableName],
    );
    if (!r.ok) return r;
    if (r.value.exitCode === 0) return { ok: true, value: r.value.stdout };
    if (isNoSuchTable(r.value.stderr)) return { ok: true, value: null };
    return { ok: false, error: failed(`nft list table ${table}`, r.value.stderr, r.value.exitCode) };
  }

  const apply = (script: string) => load(['-f', '-'], script, 'loading the firewall table');

  return {
    apply,
    async sync(script) {
      const live = await list(false);
      if (!live.ok) return live;
      const plan = planRulesetUpdate(live.value, script);
      if (plan.mode === 'none') return { ok: true, value: { mode: 'none' } };
      if (plan.mode === 'elements') {
        const updated = await load(['-f', '-'], plan.script, 'updating the firewall table');
        if (updated.ok) return { ok: true, value: { mode: 'elements' } };
      }
      const replaced = await apply(script);
      return replaced.ok ? { ok: true, value: { mode: 'replace' } } : replaced;
    },
    check: (script) => load(['-c', '-f', '-'], script, 'checking the firewall table'),
    current: () => list(false),
    async counters() {
      const r = await list(true);
      if (!r.ok) return r;
      if (r.value === null) {
        return {
          ok: false,
          error: {
            code: 'exposure.not-applied',
            message: `table ${table} does not exist: no firewall applied`,
          },
        };
      }
      return parseCounters(r.value);
    },
    async remove() {
      const r = await nft(['delete', 'table', tableFamily, tableName]);
      if (!r.ok) return r;
      if (r.value.exitCode === 0) return { ok: true, value: true };
      if (isNoSuchTable(r.value.stderr)) return { ok: true, value: false };
      return { ok: false, error: failed(`nft delete table ${table}`, r.value.stderr, r.value.exitCode) };
    },
    async foreignForwardDrops(interfaceName) {
      const r = await nft(['-j', 'list', 'ruleset']);
      if (!r.ok) return r;
      if (r.value.exitCode !== 0)
        return { ok: false, error: failed('nft list ruleset', r.value.stderr, r.value.exitCode) };
      return describeForeignForwardDrops(r.value.stdout, interfaceName);
    },
  };
}

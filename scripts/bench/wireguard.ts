// Benchmark (not a test): WireGuard with 1,000 peers on the test bed (issue 11), as root.
//   direct: wireguard-go in gw configured by hand (no Gatehouse): one peer added to an interface that carries 1,000
//           with `wg set` and with `wg syncconf`, timed, while the phone streams UDP through the tunnel (datagrams
//           lost); one TCP stream's throughput with no ruleset against the same tunnel with Gatehouse's ruleset
//           (buildRuleset of src/exposure for those 1,000 peers + the phone), runs alternating.
//   server: `gatehouse serve` in gw: 1,000 peers through the control API, then one more — time until the interface
//           carries it and datagrams the phone's stream lost meanwhile; GET /v1/wireguard/peers with 1,001 peers;
//           one TCP stream's throughput through Gatehouse's own interface and table, against the hand-made tunnel.
// Usage: npm run bench:wireguard [-- --part direct|server|all] [--peers 1000] [--runs 5] [--seconds 5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createControlClient, type ControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import { buildRuleset } from '../../src/exposure/ruleset.js';
import type { PeerSpec } from '../../src/wireguard/model.js';
import { addr, gatehouseReachabilityConfig, ports } from '../../test/testbed/plan.js';
import { Testbed, unavailableReason, waitFor } from '../../test/testbed/testbed.js';
import {
  gatehouseHttp,
  handPeer,
  handServer,
  handTable,
  phoneTunnel,
  startTcpSink,
  startUdpEcho,
  startUdpStream,
  tcpThroughput,
  type HandPeer,
  type HandServer,
  type PhoneTunnel,
} from '../../test/testbed/wireguard-phone.js';

const { values } = parseArgs({
  options: {
    part: { type: 'string', default: 'all' },
    peers: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    /** Also time variants of Gatehouse's table that tell where its per-packet cost goes. */
    variants: { type: 'boolean', default: false },
  },
});
const peerCount = Number(values.peers);
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const part = values.part;
const reason = unavailableReason();
if (reason) {
  console.error(`bench: ${reason}`);
  process.exit(1);
}

const lan = addr.lanHost;
const echoPort = 9101;
const sinkPort = 9102;

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (xs: readonly number[], digits = 1) => {
  const s = sorted(xs);
  return `${(s[0] ?? NaN).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${(s.at(-1) ?? NaN).toFixed(digits)}`;
};

/** The n-th extra peer's tunnel address in 10.98.0.0/16 (the hand-made interface only; never routed). */
const extraAddress = (i: number) => `10.98.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;

/** Times `action` while the phone streams UDP to the LAN echo (10 ms apart); datagrams lost in that stream. */
async function duringStream(
  bed: Testbed,
  action: () => Promise<void>,
): Promise<{ ms: number; sent: number; lost: number; lostAt: number[] }> {
  const stream = await startUdpStream(bed, 'phone', lan, echoPort, { durationMs: 2000, waitForAnswer: true });
  const wall = Date.now();
  const t0 = performance.now();
  await action();
  const ms = performance.now() - t0;
  const r = await stream.result;
  // When each lost datagram was sent, relative to the action's start (the stream sends every 10 ms from its start).
  const lostAt = r.lost.map((seq) => r.startedAt + seq * 10 - wall);
  return { ms, sent: r.sent, lost: r.lost.length, lostAt };
}

/** The direct part; resolves with the no-ruleset throughput median (MB/s). */
async function direct(bed: Testbed): Promise<number> {
  const server = await handServer(bed);
  let phone: PhoneTunnel | undefined;
  try {
    const me = handPeer('10.99.0.2');
    await server.addPeer(me);
    phone = await phoneTunnel(bed, server.clientConfig({ ...me, allowedIps: [addr.lanPrefix] }));
    const extras: HandPeer[] = Array.from({ length: peerCount }, (_, i) => handPeer(extraAddress(i)));
    const t0 = performance.now();
    await server.syncPeers([me, ...extras]);
    console.log(
      `direct: ${peerCount} peers loaded with one wg syncconf in ${(performance.now() - t0).toFixed(0)} ms; ` +
        `interface carries ${(await server.dump()).length}`,
    );

    const set: Awaited<ReturnType<typeof duringStream>>[] = [];
    const sync: Awaited<ReturnType<typeof duringStream>>[] = [];
    for (let i = 0; i < runs; i++) {
      const extra = handPeer(extraAddress(peerCount + 1 + i));
      set.push(await duringStream(bed, () => server.addPeer(extra)));
      await server.removePeer(extra.publicKey);
      sync.push(await duringStream(bed, () => server.syncPeers([me, ...extras, extra])));
      await server.syncPeers([me, ...extras]);
    }
    const report = (name: string, xs: typeof set) =>
      console.log(
        `  ${name.padEnd(40)} ${fmt(
          xs.map((x) => x.ms),
        )} ms (min / median / max); datagrams lost ${xs.reduce((n, x) => n + x.lost, 0)} of ${xs.reduce((n, x) => n + x.sent, 0)}` +
          (xs.some((x) => x.lost > 0)
            ? ` (sent at ${xs
                .flatMap((x) => x.lostAt.map((at) => `${at >= 0 ? '+' : ''}${at} ms`))
                .join(', ')} from the command's start)`
            : ''),
      );
    console.log(`direct: one peer added to ${peerCount + 1}, ${runs} runs each, while the phone streams:`);
    report('wg set <if> peer … (one peer)', set);
    report('wg syncconf <if> <whole config>', sync);

    // Throughput: no ruleset (masquerade only) against Gatehouse's ruleset for the same peers, alternating.
    const gatehouse = gatehouseRuleset(bed, me, extras);
    // What one reconcile's commands cost at this size (each through `ip netns exec`, as the server's runner would).
    const timed = async (argv: [string, ...string[]], stdin?: string) => {
      const xs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const r = await bed.exec('gw', argv, stdin === undefined ? {} : { stdin });
        if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
        xs.push(performance.now() - t);
      }
      return fmt(xs);
    };
    console.log(`direct: commands at ${peerCount + 1} peers (ms, min / median / max):`);
    console.log(
      `  wg show <if> dump                       ${await timed(['wg', 'show', server.interface, 'dump'])}`,
    );
    console.log(`  nft -f - (Gatehouse's table, replaced)  ${await timed(['nft', '-f', '-'], gatehouse)}`);
    console.log(
      `  nft -j list table inet gatehouse        ${await timed(['nft', '-j', 'list', 'table', 'inet', 'gatehouse'])}`,
    );
    const plain: number[] = [];
    const ruled: number[] = [];
    // Variants (--variants), each one change to Gatehouse's table: only the phone's peer; an `established` accept
    // before the flow-set lookup (the usual fast path, which the table leaves out on purpose so that a revoked grant
    // stops open connections); the flow sets without per-element counters.
    const wg = bed.names.wgGw;
    const variants: Record<string, { script: string; xs: number[] }> = values.variants
      ? {
          'only the phone (1 peer)': { script: gatehouseRuleset(bed, me, []), xs: [] },
          '+ established accept first': {
            script: gatehouse.replace(
              `\t\tiifname "${wg}" ct state related accept\n`,
              `\t\tiifname "${wg}" ct state related accept\n\t\tiifname "${wg}" ct state established accept\n`,
            ),
            xs: [],
          },
          'sets without counters': { script: gatehouse.replace(/\t\tcounter\n/g, ''), xs: [] },
        }
      : {};
    for (let i = 0; i < runs; i++) {
      await loadRuleset(bed, server, 'none');
      plain.push((await tcpThroughput(bed, 'phone', lan, sinkPort, seconds * 1000)).mbPerS);
      await loadRuleset(bed, server, { script: gatehouse });
      ruled.push((await tcpThroughput(bed, 'phone', lan, sinkPort, seconds * 1000)).mbPerS);
      for (const v of Object.values(variants)) {
        await loadRuleset(bed, server, v);
        v.xs.push((await tcpThroughput(bed, 'phone', lan, sinkPort, seconds * 1000)).mbPerS);
      }
    }
    await loadRuleset(bed, server, 'none');
    console.log(
      `direct: one TCP stream phone → ${lan}:${sinkPort} through wireguard-go, ${runs} × ${seconds} s, alternating:`,
    );
    console.log(`  no ruleset (masquerade only)            ${fmt(plain)} MB/s`);
    console.log(`  Gatehouse's ruleset (${peerCount + 1} peers)       ${fmt(ruled)} MB/s`);
    console.log(
      `  ratio of medians                        ${((median(ruled) / median(plain)) * 100).toFixed(1)} %`,
    );
    for (const [name, v] of Object.entries(variants))
      console.log(
        `  variant: ${name.padEnd(30)}${fmt(v.xs)} MB/s (${((median(v.xs) / median(plain)) * 100).toFixed(1)} %)`,
      );
    return median(plain);
  } finally {
    await phone?.down();
    await server.down();
  }
}

/** Gatehouse's table (src/exposure/ruleset.ts) for the phone (granted the sink and the echo) and the extra peers (the camera). */
function gatehouseRuleset(bed: Testbed, me: HandPeer, extras: readonly HandPeer[]): string {
  const peer = (id: string, p: HandPeer): PeerSpec => ({
    id,
    name: id,
    groups: [],
    publicKey: p.publicKey,
    keyMode: 'kept',
    ipv4: p.address,
    ipv6: null,
    enabled: true,
    expiresAt: null,
    dns: null,
    persistentKeepalive: null,
    tunnel: 'services',
  });
  const service = (id: string, protocol: 'tcp' | 'udp', port: number) => ({
    id,
    name: id,
    host: lan,
    protocol,
    portFrom: port,
    portTo: port,
    webUrl: null,
  });
  const built = buildRuleset({
    interfaceName: bed.names.wgGw,
    peers: [peer('phone', me), ...extras.map((p, i) => peer(`extra-${i}`, p))],
    services: [
      service('camera', 'tcp', ports.camera),
      service('sink', 'tcp', sinkPort),
      service('echo', 'udp', echoPort),
    ],
    grants: [
      { subject: { kind: 'peer', peerId: 'phone' }, serviceId: 'sink' },
      { subject: { kind: 'peer', peerId: 'phone' }, serviceId: 'echo' },
      ...extras.map((_, i) => ({
        subject: { kind: 'peer' as const, peerId: `extra-${i}` },
        serviceId: 'camera',
      })),
    ],
    lanRanges: [addr.lanPrefix],
    boxAddresses: [addr.gwLan, '10.99.0.1'],
    masquerade: true,
    // As the reconciler builds it: established connections stamped with the generation pass before the lookup.
    generation: 1,
  });
  if (!built.ok) throw new Error(`buildRuleset: ${built.error.message}`);
  return built.value.script;
}

/** gw's firewall for the throughput runs: the hand server's masquerade only ('none'), or Gatehouse's table alone. */
async function loadRuleset(
  bed: Testbed,
  server: HandServer,
  which: { script: string } | 'none',
): Promise<void> {
  await bed.exec('gw', ['nft', 'delete', 'table', 'inet', 'gatehouse']);
  await bed.exec('gw', ['nft', 'delete', 'table', 'ip', handTable]);
  const r = await bed.exec('gw', ['nft', '-f', '-'], {
    stdin: which === 'none' ? server.ruleset : which.script,
  });
  if (r.exitCode !== 0) throw new Error(`nft -f: ${r.stderr}`);
}

/** The control socket of the server on `dataDir`, failing loudly. */
function controlOf(dataDir: string) {
  const client: ControlClient = createControlClient(controlSocketPath(dataDir), { timeoutMs: 60_000 });
  const call = async <T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    route: string,
    schema: z.ZodType<T>,
    body?: unknown,
  ) => {
    const r = await client.request(method, `/v1/wireguard${route}`, schema, body);
    if (r.kind !== 'ok') throw new Error(`${method} /v1/wireguard${route}: ${JSON.stringify(r)}`);
    return r.value;
  };
  return { client, call };
}

const idOnly = z.looseObject({ id: z.string(), publicKey: z.string() });

/** Results of the server part, also used to compare with the direct part's baseline. */
async function serverPart(bed: Testbed, baselineMbPerS: number | undefined): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-wg-bench-'));
  const dataDir = path.join(dir, 'data');
  const config = JSON.parse(gatehouseReachabilityConfig({ backstopSeconds: 3600 })) as Record<
    string,
    unknown
  >;
  config.wireguard = { interface: bed.names.wgGw, pool: { ipv4: '10.96.0.0/22' } };
  config.exposure = { lanRanges: [addr.lanPrefix] };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const server = bed.spawnGatehouse(path.join(dir, 'config.json'), dataDir);
  let phone: PhoneTunnel | undefined;
  try {
    const { client, call } = controlOf(dataDir);
    await waitFor(
      'the control socket',
      async () => ((await client.probe()).kind === 'up' ? true : undefined),
      30_000,
    );
    await waitFor(
      'the public address accepted',
      () => {
        try {
          const doc = JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')) as {
            reachability?: { current?: { ipv4?: string | null } };
          };
          return Promise.resolve(doc.reachability?.current?.ipv4 === addr.routerWan ? true : undefined);
        } catch {
          return Promise.resolve(undefined);
        }
      },
      30_000,
    );
    const livePeers = async () =>
      new Set(
        (await bed.exec('gw', ['wg', 'show', bed.names.wgGw, 'peers'])).stdout.split('\n').filter(Boolean),
      );
    for (const [name, protocol, port] of [
      ['camera', 'tcp', ports.camera],
      ['sink', 'tcp', sinkPort],
      ['echo', 'udp', echoPort],
    ] as const)
      await call('POST', '/services', idOnly.partial(), { name, host: lan, protocol, port });
    const me = await call('POST', '/peers', idOnly, { name: 'phone', services: ['sink', 'echo', 'camera'] });
    const text = await call('POST', `/peers/${me.id}/config`, z.looseObject({ text: z.string() }), {});
    await waitFor(
      'the phone on the interface',
      async () => ((await livePeers()).has(me.publicKey) ? true : undefined),
      30_000,
    );
    phone = await phoneTunnel(bed, text.text);

    const t0 = performance.now();
    for (let i = 0; i < peerCount; i++)
      await call('POST', '/peers', idOnly, { name: `peer-${i}`, services: ['camera'] });
    const posted = performance.now() - t0;
    await waitFor(
      `${peerCount + 1} peers on the interface`,
      async () => ((await livePeers()).size === peerCount + 1 ? true : undefined),
      300_000,
    );
    console.log(
      `server: ${peerCount} peers added through the control API in ${(posted / 1000).toFixed(1)} s ` +
        `(${(posted / peerCount).toFixed(1)} ms each); the interface carried all ${peerCount + 1} after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const adds: { ms: number; requestMs: number; sent: number; lost: number }[] = [];
    const removes: number[] = [];
    for (let i = 0; i < runs; i++) {
      let requestMs = 0;
      let added = { id: '', publicKey: '' };
      const r = await duringStream(bed, async () => {
        const t = performance.now();
        added = await call('POST', '/peers', idOnly, { name: `extra-${i}`, services: ['camera'] });
        requestMs = performance.now() - t;
        await waitFor(
          'the new peer on the interface',
          async () => ((await livePeers()).has(added.publicKey) ? true : undefined),
          30_000,
        );
      });
      adds.push({ ...r, requestMs });
      const t = performance.now();
      await call('DELETE', `/peers/${added.id}`, z.unknown());
      await waitFor(
        'the peer gone',
        async () => ((await livePeers()).has(added.publicKey) ? undefined : true),
        30_000,
      );
      removes.push(performance.now() - t);
    }
    console.log(
      `server: one peer added to ${peerCount + 1} (POST /v1/wireguard/peers until \`wg show\` lists it), ${runs} runs, while the phone streams:`,
    );
    console.log(
      `  until applied                           ${fmt(adds.map((a) => a.ms))} ms (min / median / max); the POST itself ${fmt(adds.map((a) => a.requestMs))} ms`,
    );
    console.log(
      `  datagrams lost                          ${adds.reduce((n, a) => n + a.lost, 0)} of ${adds.reduce((n, a) => n + a.sent, 0)}`,
    );
    console.log(`  removal (DELETE until gone)             ${fmt(removes)} ms`);

    // The peers API with 1,001 peers: over the control socket (what the CLI uses) and the HTTP API (what the UI uses).
    const control: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await call('GET', '/peers', z.unknown());
      control.push(performance.now() - t);
    }
    const http = gatehouseHttp(bed, dataDir);
    const [answer] = await http(['/api/v1/wireguard/peers'], 20);
    const count = (answer?.body as { peers?: unknown[] } | undefined)?.peers?.length;
    console.log(`server: GET the peers with ${peerCount + 1} peers, 20 requests each:`);
    console.log(`  control socket /v1/wireguard/peers      ${fmt(control)} ms`);
    console.log(
      `  HTTP /api/v1/wireguard/peers (in gw)    ${fmt(answer?.ms ?? [])} ms (status ${answer?.status ?? 0}, ${count ?? 0} peers, ` +
        `${(JSON.stringify(answer?.body ?? '').length / 1024).toFixed(0)} KiB)`,
    );

    const through: number[] = [];
    for (let i = 0; i < runs; i++)
      through.push((await tcpThroughput(bed, 'phone', lan, sinkPort, seconds * 1000)).mbPerS);
    console.log(
      `server: one TCP stream through Gatehouse's interface and table (${peerCount + 1} peers), ${runs} × ${seconds} s:`,
    );
    console.log(`  Gatehouse                               ${fmt(through)} MB/s`);
    if (baselineMbPerS !== undefined)
      console.log(
        `  against the hand-made tunnel's median   ${((median(through) / baselineMbPerS) * 100).toFixed(1)} % (not interleaved)`,
      );
  } finally {
    await phone?.down();
    await bed.stopGatehouse(server, dataDir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const bed = await Testbed.up('nat-forward');
try {
  await startUdpEcho(bed, 'lan', lan, echoPort);
  await startTcpSink(bed, 'lan', lan, sinkPort);
  const baseline = part === 'direct' || part === 'all' ? await direct(bed) : undefined;
  if (part === 'server' || part === 'all') await serverPart(bed, baseline);
} finally {
  await bed.down();
}

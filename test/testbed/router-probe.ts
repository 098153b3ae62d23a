// Drives Gatehouse's router clients (real dgram sockets, fetch, `ip route`) from inside a namespace.
// Run inside a namespace:
//   node --import tsx router-probe.ts address [--description-url URL] [--timeout MS]
//     → {"pcp": {...}, "natpmp": {...}, "upnp": {...}, "upnpConfigured"?: {...}}  (SourceResult + ms each)
//   node --import tsx router-probe.ts hold --protocol pcp|natpmp|upnp [--port N] [--lease S] [--description-url URL]
//     maps UDP port N through the PortMapper, prints {"event":"mapped",...} on one line, waits (up to 15 s) for one
//     datagram on that port, removes the mapping with stop(), then prints {"event":"done",...}.
//   node --import tsx router-probe.ts attempt [--port N]
//     one attempt of the PortMapper with every protocol (as the server makes it); prints its status, then stops.
import { systemClock } from '../../src/core/clock.js';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import { createEventBus } from '../../src/core/events.js';
import type { Logger } from '../../src/core/log.js';
import { createDgramUdp } from '../../src/core/dgram-udp.js';
import { createRouterClients, type MappingProtocol } from '../../src/reach/router/index.js';
import { PortMapper } from '../../src/reach/router/port-mapper.js';
import { createRouterSources } from '../../src/reach/router/router-source.js';

const args = process.argv.slice(2);
const command = args.shift();
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const timeoutMs = Number(option('timeout') ?? 1500);
const descriptionUrl = option('description-url');
const udp = createDgramUdp();
const runner = createChildProcessRunner();
const logs: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: (fields, msg) => logs.push({ level: 'debug', msg, fields }),
  info: (fields, msg) => logs.push({ level: 'info', msg, fields }),
  warn: (fields, msg) => logs.push({ level: 'warn', msg, fields }),
  error: (fields, msg) => logs.push({ level: 'error', msg, fields }),
  child: () => logger,
};

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

async function timed<T>(f: () => Promise<T>): Promise<T & { ms: number }> {
  const t = Date.now();
  const value = await f();
  return { ...value, ms: Date.now() - t };
}

if (command === 'address') {
  const signal = new AbortController().signal;
  const discovered = createRouterClients({ udp, fetch, clock: systemClock, runner, timeoutMs });
  const [pcp, natpmp, upnp] = createRouterSources(discovered);
  const probe = async (source: typeof pcp) =>
    timed(async () => ((await source?.probe('ipv4', signal)) ?? [])[0] ?? { kind: 'none' });
  const results = await Promise.all([pcp, natpmp, upnp].map((s) => probe(s)));
  const out: Record<string, unknown> = { pcp: results[0], natpmp: results[1], upnp: results[2] };
  if (descriptionUrl) {
    const configured = createRouterClients({
      udp,
      fetch,
      clock: systemClock,
      runner,
      timeoutMs,
      upnpDescriptionUrl: descriptionUrl,
    });
    out.upnpConfigured = await probe(createRouterSources(configured)[2]);
  }
  print(out);
} else if (command === 'hold') {
  const protocol = (option('protocol') ?? 'pcp') as MappingProtocol;
  const port = Number(option('port') ?? 51820);
  const leaseSeconds = Number(option('lease') ?? 600);
  const clients = createRouterClients({
    udp,
    fetch,
    clock: systemClock,
    runner,
    timeoutMs,
    ...(descriptionUrl ? { upnpDescriptionUrl: descriptionUrl } : {}),
  });
  const mapper = new PortMapper({
    clients: [clients[protocol]],
    clock: systemClock,
    logger,
    bus: createEventBus(logger),
    settings: { enabled: true, port, leaseSeconds },
  });
  await mapper.reconcile();
  const mapped = mapper.status();
  print({ event: 'mapped', status: mapped });
  let received: string | null = null;
  if (mapped.state === 'mapped') {
    const opened = await udp.open({ port });
    if (!opened.ok) throw new Error(opened.reason);
    const datagram = await opened.socket.receive(15_000);
    received = datagram ? Buffer.from(datagram.data).toString() : null;
    await opened.socket.close();
  }
  await mapper.stop();
  const lookup = protocol === 'upnp' ? await clients.upnp.lookupMapping(port) : undefined;
  print({ event: 'done', received, status: mapper.status(), upnpEntryAfterStop: lookup, logs });
} else if (command === 'attempt') {
  const port = Number(option('port') ?? 51820);
  const clients = createRouterClients({ udp, fetch, clock: systemClock, runner, timeoutMs });
  const mapper = new PortMapper({
    clients: [clients.pcp, clients.natpmp, clients.upnp],
    clock: systemClock,
    logger,
    bus: createEventBus(logger),
    settings: { enabled: true, port, leaseSeconds: 120 },
  });
  await mapper.reconcile();
  const status = mapper.status();
  await mapper.stop();
  print({ status });
} else {
  process.stderr.write('usage: router-probe.ts address|hold|attempt [options]\n');
  process.exit(2);
}

// Opens a TCP port on the router through Gatehouse's RouterPortOpener (the HTTP-01 temporary mapping) from inside
// the gw namespace, with an HTTP listener on that port behind it. Steered by files, so the test can check each step
// from outside (a client in `inet`, miniupnpd's chain):
//   node --import tsx router-tcp-probe.ts --dir DIR [--protocol pcp|natpmp|upnp|all] [--preferred pcp|natpmp|upnp]
//        [--port 80] [--lease 120] [--timeout MS]
//   1. listens on TCP --port (every request answered "gatehouse behind the router"), then opens the mapping and
//      writes DIR/opened.json: { result: {state, externalPort | reason}, logs };
//   2. when mapped: waits for DIR/close, calls close(), writes DIR/closed.json: { upnpEntryAfterClose?, logs };
//   3. waits for DIR/exit (or, unmapped, ends at once), stops listening and prints { served, logs } on stdout.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createChildProcessRunner } from '../../src/core/child-process-runner.js';
import { systemClock } from '../../src/core/clock.js';
import { createDgramUdp } from '../../src/core/dgram-udp.js';
import type { Logger } from '../../src/core/log.js';
import { createRouterClients, type MappingProtocol } from '../../src/reach/router/index.js';
import { RouterPortOpener } from '../../src/reach/router/temporary-mapping.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = option('dir');
if (!dir) {
  process.stderr.write(
    'usage: router-tcp-probe.ts --dir DIR [--protocol P|all] [--preferred P] [--port N]\n',
  );
  process.exit(2);
}
const protocol = option('protocol') ?? 'all';
const preferred = option('preferred') as MappingProtocol | undefined;
const port = Number(option('port') ?? 80);
const leaseSeconds = Number(option('lease') ?? 120);
const timeoutMs = Number(option('timeout') ?? 1500);

const logs: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug: (fields, msg) => logs.push({ level: 'debug', msg, fields }),
  info: (fields, msg) => logs.push({ level: 'info', msg, fields }),
  warn: (fields, msg) => logs.push({ level: 'warn', msg, fields }),
  error: (fields, msg) => logs.push({ level: 'error', msg, fields }),
  child: () => logger,
};

/** Polls for a file the test writes (a readiness condition, bounded). */
async function waitForFile(name: string, limitMs = 30_000): Promise<void> {
  const file = path.join(dir ?? '', name);
  const deadline = Date.now() + limitMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`no ${name} within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const write = (name: string, value: unknown): void => {
  // Written whole, then renamed: the test never reads half a file.
  const file = path.join(dir, name);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value));
  fs.renameSync(`${file}.tmp`, file);
};

let served = 0;
const server = http.createServer((_req, res) => {
  served += 1;
  res.writeHead(200, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end('gatehouse behind the router\n');
});
await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', () => resolve()));

const clients = createRouterClients({
  udp: createDgramUdp(),
  fetch,
  clock: systemClock,
  runner: createChildProcessRunner(),
  timeoutMs,
});
const opener = new RouterPortOpener({
  clients:
    protocol === 'all' ? [clients.pcp, clients.natpmp, clients.upnp] : [clients[protocol as MappingProtocol]],
  preferred: () => preferred,
  clock: systemClock,
  logger,
});
const result = await opener.open({
  internalPort: port,
  externalPort: port,
  lifetimeSeconds: leaseSeconds,
  description: 'Gatehouse HTTP-01 (testbed)',
});
write('opened.json', {
  result: result.state === 'mapped' ? { state: 'mapped', externalPort: result.externalPort } : result,
  logs,
});
if (result.state === 'mapped') {
  await waitForFile('close');
  await result.close();
  const upnpEntryAfterClose =
    protocol === 'upnp' ? await clients.upnp.lookupMapping(port, undefined, 'tcp') : undefined;
  write('closed.json', { upnpEntryAfterClose, logs });
  await waitForFile('exit');
}
await new Promise<void>((resolve) => server.close(() => resolve()));
process.stdout.write(`${JSON.stringify({ served, logs })}\n`);

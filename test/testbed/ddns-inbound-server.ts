// The inbound dyndns2 endpoint on its own, for the e2e suite: the real sub-app on a real lowdb store, served by
// @hono/node-server inside a namespace. It prints one JSON line per fact the test checks: `ready`, every
// `reach.wan-pushed` event (`pushed`), every answer (`answered`: method, path with query, status, body — never a
// header, so never the credentials).
// Run inside the gw namespace:
//   node --import tsx ddns-inbound-server.ts <listen address> <port> <data dir> <clients.json> <public ranges,…>
// clients.json: [{ "name", "password", "hostnames": [...], "trusted"? }] (the test writes it 0600).
import fs from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { alertsAuditTypes } from '../../src/alerts/capability.js';
import { coreAuditTypes } from '../../src/audit/core-types.js';
import { systemClock } from '../../src/core/clock.js';
import { createEventBus } from '../../src/core/events.js';
import type { Logger } from '../../src/core/log.js';
import { createInboundDyndnsApp } from '../../src/ddns/inbound/app.js';
import { ddnsInboundAuditTypes } from '../../src/ddns/inbound/audit-types.js';
import { DdnsClients } from '../../src/ddns/inbound/clients.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';

const [address = '10.10.0.2', portText = '8245', dataDir = '', clientsFile = '', ranges = ''] =
  process.argv.slice(2);

const print = (fact: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fact)}\n`);

function stdoutLogger(bindings: Record<string, unknown> = {}): Logger {
  const line =
    (level: string) =>
    (fields: Record<string, unknown>, msg: string): void => {
      print({ log: { level, msg, ...bindings, ...fields } });
    };
  return {
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (more) => stdoutLogger({ ...bindings, ...more }),
  };
}

const registry = coreAuditTypes();
registry.registerAuditTypes('alerts', alertsAuditTypes);
registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
const { store } = await openLowdbStore(dataDir, systemClock, { checkRecord: registry.checkRecord });
const logger = stdoutLogger();
const bus = createEventBus(logger);
bus.subscribe('reach.wan-pushed', (payload) => {
  print({ pushed: payload });
});

const wanted = JSON.parse(fs.readFileSync(clientsFile, 'utf8')) as {
  name: string;
  password: string;
  hostnames: string[];
  trusted?: boolean;
}[];
for (const c of wanted) {
  const added = await new DdnsClients({ store, clock: systemClock, generatePassword: () => c.password }).add(
    { name: c.name, hostnames: c.hostnames, trusted: c.trusted ?? false },
    { actor: 'local', clientAddress: 'local' },
  );
  if (!added.ok) throw new Error(added.error.message);
}

const app = new Hono();
app.use('*', async (c, next) => {
  await next();
  const body = await c.res.clone().text();
  const url = new URL(c.req.url);
  print({
    answered: { method: c.req.method, path: `${url.pathname}${url.search}`, status: c.res.status, body },
  });
});
app.route(
  '/',
  createInboundDyndnsApp({
    store,
    clock: systemClock,
    bus,
    logger,
    publicRanges: () => ranges.split(',').filter((r) => r !== ''),
  }),
);

const server = serve({ fetch: app.fetch, hostname: address, port: Number(portText) }, (info) => {
  print({ ready: { address: info.address, port: info.port } });
});
const stop = () => {
  server.close();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

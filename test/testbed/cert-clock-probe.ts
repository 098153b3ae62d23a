// The certificate capability as the server builds it — real acme-client adapter, real port-80 listener on :80 of
// this namespace, a lowdb store — on a controlled clock, against the bed's pebble behind ari-shim (RFC 9773 ARI).
// It issues, reads the CA's window, sleeps on the clock, and renews when the test's clock reaches the window.
// Run inside the box's namespace:  node --import tsx cert-clock-probe.ts '<json>'
// json = { directoryUrl, caBundleFile, name, dataDir, windowEnd (ISO: the clock jumps just past it) }
// Output (stdout, JSON): { first, second, afterFirst: CertView, afterSecond: CertView, sleeps: number[] }
import fs from 'node:fs';
import { coreAuditTypes } from '../../src/audit/core-types.js';
import { registerCapabilityAuditTypes } from '../../src/audit/registry.js';
import { createAcmeCaFactory, createCertificateKeyAndCsr } from '../../src/cert/acme-client.js';
import { createCert } from '../../src/cert/capability.js';
import { createHttp01Server } from '../../src/cert/http01-server.js';
import { acmeSettingsSchema } from '../../src/config/schema.js';
import { createEventBus } from '../../src/core/events.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { FakeClock } from '../fakes/clock.js';
import { MemoryLogger } from '../fakes/logger.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeSecrets } from '../fakes/secrets.js';

interface Input {
  directoryUrl: string;
  caBundleFile: string;
  name: string;
  dataDir: string;
  windowEnd: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const clock = new FakeClock(new Date());
const logger = new MemoryLogger();
const auditTypes = coreAuditTypes();
const { store } = await openLowdbStore(input.dataDir, clock, { checkRecord: auditTypes.checkRecord });
const bus = createEventBus(logger);
const ports = {
  clock,
  logger,
  files: nodePrivateFiles,
  runner: new FakeRunner(),
  fetch: globalThis.fetch,
  bus,
  secrets: new FakeSecrets(clock),
};
const settings = acmeSettingsSchema.parse({ http01: { listen: '0.0.0.0:80', mapRouterPort: false } });
const cert = createCert(ports, settings, {
  store,
  alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
  dataDir: input.dataDir,
  // The adapter's own timeouts run on real time; the capability plans on the controlled clock.
  caFactory: createAcmeCaFactory(),
  makeKeyAndCsr: (names, keyType) => createCertificateKeyAndCsr({ names, keyType }),
  http01Server: (tokens) => createHttp01Server({ listen: settings.http01.listen, tokens, httpsPort: 443 }),
});
registerCapabilityAuditTypes(auditTypes, [cert]);

const queue: string[] = [];
const waiting: ((serial: string) => void)[] = [];
bus.subscribe('cert.renewed', (e) => {
  const w = waiting.shift();
  if (w) w(e.serial);
  else queue.push(e.serial);
});
const nextRenewed = () =>
  new Promise<string>((resolve) => {
    const q = queue.shift();
    if (q !== undefined) resolve(q);
    else waiting.push(resolve);
  });

const by = { actor: 'probe', clientAddress: 'local' };
try {
  const account = await cert.manager.setAccount(
    {
      directoryUrl: input.directoryUrl,
      email: 'admin@example.test',
      agreeTerms: true,
      caBundlePem: fs.readFileSync(input.caBundleFile, 'utf8'),
    },
    by,
  );
  if (!account.ok) throw new Error(`account: ${account.error.message}`);
  const names = await cert.manager.setCertificate({ names: [input.name], challenge: 'http-01' }, by);
  if (!names.ok) throw new Error(`names: ${names.error.message}`);
  const firstRenewed = nextRenewed();
  await cert.start?.();
  const first = await firstRenewed;
  // Issued and the CA's window read: the loop sleeps until its time in that window (or the next ARI check).
  await clock.sleeping();
  const afterFirst = await cert.manager.view();
  const sleeps = [...clock.pendingWakeups()];
  const secondRenewed = nextRenewed();
  clock.advanceTo(new Date(Date.parse(input.windowEnd) + 60_000));
  const second = await secondRenewed;
  await clock.sleeping();
  const afterSecond = await cert.manager.view();
  process.stdout.write(`${JSON.stringify({ first, second, afterFirst, afterSecond, sleeps })}\n`);
} finally {
  await cert.stop?.();
}

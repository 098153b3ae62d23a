/**
 * @module The DDNS benchmark's eye on the authoritative server: asks it directly (our DNS client, no resolver, no
 * cache) for each name's A record every `interval` ms and prints one JSON line per change, stamped with the wall
 * clock of the moment the answer arrived — the same clock the benchmark stamps its renumberings with.
 * Runs inside a bed namespace: node --import tsx ddns-watch.ts <server:port> <interval-ms> <name>...
 */
import { systemClock } from '../../src/core/clock.js';
import { createDgramUdp } from '../../src/core/dgram-udp.js';
import { lookupAuthoritative } from '../../src/ddns/verify.js';

const [server, intervalText, ...names] = process.argv.slice(2);
const intervalMs = Number(intervalText);
if (!server || !Number.isFinite(intervalMs) || intervalMs <= 0 || names.length === 0) {
  process.stderr.write('usage: ddns-watch.ts <server:port> <interval-ms> <name>...\n');
  process.exit(2);
}

const udp = createDgramUdp();
const last = new Map<string, string>();
process.once('SIGTERM', () => process.exit(0));

/** One look at one name: a changed answer (or a changed failure) is printed; the same answer again is not. */
async function look(name: string): Promise<void> {
  const answers = await lookupAuthoritative(
    name,
    'A',
    // The resolver is unused with an explicit server list that holds addresses only.
    { udp, clock: systemClock, resolver: { address: '127.0.0.1', port: 53 }, timeoutMs: 1000 },
    { servers: [server ?? ''] },
  );
  const at = Date.now();
  const first = answers.ok ? answers.value.servers[0]?.result : answers;
  const line =
    first?.ok === true ? { name, values: first.value.values } : { name, error: first?.error ?? 'no answer' };
  const key = JSON.stringify(line);
  if (last.get(name) === key) return;
  last.set(name, key);
  process.stdout.write(`${JSON.stringify({ ...line, at })}\n`);
}

process.stdout.write(`${JSON.stringify({ ready: true, at: Date.now() })}\n`);
for (;;) {
  const started = Date.now();
  await Promise.all(names.map(look));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
}

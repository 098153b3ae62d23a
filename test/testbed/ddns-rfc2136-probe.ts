// Runs the RFC 2136 provider or the authoritative verifier once, inside a namespace, and prints the result as JSON.
// node --import tsx ddns-rfc2136-probe.ts '<json>' where json is one of
//   { "op": "test" | "read" | "set" | "delete", "settings": {…}, "secrets": {…}, "ref"?, "values"?, "ttl"?, "zone"? }
//   { "op": "lookup", "name", "type", "resolver": "203.0.113.65", "servers"?: [...] }
import { systemClock } from '../../src/core/clock.js';
import { createDgramUdp } from '../../src/core/dgram-udp.js';
import { createNetDnsStream } from '../../src/ddns/dns/net-tcp.js';
import type { RecordRef, RecordType } from '../../src/ddns/provider.js';
import { rfc2136Provider } from '../../src/ddns/providers/rfc2136.js';
import { lookupAuthoritative } from '../../src/ddns/verify.js';

interface Input {
  op: 'test' | 'read' | 'set' | 'delete' | 'lookup';
  settings?: unknown;
  secrets?: unknown;
  ref?: RecordRef;
  values?: string[];
  ttl?: number;
  zone?: string;
  name?: string;
  type?: RecordType;
  resolver?: string;
  servers?: string[];
  timeoutMs?: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const udp = createDgramUdp();
const tcp = createNetDnsStream();
const started = performance.now();

async function main(): Promise<unknown> {
  if (input.op === 'lookup') {
    return lookupAuthoritative(
      input.name ?? '',
      input.type ?? 'A',
      {
        udp,
        tcp,
        clock: systemClock,
        resolver: { address: input.resolver ?? '', port: 53 },
        timeoutMs: 2000,
      },
      input.servers ? { servers: input.servers } : {},
    );
  }
  const settings = rfc2136Provider.settings.parse(input.settings);
  const secrets = rfc2136Provider.secrets.parse(input.secrets);
  const provider = rfc2136Provider.create(settings, secrets, {
    fetch,
    clock: systemClock,
    udp,
    userAgent: 'Gatehouse test bed',
    ...{ tcp, timeoutMs: input.timeoutMs ?? 3000 },
  });
  const ref = input.ref ?? { zone: '', name: '', type: 'A' };
  switch (input.op) {
    case 'test':
      return provider.test(input.zone);
    case 'read':
      return provider.read?.(ref);
    case 'set':
      return provider.set(ref, input.values ?? [], input.ttl ?? 60);
    case 'delete':
      return provider.delete?.(ref);
  }
}

const result = await main();
process.stdout.write(`${JSON.stringify({ result, ms: Math.round(performance.now() - started) })}\n`);

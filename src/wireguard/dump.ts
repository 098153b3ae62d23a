/**
 * @module Parses `wg show <if> dump` into a DumpState (zod-validated); the private key never leaves the parser.
 */
import { z } from 'zod';
import type { Outcome } from '../core/outcome.js';
import { parseCidr } from '../reach/addresses.js';
import { checkKey } from './keys.js';
import type { DumpPeer, DumpState } from './model.js';
import { parseEndpoint } from './peer-status.js';

export interface DumpFailure {
  readonly code: 'wireguard.bad-dump';
  readonly message: string;
}

// Every message below names a field and its expected form, never the text it got: the interface line carries the
// private key in clear and peer lines carry preshared keys (research 1), so no value may reach a message or a log.

const none = '(none)';

const key = z.string().refine((t) => checkKey(t) === undefined);
const keyOrNone = z.union([z.literal(none).transform(() => null), key]);

/** Unsigned decimal without sign, space or exponent (Number() alone would take "", " 1", "1e3", "0x10"). */
const decimal = z
  .string()
  .regex(/^\d+$/)
  .transform((t) => Number(t));

const port = decimal.refine((n) => n <= 65535);

const fwmark = z.union([
  z.literal('off').transform(() => null),
  z
    .string()
    .regex(/^0x[0-9a-f]{1,8}$/)
    .transform((t) => Number(t)),
]);

/** `a.b.c.d:port`, or `[v6]:port` where the address may carry a `%scope`. */
const endpoint = z.union([
  z.literal(none).transform(() => null),
  z.string().refine((t) => parseEndpoint(t) !== undefined),
]);

const allowedIps = z.union([
  z.literal(none).transform((): string[] => []),
  z
    .string()
    .transform((t) => t.split(','))
    .refine((list) => list.every((c) => c.includes('/') && parseCidr(c) !== undefined)),
]);

const handshake = decimal.transform((n) => (n === 0 ? null : n));

const keepalive = z.union([z.literal('off').transform(() => 0), decimal.refine((n) => n <= 65535)]);

/** The private key column only says whether there is one; it is checked but never kept. */
const privateKeyPresent = z.union([z.literal(none).transform(() => false), key.transform(() => true)]);

/** Each column's name and expected form, for messages: zod's own messages could quote the value. */
type Field = readonly [name: string, expected: string];

const keyOrNoneText = 'a base64 key or (none)';
const interfaceFields: readonly Field[] = [
  ['private-key', keyOrNoneText],
  ['public-key', keyOrNoneText],
  ['listen-port', 'a port number (0 to 65535)'],
  ['fwmark', 'off or 0x followed by up to 8 hex digits'],
];
const interfaceLine = z.tuple([privateKeyPresent, keyOrNone, port, fwmark]);

const peerFields: readonly Field[] = [
  ['public-key', 'a base64 key'],
  ['preshared-key', keyOrNoneText],
  ['endpoint', 'ip:port, [ipv6]:port or (none)'],
  ['allowed-ips', 'a comma-separated list of address/prefix, or (none)'],
  ['latest-handshake', 'Unix seconds'],
  ['transfer-rx', 'a byte count'],
  ['transfer-tx', 'a byte count'],
  ['persistent-keepalive', 'off or seconds (1 to 65535)'],
];
const peerLine = z.tuple([key, keyOrNone, endpoint, allowedIps, handshake, decimal, decimal, keepalive]);

function bad(message: string): { ok: false; error: DumpFailure } {
  return { ok: false, error: { code: 'wireguard.bad-dump', message } };
}

/** "line 2 (peer 1), field endpoint: expected ip:port, ..." from the first issue; never the value itself. */
function describe(
  where: string,
  fields: readonly Field[],
  cells: readonly string[],
  error: z.ZodError,
): string {
  if (cells.length !== fields.length)
    return `${where}: expected ${fields.length} tab-separated fields, got ${cells.length}`;
  // A tuple of the right length fails on a cell: the first issue's path starts with that cell's index.
  // Stryker disable next-line OptionalChaining: a failed parse has at least one issue
  const field = fields[Number(error.issues[0]?.path[0])];
  // Stryker disable next-line all: the fallback only narrows the type, zod always reports an indexed issue here
  return field ? `${where}, field ${field[0]}: expected ${field[1]}` : `${where}: invalid`;
}

/**
 * Parses the output of `wg show <if> dump` (one interface line, then one line per peer, tab-separated; research 1).
 * Not `wg show all dump`, whose lines start with the interface name.
 */
export function parseDump(text: string): Outcome<DumpState, DumpFailure> {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  // split() always yields a first element.
  const [first, ...rest] = lines as [string, ...string[]];
  if (first === '') return bad('empty dump: expected the interface line');
  const head = first.split('\t');
  const parsedHead = interfaceLine.safeParse(head);
  if (!parsedHead.success)
    return bad(describe('line 1 (interface)', interfaceFields, head, parsedHead.error));
  const [hasPrivateKey, publicKey, listenPort, mark] = parsedHead.data;
  const peers: DumpPeer[] = [];
  for (const [i, line] of rest.entries()) {
    const cells = line.split('\t');
    const parsed = peerLine.safeParse(cells);
    if (!parsed.success)
      return bad(describe(`line ${i + 2} (peer ${i + 1})`, peerFields, cells, parsed.error));
    const [pub, psk, ep, ips, latest, rx, tx, ka] = parsed.data;
    peers.push({
      publicKey: pub,
      presharedKey: psk,
      endpoint: ep,
      allowedIps: ips,
      latestHandshake: latest,
      rxBytes: rx,
      txBytes: tx,
      persistentKeepalive: ka,
    });
  }
  return { ok: true, value: { publicKey, listenPort, fwmark: mark, hasPrivateKey, peers } };
}

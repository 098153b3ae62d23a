/**
 * @module The inbound dyndns2 endpoint's clients for the CLI and the API: add one (a generated password, shown
 * once, kept only as its scrypt hash), remove one, list them (never the hash). Input is checked with zod here, at
 * the boundary; failures are values.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../audit/record.js';
import { hashPassword } from '../../auth/passwords.js';
import type { Clock } from '../../core/clock.js';
import { fail, ok, type Outcome } from '../../core/outcome.js';
import type { Store } from '../../store/store.js';
import type { DdnsClient } from '../slice.js';
import { hostnameField } from '../hostname.js';
import { maxHostnamesPerRequest } from './plan.js';

/** The slice's bound (src/ddns/slice.ts `clients` max). */
export const maxClients = 50;

/** Bytes of the generated password: 24 bytes is 32 base64url characters, 192 bits. */
const passwordBytes = 24;

/**
 * The Basic-auth user name: lowercase letters, digits, `.`, `_`, `-` (never `:`, which Basic auth splits at),
 * beginning with a letter or digit — so it is never `.` or `..`, which a URL path folds away (DELETE …/credentials/..).
 */
export const clientNameSchema = z
  .string()
  .trim()
  .min(1, 'name is empty')
  .max(64, 'name is longer than 64 characters')
  .regex(/^[a-z0-9._-]+$/, 'name may hold only a-z, 0-9, ".", "_" and "-"')
  .regex(/^[a-z0-9]/, 'name must begin with a letter or a digit');

/** An FQDN, stored in lower case without the trailing dot, an internationalised name as its A-labels. */
export const hostnameSchema = hostnameField();

export const addClientInputSchema = z
  .object({
    name: clientNameSchema,
    hostnames: z
      .array(hostnameSchema)
      .min(1, 'name at least one hostname')
      .max(maxHostnamesPerRequest, `at most ${maxHostnamesPerRequest} hostnames`)
      .transform((names) => [...new Set(names)]),
    /** A trusted client's address is accepted on its own; otherwise it is one vote in the quorum. */
    trusted: z.boolean().default(false),
  })
  .strict();

export type AddClientInput = z.input<typeof addClientInputSchema>;

/** Why an add or a remove did not happen; the API's status table maps each code. */
export type DdnsClientFailureCode =
  'ddns.client-invalid' | 'ddns.client-exists' | 'ddns.client-limit' | 'ddns.client-not-found';

export interface DdnsClientFailure {
  readonly code: DdnsClientFailureCode;
  readonly message: string;
}

const failure = (code: DdnsClientFailureCode, message: string): DdnsClientFailure => ({ code, message });

/** A client as the CLI and the API show it: everything but the hash. */
export type PublicDdnsClient = Omit<DdnsClient, 'passwordHash'>;

/** Who made the change, for the audit log (the CLI over the control socket is `local`). */
export interface ClientsActor {
  readonly actor: string;
  readonly clientAddress: string;
}

export interface DdnsClientsDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Default: 24 random bytes in base64url. Tests only replace it. */
  readonly generatePassword?: () => string;
}

export function toPublicClient(client: DdnsClient): PublicDdnsClient {
  const { passwordHash: _hash, ...rest } = client;
  return rest;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const where = issue.path.join('.');
  return where === '' ? issue.message : `${where}: ${issue.message}`;
}

export class DdnsClients {
  constructor(private readonly deps: DdnsClientsDeps) {}

  list(): PublicDdnsClient[] {
    return this.deps.store.read().ddns.clients.map(toPublicClient);
  }

  /**
   * Adds a client and returns its password — the only time it exists outside the client's configuration: the
   * store keeps its scrypt hash. A name already taken is refused (remove it first: a second password for a
   * router must be a deliberate act).
   */
  async add(
    input: unknown,
    by: ClientsActor,
  ): Promise<Outcome<{ client: PublicDdnsClient; password: string }, DdnsClientFailure>> {
    const parsed = addClientInputSchema.safeParse(input);
    if (!parsed.success) return fail(failure('ddns.client-invalid', firstIssue(parsed.error)));
    const { name, hostnames, trusted } = parsed.data;
    const before = this.deps.store.read().ddns.clients;
    if (before.some((c) => c.name === name))
      return fail(failure('ddns.client-exists', `a client named "${name}" exists; remove it first`));
    if (before.length >= maxClients)
      return fail(failure('ddns.client-limit', `at most ${maxClients} clients; remove one first`));
    const password = this.deps.generatePassword?.() ?? randomBytes(passwordBytes).toString('base64url');
    const passwordHash = await hashPassword(password);
    const now = this.deps.clock.now();
    const client: DdnsClient = {
      id: randomUUID(),
      name,
      passwordHash,
      hostnames,
      trusted,
      createdAt: now.toISOString(),
      lastUsedAt: null,
    };
    // Checked again inside the update: another add may have run while the hash was computed.
    const added = await this.deps.store.update((draft, tx) => {
      if (draft.ddns.clients.some((c) => c.name === name)) return false;
      if (draft.ddns.clients.length >= maxClients) return false;
      draft.ddns.clients.push(client);
      appendAudit(tx, now, {
        type: 'ddns.client-added',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { name, hostnames: hostnames.join(','), trusted },
      });
      return true;
    });
    if (!added)
      return fail(failure('ddns.client-exists', `a client named "${name}" was just added; try again`));
    return ok({ client: toPublicClient(client), password });
  }

  /** Removes the client named `name`; its password stops working at once. */
  async remove(name: string, by: ClientsActor): Promise<Outcome<PublicDdnsClient, DdnsClientFailure>> {
    const now = this.deps.clock.now();
    const removed = await this.deps.store.update((draft, tx) => {
      const found = draft.ddns.clients.find((c) => c.name === name);
      if (!found) return undefined;
      draft.ddns.clients = draft.ddns.clients.filter((c) => c !== found);
      appendAudit(tx, now, {
        type: 'ddns.client-removed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { name },
      });
      return toPublicClient(found);
    });
    return removed
      ? ok(removed)
      : fail(failure('ddns.client-not-found', `no client named "${name.slice(0, 64)}"`));
  }
}

/**
 * @module Secrets port: named secrets (DNS provider credentials, ACME account keys, WireGuard private keys) kept in
 * one place, never logged, never returned by the API — which says only whether a secret is set, and since when.
 */
import { fail, ok, type Outcome } from './outcome.js';

/**
 * Where capabilities keep what must stay secret. Names are `<namespace>/<name>` (`ddns/cloudflare-main`,
 * `acme/account-key`, `wireguard/server-key`): the namespace is the owning capability.
 *
 * Contract (test/fakes/contracts/secrets.ts holds every adapter to it):
 * - a name that {@link checkSecretName} refuses fails with `secrets.invalid-name`, and nothing is read or written;
 * - `set` replaces atomically: a reader sees the old value or the new one, never a mix or an empty file;
 * - a value comes back exactly as stored; `updatedAt` is the clock's time of the last `set`;
 * - no method logs a value or puts one in an error message;
 * - storage failures (disk full, permissions) throw {@link SecretsStorageError}: they are not expected.
 */
export interface Secrets {
  /** The value, or ok(undefined) when the secret is not set. */
  get(name: string): Promise<Outcome<string | undefined, SecretsFailure>>;
  /** Stores the value, replacing any earlier one; returns what the API may know of it. */
  set(name: string, value: string): Promise<Outcome<SecretInfo, SecretsFailure>>;
  has(name: string): Promise<Outcome<boolean, SecretsFailure>>;
  /** When the secret was last set, or ok(undefined) when it is not set. Never reads the value out. */
  info(name: string): Promise<Outcome<SecretInfo | undefined, SecretsFailure>>;
  /** Removes the secret; ok(false) when it was not set. */
  delete(name: string): Promise<Outcome<boolean, SecretsFailure>>;
  /** Every stored secret's name and time, sorted by name; never a value. */
  list(): Promise<SecretInfo[]>;
}

export interface SecretInfo {
  readonly name: string;
  readonly updatedAt: Date;
}

export type SecretsFailureCode = 'secrets.invalid-name' | 'secrets.invalid-value';

export interface SecretsFailure {
  readonly code: SecretsFailureCode;
  readonly message: string;
}

/** A storage failure (not an expected one); the message names the secret, never its value. */
export class SecretsStorageError extends Error {
  override readonly name = 'SecretsStorageError';
  constructor(
    readonly secretName: string,
    action: string,
    options: { cause: unknown },
  ) {
    super(`could not ${action} the secret "${secretName}"`, options);
  }
}

/** Each part: lowercase letters, digits, `.`, `_`, `-`; starts with a letter or digit (no `..`, no hidden files). */
const segment = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** A PEM private key is a few KiB; anything near this is a mistake, not a key. */
export const maxSecretBytes = 64 * 1024;

/**
 * Why `name` is not a valid secret name, or undefined when it is. Exactly one namespace level, so a name is a
 * file in a directory of its capability and can never reach outside the secrets directory.
 */
export function checkSecretName(name: string): SecretsFailure | undefined {
  const parts = name.split('/');
  if (parts.length !== 2 || !parts.every((p) => segment.test(p))) {
    return {
      code: 'secrets.invalid-name',
      message:
        `invalid secret name ${JSON.stringify(name.slice(0, 100))}: use "<namespace>/<name>" (e.g. "ddns/cloudflare-main"), ` +
        'each part 1-64 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
    };
  }
  return undefined;
}

/** Why `value` cannot be stored, or undefined when it can. The message never contains the value. */
export function checkSecretValue(value: string): SecretsFailure | undefined {
  if (value.length === 0) return { code: 'secrets.invalid-value', message: 'a secret cannot be empty' };
  if (Buffer.byteLength(value, 'utf8') > maxSecretBytes) {
    return { code: 'secrets.invalid-value', message: `a secret is at most ${maxSecretBytes} bytes` };
  }
  return undefined;
}

/** ok(name) when valid, else the failure: adapters start every method with it. */
export function validSecretName(name: string): Outcome<string, SecretsFailure> {
  const problem = checkSecretName(name);
  return problem ? fail(problem) : ok(name);
}

/** What the API says about a secret: whether it is set, and since when. Never the value. */
export type SecretView = { readonly set: true; readonly updatedAt: string } | { readonly set: false };

export function secretView(info: SecretInfo | undefined): SecretView {
  return info ? { set: true, updatedAt: info.updatedAt.toISOString() } : { set: false };
}

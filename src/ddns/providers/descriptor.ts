/**
 * @module What each DNS provider adapter declares about itself: its name, where its API is documented, the fields
 * a person fills in (the UI form, the CLI and the API are built from them) and how to make a client.
 */
import type { z } from 'zod';
import type { DnsProvider, ProviderDeps } from '../provider.js';

export interface ProviderField {
  /** The key in the settings or secrets object. */
  readonly name: string;
  readonly label: string;
  /** One line for the form: where to find the value, what it must allow. */
  readonly help?: string;
  /** Secrets go through the secrets port: write-only in the API and UI, never logged. */
  readonly secret: boolean;
  readonly optional?: boolean;
}

export interface ProviderDescriptor<
  Settings extends Record<string, unknown> = Record<string, unknown>,
  SecretValues extends Record<string, string> = Record<string, string>,
> {
  /** Stable id stored with the account, e.g. `cloudflare`. */
  readonly kind: string;
  /** For people, e.g. `Cloudflare`. */
  readonly label: string;
  /** The provider's API documentation the adapter follows. */
  readonly docsUrl: string;
  readonly fields: readonly ProviderField[];
  /** The non-secret settings (API endpoint override for tests and self-hosted servers, options). */
  readonly settings: z.ZodType<Settings>;
  /** The secret fields; each value non-empty. */
  readonly secrets: z.ZodType<SecretValues>;
  /** Can the account hold TXT records (ACME DNS-01)? Can the engine read the provider's records? */
  readonly can: DnsProvider['can'];
  create(settings: Settings, secrets: SecretValues, deps: ProviderDeps): DnsProvider;
}

/**
 * @module The DNS providers Gatehouse speaks to, by kind: the one list a new provider joins. The UI's forms, the
 * CLI and the API are built from their descriptors.
 */
import type { ProviderDescriptor } from './descriptor.js';
import { cloudflareProvider } from './cloudflare.js';
import { desecProvider } from './desec.js';
import { digitalOceanProvider } from './digitalocean.js';
import { duckdnsProvider } from './duckdns.js';
import { dyndns2Provider } from './dyndns2.js';
import { gandiProvider } from './gandi.js';
import { hetznerProvider } from './hetzner.js';
import { namecheapProvider } from './namecheap.js';
import { ovhProvider } from './ovh.js';
import { porkbunProvider } from './porkbun.js';
import { rfc2136Provider } from './rfc2136.js';
import { route53Provider } from './route53.js';

// Each descriptor is typed by its own settings and secrets; the registry holds them by their common shape.
const all = [
  rfc2136Provider,
  cloudflareProvider,
  route53Provider,
  duckdnsProvider,
  dyndns2Provider,
  desecProvider,
  porkbunProvider,
  hetznerProvider,
  digitalOceanProvider,
  gandiProvider,
  namecheapProvider,
  ovhProvider,
] as unknown as readonly ProviderDescriptor[];

export const providerRegistry: ReadonlyMap<string, ProviderDescriptor> = new Map(all.map((p) => [p.kind, p]));

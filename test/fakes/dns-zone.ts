/**
 * @module A DNS provider account and its authoritative servers, in memory: what `set` writes, the servers serve
 * after `lagMs` on the injected clock (or at once). Failures are scripted per call. For engine tests.
 */
import type { Clock } from '../../src/core/clock.js';
import { fail, ok } from '../../src/core/outcome.js';
import type { ServedLookup, ServerAnswer } from '../../src/ddns/engine.js';
import type { DnsProvider, ProviderFailure, ProviderResult, RecordRef } from '../../src/ddns/provider.js';
import type { ProviderDescriptor } from '../../src/ddns/providers/descriptor.js';
import { z } from 'zod';

const key = (name: string, type: string) => `${name} ${type}`;

export class FakeZone {
  /** What the provider holds, by "name type". */
  readonly held = new Map<string, string[]>();
  /** What the servers serve, with the time from which each value is served. */
  private readonly servedFrom = new Map<string, { values: string[]; from: number; before: string[] }>();
  readonly calls: { method: 'set' | 'read' | 'setAddresses'; ref: RecordRef; values?: readonly string[] }[] =
    [];
  /** A dyndns2-like provider: both families in one request (setAddresses). */
  dualStack = false;
  /** The detail a successful `set` reports (a provider that raised the TTL). */
  setDetail: string | undefined;
  /** Failures for the next `set` calls, in order. */
  readonly failNext: ProviderFailure[] = [];
  lagMs = 0;
  /** Servers that do not answer (names). */
  readonly silent = new Set<string>();
  /** The servers the lookup asks. */
  servers = ['ns1', 'ns2'];
  lookupFails: string | null = null;

  constructor(private readonly clock: Clock) {}

  /** Someone changes the record at the provider by hand: served at once. */
  edit(name: string, type: string, values: string[]): void {
    this.held.set(key(name, type), values);
    this.servedFrom.set(key(name, type), { values, from: this.clock.now().getTime(), before: values });
  }

  servedNow(name: string, type: string): string[] {
    const s = this.servedFrom.get(key(name, type));
    if (!s) return [];
    return this.clock.now().getTime() >= s.from ? s.values : s.before;
  }

  provider(): DnsProvider {
    const write = (ref: RecordRef, values: readonly string[]) => {
      const k = key(ref.name, ref.type);
      const before = this.held.get(k) ?? [];
      const changed = before.join(',') !== [...values].sort().join(',');
      this.held.set(k, [...values]);
      if (changed)
        this.servedFrom.set(k, {
          values: [...values],
          from: this.clock.now().getTime() + this.lagMs,
          before: this.servedNow(ref.name, ref.type),
        });
      return changed;
    };
    const dual: Pick<DnsProvider, 'setAddresses'> = this.dualStack
      ? {
          setAddresses: (name, addresses) => {
            const ref: RecordRef = { zone: '', name, type: 'A' };
            this.calls.push({
              method: 'setAddresses',
              ref,
              values: [addresses.ipv4 ?? '-', addresses.ipv6 ?? '-'],
            });
            const failure = this.failNext.shift();
            if (failure) return Promise.resolve(fail(failure));
            let changed = false;
            if (addresses.ipv4 !== undefined) changed = write(ref, [addresses.ipv4]) || changed;
            if (addresses.ipv6 !== undefined)
              changed = write({ ...ref, type: 'AAAA' }, [addresses.ipv6]) || changed;
            return Promise.resolve(ok({ changed }));
          },
        }
      : {};
    return {
      ...dual,
      kind: 'fake',
      can: { read: true, txt: false },
      test: () => Promise.resolve(ok({ detail: 'fine' })),
      read: (ref) => {
        this.calls.push({ method: 'read', ref });
        return Promise.resolve(
          ok({ values: [...(this.held.get(key(ref.name, ref.type)) ?? [])].sort(), ttl: 60 }),
        );
      },
      set: (ref, values): Promise<ProviderResult<{ changed: boolean }>> => {
        this.calls.push({ method: 'set', ref, values });
        const failure = this.failNext.shift();
        if (failure) return Promise.resolve(fail(failure));
        const changed = write(ref, values);
        return Promise.resolve(
          ok(this.setDetail === undefined ? { changed } : { changed, detail: this.setDetail }),
        );
      },
    };
  }

  lookup(): ServedLookup {
    return (ref) => {
      if (this.lookupFails !== null) return Promise.resolve(fail(this.lookupFails));
      const answers: ServerAnswer[] = this.servers.map((server) =>
        this.silent.has(server)
          ? { server, values: null, error: 'no answer' }
          : { server, values: this.servedNow(ref.name, ref.type) },
      );
      return Promise.resolve(ok(answers));
    };
  }

  /** A descriptor whose client is this zone's provider; the secret `token` must be "right". */
  descriptor(): ProviderDescriptor {
    return {
      kind: 'fake',
      label: 'Fake',
      docsUrl: 'https://example.test/docs',
      fields: [{ name: 'token', label: 'Token', secret: true }],
      settings: z.record(z.string(), z.unknown()),
      secrets: z.object({ token: z.string().min(1) }),
      can: { read: true, txt: false },
      create: () => this.provider(),
    };
  }
}

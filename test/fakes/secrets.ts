/**
 * @module An in-memory Secrets port with the real contract (test/fakes/contracts/secrets.ts holds it to
 * src/core/file-secrets.ts): the same name and value checks, `updatedAt` from the given clock.
 */
import type { Clock } from '../../src/core/clock.js';
import { fail, ok } from '../../src/core/outcome.js';
import {
  checkSecretName,
  checkSecretValue,
  validSecretName,
  type SecretInfo,
  type Secrets,
} from '../../src/core/secrets.js';

export class FakeSecrets implements Secrets {
  private readonly entries = new Map<string, { value: string; updatedAt: Date }>();

  constructor(private readonly clock: Clock) {}

  get(name: string) {
    const valid = validSecretName(name);
    return Promise.resolve(valid.ok ? ok(this.entries.get(name)?.value) : valid);
  }

  set(name: string, value: string) {
    const problem = checkSecretName(name) ?? checkSecretValue(value);
    if (problem) return Promise.resolve(fail(problem));
    const updatedAt = this.clock.now();
    this.entries.set(name, { value, updatedAt });
    return Promise.resolve(ok({ name, updatedAt }));
  }

  has(name: string) {
    const valid = validSecretName(name);
    return Promise.resolve(valid.ok ? ok(this.entries.has(name)) : valid);
  }

  info(name: string) {
    const valid = validSecretName(name);
    if (!valid.ok) return Promise.resolve(valid);
    const entry = this.entries.get(name);
    return Promise.resolve(ok(entry ? { name, updatedAt: entry.updatedAt } : undefined));
  }

  delete(name: string) {
    const valid = validSecretName(name);
    return Promise.resolve(valid.ok ? ok(this.entries.delete(name)) : valid);
  }

  list(): Promise<SecretInfo[]> {
    const all = [...this.entries].map(([name, e]) => ({ name, updatedAt: e.updatedAt }));
    return Promise.resolve(all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  }
}

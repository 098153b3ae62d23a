/** @module The Secrets contract: cases that the file adapter and FakeSecrets must both pass. */
import { expect, it } from 'vitest';
import { maxSecretBytes, type Secrets } from '../../../src/core/secrets.js';
import type { FakeClock } from '../clock.js';

export interface SecretsUnderTest {
  readonly secrets: Secrets;
  /** The clock the secrets were built on: updatedAt must follow it. */
  readonly clock: FakeClock;
}

/** Names a path-based store could be tricked with, and names that are merely malformed. */
export const invalidSecretNames = [
  '',
  'cloudflare-main', // no namespace
  'ddns/',
  '/ddns',
  '/etc/passwd',
  '../secrets/x',
  'ddns/..',
  'ddns/../../etc',
  '../../etc/passwd',
  'ddns/./x',
  'ddns/.hidden',
  '.ddns/x',
  'ddns/sub/x', // a second level
  'ddns//x',
  'ddns\\x',
  'DDNS/Cloudflare', // uppercase: two names must not meet on a case-insensitive disk
  'ddns/cloud flare',
  'ddns/x\u0000',
  'ddns/é',
  `ddns/${'x'.repeat(65)}`,
];

const pem = [
  '-----BEGIN PRIVATE KEY-----',
  'MC4CAQAwBQYDK2VwBCIEIOm8m2ZXh1NnJNz2Zl1b7Q0aqk3lYF1mJcY1c0mFz0bA',
  '-----END PRIVATE KEY-----',
  '',
].join('\n');

export function secretsContract(setup: () => Promise<SecretsUnderTest> | SecretsUnderTest): void {
  it('knows nothing of a secret that was never set', async () => {
    const { secrets } = await setup();
    expect(await secrets.get('ddns/cloudflare-main')).toEqual({ ok: true, value: undefined });
    expect(await secrets.has('ddns/cloudflare-main')).toEqual({ ok: true, value: false });
    expect(await secrets.info('ddns/cloudflare-main')).toEqual({ ok: true, value: undefined });
    expect(await secrets.delete('ddns/cloudflare-main')).toEqual({ ok: true, value: false });
    expect(await secrets.list()).toEqual([]);
  });

  it.each([
    ['an API token', 'ddns/cloudflare-main', 'Zx9-token_with.symbols/+='],
    ['a PEM key with newlines', 'acme/account-key', pem],
    ['text beyond ASCII, spaces kept', 'wireguard/server-key', '  ключ 🔑 with spaces  '],
    ['the largest value allowed', 'x/max', 'k'.repeat(maxSecretBytes)],
  ])('returns %s exactly as stored', async (_what, name, value) => {
    const { secrets, clock } = await setup();
    expect(await secrets.set(name, value)).toEqual({ ok: true, value: { name, updatedAt: clock.now() } });
    expect(await secrets.get(name)).toEqual({ ok: true, value });
    expect(await secrets.has(name)).toEqual({ ok: true, value: true });
    expect(await secrets.info(name)).toEqual({ ok: true, value: { name, updatedAt: clock.now() } });
  });

  it('replaces a value; updatedAt follows the clock', async () => {
    const { secrets, clock } = await setup();
    await secrets.set('ddns/cloudflare-main', 'first');
    clock.advance(90_000);
    await secrets.set('ddns/cloudflare-main', 'second');
    expect(await secrets.get('ddns/cloudflare-main')).toEqual({ ok: true, value: 'second' });
    expect(await secrets.info('ddns/cloudflare-main')).toEqual({
      ok: true,
      value: { name: 'ddns/cloudflare-main', updatedAt: clock.now() },
    });
  });

  it('deletes one secret and leaves the others', async () => {
    const { secrets } = await setup();
    await secrets.set('ddns/a', 'one');
    await secrets.set('ddns/b', 'two');
    expect(await secrets.delete('ddns/a')).toEqual({ ok: true, value: true });
    expect(await secrets.get('ddns/a')).toEqual({ ok: true, value: undefined });
    expect(await secrets.has('ddns/a')).toEqual({ ok: true, value: false });
    expect(await secrets.get('ddns/b')).toEqual({ ok: true, value: 'two' });
    expect(await secrets.delete('ddns/a')).toEqual({ ok: true, value: false });
  });

  it('lists names and times across namespaces, sorted by name, never a value', async () => {
    const { secrets, clock } = await setup();
    const t0 = clock.now();
    await secrets.set('wireguard/server-key', 'wg-value');
    clock.advance(1000);
    await secrets.set('acme/account-key', 'acme-value');
    await secrets.set('ddns/cloudflare-main', 'ddns-value');
    const listed = await secrets.list();
    expect(listed).toEqual([
      { name: 'acme/account-key', updatedAt: clock.now() },
      { name: 'ddns/cloudflare-main', updatedAt: clock.now() },
      { name: 'wireguard/server-key', updatedAt: t0 },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/-value/);
  });

  it.each(invalidSecretNames)('refuses the name %j in every method, and stores nothing', async (name) => {
    const { secrets } = await setup();
    const refused = { ok: false, error: { code: 'secrets.invalid-name', message: expect.any(String) } };
    expect(await secrets.set(name, 'value')).toEqual(refused);
    expect(await secrets.get(name)).toEqual(refused);
    expect(await secrets.has(name)).toEqual(refused);
    expect(await secrets.info(name)).toEqual(refused);
    expect(await secrets.delete(name)).toEqual(refused);
    expect(await secrets.list()).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['over the size limit', 'k'.repeat(maxSecretBytes + 1)],
    ['over the size limit in bytes, not characters', 'é'.repeat(maxSecretBytes / 2 + 1)],
  ])('refuses a value that is %s, keeps the old one, and does not echo it', async (_what, value) => {
    const { secrets } = await setup();
    await secrets.set('ddns/x', 'old');
    const result = await secrets.set('ddns/x', value);
    expect(result).toMatchObject({ ok: false, error: { code: 'secrets.invalid-value' } });
    if (value.length > 0) expect(JSON.stringify(result)).not.toContain(value);
    expect(await secrets.get('ddns/x')).toEqual({ ok: true, value: 'old' });
  });
}

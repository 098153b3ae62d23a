import { describe, expect, it } from 'vitest';
import type { User } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { generateSecret, sha256Hex } from './crypto.js';
import { ApiTokenService, apiTokenPrefix, displayPrefix } from './tokens.js';
import { readAuditLog } from '../audit/read.js';
import { aUser } from '../../test/fakes/user.js';

const admin: User = aUser();
const ctx = { clientAddress: '203.0.113.9', userAgent: 'curl/8' };

function setup() {
  const store = new MemoryStore();
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  return { store, clock, tokens: new ApiTokenService({ store, clock }) };
}

/** Stores a token as an older Gatehouse did: GitHub's prefix, only the hash of the whole value kept. */
async function storeLegacyToken(store: MemoryStore): Promise<string> {
  const token = `ghp_${generateSecret(32)}`;
  await store.update((draft) => {
    draft.apiTokens.push({
      id: '3f1c2b9e-8d4a-4c1e-9b7f-2a6d5e4c3b21',
      name: 'legacy',
      scope: 'read',
      tokenHash: sha256Hex(token),
      prefix: token.slice(0, 8),
      createdAt: '2025-06-01T00:00:00.000Z',
      lastUsedAt: null,
      createdBy: 'admin',
    });
  });
  return token;
}

describe('the token prefix', () => {
  it('is our own, not GitHub’s (gh?_) nor GitLab’s (gl…-)', () => {
    expect(apiTokenPrefix).toBe('gth_');
    expect(apiTokenPrefix).not.toMatch(/^gh[a-z]_$|^gl/);
  });

  it('shows the prefix and four characters, whatever the prefix was', () => {
    expect(displayPrefix('gth_abcdefgh')).toBe('gth_abcd');
    expect(displayPrefix('ghp_abcdefgh')).toBe('ghp_abcd');
    expect(displayPrefix('short')).toBe('short');
  });
});

describe('ApiTokenService', () => {
  it('creates gth_ tokens with 32 random bytes and keeps only their hash', async () => {
    const { store, tokens } = setup();
    const created = await tokens.create({ name: 'ci', scope: 'write' }, admin, ctx);
    if (!created.ok) throw new Error(created.error.message);
    const { token, record } = created.value;
    expect(token).toMatch(/^gth_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      name: 'ci',
      scope: 'write',
      prefix: token.slice(0, 8),
      createdBy: 'admin',
    });
    expect(record.tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(store.read())).not.toContain(token);
    expect(tokens.list().map((t) => t.name)).toEqual(['ci']);
  });

  it('fails with a code, not an HTTP status, when the name is taken or the id unknown', async () => {
    const { tokens } = setup();
    await tokens.create({ name: 'ci', scope: 'read' }, admin, ctx);
    const again = await tokens.create({ name: 'ci', scope: 'write' }, admin, ctx);
    expect(again).toEqual({
      ok: false,
      error: { code: 'token.name-taken', message: 'a token named "ci" already exists' },
    });
    const missing = await tokens.revoke('nope', admin, ctx);
    expect(missing).toEqual({
      ok: false,
      error: { code: 'token.not-found', message: 'no API token with id nope' },
    });
  });

  it('authenticates a token stored before the prefix changed (ghp_…)', async () => {
    const { store, clock, tokens } = setup();
    const legacy = await storeLegacyToken(store);
    const found = await tokens.authenticate(legacy, ctx);
    expect(found?.name).toBe('legacy');
    expect(store.read().apiTokens[0]?.lastUsedAt).toBe(clock.now().toISOString());
    expect(await tokens.authenticate(legacy.replace(/^ghp_/, 'gth_'), ctx)).toBeUndefined();
  });

  it('authenticates new tokens and no longer after revocation', async () => {
    const { tokens } = setup();
    const created = await tokens.create({ name: 'probe', scope: 'read' }, admin, ctx);
    if (!created.ok) throw new Error(created.error.message);
    expect((await tokens.authenticate(created.value.token, ctx))?.id).toBe(created.value.record.id);
    expect(await tokens.revoke(created.value.record.id, admin, ctx)).toMatchObject({ ok: true });
    expect(await tokens.authenticate(created.value.token, ctx)).toBeUndefined();
  });

  it('writes lastUsedAt at most once a minute', async () => {
    const { store, clock, tokens } = setup();
    const legacy = await storeLegacyToken(store);
    await tokens.authenticate(legacy, ctx);
    const first = clock.now().toISOString();
    const writes = store.commits.length;
    clock.advance(60_000);
    await tokens.authenticate(legacy, ctx);
    expect(store.commits.length).toBe(writes);
    expect(store.read().apiTokens[0]?.lastUsedAt).toBe(first);
    clock.advance(1);
    await tokens.authenticate(legacy, ctx);
    expect(store.read().apiTokens[0]?.lastUsedAt).toBe(clock.now().toISOString());
  });

  it('audits unknown tokens by their displayed prefix only, once a minute per client', async () => {
    const { store, clock, tokens } = setup();
    const guess = `gth_${generateSecret(32)}`;
    await tokens.authenticate(guess, ctx);
    await tokens.authenticate(guess, ctx);
    await tokens.authenticate(guess, { ...ctx, clientAddress: '198.51.100.7' });
    clock.advance(60_000);
    await tokens.authenticate(guess, ctx);
    const rejected = readAuditLog(store.log('audit')).filter((e) => e.type === 'token.rejected');
    expect(rejected.map((e) => e.clientAddress)).toEqual(['203.0.113.9', '198.51.100.7', '203.0.113.9']);
    expect(rejected[0]?.details).toEqual({ prefix: guess.slice(0, 8) });
    expect(JSON.stringify(store.read())).not.toContain(guess);
    expect(JSON.stringify(readAuditLog(store.log('audit')))).not.toContain(guess);
  });
});

/** @module API tokens: named, scoped (read / write), shown once, stored only as a hash, revocable. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { ApiToken, User } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { appendAudit } from '../audit/record.js';
import { AuditSampler } from './audit-sampler.js';
import { constantTimeEqual, generateSecret, sha256Hex } from './crypto.js';
import { authFailure, type AuthFailure } from './failure.js';
import { auditContext, type RequestContext } from './request-context.js';

/**
 * What every new token starts with: "gth" for Gatehouse. A prefix of our own lets secret scanners recognise a leaked
 * Gatehouse token, and none mistakes it for another vendor's (tokens before this one began with GitHub's `ghp_`).
 * Nothing checks it on the way in: a token is found by the hash of its whole value, so older tokens keep working.
 */
export const apiTokenPrefix = 'gth_';

/** The start of a token that may be shown and stored in clear, to tell tokens apart: the prefix and 4 characters. */
export function displayPrefix(token: string): string {
  return token.slice(0, apiTokenPrefix.length + 4);
}

export interface ApiTokenServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** lastUsedAt is written at most this often, so a busy script does not turn every request into a store write. */
const lastUsedResolutionMs = 60_000;

export class ApiTokenService {
  private readonly rejections: AuditSampler;

  constructor(private readonly deps: ApiTokenServiceDeps) {
    this.rejections = new AuditSampler(deps.clock, (input) =>
      deps.store.update((draft, tx) => {
        appendAudit(tx, deps.clock.now(), input);
      }),
    );
  }

  list(): ApiToken[] {
    return this.deps.store.read().apiTokens;
  }

  /** Creates a token; the plain value is returned here once and only its hash is kept. */
  async create(
    input: { name: string; scope: 'read' | 'write' },
    actor: User,
    ctx: RequestContext,
  ): Promise<Outcome<{ token: string; record: ApiToken }, AuthFailure>> {
    const nameTaken = () =>
      fail(authFailure('token.name-taken', `a token named "${input.name}" already exists`));
    if (this.deps.store.read().apiTokens.some((t) => t.name === input.name)) return nameTaken();
    const token = `${apiTokenPrefix}${generateSecret(32)}`;
    const now = this.deps.clock.now();
    const record: ApiToken = {
      id: randomUUID(),
      name: input.name,
      scope: input.scope,
      tokenHash: sha256Hex(token),
      prefix: displayPrefix(token),
      createdAt: now.toISOString(),
      lastUsedAt: null,
      createdBy: actor.username,
    };
    const created = await this.deps.store.update((draft, tx) => {
      // Re-checked inside the serialized update: two racing creations cannot both take the name.
      if (draft.apiTokens.some((t) => t.name === input.name)) return false;
      draft.apiTokens.push(record);
      appendAudit(tx, now, {
        type: 'token.created',
        actor: actor.username,
        outcome: 'success',
        details: { name: record.name, scope: record.scope, id: record.id },
        ...auditContext(ctx),
      });
      return true;
    });
    if (!created) return nameTaken();
    return ok({ token, record });
  }

  async revoke(id: string, actor: User, ctx: RequestContext): Promise<Outcome<ApiToken, AuthFailure>> {
    const record = this.deps.store.read().apiTokens.find((t) => t.id === id);
    if (!record) return fail(authFailure('token.not-found', `no API token with id ${id}`));
    await this.deps.store.update((draft, tx) => {
      draft.apiTokens = draft.apiTokens.filter((t) => t.id !== id);
      appendAudit(tx, this.deps.clock.now(), {
        type: 'token.revoked',
        actor: actor.username,
        outcome: 'success',
        details: { name: record.name, id },
        ...auditContext(ctx),
      });
    });
    return ok(record);
  }

  /**
   * Resolves a bearer token by the hash of its whole value (whatever its prefix); unknown tokens are audited,
   * sampled. lastUsedAt is written at most once a minute.
   */
  async authenticate(token: string, ctx: RequestContext): Promise<ApiToken | undefined> {
    const hash = sha256Hex(token);
    const record = this.deps.store.read().apiTokens.find((t) => constantTimeEqual(t.tokenHash, hash));
    const now = this.deps.clock.now();
    if (!record) {
      await this.rejections.record({
        type: 'token.rejected',
        actor: 'anonymous',
        outcome: 'failure',
        details: { prefix: displayPrefix(token) },
        ...auditContext(ctx),
      });
      return undefined;
    }
    if (
      record.lastUsedAt === null ||
      now.getTime() - new Date(record.lastUsedAt).getTime() > lastUsedResolutionMs
    ) {
      await this.deps.store.update((draft) => {
        const t = draft.apiTokens.find((x) => x.id === record.id);
        if (t) t.lastUsedAt = now.toISOString();
      });
    }
    return record;
  }
}

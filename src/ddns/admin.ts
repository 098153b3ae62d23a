/**
 * @module Managing DDNS: provider accounts (settings in the store, credentials through the secrets port, never
 * returned) and records. The one place they are written, every change audited; the API, the control socket (CLI)
 * and the UI go through it. Failures are values with codes; the HTTP edge turns codes into statuses.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { appendAudit } from '../audit/record.js';
import type { Clock } from '../core/clock.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Secrets } from '../core/secrets.js';
import type { Store } from '../store/store.js';
import { secretName } from './engine.js';
import { hostnameField } from './hostname.js';
import { canonical, ipv6ToBigInt } from './plan.js';
import type { ProviderDeps } from './provider.js';
import type { ProviderDescriptor, ProviderField } from './providers/descriptor.js';
import type { DdnsAccount, DdnsRecord, DdnsRecordState, DdnsValue } from './slice.js';

export const ddnsAuditTypes = {
  'ddns.account-added': 'A DNS provider account was added',
  'ddns.account-changed': 'A DNS provider account was changed (settings or credentials)',
  'ddns.account-removed': 'A DNS provider account was removed',
  'ddns.account-tested': "A DNS provider account's credentials were tested",
  'ddns.record-added': 'A DDNS record was added',
  'ddns.record-changed': 'A DDNS record was changed',
  'ddns.record-removed': 'A DDNS record was removed',
  'ddns.update-requested': 'An update of the DDNS records was asked for',
} as const;

export type DdnsFailureCode =
  | 'ddns.invalid'
  | 'ddns.unknown-provider'
  | 'ddns.account-not-found'
  | 'ddns.record-not-found'
  | 'ddns.account-in-use'
  | 'ddns.duplicate'
  | 'ddns.provider-refused';

export interface DdnsFailure {
  readonly code: DdnsFailureCode;
  readonly message: string;
  /** The input field the failure is about, for the form. */
  readonly field?: string;
}

export interface DdnsActor {
  readonly actor: string;
  readonly clientAddress: string;
}

/**
 * A hostname as DNS and every provider accept it: LDH labels, lowercase, no trailing dot, an internationalised name
 * as its A-labels (src/ddns/hostname.ts).
 */
export const hostnameSchema = hostnameField();

const valueSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('public') }).strict(),
  z.object({ kind: z.literal('fixed'), address: z.string().trim().max(45) }).strict(),
  z.object({ kind: z.literal('ipv6-host'), suffix: z.string().trim().max(45) }).strict(),
]);

export const recordInputSchema = z
  .object({
    hostname: hostnameSchema,
    /** The zone at the provider; default: the hostname without its first label. */
    zone: hostnameSchema.optional(),
    type: z.enum(['A', 'AAAA']),
    accountId: z.string().min(1).max(64),
    value: valueSchema.default({ kind: 'public' }),
    ttl: z.number().int().min(1).max(86_400).default(60),
    enabled: z.boolean().default(true),
  })
  .strict();

export type RecordInput = z.input<typeof recordInputSchema>;

export const recordPatchSchema = z
  .object({
    value: valueSchema.optional(),
    ttl: z.number().int().min(1).max(86_400).optional(),
    enabled: z.boolean().optional(),
    accountId: z.string().min(1).max(64).optional(),
  })
  .strict();

const noControl = /^[^\p{Cc}]*$/u;

export const accountInputSchema = z
  .object({
    name: z.string().trim().min(1, 'enter a name').max(64).regex(noControl, 'no control characters'),
    kind: z.string().min(1).max(32),
    settings: z.record(z.string(), z.unknown()).default({}),
    /** Credential fields by name; write-only. */
    secrets: z.record(z.string(), z.string().max(8192)).default({}),
  })
  .strict();

export type AccountInput = z.input<typeof accountInputSchema>;

export const accountPatchSchema = z
  .object({
    name: z.string().trim().min(1).max(64).regex(noControl, 'no control characters').optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    /** Only the fields given are replaced. */
    secrets: z.record(z.string(), z.string().max(8192)).optional(),
  })
  .strict();

/** An account as the API shows it: settings, and for each credential field only whether it is set and since when. */
export interface AccountView extends Omit<DdnsAccount, 'settings'> {
  readonly settings: Record<string, unknown>;
  readonly credentials: readonly {
    readonly field: string;
    readonly set: boolean;
    readonly updatedAt: string | null;
  }[];
  readonly provider: string;
}

export interface RecordView extends DdnsRecord {
  readonly state: DdnsRecordState | null;
}

export interface ProviderView {
  readonly kind: string;
  readonly label: string;
  readonly docsUrl: string;
  readonly fields: readonly ProviderField[];
  readonly can: { readonly read: boolean; readonly txt: boolean };
}

/** Why a record's value cannot be used, or undefined. */
export function checkValue(
  value: DdnsValue,
  type: 'A' | 'AAAA',
): { field: string; message: string } | undefined {
  if (value.kind === 'fixed') {
    const want = type === 'A' ? 4 : 6;
    if (isIP(value.address) !== want)
      return { field: 'value.address', message: `an IPv${want} address for an ${type} record` };
  }
  if (value.kind === 'ipv6-host') {
    if (type !== 'AAAA')
      return { field: 'value.kind', message: 'a device behind the IPv6 prefix needs an AAAA record' };
    const n = ipv6ToBigInt(value.suffix);
    if (n === undefined || n >> 64n !== 0n || n === 0n)
      return {
        field: 'value.suffix',
        message:
          "the device's interface identifier: the last 64 bits of its address, e.g. ::211:32ff:fe12:3456",
      };
  }
  return undefined;
}

function describeIssues(error: z.ZodError, prefix = ''): { field: string; message: string } {
  const issue = error.issues[0];
  const field = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  return { field, message: `${field === '' ? '' : `${field}: `}${issue?.message ?? 'invalid'}` };
}

export interface DdnsAdminDeps {
  readonly store: Store;
  readonly secrets: Secrets;
  readonly providers: ReadonlyMap<string, ProviderDescriptor>;
  readonly providerDeps: ProviderDeps;
  readonly clock: Clock;
  readonly newId: () => string;
  /** Told after each change of a record or an account (the conditions follow; tests leave it out). */
  readonly changed?: () => void;
}

export class DdnsAdmin {
  constructor(private readonly deps: DdnsAdminDeps) {}

  providers(): ProviderView[] {
    return [...this.deps.providers.values()].map((p) => ({
      kind: p.kind,
      label: p.label,
      docsUrl: p.docsUrl,
      fields: p.fields,
      can: p.can,
    }));
  }

  async accounts(): Promise<AccountView[]> {
    const views: AccountView[] = [];
    for (const a of this.deps.store.read().ddns.accounts) views.push(await this.accountView(a));
    return views;
  }

  records(): RecordView[] {
    const { records, states } = this.deps.store.read().ddns;
    return records.map((r) => ({ ...r, state: states.find((s) => s.recordId === r.id) ?? null }));
  }

  private async accountView(a: DdnsAccount): Promise<AccountView> {
    const descriptor = this.deps.providers.get(a.kind);
    const credentials = [];
    for (const f of descriptor?.fields.filter((x) => x.secret) ?? []) {
      const info = await this.deps.secrets.info(secretName(a.id, f.name));
      const at = info.ok ? info.value?.updatedAt : undefined;
      credentials.push({ field: f.name, set: at !== undefined, updatedAt: at?.toISOString() ?? null });
    }
    return { ...a, credentials, provider: descriptor?.label ?? a.kind };
  }

  /** Checks kind, settings and secrets against the provider's descriptor. */
  private validateAccount(
    kind: string,
    settings: Record<string, unknown>,
    secrets: Record<string, string>,
    partialSecrets: boolean,
  ): Outcome<{ descriptor: ProviderDescriptor; settings: Record<string, unknown> }, DdnsFailure> {
    const descriptor = this.deps.providers.get(kind);
    if (!descriptor)
      return fail({
        code: 'ddns.unknown-provider',
        field: 'kind',
        message: `unknown provider "${kind}"; one of: ${[...this.deps.providers.keys()].join(', ')}`,
      });
    const parsed = descriptor.settings.safeParse(settings);
    if (!parsed.success) return fail({ code: 'ddns.invalid', ...describeIssues(parsed.error, 'settings') });
    const secretFields = new Set(descriptor.fields.filter((f) => f.secret).map((f) => f.name));
    for (const name of Object.keys(secrets)) {
      if (!secretFields.has(name))
        return fail({
          code: 'ddns.invalid',
          field: `secrets.${name}`,
          message: `${descriptor.label} has no credential "${name}"`,
        });
    }
    if (!partialSecrets) {
      const checked = descriptor.secrets.safeParse(secrets);
      if (!checked.success)
        return fail({ code: 'ddns.invalid', ...describeIssues(checked.error, 'secrets') });
    }
    return ok({ descriptor, settings: parsed.data });
  }

  async addAccount(input: unknown, by: DdnsActor): Promise<Outcome<AccountView, DdnsFailure>> {
    const parsed = accountInputSchema.safeParse(input);
    if (!parsed.success) return fail({ code: 'ddns.invalid', ...describeIssues(parsed.error) });
    const { name, kind, settings, secrets } = parsed.data;
    const valid = this.validateAccount(kind, settings, secrets, false);
    if (!valid.ok) return valid;
    if (this.deps.store.read().ddns.accounts.some((a) => a.name === name))
      return fail({
        code: 'ddns.duplicate',
        field: 'name',
        message: `an account named "${name}" exists already`,
      });
    const id = this.deps.newId();
    for (const [field, value] of Object.entries(secrets)) {
      const stored = await this.deps.secrets.set(secretName(id, field), value);
      if (!stored.ok)
        return fail({ code: 'ddns.invalid', field: `secrets.${field}`, message: stored.error.message });
    }
    const now = this.deps.clock.now().toISOString();
    const account: DdnsAccount = {
      id,
      name,
      kind,
      settings: valid.value.settings,
      createdAt: now,
      updatedAt: now,
      stopped: null,
      notBefore: null,
    };
    await this.deps.store.update((draft, tx) => {
      draft.ddns.accounts.push(account);
      this.audit(tx, 'ddns.account-added', by, { account: name, provider: kind });
    });
    this.deps.changed?.();
    return ok(await this.accountView(account));
  }

  async updateAccount(id: string, patch: unknown, by: DdnsActor): Promise<Outcome<AccountView, DdnsFailure>> {
    const parsed = accountPatchSchema.safeParse(patch);
    if (!parsed.success) return fail({ code: 'ddns.invalid', ...describeIssues(parsed.error) });
    const current = this.deps.store.read().ddns.accounts.find((a) => a.id === id);
    if (!current) return fail({ code: 'ddns.account-not-found', message: `no DNS provider account ${id}` });
    const { name, settings, secrets = {} } = parsed.data;
    const valid = this.validateAccount(current.kind, settings ?? current.settings, secrets, true);
    if (!valid.ok) return valid;
    if (
      name !== undefined &&
      name !== current.name &&
      this.deps.store.read().ddns.accounts.some((a) => a.name === name)
    )
      return fail({
        code: 'ddns.duplicate',
        field: 'name',
        message: `an account named "${name}" exists already`,
      });
    for (const [field, value] of Object.entries(secrets)) {
      const stored = await this.deps.secrets.set(secretName(id, field), value);
      if (!stored.ok)
        return fail({ code: 'ddns.invalid', field: `secrets.${field}`, message: stored.error.message });
    }
    const updated = await this.deps.store.update((draft, tx) => {
      const a = draft.ddns.accounts.find((x) => x.id === id);
      if (!a) return undefined;
      if (name !== undefined) a.name = name;
      a.settings = valid.value.settings;
      a.updatedAt = this.deps.clock.now().toISOString();
      // A change of settings or credentials is what a stopped account waits for; its records' retries and stops
      // were about the old ones, so they are tried again at once (as a changed record is).
      a.stopped = null;
      a.notBefore = null;
      const records = new Set(draft.ddns.records.filter((r) => r.accountId === id).map((r) => r.id));
      for (const st of draft.ddns.states.filter((x) => records.has(x.recordId))) {
        st.stopped = null;
        st.pending = null;
      }
      this.audit(tx, 'ddns.account-changed', by, {
        account: a.name,
        changed: [
          ...(name === undefined ? [] : ['name']),
          ...(settings ? ['settings'] : []),
          ...Object.keys(secrets).map((f) => `secret:${f}`),
        ].join(','),
      });
      return { ...a };
    });
    if (!updated) return fail({ code: 'ddns.account-not-found', message: `no DNS provider account ${id}` });
    this.deps.changed?.();
    return ok(await this.accountView(updated));
  }

  async removeAccount(id: string, by: DdnsActor): Promise<Outcome<void, DdnsFailure>> {
    const doc = this.deps.store.read().ddns;
    const account = doc.accounts.find((a) => a.id === id);
    if (!account) return fail({ code: 'ddns.account-not-found', message: `no DNS provider account ${id}` });
    const using = doc.records.filter((r) => r.accountId === id).map((r) => `${r.hostname} ${r.type}`);
    if (using.length > 0)
      return fail({
        code: 'ddns.account-in-use',
        message: `remove or move its records first: ${using.join(', ')}`,
      });
    await this.deps.store.update((draft, tx) => {
      draft.ddns.accounts = draft.ddns.accounts.filter((a) => a.id !== id);
      this.audit(tx, 'ddns.account-removed', by, { account: account.name });
    });
    const descriptor = this.deps.providers.get(account.kind);
    for (const f of descriptor?.fields.filter((x) => x.secret) ?? [])
      await this.deps.secrets.delete(secretName(id, f.name));
    this.deps.changed?.();
    return ok(undefined);
  }

  /**
   * Tests credentials without changing anything: a stored account (by id), or one not saved yet (the form's "test"
   * button: kind, settings, secrets). `zone`, when given, is checked too.
   */
  async testAccount(
    target: { readonly id: string } | { readonly input: unknown },
    zone: string | undefined,
    by: DdnsActor,
  ): Promise<Outcome<{ detail: string }, DdnsFailure>> {
    let descriptor: ProviderDescriptor;
    let settings: Record<string, unknown>;
    let secrets: Record<string, string>;
    let label: string;
    if ('id' in target) {
      const account = this.deps.store.read().ddns.accounts.find((a) => a.id === target.id);
      if (!account)
        return fail({ code: 'ddns.account-not-found', message: `no DNS provider account ${target.id}` });
      const d = this.deps.providers.get(account.kind);
      if (!d) return fail({ code: 'ddns.unknown-provider', message: `unknown provider "${account.kind}"` });
      descriptor = d;
      settings = account.settings;
      secrets = {};
      for (const f of d.fields.filter((x) => x.secret)) {
        const got = await this.deps.secrets.get(secretName(account.id, f.name));
        if (got.ok && got.value !== undefined) secrets[f.name] = got.value;
      }
      label = account.name;
    } else {
      const parsed = accountInputSchema.safeParse(target.input);
      if (!parsed.success) return fail({ code: 'ddns.invalid', ...describeIssues(parsed.error) });
      const valid = this.validateAccount(parsed.data.kind, parsed.data.settings, parsed.data.secrets, false);
      if (!valid.ok) return valid;
      descriptor = valid.value.descriptor;
      settings = valid.value.settings;
      secrets = parsed.data.secrets;
      label = parsed.data.name;
    }
    const checkedSettings = descriptor.settings.safeParse(settings);
    const checkedSecrets = descriptor.secrets.safeParse(secrets);
    if (!checkedSettings.success)
      return fail({ code: 'ddns.invalid', ...describeIssues(checkedSettings.error, 'settings') });
    if (!checkedSecrets.success)
      return fail({ code: 'ddns.invalid', ...describeIssues(checkedSecrets.error, 'secrets') });
    const client = descriptor.create(checkedSettings.data, checkedSecrets.data, this.deps.providerDeps);
    const result = await client.test(zone);
    await this.deps.store.update((_draft, tx) => {
      this.audit(tx, 'ddns.account-tested', by, { account: label, provider: descriptor.kind }, result.ok);
    });
    if (!result.ok)
      // The adapter's message names the provider already ("Cloudflare: GET …: …").
      return fail({ code: 'ddns.provider-refused', message: result.error.message });
    return ok(result.value);
  }

  async addRecord(input: unknown, by: DdnsActor): Promise<Outcome<RecordView, DdnsFailure>> {
    const parsed = recordInputSchema.safeParse(input);
    if (!parsed.success) return fail({ code: 'ddns.invalid', ...describeIssues(parsed.error) });
    const r = parsed.data;
    const zone = r.zone ?? r.hostname.split('.').slice(1).join('.');
    if (r.hostname !== zone && !r.hostname.endsWith(`.${zone}`))
      return fail({
        code: 'ddns.invalid',
        field: 'zone',
        message: `${r.hostname} is not in the zone ${zone}`,
      });
    const problem = checkValue(r.value, r.type);
    if (problem) return fail({ code: 'ddns.invalid', ...problem });
    const doc = this.deps.store.read().ddns;
    if (!doc.accounts.some((a) => a.id === r.accountId))
      return fail({
        code: 'ddns.account-not-found',
        field: 'accountId',
        message: `no DNS provider account ${r.accountId}`,
      });
    if (doc.records.some((x) => x.hostname === r.hostname && x.type === r.type))
      return fail({
        code: 'ddns.duplicate',
        field: 'hostname',
        message: `${r.hostname} ${r.type} is managed already`,
      });
    const now = this.deps.clock.now().toISOString();
    const value: DdnsValue =
      r.value.kind === 'fixed' ? { kind: 'fixed', address: canonical(r.value.address) } : r.value;
    const record: DdnsRecord = {
      id: this.deps.newId(),
      hostname: r.hostname,
      zone,
      type: r.type,
      accountId: r.accountId,
      value,
      ttl: r.ttl,
      enabled: r.enabled,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.update((draft, tx) => {
      draft.ddns.records.push(record);
      this.audit(tx, 'ddns.record-added', by, { hostname: record.hostname, type: record.type });
    });
    this.deps.changed?.();
    return ok({ ...record, state: null });
  }

  async updateRecord(id: string, patch: unknown, by: DdnsActor): Promise<Outcome<RecordView, DdnsFailure>> {
    const parsed = recordPatchSchema.safeParse(patch);
    if (!parsed.success) return fail({ code: 'ddns.invalid', ...describeIssues(parsed.error) });
    const doc = this.deps.store.read().ddns;
    const current = doc.records.find((r) => r.id === id);
    if (!current) return fail({ code: 'ddns.record-not-found', message: `no DDNS record ${id}` });
    const p = parsed.data;
    if (p.value) {
      const problem = checkValue(p.value, current.type);
      if (problem) return fail({ code: 'ddns.invalid', ...problem });
    }
    if (p.accountId !== undefined && !doc.accounts.some((a) => a.id === p.accountId))
      return fail({
        code: 'ddns.account-not-found',
        field: 'accountId',
        message: `no DNS provider account ${p.accountId}`,
      });
    const updated = await this.deps.store.update((draft, tx) => {
      const r = draft.ddns.records.find((x) => x.id === id);
      if (!r) return undefined;
      if (p.value)
        r.value = p.value.kind === 'fixed' ? { kind: 'fixed', address: canonical(p.value.address) } : p.value;
      if (p.ttl !== undefined) r.ttl = p.ttl;
      if (p.enabled !== undefined) r.enabled = p.enabled;
      if (p.accountId !== undefined) r.accountId = p.accountId;
      r.updatedAt = this.deps.clock.now().toISOString();
      // A changed record is tried again at once: its stop and its pending retry were about the old configuration.
      const s = draft.ddns.states.find((x) => x.recordId === id);
      if (s) {
        s.stopped = null;
        s.pending = null;
      }
      this.audit(tx, 'ddns.record-changed', by, {
        hostname: r.hostname,
        type: r.type,
        changed: Object.keys(p).join(','),
      });
      return { ...r, state: s ? { ...s } : null };
    });
    if (!updated) return fail({ code: 'ddns.record-not-found', message: `no DDNS record ${id}` });
    this.deps.changed?.();
    return ok(updated);
  }

  async removeRecord(id: string, by: DdnsActor): Promise<Outcome<void, DdnsFailure>> {
    const record = this.deps.store.read().ddns.records.find((r) => r.id === id);
    if (!record) return fail({ code: 'ddns.record-not-found', message: `no DDNS record ${id}` });
    await this.deps.store.update((draft, tx) => {
      draft.ddns.records = draft.ddns.records.filter((r) => r.id !== id);
      draft.ddns.states = draft.ddns.states.filter((s) => s.recordId !== id);
      this.audit(tx, 'ddns.record-removed', by, { hostname: record.hostname, type: record.type });
    });
    this.deps.changed?.();
    return ok(undefined);
  }

  async auditUpdateRequest(by: DdnsActor): Promise<void> {
    await this.deps.store.update((_d, tx) => this.audit(tx, 'ddns.update-requested', by, {}));
  }

  private audit(
    tx: Parameters<Parameters<Store['update']>[0]>[1],
    type: keyof typeof ddnsAuditTypes,
    by: DdnsActor,
    details: Record<string, string>,
    success = true,
  ): void {
    appendAudit(tx, this.deps.clock.now(), {
      type,
      actor: by.actor,
      clientAddress: by.clientAddress,
      outcome: success ? 'success' : 'failure',
      details,
    });
  }
}

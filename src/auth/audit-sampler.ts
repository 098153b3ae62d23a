/** @module Audits events that anonymous callers can trigger at will at most once a minute per kind and client. */
import type { Clock } from '../core/clock.js';
import type { AuditInput } from '../audit/record.js';

const intervalMs = 60_000;
/** Beyond this many remembered (kind, client) pairs the memory is dropped, so a flood cannot grow it. */
const maxRemembered = 10_000;

/**
 * Unknown tokens and attempts while locked out cost an attacker nothing; writing each one would let them load the
 * disk and push the real history out of the bounded audit log. One event per kind and client a minute still
 * shows that it happens, and from where.
 */
export class AuditSampler {
  /** When an event of a kind (key: type + client) was last written. */
  private readonly lastWrittenAt = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly write: (input: AuditInput) => Promise<void>,
  ) {}

  async record(input: AuditInput): Promise<void> {
    const key = `${input.type}|${input.clientAddress}`;
    const now = this.clock.now().getTime();
    const last = this.lastWrittenAt.get(key);
    if (last !== undefined && now - last < intervalMs) return;
    if (this.lastWrittenAt.size > maxRemembered) this.lastWrittenAt.clear();
    this.lastWrittenAt.set(key, now);
    await this.write(input);
  }
}

/**
 * @module A TemporaryPortOpener for tests: a router whose answer the test scripts (mapped, mapped on another port,
 * unavailable, or a broken opener that throws), which records every open and close and can hold either until the
 * test lets it go — to see who waits for what.
 */
import type { TemporaryPortOpener } from '../../src/cert/ports.js';

type OpenInput = Parameters<TemporaryPortOpener['open']>[0];
type OpenResult = Awaited<ReturnType<TemporaryPortOpener['open']>>;

export type ScriptedAnswer =
  | { readonly state: 'mapped'; readonly externalPort?: number }
  | { readonly state: 'unavailable'; readonly reason: string }
  | { readonly state: 'throws'; readonly message: string };

/** A gate the test opens: calls wait at it while it is shut. */
class Gate {
  private waiting: (() => void)[] = [];
  private shut = false;

  close(): void {
    this.shut = true;
  }

  open(): void {
    this.shut = false;
    for (const go of this.waiting.splice(0)) go();
  }

  /** How many calls wait at it now. */
  get queued(): number {
    return this.waiting.length;
  }

  async pass(): Promise<void> {
    if (!this.shut) return;
    await new Promise<void>((go) => this.waiting.push(go));
  }
}

export class FakePortOpener implements TemporaryPortOpener {
  /** Every open asked for, in order. */
  readonly opens: OpenInput[] = [];
  /** The external port of every mapping closed, in order. */
  readonly closes: number[] = [];
  /** Mappings made and not closed: what the router holds now. */
  readonly active = new Set<number>();
  /** Opens wait here while it is shut (`holdOpens`). */
  readonly openGate = new Gate();
  /** Closes wait here while it is shut (`holdCloses`). */
  readonly closeGate = new Gate();
  private answer: ScriptedAnswer = { state: 'mapped' };
  private closeThrows = false;
  private nextId = 0;

  /** What the next opens answer (mapped on the asked-for port by default). */
  answers(answer: ScriptedAnswer): this {
    this.answer = answer;
    return this;
  }

  /** Makes close reject, breaking the port's contract, to see that callers survive it. */
  failCloses(): this {
    this.closeThrows = true;
    return this;
  }

  async open(input: OpenInput): Promise<OpenResult> {
    this.opens.push(input);
    const answer = this.answer;
    await this.openGate.pass();
    if (answer.state === 'throws') throw new Error(answer.message);
    if (answer.state === 'unavailable') return { state: 'unavailable', reason: answer.reason };
    const externalPort = answer.externalPort ?? input.externalPort;
    const id = ++this.nextId;
    this.active.add(id);
    return {
      state: 'mapped',
      externalPort,
      close: async () => {
        await this.closeGate.pass();
        this.active.delete(id);
        this.closes.push(externalPort);
        if (this.closeThrows) throw new Error('the router went away');
      },
    };
  }
}

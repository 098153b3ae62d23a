/**
 * @module Alert rules: each rule's title, severity, remedy and how it ends, written once. Capabilities contribute
 * their rules (the `alertRules` of their Capability); the registry built from them is the only place a raised
 * alert's severity and title come from, so what the store, the UI and every channel see is what the rule says.
 */
import type { Severity } from '../store/schema.js';

export type Details = Readonly<Record<string, string | number | boolean | null>>;

export interface RuleDefinition {
  /** The alert's title; a function of the raise's details where it names what it concerns (e.g. the family). */
  readonly title: string | ((details: Details) => string);
  readonly severity: Severity;
  /** A concrete next step in plain words; a raiser that knows better (the verdict's own remedy) may replace it. */
  readonly remedy: string;
  /**
   * `condition`: true until the raiser clears it (CGNAT, UDP blocked); raising it again while it is active is the
   * same alert. `event`: something that happened (the address changed); each raise is news and replaces the
   * previous alert of the same key, and acknowledging it closes it.
   */
  readonly kind: 'condition' | 'event';
  /** Tell the channels when the condition ends (only those that were told it began). */
  readonly notifyOnClear: boolean;
}

/** The rules of all capabilities, by id. Ids are stable: receivers (webhooks, scripts) match on them. */
export interface RuleRegistry {
  get(id: string): RuleDefinition | undefined;
  ids(): readonly string[];
}

/**
 * Builds the registry from the capabilities' rule sets. Two capabilities claiming one id is a wiring mistake
 * and fails at start; so does an id that is not `<capability>.<name>` in lower-case kebab.
 */
export function createRuleRegistry(
  ...sets: readonly Readonly<Record<string, RuleDefinition>>[]
): RuleRegistry {
  const rules = new Map<string, RuleDefinition>();
  for (const set of sets) {
    for (const [id, definition] of Object.entries(set)) {
      if (!/^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id))
        throw new Error(`alert rule id "${id}" is not <capability>.<name>`);
      if (rules.has(id)) throw new Error(`alert rule "${id}" is registered twice`);
      rules.set(id, definition);
    }
  }
  return { get: (id) => rules.get(id), ids: () => [...rules.keys()] };
}

/** The title a rule gives to an alert with these details. */
export function titleOf(definition: RuleDefinition, details: Details): string {
  return typeof definition.title === 'string' ? definition.title : definition.title(details);
}

const severityRank: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** True when `severity` is at least `minimum` (info < warning < critical). */
export function meetsSeverity(severity: Severity, minimum: Severity): boolean {
  return severityRank[severity] >= severityRank[minimum];
}

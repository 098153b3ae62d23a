/** @module The audit page's filter choices, pure. */

/** A registered audit type as GET /audit/types lists it. */
export interface AuditTypeItem {
  readonly type: string;
  readonly description: string;
}

/**
 * The filter's choices: every registered type by its description, in the registry's order, plus any type seen
 * in the events that is no longer registered (an event of a capability since removed) under its own name.
 */
export function typeOptionsOf(
  types: readonly AuditTypeItem[],
  seen: readonly string[],
): { value: string; label: string }[] {
  const registered = new Set(types.map((t) => t.type));
  const unregistered = [...new Set(seen)].filter((t) => !registered.has(t)).sort();
  return [
    { value: '', label: 'All events' },
    ...types.map((t) => ({ value: t.type, label: t.description })),
    ...unregistered.map((t) => ({ value: t, label: t })),
  ];
}

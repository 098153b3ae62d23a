/**
 * @module The plan for APIs that hold one value per record (Cloudflare, DigitalOcean, Hetzner, OVHcloud, Porkbun):
 * which records to edit, which to create and which to delete so that a name's records hold exactly the wanted values.
 */

export interface RecordChanges<Id> {
  /** Existing records that take a new value (so their options stay). */
  readonly updates: readonly { readonly id: Id; readonly value: string }[];
  readonly creates: readonly string[];
  readonly deletes: readonly Id[];
}

/**
 * What to do so that records (one value each) hold exactly `values`: records that already hold a wanted value stay,
 * the others take the values still missing (an edit keeps the record's options), then new records for what is left,
 * then the records left over are deleted — run in that order, the name never goes without a record on the way.
 */
export function planRecordChanges<Id>(
  records: readonly { readonly id: Id; readonly value: string }[],
  values: readonly string[],
): RecordChanges<Id> {
  const wanted = [...new Set(values)];
  const kept = new Set<string>();
  const spare: Id[] = [];
  for (const r of records) {
    if (wanted.includes(r.value) && !kept.has(r.value)) kept.add(r.value);
    else spare.push(r.id);
  }
  const updates: { id: Id; value: string }[] = [];
  const creates: string[] = [];
  for (const value of wanted.filter((v) => !kept.has(v))) {
    const id = spare.shift();
    if (id === undefined) creates.push(value);
    else updates.push({ id, value });
  }
  return { updates, creates, deletes: spare };
}

/** Whether the plan changes nothing (the records hold the values already). */
export function isEmptyPlan(plan: RecordChanges<unknown>): boolean {
  return plan.updates.length + plan.creates.length + plan.deletes.length === 0;
}

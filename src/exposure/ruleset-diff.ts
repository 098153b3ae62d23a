/**
 * @module What changes between the table as it is (`nft list table inet gatehouse`) and the script we would load:
 * the plan view and drift detection. Pure.
 *
 * Both texts are reduced to normalised lines before comparing, so the listing nft prints back equals the script
 * that produced it when nothing changed:
 * - whitespace is collapsed, blank lines and `#` comments dropped;
 * - the replace preamble (`table inet x` declare, `delete`/`destroy`/`flush table`) is not content and is dropped;
 * - counter values are not configuration: `counter packets 12 bytes 3456` reads `counter`, a named counter's
 *   `packets 12 bytes 3456` line is dropped, and a set element's own `counter packets … bytes …` is dropped (the
 *   set's `counter` flag says every element has one);
 * - each set element is its own line (`set forward_v4: element 10.8.0.2 . 10.10.0.20 . tcp . 8000`), sorted: the
 *   kernel lists elements in its own order;
 * - the blocks of a table (counters, sets, chains) are sorted by header; lines inside a chain keep their order,
 *   because rule order is meaning.
 * A line inside a block carries the block's header (`chain forward: iifname "wg0" … drop`), so the same rule in two
 * chains is two different lines. `added`/`removed` compare lines as multisets: a pure reordering of rules shows as
 * `unchanged: false` with nothing added or removed.
 */

export interface RulesetDiff {
  readonly added: string[];
  readonly removed: string[];
  readonly unchanged: boolean;
}

interface Block {
  readonly header: string;
  readonly lines: string[];
  readonly elements: string[];
  readonly children: Block[];
}

/** Code-unit order, the same in every locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const newBlock = (header: string): Block => ({ header, lines: [], elements: [], children: [] });

/** The line without its quoted strings, to look for braces that are syntax (not inside a comment). */
const unquoted = (line: string): string => line.replace(/"[^"]*"/g, '""');

function stripCounterValues(text: string): string {
  return text.replace(/\bcounter packets \d+ bytes \d+/g, 'counter');
}

/** Splits the inside of `elements = { … }` into element texts without their counters. */
function splitElements(inside: string): string[] {
  return inside
    .split(',')
    .map((e) => e.replace(/\bcounter packets \d+ bytes \d+/g, '').trim())
    .filter((e) => e !== '');
}

function isPreamble(line: string): boolean {
  return /^(delete|destroy|flush) table \S+ \S+$/.test(line) || /^table \S+ \S+$/.test(line);
}

function parse(script: string): Block {
  const root = newBlock('');
  const stack: Block[] = [];
  const lines = script
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  for (let i = 0; i < lines.length; i++) {
    // The loop bound keeps i in range.
    let line = lines[i] as string;
    const current = stack.at(-1) ?? root;
    if (line.startsWith('elements = {')) {
      // Elements may run over several lines up to the closing brace.
      while (!unquoted(line).includes('}') && i + 1 < lines.length) line += ` ${lines[++i] ?? ''}`;
      const inside = line.slice('elements = {'.length).replace(/\}$/, '');
      current.elements.push(...splitElements(inside));
      continue;
    }
    const bare = unquoted(line);
    if (bare.endsWith('{')) {
      const child = newBlock(line.slice(0, -1).trim());
      current.children.push(child);
      stack.push(child);
      continue;
    }
    if (bare === '}') {
      // A stray closing brace at the top leaves the root in place (`current` falls back to it).
      stack.pop();
      continue;
    }
    if (current === root && isPreamble(line)) continue;
    if (/^packets \d+ bytes \d+$/.test(line)) continue;
    current.lines.push(stripCounterValues(line));
  }
  return root;
}

function flatten(block: Block, out: string[]): string[] {
  const context = block.header;
  if (context !== '') out.push(context);
  const prefix = context === '' ? '' : `${context}: `;
  for (const line of block.lines) out.push(`${prefix}${line}`);
  for (const element of [...block.elements].sort()) out.push(`${prefix}element ${element}`);
  const children = [...block.children].sort((a, b) => compareText(a.header, b.header));
  for (const child of children) flatten(child, out);
  return out;
}

/** The normalised lines of a script or listing (see the module comment). */
export function normaliseRuleset(script: string): string[] {
  return flatten(parse(script), []);
}

/** Lines of `a` not matched by a line of `b` (multiset difference), in `a`'s order. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const line of b) left.set(line, (left.get(line) ?? 0) + 1);
  return a.filter((line) => {
    const n = left.get(line) ?? 0;
    if (n === 0) return true;
    left.set(line, n - 1);
    return false;
  });
}

/** `current` null = no table yet: everything of `next` is added. */
export function diffRuleset(current: string | null, next: string): RulesetDiff {
  return diffLines(current === null ? null : normaliseRuleset(current), normaliseRuleset(next));
}

/** diffRuleset on lines normalised already (a caller that keeps the last table's lines normalises each script once). */
export function diffLines(before: readonly string[] | null, after: readonly string[]): RulesetDiff {
  if (before === null) return { added: [...after], removed: [], unchanged: false };
  return {
    added: minus(after, before),
    removed: minus(before, after),
    unchanged: before.length === after.length && before.every((line, i) => line === after[i]),
  };
}

/**
 * How to get from the live table to the next script:
 * - `none`: nothing changed;
 * - `elements`: only flow set elements changed (peers, grants, services added or removed): one transaction of
 *   `delete element` / `add element` that leaves every other element — and its counter — untouched;
 * - `replace`: anything else (no table yet, a rule, a chain, a LAN range, the interface name): the full script.
 * Why not always replace: a packet that races the commit of a recreated table can miss a set element that did
 * not change at all (measured on kernel 6.18: about 1 new connection in 3,000 while the table was replaced 20
 * times in a row, hash and interval sets alike; TCP retransmits it a second later), and every counter restarts at 0.
 * Element updates leave unchanged elements in place. Only element texts of nft's own canonical form (addresses,
 * protocol names, ports, ranges) are copied into the update; anything else falls back to `replace`.
 */
export type UpdatePlan =
  | { readonly mode: 'none' }
  | { readonly mode: 'elements'; readonly script: string }
  | { readonly mode: 'replace'; readonly script: string };

/** `set forward_v4: element …`: a flow set element line of normaliseRuleset. */
function flowElement(line: string): RegExpExecArray | null {
  return /^set ((?:forward|input)_v[46]): element (.+)$/.exec(line);
}

export function planRulesetUpdate(current: string | null, next: string): UpdatePlan {
  if (current === null) return { mode: 'replace', script: next };
  return planUpdateLines(normaliseRuleset(current), normaliseRuleset(next), next);
}

/** planRulesetUpdate on lines normalised already: `before` the live table's, `after` those of `next`. */
export function planUpdateLines(
  before: readonly string[] | null,
  after: readonly string[],
  next: string,
): UpdatePlan {
  if (before === null) return { mode: 'replace', script: next };
  if (before.length === after.length && before.every((line, i) => line === after[i])) return { mode: 'none' };
  const replace: UpdatePlan = { mode: 'replace', script: next };
  const structure = (lines: readonly string[]) => lines.filter((l) => flowElement(l) === null);
  const beforeStructure = structure(before);
  const afterStructure = structure(after);
  const sameStructure =
    beforeStructure.length === afterStructure.length &&
    beforeStructure.every((line, i) => line === afterStructure[i]);
  const tables = afterStructure.filter((l) => /^table \S+ \S+$/.test(l));
  if (!sameStructure || tables.length !== 1) return replace;
  const changes = (lines: readonly string[]) => {
    const bySet = new Map<string, string[]>();
    for (const line of lines) {
      const match = flowElement(line);
      // structure() kept only the lines that match, so these all do.
      const [, set = '', element = ''] = match ?? [];
      bySet.set(set, [...(bySet.get(set) ?? []), element]);
    }
    return bySet;
  };
  const removed = changes(minus(before, after));
  const added = changes(minus(after, before));
  const all = [...removed.values(), ...added.values()].flat();
  if (!all.every((e) => /^[0-9A-Za-z:./ -]+$/.test(e))) return replace;
  // The table line is `table <family> <name>`.
  const table = (tables[0] ?? '').slice('table '.length);
  const commands = (verb: string, bySet: Map<string, string[]>) =>
    // Lines come in block order, sorted by header: the sets are in name order already.
    [...bySet].map(([set, elements]) => `${verb} element ${table} ${set} { ${elements.join(', ')} }`);
  return {
    mode: 'elements',
    script: [...commands('delete', removed), ...commands('add', added), ''].join('\n'),
  };
}

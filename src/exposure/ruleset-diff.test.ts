import { describe, expect, it } from 'vitest';
import {
  diffLines,
  diffRuleset,
  normaliseRuleset,
  planRulesetUpdate,
  planUpdateLines,
} from './ruleset-diff.js';

const built = `table inet gatehouse
delete table inet gatehouse
table inet gatehouse {
	counter forward_drop {
		comment "gatehouse: from the tunnel, not granted (forward)"
	}

	set forward_v4 {
		type ipv4_addr . ipv4_addr . inet_proto . inet_service
		flags interval
		counter
		elements = { 10.8.0.2 . 10.10.0.20 . tcp . 8000-8001,
			     10.8.0.3 . 10.10.0.20 . udp . 53 }
	}

	set lan_v4 {
		type ipv4_addr
		flags interval
		elements = { 10.10.0.0/24 }
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @forward_v4 accept
		iifname "wg0" counter name "forward_drop" drop
		oifname "wg0" counter packets 0 bytes 0 drop
	}
}
`;

/** The same table as `nft list table inet gatehouse` prints it after some traffic (elements in kernel order). */
const listed = `table inet gatehouse {
	counter forward_drop {
		comment "gatehouse: from the tunnel, not granted (forward)"
		packets 12 bytes 3456
	}

	set forward_v4 {
		type ipv4_addr . ipv4_addr . inet_proto . inet_service
		flags interval
		counter
		elements = { 10.8.0.3 . 10.10.0.20 . udp . 53 counter packets 0 bytes 0,
			     10.8.0.2 . 10.10.0.20 . tcp . 8000-8001 counter packets 5 bytes 300 }
	}

	set lan_v4 {
		type ipv4_addr
		flags interval
		elements = { 10.10.0.0/24 }
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @forward_v4 accept
		iifname "wg0" counter name "forward_drop" drop
		oifname "wg0" counter packets 17 bytes 1020 drop
	}
}
`;

describe('normaliseRuleset', () => {
  it('reduces a script to header-qualified lines: no preamble, counters without values, elements one per line', () => {
    expect(normaliseRuleset(built)).toEqual([
      'table inet gatehouse',
      'chain forward',
      'chain forward: type filter hook forward priority filter; policy accept;',
      'chain forward: iifname "wg0" ip saddr . ip daddr . meta l4proto . th dport @forward_v4 accept',
      'chain forward: iifname "wg0" counter name "forward_drop" drop',
      'chain forward: oifname "wg0" counter drop',
      'counter forward_drop',
      'counter forward_drop: comment "gatehouse: from the tunnel, not granted (forward)"',
      'set forward_v4',
      'set forward_v4: type ipv4_addr . ipv4_addr . inet_proto . inet_service',
      'set forward_v4: flags interval',
      'set forward_v4: counter',
      'set forward_v4: element 10.8.0.2 . 10.10.0.20 . tcp . 8000-8001',
      'set forward_v4: element 10.8.0.3 . 10.10.0.20 . udp . 53',
      'set lan_v4',
      'set lan_v4: type ipv4_addr',
      'set lan_v4: flags interval',
      'set lan_v4: element 10.10.0.0/24',
    ]);
  });

  it('reads the listing nft prints back as the same lines', () => {
    expect(normaliseRuleset(listed)).toEqual(normaliseRuleset(built));
  });

  it('drops every replace preamble form and comments, at the top level only', () => {
    expect(
      normaliseRuleset(
        '# generated\ntable inet x\nflush table inet x\ndestroy table inet x\ndelete table inet x\ntable inet x {\n\tchain c {\n\t\t# a comment\n\t\ttable inet y\n\t}\n}\n',
      ),
    ).toEqual(['table inet x', 'chain c', 'chain c: table inet y']);
  });

  it('keeps top-level commands that are not the preamble', () => {
    expect(normaliseRuleset('add rule inet x c accept\ndelete table inet\ntable inet x y\n')).toEqual([
      'add rule inet x c accept',
      'delete table inet',
      'table inet x y',
    ]);
  });

  it('does not take a brace inside a quoted string for a block', () => {
    expect(
      normaliseRuleset(
        'table inet x {\n\tchain c {\n\t\taccept comment "a {"\n\t\tdrop comment "}"\n\t}\n}\n',
      ),
    ).toEqual(['table inet x', 'chain c', 'chain c: accept comment "a {"', 'chain c: drop comment "}"']);
  });

  it('reads elements on one line or over several, with or without counters', () => {
    const one = 'table inet x {\n\tset s {\n\t\telements = { b, a counter packets 1 bytes 2, c }\n\t}\n}\n';
    const many =
      'table inet x {\n\tset s {\n\t\telements = { c,\n\t\t\ta,\n\t\t\tb counter packets 9 bytes 9 }\n\t}\n}\n';
    const expected = ['table inet x', 'set s', 'set s: element a', 'set s: element b', 'set s: element c'];
    expect(normaliseRuleset(one)).toEqual(expected);
    expect(normaliseRuleset(many)).toEqual(expected);
  });

  it('reads an elements list that never closes to the end, and ignores a stray closing brace', () => {
    expect(normaliseRuleset('}\ntable inet x {\n\tset s {\n\t\telements = { a,\n\t\t\tb')).toEqual([
      'table inet x',
      'set s',
      'set s: element a',
      'set s: element b',
    ]);
  });

  it('collapses whitespace and skips blank lines', () => {
    expect(
      normaliseRuleset('  table   inet x   {\n\n\tchain  c {\n\t\tiifname   "wg0"\t  accept  \n\t}\n}'),
    ).toEqual(['table inet x', 'chain c', 'chain c: iifname "wg0" accept']);
  });

  it('sorts the blocks of a table by header, keeps rule order inside a chain', () => {
    expect(
      normaliseRuleset(
        'table inet x {\n\tset b {\n\t}\n\tchain c {\n\t\tdrop\n\t\taccept\n\t}\n\tset a {\n\t}\n\tset b {\n\t}\n}\n',
      ),
    ).toEqual(['table inet x', 'chain c', 'chain c: drop', 'chain c: accept', 'set a', 'set b', 'set b']);
  });

  it('strips counter values wherever they are in a rule', () => {
    expect(
      normaliseRuleset('table inet x {\n\tchain c {\n\t\tcounter packets 1 bytes 2 accept\n\t}\n}'),
    ).toEqual(['table inet x', 'chain c', 'chain c: counter accept']);
  });
});

describe('diffRuleset', () => {
  it('is unchanged between a script and the listing nft prints back for it', () => {
    expect(diffRuleset(listed, built)).toEqual({ added: [], removed: [], unchanged: true });
  });

  it('adds everything when there is no table yet', () => {
    expect(diffRuleset(null, built)).toEqual({
      added: normaliseRuleset(built),
      removed: [],
      unchanged: false,
    });
  });

  it('shows an added and a removed element', () => {
    const next = built.replace('10.8.0.3 . 10.10.0.20 . udp . 53', '10.8.0.4 . 10.10.0.20 . udp . 53');
    expect(diffRuleset(listed, next)).toEqual({
      added: ['set forward_v4: element 10.8.0.4 . 10.10.0.20 . udp . 53'],
      removed: ['set forward_v4: element 10.8.0.3 . 10.10.0.20 . udp . 53'],
      unchanged: false,
    });
  });

  it('shows a changed rule as one removed and one added line of its chain', () => {
    const next = built.replace('oifname "wg0" counter packets 0 bytes 0 drop', 'oifname "wg1" counter drop');
    expect(diffRuleset(listed, next)).toEqual({
      added: ['chain forward: oifname "wg1" counter drop'],
      removed: ['chain forward: oifname "wg0" counter drop'],
      unchanged: false,
    });
  });

  it('reports reordered rules as changed, with nothing added or removed', () => {
    const next = built.replace(
      '\t\tiifname "wg0" counter name "forward_drop" drop\n\t\toifname "wg0" counter packets 0 bytes 0 drop\n',
      '\t\toifname "wg0" counter packets 0 bytes 0 drop\n\t\tiifname "wg0" counter name "forward_drop" drop\n',
    );
    expect(diffRuleset(listed, next)).toEqual({ added: [], removed: [], unchanged: false });
  });

  it('compares lines as multisets: a duplicated rule is one added line', () => {
    const twice = built.replace(
      '\t\tiifname "wg0" counter name "forward_drop" drop\n',
      '\t\tiifname "wg0" counter name "forward_drop" drop\n\t\tiifname "wg0" counter name "forward_drop" drop\n',
    );
    expect(diffRuleset(built, twice)).toEqual({
      added: ['chain forward: iifname "wg0" counter name "forward_drop" drop'],
      removed: [],
      unchanged: false,
    });
    expect(diffRuleset(twice, built)).toEqual({
      added: [],
      removed: ['chain forward: iifname "wg0" counter name "forward_drop" drop'],
      unchanged: false,
    });
  });

  it('is changed when one side has only extra lines at its end', () => {
    expect(diffRuleset('table inet x {\n}\n', 'table inet x {\n}\ntable inet y {\n}\n')).toEqual({
      added: ['table inet y'],
      removed: [],
      unchanged: false,
    });
  });

  it('is unchanged for an empty table against itself', () => {
    expect(diffRuleset('', '')).toEqual({ added: [], removed: [], unchanged: true });
  });
});

describe('planRulesetUpdate', () => {
  it('replaces when there is no table yet', () => {
    expect(planRulesetUpdate(null, built)).toEqual({ mode: 'replace', script: built });
  });

  it('does nothing when nothing changed', () => {
    expect(planRulesetUpdate(listed, built)).toEqual({ mode: 'none' });
  });

  it('updates only the flow elements that changed: deletes first, then adds, set by set', () => {
    const next = built
      .replace(
        '10.8.0.3 . 10.10.0.20 . udp . 53 }',
        '10.8.0.3 . 10.10.0.20 . udp . 53-60,\n\t\t\t     10.8.0.9 . 10.10.0.20 . tcp . 22 }',
      )
      .replace('\t\tiifname "wg0" counter name', '\t\tiifname "wg0" counter name');
    expect(planRulesetUpdate(listed, next)).toEqual({
      mode: 'elements',
      script:
        'delete element inet gatehouse forward_v4 { 10.8.0.3 . 10.10.0.20 . udp . 53 }\n' +
        'add element inet gatehouse forward_v4 { 10.8.0.3 . 10.10.0.20 . udp . 53-60, 10.8.0.9 . 10.10.0.20 . tcp . 22 }\n',
    });
  });

  it('groups element commands per set in name order, and handles the input and IPv6 sets', () => {
    const table = (elements: Record<string, string[]>) =>
      `table inet gatehouse {\n${['forward_v4', 'forward_v6', 'input_v4', 'input_v6']
        .map(
          (set) =>
            `\tset ${set} {\n\t\tcounter\n${(elements[set] ?? []).length > 0 ? `\t\telements = { ${(elements[set] ?? []).join(', ')} }\n` : ''}\t}\n`,
        )
        .join('')}}\n`;
    const current = table({
      input_v6: ['fd8a::2 . fd8a::1 . tcp . 443'],
      forward_v4: ['10.8.0.2 . 10.0.0.1 . udp . 1'],
    });
    const next = table({
      input_v4: ['10.8.0.2 . 10.8.0.1 . tcp . 22'],
      forward_v6: ['fd8a::2 . fd12::1 . tcp . 80'],
    });
    expect(planRulesetUpdate(current, next)).toEqual({
      mode: 'elements',
      script:
        'delete element inet gatehouse forward_v4 { 10.8.0.2 . 10.0.0.1 . udp . 1 }\n' +
        'delete element inet gatehouse input_v6 { fd8a::2 . fd8a::1 . tcp . 443 }\n' +
        'add element inet gatehouse forward_v6 { fd8a::2 . fd12::1 . tcp . 80 }\n' +
        'add element inet gatehouse input_v4 { 10.8.0.2 . 10.8.0.1 . tcp . 22 }\n',
    });
  });

  it('names the table the script defines', () => {
    const current = 'table ip other {\n\tset forward_v4 {\n\t}\n}\n';
    const next = 'table ip other {\n\tset forward_v4 {\n\t\telements = { 1 }\n\t}\n}\n';
    expect(planRulesetUpdate(current, next)).toEqual({
      mode: 'elements',
      script: 'add element ip other forward_v4 { 1 }\n',
    });
  });

  it.each([
    ['a rule changed', built.replace('oifname "wg0" counter packets 0 bytes 0 drop', 'oifname "wg0" accept')],
    ['a LAN range changed', built.replace('10.10.0.0/24', '10.10.0.0/16')],
    ['the interface changed', built.replaceAll('"wg0"', '"wg1"')],
    ['a set definition changed', built.replace('\t\tcounter\n\t\telements', '\t\telements')],
    [
      'rules were reordered (and an element changed)',
      built
        .replace(
          '\t\tiifname "wg0" counter name "forward_drop" drop\n\t\toifname "wg0" counter packets 0 bytes 0 drop\n',
          '\t\toifname "wg0" counter packets 0 bytes 0 drop\n\t\tiifname "wg0" counter name "forward_drop" drop\n',
        )
        .replace(' . 53 }', ' . 54 }'),
    ],
  ])('replaces when %s', (_, next) => {
    expect(planRulesetUpdate(listed, next)).toEqual({ mode: 'replace', script: next });
  });

  it('replaces when the script holds more than one table', () => {
    const two = `${built}table inet other {\n}\n`;
    const twoNext = two.replace(' . 53 }', ' . 54 }');
    expect(planRulesetUpdate(two, twoNext)).toEqual({ mode: 'replace', script: twoNext });
  });

  it.each([
    '10.8.0.2 . 10.0.0.1 . tcp . 1 } ; flush ruleset ; add element inet gatehouse forward_v4 { 1',
    '"x"',
    'a;b',
    'a\u00e9',
  ])('replaces rather than copy an element it does not recognise: %j', (element) => {
    const current =
      'table inet gatehouse {\n\tset forward_v4 {\n\t\telements = { 10.8.0.2 . 10.0.0.1 . tcp . 1 }\n\t}\n}\n';
    const next = `table inet gatehouse {\n\tset forward_v4 {\n\t\telements = { ${element} }\n\t}\n}\n`;
    expect(planRulesetUpdate(current, next).mode).toBe('replace');
    expect(planRulesetUpdate(next, current).mode).toBe('replace');
  });
});

describe('normaliseRuleset edge cases', () => {
  it('does not end an elements list at a brace inside a quoted element', () => {
    expect(
      normaliseRuleset('table inet x {\n\tset s {\n\t\telements = { "a}",\n\t\t\t"b" }\n\t}\n}\n'),
    ).toEqual(['table inet x', 'set s', 'set s: element "a}"', 'set s: element "b"']);
  });

  it('drops multi-digit element counters and empty elements', () => {
    expect(
      normaliseRuleset(
        'table inet x {\n\tset s {\n\t\telements = { a counter packets 12 bytes 3456, , b, }\n\t}\n}\n',
      ),
    ).toEqual(['table inet x', 'set s', 'set s: element a', 'set s: element b']);
  });

  it('takes only whole preamble lines for the preamble', () => {
    expect(normaliseRuleset('add table inet x\ndelete table inet x y\nx flush table inet y\n')).toEqual([
      'add table inet x',
      'delete table inet x y',
      'x flush table inet y',
    ]);
  });

  it('returns to the top level after a table closes', () => {
    expect(normaliseRuleset('table inet x {\n}\nadd rule inet x c accept\n')).toEqual([
      'add rule inet x c accept',
      'table inet x',
    ]);
  });

  it('drops only whole counter value lines', () => {
    expect(
      normaliseRuleset(
        'table inet x {\n\tquota q {\n\t\tover packets 1 bytes 2\n\t\tpackets 1 bytes 2 x\n\t}\n}\n',
      ),
    ).toEqual(['table inet x', 'quota q', 'quota q: over packets 1 bytes 2', 'quota q: packets 1 bytes 2 x']);
  });
});

describe('planRulesetUpdate edge cases', () => {
  it('replaces when the next script only adds structure after the current one', () => {
    const next = built.replace(' . 53 }', ' . 54 }').replace(/\n}\n$/, '\n\tset zz {\n\t}\n}\n');
    expect(planRulesetUpdate(listed, next)).toEqual({ mode: 'replace', script: next });
  });

  it('does not take a rule that mentions a table for a second table', () => {
    const withRule = (element: string) =>
      `table inet gatehouse {\n\tchain c {\n\t\tjump table inet y\n\t}\n\tset forward_v4 {\n\t\telements = { ${element} }\n\t}\n}\n`;
    expect(planRulesetUpdate(withRule('1'), withRule('2'))).toEqual({
      mode: 'elements',
      script: 'delete element inet gatehouse forward_v4 { 1 }\nadd element inet gatehouse forward_v4 { 2 }\n',
    });
  });
});

describe('block order', () => {
  it('sorts blocks given in any order', () => {
    const blocks = ['set c', 'set a', 'set e', 'set b', 'set d'].map((h) => `\t${h} {\n\t}`).join('\n');
    expect(normaliseRuleset(`table inet x {\n${blocks}\n}\n`)).toEqual([
      'table inet x',
      'set a',
      'set b',
      'set c',
      'set d',
      'set e',
    ]);
  });
});

describe('the same on normalised lines', () => {
  it('no table yet: everything is added, and the whole script is loaded', () => {
    const lines = ['table inet gatehouse', 'chain forward'];
    const diff = diffLines(null, lines);
    expect(diff).toEqual({ added: lines, removed: [], unchanged: false });
    expect(diff.added).not.toBe(lines);
    expect(planUpdateLines(null, lines, 'the script')).toEqual({ mode: 'replace', script: 'the script' });
  });

  it('gives what the string forms give', () => {
    const before =
      'table inet gatehouse {\n\tset forward_v4 {\n\t\telements = { 10.8.0.2 . 10.0.0.5 . tcp . 80 }\n\t}\n}\n';
    const after =
      'table inet gatehouse {\n\tset forward_v4 {\n\t\telements = { 10.8.0.3 . 10.0.0.5 . tcp . 80 }\n\t}\n}\n';
    const [b, a] = [normaliseRuleset(before), normaliseRuleset(after)];
    expect(diffLines(b, a)).toEqual(diffRuleset(before, after));
    expect(planUpdateLines(b, a, after)).toEqual(planRulesetUpdate(before, after));
    expect(planUpdateLines(b, b, before)).toEqual({ mode: 'none' });
  });
});

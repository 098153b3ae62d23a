/** @module Reading BIND's journal as the DDNS e2e suites do: what was added, in which update, and blank moments. */
import { describe, expect, it } from 'vitest';
import { blankings, journalTransactions, parseJournal, valuesAdded } from './ddns-journal.js';

// As named-journalprint (BIND 9.18) printed a run of the IPv6 suite: three first writes, then a prefix change.
const printed = `del example.test.		60	IN	SOA	ns1.example.test. hostmaster.example.test. 1 60 60 600 60
add example.test.		60	IN	SOA	ns1.example.test. hostmaster.example.test. 2 60 60 600 60
add home.example.test.	60	IN	A	203.0.113.18
del example.test.		60	IN	SOA	ns1.example.test. hostmaster.example.test. 2 60 60 600 60
add example.test.		60	IN	SOA	ns1.example.test. hostmaster.example.test. 3 60 60 600 60
add cam.example.test.	60	IN	AAAA	2001:db8:10:0:211:32ff:fe12:3456
del example.test.		60	IN	SOA	ns1.example.test. hostmaster.example.test. 3 60 60 600 60
del cam.example.test.	60	IN	AAAA	2001:db8:10:0:211:32ff:fe12:3456
add example.test.		60	IN	SOA	ns1.example.test. hostmaster.example.test. 4 60 60 600 60
add cam.example.test.	60	IN	AAAA	2001:db8:11:0:211:32ff:fe12:3456
`;

describe('BIND journal evidence', () => {
  const changes = parseJournal(printed);

  it('reads every add and del with its name (no trailing dot), type and value', () => {
    expect(changes).toHaveLength(10);
    expect(changes[2]).toEqual({ op: 'add', name: 'home.example.test', type: 'A', value: '203.0.113.18' });
    expect(changes[7]).toEqual({
      op: 'del',
      name: 'cam.example.test',
      type: 'AAAA',
      value: '2001:db8:10:0:211:32ff:fe12:3456',
    });
    expect(parseJournal('Transaction: version 1\n\n')).toEqual([]);
  });

  it('lists the values a name was given, in order', () => {
    expect(valuesAdded(changes, 'cam.example.test', 'AAAA')).toEqual([
      '2001:db8:10:0:211:32ff:fe12:3456',
      '2001:db8:11:0:211:32ff:fe12:3456',
    ]);
    expect(valuesAdded(changes, 'home.example.test', 'AAAA')).toEqual([]);
    expect(valuesAdded(changes, 'home.example.test', 'A')).toEqual(['203.0.113.18']);
  });

  it('cuts the journal into updates at each old SOA', () => {
    expect(journalTransactions(changes).map((t) => t.length)).toEqual([3, 3, 4]);
  });

  it('finds an update that removed a record without a replacement, and none where it was replaced', () => {
    expect(blankings(changes, 'cam.example.test', 'AAAA')).toEqual([]);
    const blanked = parseJournal(
      printed.replace(/^add cam\.example\.test\.\t60\tIN\tAAAA\t2001:db8:11:.*\n/m, ''),
    );
    expect(blankings(blanked, 'cam.example.test', 'AAAA')).toHaveLength(1);
    expect(blankings(blanked, 'home.example.test', 'AAAA')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeRunner } from '../../test/fakes/runner.js';
import {
  createNftFirewall,
  describeForeignForwardDrops,
  firstLines,
  isNoSuchTable,
  parseCounters,
} from './nft.js';

const done = (stdout = '', stderr = '', exitCode = 0) => ({ exitCode, stdout, stderr });

const noTable = 'Error: No such file or directory\nlist table inet gatehouse\n                 ^^^^^^^^^\n';

const scriptError = `/dev/stdin:12:3-20: Error: syntax error, unexpected junk
		junk
		^^^^
line four
line five
`;

/** `nft -j list table inet gatehouse` of nft 1.0.6 (rules left out: the parser does not read them), with traffic. */
const tableJson = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
    { table: { family: 'inet', name: 'gatehouse', handle: 8 } },
    {
      counter: {
        family: 'inet',
        name: 'forward_drop',
        table: 'gatehouse',
        handle: 4,
        comment: 'x',
        packets: 3,
        bytes: 180,
      },
    },
    {
      counter: { family: 'inet', name: 'input_drop', table: 'gatehouse', handle: 5, packets: 2, bytes: 120 },
    },
    { counter: { family: 'inet', name: 'peer_drop', table: 'gatehouse', handle: 6, packets: 1, bytes: 84 } },
    {
      counter: {
        family: 'inet',
        name: 'invalid_drop',
        table: 'gatehouse',
        handle: 7,
        packets: 4,
        bytes: 160,
      },
    },
    {
      counter: {
        family: 'inet',
        name: 'to_peer_drop',
        table: 'gatehouse',
        handle: 8,
        packets: 100,
        bytes: 6000,
      },
    },
    {
      counter: {
        family: 'inet',
        name: 'forward_drop',
        table: 'other',
        handle: 9,
        packets: 1000,
        bytes: 1000,
      },
    },
    {
      set: {
        family: 'inet',
        name: 'forward_v4',
        table: 'gatehouse',
        type: ['ipv4_addr', 'ipv4_addr', 'inet_proto', 'inet_service'],
        handle: 9,
        flags: ['interval'],
        elem: [
          {
            elem: {
              val: { concat: ['10.8.0.2', '10.10.0.20', 'tcp', { range: [8000, 8010] }] },
              counter: { packets: 5, bytes: 300 },
            },
          },
          {
            elem: { val: { concat: ['10.8.0.3', '10.10.0.20', 17, 53] }, counter: { packets: 0, bytes: 0 } },
          },
          { elem: { val: { concat: ['10.8.0.4', '10.10.0.20', 6, 22] } } },
        ],
        stmt: [{ counter: null }],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'input_v6',
        table: 'gatehouse',
        type: ['ipv6_addr', 'ipv6_addr', 'inet_proto', 'inet_service'],
        handle: 12,
        flags: ['interval'],
        elem: [
          {
            elem: { val: { concat: ['FD8A:0::2', 'fd8a::1', 'udp', 53] }, counter: { packets: 1, bytes: 2 } },
          },
        ],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'input_v4',
        table: 'gatehouse',
        type: ['ipv4_addr'],
        handle: 11,
        flags: ['interval'],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'forward_v4',
        table: 'other',
        handle: 20,
        elem: [{ elem: { val: { concat: ['junk'] } } }],
      },
    },
    {
      set: {
        family: 'inet',
        name: 'lan_v4',
        table: 'gatehouse',
        type: 'ipv4_addr',
        handle: 13,
        flags: ['interval'],
        elem: [{ prefix: { addr: '10.10.0.0', len: 16 } }],
      },
    },
    {
      chain: {
        family: 'inet',
        table: 'gatehouse',
        name: 'forward',
        handle: 1,
        type: 'filter',
        hook: 'forward',
        prio: 0,
        policy: 'accept',
      },
    },
  ],
});

describe('firstLines', () => {
  it('keeps the first non-blank lines, trimmed at the end', () => {
    expect(firstLines(scriptError)).toBe(
      '/dev/stdin:12:3-20: Error: syntax error, unexpected junk\n\t\tjunk\n\t\t^^^^\nline four',
    );
    expect(firstLines('\n\na  \n\nb\n', 1)).toBe('a');
    expect(firstLines('')).toBe('');
  });

  it('never returns more than 600 characters', () => {
    expect(firstLines('x'.repeat(2000))).toHaveLength(600);
  });
});

describe('isNoSuchTable', () => {
  it('tells a missing table from other refusals', () => {
    expect(isNoSuchTable(noTable)).toBe(true);
    expect(isNoSuchTable('Error: Could not process rule: No such file or directory')).toBe(true);
    expect(isNoSuchTable('Error: Operation not permitted')).toBe(false);
  });
});

describe('parseCounters', () => {
  it('reads the named drop counters, sums the tunnel ones, and reads every flow element', () => {
    expect(parseCounters(tableJson)).toEqual({
      ok: true,
      value: {
        drops: { packets: 10, bytes: 544 },
        named: {
          forward_drop: { packets: 3, bytes: 180 },
          input_drop: { packets: 2, bytes: 120 },
          peer_drop: { packets: 1, bytes: 84 },
          invalid_drop: { packets: 4, bytes: 160 },
          to_peer_drop: { packets: 100, bytes: 6000 },
        },
        elements: [
          {
            hook: 'forward',
            peerAddress: '10.8.0.2',
            host: '10.10.0.20',
            protocol: 'tcp',
            portFrom: 8000,
            portTo: 8010,
            packets: 5,
            bytes: 300,
          },
          {
            hook: 'forward',
            peerAddress: '10.8.0.3',
            host: '10.10.0.20',
            protocol: 'udp',
            portFrom: 53,
            portTo: 53,
            packets: 0,
            bytes: 0,
          },
          {
            hook: 'forward',
            peerAddress: '10.8.0.4',
            host: '10.10.0.20',
            protocol: 'tcp',
            portFrom: 22,
            portTo: 22,
            packets: 0,
            bytes: 0,
          },
          {
            hook: 'input',
            peerAddress: 'fd8a::2',
            host: 'fd8a::1',
            protocol: 'udp',
            portFrom: 53,
            portTo: 53,
            packets: 1,
            bytes: 2,
          },
        ],
      },
    });
  });

  it('counts zero drops for a table without counters', () => {
    expect(parseCounters('{"nftables":[]}')).toEqual({
      ok: true,
      value: { drops: { packets: 0, bytes: 0 }, named: {}, elements: [] },
    });
  });

  it.each([
    ['not json', 'nft printed a table listing that Gatehouse cannot read: not JSON'],
    ['{"tables":[]}', 'nft printed a table listing that Gatehouse cannot read: no "nftables" array'],
    ['[]', 'nft printed a table listing that Gatehouse cannot read: no "nftables" array'],
  ])('refuses %j', (json, message) => {
    expect(parseCounters(json)).toEqual({ ok: false, error: { code: 'exposure.nft-output', message } });
  });

  it.each([
    [['10.8.0.2', '10.10.0.20', 'tcp']],
    [['10.8.0.2', '10.10.0.20', 'icmp', 1]],
    [['junk', '10.10.0.20', 'tcp', 1]],
    [['10.8.0.2', 7, 'tcp', 1]],
    [[5, '10.10.0.20', 'tcp', 1]],
    [['10.8.0.2', '10.10.0.20', 'tcp', 'http']],
  ])('refuses a flow element it cannot read: %j', (concat) => {
    const json = JSON.stringify({
      nftables: [
        {
          set: {
            family: 'inet',
            name: 'input_v4',
            table: 'gatehouse',
            elem: [{ elem: { val: { concat } } }],
          },
        },
      ],
    });
    const r = parseCounters(json);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('exposure.nft-output');
    expect(!r.ok && r.error.message).toMatch(/^nft printed a set element that Gatehouse cannot read: /);
  });

  it('refuses a flow element that is not a concatenation', () => {
    const json = JSON.stringify({
      nftables: [{ set: { family: 'inet', name: 'forward_v6', table: 'gatehouse', elem: ['10.0.0.1'] } }],
    });
    expect(parseCounters(json)).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-output',
        message: 'nft printed a set element that Gatehouse cannot read: "10.0.0.1"',
      },
    });
  });

  it('ignores sets whose names are not flow sets', () => {
    const json = JSON.stringify({
      nftables: [
        { set: { family: 'inet', name: 'forward_v4x', table: 'gatehouse', elem: ['x'] } },
        { set: { family: 'inet', name: 'xforward_v4', table: 'gatehouse', elem: ['x'] } },
        { set: { family: 'inet', name: 'output_v4', table: 'gatehouse', elem: ['x'] } },
        { set: { family: 'inet', name: 'forward_v5', table: 'gatehouse', elem: ['x'] } },
      ],
    });
    expect(parseCounters(json)).toMatchObject({ ok: true, value: { elements: [] } });
  });
});

const chain = (family: string, table: string, name: string, hook?: string, policy?: string) => ({
  chain: {
    family,
    table,
    name,
    handle: 1,
    ...(hook === undefined ? {} : { type: 'filter', hook, prio: 0, policy }),
  },
});
const ruleset = (...items: unknown[]) => JSON.stringify({ nftables: [{ metainfo: {} }, ...items] });

describe('describeForeignForwardDrops', () => {
  it("finds nothing when only accepting forward chains and other hooks' drops exist", () => {
    expect(
      describeForeignForwardDrops(
        ruleset(
          chain('inet', 'gatehouse', 'forward', 'forward', 'drop'),
          chain('ip', 'filter', 'FORWARD', 'forward', 'accept'),
          chain('ip', 'filter', 'INPUT', 'input', 'drop'),
          chain('ip', 'filter', 'DOCKER-USER'),
          { rule: { family: 'ip', table: 'filter', chain: 'FORWARD', expr: [] } },
        ),
        'wg0',
      ),
    ).toEqual({ ok: true, value: [] });
  });

  it("reports Docker's iptables FORWARD policy with the DOCKER-USER remedy", () => {
    expect(
      describeForeignForwardDrops(
        ruleset(chain('ip', 'filter', 'FORWARD', 'forward', 'drop'), chain('ip', 'filter', 'DOCKER-USER')),
        'wg0',
      ),
    ).toEqual({
      ok: true,
      value: [
        "Docker's FORWARD policy drops forwarded traffic (chain FORWARD of table ip filter), including the tunnel's even where Gatehouse allows it: add rules to DOCKER-USER, e.g. `iptables -I DOCKER-USER -i wg0 -j ACCEPT` and `iptables -I DOCKER-USER -o wg0 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT` (Gatehouse's own table still drops what is not granted).",
      ],
    });
  });

  it("reports ufw's forward policy with its remedy", () => {
    expect(
      describeForeignForwardDrops(
        ruleset(
          chain('ip6', 'filter', 'FORWARD', 'forward', 'drop'),
          chain('ip6', 'filter', 'ufw6-before-forward'),
        ),
        'wg0',
      ),
    ).toEqual({
      ok: true,
      value: [
        "ufw's default forward policy drops forwarded traffic (chain FORWARD of table ip6 filter), including the tunnel's: run `ufw route allow in on wg0` and `ufw route allow out on wg0`, or set DEFAULT_FORWARD_POLICY=\"ACCEPT\" in /etc/default/ufw (Gatehouse's own table still drops what is not granted).",
      ],
    });
  });

  it("reports Docker's nftables firewall", () => {
    expect(
      describeForeignForwardDrops(
        ruleset(chain('ip', 'docker-bridges', 'filter-FORWARD', 'forward', 'drop')),
      ),
    ).toEqual({
      ok: true,
      value: [
        "Docker's nftables firewall drops forwarded traffic (chain filter-FORWARD of table ip docker-bridges), including the tunnel's: start dockerd with --bridge-accept-fwmark and mark the tunnel's packets, or with --ip-forward-no-drop (Gatehouse's own table still drops what is not granted).",
      ],
    });
  });

  it('reports any other forward chain with policy drop, naming the interface or a placeholder', () => {
    const json = ruleset(
      chain('inet', 'firewall', 'fwd', 'forward', 'drop'),
      chain('ip', 'gatehouse', 'forward', 'forward', 'drop'),
    );
    expect(describeForeignForwardDrops(json, 'gatehouse0')).toEqual({
      ok: true,
      value: [
        'The chain fwd of table inet firewall drops forwarded traffic by default (policy drop), including the tunnel\'s even where Gatehouse allows it: add an accept there for iifname "gatehouse0" and for replies to oifname "gatehouse0", or change its policy.',
        'The chain forward of table ip gatehouse drops forwarded traffic by default (policy drop), including the tunnel\'s even where Gatehouse allows it: add an accept there for iifname "gatehouse0" and for replies to oifname "gatehouse0", or change its policy.',
      ],
    });
    const [first] = describeForeignForwardDrops(json).ok
      ? (describeForeignForwardDrops(json) as { value: string[] }).value
      : [];
    expect(first).toContain('iifname "<wireguard-interface>"');
  });

  it('only counts Docker and ufw chains of the same table', () => {
    const r = describeForeignForwardDrops(
      ruleset(
        chain('ip', 'filter', 'FORWARD', 'forward', 'drop'),
        chain('ip6', 'filter', 'DOCKER-USER'),
        chain('ip', 'other', 'ufw-x'),
      ),
    );
    expect(r.ok && r.value[0]).toMatch(/^The chain FORWARD of table ip filter/);
  });

  it('refuses output that is not a ruleset listing', () => {
    expect(describeForeignForwardDrops('nope')).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-output',
        message: 'nft printed a ruleset listing that Gatehouse cannot read: not JSON',
      },
    });
  });
});

describe('createNftFirewall', () => {
  it('applies a script on stdin in one nft -f - run', async () => {
    const runner = new FakeRunner().on(['nft', '-f', '-'], done());
    expect(await createNftFirewall(runner).apply('table inet gatehouse {}\n')).toEqual({
      ok: true,
      value: undefined,
    });
    expect(runner.calls).toEqual([
      { argv: ['nft', '-f', '-'], stdin: 'table inet gatehouse {}\n', timeoutMs: 30_000 },
    ]);
  });

  it("says what failed with nft's first lines of stderr", async () => {
    const runner = new FakeRunner().on(['nft', '-f', '-'], done('', scriptError, 1));
    expect(await createNftFirewall(runner).apply('junk')).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-failed',
        message:
          'loading the firewall table failed (nft exit 1): /dev/stdin:12:3-20: Error: syntax error, unexpected junk\n\t\tjunk\n\t\t^^^^\nline four',
      },
    });
  });

  it('says when nft was killed at its timeout', async () => {
    const runner = new FakeRunner().hangs(['nft', '-f', '-']);
    expect(await createNftFirewall(runner, { timeoutMs: 2000 }).apply('x')).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-failed',
        message: 'loading the firewall table failed (nft exit 124): nft did not finish within 2 s',
      },
    });
    expect(runner.calls[0]?.timeoutMs).toBe(2000);
  });

  it('names the exit code alone when a failing nft says nothing', async () => {
    const runner = new FakeRunner().on(['nft', '-c', '-f', '-'], done('', '  \n', 3));
    expect(await createNftFirewall(runner).check('x')).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-failed',
        message: 'checking the firewall table failed (nft exit 3): nft failed (exit 3)',
      },
    });
  });

  it('checks a script with nft -c -f -', async () => {
    const runner = new FakeRunner().on(['nft', '-c', '-f', '-'], done());
    expect(await createNftFirewall(runner).check('script')).toEqual({ ok: true, value: undefined });
    expect(runner.calls[0]).toEqual({ argv: ['nft', '-c', '-f', '-'], stdin: 'script', timeoutMs: 30_000 });
  });

  it('says which package to install when nft is missing, for every operation', async () => {
    const runner = new FakeRunner().missing('nft');
    const firewall = createNftFirewall(runner);
    const missing = {
      ok: false,
      error: {
        code: 'exposure.nft-missing',
        message:
          'nft cannot run (nft is not installed or not on PATH): install the nftables package (e.g. apt-get install nftables)',
      },
    };
    expect(await firewall.apply('x')).toEqual(missing);
    expect(await firewall.check('x')).toEqual(missing);
    expect(await firewall.current()).toEqual(missing);
    expect(await firewall.counters()).toEqual(missing);
    expect(await firewall.remove()).toEqual(missing);
    expect(await firewall.foreignForwardDrops()).toEqual(missing);
  });

  it('reports a cancelled run as a failure, not a missing program', async () => {
    const runner = new FakeRunner().on(['nft'], {
      kind: 'cancelled',
      program: 'nft',
      message: 'nft was cancelled',
    });
    expect(await createNftFirewall(runner).apply('x')).toEqual({
      ok: false,
      error: { code: 'exposure.nft-failed', message: 'nft was cancelled' },
    });
  });

  it('reads the current table, null when absent, a failure otherwise', async () => {
    const argv = ['nft', 'list', 'table', 'inet', 'gatehouse'] as const;
    const present = new FakeRunner().on(argv, done('table inet gatehouse {\n}\n'));
    expect(await createNftFirewall(present).current()).toEqual({
      ok: true,
      value: 'table inet gatehouse {\n}\n',
    });
    expect(present.calls[0]).toEqual({ argv, stdin: undefined, timeoutMs: 30_000 });
    const absent = new FakeRunner().on(argv, done('', noTable, 1));
    expect(await createNftFirewall(absent).current()).toEqual({ ok: true, value: null });
    const denied = new FakeRunner().on(argv, done('', 'Error: Operation not permitted\n', 1));
    expect(await createNftFirewall(denied).current()).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-failed',
        message: 'nft list table inet gatehouse failed (nft exit 1): Error: Operation not permitted',
      },
    });
  });

  it('reads counters from the JSON listing, and says when nothing is applied', async () => {
    const argv = ['nft', '-j', 'list', 'table', 'inet', 'gatehouse'] as const;
    const present = new FakeRunner().on(argv, done(tableJson));
    expect(await createNftFirewall(present).counters()).toEqual(parseCounters(tableJson));
    const absent = new FakeRunner().on(argv, done('', noTable, 1));
    expect(await createNftFirewall(absent).counters()).toEqual({
      ok: false,
      error: {
        code: 'exposure.not-applied',
        message: 'table inet gatehouse does not exist: no firewall applied',
      },
    });
    const denied = new FakeRunner().on(argv, done('', 'Error: Operation not permitted', 1));
    expect(await createNftFirewall(denied).counters()).toMatchObject({
      ok: false,
      error: { code: 'exposure.nft-failed' },
    });
  });

  it('removes only its table: true when it existed, false when not, a failure otherwise', async () => {
    const argv = ['nft', 'delete', 'table', 'inet', 'gatehouse'] as const;
    const existed = new FakeRunner().on(argv, done());
    expect(await createNftFirewall(existed).remove()).toEqual({ ok: true, value: true });
    expect(existed.calls.map((c) => c.argv)).toEqual([argv]);
    const absent = new FakeRunner().on(
      argv,
      done('', 'Error: Could not process rule: No such file or directory\n', 1),
    );
    expect(await createNftFirewall(absent).remove()).toEqual({ ok: true, value: false });
    const busy = new FakeRunner().on(
      argv,
      done('', 'Error: Could not process rule: Device or resource busy\n', 1),
    );
    expect(await createNftFirewall(busy).remove()).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-failed',
        message:
          'nft delete table inet gatehouse failed (nft exit 1): Error: Could not process rule: Device or resource busy',
      },
    });
  });

  it('reads the whole ruleset for foreign forward drops', async () => {
    const json = ruleset(
      chain('ip', 'filter', 'FORWARD', 'forward', 'drop'),
      chain('ip', 'filter', 'DOCKER-USER'),
    );
    const runner = new FakeRunner().on(['nft', '-j', 'list', 'ruleset'], done(json));
    expect(await createNftFirewall(runner).foreignForwardDrops('wg0')).toEqual(
      describeForeignForwardDrops(json, 'wg0'),
    );
    const failing = new FakeRunner().on(
      ['nft', '-j', 'list', 'ruleset'],
      done('', 'Error: Operation not permitted', 1),
    );
    expect(await createNftFirewall(failing).foreignForwardDrops()).toEqual({
      ok: false,
      error: {
        code: 'exposure.nft-failed',
        message: 'nft list ruleset failed (nft exit 1): Error: Operation not permitted',
      },
    });
  });

  describe('sync', () => {
    const list = ['nft', 'list', 'table', 'inet', 'gatehouse'] as const;
    const table = (elements: string) =>
      `table inet gatehouse {\n\tset forward_v4 {\n\t\tcounter\n\t\telements = { ${elements} }\n\t}\n}\n`;
    const script = (elements: string) =>
      `table inet gatehouse\ndelete table inet gatehouse\n${table(elements)}`;

    it('does nothing when the live table already matches', async () => {
      const runner = new FakeRunner().on(list, done(table('1 . 2 . tcp . 3 counter packets 4 bytes 5')));
      expect(await createNftFirewall(runner).sync(script('1 . 2 . tcp . 3'))).toEqual({
        ok: true,
        value: { mode: 'none' },
      });
      expect(runner.calls.map((c) => c.argv)).toEqual([list]);
    });

    it('loads only the element changes when that is all that differs', async () => {
      const runner = new FakeRunner().on(list, done(table('1 . 2 . tcp . 3'))).on(['nft', '-f', '-'], done());
      expect(await createNftFirewall(runner).sync(script('1 . 2 . tcp . 4'))).toEqual({
        ok: true,
        value: { mode: 'elements' },
      });
      expect(runner.calls.map((c) => c.stdin)).toEqual([
        undefined,
        'delete element inet gatehouse forward_v4 { 1 . 2 . tcp . 3 }\nadd element inet gatehouse forward_v4 { 1 . 2 . tcp . 4 }\n',
      ]);
    });

    it('loads the whole script when the element update is refused', async () => {
      const runner = new FakeRunner()
        .on(list, done(table('1 . 2 . tcp . 3')))
        .on(['nft', '-f', '-'], (call) =>
          call.stdin?.startsWith('delete element') ? done('', 'Error: gone', 1) : done(),
        );
      expect(await createNftFirewall(runner).sync(script('1 . 2 . tcp . 4'))).toEqual({
        ok: true,
        value: { mode: 'replace' },
      });
      expect(runner.calls.at(-1)?.stdin).toBe(script('1 . 2 . tcp . 4'));
    });

    it('loads the whole script when there is no table, and reports its failure', async () => {
      const runner = new FakeRunner()
        .on(list, done('', noTable, 1))
        .on(['nft', '-f', '-'], done('', 'Error: nope', 1));
      expect(await createNftFirewall(runner).sync(script('x'))).toEqual({
        ok: false,
        error: {
          code: 'exposure.nft-failed',
          message: 'loading the firewall table failed (nft exit 1): Error: nope',
        },
      });
      expect(runner.calls.map((c) => c.stdin)).toEqual([undefined, script('x')]);
    });

    it('loads the whole script when the table is new', async () => {
      const runner = new FakeRunner().on(list, done('', noTable, 1)).on(['nft', '-f', '-'], done());
      expect(await createNftFirewall(runner).sync(script('x'))).toEqual({
        ok: true,
        value: { mode: 'replace' },
      });
    });

    it('fails when the live table cannot be read', async () => {
      const runner = new FakeRunner().on(list, done('', 'Error: Operation not permitted', 1));
      expect(await createNftFirewall(runner).sync(script('x'))).toMatchObject({
        ok: false,
        error: { code: 'exposure.nft-failed' },
      });
      expect(runner.calls).toHaveLength(1);
    });
  });
});

describe('nft output edge cases', () => {
  it('skips lines of spaces in stderr', () => {
    expect(firstLines('a\n   \nb')).toBe('a\nb');
  });

  it('names the exit code alone when nft says nothing on a listing', async () => {
    const runner = new FakeRunner().on(['nft', 'list'], done('', '', 1));
    expect(await createNftFirewall(runner).current()).toEqual({
      ok: false,
      error: { code: 'exposure.nft-failed', message: 'nft list table inet gatehouse failed (nft exit 1)' },
    });
  });

  it('quotes at most 200 characters of an element it cannot read', () => {
    const json = JSON.stringify({
      nftables: [{ set: { family: 'inet', name: 'input_v4', table: 'gatehouse', elem: ['x'.repeat(500)] } }],
    });
    const r = parseCounters(json);
    expect(!r.ok && r.error.message).toBe(
      `nft printed a set element that Gatehouse cannot read: "${'x'.repeat(199)}`,
    );
  });
});

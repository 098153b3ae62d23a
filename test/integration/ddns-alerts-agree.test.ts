/**
 * @module The DDNS card and the DDNS alerts agree (issue 10). The real app with DDNS on (main.ts's factories, a real
 * store) updates a record at a fake dyndns2 server on loopback and verifies it at a tiny authoritative DNS server on
 * loopback; each scenario drives the engine through the API ("Update now", account and record changes) as the browser
 * does, with a FakeClock for the retry and verify waits, then reads the dashboard card and the Alerts page through the
 * API. Every problem the card shows is exactly one active alert whose severity is the card's tone and whose title and
 * remedy are the card's words; it is told once to the channels its severity reaches, goes on (untold) while the
 * problem does, and is cleared and told once when the problem ends — never before. Every DDNS alert carries its
 * rule's severity, title and remedy. A drift is news (an event): told once, the record set back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { titleOf } from '../../src/alerts/catalogue.js';
import { ddnsRules } from '../../src/ddns/alert-rules.js';
import { verifyDelays } from '../../src/ddns/engine.js';
import { createDdnsServer, servedKey, type DdnsServer } from '../support/ddns-server.js';
import { startReceiver, type Receiver } from '../support/loopback-receiver.js';

type RuleId = keyof typeof ddnsRules;
const isDdnsRule = (rule: string): rule is RuleId => Object.hasOwn(ddnsRules, rule);

interface Card {
  id: string;
  state: 'ok' | 'warning' | 'error' | 'unknown';
  summary: string;
  facts: { label: string; value: string }[];
}
interface ApiAlert {
  id: string;
  rule: string;
  key: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  message: string;
  remedy: string | null;
  raisedAt: string;
  occurrences: number;
  clearedAt: string | null;
  details: Record<string, string | number | boolean | null>;
}
interface RecordView {
  id: string;
  hostname: string;
  type: 'A' | 'AAAA';
  state: {
    applied: string | null;
    pending: { attempts: number; nextAttemptAt: string } | null;
    lastAttempt: { ok: boolean; message: string } | null;
  } | null;
}
interface Delivered {
  channel: 'phone' | 'pager';
  event: string;
  rule: string;
  key: string;
}

const hostname = 'home.example.test';
const tones = { critical: 'error', warning: 'warning', info: 'ok' } as const;

/** The server, two channels (a phone that hears everything, a pager for critical only), an account and a record. */
async function setup(t: DdnsServer) {
  const call = await t.setupAdmin();
  const delivered: Delivered[] = [];
  const receivers: Receiver[] = [];
  const channelIds = new Map<string, 'phone' | 'pager'>();
  for (const [name, minSeverity] of [
    ['phone', 'info'],
    ['pager', 'critical'],
  ] as const) {
    const receiver = await startReceiver((req) => {
      const body = JSON.parse(req.body) as { event: string; alert: { rule: string; key: string } };
      delivered.push({ channel: name, event: body.event, rule: body.alert.rule, key: body.alert.key });
      return { status: 200, body: 'ok' };
    });
    receivers.push(receiver);
    const created = await call('POST', '/alerts/channels', {
      name,
      enabled: true,
      minSeverity,
      target: { kind: 'webhook', url: `${receiver.origin}/hook`, secret: 'a'.repeat(32) },
    });
    expect(created.status).toBe(201);
    channelIds.set(((await created.json()) as { channel: { id: string } }).channel.id, name);
  }
  await t.store.update((d) => {
    d.reachability.current.ipv4 = '203.0.113.7';
  });
  const accountRes = await call('POST', '/ddns/accounts', {
    kind: 'dyndns2',
    name: 'Home dyndns',
    settings: { preset: 'custom', serverUrl: t.dyndns2.url, username: t.dyndns2.username },
    secrets: { password: t.dyndns2.password },
  });
  expect(accountRes.status, await accountRes.clone().text()).toBe(201);
  const account = (await accountRes.json()) as { id: string; name: string };
  // Adding the record starts a run of its own (not awaited by the route): its end is the record's ddns.applied.
  const first = applied(t, 'the record was added');
  const recordRes = await call('POST', '/ddns/records', { hostname, type: 'A', accountId: account.id });
  expect(recordRes.status).toBe(201);
  const record = (await recordRes.json()) as { id: string };
  await first;
  expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['203.0.113.7']);

  /** The DDNS card, the active and recently cleared DDNS alerts and the records, through the API. */
  const read = async () => {
    const status = (await (await call('GET', '/status')).json()) as { cards: Card[] };
    const alerts = (await (await call('GET', '/alerts')).json()) as {
      active: ApiAlert[];
      recent: ApiAlert[];
    };
    const overview = (await (await call('GET', '/ddns')).json()) as { records: RecordView[] };
    const card = status.cards.find((c) => c.id === 'ddns');
    if (!card) throw new Error('no DDNS card');
    const ddns = (list: ApiAlert[]) => list.filter((a) => isDdnsRule(a.rule));
    return { card, active: ddns(alerts.active), recent: ddns(alerts.recent), records: overview.records };
  };

  /**
   * The card and the alerts agree: the card's tone is the most severe active condition's (OK with none) and its
   * summary says that condition in the alert's own words, title and remedy; one alert per problem; every DDNS alert,
   * active or cleared, carries its rule's severity, title and remedy, and was for exactly the channels its severity
   * reaches.
   */
  const expectAgreement = async () => {
    const now = await read();
    const conditions = now.active.filter((a) => isDdnsRule(a.rule) && ddnsRules[a.rule].kind === 'condition');
    expect(new Set(now.active.map((a) => `${a.rule}/${a.key}`)).size, 'one alert per problem').toBe(
      now.active.length,
    );
    const worst = conditions.some((a) => a.severity === 'critical')
      ? 'critical'
      : conditions.length > 0
        ? 'warning'
        : 'info';
    expect(now.card.state, `${now.card.summary} / ${conditions.map((a) => a.rule).join(', ')}`).toBe(
      tones[worst],
    );
    const first = conditions
      .filter((a) => a.severity === worst)
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt))[0];
    if (first) expect(now.card.summary).toBe(`${first.title}. ${first.remedy ?? ''}`);
    for (const a of [...now.active, ...now.recent]) {
      if (!isDdnsRule(a.rule)) continue;
      const rule = ddnsRules[a.rule];
      expect(a.severity, a.rule).toBe(rule.severity);
      expect(a.title, a.rule).toBe(titleOf(rule, a.details));
      expect(a.remedy, a.rule).toBe(rule.remedy);
    }
    // The audience: the channels the rule's severity reaches (the pager only for critical ones).
    for (const stored of t.store.read().alerts.items.filter((a) => isDdnsRule(a.rule))) {
      const reached =
        ddnsRules[stored.rule as RuleId].severity === 'critical' ? ['phone', 'pager'] : ['phone'];
      expect((stored.audienceChannelIds ?? []).map((id) => channelIds.get(id)).sort(), stored.rule).toEqual(
        reached.sort(),
      );
    }
    return { ...now, conditions };
  };

  const told = (rule: string, event: 'raised' | 'cleared', channel: Delivered['channel'] = 'phone') =>
    delivered.filter((d) => d.rule === rule && d.event === event && d.channel === channel).length;

  /** "Update now", as the DDNS page's button: the run is awaited by the route. */
  const updateNow = async () => {
    const res = await call('POST', '/ddns/update');
    expect(res.status).toBe(200);
    return (await res.json()) as {
      hostname: string;
      action: { kind: string; drift?: boolean };
      result: string | null;
    }[];
  };

  /**
   * "Update now" while the engine waits for the authoritative servers: the clock passes each of its waits (100 ms,
   * doubling), never a DNS query's own retransmission timer (1 s, pending only while a query is out).
   */
  const updatePassingVerifyWaits = async () => {
    const run = { done: false };
    const ran = updateNow().finally(() => {
      run.done = true;
    });
    const verifyWaits = new Set(verifyDelays(5_000));
    for (let turns = 0; !run.done && turns < 10_000; turns++) {
      await t.clock.settle();
      const waits = t.clock.pendingWakeups();
      if (waits.length === 1 && verifyWaits.has(waits[0] ?? -1)) t.clock.advance(waits[0] ?? 0);
    }
    return ran;
  };

  /** Lets the retry wait of the record's last failure pass. */
  const waitForRetry = async () => {
    const pending = (await read()).records[0]?.state?.pending;
    if (!pending) throw new Error('no retry pending');
    t.clock.advanceTo(new Date(Date.parse(pending.nextAttemptAt) + 1));
  };

  return {
    call,
    read,
    expectAgreement,
    told,
    delivered,
    updateNow,
    updatePassingVerifyWaits,
    waitForRetry,
    account,
    record,
    close: () => Promise.all(receivers.map((r) => r.close())),
  };
}

/**
 * Resolves when the engine next publishes ddns.applied and the run it ends has finished (no I/O follows it). Runs
 * here take well under a second: after 5 s it fails, saying what did not happen, instead of hanging the test.
 */
function applied(t: DdnsServer, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      off();
      reject(new Error(`no update within 5 s after ${what}`));
    }, 5_000);
    const off = t.bus.subscribe('ddns.applied', () => {
      off();
      clearTimeout(guard);
      resolve(t.clock.settle());
    });
  });
}

describe('the DDNS card and the DDNS alerts', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const start = async () => {
    const t = await createDdnsServer();
    cleanups.push(t.cleanup);
    const s = await setup(t);
    cleanups.push(s.close);
    return { t, s };
  };

  it('agree while the provider fails transiently: a warning and one update-failing alert, told once; recovery clears both, told once', async () => {
    const { t, s } = await start();
    expect((await s.expectAgreement()).card.state).toBe('ok');

    // The box's address changes while the dyndns2 server is in trouble (5xx).
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.8';
    });
    t.dyndns2.outage = 503;
    expect((await s.updateNow()).map((r) => r.result)).toEqual(['failed']);
    let now = await s.expectAgreement();
    // The rule has no threshold: the first failure raises it.
    expect(now.conditions.map((a) => `${a.rule}/${a.key}`)).toEqual([`ddns.update-failing/${s.record.id}`]);
    const failing = now.conditions[0];
    const fact = now.card.facts.find((f) => f.label === `${hostname} A`);
    const lastError = now.records[0]?.state?.lastAttempt?.message ?? '';
    expect(lastError).toContain('HTTP 503');
    // The card and the alert name the same record, value and provider error.
    expect(fact?.value).toContain('203.0.113.8 pending');
    expect(fact?.value).toContain(lastError);
    expect(failing?.message).toContain(lastError);
    expect(failing?.details).toMatchObject({ hostname, type: 'A', value: '203.0.113.8' });
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);

    // It keeps failing (another 5xx) at each retry, the last one long after (beyond the alerts' 15-minute repeat
    // limit): still one alert, not told again; the pager never hears it.
    for (const [status, later] of [
      [502, 0],
      [500, 20 * 60_000],
    ] as const) {
      t.dyndns2.outage = status;
      await s.waitForRetry();
      t.clock.advance(later);
      expect((await s.updateNow()).map((r) => r.result)).toEqual(['failed']);
      now = await s.expectAgreement();
      expect(now.conditions).toHaveLength(1);
    }
    expect(now.conditions[0]?.occurrences).toBe(3);
    expect(now.records[0]?.state?.pending?.attempts).toBe(3);
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);
    expect(s.delivered.filter((d) => d.channel === 'pager')).toEqual([]);

    // The server is back: the record is set and served, the alert cleared and the card OK, each told once.
    t.dyndns2.outage = null;
    await s.waitForRetry();
    expect((await s.updateNow()).map((r) => r.result)).toEqual(['updated']);
    now = await s.expectAgreement();
    expect(now.active).toEqual([]);
    expect(now.card.state).toBe('ok');
    expect(now.card.facts.find((f) => f.label === `${hostname} A`)?.value).toMatch(
      /^→ 203\.0\.113\.8, served by the authoritative servers/,
    );
    expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['203.0.113.8']);
    expect(now.recent.map((a) => a.rule)).toEqual(['ddns.update-failing']);
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);
    expect(s.told('ddns.update-failing', 'cleared')).toBe(1);
    // Nothing more once it holds: another run is in sync and tells nobody.
    expect((await s.updateNow()).map((r) => r.action.kind)).toEqual(['in-sync']);
    expect(s.delivered).toHaveLength(2);
  });

  const refusals = [
    {
      cause: 'badauth (the password was changed at the provider)',
      refuse: (t: DdnsServer) => void (t.dyndns2.password = 'rotated-password'),
      code: 'badauth',
    },
    {
      cause: 'abuse (the provider blocked the host)',
      refuse: (t: DdnsServer) => void (t.dyndns2.refusal = 'abuse'),
      code: 'abuse',
    },
    {
      cause: 'HTTP 401',
      refuse: (t: DdnsServer) => void (t.dyndns2.outage = 401),
      code: 'HTTP 401',
    },
  ];

  it.each(refusals)(
    'agree when the provider stops the account ($cause): an error card naming the account, one critical alert with its rule’s remedy, told once to phone and pager; new credentials resume the updates',
    async ({ refuse, code }) => {
      const { t, s } = await start();
      await t.store.update((d) => {
        d.reachability.current.ipv4 = '203.0.113.8';
      });
      refuse(t);
      expect((await s.updateNow()).map((r) => r.result)).toEqual(['failed']);
      let now = await s.expectAgreement();
      expect(now.card.state).toBe('error');
      expect(now.conditions.map((a) => `${a.rule}/${a.key}`)).toEqual([
        `ddns.account-stopped/${s.account.id}`,
      ]);
      const stopped = now.conditions[0];
      expect(stopped?.details).toMatchObject({ account: 'Home dyndns', code });
      // The card says the account stopped, in the alert's words.
      const words = 'Home dyndns refused Gatehouse';
      expect(stopped?.title).toContain(words);
      expect(now.card.facts.find((f) => f.label === `${hostname} A`)?.value).toBe(`not updated: ${words}`);
      expect(now.card.summary).toContain(ddnsRules['ddns.account-stopped'].remedy);
      expect(s.told('ddns.account-stopped', 'raised', 'phone')).toBe(1);
      expect(s.told('ddns.account-stopped', 'raised', 'pager')).toBe(1);

      // A stopped account is left alone: nothing is sent, nothing told again, the card and alert unchanged.
      const sent = t.dyndns2.updates();
      t.clock.advance(1_000);
      expect((await s.updateNow()).map((r) => r.action.kind)).toEqual(['hold']);
      expect(t.dyndns2.updates()).toBe(sent);
      now = await s.expectAgreement();
      expect(now.conditions.map((a) => a.rule)).toEqual(['ddns.account-stopped']);
      expect(s.told('ddns.account-stopped', 'raised', 'phone')).toBe(1);

      // The provider lets us in again once the credentials are right: entering them resumes the account at once
      // (within the retry wait of its last failure, at least 4 s).
      t.dyndns2.outage = null;
      t.dyndns2.refusal = null;
      t.dyndns2.password = 'new-password';
      const resumed = applied(t, 'new credentials were entered');
      const changed = await s.call('PATCH', `/ddns/accounts/${s.account.id}`, {
        secrets: { password: 'new-password' },
      });
      expect(changed.status).toBe(200);
      expect(((await changed.json()) as { stopped: unknown }).stopped).toBeNull();
      await resumed;
      expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['203.0.113.8']);
      now = await s.expectAgreement();
      expect(now.card.state).toBe('ok');
      expect(now.active).toEqual([]);
      expect(now.recent.map((a) => a.rule)).toEqual(['ddns.account-stopped']);
      expect(s.told('ddns.account-stopped', 'cleared', 'phone')).toBe(1);
      expect(s.told('ddns.account-stopped', 'cleared', 'pager')).toBe(1);
      expect(s.delivered).toHaveLength(4);
    },
  );

  it('agree on a record changed by hand at the provider: one drift alert told once, the engine sets it back, the card shows our value served', async () => {
    const { t, s } = await start();
    // Someone (or another DDNS client) changes the record at the provider: its servers serve another value.
    t.served.set(servedKey(hostname, 'A'), ['198.51.100.99']);
    const runs = await s.updateNow();
    expect(runs).toMatchObject([{ action: { kind: 'update', drift: true }, result: 'updated' }]);
    // The repair: the servers serve Gatehouse's value again.
    expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['203.0.113.7']);
    let now = await s.expectAgreement();
    // Drift is news (an event), not a lasting condition: it stays on the Alerts page until acknowledged, while the
    // card (the record as it is now) is OK again.
    expect(now.card.state).toBe('ok');
    expect(now.card.facts.find((f) => f.label === `${hostname} A`)?.value).toMatch(
      /^→ 203\.0\.113\.7, served by the authoritative servers/,
    );
    expect(now.active.map((a) => `${a.rule}/${a.key}`)).toEqual([`ddns.record-drifted/${s.record.id}`]);
    const drift = now.active[0];
    expect(drift?.details).toMatchObject({
      hostname,
      type: 'A',
      served: '198.51.100.99',
      value: '203.0.113.7',
    });
    expect(drift?.message).toContain('198.51.100.99');
    expect(s.told('ddns.record-drifted', 'raised')).toBe(1);
    expect(s.delivered.filter((d) => d.channel === 'pager')).toEqual([]);
    // The record's state says the repair is done (no drift left on it).
    const overview = (await (await s.call('GET', '/ddns')).json()) as {
      records: { state: { drift: unknown; applied: string } }[];
    };
    expect(overview.records[0]?.state).toMatchObject({ drift: null, applied: '203.0.113.7' });
    // In sync again: another run changes and tells nothing.
    expect((await s.updateNow()).map((r) => r.action.kind)).toEqual(['in-sync']);
    expect(s.told('ddns.record-drifted', 'raised')).toBe(1);

    // Acknowledging closes it; nothing is told (its rule tells no clear).
    const ack = await s.call('POST', `/alerts/${drift?.id ?? ''}/acknowledge`);
    expect(ack.status).toBe(200);
    now = await s.expectAgreement();
    expect(now.active).toEqual([]);
    expect(s.told('ddns.record-drifted', 'cleared')).toBe(0);
  });

  it('a drift whose repair fails says so: the drift alert does not claim it was set back, the failing update shows (R-DDNS-10f)', async () => {
    const { t, s } = await start();
    t.served.set(servedKey(hostname, 'A'), ['198.51.100.99']);
    t.dyndns2.outage = 503;
    expect(await s.updateNow()).toMatchObject([
      { action: { kind: 'update', drift: true }, result: 'failed' },
    ]);
    const now = await s.expectAgreement();
    const drift = now.active.find((a) => a.rule === 'ddns.record-drifted');
    expect(drift?.message).toContain('Setting it back failed');
    expect(drift?.message).not.toContain('It is set back');
    expect(now.card.state).toBe('warning');
  });

  it('agree on a record changed by hand while the provider fails: the drift and the failing update both show, and the repair ends the failure', async () => {
    const { t, s } = await start();
    t.served.set(servedKey(hostname, 'A'), ['198.51.100.99']);
    t.dyndns2.outage = 503;
    expect(await s.updateNow()).toMatchObject([
      { action: { kind: 'update', drift: true }, result: 'failed' },
    ]);
    let now = await s.expectAgreement();
    expect(now.card.state).toBe('warning');
    expect(now.active.map((a) => a.rule).sort()).toEqual(['ddns.record-drifted', 'ddns.update-failing']);
    expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['198.51.100.99']);

    t.dyndns2.outage = null;
    await s.waitForRetry();
    expect((await s.updateNow()).map((r) => r.result)).toEqual(['updated']);
    now = await s.expectAgreement();
    expect(now.card.state).toBe('ok');
    expect(now.conditions).toEqual([]);
    expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['203.0.113.7']);
    // The drift was told once: the retry is the same repair, not a new drift.
    expect(s.told('ddns.record-drifted', 'raised')).toBe(1);
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);
    expect(s.told('ddns.update-failing', 'cleared')).toBe(1);
  });

  it('agree on an update the provider accepted but its servers do not serve in time: a warning and one failing alert; served later, both end', async () => {
    const { t, s } = await start();
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.8';
    });
    // The provider says `good`, but its servers keep the old value beyond ddns.verifySeconds (5 s here).
    t.dyndns2.lagging = true;
    expect(await s.updatePassingVerifyWaits()).toMatchObject([{ result: 'updated', propagationMs: null }]);
    let now = await s.expectAgreement();
    expect(now.card.state).toBe('warning');
    expect(now.conditions.map((a) => `${a.rule}/${a.key}`)).toEqual([`ddns.update-failing/${s.record.id}`]);
    expect(now.card.facts.find((f) => f.label === `${hostname} A`)?.value).toBe(
      '→ 203.0.113.8, not yet served by the authoritative servers',
    );
    expect(now.conditions[0]?.message).toContain('203.0.113.8');
    expect(now.conditions[0]?.message).toContain('did not serve it within 5 s');
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);

    // The servers catch up: the next look finds it served, the alert ends (told once) and the card is OK.
    t.served.set(servedKey(hostname, 'A'), ['203.0.113.8']);
    t.clock.advance(60_000);
    expect((await s.updateNow()).map((r) => r.action.kind)).toEqual(['in-sync']);
    now = await s.expectAgreement();
    expect(now.card.state).toBe('ok');
    expect(now.active).toEqual([]);
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);
    expect(s.told('ddns.update-failing', 'cleared')).toBe(1);
  });

  it('agree on a record the provider does not know (nohost): a stopped record is one alert whose severity is the card’s tone and whose remedy says it waits for a change; changing the record ends both', async () => {
    const { t, s } = await start();
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.8';
    });
    t.dyndns2.refusal = 'nohost';
    expect((await s.updateNow()).map((r) => r.result)).toEqual(['failed']);
    let now = await s.expectAgreement();
    expect(now.conditions.map((a) => a.key)).toEqual([s.record.id]);
    const stopped = now.conditions[0];
    if (!stopped) throw new Error('no alert for the stopped record');
    const error = now.records[0]?.state?.lastAttempt?.message ?? '';
    expect(error).toContain('(nohost)');
    expect(now.card.facts.find((f) => f.label === `${hostname} A`)?.value).toBe(`not updated: ${error}`);
    expect(stopped.message).toContain(error);
    // Gatehouse does not try a stopped record again by itself, and the remedy does not say it does.
    expect(stopped.remedy).not.toMatch(/keeps trying/);
    t.clock.advance(30 * 60_000);
    expect((await s.updateNow()).map((r) => r.action.kind)).toEqual(['hold']);
    expect(t.dyndns2.updates()).toBe(2);
    now = await s.expectAgreement();
    expect(now.conditions.map((a) => a.id)).toEqual([stopped.id]);
    expect(s.told(stopped.rule, 'raised')).toBe(1);

    // The host is added at the provider and the record changed (its TTL): tried again at once, set, both end.
    t.dyndns2.refusal = null;
    const done = applied(t, 'the record was changed');
    expect((await s.call('PATCH', `/ddns/records/${s.record.id}`, { ttl: 120 })).status).toBe(200);
    await done;
    now = await s.expectAgreement();
    expect(now.card.state).toBe('ok');
    expect(now.active).toEqual([]);
    expect(t.served.get(servedKey(hostname, 'A'))).toEqual(['203.0.113.8']);
    expect(s.told(stopped.rule, 'cleared')).toBe(1);
  });

  it('agree on a failing update the provider then accepts but does not serve in time: the same one alert goes on, no "cleared" while it is not served', async () => {
    const { t, s } = await start();
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.8';
    });
    t.dyndns2.outage = 503;
    expect((await s.updateNow()).map((r) => r.result)).toEqual(['failed']);
    const failing = (await s.expectAgreement()).conditions[0];
    expect(failing?.rule).toBe('ddns.update-failing');

    // The server is back and says `good`, but its servers lag behind: still not served, still the same problem.
    t.dyndns2.outage = null;
    t.dyndns2.lagging = true;
    await s.waitForRetry();
    expect(await s.updatePassingVerifyWaits()).toMatchObject([{ result: 'updated', propagationMs: null }]);
    let now = await s.expectAgreement();
    expect(now.card.state).toBe('warning');
    expect(now.conditions.map((a) => a.id)).toEqual([failing?.id]);
    expect(now.recent).toEqual([]);
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);
    expect(s.told('ddns.update-failing', 'cleared')).toBe(0);

    // Served at last: now it ends, told once.
    t.served.set(servedKey(hostname, 'A'), ['203.0.113.8']);
    t.clock.advance(60_000);
    expect((await s.updateNow()).map((r) => r.action.kind)).toEqual(['in-sync']);
    now = await s.expectAgreement();
    expect(now.active).toEqual([]);
    expect(s.told('ddns.update-failing', 'raised')).toBe(1);
    expect(s.told('ddns.update-failing', 'cleared')).toBe(1);
  });

  it('agree on two problems at once: the card is the most severe (a stopped record) in its words while the failing one is also active; each ends on its own, told once', async () => {
    const { t, s } = await start();
    const nas = 'nas.example.test';
    const added = applied(t, 'the second record was added');
    const res = await s.call('POST', '/ddns/records', { hostname: nas, type: 'A', accountId: s.account.id });
    expect(res.status).toBe(201);
    const nasId = ((await res.json()) as { id: string }).id;
    await added;
    expect((await s.expectAgreement()).card.summary).toBe('All 2 records point at this box.');

    // The address changes: the server is in trouble for home (5xx) and does not know nas (nohost).
    await t.store.update((d) => {
      d.reachability.current.ipv4 = '203.0.113.8';
    });
    t.dyndns2.byHost.set(hostname, 503);
    t.dyndns2.byHost.set(nas, 'nohost');
    expect((await s.updateNow()).map((r) => `${r.hostname} ${r.result ?? ''}`)).toEqual([
      `${hostname} failed`,
      `${nas} failed`,
    ]);
    let now = await s.expectAgreement();
    expect(now.card.state).toBe('error');
    expect(now.conditions.map((a) => `${a.key} ${a.severity}`).sort()).toEqual(
      [`${nasId} critical`, `${s.record.id} warning`].sort(),
    );
    const critical = now.conditions.find((a) => a.severity === 'critical');
    expect(now.card.summary.startsWith(`${critical?.title ?? '?'}.`)).toBe(true);
    expect(now.card.summary).toContain(nas);

    // home recovers at its retry: its alert ends, told once; nas stays stopped, the card still says so.
    t.dyndns2.byHost.delete(hostname);
    await s.waitForRetry();
    expect((await s.updateNow()).map((r) => `${r.hostname} ${r.action.kind}`)).toEqual([
      `${hostname} update`,
      `${nas} hold`,
    ]);
    now = await s.expectAgreement();
    expect(now.conditions.map((a) => a.id)).toEqual([critical?.id]);
    expect(s.told('ddns.update-failing', 'cleared')).toBe(1);
    expect(now.card.facts.map((f) => f.label)).toEqual([`${hostname} A`, `${nas} A`]);

    // nas is added at the provider and its record changed: tried at once, set; nothing is left.
    t.dyndns2.byHost.delete(nas);
    const fixed = applied(t, 'the nas record was changed');
    expect((await s.call('PATCH', `/ddns/records/${nasId}`, { ttl: 300 })).status).toBe(200);
    await fixed;
    now = await s.expectAgreement();
    expect(now.active).toEqual([]);
    expect(now.card.state).toBe('ok');
    expect(t.served.get(servedKey(nas, 'A'))).toEqual(['203.0.113.8']);
    expect(s.told(critical?.rule ?? '?', 'raised', 'pager')).toBe(1);
    expect(s.told(critical?.rule ?? '?', 'cleared', 'pager')).toBe(1);
    expect(s.delivered.filter((d) => d.channel === 'pager')).toHaveLength(2);
  });
});

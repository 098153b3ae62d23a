import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import { createDgramUdp } from '../../core/dgram-udp.js';
import { createEventBus } from '../../core/events.js';
import {
  GenaSubscriber,
  externalAddressOf,
  isWanChange,
  parsePropertySet,
  parseTimeoutHeader,
  renewDelayMs,
  retryDelayMs,
  unchangedEventGapMs,
} from './gena.js';
import { nodeGenaListener } from './gena-http.js';
import type { RouterWanChanged } from './router-events.js';

const body = (address: string, status = 'Connected') =>
  '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">' +
  '<e:property><PossibleConnectionTypes>IP_Routed</PossibleConnectionTypes></e:property>' +
  `<e:property><ConnectionStatus>${status}</ConnectionStatus></e:property>` +
  `<e:property><ExternalIPAddress>${address}</ExternalIPAddress></e:property>` +
  '</e:propertyset>';

describe('GENA pure pieces', () => {
  it('reads the evented variables of a NOTIFY body', () => {
    expect(parsePropertySet(body('203.0.113.3'))).toEqual({
      ok: true,
      properties: {
        PossibleConnectionTypes: 'IP_Routed',
        ConnectionStatus: 'Connected',
        ExternalIPAddress: '203.0.113.3',
      },
    });
    const externalAddressFromNotify = (xml: string) => {
      const parsed = parsePropertySet(xml);
      return parsed.ok ? externalAddressOf(parsed.properties) : 'not parsed';
    };
    expect(externalAddressFromNotify(body('203.0.113.3'))).toBe('203.0.113.3');
    expect(externalAddressFromNotify(body('0.0.0.0'))).toBeUndefined();
    expect(externalAddressFromNotify(body(''))).toBeUndefined();
    expect(
      externalAddressFromNotify(
        '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><SystemUpdateID>3</SystemUpdateID></e:property></e:propertyset>',
      ),
    ).toBeUndefined();
    expect(parsePropertySet('<e:propertyset><e:property>')).toMatchObject({ ok: false });
    expect(parsePropertySet('<html/>')).toMatchObject({ ok: false, reason: /<html>/ });
  });

  it.each([
    [
      'the same status and address again',
      { ConnectionStatus: 'Connected', ExternalIPAddress: '203.0.113.2' },
      false,
    ],
    ['a new status', { ConnectionStatus: 'Disconnected', ExternalIPAddress: '203.0.113.2' }, true],
    ['a new address', { ConnectionStatus: 'Connected', ExternalIPAddress: '203.0.113.3' }, true],
    ['only the status, unchanged', { ConnectionStatus: 'Connected' }, false],
    ['only the address, changed', { ExternalIPAddress: '203.0.113.3' }, true],
    ['neither WAN variable', { PortMappingNumberOfEntries: '2' }, true],
  ])('isWanChange: %s → %s', (_name, properties, expected) => {
    expect(isWanChange({ ConnectionStatus: 'Connected', ExternalIPAddress: '203.0.113.2' }, properties)).toBe(
      expected,
    );
  });

  it('reads TIMEOUT headers and plans renewals before the lifetime ends', () => {
    expect(parseTimeoutHeader('Second-1800')).toBe(1800);
    expect(parseTimeoutHeader('second-60')).toBe(60);
    expect(parseTimeoutHeader('Second-infinite')).toBeUndefined();
    expect(parseTimeoutHeader(null)).toBeUndefined();
    expect(renewDelayMs(1800)).toBe(900_000);
    expect(renewDelayMs(300)).toBe(150_000);
    expect(renewDelayMs(100)).toBe(50_000);
    expect(renewDelayMs(6)).toBe(5_000);
    expect(renewDelayMs(undefined)).toBe(1_800_000);
    expect(retryDelayMs(1)).toBe(2_000);
    expect(retryDelayMs(3)).toBe(8_000);
    expect(retryDelayMs(20)).toBe(600_000);
  });
});

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A fake IGD event endpoint on loopback: grants subscriptions and can NOTIFY the callback. */
async function fakeIgd(timeoutSeconds = 60) {
  const received: Received[] = [];
  let callback: string | undefined;
  let seq = 0;
  let sid = 'uuid:fake-1';
  let refuseRenewal = false;
  const server = http.createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (req.method === 'SUBSCRIBE' && req.headers.sid) {
      if (refuseRenewal || req.headers.sid !== sid) return void res.writeHead(412).end();
      return void res.writeHead(200, { SID: sid, TIMEOUT: `Second-${timeoutSeconds}` }).end();
    }
    if (req.method === 'SUBSCRIBE') {
      callback = /^<([^>]+)>/.exec(String(req.headers.callback ?? ''))?.[1];
      sid = `uuid:fake-${received.length}`;
      seq = 0;
      res.writeHead(200, { SID: sid, TIMEOUT: `Second-${timeoutSeconds}` }).end();
      return;
    }
    if (req.method === 'UNSUBSCRIBE') return void res.writeHead(200).end();
    res.writeHead(405).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    eventSubUrl: `http://127.0.0.1:${port}/evt/IPConn`,
    received,
    get sid() {
      return sid;
    },
    get callback() {
      return callback;
    },
    refuseRenewals() {
      refuseRenewal = true;
    },
    notify(address: string, overrideSid?: string, status = 'Connected'): Promise<number> {
      return this.notifyBody(body(address, status), overrideSid);
    },
    async notifyBody(text: string, overrideSid?: string): Promise<number> {
      if (!callback) throw new Error('nobody subscribed');
      const res = await fetch(callback, {
        method: 'NOTIFY',
        headers: {
          'Content-Type': 'text/xml; charset="utf-8"',
          NT: 'upnp:event',
          NTS: 'upnp:propchange',
          SID: overrideSid ?? sid,
          SEQ: String(seq++),
        },
        body: text,
      });
      return res.status;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('GenaSubscriber against a fake IGD on loopback', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(timeoutSeconds = 60, random?: (size: number) => Uint8Array) {
    const igd = await fakeIgd(timeoutSeconds);
    const clock = new FakeClock();
    const busLog = new MemoryLogger();
    const bus = createEventBus(busLog);
    const subscriber = new GenaSubscriber({
      upnp: {
        findService: () =>
          Promise.resolve({
            ok: true,
            service: {
              controlUrl: 'http://127.0.0.1/ctl',
              serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
              eventSubUrl: igd.eventSubUrl,
            },
          }),
      },
      fetch: (input, init) => fetch(input, init),
      clock,
      udp: createDgramUdp(),
      bus,
      listener: nodeGenaListener({ host: '127.0.0.1' }),
      ...(random ? { random } : {}),
    });
    const events: RouterWanChanged[] = [];
    bus.subscribe('router.wan-changed', (e) => {
      events.push(e);
    });
    // What the old onExternalAddress heard: the new addresses the events named.
    const announced = {
      get list() {
        return events.flatMap((e) => (e.address ? [e.address] : []));
      },
    };
    cleanups.push(igd.close, () => subscriber.stop());
    return { igd, clock, subscriber, announced, events, bus, busLog };
  }

  it('subscribes, hears ExternalIPAddress changes, renews before the timeout and unsubscribes on stop', async () => {
    const { igd, clock, subscriber, announced } = await setup(60);
    await subscriber.start();
    await clock.sleeping();
    const first = igd.received[0];
    expect(first?.method).toBe('SUBSCRIBE');
    expect(first?.headers.nt).toBe('upnp:event');
    expect(first?.headers.timeout).toBe('Second-1800');
    expect(first?.headers.callback).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/gatehouse\/gena\/\w+>$/);
    expect(subscriber.status()).toMatchObject({ subscribed: true, sid: igd.sid });

    // The initial event only records the current address; a change is announced; a repeat is not.
    expect(await igd.notify('203.0.113.2')).toBe(200);
    expect(announced.list).toEqual([]);
    expect(await igd.notify('203.0.113.3')).toBe(200);
    expect(await igd.notify('203.0.113.3')).toBe(200);
    expect(announced.list).toEqual(['203.0.113.3']);
    // Someone else's subscription is refused.
    expect(await igd.notify('198.51.100.7', 'uuid:other')).toBe(412);
    expect(announced.list).toEqual(['203.0.113.3']);

    // Renewal at half of the granted 60 s, with the SID and without CALLBACK / NT.
    expect(clock.pendingWakeups()).toEqual([30_000]);
    clock.advance(29_999);
    // The renewal waits on the clock alone: its sleeper has not been woken.
    expect(clock.pendingWakeups()).toEqual([1]);
    expect(igd.received).toHaveLength(1);
    clock.advance(1);
    await clock.sleeping();
    await vi_waitFor(() => igd.received.length === 2);
    const renewal = igd.received[1];
    expect(renewal?.method).toBe('SUBSCRIBE');
    expect(renewal?.headers.sid).toBe(igd.sid);
    expect(renewal?.headers.callback).toBeUndefined();
    expect(renewal?.headers.nt).toBeUndefined();

    await subscriber.stop();
    expect(igd.received.at(-1)).toMatchObject({ method: 'UNSUBSCRIBE', url: '/evt/IPConn' });
    expect(igd.received.at(-1)?.headers.sid).toBe(igd.sid);
  });

  it('subscribes afresh when a renewal is refused (the router restarted), and hears the new address', async () => {
    const { igd, clock, subscriber, announced } = await setup(60);
    await subscriber.start();
    await clock.sleeping();
    await igd.notify('203.0.113.2');
    const oldSid = igd.sid;
    igd.refuseRenewals();
    clock.advance(30_000);
    await vi_waitFor(() => igd.received.length === 3);
    expect(igd.received.map((r) => r.method)).toEqual(['SUBSCRIBE', 'SUBSCRIBE', 'SUBSCRIBE']);
    expect(igd.received[2]?.headers.callback).toBeDefined();
    await clock.sleeping();
    expect(subscriber.status().sid).not.toBe(oldSid);
    // The new subscription's initial event carries the address the router now has.
    expect(await igd.notify('203.0.113.9')).toBe(200);
    expect(announced.list).toEqual(['203.0.113.9']);
  });

  it('reports every event after the initial one, whatever it carries (a lost address event still leads to a probe)', async () => {
    const { igd, clock, subscriber, events, announced } = await setup(60);
    await subscriber.start();
    await clock.sleeping();
    expect(await igd.notify('203.0.113.2')).toBe(200);
    expect(events).toEqual([]);
    // The WAN goes down and comes back with the same address: no new address, but two events.
    expect(await igd.notify('', undefined, 'Disconnected')).toBe(200);
    expect(await igd.notify('203.0.113.2', undefined, 'Connected')).toBe(200);
    expect(events.map((e) => [e.properties?.ConnectionStatus, e.address])).toEqual([
      ['Disconnected', undefined],
      ['Connected', undefined],
    ]);
    expect(await igd.notify('203.0.113.4')).toBe(200);
    expect(events.at(-1)?.address).toBe('203.0.113.4');
    expect(announced.list).toEqual(['203.0.113.4']);
  });

  it('an event that changes no WAN variable is published once a minute at most; one naming none always', async () => {
    const { igd, clock, subscriber, events } = await setup(60);
    await subscriber.start();
    await clock.sleeping();
    expect(await igd.notify('203.0.113.2')).toBe(200);
    // miniupnpd sends every evented variable with each NOTIFY: the same address and status again. The first
    // such event is still a reason to probe (a renumbering is first answered from miniupnpd's cache) ...
    expect(await igd.notify('203.0.113.2')).toBe(200);
    expect(events.map((e) => e.properties?.ExternalIPAddress)).toEqual(['203.0.113.2']);
    // ... but not the next ones within a minute (each probe's PCP mapping raises one: a loop otherwise).
    clock.advance(unchangedEventGapMs - 1);
    expect(await igd.notify('203.0.113.2')).toBe(200);
    expect(events).toHaveLength(1);
    clock.advance(1);
    expect(await igd.notify('203.0.113.2')).toBe(200);
    expect(events).toHaveLength(2);
    events.length = 0;
    expect(
      await igd.notifyBody(
        '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><PortMappingNumberOfEntries>2</PortMappingNumberOfEntries></e:property></e:propertyset>',
      ),
    ).toBe(200);
    expect(events.map((e) => e.properties)).toEqual([{ PortMappingNumberOfEntries: '2' }]);
    expect(await igd.notify('203.0.113.2', undefined, 'Disconnected')).toBe(200);
    expect(events.at(-1)?.properties?.ConnectionStatus).toBe('Disconnected');
  });

  it('publishes the sender and the variables on router.wan-changed; a failing subscriber costs the router nothing', async () => {
    const { igd, clock, subscriber, events, bus, busLog } = await setup(60, (size) =>
      new Uint8Array(size).fill(0xab),
    );
    bus.subscribe('router.wan-changed', () => {
      throw new Error('subscriber bug');
    });
    await subscriber.start();
    await clock.sleeping();
    // The callback path is made from the injected random source.
    expect(igd.callback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/gatehouse\/gena\/abababababababab$/);
    expect(await igd.notify('203.0.113.2')).toBe(200);
    expect(await igd.notify('203.0.113.5', undefined, 'Connected')).toBe(200);
    expect(events).toEqual([
      {
        via: 'upnp-gena',
        from: '127.0.0.1',
        address: '203.0.113.5',
        properties: {
          PossibleConnectionTypes: 'IP_Routed',
          ConnectionStatus: 'Connected',
          ExternalIPAddress: '203.0.113.5',
        },
      },
    ]);
    expect(busLog.lines.map((l) => [l.fields.topic, l.fields.err])).toEqual([
      ['router.wan-changed', 'subscriber bug'],
    ]);
  });

  it('refuses events from any host but the router it subscribed at', async () => {
    const { igd, clock, subscriber, events } = await setup(60);
    await subscriber.start();
    await clock.sleeping();
    expect(await igd.notify('203.0.113.2')).toBe(200);
    // Another host on the LAN (127.0.0.2 here) that learned the SID and the callback.
    const url = new URL(igd.callback ?? '');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'NOTIFY',
          localAddress: '127.0.0.2',
          headers: { NT: 'upnp:event', NTS: 'upnp:propchange', SID: igd.sid, SEQ: '1' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body('198.51.100.9'));
    });
    expect(status).toBe(412);
    expect(events).toEqual([]);
  });

  it('retries later when the router offers no event URL', async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    let asked = 0;
    const subscriber = new GenaSubscriber({
      upnp: {
        findService: () => {
          asked++;
          return Promise.resolve({ ok: false, reason: 'no IGD answered' });
        },
      },
      fetch: () => Promise.reject(new Error('no HTTP expected')),
      clock,
      udp: createDgramUdp(),
      bus: createEventBus(new MemoryLogger()),
      listener: nodeGenaListener({ host: '127.0.0.1' }),
      log: (m) => logs.push(m),
    });
    cleanups.push(() => subscriber.stop());
    await subscriber.start();
    await clock.sleeping();
    expect(asked).toBe(1);
    expect(subscriber.status()).toMatchObject({ subscribed: false, lastError: /no IGD answered/ });
    clock.advance(15_000);
    await vi_waitFor(() => asked === 2);
    expect(logs).toHaveLength(1);
  });
});

async function vi_waitFor(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

import { describe, expect, it } from 'vitest';
import type { Grant, PeerView, ServiceView, WireguardOverview } from './api.js';
import type { emptyServiceDraft } from './model.js';
import {
  agoWords,
  bannerOf,
  changesWords,
  connectionOf,
  emptyPeerDraft,
  endpointText,
  expiryOf,
  formatBytes,
  grantKey,
  grantSetOf,
  grantsOf,
  listOf,
  localParts,
  looksLikeIp,
  looksLikeKey,
  matchesPeer,
  matrixChanges,
  matrixRows,
  newPeerOf,
  outdatedWords,
  reasonsWords,
  parsePorts,
  peerBadges,
  peerDraftOf,
  peerPatchOf,
  planWords,
  portsWords,
  problemOf,
  keyModeWords,
  tunnelShortWords,
  tunnelWords,
  serviceBodyOf,
  serviceDraftOf,
  serviceNames,
  toggled,
  transferWords,
  untilWords,
  viaGroups,
  type PeerDraft,
} from './model.js';

const now = new Date('2026-11-28T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
const key = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';

const peer: PeerView = {
  id: 'p1',
  name: 'Phone',
  groups: ['family'],
  publicKey: key,
  keyMode: 'kept',
  privateKeyAvailable: true,
  ipv4: '10.8.0.2',
  ipv6: null,
  enabled: true,
  disabledReason: null,
  expiresAt: null,
  dns: null,
  persistentKeepalive: null,
  tunnel: 'services',
  services: ['s1'],
  createdAt: ago(3600),
  updatedAt: ago(3600),
  configOutdated: false,
  outdatedReasons: [],
  status: null,
};

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [5_000_000, '4.8 MiB'],
    [1024 ** 3 * 12, '12 GiB'],
    [1024 ** 4 * 3, '3 TiB'],
    [1024 ** 5 * 2, '2048 TiB'],
    [-1, '?'],
    [Number.NaN, '?'],
  ])('%s → %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe('agoWords and untilWords', () => {
  it.each([
    [0, 'just now'],
    [4, 'just now'],
    [5, '5 s ago'],
    [59, '59 s ago'],
    [60, '1 min ago'],
    [3599, '59 min ago'],
    [3600, '1 h ago'],
    [86_399, '23 h ago'],
    [86_400, '1 d ago'],
    [-30, 'just now'],
  ])('%s s ago → %s', (s, text) => {
    expect(agoWords(ago(s), now)).toBe(text);
  });
  it('passes text that is no time through', () => {
    expect(agoWords('soon', now)).toBe('soon');
    expect(untilWords('soon', now)).toBe('soon');
  });
  it.each([
    [0, 'now'],
    [-5, 'now'],
    [10, 'in 1 min'],
    [120, 'in 2 min'],
    [3599, 'in 59 min'],
    [3600, 'in 1 h'],
    [86_399, 'in 23 h'],
    [86_400, 'in 1 d'],
  ])('in %s s → %s', (s, text) => {
    expect(untilWords(later(s), now)).toBe(text);
  });
});

describe('peerBadges', () => {
  it('none for an enabled, current peer without expiry', () => {
    expect(peerBadges(peer, now)).toEqual([]);
  });
  it('disabled by hand, or expired', () => {
    expect(peerBadges({ ...peer, enabled: false, disabledReason: 'manual' }, now)).toEqual([
      { tone: 'unknown', label: 'disabled' },
    ]);
    expect(
      peerBadges({ ...peer, enabled: false, disabledReason: 'expired', expiresAt: ago(10) }, now),
    ).toEqual([{ tone: 'error', label: 'expired' }]);
  });
  it('an enabled peer past its expiry (not yet disabled) shows expired; within a day, when', () => {
    expect(peerBadges({ ...peer, expiresAt: ago(1) }, now)).toEqual([{ tone: 'error', label: 'expired' }]);
    expect(peerBadges({ ...peer, expiresAt: now.toISOString() }, now)).toEqual([
      { tone: 'error', label: 'expired' },
    ]);
    expect(peerBadges({ ...peer, expiresAt: later(7200) }, now)).toEqual([
      { tone: 'warning', label: 'expires in 2 h' },
    ]);
    expect(peerBadges({ ...peer, expiresAt: later(86_400) }, now)).toEqual([
      { tone: 'warning', label: 'expires in 1 d' },
    ]);
    expect(peerBadges({ ...peer, expiresAt: later(86_401) }, now)).toEqual([]);
  });
  it('config outdated comes last', () => {
    expect(
      peerBadges({ ...peer, enabled: false, disabledReason: 'manual', configOutdated: true }, now),
    ).toEqual([
      { tone: 'unknown', label: 'disabled' },
      { tone: 'warning', label: 'config outdated' },
    ]);
  });
});

describe('connectionOf and transferWords', () => {
  const status = { online: false, latestHandshakeAt: null, endpoint: null, rxBytes: 2048, txBytes: 1536 };
  it('no status: the interface is not running', () => {
    expect(connectionOf(peer, now)).toEqual({
      online: false,
      label: 'unknown',
      detail: 'no status: the interface is not running',
    });
    expect(transferWords(null)).toBe('—');
  });
  it('online, offline, never connected, off', () => {
    expect(
      connectionOf({ ...peer, status: { ...status, online: true, latestHandshakeAt: ago(120) } }, now),
    ).toEqual({
      online: true,
      label: 'online',
      detail: 'last handshake 2 min ago',
    });
    expect(connectionOf({ ...peer, status: { ...status, latestHandshakeAt: ago(600) } }, now)).toEqual({
      online: false,
      label: 'offline',
      detail: 'last handshake 10 min ago',
    });
    expect(connectionOf({ ...peer, status }, now)).toEqual({
      online: false,
      label: 'never connected',
      detail: 'no handshake yet',
    });
    expect(connectionOf({ ...peer, enabled: false, status }, now)).toEqual({
      online: false,
      label: 'off',
      detail: 'no handshake yet',
    });
  });
  it('transfer from the peer’s side: down is what the box sent', () => {
    expect(transferWords(status)).toBe('↓ 1.5 KiB ↑ 2 KiB');
  });
});

describe('reasonsWords', () => {
  it('one sentence of the reasons, or what to do when none is given', () => {
    expect(reasonsWords(['a new grant: nas.', ' the endpoint changed ', ''])).toBe(
      'A new grant: nas; the endpoint changed.',
    );
    expect(reasonsWords([' '])).toBe('Scan the new QR code on the device.');
  });
});

describe('outdatedWords', () => {
  it('joins the reasons without their full stops', () => {
    expect(outdatedWords(['a new grant.', ' the endpoint changed ', ''])).toBe(
      'Config outdated: a new grant; the endpoint changed. Scan the new QR code or import the new file on the device.',
    );
    expect(outdatedWords([])).toBe(
      'Config outdated. Scan the new QR code or import the new file on the device.',
    );
  });
});

describe('lists, addresses and keys', () => {
  it('listOf splits on commas (and spaces when asked), trims, drops empties and duplicates', () => {
    expect(listOf(' a, b ,,c,a ')).toEqual(['a', 'b', 'c']);
    expect(listOf('a b')).toEqual(['a b']);
    expect(listOf('1.1.1.1 9.9.9.9,  8.8.8.8', true)).toEqual(['1.1.1.1', '9.9.9.9', '8.8.8.8']);
    expect(listOf('')).toEqual([]);
  });
  it.each([
    ['10.8.0.1', true],
    ['255.255.255.255', true],
    ['0.0.0.0', true],
    ['256.1.1.1', false],
    ['1.2.3', false],
    ['01.2.3.4', false],
    ['2001:db8::1', true],
    ['::1', true],
    ['2001:db8::1::2', false],
    ['nas.local', false],
    ['abc', false],
    ['', false],
  ])('looksLikeIp(%s) = %s', (text, expected) => {
    expect(looksLikeIp(text)).toBe(expected);
  });
  it('looksLikeKey: 44 base64 characters whose last byte fits, ending in "="', () => {
    expect(looksLikeKey(key)).toBe(true);
    expect(looksLikeKey(key.slice(1))).toBe(false);
    expect(looksLikeKey(`${key.slice(0, 43)}x`)).toBe(false);
    expect(looksLikeKey(`${key.slice(0, 42)}B=`)).toBe(false);
    expect(looksLikeKey(`-${key.slice(1)}`)).toBe(false);
  });
});

describe('expiryOf and localParts', () => {
  it('no date, no time: no expiry; a time alone is refused', () => {
    expect(expiryOf({ expiresDate: '', expiresTime: '' })).toEqual({ ok: true, body: null });
    expect(expiryOf({ expiresDate: '', expiresTime: '10:00' })).toEqual({
      ok: false,
      field: 'expiresAt',
      message: 'Choose the day too, or clear the time.',
    });
  });
  it('the local date and time; without a time, the end of that day', () => {
    expect(expiryOf({ expiresDate: '2027-01-02', expiresTime: '03:04' })).toEqual({
      ok: true,
      body: new Date(2027, 0, 2, 3, 4).toISOString(),
    });
    expect(expiryOf({ expiresDate: '2027-01-02', expiresTime: '' })).toEqual({
      ok: true,
      body: new Date(2027, 0, 2, 23, 59).toISOString(),
    });
  });
  it.each([
    ['2027-02-30', '10:00'],
    ['2027-13-01', '10:00'],
    ['2027-1-2', '10:00'],
    ['2027-01-02', '24:00'],
    ['2027-01-02', '10:60'],
    ['2027-01-02', '9:00'],
  ])('%s %s is refused', (expiresDate, expiresTime) => {
    expect(expiryOf({ expiresDate, expiresTime })).toEqual({
      ok: false,
      field: 'expiresAt',
      message: 'Enter a date and a time.',
    });
  });
  it('localParts gives what the inputs show, and round-trips through expiryOf', () => {
    const iso = new Date(2027, 5, 7, 8, 9).toISOString();
    expect(localParts(iso)).toEqual({ date: '2027-06-07', time: '08:09' });
    expect(expiryOf({ expiresDate: '2027-06-07', expiresTime: '08:09' })).toEqual({ ok: true, body: iso });
    expect(localParts('nope')).toEqual({ date: '', time: '' });
  });
});

describe('newPeerOf', () => {
  const draft: PeerDraft = { ...emptyPeerDraft, name: ' Phone ' };
  it('only the fields filled in, with the tunnel and key mode', () => {
    expect(newPeerOf(draft, now)).toEqual({
      ok: true,
      body: { name: 'Phone', tunnel: 'services', keyMode: 'kept' },
    });
  });
  it('every field', () => {
    expect(
      newPeerOf(
        {
          name: 'Laptop',
          groups: '@Family, work ,family',
          services: ['s1', 's2'],
          tunnel: 'lan',
          expiresDate: '2027-01-02',
          expiresTime: '03:04',
          dns: '10.8.0.1 1.1.1.1',
          keepalive: '25',
          keyMode: 'forget-after-download',
          publicKey: 'ignored',
        },
        now,
      ),
    ).toEqual({
      ok: true,
      body: {
        name: 'Laptop',
        groups: ['family', 'work'],
        services: ['s1', 's2'],
        tunnel: 'lan',
        expiresAt: new Date(2027, 0, 2, 3, 4).toISOString(),
        dns: ['10.8.0.1', '1.1.1.1'],
        persistentKeepalive: 25,
        keyMode: 'forget-after-download',
      },
    });
  });
  it('the own public key goes along with keyMode own, and must look like a key', () => {
    expect(newPeerOf({ ...draft, keyMode: 'own', publicKey: ` ${key} ` }, now)).toEqual({
      ok: true,
      body: { name: 'Phone', tunnel: 'services', keyMode: 'own', publicKey: key },
    });
    expect(newPeerOf({ ...draft, keyMode: 'own', publicKey: 'abc' }, now)).toMatchObject({
      ok: false,
      field: 'publicKey',
    });
  });
  it.each<[Partial<PeerDraft>, string, string]>([
    [{ name: '  ' }, 'name', 'Give the peer a name, e.g. “Anna’s phone”.'],
    [{ name: 'x'.repeat(65) }, 'name', 'At most 64 characters.'],
    [{ name: 'a\nb' }, 'name', 'One line of text, without control characters.'],
    [{ name: 'a\u007fb' }, 'name', 'One line of text, without control characters.'],
    [{ name: 'a\u200bb' }, 'name', 'One line of text, without control characters.'],
    [{ name: 'a\u2028b' }, 'name', 'One line of text, without control characters.'],
    [
      { groups: 'ok, bad group' },
      'groups',
      '“bad group” is not a group name: up to 32 letters, digits, “.”, “_” or “-”, separated by commas.',
    ],
    [
      { groups: '-x' },
      'groups',
      '“-x” is not a group name: up to 32 letters, digits, “.”, “_” or “-”, separated by commas.',
    ],
    [
      { groups: 'a'.repeat(33) },
      'groups',
      `“${'a'.repeat(33)}” is not a group name: up to 32 letters, digits, “.”, “_” or “-”, separated by commas.`,
    ],
    [{ expiresDate: '2020-01-01' }, 'expiresAt', 'The expiry is in the past: choose a later time.'],
    [{ expiresDate: 'x' }, 'expiresAt', 'Enter a date and a time.'],
    [{ dns: '1.1.1.1, dns.google' }, 'dns', '“dns.google” is not an IP address (e.g. 10.8.0.1 or 1.1.1.1).'],
    [{ keepalive: '-1' }, 'persistentKeepalive', 'Seconds, 0 to 65535 (0 = off).'],
    [{ keepalive: '25s' }, 'persistentKeepalive', 'Seconds, 0 to 65535 (0 = off).'],
    [{ keepalive: '65536' }, 'persistentKeepalive', 'Seconds, 0 to 65535 (0 = off).'],
  ])('%j is refused at %s', (change, field, message) => {
    expect(newPeerOf({ ...draft, ...change }, now)).toEqual({ ok: false, field, message });
  });
  it('limits that pass: 64 characters, a 32-character group, keepalive 0 and 65535, the expiry a minute ahead', () => {
    expect(newPeerOf({ ...draft, name: 'x'.repeat(64) }, now).ok).toBe(true);
    expect(newPeerOf({ ...draft, groups: 'a'.repeat(32) }, now).ok).toBe(true);
    expect(newPeerOf({ ...draft, keepalive: '0' }, now)).toMatchObject({ body: { persistentKeepalive: 0 } });
    expect(newPeerOf({ ...draft, keepalive: '65535' }, now)).toMatchObject({
      body: { persistentKeepalive: 65535 },
    });
    const soon = localParts(later(60));
    expect(newPeerOf({ ...draft, expiresDate: soon.date, expiresTime: soon.time }, now).ok).toBe(true);
    const past = localParts(now.toISOString());
    expect(newPeerOf({ ...draft, expiresDate: past.date, expiresTime: past.time }, now).ok).toBe(false);
  });
});

describe('peerDraftOf and peerPatchOf', () => {
  const full: PeerView = {
    ...peer,
    groups: ['family', 'kids'],
    expiresAt: new Date(2027, 0, 2, 3, 4).toISOString(),
    dns: ['10.8.0.1'],
    persistentKeepalive: 25,
    tunnel: 'lan',
  };
  it('the draft shows the peer as it is', () => {
    expect(peerDraftOf(full)).toEqual({
      name: 'Phone',
      groups: 'family, kids',
      services: ['s1'],
      tunnel: 'lan',
      expiresDate: '2027-01-02',
      expiresTime: '03:04',
      dns: '10.8.0.1',
      keepalive: '25',
      keyMode: 'kept',
      publicKey: '',
    });
    expect(peerDraftOf(peer)).toMatchObject({ expiresDate: '', expiresTime: '', dns: '', keepalive: '' });
  });
  it('an unchanged draft patches nothing', () => {
    expect(peerPatchOf(peerDraftOf(full), full, now)).toEqual({ ok: true, body: {} });
    expect(peerPatchOf(peerDraftOf(peer), peer, now)).toEqual({ ok: true, body: {} });
  });
  it('sends only what changed; cleared fields as null', () => {
    expect(
      peerPatchOf(
        {
          ...peerDraftOf(full),
          name: 'Anna',
          groups: 'family',
          tunnel: 'full',
          expiresDate: '',
          expiresTime: '',
          dns: '',
          keepalive: '',
        },
        full,
        now,
      ),
    ).toEqual({
      ok: true,
      body: {
        name: 'Anna',
        groups: ['family'],
        tunnel: 'full',
        expiresAt: null,
        dns: null,
        persistentKeepalive: null,
      },
    });
    expect(peerPatchOf({ ...peerDraftOf(peer), dns: '1.1.1.1', keepalive: '0' }, peer, now)).toEqual({
      ok: true,
      body: { dns: ['1.1.1.1'], persistentKeepalive: 0 },
    });
    expect(peerPatchOf({ ...peerDraftOf(full), dns: '10.8.0.1, 1.1.1.1' }, full, now)).toEqual({
      ok: true,
      body: { dns: ['10.8.0.1', '1.1.1.1'] },
    });
    expect(peerPatchOf({ ...peerDraftOf(full), dns: '1.1.1.1' }, full, now)).toEqual({
      ok: true,
      body: { dns: ['1.1.1.1'] },
    });
    expect(peerPatchOf({ ...peerDraftOf(full), groups: 'kids, family' }, full, now)).toEqual({
      ok: true,
      body: { groups: ['kids', 'family'] },
    });
    expect(peerPatchOf({ ...peerDraftOf(full), expiresTime: '05:00' }, full, now)).toEqual({
      ok: true,
      body: { expiresAt: new Date(2027, 0, 2, 5, 0).toISOString() },
    });
  });
  it('an expiry that has passed may stay as it was, but cannot be set anew', () => {
    const expired = { ...peer, expiresAt: new Date(2020, 0, 1, 10, 0).toISOString() };
    expect(peerPatchOf({ ...peerDraftOf(expired), name: 'Old' }, expired, now)).toEqual({
      ok: true,
      body: { name: 'Old' },
    });
    expect(peerPatchOf({ ...peerDraftOf(expired), expiresTime: '11:00' }, expired, now)).toEqual({
      ok: false,
      field: 'expiresAt',
      message: 'The expiry is in the past: choose a later time.',
    });
  });
  it('a bad field is refused', () => {
    expect(peerPatchOf({ ...peerDraftOf(peer), name: '' }, peer, now)).toMatchObject({
      ok: false,
      field: 'name',
    });
  });
});

describe('services', () => {
  const service: ServiceView = {
    id: 's1',
    name: 'NAS',
    host: '192.168.1.20',
    protocol: 'tcp',
    portFrom: 443,
    portTo: 443,
    webUrl: null,
    createdAt: ago(10),
    updatedAt: ago(10),
  };
  it('portsWords and the draft', () => {
    expect(portsWords(service)).toBe('443');
    expect(portsWords({ portFrom: 8000, portTo: 8100 })).toBe('8000–8100');
    expect(serviceDraftOf(service)).toEqual({
      name: 'NAS',
      host: '192.168.1.20',
      protocol: 'tcp',
      ports: '443',
      webUrl: '',
    });
    expect(serviceDraftOf({ ...service, portTo: 445, webUrl: 'https://nas' })).toMatchObject({
      ports: '443-445',
      webUrl: 'https://nas',
    });
  });
  it.each([
    ['443', [443, 443]],
    [' 1 ', [1, 1]],
    ['65535', [65535, 65535]],
    ['8000-8100', [8000, 8100]],
    ['8000 – 8100', [8000, 8100]],
    ['80-80', [80, 80]],
    ['0', undefined],
    ['65536', undefined],
    ['100-99', undefined],
    ['1-65536', undefined],
    ['80,443', undefined],
    ['', undefined],
    ['http', undefined],
  ])('parsePorts(%j) = %j', (text, expected) => {
    expect(parsePorts(text)).toEqual(expected);
  });
  it('serviceBodyOf: the body, trimmed; an empty web URL is null', () => {
    expect(
      serviceBodyOf({
        name: ' NAS ',
        host: ' 192.168.1.20 ',
        protocol: 'udp',
        ports: '8000 – 8100',
        webUrl: ' ',
      }),
    ).toEqual({
      ok: true,
      body: { name: 'nas', host: '192.168.1.20', protocol: 'udp', port: '8000-8100', webUrl: null },
    });
    expect(serviceBodyOf({ ...serviceDraftOf(service), ports: '443-443' })).toMatchObject({
      body: { port: '443' },
    });
    expect(serviceBodyOf({ ...serviceDraftOf(service), name: 'home-assistant.2_x' })).toMatchObject({
      body: { name: 'home-assistant.2_x' },
    });
    expect(serviceBodyOf({ ...serviceDraftOf(service), webUrl: 'http://192.168.1.20:5000/' })).toMatchObject({
      ok: true,
      body: { webUrl: 'http://192.168.1.20:5000/' },
    });
  });
  it.each<[Partial<typeof emptyServiceDraft>, string]>([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: 'a\tb' }, 'name'],
    [{ host: 'nas.local' }, 'host'],
    [{ ports: '0' }, 'port'],
    [{ name: 'x'.repeat(33) }, 'name'],
    [{ name: 'home assistant' }, 'name'],
    [{ name: '-nas' }, 'name'],
    [{ webUrl: 'ftp://nas' }, 'webUrl'],
    [{ webUrl: 'https://' }, 'webUrl'],
  ])('%j is refused at %s', (change, field) => {
    const good = { name: 'NAS', host: '192.168.1.20', protocol: 'tcp' as const, ports: '443', webUrl: '' };
    expect(serviceBodyOf({ ...good, ...change })).toMatchObject({ ok: false, field });
  });
  it('serviceNames names known services and keeps unknown ids', () => {
    expect(serviceNames(['s1', 'zz'], [service])).toEqual(['NAS', 'zz']);
  });
});

describe('the grants matrix', () => {
  const peers = [
    { id: 'p2', name: 'Tablet', groups: ['kids'], enabled: false },
    { id: 'p1', name: 'Phone', groups: ['family'], enabled: true },
    { id: 'p0', name: 'Phone', groups: [], enabled: true },
  ];
  const grants: Grant[] = [
    { subject: { kind: 'group', group: 'family' }, serviceId: 's1' },
    { subject: { kind: 'group', group: 'admins' }, serviceId: 's2' },
    { subject: { kind: 'peer', peerId: 'p1' }, serviceId: 's2' },
  ];
  it('rows: the groups first (sorted, also those only a grant names), then the peers by name', () => {
    expect(matrixRows(peers, grants)).toEqual([
      { subject: { kind: 'group', group: 'admins' }, label: '@admins', groups: [], enabled: true },
      { subject: { kind: 'group', group: 'family' }, label: '@family', groups: [], enabled: true },
      { subject: { kind: 'group', group: 'kids' }, label: '@kids', groups: [], enabled: true },
      { subject: { kind: 'peer', peerId: 'p0' }, label: 'Phone', groups: [], enabled: true },
      { subject: { kind: 'peer', peerId: 'p1' }, label: 'Phone', groups: ['family'], enabled: true },
      { subject: { kind: 'peer', peerId: 'p2' }, label: 'Tablet', groups: ['kids'], enabled: false },
    ]);
  });
  it('keys, the set, toggling and what changed', () => {
    const saved = grantSetOf(grants);
    expect([...saved]).toEqual(['group:family|s1', 'group:admins|s2', 'peer:p1|s2']);
    expect(grantKey({ kind: 'peer', peerId: 'p1' }, 's2')).toBe('peer:p1|s2');
    const on = toggled(saved, 'peer:p0|s1', true);
    const off = toggled(on, 'peer:p1|s2', false);
    expect(saved.has('peer:p0|s1')).toBe(false);
    expect(matrixChanges(saved, off)).toEqual({ added: 1, removed: 1 });
    expect(matrixChanges(saved, toggled(saved, 'peer:p1|s2', true))).toEqual({ added: 0, removed: 0 });
    expect(changesWords({ added: 1, removed: 2 })).toBe('Unsaved: 1 to grant, 2 to revoke.');
    expect(changesWords({ added: 0, removed: 2 })).toBe('Unsaved: 2 to revoke.');
    expect(changesWords({ added: 3, removed: 0 })).toBe('Unsaved: 3 to grant.');
    expect(changesWords({ added: 0, removed: 0 })).toBeUndefined();
  });
  it('grantsOf turns the set back into the PUT body, sorted; keys it cannot read are dropped', () => {
    expect(
      grantsOf(new Set(['peer:p1|s2', 'group:a|b|s1', 'group:family|s1', 'odd|s1', 'peer:p3|', 'nobar'])),
    ).toEqual([
      { subject: { kind: 'group', group: 'a|b' }, serviceId: 's1' },
      { subject: { kind: 'group', group: 'family' }, serviceId: 's1' },
      { subject: { kind: 'peer', peerId: 'p1' }, serviceId: 's2' },
    ]);
    expect(grantsOf(grantSetOf(grants))).toEqual([grants[1], grants[0], grants[2]]);
  });
  it('viaGroups: the peer’s groups that grant the service', () => {
    const rows = matrixRows(peers, grants);
    const phone = rows.find((r) => r.label === 'Phone' && r.groups.length > 0);
    if (phone === undefined) throw new Error('no row');
    expect(viaGroups(phone, 's1', grantSetOf(grants))).toEqual(['family']);
    expect(viaGroups(phone, 's2', grantSetOf(grants))).toEqual([]);
  });
});

describe('bannerOf', () => {
  const overview: WireguardOverview = {
    interface: {
      name: 'gatehouse0',
      listenPort: 51820,
      publicKey: key,
      addresses: ['10.8.0.1/24'],
      implementation: 'kernel',
      running: true,
      reason: null,
      endpoint: { host: 'home.example.test', port: 51820 },
      lastApply: { at: ago(120), ok: true, message: '' },
      drift: null,
    },
    firewall: { applied: true, droppedPackets: 0, lanRanges: ['192.168.1.0/24'], warnings: [] },
    proof: {
      lastPublicHandshake: { at: ago(60), peerId: 'p1', peerName: 'Phone', endpoint: '198.51.100.7:4500' },
    },
  };
  it('running, with the endpoint, the addresses, the last apply and the proof', () => {
    expect(bannerOf(overview, now)).toEqual({
      tone: 'ok',
      headline: 'WireGuard is running on gatehouse0, UDP port 51820, kernel module.',
      lines: [
        'Clients connect to home.example.test:51820.',
        'Tunnel addresses: 10.8.0.1/24.',
        'Last apply 2 min ago: done.',
        'Last handshake from outside: Phone from 198.51.100.7:4500, 1 min ago.',
      ],
      drift: [],
      driftAt: undefined,
      warnings: [],
    });
  });
  it('not running and why; no endpoint, no proof, a failed apply, dropped packets', () => {
    const b = bannerOf(
      {
        interface: {
          ...overview.interface,
          running: false,
          reason: 'no CAP_NET_ADMIN.',
          implementation: 'userspace',
          endpoint: null,
          addresses: [],
          lastApply: { at: ago(5), ok: false, message: 'nft failed' },
        },
        firewall: { ...overview.firewall, droppedPackets: 12 },
        proof: { lastPublicHandshake: null },
      },
      now,
    );
    expect(b).toEqual({
      tone: 'error',
      headline: 'WireGuard is not running: no CAP_NET_ADMIN.',
      lines: [
        'Clients have no endpoint yet: set up a DDNS hostname (or the public address must be known) so configs can say where to connect.',
        'Implementation found: wireguard-go (userspace).',
        'Last apply 5 s ago: failed — nft failed.',
        'The firewall dropped 12 packets that no grant allows.',
        'No peer has completed a handshake from outside yet: that is the proof the box is reachable.',
      ],
      drift: [],
      driftAt: undefined,
      warnings: [],
    });
    expect(
      bannerOf(
        {
          ...overview,
          interface: { ...overview.interface, running: false, reason: null, implementation: null },
        },
        now,
      ).headline,
    ).toBe('WireGuard is not running.');
  });
  it.each([
    [
      'drift',
      { interface: { ...overview.interface, drift: { at: ago(3), changes: ['peer X added by hand'] } } },
    ],
    ['warnings', { firewall: { ...overview.firewall, warnings: ['another table drops forwarding'] } }],
    [
      'failed apply',
      { interface: { ...overview.interface, lastApply: { at: ago(1), ok: false, message: '' } } },
    ],
    ['no endpoint', { interface: { ...overview.interface, endpoint: null } }],
  ])('running with %s is a warning', (_what, change) => {
    expect(bannerOf({ ...overview, ...change }, now).tone).toBe('warning');
  });
  it('passes drift and warnings through; no dropped-packet line for null', () => {
    const b = bannerOf(
      {
        ...overview,
        interface: { ...overview.interface, drift: { at: ago(3), changes: ['d'] }, lastApply: null },
        firewall: { ...overview.firewall, droppedPackets: null, warnings: ['w'] },
      },
      now,
    );
    expect(b.drift).toEqual(['d']);
    expect(b.driftAt).toBe(ago(3));
    expect(b.warnings).toEqual(['w']);
    expect(b.lines.some((l) => l.startsWith('Last apply') || l.startsWith('The firewall dropped'))).toBe(
      false,
    );
  });
  it('endpointText brackets IPv6', () => {
    expect(endpointText({ host: '2001:db8::1', port: 51820 })).toBe('[2001:db8::1]:51820');
    expect(endpointText({ host: '203.0.113.5', port: 1 })).toBe('203.0.113.5:1');
  });
});

describe('planWords', () => {
  it('nothing to change, or the counts', () => {
    expect(planWords({ device: { changes: [] }, firewall: { added: [], removed: [] } })).toBe(
      'Nothing to change: the interface and the firewall match.',
    );
    expect(planWords({ device: { changes: ['a'] }, firewall: { added: ['x'], removed: ['y', 'z'] } })).toBe(
      'Firewall: 1 line added, 2 removed; interface: 1 change.',
    );
    expect(planWords({ device: { changes: ['a', 'b'] }, firewall: { added: ['x', 'y'], removed: [] } })).toBe(
      'Firewall: 2 lines added, 0 removed; interface: 2 changes.',
    );
    expect(planWords({ device: { changes: [] }, firewall: { added: [], removed: ['y'] } })).toBe(
      'Firewall: 0 lines added, 1 removed; interface: 0 changes.',
    );
  });
});

describe('problemOf and the fixed words', () => {
  it('the field’s own problem first, else the first of its items, else none', () => {
    expect(problemOf({ name: 'A', 'name.0': 'B' }, 'name')).toBe('A');
    expect(problemOf({ 'groups.1': 'Bad group.', dns: 'x' }, 'groups')).toBe('Bad group.');
    expect(problemOf({ groupsx: 'no' }, 'groups')).toBeUndefined();
    expect(problemOf({}, 'dns')).toBeUndefined();
  });
  it('tunnel and key modes in words', () => {
    expect(tunnelShortWords).toEqual({ services: 'split tunnel', lan: 'whole LAN', full: 'full tunnel' });
    expect(tunnelWords).toEqual({
      services: 'Only the granted services (split tunnel)',
      lan: 'The whole home network (LAN ranges)',
      full: 'All traffic (full tunnel)',
    });
    expect(keyModeWords).toEqual({
      kept: 'This box keeps the key (the config can be shown again)',
      'forget-after-download': 'Forget the key after the first download',
      own: 'I bring my own public key',
    });
  });
});

describe('matchesPeer', () => {
  const p = {
    ...peer,
    name: 'Anna Phone',
    groups: ['family'],
    ipv4: '10.8.0.7',
    ipv6: 'fd00:8::7',
    status: { online: true, latestHandshakeAt: null, endpoint: '198.51.100.7:4500', rxBytes: 0, txBytes: 0 },
  };
  it.each([
    ['', true],
    ['   ', true],
    ['anna', true],
    ['PHONE anna', true],
    ['@family', true],
    ['family', true],
    ['@fam', true],
    ['10.8.0.7', true],
    ['fd00:8::7', true],
    ['198.51.100.7', true],
    ['anna laptop', false],
    ['@kids', false],
    ['10.8.0.8', false],
  ])('%j → %s', (query, expected) => {
    expect(matchesPeer(p, query)).toBe(expected);
  });
  it('without IPv6 or status, only what it has', () => {
    expect(matchesPeer({ ...p, ipv6: null, status: null }, '198.51')).toBe(false);
    expect(matchesPeer({ ...p, ipv6: null, status: null }, 'fd00')).toBe(false);
    expect(matchesPeer({ ...p, ipv6: null, status: null }, 'anna')).toBe(true);
  });
});

/**
 * @module One heap cap for every way Gatehouse is started (`npm start`, the container image, the systemd unit),
 * which Node really applies, and the unit's privileges: an unprivileged user with exactly the two capabilities the
 * README explains.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => fs.readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const dockerfile = read('Dockerfile').replace(/\\\n/g, ' ');
const unit = read('packaging/gatehouse.service');

/** `Key=value` lines of the unit (comments dropped), in order. */
function unitSettings(key: string): string[] {
  return unit
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

const startFlags = /\bnode ((?:--\S+ )+)bin\/gatehouse\.js serve/.exec(pkg.scripts.start ?? '')?.[1]?.trim();
const dockerFlags = /NODE_OPTIONS="([^"]+)"/.exec(dockerfile)?.[1];
const unitFlags = unitSettings('Environment')
  .map((v) => /^"?NODE_OPTIONS=([^"]+)"?$/.exec(v)?.[1])
  .find((v) => v !== undefined);

describe('heap cap', () => {
  it('is the same in npm start, the container image and the systemd unit', () => {
    expect(startFlags).toMatch(/--max-old-space-size=\d+/);
    expect(dockerFlags).toBe(startFlags);
    expect(unitFlags).toBe(startFlags);
  });

  it('is accepted in NODE_OPTIONS and sets the heap limit', () => {
    const cap = Number(/--max-old-space-size=(\d+)/.exec(startFlags ?? '')?.[1]);
    const limitMb = Number(
      execFileSync(
        process.execPath,
        ['-e', 'console.log(require("v8").getHeapStatistics().heap_size_limit / 1048576)'],
        { env: { ...process.env, NODE_OPTIONS: unitFlags ?? '' }, encoding: 'utf8' },
      ).trim(),
    );
    // The limit is the old generation's cap plus the young generation.
    expect(limitMb).toBeGreaterThanOrEqual(cap);
    expect(limitMb).toBeLessThan(cap + 16);
  });
});

describe('malloc thresholds', () => {
  const startTunables = /\bGLIBC_TUNABLES=(\S+) node /.exec(pkg.scripts.start ?? '')?.[1];
  const dockerTunables = /GLIBC_TUNABLES="([^"]+)"/.exec(dockerfile)?.[1];
  const unitTunables = unitSettings('Environment')
    .map((v) => /^"?GLIBC_TUNABLES=([^"]+)"?$/.exec(v)?.[1])
    .find((v) => v !== undefined);

  it('are the same in npm start, the container image and the systemd unit', () => {
    expect(startTunables).toMatch(/^glibc\.malloc\.mmap_threshold=\d+:glibc\.malloc\.trim_threshold=\d+$/);
    expect(dockerTunables).toBe(startTunables);
    expect(unitTunables).toBe(startTunables);
  });

  // The dynamic loader lists the tunables as it applied them; a misspelt name or a value out of range is ignored
  // silently by glibc, and shows here as the default.
  const loader = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].find((f) => fs.existsSync(f));
  it.skipIf(loader === undefined)('are the values glibc applies (ld.so --list-tunables)', () => {
    const listed = execFileSync(loader ?? '', ['--list-tunables'], {
      env: { ...process.env, GLIBC_TUNABLES: startTunables ?? '' },
      encoding: 'utf8',
    });
    const value = (name: string) =>
      Number(new RegExp(`^glibc\\.malloc\\.${name}: (0x[0-9a-f]+)`, 'm').exec(listed)?.[1]);
    const wanted = Object.fromEntries(
      (startTunables ?? '')
        .split(':')
        .map((kv) => kv.replace('glibc.malloc.', '').split('=') as [string, string]),
    );
    expect(value('mmap_threshold')).toBe(Number(wanted['mmap_threshold']));
    expect(value('trim_threshold')).toBe(Number(wanted['trim_threshold']));
  });
});

describe('systemd unit', () => {
  it('runs serve as the gatehouse user with its data in the state directory', () => {
    expect(unitSettings('User')).toEqual(['gatehouse']);
    expect(unitSettings('StateDirectory')).toEqual(['gatehouse']);
    expect(unitSettings('StateDirectoryMode')).toEqual(['0700']);
    expect(unitSettings('Environment')).toContain('GATEHOUSE_DATA_DIR=/var/lib/gatehouse');
    expect(unitSettings('ExecStart')).toEqual(['/usr/bin/node /opt/gatehouse/bin/gatehouse.js serve']);
  });

  it('grants exactly CAP_NET_ADMIN and CAP_NET_BIND_SERVICE, ambient (for ip, wg, nft), and nothing more', () => {
    const two = 'CAP_NET_ADMIN CAP_NET_BIND_SERVICE';
    expect(unitSettings('AmbientCapabilities')).toEqual([two]);
    expect(unitSettings('CapabilityBoundingSet')).toEqual([two]);
    expect(unitSettings('NoNewPrivileges')).toEqual(['yes']);
    expect(unitSettings('ProtectSystem')).toEqual(['strict']);
  });
});

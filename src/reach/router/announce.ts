/**
 * @module Router announcements on the LAN: a NAT-PMP gateway multicasts its external address to 224.0.0.1:5350
 * when it changes, restarts or may have lost its mappings (RFC 6886 §3.2.1), and a PCP server multicasts an
 * unsolicited ANNOUNCE response there (RFC 6887 §14.1.3). Either is a reason to probe again at once; neither is
 * taken as the answer (anyone on the LAN can send one), and only datagrams from the default gateway count; each
 * burst is published once on `router.wan-changed`.
 */
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { GatewayLocator } from './gateway.js';
import { decodeResponse as decodeNatPmp } from './natpmp-codec.js';
import { decodeResponse as decodePcp, pcpVersion } from './pcp-codec.js';
import type { UdpSocket, UdpTransport } from '../../core/udp.js';
import type {} from './router-events.js';

const announcementGroup = '224.0.0.1';
const announcementPort = 5350;

export type Announcement =
  | {
      readonly protocol: 'natpmp';
      readonly from: string;
      readonly epochSeconds: number;
      /** What the router says its external address now is ('' when it reports an error code). */
      readonly externalAddress: string;
    }
  | { readonly protocol: 'pcp'; readonly from: string; readonly epochSeconds: number };

/** Reads one datagram as an announcement; undefined for anything else. Pure. */
export function parseAnnouncement(data: Uint8Array, from: string): Announcement | undefined {
  if (data.length === 0) return undefined;
  if (data[0] === pcpVersion) {
    const d = decodePcp(data);
    return d.ok && d.response.opcode === 'announce'
      ? { protocol: 'pcp', from, epochSeconds: d.response.epochSeconds }
      : undefined;
  }
  const d = decodeNatPmp(data);
  if (!d.ok || d.response.opcode !== 'external-address') return undefined;
  // RFC 6886 §3.2.1: the announcement is an external-address response (opcode 128) sent unsolicited.
  return {
    protocol: 'natpmp',
    from,
    epochSeconds: d.response.epochSeconds,
    externalAddress: d.response.resultCode === 0 ? d.response.externalAddress : '',
  };
}

export interface AnnouncementListenerOptions {
  readonly udp: UdpTransport;
  readonly gateway: GatewayLocator;
  readonly clock: Clock;
  /** Where `router.wan-changed` is published. */
  readonly bus: EventBus;
  readonly log?: (message: string) => void;
  /** The gateway's announcements closer together than this are one (default 1 s). */
  readonly minIntervalMs?: number;
}

export class AnnouncementListener {
  private socket: UdpSocket | undefined;
  private starting: Promise<boolean> | undefined;
  private loopEnded = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private lastHandled = Number.NEGATIVE_INFINITY;
  private gateway: { at: number; address: string | undefined } | undefined;
  private readonly ignoredSenders = new Set<string>();

  constructor(private readonly options: AnnouncementListenerOptions) {}

  /**
   * Listens on 224.0.0.1:5350 (shared with other listeners); a port that cannot be opened is logged, not thrown.
   * Resolves false when not listening (also when stop() came first).
   */
  start(): Promise<boolean> {
    this.starting ??= this.open();
    return this.starting;
  }

  /** True while the port is open and the loop runs. */
  listening(): boolean {
    return this.socket !== undefined && !this.loopEnded;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.starting;
    await this.socket?.close();
    await this.loop;
    this.socket = undefined;
  }

  private async open(): Promise<boolean> {
    const opened = await this.options.udp.open({
      bindAddress: announcementGroup,
      port: announcementPort,
      reuseAddress: true,
      joinMulticast: announcementGroup,
    });
    if (!opened.ok) {
      this.log(`router announcements: not listening (${opened.reason})`);
      return false;
    }
    if (this.abort.signal.aborted) {
      await opened.socket.close();
      return false;
    }
    this.socket = opened.socket;
    this.loop = this.run(opened.socket)
      .catch((err: unknown) => {
        this.log(`router announcements: stopped listening (${describeError(err)})`);
      })
      .finally(async () => {
        this.loopEnded = true;
        await opened.socket.close();
      });
    return true;
  }

  private async run(socket: UdpSocket): Promise<void> {
    const { signal } = this.abort;
    const waitMs = 3_600_000;
    while (!signal.aborted) {
      const asked = this.options.clock.now().getTime();
      const d = await socket.receive(waitMs, { signal });
      if (!d) {
        // Nothing before the wait ended: fine after an hour; at once means the socket is gone.
        if (this.options.clock.now().getTime() - asked < waitMs) {
          if (!this.abort.signal.aborted)
            this.log('router announcements: stopped listening (the socket closed)');
          break;
        }
        continue;
      }
      // RFC 6886 §3.2.1: announcements come from the gateway's port 5351.
      if (d.from.port !== 5351) continue;
      const announcement = parseAnnouncement(d.data, d.from.address);
      if (!announcement) continue;
      const gateway = await this.currentGateway(signal);
      if (gateway !== d.from.address) {
        if (this.ignoredSenders.size < 16 && !this.ignoredSenders.has(d.from.address)) {
          this.ignoredSenders.add(d.from.address);
          this.log(
            `router announcements: ignoring those from ${d.from.address}, which is not the default gateway (${gateway ?? 'none'})`,
          );
        }
        continue;
      }
      // NAT-PMP and PCP announce the same event together: one is enough.
      const now = this.options.clock.now().getTime();
      const since = now - this.lastHandled;
      if (since >= 0 && since < (this.options.minIntervalMs ?? 1000)) continue;
      this.lastHandled = now;
      this.log(
        announcement.protocol === 'natpmp'
          ? `router announcements: NAT-PMP from ${announcement.from}, external address ${announcement.externalAddress || 'unknown'}`
          : `router announcements: PCP ANNOUNCE from ${announcement.from} (epoch ${announcement.epochSeconds})`,
      );
      this.options.bus.publish('router.wan-changed', {
        via: announcement.protocol === 'natpmp' ? 'natpmp-announcement' : 'pcp-announcement',
        from: announcement.from,
        ...(announcement.protocol === 'natpmp' && announcement.externalAddress
          ? { address: announcement.externalAddress }
          : {}),
      });
    }
  }

  /** The default gateway, looked up at most every 5 s (a flood of datagrams costs one lookup). */
  private async currentGateway(signal: AbortSignal): Promise<string | undefined> {
    const now = this.options.clock.now().getTime();
    const age = this.gateway ? now - this.gateway.at : Number.POSITIVE_INFINITY;
    if (this.gateway && age >= 0 && age < 5_000) return this.gateway.address;
    const found = await this.options.gateway(signal);
    this.gateway = { at: now, address: found.ok ? found.address : undefined };
    return this.gateway.address;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}

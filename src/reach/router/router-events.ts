/**
 * @module The `router.wan-changed` topic: the router said, on its own, that its WAN side changed (a UPnP GENA
 * event, a NAT-PMP or PCP announcement). A reason to probe again at once, never the answer: anyone on the LAN can
 * send such a message, so the address it names is only a hint.
 */

export interface RouterWanChanged {
  /** Which kind of message said so. */
  readonly via: 'upnp-gena' | 'natpmp-announcement' | 'pcp-announcement';
  /** The router's LAN address the message came from. */
  readonly from: string;
  /**
   * The external address the message names, when it names one: a NAT-PMP announcement's, or a GENA event's
   * ExternalIPAddress when it differs from the last one heard.
   */
  readonly address?: string;
  /** GENA: the evented variables the event carried (ConnectionStatus, ExternalIPAddress, …). */
  readonly properties?: Readonly<Record<string, string>>;
}

declare module '../../core/events.js' {
  interface GatehouseEvents {
    'router.wan-changed': RouterWanChanged;
  }
}

/** @module PCP client (RFC 6887): the router's external address and UDP / TCP mappings via MAP, over the UdpTransport port. */
import type { GatewayLocator } from './gateway.js';
import {
  decodeResponse,
  describePcpResult,
  encodeAnnounceRequest,
  encodeMapRequest,
  ipProtocols,
  pcpPort,
  pcpVersion,
  type PcpResponse,
} from './pcp-codec.js';
import {
  granted,
  refused,
  transportNames,
  transportOf,
  unsupported,
  type GrantedMapping,
  type MappingRequest,
  type MappingTransport,
  type RouterClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';
import type { UdpEndpoint, UdpTransport } from '../../core/udp.js';
import { exchange, formatSeconds, planRetransmissions } from './exchange.js';

export interface PcpClientOptions {
  readonly udp: UdpTransport;
  readonly gateway: GatewayLocator;
  /** The router's PCP port; 5351 unless a test says otherwise. */
  readonly port?: number;
  /** How long to wait for the router in all, retransmissions included. */
  readonly timeoutMs?: number;
  /** First retransmission interval (RFC 6887 §8.1.1 starts at 3 s; on a LAN 250 ms doubling is kinder). */
  readonly initialRetransmitMs?: number;
  /** 12 random bytes per mapping; injectable so tests can predict them. */
  readonly nonce?: () => Uint8Array;
  /** Lifetime of the short-lived mapping that reads the external address (deleted at once). */
  readonly probeLifetimeSeconds?: number;
}

type Asked =
  | { readonly ok: true; readonly value: PcpResponse; readonly gateway: string; readonly local: UdpEndpoint }
  | { readonly ok: false; readonly failure: RouterFailure };

export class PcpClient implements RouterClient {
  readonly protocol = 'pcp' as const;
  private readonly waits: number[];
  /**
   * The nonce of each mapping this client holds, by transport and internal port (renewal and deletion repeat it);
   * UDP 80 and TCP 80 are two mappings with two nonces.
   */
  private readonly nonces = new Map<string, Uint8Array>();

  constructor(private readonly options: PcpClientOptions) {
    this.waits = planRetransmissions(options.initialRetransmitMs ?? 250, options.timeoutMs ?? 2000);
  }

  /** ANNOUNCE (§14.1): does the router speak PCP at all? Answers the server's epoch. */
  async announce(signal?: AbortSignal): Promise<RouterResult<{ epochSeconds: number }>> {
    const r = await this.ask(
      (local) => encodeAnnounceRequest(local.address),
      () => true,
      signal,
    );
    if (!r.ok) return r;
    if (r.value.opcode !== 'announce') return unsupported('unexpected PCP answer to ANNOUNCE');
    if (r.value.resultCode !== 0)
      return refused(`PCP at ${r.gateway} answered ANNOUNCE with ${describePcpResult(r.value.resultCode)}`);
    return granted({ epochSeconds: r.value.epochSeconds });
  }

  /**
   * PCP has no "what is my address" request: the address comes back in a MAP response. So this maps the UDP
   * port of its own (closed right after) probe socket for a short lifetime and deletes the mapping at once.
   */
  async externalAddress(signal?: AbortSignal): Promise<RouterResult<string>> {
    const nonce = this.newNonce();
    let probePort = 0;
    const r = await this.ask(
      (local) => {
        probePort = local.port;
        return encodeMapRequest({
          nonce,
          protocol: 'udp',
          internalPort: local.port,
          suggestedExternalPort: 0,
          lifetimeSeconds: this.options.probeLifetimeSeconds ?? 120,
          clientAddress: local.address,
        });
      },
      (res) => res.opcode === 'map' && sameBytes(res.nonce, nonce),
      signal,
    );
    if (!r.ok) return r;
    const res = r.value;
    if (res.opcode !== 'map') return unsupported('unexpected PCP answer');
    if (res.resultCode !== 0)
      return refused(`PCP at ${r.gateway} refused the address probe: ${describePcpResult(res.resultCode)}`);
    // Best effort: the probe mapping expires by itself if the deletion is lost.
    await this.ask(
      () =>
        encodeMapRequest({
          nonce,
          protocol: 'udp',
          internalPort: probePort,
          suggestedExternalPort: 0,
          lifetimeSeconds: 0,
          clientAddress: r.local.address,
        }),
      (d) => d.opcode === 'map' && sameBytes(d.nonce, nonce),
      signal,
    );
    if (res.externalAddress === '0.0.0.0' || res.externalAddress === '::')
      return refused(`PCP at ${r.gateway} did not say its external address`);
    return granted(res.externalAddress);
  }

  async map(request: MappingRequest, signal?: AbortSignal): Promise<RouterResult<GrantedMapping>> {
    const transport = transportOf(request);
    const what = `${transportNames[transport]} ${request.internalPort}`;
    const key = nonceKey(transport, request.internalPort);
    const nonce = this.nonces.get(key) ?? this.newNonce();
    const r = await this.ask(
      (local) =>
        encodeMapRequest({
          nonce,
          protocol: transport,
          internalPort: request.internalPort,
          suggestedExternalPort: request.externalPort,
          lifetimeSeconds: request.lifetimeSeconds,
          clientAddress: local.address,
        }),
      (res) => res.opcode === 'map' && sameBytes(res.nonce, nonce),
      signal,
    );
    if (!r.ok) return r;
    const res = r.value;
    if (res.opcode !== 'map') return unsupported('unexpected PCP answer');
    if (res.resultCode !== 0)
      return refused(`PCP at ${r.gateway} refused to map ${what}: ${describePcpResult(res.resultCode)}`);
    // §11.1: the protocol number, 17 for UDP and 6 for TCP, comes back as asked.
    if (res.protocol !== ipProtocols[transport] || res.internalPort !== request.internalPort)
      return refused(
        `PCP at ${r.gateway} answered for another mapping (protocol ${res.protocol}, port ${res.internalPort})`,
      );
    if (res.lifetimeSeconds === 0 || res.externalPort === 0)
      return refused(`PCP at ${r.gateway} granted no mapping for ${what}`);
    this.nonces.set(key, nonce);
    const known = res.externalAddress !== '0.0.0.0' && res.externalAddress !== '::';
    return granted({
      protocol: this.protocol,
      ...(request.transport ? { transport: request.transport } : {}),
      internalPort: request.internalPort,
      externalPort: res.externalPort,
      lifetimeSeconds: res.lifetimeSeconds,
      ...(known ? { externalAddress: res.externalAddress } : {}),
    });
  }

  async unmap(mapping: GrantedMapping, signal?: AbortSignal): Promise<RouterResult<void>> {
    const transport = transportOf(mapping);
    const key = nonceKey(transport, mapping.internalPort);
    // A mapping made before a restart has a nonce we no longer know; the router may then refuse (NOT_AUTHORIZED).
    const nonce = this.nonces.get(key) ?? this.newNonce();
    const r = await this.ask(
      (local) =>
        encodeMapRequest({
          nonce,
          protocol: transport,
          internalPort: mapping.internalPort,
          suggestedExternalPort: mapping.externalPort,
          lifetimeSeconds: 0,
          clientAddress: local.address,
        }),
      (res) => res.opcode === 'map' && sameBytes(res.nonce, nonce),
      signal,
    );
    if (!r.ok) return r;
    if (r.value.resultCode !== 0)
      return refused(
        `PCP at ${r.gateway} refused to remove the mapping of ${transportNames[transport]} ${mapping.internalPort}: ${describePcpResult(r.value.resultCode)}`,
      );
    this.nonces.delete(key);
    return granted(undefined);
  }

  private newNonce(): Uint8Array {
    return this.options.nonce?.() ?? crypto.getRandomValues(new Uint8Array(12));
  }

  private async ask(
    build: (local: UdpEndpoint) => Uint8Array,
    matches: (res: PcpResponse) => boolean,
    signal?: AbortSignal,
  ): Promise<Asked> {
    const gw = await this.options.gateway(signal);
    if (!gw.ok) return unsupported(`PCP: no router to ask (${gw.reason})`);
    const peer = { address: gw.address, port: this.options.port ?? pcpPort };
    const r = await exchange(
      this.options.udp,
      peer,
      build,
      (d) => {
        if (d.data[0] !== pcpVersion) return true; // another version: the router's way of saying "not PCP"
        const decoded = decodeResponse(d.data);
        return decoded.ok && matches(decoded.response);
      },
      this.waits,
      signal,
    );
    if (!r.ok) {
      if (r.kind === 'socket') return unsupported(`PCP: ${r.reason}`);
      if (signal?.aborted) return unsupported('PCP query cancelled');
      const total = this.waits.reduce((a, b) => a + b, 0);
      return unsupported(`no PCP answer from ${gw.address} within ${formatSeconds(total)}`);
    }
    const decoded = decodeResponse(r.datagram.data);
    if (!decoded.ok) {
      if (decoded.version === 0)
        return unsupported(`${gw.address} speaks NAT-PMP, not PCP (answered version 0)`);
      return unsupported(`${gw.address} gave no usable PCP answer (${decoded.reason})`);
    }
    return { ok: true, value: decoded.response, gateway: gw.address, local: r.local };
  }
}

function nonceKey(transport: MappingTransport, internalPort: number): string {
  return `${transport}/${internalPort}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

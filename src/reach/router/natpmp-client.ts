/** @module NAT-PMP client (RFC 6886): the router's external address and UDP / TCP mappings, over the UdpTransport port. */
import type { GatewayLocator } from './gateway.js';
import {
  decodeResponse,
  describeNatPmpResult,
  encodeExternalAddressRequest,
  encodeMapRequest,
  natPmpPort,
  type NatPmpResponse,
} from './natpmp-codec.js';
import {
  granted,
  refused,
  transportNames,
  transportOf,
  unsupported,
  type GrantedMapping,
  type MappingRequest,
  type RouterClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';
import type { UdpTransport } from '../../core/udp.js';
import { exchange, formatSeconds, planRetransmissions } from './exchange.js';

export interface NatPmpClientOptions {
  readonly udp: UdpTransport;
  readonly gateway: GatewayLocator;
  /** The router's NAT-PMP port; 5351 unless a test says otherwise. */
  readonly port?: number;
  /** How long to wait for the router in all, retransmissions included. */
  readonly timeoutMs?: number;
  /** First retransmission interval; RFC 6886 §3.1 says 250 ms, doubling. */
  readonly initialRetransmitMs?: number;
}

export class NatPmpClient implements RouterClient {
  readonly protocol = 'natpmp' as const;
  private readonly waits: number[];

  constructor(private readonly options: NatPmpClientOptions) {
    this.waits = planRetransmissions(options.initialRetransmitMs ?? 250, options.timeoutMs ?? 2000);
  }

  async externalAddress(signal?: AbortSignal): Promise<RouterResult<string>> {
    const r = await this.ask(
      encodeExternalAddressRequest(),
      (res) => res.opcode === 'external-address',
      signal,
    );
    if (!r.ok) return r;
    const res = r.value;
    if (res.opcode !== 'external-address') return unsupported('unexpected NAT-PMP answer');
    if (res.resultCode !== 0)
      return refused(
        `NAT-PMP at ${r.gateway} refused the external address query: ${describeNatPmpResult(res.resultCode)}`,
      );
    if (res.externalAddress === '0.0.0.0')
      return refused(`NAT-PMP at ${r.gateway} has no external address yet (answered 0.0.0.0)`);
    return granted(res.externalAddress);
  }

  async map(request: MappingRequest, signal?: AbortSignal): Promise<RouterResult<GrantedMapping>> {
    // §3.3: opcode 1 maps UDP, opcode 2 TCP; the answer repeats the opcode, so a UDP answer never grants TCP.
    const transport = transportOf(request);
    const what = `${transportNames[transport]} ${request.internalPort}`;
    const bytes = encodeMapRequest({
      protocol: transport,
      internalPort: request.internalPort,
      suggestedExternalPort: request.externalPort,
      lifetimeSeconds: request.lifetimeSeconds,
    });
    const r = await this.ask(
      bytes,
      (res) =>
        res.opcode === 'map' &&
        res.protocol === transport &&
        (res.internalPort === request.internalPort || res.resultCode !== 0),
      signal,
    );
    if (!r.ok) return r;
    const res = r.value;
    if (res.opcode !== 'map') return unsupported('unexpected NAT-PMP answer');
    if (res.resultCode !== 0)
      return refused(
        `NAT-PMP at ${r.gateway} refused to map ${what}: ${describeNatPmpResult(res.resultCode)}`,
      );
    if (res.lifetimeSeconds === 0 || res.externalPort === 0)
      return refused(`NAT-PMP at ${r.gateway} granted no mapping for ${what}`);
    // The mapping response carries no address (§3.3); a second query fills it in when the router answers.
    const address = await this.externalAddress(signal);
    return granted({
      protocol: this.protocol,
      ...(request.transport ? { transport: request.transport } : {}),
      internalPort: res.internalPort,
      externalPort: res.externalPort,
      lifetimeSeconds: res.lifetimeSeconds,
      ...(address.ok ? { externalAddress: address.value } : {}),
    });
  }

  async unmap(mapping: GrantedMapping, signal?: AbortSignal): Promise<RouterResult<void>> {
    // §3.4: lifetime 0 and suggested external port 0 delete the mapping of this internal port (and transport).
    const transport = transportOf(mapping);
    const bytes = encodeMapRequest({
      protocol: transport,
      internalPort: mapping.internalPort,
      suggestedExternalPort: 0,
      lifetimeSeconds: 0,
    });
    const r = await this.ask(
      bytes,
      (res) =>
        res.opcode === 'map' &&
        res.protocol === transport &&
        (res.internalPort === mapping.internalPort || res.resultCode !== 0),
      signal,
    );
    if (!r.ok) return r;
    if (r.value.resultCode !== 0)
      return refused(
        `NAT-PMP at ${r.gateway} refused to remove the mapping of ${transportNames[transport]} ${mapping.internalPort}: ${describeNatPmpResult(r.value.resultCode)}`,
      );
    return granted(undefined);
  }

  /** One exchange with the gateway; answers in another protocol version end the wait at once. */
  private async ask(
    request: Uint8Array,
    matches: (res: NatPmpResponse) => boolean,
    signal?: AbortSignal,
  ): Promise<{ ok: true; value: NatPmpResponse; gateway: string } | { ok: false; failure: RouterFailure }> {
    const gw = await this.options.gateway(signal);
    if (!gw.ok) return unsupported(`NAT-PMP: no router to ask (${gw.reason})`);
    const peer = { address: gw.address, port: this.options.port ?? natPmpPort };
    const r = await exchange(
      this.options.udp,
      peer,
      () => request,
      (d) => {
        if (d.data[0] !== 0) return true; // another version: the router's way of saying "not NAT-PMP"
        const decoded = decodeResponse(d.data);
        return decoded.ok && matches(decoded.response);
      },
      this.waits,
      signal,
    );
    if (!r.ok) {
      if (r.kind === 'socket') return unsupported(`NAT-PMP: ${r.reason}`);
      if (signal?.aborted) return unsupported('NAT-PMP query cancelled');
      const total = this.waits.reduce((a, b) => a + b, 0);
      return unsupported(`no NAT-PMP answer from ${gw.address} within ${formatSeconds(total)}`);
    }
    const decoded = decodeResponse(r.datagram.data);
    if (!decoded.ok)
      return unsupported(`${gw.address} does not speak NAT-PMP (${decoded.reason}; PCP only?)`);
    return { ok: true, value: decoded.response, gateway: gw.address };
  }
}

/**
 * @module The WireGuard capability's typed calls (its own routes, over the app's session: CSRF token, session-lost
 * report) and the shapes they carry, taken from the server's routes; the bodies the forms send.
 */
import type { ClientResponse } from 'hono/client';
import type { WireguardRoutes } from '../../../../src/wireguard/routes.js';
import { ApiError, expectOk, type ApiClient, type GatehouseClient, type OkBody } from '../../api.js';

type Wg = ApiClient<WireguardRoutes>['wireguard'];
type Ok<F extends (...args: never[]) => unknown> = OkBody<Awaited<ReturnType<F>>>;

/** GET /wireguard: the interface (running or why not), the firewall, the proof from outside. */
export type WireguardOverview = Ok<Wg['$get']>;
/** One peer with its effective grants, whether its config is outdated, and its live status (null: no interface). */
export type PeerView = Ok<Wg['peers']['$get']>['peers'][number];
export type PeerStatus = NonNullable<PeerView['status']>;
export type KeyMode = PeerView['keyMode'];
export type TunnelMode = PeerView['tunnel'];
export type ServiceView = Ok<Wg['services']['$get']>['services'][number];
export type Protocol = ServiceView['protocol'];
export type Grant = Ok<Wg['grants']['$get']>['grants'][number];
export type GrantSubject = Grant['subject'];
/** GET /wireguard/plan (a dry run) and POST /wireguard/apply answer the same report. */
export type Plan = Ok<Wg['plan']['$get']>;
export type ApplyResult = Ok<Wg['apply']['$post']>;
export type OnboardingLink = Ok<Wg['peers'][':id']['link']['$post']>;

/** What POST /wireguard/peers takes (the server fills in the rest). */
export type NewPeerBody = {
  readonly name: string;
  readonly groups?: readonly string[];
  /** Service ids (or names). */
  readonly services?: readonly string[];
  readonly expiresAt?: string | null;
  readonly dns?: readonly string[];
  readonly persistentKeepalive?: number;
  readonly tunnel?: TunnelMode;
  readonly keyMode?: KeyMode;
  readonly publicKey?: string;
};

/** What PATCH /wireguard/peers/:id takes: only what changes; null clears. */
export type PeerPatchBody = {
  readonly name?: string;
  readonly groups?: readonly string[];
  readonly expiresAt?: string | null;
  readonly dns?: readonly string[] | null;
  readonly persistentKeepalive?: number | null;
  readonly tunnel?: TunnelMode;
  readonly enabled?: boolean;
};

/** What POST and PATCH /wireguard/services take: `port` is "443" or a range "8000-8100". */
export type ServiceBody = {
  readonly name: string;
  readonly host: string;
  readonly protocol: Protocol;
  readonly port: string;
  readonly webUrl: string | null;
};

/** Where the browser loads a peer's files from (same origin; the session cookie goes along). */
export const peerFileUrl = (id: string, file: 'config' | 'qr.svg' | 'qr.png'): string =>
  `/api/v1/wireguard/peers/${encodeURIComponent(id)}/${file}`;

/** The WireGuard calls over `client`'s session, typed by the server's routes. */
export function connectWireguard(client: GatehouseClient) {
  const { wireguard: wg } = client.connect<WireguardRoutes>();
  return {
    overview: () => expectOk(wg.$get()),
    peers: () => expectOk(wg.peers.$get()).then((b) => b.peers),
    addPeer: (body: NewPeerBody) => expectOk(wg.peers.$post({ json: body })),
    patchPeer: (id: string, body: PeerPatchBody) =>
      expectOk(wg.peers[':id'].$patch({ param: { id }, json: body })),
    deletePeer: async (id: string) => {
      await expectOk(wg.peers[':id'].$delete({ param: { id } }));
    },
    /**
     * Why the QR code is not an image (the server's ApiError, e.g. `wireguard.qr-too-long` with its message), or
     * undefined when it is one. The image route is not in the typed routes: it is asked for by its path.
     */
    qrProblem: async (id: string): Promise<ApiError | undefined> => {
      // A GET needs no CSRF token; the session cookie goes along (same origin).
      const res = await fetch(peerFileUrl(id, 'qr.svg'), { credentials: 'same-origin' }).catch(
        (e: unknown) => {
          throw new ApiError(
            0,
            'network',
            'Cannot reach the Gatehouse server. Check your connection and try again.',
            {
              cause: e,
            },
          );
        },
      );
      if (res.ok) return undefined;
      try {
        await expectOk(Promise.resolve(res as unknown as ClientResponse<null, 200, 'json'>));
        return undefined;
      } catch (e) {
        if (e instanceof ApiError) return e;
        throw e;
      }
    },
    createLink: (id: string, minutes: number) =>
      expectOk(wg.peers[':id'].link.$post({ param: { id }, json: { minutes } })),
    services: () => expectOk(wg.services.$get()).then((b) => b.services),
    addService: (body: ServiceBody) => expectOk(wg.services.$post({ json: body })),
    patchService: (id: string, body: ServiceBody) =>
      expectOk(wg.services[':id'].$patch({ param: { id }, json: body })),
    deleteService: async (id: string) => {
      await expectOk(wg.services[':id'].$delete({ param: { id } }));
    },
    grants: () => expectOk(wg.grants.$get()).then((b) => b.grants),
    /** Replaces the whole matrix at once; answers how many grants changed. */
    putGrants: (grants: readonly Grant[]) =>
      expectOk(wg.grants.$put({ json: { grants } })).then((b) => b.changed),
    plan: () => expectOk(wg.plan.$get()),
    apply: () => expectOk(wg.apply.$post()),
  };
}

export type WireguardApi = ReturnType<typeof connectWireguard>;

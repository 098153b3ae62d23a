/**
 * @module The WireGuard capability's calls (its routes under /api/v1/wireguard, over the app's session) and the
 * shapes they carry, written from the HTTP contract of issue 11. The calls go through the session's RPC client
 * by path, so the CSRF token and the session-lost report are the app's own.
 */
import type { ClientResponse } from 'hono/client';
import { ApiError, expectOk, type GatehouseClient, type Routes } from '../../api.js';

export type KeyMode = 'kept' | 'forget-after-download' | 'own';
export type TunnelMode = 'services' | 'lan' | 'full';
export type Protocol = 'tcp' | 'udp';

export interface PeerStatus {
  readonly online: boolean;
  readonly latestHandshakeAt: string | null;
  readonly endpoint: string | null;
  /** Bytes the box received from the peer (the peer's upload). */
  readonly rxBytes: number;
  /** Bytes the box sent to the peer (the peer's download). */
  readonly txBytes: number;
}

export interface PeerView {
  readonly id: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly publicKey: string;
  readonly keyMode: KeyMode;
  readonly privateKeyAvailable: boolean;
  readonly ipv4: string;
  readonly ipv6: string | null;
  readonly enabled: boolean;
  readonly disabledReason: 'manual' | 'expired' | null;
  readonly expiresAt: string | null;
  readonly dns: readonly string[] | null;
  readonly persistentKeepalive: number | null;
  readonly tunnel: TunnelMode;
  /** Effective grants: direct and through the peer's groups. */
  readonly services: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly configOutdated: boolean;
  readonly outdatedReasons: readonly string[];
  readonly status: PeerStatus | null;
}

export interface NewPeerBody {
  readonly name: string;
  readonly groups?: readonly string[];
  readonly services?: readonly string[];
  readonly expiresAt?: string | null;
  readonly dns?: readonly string[];
  readonly persistentKeepalive?: number;
  readonly tunnel?: TunnelMode;
  readonly keyMode?: KeyMode;
  readonly publicKey?: string;
}

export interface PeerPatchBody {
  readonly name?: string;
  readonly groups?: readonly string[];
  readonly services?: readonly string[];
  readonly expiresAt?: string | null;
  readonly dns?: readonly string[] | null;
  readonly persistentKeepalive?: number | null;
  readonly tunnel?: TunnelMode;
  readonly enabled?: boolean;
}

export interface ServiceView {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly protocol: Protocol;
  readonly portFrom: number;
  readonly portTo: number;
  readonly webUrl: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What POST and PATCH /wireguard/services take: `port` is "443" or a range "8000-8100". */
export interface ServiceBody {
  readonly name: string;
  readonly host: string;
  readonly protocol: Protocol;
  readonly port: string;
  readonly webUrl: string | null;
}

export type GrantSubject =
  { readonly kind: 'peer'; readonly peerId: string } | { readonly kind: 'group'; readonly group: string };

export interface Grant {
  readonly subject: GrantSubject;
  readonly serviceId: string;
}

export interface WireguardOverview {
  readonly interface: {
    readonly name: string;
    readonly listenPort: number;
    readonly publicKey: string | null;
    readonly addresses: readonly string[];
    readonly implementation: 'kernel' | 'userspace' | null;
    readonly running: boolean;
    readonly reason: string | null;
    readonly endpoint: { readonly host: string; readonly port: number } | null;
    readonly lastApply: { readonly at: string; readonly ok: boolean; readonly message: string } | null;
    /** Hand-made changes found on the interface, when it last looked. */
    readonly drift: { readonly at: string; readonly changes: readonly string[] } | null;
  };
  readonly firewall: {
    readonly applied: boolean;
    readonly droppedPackets: number | null;
    readonly lanRanges: readonly string[];
    readonly warnings: readonly string[];
  };
  readonly proof: {
    readonly lastPublicHandshake: {
      readonly at: string;
      readonly peerId: string;
      readonly peerName: string;
      readonly endpoint: string;
    } | null;
  };
}

/** GET /wireguard/plan (a dry run) and POST /wireguard/apply answer the same report. */
export interface Plan {
  readonly ok: boolean;
  readonly message: string;
  readonly device: { readonly changes: readonly string[] };
  readonly firewall: {
    readonly script: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
  };
  readonly warnings: readonly string[];
}

export type ApplyResult = Plan;

export interface OnboardingLink {
  readonly url: string;
  readonly expiresAt: string;
}

/** Where the browser loads a peer's files from (same origin; the session cookie goes along). */
export const peerFileUrl = (id: string, file: 'config' | 'qr.svg' | 'qr.png'): string =>
  `/api/v1/wireguard/peers/${encodeURIComponent(id)}/${file}`;

type CallArgs = {
  readonly param?: Readonly<Record<string, string>>;
  readonly json?: unknown;
};
type Call = (args?: CallArgs) => Promise<ClientResponse<unknown, number>>;
interface Endpoint {
  readonly $get: Call;
  readonly $post: Call;
  readonly $put: Call;
  readonly $patch: Call;
  readonly $delete: Call;
}

/** The RPC client's node for `segments` (the client builds the path from the property names it is asked for). */
function at(root: unknown, segments: readonly string[]): Endpoint {
  return segments.reduce<unknown>((node, s) => (node as Record<string, unknown>)[s], root) as Endpoint;
}

async function ok<T>(pending: Promise<ClientResponse<unknown, number>>): Promise<T> {
  return expectOk(pending as Promise<ClientResponse<T, 200>>);
}

/** A call whose success has no body worth reading (204, or JSON nobody needs); a failure throws its ApiError. */
async function done(pending: Promise<ClientResponse<unknown, number>>): Promise<void> {
  // A success's body is not read (it may be empty or an image); a failure's is, for the server's words.
  await ok<null>(pending.then((res) => (res.ok ? (new Response('null') as unknown as typeof res) : res)));
}

/** The WireGuard calls over `client`'s session. */
export function connectWireguard(client: GatehouseClient) {
  const root: unknown = client.connect<Routes>();
  const wg = (...segments: string[]) => at(root, ['wireguard', ...segments]);
  const peer = (id: string, ...rest: string[]) => ({
    node: at(root, ['wireguard', 'peers', ':id', ...rest]),
    param: { id },
  });
  return {
    overview: () => ok<WireguardOverview>(wg().$get()),
    peers: () => ok<{ peers: PeerView[] }>(wg('peers').$get()).then((b) => b.peers),
    addPeer: (body: NewPeerBody) => ok<PeerView>(wg('peers').$post({ json: body })),
    patchPeer: (id: string, body: PeerPatchBody) => {
      const p = peer(id);
      return ok<PeerView>(p.node.$patch({ param: p.param, json: body }));
    },
    deletePeer: (id: string) => {
      const p = peer(id);
      return done(p.node.$delete({ param: p.param }));
    },
    /**
     * Why the QR code is not an image (the server's ApiError, e.g. `wireguard.qr-too-long` with its message), or
     * undefined when it is one.
     */
    qrProblem: async (id: string): Promise<ApiError | undefined> => {
      const p = peer(id, 'qr.svg');
      try {
        await done(p.node.$get({ param: p.param }));
        return undefined;
      } catch (e) {
        if (e instanceof ApiError) return e;
        throw e;
      }
    },
    createLink: (id: string, minutes: number) => {
      const p = peer(id, 'link');
      return ok<OnboardingLink>(p.node.$post({ param: p.param, json: { minutes } }));
    },
    services: () => ok<{ services: ServiceView[] }>(wg('services').$get()).then((b) => b.services),
    addService: (body: ServiceBody) => ok<ServiceView>(wg('services').$post({ json: body })),
    patchService: (id: string, body: ServiceBody) =>
      ok<ServiceView>(at(root, ['wireguard', 'services', ':id']).$patch({ param: { id }, json: body })),
    deleteService: (id: string) =>
      done(at(root, ['wireguard', 'services', ':id']).$delete({ param: { id } })),
    grants: () => ok<{ grants: Grant[] }>(wg('grants').$get()).then((b) => b.grants),
    /** Replaces the whole matrix at once; answers how many grants changed. */
    putGrants: (grants: readonly Grant[]) =>
      ok<{ changed: number }>(wg('grants').$put({ json: { grants } })).then((b) => b.changed),
    plan: () => ok<Plan>(wg('plan').$get()),
    apply: () => ok<ApplyResult>(wg('apply').$post()),
  };
}

export type WireguardApi = ReturnType<typeof connectWireguard>;

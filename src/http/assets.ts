/** @module StaticAssets port: the built web UI, served from memory by the Hono app. */

export interface Asset {
  readonly body: Uint8Array;
  readonly contentType: string;
  /** Content-hashed file names never change, so browsers may cache them for a year. */
  readonly immutable: boolean;
}

export interface StaticAssets {
  /** The asset at a URL path such as `/assets/index-1a2b3c.js`, or undefined. */
  get(urlPath: string): Asset | undefined;
  /** index.html, served for every UI route (client-side routing); undefined when the UI is not built. */
  readonly index: Asset | undefined;
}

export const noAssets: StaticAssets = { get: () => undefined, index: undefined };

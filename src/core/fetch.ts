/** @module Fetch port: HTTP clients receive this function instead of using the global, so tests inject servers. */

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

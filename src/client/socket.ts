/**
 * @module Opening a WebSocket the same way in browsers, Bun, Deno and Node: the constructor (global
 * or injected), the token (§5: an `Authorization` header where the constructor can send one, else
 * the `mw75.bearer.<token>` subprotocol), and the per-device URL (§6).
 */

/** The part of a WebSocket the SDK uses: the WHATWG API, which the `ws` package implements too. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` and Bun: drop the connection at once, without a closing handshake a dead peer never answers. */
  terminate?: () => void;
}

/**
 * A WebSocket constructor: the global one, or `ws`'s (Node 20 has no global). The rest parameters
 * stay loose on purpose: the three signatures in use differ (`(url, protocols)` in browsers,
 * `(url, {headers, protocols})` in Bun and Deno, `(url, protocols, {headers})` in `ws`).
 */
// deno-lint-ignore no-explicit-any
export type WebSocketConstructorLike = new (url: string, ...rest: any[]) => WebSocketLike;

/** The subprotocol prefix that carries a token (browsers cannot set headers). */
export const BEARER_PROTOCOL = "mw75.bearer.";
const OPEN = 1;

/** How a token travels: a header through one of two constructor signatures, or the subprotocol. */
export type TokenStyle = "options-headers" | "ws-headers" | "subprotocol";

/** The constructor to use: the injected one, else the global; TypeError when there is neither. */
export function webSocketConstructor(
  injected?: WebSocketConstructorLike,
): WebSocketConstructorLike {
  const ctor = injected ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (typeof ctor !== "function") {
    throw new TypeError(
      "Cannot connect: this runtime has no global WebSocket; pass one as options.WebSocket (in Node 20: the ws package's WebSocket)",
    );
  }
  return ctor;
}

/**
 * Which way `ctor` can carry a token. Bun's and Deno's global WebSocket take `{headers}` (told apart
 * by the standard `navigator.userAgent`, no runtime global needed); a constructor with `terminate`
 * otherwise is `ws`'s. Anything else — browsers, unknown ones — gets the subprotocol.
 */
export function tokenStyle(ctor: WebSocketConstructorLike): TokenStyle {
  const g = globalThis as { WebSocket?: unknown; navigator?: { userAgent?: unknown } };
  const agent = typeof g.navigator?.userAgent === "string" ? g.navigator.userAgent : "";
  // Bun's global has terminate() too, so it must be recognised before the ws check
  if (ctor === g.WebSocket && /^(Bun|Deno)\//.test(agent)) return "options-headers";
  if (typeof (ctor.prototype as { terminate?: unknown } | undefined)?.terminate === "function") {
    return "ws-headers";
  }
  return "subprotocol";
}

/** Opens a socket to `url`, presenting `token` (when given) in the given style. */
export function openSocket(
  ctor: WebSocketConstructorLike,
  url: string,
  token: string | undefined,
  style: TokenStyle,
): WebSocketLike {
  if (token === undefined) return new ctor(url);
  const headers = { Authorization: `Bearer ${token}` };
  switch (style) {
    case "options-headers":
      return new ctor(url, { headers });
    case "ws-headers":
      return new ctor(url, undefined, { headers });
    case "subprotocol":
      return new ctor(url, [`${BEARER_PROTOCOL}${token}`]);
  }
}

/** True while `socket` can send. */
export function isOpen(socket: WebSocketLike | null): socket is WebSocketLike {
  return socket !== null && socket.readyState === OPEN;
}

/** Bytes of a binary message (ArrayBuffer, or a view such as `ws`'s Buffer), or null for anything else. */
export function binaryBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return null;
}

/**
 * The socket URL of one device of a bridge (`/devices/<id>/ws`, docs/protocol/bridge-api.md §6). `base` is the
 * bridge's address in any form: `ws://host:port`, `wss://…`, or its `http(s)://` page address.
 */
export function deviceUrl(base: string | URL, deviceId: string): string {
  if (deviceId === "") throw new TypeError("Cannot build a device URL: the device id is empty");
  return new URL(`/devices/${encodeURIComponent(deviceId)}/ws`, socketBase(base)).href;
}

/** `base` with an http(s) scheme turned into ws(s); TypeError for other schemes. */
export function socketBase(base: string | URL): URL {
  const url = new URL(base);
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new TypeError(
      `Cannot connect to "${url.href}": expected a ws:, wss:, http: or https: URL`,
    );
  }
  return url;
}

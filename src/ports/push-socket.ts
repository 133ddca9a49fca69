/** @module The push socket port: an outgoing WebSocket as push mode needs it (src/adapters/push-socket.ts opens one per runtime). */

/** What a push socket reports; `onClose` comes exactly once, also when the connection never opened. */
export interface PushSocketHandlers {
  onOpen(): void;
  /** The connection ended or failed; `detail` says why in words (never the URL's credentials). */
  onClose(detail: string): void;
}

/** One outgoing WebSocket connection. */
export interface PushSocket {
  /**
   * Bytes handed to `send` but not yet written to the network; once the socket is no longer open,
   * the last value read while it was (some runtimes read 0 then, whatever was left unsent).
   */
  bufferedAmount(): number;
  /** Sends one text message; throws when the socket is no longer open. */
  send(text: string): void;
  /**
   * Ends the connection: a normal close, or with `drop` (and for a socket still connecting) at
   * once, without a closing handshake a stalled peer would never complete.
   */
  close(drop?: boolean): void;
}

/**
 * Opens a socket to `url` (ws: or wss:, without userinfo) presenting `headers` in the upgrade
 * request. Never throws: a failure arrives as `onClose`.
 */
export type OpenPushSocket = (
  url: string,
  headers: Readonly<Record<string, string>>,
  handlers: PushSocketHandlers,
) => PushSocket;

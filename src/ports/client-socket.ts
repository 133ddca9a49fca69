/** @module The client socket port: a WebSocket as the server needs it; src/adapters/runtime/ builds one per runtime from hono's WSContext. */

/** One outgoing WebSocket message: text, or a binary frame. */
export type OutMessage = string | Uint8Array;

/** The runtime's socket as the server needs it; adapters build one from hono's WSContext. */
export interface ClientSocket {
  /** Sends one text frame; false when the runtime dropped it (Bun reports this, others never do). */
  send(text: string): boolean;
  /** Sends one binary frame; same contract as `send`. */
  sendBinary(bytes: Uint8Array): boolean;
  /** Bytes accepted by send() but not yet written to the network. */
  bufferedAmount(): number;
  close(code?: number, reason?: string): void;
  /** Optional: runs `fn` with the socket's writes coalesced into one (Bun: ServerWebSocket.cork). */
  batch?(fn: () => void): void;
}

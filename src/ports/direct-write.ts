/** @module A runtime's cheaper write on an accepted node:net socket, for hot paths that send small chunks often. */

/**
 * Hands `bytes` straight to the socket and returns how many the kernel took now (0…length, 0 also when
 * the socket is gone); the caller sends the rest through `socket.write`, which keeps order and 'drain'.
 */
export type DirectWrite = (bytes: Uint8Array) => number;

/**
 * The direct write of `socket` (a node:net Socket), or null when the runtime has none: then the caller
 * uses `socket.write`. Only to be used while the socket's own write queue is empty.
 */
export type DirectWriteOf = (socket: object) => DirectWrite | null;

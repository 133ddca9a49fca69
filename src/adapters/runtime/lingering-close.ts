/**
 * @module Lingering close for node:http servers: a connection closed after a response (a 413 sent
 * on the headers alone, with the body still coming) first drains what the client sends, so that
 * closing does not make the kernel reset the connection and discard the answer the client has not
 * read yet (the reason Apache and nginx linger too).
 */
import type { Socket } from "node:net";

/** How long a closed connection keeps reading and discarding: bounded, so a flooder gains nothing. */
export const LINGER_MS = 2000;

/**
 * Replaces `socket.destroySoon` (what node:http calls to close a connection after its last
 * response) with: finish writing and send FIN, read and drop whatever still arrives, and close once
 * the client closes its side or `LINGER_MS` has passed.
 */
export function lingerOnClose(socket: Socket, lingerMs = LINGER_MS): void {
  socket.destroySoon = () => {
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref?.();
    socket.once("close", () => clearTimeout(timer));
    socket.once("end", () => socket.destroy());
    socket.on("data", () => {}); // drop: the request was answered
    socket.resume();
    if (socket.writable) socket.end();
  };
}

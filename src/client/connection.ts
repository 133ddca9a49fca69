/**
 * @module One logical connection over a series of sockets: opens, notices loss (close, error or
 * liveness), waits by the backoff schedule and opens again. It knows nothing of the protocol
 * beyond `ping`; the client reads the messages.
 */
import { backoffDelay, backoffOptions } from "./backoff.ts";
import type { BackoffOptions } from "./backoff.ts";
import { Liveness } from "./liveness.ts";
import type { LivenessOptions } from "./liveness.ts";
import { binaryBytes, isOpen, openSocket, tokenStyle } from "./socket.ts";
import type { TokenStyle, WebSocketConstructorLike, WebSocketLike } from "./socket.ts";
import type { Timers } from "./timers.ts";

/** Why a socket went away. */
export type CloseCause = "server" | "liveness" | "client";

/** The `close` event: the socket's close code and reason, and when the next attempt starts. */
export interface CloseInfo {
  code: number;
  reason: string;
  cause: CloseCause;
  /** Delay before the next attempt, ms; null when the client will not reconnect. */
  reconnectInMs: number | null;
}

export interface ConnectionOptions {
  url: string;
  WebSocket: WebSocketConstructorLike;
  token: string | undefined;
  tokenVia: "auto" | "subprotocol";
  reconnect: false | BackoffOptions;
  liveness: false | LivenessOptions;
  timers: Timers;
  random: () => number;
}

/** What the connection reports; the client implements it. */
export interface ConnectionSink {
  open(): void;
  text(text: string): void;
  binary(bytes: Uint8Array): void;
  close(info: CloseInfo): void;
  reconnecting(attempt: number, delayMs: number): void;
  problem(error: Error): void;
}

export type ConnectionState = "connecting" | "open" | "waiting" | "closed";

const LIVENESS_CLOSE = 4000; // a private-use code: the peer never sent a close frame
const ignore = () => {};

export class Connection {
  #o: ConnectionOptions;
  #sink: ConnectionSink;
  #style: TokenStyle;
  #backoff: Required<BackoffOptions> | null;
  #liveness: Liveness | null;
  #socket: WebSocketLike | null = null;
  #state: ConnectionState = "connecting";
  /** Attempts since the last healthy connection: the backoff exponent. */
  #failures = 0;
  #retry: unknown = null;
  #giveUp = false;

  constructor(options: ConnectionOptions, sink: ConnectionSink) {
    this.#o = options;
    this.#sink = sink;
    this.#style = options.tokenVia === "subprotocol"
      ? "subprotocol"
      : tokenStyle(options.WebSocket);
    this.#backoff = options.reconnect === false ? null : backoffOptions(options.reconnect);
    this.#liveness = options.liveness === false
      ? null
      : new Liveness(options.timers, options.liveness, () =>
        this.send(JSON.stringify({ id: "liveness", type: "ping", data: {} })), () =>
        this.#dead());
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Opens the first socket; throws (TypeError, SyntaxError) when the URL or token cannot make one. */
  start(): void {
    this.#open(true);
  }

  /** The server accepted this connection as a client (its welcome): the backoff starts again from its base. */
  healthy(): void {
    this.#failures = 0;
  }

  /** The server refused us for good (a bad token): do not reconnect after this socket closes. */
  stopReconnecting(): void {
    this.#giveUp = true;
  }

  /** Sends a text message; false when no socket is open. */
  send(text: string): boolean {
    if (!isOpen(this.#socket)) return false;
    this.#socket.send(text);
    return true;
  }

  /** Ends the connection for good (no close event: the caller knows). */
  close(): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#retry !== null) this.#o.timers.clearTimeout(this.#retry);
    this.#liveness?.stop();
    const socket = this.#detach();
    try {
      socket?.close(1000, "client closed");
    } catch {
      // closing a socket that is still connecting throws in some runtimes; it is abandoned either way
    }
  }

  #open(first: boolean): void {
    this.#retry = null;
    this.#state = "connecting";
    let socket: WebSocketLike;
    try {
      socket = openSocket(this.#o.WebSocket, this.#o.url, this.#o.token, this.#style);
    } catch (e) {
      if (first) throw e;
      this.#sink.problem(e instanceof Error ? e : new Error(String(e)));
      return this.#lost(1006, "the socket could not be created", "server");
    }
    this.#socket = socket;
    socket.binaryType = "arraybuffer";
    // watched from the start: an upgrade that never completes counts as silence too
    this.#liveness?.start();
    // every handler checks it still belongs to the current socket: an abandoned one may fire late
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#state = "open";
      this.#liveness?.seen();
      this.#sink.open();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#liveness?.seen();
      const data = event.data;
      if (typeof data === "string") return this.#sink.text(data);
      const bytes = binaryBytes(data);
      if (bytes !== null) this.#sink.binary(bytes);
      else {this.#sink.problem(
          new TypeError(
            'Ignored a binary message that is not an ArrayBuffer (binaryType "arraybuffer" unsupported?)',
          ),
        );}
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#detach();
      this.#lost(event.code ?? 1006, event.reason ?? "", "server");
    };
    // an error is always followed by a close event, which does the work
    socket.onerror = ignore;
  }

  #dead(): void {
    const socket = this.#detach();
    // a stalled peer never completes a closing handshake: drop the TCP connection where we can
    try {
      if (typeof socket?.terminate === "function") socket.terminate();
      else socket?.close(LIVENESS_CLOSE, "liveness timeout");
    } catch {
      // already closing
    }
    const ms = this.#liveness?.timeoutMs ?? 0;
    this.#lost(LIVENESS_CLOSE, `no message for ${ms} ms`, "liveness");
  }

  /** Forgets the current socket; its handlers stay as no-ops (`ws` throws on an unheard error event). */
  #detach(): WebSocketLike | null {
    const socket = this.#socket;
    this.#socket = null;
    this.#liveness?.stop();
    if (socket !== null) {
      socket.onopen = ignore;
      socket.onmessage = ignore;
      socket.onclose = ignore;
      socket.onerror = ignore;
    }
    return socket;
  }

  #lost(code: number, reason: string, cause: CloseCause): void {
    if (this.#state === "closed") return;
    const delay = this.#backoff === null || this.#giveUp
      ? null
      : backoffDelay(this.#failures++, this.#backoff, this.#o.random);
    this.#state = delay === null ? "closed" : "waiting";
    this.#sink.close({ code, reason, cause, reconnectInMs: delay });
    if (delay === null || this.#state !== "waiting") return;
    this.#sink.reconnecting(this.#failures, delay);
    this.#retry = this.#o.timers.setTimeout(() => this.#open(false), delay);
  }
}

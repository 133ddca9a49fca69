/** @module What a BridgeClient is configured with (ClientOptions, and the part its connection takes) and the events it emits (ClientEventMap). */
import type { BackoffOptions } from "./backoff.ts";
import type { EegBatch } from "./batch.ts";
import type { CloseInfo, ConnectionOptions, ConnectionState } from "./connection.ts";
import type { HeadsetReconnect } from "./headset.ts";
import type { LivenessOptions } from "./liveness.ts";
import { webSocketConstructor } from "./socket.ts";
import type { WebSocketConstructorLike } from "./socket.ts";
import type { DataLoss } from "./streams.ts";
import type { Timers } from "./timers.ts";
import type { Requests } from "./requests.ts";
import type { ServerMessage, ServerMessages, ServerMessageType } from "../protocol/messages.ts";

/** How a client reaches the bridge, how long it waits and how it reconnects. */
export interface ClientOptions {
  /** The WebSocket constructor; default the global one (Node 20 has none: pass `ws`'s). */
  WebSocket?: WebSocketConstructorLike;
  /** A bridge token (§5); sent as a header where the constructor can, else as the subprotocol. */
  token?: string;
  /** `"subprotocol"` forces the subprotocol even where a header would work (default `"auto"`). */
  tokenVia?: "auto" | "subprotocol";
  /**
   * A user of the bridge's auth file (§5.2): `auth {username, password}` is the first message on
   * every socket, reconnections included. Not together with `token`.
   */
  username?: string;
  /** The password of `username`. */
  password?: string;
  /** How long a command waits for its reply, ms (default 10 000). */
  requestTimeoutMs?: number;
  /** Reconnect schedule, or false to stay closed after the first loss (default 1, 2, 4 … 30 s). */
  reconnect?: false | BackoffOptions;
  /** Silence that counts as a dead connection, or false to trust the socket (default 20 s, ping at 10 s). */
  liveness?: false | LivenessOptions;
  /** Keep the base `eeg_data` stream every socket starts with (default true, as the base protocol). */
  eeg?: boolean;
  /** Items a subscription holds for a slow consumer before it drops the oldest (default 10 000). */
  maxQueued?: number;
  /** Clock and timers (tests drive them by hand). */
  timers?: Timers;
  /** Random numbers in [0, 1) for the backoff jitter and request ids (default Math.random). */
  random?: () => number;
}

/** Per server message type: its data and the whole envelope. */
type ServerEventArgs = {
  [K in ServerMessageType]: [data: ServerMessages[K], message: ServerMessage<K>];
};

/** Every event of a client: each server message type, plus the SDK's own (which no server message is named). */
export type ClientEventMap = ServerEventArgs & {
  /** A socket opened (`reconnect`: not the first); the subscriptions are being renewed. */
  open: [info: { reconnect: boolean }];
  close: [info: CloseInfo];
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** After a reconnect the headset this client had connected was idle: `connect` went out again (docs/client-sdk.md). */
  headset_reconnect: [info: HeadsetReconnect];
  /** Samples that will not arrive (see DataLoss). */
  data_loss: [loss: DataLoss];
  /** A binary frame, decoded (before the resume de-duplication the iterator applies). */
  binary: [batch: EegBatch];
  /** Every text message, after its typed event. */
  message: [message: ServerMessage];
  /** A message the SDK could not read (bad JSON, a malformed frame); it was skipped. */
  problem: [error: Error];
};

export type ClientState = ConnectionState;

/** What the connection needs of the options, defaults filled in; TypeError when there is no WebSocket. */
export function connectionOptions(
  url: string,
  o: ClientOptions,
  timers: Timers,
  random: () => number,
): ConnectionOptions {
  return {
    url,
    WebSocket: webSocketConstructor(o.WebSocket),
    token: o.token,
    tokenVia: o.tokenVia ?? "auto",
    reconnect: o.reconnect ?? {},
    liveness: o.liveness ?? {},
    timers,
    random,
  };
}

/**
 * The `username`/`password` options, checked (both or neither, not with `token`), as the step that
 * sends `auth {username, password}` on a new socket (its refusal is handled where AUTH_FAILED is).
 */
export function loginOf(
  o: ClientOptions,
): ((request: Requests["request"], timeoutMs: number) => void) | null {
  if (o.username === undefined && o.password === undefined) return null;
  if (typeof o.username !== "string" || typeof o.password !== "string") {
    throw new TypeError("connect: username and password go together");
  }
  if (o.token !== undefined) {
    throw new TypeError("connect: give either token or username and password, not both");
  }
  const data = { username: o.username, password: o.password };
  return (request, timeoutMs) =>
    void request("auth", data, timeoutMs, { queue: false }).catch(() => {});
}

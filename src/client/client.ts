/**
 * @module `connect(url, options)` → a `BridgeClient`: the bridge's messages as typed events, its
 * commands as promise-returning methods, its streams as async iterators, and a connection that
 * reconnects, resumes and watches its own liveness. Runtime-neutral: only web-standard APIs.
 */
import { batchFromFrame, batchFromJson } from "./batch.ts";
import type { EegBatch } from "./batch.ts";
import type { CommandData, CommandName, CommandReply } from "./commands.ts";
import { CommandMethods } from "./command-methods.ts";
import { Connection } from "./connection.ts";
import type { CloseInfo } from "./connection.ts";
import { Emitter } from "./emitter.ts";
import type { Listener } from "./emitter.ts";
import { HeadsetHold } from "./headset.ts";
import { BridgeClientError } from "./errors.ts";
import { Requests } from "./requests.ts";
import { StatsCounter } from "./stats.ts";
import type { ClientStats } from "./stats.ts";
import { socketBase } from "./socket.ts";
import { Streams } from "./streams.ts";
import type { StreamItems, StreamName, StreamOptions } from "./streams.ts";
import type { Subscription } from "./subscription.ts";
import { systemTimers } from "./timers.ts";
import { parseEnvelope } from "../protocol/messages.ts";
import { connectionOptions, loginOf } from "./options.ts";
import type { ClientEventMap, ClientOptions, ClientState } from "./options.ts";

export type { ClientEventMap, ClientOptions, ClientState } from "./options.ts";
export type { ClientStats } from "./stats.ts";

const DEFAULT_TIMEOUT_MS = 10_000;
const ended = (type: string) =>
  new BridgeClientError("CLIENT_CLOSED", `The client was closed before the reply to ${type}`, {
    command: type,
  });

/** Opens a client to a bridge socket (`ws://host:port/`, `/ws` or `/devices/<id>/ws`; http(s) URLs work too). */
export function connect(url: string | URL, options: ClientOptions = {}): BridgeClient {
  return new BridgeClient(url, options);
}

export class BridgeClient extends CommandMethods {
  readonly url: string;
  #events = new Emitter<ClientEventMap>();
  #conn: Connection;
  #requests: Requests;
  #streams: Streams;
  #headset: HeadsetHold;
  #timeoutMs: number;
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #fatal: BridgeClientError | null = null;
  #stats = new StatsCounter();
  #login: ReturnType<typeof loginOf>;

  constructor(url: string | URL, options: ClientOptions = {}) {
    super();
    this.url = socketBase(url).href;
    this.#login = loginOf(options);
    this.#timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timers = options.timers ?? systemTimers;
    const random = options.random ?? Math.random;
    this.#conn = new Connection(
      connectionOptions(this.url, options, timers, random),
      {
        open: () => this.#opened(),
        text: (text) => this.#text(text),
        binary: (bytes) => this.#binary(bytes),
        close: (info) => this.#closed(info),
        reconnecting: (attempt, delayMs) => this.#events.emit("reconnecting", { attempt, delayMs }),
        problem: (error) => this.#events.emit("problem", error),
      },
    );
    // ids carry a per-client prefix: another client's broadcast reaches us with *its* request id
    const prefix = `${Math.floor(random() * 2 ** 31).toString(36)}-`;
    const send = (text: string) => this.#conn.send(text);
    this.#requests = new Requests(timers, send, prefix, () => this.#stats.error());
    const maxQueued = options.maxQueued ?? 10_000;
    this.#streams = new Streams({
      maxQueued,
      isOpen: () => this.#conn.state === "open",
      send: (type, data, onReply) =>
        this.#requests.request(type, data, this.#timeoutMs, { queue: false, onReply }),
      loss: (loss) => this.#events.emit("data_loss", loss),
    }, options.eeg ?? true);
    this.#headset = new HeadsetHold({
      connect: (data) => this.#requests.request("connect", data, this.#timeoutMs, { queue: false }),
      off: (why) => this.#streams.deviceOff(why),
      reconnected: (info) => this.#events.emit("headset_reconnect", info),
    });
    this.#conn.start();
  }

  /** `connecting`, `open`, `waiting` (for the next attempt) or `closed`. */
  get state(): ClientState {
    return this.#conn.state;
  }

  on<K extends keyof ClientEventMap>(type: K, listener: Listener<ClientEventMap[K]>): () => void {
    return this.#events.on(type, listener);
  }

  once<K extends keyof ClientEventMap>(type: K, listener: Listener<ClientEventMap[K]>): () => void {
    return this.#events.once(type, listener);
  }

  off<K extends keyof ClientEventMap>(type: K, listener: Listener<ClientEventMap[K]>): void {
    this.#events.off(type, listener);
  }

  /** Resolves when a socket is open (now, or at the next open); rejects once the client has ended. */
  opened(): Promise<void> {
    if (this.#conn.state === "open") return Promise.resolve();
    if (this.#conn.state === "closed") return Promise.reject(this.#fatal ?? ended("opened"));
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Sends one command; resolves with its reply's data, rejects with a BridgeClientError. */
  override request<K extends CommandName>(
    type: K,
    data?: CommandData<K>,
    options: { timeoutMs?: number } = {},
  ): Promise<CommandReply<K>> {
    if (this.#conn.state === "closed") return Promise.reject(this.#fatal ?? ended(type));
    const reply = this.#requests.request(type, data, options.timeoutMs ?? this.#timeoutMs);
    this.#headset.sent(type, data, reply);
    return reply as Promise<CommandReply<K>>;
  }

  /**
   * Subscribes to a stream; iterate the result with `for await`. Resubscribed after every
   * reconnect (`eeg_batch` resuming after the last seq delivered); ending the iteration unsubscribes.
   * Subscribing again to the same stream replaces its options and ends the earlier iterator.
   */
  subscribe<S extends StreamName>(
    stream: S,
    options?: StreamOptions[S],
  ): Subscription<StreamItems[S]> {
    if (this.#conn.state === "closed") {
      throw new TypeError(`Cannot subscribe to ${stream}: the client is closed`);
    }
    return this.#streams.subscribe(stream, options ?? {}) as Subscription<StreamItems[S]>;
  }

  /** Ends the stream's subscription (its iterator finishes) and unsubscribes on the bridge. */
  unsubscribe(stream: StreamName): Promise<CommandReply<"unsubscribe">> {
    return this.#streams.unsubscribe(stream) as Promise<CommandReply<"unsubscribe">>;
  }

  /** The reply timeout of commands sent without their own. */
  protected override replyTimeoutMs(): number {
    return this.#timeoutMs;
  }

  /** A snapshot of what this client received and how it fared (docs/client-sdk.md "Statistics"). */
  stats(): ClientStats {
    return this.#stats.snapshot(this.#streams.names());
  }

  /** Closes for good: no reconnect, iterators finish, pending commands reject with CLIENT_CLOSED. */
  close(): void {
    if (this.#conn.state === "closed") return;
    this.#conn.close();
    this.#end(undefined);
  }

  // --- what the connection reports ---

  #opened(): void {
    // the login first (what follows is judged with its role; AUTH_FAILED ends the client, #text),
    // then resubscriptions, then what waited for a socket, then the user's own open handlers
    this.#login?.(this.#requests.request.bind(this.#requests), this.#timeoutMs);
    this.#streams.opened();
    this.#headset.opened();
    this.#requests.flush();
    this.#events.emit("open", { reconnect: this.#stats.opened() > 1 });
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  #text(text: string): void {
    this.#stats.text(text);
    const m = parseEnvelope(text);
    if (m === null) {
      return this.#events.emit(
        "problem",
        new TypeError(`Ignored a message that is not an envelope: ${text.slice(0, 80)}`),
      );
    }
    if (m.type === "status" && "state" in m.data) {
      this.#conn.healthy(); // the welcome: this server takes us
      this.#headset.status(String(m.data.state));
    }
    if (m.type === "error") this.#stats.error();
    if (m.type === "error" && m.data.code === "AUTH_FAILED") {
      // the server closes next (1008); retrying a bad token would only repeat that
      this.#fatal = BridgeClientError.fromServer(m.data);
      this.#conn.stopReconnecting();
    }
    this.#requests.settle(m);
    if (m.type === "eeg_batch") {
      try {
        this.#streams.batch(batchFromJson(m.data));
      } catch (e) {
        this.#events.emit("problem", e as Error);
      }
    } else this.#streams.route(m);
    this.#events.emit(m.type, m.data as never, m as never);
    this.#events.emit("message", m);
  }

  #binary(bytes: Uint8Array): void {
    this.#stats.binary(bytes);
    let batch: EegBatch;
    try {
      batch = batchFromFrame(bytes);
    } catch (e) {
      return this.#events.emit("problem", e as Error);
    }
    this.#streams.batch(batch);
    this.#events.emit("binary", batch);
  }

  #closed(info: CloseInfo): void {
    this.#requests.lost();
    this.#events.emit("close", info);
    if (info.reconnectInMs === null) {
      this.#end(
        this.#fatal ??
          new BridgeClientError(
            "CONNECTION_LOST",
            `The connection closed (${info.code}${
              info.reason === "" ? "" : ` ${info.reason}`
            }) and reconnecting is off`,
          ),
      );
    }
  }

  #end(error: BridgeClientError | undefined): void {
    this.#streams.finishAll(error);
    this.#requests.failAll((type) => error ?? ended(type));
    for (const w of this.#waiters.splice(0)) w.reject(error ?? ended("opened"));
  }
}

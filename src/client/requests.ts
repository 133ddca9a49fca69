/**
 * @module Commands in flight: each gets an id of its own, its reply is the message echoing that id
 * (an `error` rejects), and a timeout rejects too. A command sent while no socket is open waits for
 * the next one, within its timeout.
 */
import { BridgeClientError } from "./errors.ts";
import type { AnyServerMessage } from "../protocol/messages.ts";
import type { Timers } from "./timers.ts";

interface Pending {
  id: string;
  type: string;
  text: string;
  timer: unknown;
  sent: boolean;
  /** Runs synchronously with the reply, before any later message is dispatched (a promise would run after). */
  onReply: ((m: AnyServerMessage) => void) | undefined;
  resolve: (data: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Types that never answer a request even when they carry a known id: another client's `broadcast`
 * keeps *its* request id, and stream messages are not replies.
 */
const NOT_REPLIES: ReadonlySet<string> = new Set([
  "broadcast",
  "eeg_data",
  "eeg_batch",
  "diagnostics",
  "event",
  "heartbeat",
  "log",
]);

/** The SDK's own failure codes that count as failed commands (CLIENT_CLOSED is the app's choice). */
const CLIENT_FAILURES: ReadonlySet<string> = new Set(["TIMEOUT", "CONNECTION_LOST"]);

export interface RequestOptions {
  queue?: boolean;
  onReply?: ((m: AnyServerMessage) => void) | undefined;
}

export class Requests {
  #pending = new Map<string, Pending>();
  #timers: Timers;
  #send: (text: string) => boolean;
  #prefix: string;
  #next = 0;

  #failed: () => void;

  /**
   * `prefix` keeps this client's ids apart from other clients' (their ids reach us on broadcasts);
   * `failed` hears of every command that fails on the client's side (TIMEOUT, CONNECTION_LOST).
   */
  constructor(
    timers: Timers,
    send: (text: string) => boolean,
    prefix: string,
    failed: () => void = () => {},
  ) {
    this.#timers = timers;
    this.#send = send;
    this.#prefix = prefix;
    this.#failed = failed;
  }

  /**
   * Sends `{id, type, data}` now or at the next open (`queue: false`: rejects at once with
   * CONNECTION_LOST when no socket is open); resolves with the reply's `data`.
   */
  request(
    type: string,
    data: unknown,
    timeoutMs: number,
    options: RequestOptions = {},
  ): Promise<unknown> {
    return new Promise((resolve, rejectWith) => {
      // a server's `error` reply is counted where it arrives; here only the SDK's own failures
      const reject = (e: unknown) => {
        if (e instanceof BridgeClientError && CLIENT_FAILURES.has(e.code)) this.#failed();
        rejectWith(e);
      };
      const id = `${this.#prefix}${++this.#next}`;
      const text = JSON.stringify({ id, type, data: data ?? {} });
      const p: Pending = {
        id,
        type,
        text,
        timer: null,
        sent: false,
        onReply: options.onReply,
        resolve,
        reject,
      };
      if (options.queue === false && !this.#send(text)) {
        return reject(
          new BridgeClientError("CONNECTION_LOST", `Cannot send ${type}: no connection`, {
            command: type,
          }),
        );
      }
      p.sent = options.queue === false;
      p.timer = this.#timers.setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new BridgeClientError("TIMEOUT", `No reply to ${type} within ${timeoutMs} ms`, {
            command: type,
          }),
        );
      }, timeoutMs);
      this.#pending.set(id, p);
      if (!p.sent) p.sent = this.#send(text);
    });
  }

  /** Sends what waited for a socket (in the order it was asked). */
  flush(): void {
    for (const p of this.#pending.values()) if (!p.sent) p.sent = this.#send(p.text);
  }

  /** Settles the request `m` answers; true when it was one. */
  settle(m: AnyServerMessage): boolean {
    if (typeof m.id !== "string" || NOT_REPLIES.has(m.type)) return false;
    const p = this.#pending.get(m.id);
    if (p === undefined) return false;
    this.#pending.delete(m.id);
    this.#timers.clearTimeout(p.timer);
    if (m.type === "error") {
      p.reject(BridgeClientError.fromServer(m.data, p.type));
      return true;
    }
    p.onReply?.(m);
    p.resolve(m.data);
    return true;
  }

  /** The socket closed: what was sent on it can no longer be answered. Unsent requests keep waiting. */
  lost(): void {
    for (const p of [...this.#pending.values()]) {
      if (!p.sent) continue;
      this.#fail(
        p,
        new BridgeClientError(
          "CONNECTION_LOST",
          `The connection closed before the reply to ${p.type}`,
          { command: p.type },
        ),
      );
    }
  }

  /** Rejects every request with `error` (the client is closing). */
  failAll(error: (type: string) => BridgeClientError): void {
    for (const p of [...this.#pending.values()]) this.#fail(p, error(p.type));
  }

  #fail(p: Pending, error: BridgeClientError): void {
    this.#pending.delete(p.id);
    this.#timers.clearTimeout(p.timer);
    p.reject(error);
  }
}

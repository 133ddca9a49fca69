/**
 * @module One push target (`--ws-push`, docs/push-mode.md): a WebSocket the bridge opens to a remote
 * server and keeps open, reconnecting 1, 2, 4 … 30 s after a loss; the device's `eeg_data`
 * messages wait in a bounded queue (push/queue.ts) while it is away or while the socket's own
 * buffer is over its high-water mark, and leave oldest first once it takes them again.
 */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { reconnectDelayMs } from "../core/reconnect.ts";
import type { Logger } from "../ports/logger.ts";
import type { OpenPushSocket, PushSocket } from "../ports/push-socket.ts";
import type { WsPushHealth } from "../protocol/health.ts";
import { InFlight } from "./in-flight.ts";
import { PUSH_QUEUE_MESSAGES, PushQueue } from "./queue.ts";
import type { PushTarget } from "./target.ts";

/** What a pusher needs; the numbers have production defaults (tests shorten them). */
export interface PusherOptions {
  open: OpenPushSocket;
  clock: Clock;
  log: Logger;
  /** The first reconnect delay; the n-th is base·2^(n−1), at most 30·base (default 1000 ms). */
  baseMs?: number;
  /** Messages the queue holds (default 5000: 10 s at 500 Hz). */
  queueMessages?: number;
  /**
   * Over this many bytes in the socket's buffer, messages wait in the queue instead (default 64 KiB:
   * ~0.5 s at 500 Hz, which also bounds what a loss can take from the buffer, see `unflushed`).
   */
  highWaterBytes?: number;
  /** A connection not open by then counts as failed (default 10 s). */
  connectTimeoutMs?: number;
  /** While the queue holds messages the socket cannot take yet, it is retried this often (default 50 ms). */
  retryFlushMs?: number;
  /**
   * A connection whose buffer stays over the mark this long is dropped and reopened (default
   * 30 s): a peer that vanished without closing would otherwise hold it until TCP gives up.
   */
  stallMs?: number;
}

/** The remote of one device, connected or on its way back. */
export class Pusher {
  readonly target: PushTarget;
  #o: Required<PusherOptions>;
  #queue: PushQueue;
  #socket: PushSocket | null = null;
  /** The attempt whose events count (events of an abandoned socket are ignored). */
  #attempt: object | null = null;
  #connected = false;
  /** Failed attempts since the last open: the next delay's exponent. */
  #failures = 0;
  /** The outage was logged (its retries go to DEBUG). */
  #reported = false;
  #timer: TimerHandle | null = null;
  #flushTimer: TimerHandle | null = null;
  #closed = false;
  #sent = 0;
  /** Messages the socket took that were maybe still in its buffer when a connection was lost. */
  #unflushed = 0;
  #inFlight = new InFlight();
  /** Since when the socket's buffer has been over the mark (null: it is not). */
  #stalledSince: number | null = null;

  constructor(target: PushTarget, options: PusherOptions) {
    this.target = target;
    this.#o = {
      baseMs: 1000,
      queueMessages: PUSH_QUEUE_MESSAGES,
      highWaterBytes: 64 * 1024,
      connectTimeoutMs: 10_000,
      retryFlushMs: 50,
      stallMs: 30_000,
      ...options,
    };
    this.#queue = new PushQueue(this.#o.queueMessages);
  }

  /** Opens the first connection (the device's messages queue until it is up). */
  start(): void {
    if (this.#attempt === null && !this.#closed) this.#connect();
  }

  /** One block's `eeg_data` messages, in order: sent now, or queued. */
  push(messages: readonly string[]): void {
    if (this.#closed) return;
    for (const message of messages) this.#queue.push(message);
    this.#flush();
  }

  /** The `/health` `ws_push` entry. */
  health(): WsPushHealth {
    return {
      url: this.target.shownUrl,
      device_id: this.target.deviceId,
      connected: this.#connected,
      sent: this.#sent,
      dropped: this.#queue.dropped,
      unflushed: this.#unflushed,
    };
  }

  /** Messages waiting now. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Shutdown: closes the socket, stops every timer, forgets the queue. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    this.#attempt = null;
    this.#connected = false;
    this.#socket?.close();
    this.#socket = null;
    this.#queue.clear();
    this.#inFlight.reset();
  }

  #connect(): void {
    this.#timer = null;
    const attempt = {};
    this.#attempt = attempt;
    const live = () => this.#attempt === attempt;
    this.#socket = this.#o.open(this.target.socketUrl, this.target.headers, {
      onOpen: () => live() && this.#opened(),
      onClose: (detail) => live() && this.#lost(detail),
    });
    // a remote that never answers (a black-holed address) must not stall the retries
    if (live() && !this.#connected) {
      this.#timer = this.#o.clock.setTimeout(() => {
        this.#timer = null;
        if (!live() || this.#connected) return;
        this.#abandon(`no answer within ${this.#o.connectTimeoutMs / 1000} s`);
      }, this.#o.connectTimeoutMs);
    }
  }

  #opened(): void {
    this.#clearTimer();
    this.#connected = true;
    this.#stalledSince = null;
    this.#failures = 0;
    this.#reported = false;
    this.#o.log.log(
      "INFO",
      `Push to ${this.#where()}: connected (${this.#queue.size} queued messages follow)`,
    );
    this.#flush();
  }

  #lost(detail: string): void {
    const was = this.#connected;
    this.#unflushed += this.#inFlight.lost(this.#socket?.bufferedAmount() ?? 0);
    this.#stopTimers();
    this.#attempt = null;
    this.#connected = false;
    this.#socket = null;
    if (this.#closed) return;
    this.#failures++;
    const delay = reconnectDelayMs(this.#failures, this.#o.baseMs);
    const next = `retrying in ${delay / 1000} s, queueing up to ${this.#queue.capacity} messages`;
    if (was) this.#o.log.log("WARNING", `Push to ${this.#where()}: lost (${detail}); ${next}`);
    else if (!this.#reported) {
      this.#o.log.log("WARNING", `Push to ${this.#where()}: cannot connect (${detail}); ${next}`);
    } else {this.#o.log.log(
        "DEBUG",
        `Push to ${this.#where()}: attempt failed (${detail}); ${next}`,
      );}
    this.#reported = true;
    this.#timer = this.#o.clock.setTimeout(() => this.#connect(), delay);
  }

  /** Hands queued messages to the socket, oldest first, while its buffer is below the mark. */
  #flush(): void {
    const socket = this.#socket;
    if (!this.#connected || socket === null) return;
    for (;;) {
      // read often (every block and every send): a closed socket may read 0 (in-flight.ts)
      const buffered = socket.bufferedAmount();
      this.#inFlight.sample(buffered);
      if (this.#queue.size === 0 || buffered > this.#o.highWaterBytes) break;
      const message = this.#queue.peek()!;
      try {
        socket.send(message);
      } catch {
        return; // closing: its close event follows, and the message stays queued
      }
      this.#queue.shift();
      this.#sent++;
      // UTF-16 length ≤ UTF-8 bytes (equal for the ASCII JSON): errs towards more unflushed
      this.#inFlight.sent(message.length);
    }
    if (this.#queue.size === 0) this.#stalledSince = null;
    else if (this.#stalled(socket)) return;
    if (this.#queue.size > 0 && this.#flushTimer === null) {
      this.#flushTimer = this.#o.clock.setTimeout(() => {
        this.#flushTimer = null;
        this.#flush();
      }, this.#o.retryFlushMs);
    }
  }

  /** True when the socket was over the mark for `stallMs` and has been dropped. */
  #stalled(socket: PushSocket): boolean {
    if (socket.bufferedAmount() <= this.#o.highWaterBytes) {
      this.#stalledSince = null;
      return false;
    }
    const now = this.#o.clock.now();
    this.#stalledSince ??= now;
    if (now - this.#stalledSince < this.#o.stallMs) return false;
    this.#abandon(`the server read nothing for ${this.#o.stallMs / 1000} s`);
    return true;
  }

  /** Drops the current socket (its own close event, whenever it comes, is ignored) as lost. */
  #abandon(detail: string): void {
    const socket = this.#socket;
    this.#attempt = null;
    if (socket !== null) this.#inFlight.sample(socket.bufferedAmount()); // before the close zeroes it
    socket?.close(true);
    this.#lost(detail);
  }

  #where(): string {
    return `${this.target.shownUrl} (device ${this.target.deviceId})`;
  }

  #clearTimer(): void {
    if (this.#timer !== null) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #stopTimers(): void {
    this.#clearTimer();
    if (this.#flushTimer !== null) this.#o.clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
  }
}

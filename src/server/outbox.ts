/**
 * @module Bounded per-client send queue driven by the socket's buffered amount: while the socket is
 * backed up, stream data (`eeg_data`, batches, diagnostics) is queued up to a small limit and then
 * shed, a whole message at a time (counted); control messages (status, command_ack, error, …) are
 * always queued in order and never shed.
 */
import type { ClientSocket, OutMessage } from "../ports/client-socket.ts";

/** Queue limits; defaults suit 500 packets/s of ~450-byte messages. */
export interface OutboxLimits {
  /** Above this many buffered bytes the socket counts as backed up. */
  highWaterBytes: number;
  /** Stream messages held while backed up before shedding starts. */
  maxQueuedData: number;
  /** Control messages held while backed up; beyond this the client is hopeless and gets closed. */
  maxQueuedControl: number;
  /**
   * Characters of control messages held while backed up; beyond this the client is closed too.
   * A count alone let a few huge replies (echoed ids, broadcasts) pin hundreds of MB. Characters
   * bound memory (JS strings take 1–2 bytes each) and equal bytes on the wire for ASCII JSON.
   */
  maxQueuedControlChars: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  highWaterBytes: 256 * 1024,
  maxQueuedData: 512,
  maxQueuedControl: 4096,
  maxQueuedControlChars: 1024 * 1024,
};

/** One client's outbound path. */
export class Outbox {
  #socket: ClientSocket;
  #limits: OutboxLimits;
  #now: () => number;
  #queue: OutMessage[] = [];
  #isData: boolean[] = [];
  #queuedAt: number[] = [];
  #head = 0;
  #queuedData = 0;
  #queuedControl = 0;
  #queuedControlChars = 0;
  /** Stream messages this client never got. */
  shed = 0;

  constructor(socket: ClientSocket, limits: OutboxLimits, now: () => number = Date.now) {
    this.#socket = socket;
    this.#limits = limits;
    this.#now = now;
  }

  /** Messages waiting for the socket to drain. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** How long the oldest waiting message has waited (ms); 0 when nothing waits. */
  queueAgeMs(): number {
    return this.pending === 0 ? 0 : this.#now() - this.#queuedAt[this.#head]!;
  }

  /** Bytes the socket holds that have not reached the network yet. */
  bufferedBytes(): number {
    return this.#socket.bufferedAmount();
  }

  /** True when a message would go straight to the socket. */
  get hasRoom(): boolean {
    return this.#head === this.#queue.length &&
      this.#socket.bufferedAmount() <= this.#limits.highWaterBytes;
  }

  /** Hot path: send now when the socket keeps up, else queue a little, else shed. */
  sendData(message: OutMessage): void {
    if (this.hasRoom) {
      if (!this.#write(message)) this.shed++;
      return;
    }
    if (this.#queuedData >= this.#limits.maxQueuedData) {
      this.shed++;
      return;
    }
    this.#push(message, true);
  }

  /**
   * Hot path for one chunk's messages: the buffered amount is read once for the whole batch, so
   * the socket may overshoot the high-water mark by at most one chunk.
   */
  sendDataBatch(messages: readonly OutMessage[]): void {
    if (this.hasRoom) {
      for (let k = 0; k < messages.length; k++) if (!this.#write(messages[k]!)) this.shed++;
      return;
    }
    for (let k = 0; k < messages.length; k++) this.sendData(messages[k]!);
  }

  /** Control messages keep their order and are never shed; false means the queue overflowed. */
  sendControl(text: string): boolean {
    if (this.hasRoom && this.#socket.send(text)) return true;
    this.#push(text, false);
    return this.#queuedControl <= this.#limits.maxQueuedControl &&
      this.#queuedControlChars <= this.#limits.maxQueuedControlChars;
  }

  /** Moves queued messages to the socket while it has room; returns the number still pending. */
  drain(): number {
    const queue = this.#queue;
    while (
      this.#head < queue.length && this.#socket.bufferedAmount() <= this.#limits.highWaterBytes
    ) {
      const data = this.#isData[this.#head]!;
      const message = queue[this.#head]!;
      if (!this.#write(message)) {
        if (!data) break; // the runtime refused a control message: keep it and retry later
        this.shed++;
      }
      if (data) this.#queuedData--;
      else {
        this.#queuedControl--;
        this.#queuedControlChars -= sizeOf(message);
      }
      this.#head++;
    }
    if (this.#head === queue.length) {
      this.#queue = [];
      this.#isData = [];
      this.#queuedAt = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#queue = queue.slice(this.#head);
      this.#isData = this.#isData.slice(this.#head);
      this.#queuedAt = this.#queuedAt.slice(this.#head);
      this.#head = 0;
    }
    return this.pending;
  }

  #write(message: OutMessage): boolean {
    return typeof message === "string"
      ? this.#socket.send(message)
      : this.#socket.sendBinary(message);
  }

  #push(message: OutMessage, data: boolean): void {
    this.#queue.push(message);
    this.#isData.push(data);
    this.#queuedAt.push(this.#now());
    if (data) this.#queuedData++;
    else {
      this.#queuedControl++;
      this.#queuedControlChars += sizeOf(message);
    }
  }
}

/** Characters of a text, bytes of a frame: what a queued message holds in memory, near enough. */
function sizeOf(message: OutMessage): number {
  return typeof message === "string" ? message.length : message.byteLength;
}

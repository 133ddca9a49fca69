/**
 * @module Bounded per-client send queue driven by the socket's buffered amount: while the socket is
 * backed up, `eeg_data` is queued up to a small limit and then shed (counted); control messages
 * (status, command_ack, error, …) are always queued in order and never shed.
 */

/** The runtime's socket as the server needs it; adapters build one from hono's WSContext. */
export interface ClientSocket {
  /** Sends one text frame; false when the runtime dropped it (Bun reports this, others never do). */
  send(text: string): boolean;
  /** Bytes accepted by send() but not yet written to the network. */
  bufferedAmount(): number;
  close(code?: number, reason?: string): void;
  /** Optional: runs `fn` with the socket's writes coalesced into one (Bun: ServerWebSocket.cork). */
  batch?(fn: () => void): void;
}

/** Queue limits; defaults suit 500 packets/s of ~450-byte messages. */
export interface OutboxLimits {
  /** Above this many buffered bytes the socket counts as backed up. */
  highWaterBytes: number;
  /** eeg_data messages held while backed up before shedding starts. */
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
  #texts: string[] = [];
  #isData: boolean[] = [];
  #head = 0;
  #queuedData = 0;
  #queuedControl = 0;
  #queuedControlChars = 0;
  /** eeg_data messages this client never got. */
  shed = 0;

  constructor(socket: ClientSocket, limits: OutboxLimits) {
    this.#socket = socket;
    this.#limits = limits;
  }

  /** Messages waiting for the socket to drain. */
  get pending(): number {
    return this.#texts.length - this.#head;
  }

  /** Hot path: send now when the socket keeps up, else queue a little, else shed. */
  sendData(text: string): void {
    if (this.#head === this.#texts.length && this.#socket.bufferedAmount() <= this.#limits.highWaterBytes) {
      if (!this.#socket.send(text)) this.shed++;
      return;
    }
    if (this.#queuedData >= this.#limits.maxQueuedData) {
      this.shed++;
      return;
    }
    this.#push(text, true);
  }

  /**
   * Hot path for one chunk's packets: the buffered amount is read once for the whole batch, so the
   * socket may overshoot the high-water mark by at most one chunk.
   */
  sendDataBatch(texts: readonly string[]): void {
    if (this.#head === this.#texts.length && this.#socket.bufferedAmount() <= this.#limits.highWaterBytes) {
      const socket = this.#socket;
      for (let k = 0; k < texts.length; k++) if (!socket.send(texts[k]!)) this.shed++;
      return;
    }
    for (let k = 0; k < texts.length; k++) this.sendData(texts[k]!);
  }

  /** Control messages keep their order and are never shed; false means the queue overflowed. */
  sendControl(text: string): boolean {
    if (this.#head === this.#texts.length && this.#socket.bufferedAmount() <= this.#limits.highWaterBytes) {
      if (this.#socket.send(text)) return true;
    }
    this.#push(text, false);
    return this.#queuedControl <= this.#limits.maxQueuedControl && this.#queuedControlChars <= this.#limits.maxQueuedControlChars;
  }

  /** Moves queued messages to the socket while it has room; returns the number still pending. */
  drain(): number {
    const texts = this.#texts;
    while (this.#head < texts.length && this.#socket.bufferedAmount() <= this.#limits.highWaterBytes) {
      const data = this.#isData[this.#head]!;
      if (!this.#socket.send(texts[this.#head]!)) {
        if (!data) break; // the runtime refused a control message: keep it and retry later
        this.shed++;
      }
      if (data) this.#queuedData--;
      else {
        this.#queuedControl--;
        this.#queuedControlChars -= texts[this.#head]!.length;
      }
      this.#head++;
    }
    if (this.#head === texts.length) {
      this.#texts = [];
      this.#isData = [];
      this.#head = 0;
    } else if (this.#head > 1024) {
      this.#texts = texts.slice(this.#head);
      this.#isData = this.#isData.slice(this.#head);
      this.#head = 0;
    }
    return this.pending;
  }

  #push(text: string, data: boolean): void {
    this.#texts.push(text);
    this.#isData.push(data);
    if (data) this.#queuedData++;
    else {
      this.#queuedControl++;
      this.#queuedControlChars += text.length;
    }
  }
}

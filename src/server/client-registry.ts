/** @module The set of connected WebSocket clients: admission, per-client heartbeat, fan-out and queue draining. */
import type { Clock, TimerHandle } from "../core/clock.ts";
import { Outbox } from "./outbox.ts";
import type { ClientSocket, OutMessage } from "../ports/client-socket.ts";
import type { OutboxLimits } from "./outbox.ts";
import type { Principal } from "./access/principal.ts";
import { OPEN_ACCESS } from "./access/principal.ts";

/** One connected client. */
export interface Client {
  readonly id: number;
  /** Who it is (the access gate may change it once, on a successful `auth`). */
  principal: Principal;
  /** `ip:port` of the peer (the `from` of broadcasts). */
  readonly remote: string;
  /** The device id its messages carry (a `/devices/<id>/ws` socket), or null on `/` and `/ws`. */
  readonly deviceId: string | null;
  readonly outbox: Outbox;
  readonly socket: ClientSocket;
  heartbeat: TimerHandle | null;
  open: boolean;
}

/** Client registry settings. */
export interface ClientRegistryOptions {
  clock: Clock;
  /** 1 = the documented single-client policy; more = controller/observer rules. */
  maxClients: number;
  /** The initial heartbeat period (`setHeartbeatMs` changes it). */
  heartbeatMs: number;
  limits: OutboxLimits;
  /** Builds a client's heartbeat message (called per tick). */
  heartbeat(): string;
  /** Told when a client's control queue overflowed and it was closed. */
  onOverflow(client: Client): void;
}

const DRAIN_EVERY_MS = 5;
/** Close code for a client that is rejected (server full) or cannot keep up. */
export const CLOSE_TRY_AGAIN = 1013;

/** Client registry. Sends never throw: a failing socket is closed and reported through `onOverflow`. */
export class ClientRegistry {
  #o: ClientRegistryOptions;
  #clients: Client[] = [];
  #nextId = 1;
  #drainTimer: TimerHandle | null = null;
  /** eeg_data shed for clients that already left (so /health keeps the total). */
  #shedGone = 0;
  #heartbeatMs: number;

  constructor(options: ClientRegistryOptions) {
    this.#o = options;
    this.#heartbeatMs = options.heartbeatMs;
  }

  /** The heartbeat period of every client (the `heartbeat_s` setting). */
  get heartbeatMs(): number {
    return this.#heartbeatMs;
  }

  /** Changes every client's heartbeat period at once: each next beat comes one new period from now. */
  setHeartbeatMs(ms: number): void {
    if (!(ms > 0)) {
      throw new RangeError(`Invalid heartbeat period "${ms}": expected a positive number of ms`);
    }
    this.#heartbeatMs = ms;
    for (const client of this.#clients) {
      if (client.heartbeat === null) continue;
      this.#o.clock.clearInterval(client.heartbeat);
      client.heartbeat = this.#startHeartbeat(client);
    }
  }

  get size(): number {
    return this.#clients.length;
  }
  get clients(): readonly Client[] {
    return this.#clients;
  }
  get isFull(): boolean {
    return this.#clients.length >= this.#o.maxClients;
  }
  /** Stream messages shed since start, over all clients. */
  get totalShed(): number {
    let n = this.#shedGone;
    for (const c of this.#clients) n += c.outbox.shed;
    return n;
  }

  /** Registers a socket; the caller checked `isFull`. Starts its heartbeat (first tick one period later). */
  add(
    socket: ClientSocket,
    remote: string,
    principal: Principal = OPEN_ACCESS,
    deviceId: string | null = null,
  ): Client {
    const client: Client = {
      id: this.#nextId++,
      principal: { ...principal },
      remote,
      deviceId,
      socket,
      outbox: new Outbox(socket, this.#o.limits, this.#o.clock.now),
      heartbeat: null,
      open: true,
    };
    client.heartbeat = this.#startHeartbeat(client);
    this.#clients.push(client);
    return client;
  }

  #startHeartbeat(client: Client): TimerHandle {
    return this.#o.clock.setInterval(
      () => this.send(client, this.#o.heartbeat()),
      this.#heartbeatMs,
    );
  }

  /** Forgets a client (idempotent); returns true when it was registered. */
  remove(client: Client): boolean {
    const i = this.#clients.indexOf(client);
    client.open = false;
    if (client.heartbeat !== null) this.#o.clock.clearInterval(client.heartbeat);
    client.heartbeat = null;
    if (i < 0) return false;
    this.#clients.splice(i, 1);
    this.#shedGone += client.outbox.shed;
    return true;
  }

  /** A control message to one client. */
  send(client: Client, text: string): void {
    if (!client.open) return;
    let ok: boolean;
    try {
      ok = client.outbox.sendControl(text);
    } catch {
      ok = false; // the socket died under us
    }
    if (!ok) {
      this.#overflow(client);
      return;
    }
    if (client.outbox.pending > 0) this.#scheduleDrain();
  }

  /** A control message to every client (except `skip`). */
  broadcast(text: string, skip?: Client): void {
    this.broadcastTo(text, (client) => client !== skip);
  }

  /** A control message to the clients `to` accepts. */
  broadcastTo(text: string, to: (client: Client) => boolean): void {
    for (const client of this.#clients.slice()) {
      if (to(client)) this.send(client, text);
    }
  }

  /**
   * Hot path: the same stream messages (one chunk's `eeg_data`, one batch) to each of `clients`,
   * shed per client when it lags.
   */
  sendDataTo(clients: Iterable<Client>, messages: readonly OutMessage[]): void {
    let backlog = false;
    for (const client of clients) {
      if (!client.open) continue;
      const outbox = client.outbox;
      try {
        // one write for the whole chunk where the runtime can coalesce (Bun's cork); a single
        // message (a batch) is one write anyway, and skips the cork's callback
        const socket = client.socket;
        if (socket.batch !== undefined && messages.length > 1) {
          socket.batch(() => outbox.sendDataBatch(messages));
        } else outbox.sendDataBatch(messages);
      } catch {
        outbox.shed++;
      }
      if (outbox.pending > 0) backlog = true;
    }
    if (backlog) this.#scheduleDrain();
  }

  /** Keeps draining `client`'s queue from the timer (after a caller queued something itself). */
  watch(client: Client): void {
    if (client.outbox.pending > 0) this.#scheduleDrain();
  }

  #overflow(client: Client): void {
    this.remove(client);
    try {
      client.socket.close(CLOSE_TRY_AGAIN, "client too slow");
    } catch {
      /* already gone */
    }
    this.#o.onOverflow(client);
  }

  #scheduleDrain(): void {
    if (this.#drainTimer !== null) return;
    this.#drainTimer = this.#o.clock.setInterval(() => {
      let pending = 0;
      for (const client of this.#clients) {
        try {
          pending += client.outbox.drain();
        } catch {
          /* closed socket: its close event removes it */
        }
      }
      if (pending === 0 && this.#drainTimer !== null) {
        this.#o.clock.clearInterval(this.#drainTimer);
        this.#drainTimer = null;
      }
    }, DRAIN_EVERY_MS);
  }

  /** Stops timers (shutdown). */
  stop(): void {
    for (const client of this.#clients) {
      if (client.heartbeat !== null) this.#o.clock.clearInterval(client.heartbeat);
      client.heartbeat = null;
    }
    if (this.#drainTimer !== null) this.#o.clock.clearInterval(this.#drainTimer);
    this.#drainTimer = null;
  }
}

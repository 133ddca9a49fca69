/** @module The continuous resolver (docs/protocol/lsl-wire.md §2, §8): query waves to the scope and known peers; replies by uid. */
import { isPortUnreachable } from "../port-unreachable.ts";
import type dgram from "node:dgram";
import type { Clock, TimerHandle } from "../../core/clock.ts";
import type { Logger } from "../../ports/logger.ts";
import {
  BASE_PORT,
  DISCOVERY_PORT,
  PORT_RANGE,
  type Scope,
  scopeTargets,
  scopeTtl,
} from "../wire/constants.ts";
import {
  parseShortinfoReply,
  queryIdOf,
  sessionQuery,
  shortinfoQuery,
} from "../wire/resolve-datagrams.ts";
import type { StreamInfo } from "../wire/stream-info.ts";
import { bindUdp, closeUdp, OnceSet } from "./udp.ts";

/** Waves start this often without known peers (liblsl ContinuousResolveInterval). */
export const WAVE_MS = 500;
/** With known peers: the peer sweep follows the multicast part by 0.5 s, the next wave 1.25 s after the start. */
export const PEER_DELAY_MS = 500;
export const PEER_WAVE_MS = 1250;

const LOCALHOST = "127.0.0.1";

/** Streams remembered at most; a flood of fake replies evicts the longest-silent one. */
export const MAX_STREAMS = 256;

/** A stream seen by the resolver: its info and when (clock ms) a reply last named it. */
export interface Resolved {
  readonly info: StreamInfo;
  readonly lastSeenMs: number;
}

export interface ResolverOptions {
  readonly query: string;
  readonly scope: Scope;
  readonly sessionId: string;
  readonly knownPeers: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  /** Each reply that parsed (also repeats of a known uid). */
  readonly onReply?: (found: Resolved) => void;
}

/** Sends query waves until closed; `streams()` holds what answered. */
export class Resolver {
  readonly #streams = new Map<string, Resolved>();
  readonly #logged = new OnceSet();
  readonly #text: Uint8Array;
  readonly #queryId: string;
  /** Hosts whose service ports are swept: the known peers, and this machine in machine scope. */
  readonly #peers: readonly string[];
  #timers: TimerHandle[] = [];
  #closed = false;
  /** Datagrams whose send failed (ENETUNREACH for broadcast without a route, …). */
  sendErrors = 0;
  /** Datagrams sent. */
  sent = 0;

  private constructor(readonly o: ResolverOptions, readonly socket: dgram.Socket) {
    const query = sessionQuery(o.sessionId, o.query);
    // Linux hands a unicast to 127.0.0.1:16571 to the newest SO_REUSEADDR socket only, so other
    // processes' responders never see it; their service ports (each unique) always answer
    this.#peers = [...new Set([...o.knownPeers, ...(o.scope === "machine" ? [LOCALHOST] : [])])];
    this.#queryId = queryIdOf(query);
    this.#text = new TextEncoder().encode(
      shortinfoQuery(query, socket.address().port, this.#queryId),
    );
    socket.on("message", (data, rinfo) => this.#reply(data, rinfo.address));
    socket.on("error", (e) => {
      // a swept known-peer port with no outlet answers "port unreachable": expected, not a problem
      if (!isPortUnreachable(e)) {
        this.#problem(`socket: ${e.message}`, `socket ${(e as { code?: string }).code}`);
      }
    });
    try {
      socket.setBroadcast(true);
      socket.setMulticastTTL(scopeTtl(o.scope));
    } catch (e) {
      this.#problem(`socket options: ${(e as Error).message}`);
    }
    this.#wave();
  }

  /** Binds the reply socket (in 16572…16603 if one is free) and starts the first wave at once. */
  static async start(o: ResolverOptions): Promise<Resolver> {
    return new Resolver(o, await bindUdp(true));
  }

  /** Every stream that has answered, by uid. */
  streams(): ReadonlyMap<string, Resolved> {
    return this.#streams;
  }

  /** Stops the waves and closes the socket. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) this.o.clock.clearTimeout(t);
    this.#timers = [];
    await closeUdp(this.socket);
  }

  #later(fn: () => void, ms: number): void {
    const handle = this.o.clock.setTimeout(() => {
      this.#timers = this.#timers.filter((t) => t !== handle);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.push(handle);
  }

  #wave(): void {
    for (const address of scopeTargets(this.o.scope)) this.#send(address, DISCOVERY_PORT);
    if (this.#peers.length === 0) {
      this.#later(() => this.#wave(), WAVE_MS);
      return;
    }
    this.#later(() => {
      for (const peer of this.#peers) {
        for (let port = BASE_PORT; port < BASE_PORT + PORT_RANGE; port++) this.#send(peer, port);
      }
    }, PEER_DELAY_MS);
    this.#later(() => this.#wave(), PEER_WAVE_MS);
  }

  #send(address: string, port: number): void {
    this.sent++;
    try {
      this.socket.send(this.#text, port, address, (e) => {
        if (e) this.#sendFailed(address, e);
      });
    } catch (e) {
      this.#sendFailed(address, e as Error);
    }
  }

  #sendFailed(address: string, e: Error): void {
    this.sendErrors++;
    const code = (e as { code?: string }).code ?? e.message;
    if (this.#logged.first(`send ${address} ${code}`)) {
      this.o.log.log(
        "DEBUG",
        `LSL resolver: cannot send to ${address} (${code}); counted, not retried`,
      );
    }
  }

  #reply(data: Uint8Array, from: string): void {
    const result = parseShortinfoReply(data, this.#queryId, from);
    if (!result.ok) {
      if (result.problem === "malformed") {
        // keyed by sender, not detail: a sender varying its garbage must not flood the log
        this.#problem(`bad reply from ${from}: ${result.detail}`, `bad reply ${from}`);
      }
      return;
    }
    const found: Resolved = { info: result.info, lastSeenMs: this.o.clock.now() };
    if (!this.#streams.has(result.info.uid) && this.#streams.size >= MAX_STREAMS) {
      this.#forgetOldest();
    }
    this.#streams.set(result.info.uid, found);
    this.o.onReply?.(found);
  }

  #forgetOldest(): void {
    let oldest: Resolved | undefined;
    for (const r of this.#streams.values()) {
      if (oldest === undefined || r.lastSeenMs < oldest.lastSeenMs) oldest = r;
    }
    if (oldest !== undefined) this.#streams.delete(oldest.info.uid);
  }

  #problem(message: string, key = message): void {
    if (this.#logged.first(key)) this.o.log.log("WARNING", `LSL resolver: ${message}`);
  }
}

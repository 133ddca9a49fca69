/** @module Answers discovery datagrams (responder and service sockets share it): query cache, counters, safe sends. */
import { isPortUnreachable } from "../port-unreachable.ts";
import type dgram from "node:dgram";
import type { XmlElement } from "../wire/stream-info.ts";
import { type CompiledQuery, compileQuery, MAX_QUERY_LENGTH, QueryError } from "../wire/query.ts";
import { parseDiscoveryDatagram, shortinfoReply } from "../wire/discovery-server.ts";
import type { OnceLog } from "./once-log.ts";

/** What the responder needs of an open outlet. */
export interface Discoverable {
  readonly tree: XmlElement;
  readonly shortinfo: string;
}

/** The counters `/health` shows (snake_case as they go out). */
export interface DiscoveryFigures {
  queries: number;
  replies: number;
  malformed: number;
  unsupported: number;
  send_failures: number;
}

/** Compiled queries kept; resolvers repeat a handful of texts, so eviction is rare. */
const CACHE_SIZE = 256;

/** A time probe's handler: only service sockets answer them. */
export type TimeProbe = (waveId: number, t0Text: string, rinfo: dgram.RemoteInfo) => void;

export class Discovery {
  readonly figures: DiscoveryFigures = {
    queries: 0,
    replies: 0,
    malformed: 0,
    unsupported: 0,
    send_failures: 0,
  };
  private readonly cache = new Map<string, CompiledQuery | null>();

  constructor(private readonly log: OnceLog) {}

  /** Entries in the query cache (for tests: it stays bounded in count and key size). */
  get cacheSize(): number {
    return this.cache.size;
  }

  /** The compiled query, or null when it uses syntax outside the subset (logged once per construct). */
  compiled(text: string): CompiledQuery | null {
    const cached = this.cache.get(text);
    if (cached !== undefined) return cached;
    let query: CompiledQuery | null;
    try {
      query = compileQuery(text);
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      query = null;
      // keyed by the construct: distinct texts with the same flaw are one problem
      this.log.noise(
        `query:${e.construct}`,
        "WARNING",
        `LSL: ignoring a resolve query with ${e.construct.slice(0, 100)}: ${text.slice(0, 200)}`,
      );
    }
    // an oversize text is refused without parsing on every arrival; caching it would cost its size
    if (text.length > MAX_QUERY_LENGTH) return query;
    if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(text, query);
    return query;
  }

  /** True when `outlet` matches `text`; an unsupported query matches nothing. */
  matches(text: string, outlet: Discoverable): boolean {
    const query = this.compiled(text);
    if (query === null) {
      this.figures.unsupported++;
      return false;
    }
    return query(outlet.tree);
  }

  /**
   * One datagram: a shortinfo query is answered for every matching outlet, a time probe goes to `time`.
   * Never throws: it runs in a socket's 'message' handler, where an exception would end the process.
   */
  handle(
    socket: dgram.Socket,
    msg: Uint8Array,
    rinfo: dgram.RemoteInfo,
    outlets: Iterable<Discoverable>,
    time: TimeProbe | null,
  ): void {
    try {
      this.answer(socket, msg, rinfo, outlets, time);
    } catch (e) {
      this.figures.malformed++;
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      this.log.noise(
        `failed:${what}`,
        "WARNING",
        `LSL: dropped a datagram whose handling failed (${what})`,
      );
    }
  }

  private answer(
    socket: dgram.Socket,
    msg: Uint8Array,
    rinfo: dgram.RemoteInfo,
    outlets: Iterable<Discoverable>,
    time: TimeProbe | null,
  ): void {
    const request = parseDiscoveryDatagram(msg);
    if (request.kind === "malformed") {
      this.figures.malformed++;
      this.log.noise(
        `malformed:${request.reason}`,
        "DEBUG",
        `LSL: ignoring a malformed datagram (${request.reason})`,
      );
      return;
    }
    if (request.kind === "timedata") {
      time?.(request.waveId, request.t0Text, rinfo);
      return;
    }
    this.figures.queries++;
    const query = this.compiled(request.query);
    if (query === null) {
      this.figures.unsupported++;
      return;
    }
    for (const outlet of outlets) {
      if (!query(outlet.tree)) continue;
      // the reply goes to the sender's address at its return port, not to the query's source port (§2)
      if (
        this.send(
          socket,
          shortinfoReply(request.queryId, outlet.shortinfo),
          request.returnPort,
          rinfo.address,
        )
      ) {
        this.figures.replies++;
      }
    }
  }

  /** Sends without ever throwing; failures are counted and logged once per error code. */
  send(socket: dgram.Socket, text: string, port: number, address: string): boolean {
    // a multicast datagram sent on loopback may show the wildcard as its source
    const to = address === "0.0.0.0" ? "127.0.0.1" : address;
    const failed = (e: unknown): void => {
      this.figures.send_failures++;
      const code = (e as { code?: string }).code ?? String(e);
      if (isPortUnreachable(e)) return; // the inlet closed its reply socket: counted only
      this.log.once(
        `send:${code}`,
        "WARNING",
        `LSL: a discovery reply could not be sent (${code})`,
      );
    };
    try {
      socket.send(text, port, to, (e) => {
        if (e) failed(e);
      });
      return true;
    } catch (e) {
      failed(e);
      return false;
    }
  }
}

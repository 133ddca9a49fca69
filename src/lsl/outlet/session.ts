/** @module One TCP connection to an outlet's data port: read the request (bounded in size and time), then answer it (§4). */
import type net from "node:net";
import type { Clock } from "../../core/clock.ts";
import { negotiate, parseFeedRequest, type Refusal, refuseLegacy } from "../wire/feed-request.ts";
import type { ChannelFormat } from "../wire/stream-info.ts";
import type { OnceLog } from "./once-log.ts";

/** A request is a few hundred bytes; a larger one is not LSL. */
export const MAX_REQUEST_BYTES = 16 * 1024;
/** A client that has not finished its request by then is dropped. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** Counters of the data ports (snake_case as they go out). */
export interface SessionFigures {
  sessions: number;
  refused: number;
  oversize: number;
  timed_out: number;
  /** Requests whose handling threw (a bug or hostile input): the connection was dropped. */
  malformed: number;
}

/** What a session needs of its outlet. */
export interface SessionHost {
  readonly uid: string;
  readonly format: ChannelFormat;
  readonly fullinfo: string;
  readonly shortinfo: string;
  readonly testPatterns: Uint8Array;
  readonly clock: Clock;
  readonly log: OnceLog;
  readonly figures: SessionFigures;
  matches(query: string): boolean;
  /** Registers a feed consumer on `socket` after its head went out; null: no bound from the client. */
  addConsumer(socket: net.Socket, maxBufferLength: number | null): void;
}

const decoder = new TextDecoder();

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function serveSession(socket: net.Socket, host: SessionHost): void {
  host.figures.sessions++;
  const parts: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const timer = host.clock.setTimeout(() => {
    if (done) return;
    done = true;
    host.figures.timed_out++;
    socket.destroy();
  }, REQUEST_TIMEOUT_MS);
  const finish = (): void => {
    done = true;
    host.clock.clearTimeout(timer);
  };
  socket.on("close", finish);
  socket.on("data", (data: Uint8Array) => {
    // after the request the client has nothing to say; further bytes are read and ignored
    if (done) return;
    try {
      receive(data);
    } catch (e) {
      // thrown in a socket's 'data' handler, it would end the process: drop this client only
      finish();
      host.figures.malformed++;
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      host.log.noise(
        `session:${what}`,
        "WARNING",
        `LSL: dropped a data-port connection whose request failed (${what})`,
      );
      socket.destroy();
    }
  });
  const receive = (data: Uint8Array): void => {
    parts.push(data);
    size += data.length;
    if (size > MAX_REQUEST_BYTES) {
      finish();
      host.figures.oversize++;
      host.log.noise(
        "oversize",
        "DEBUG",
        "LSL: closed a data-port connection whose request was over 16 KB",
      );
      socket.destroy();
      return;
    }
    // a request can only complete with a line end: a byte-at-a-time sender costs no re-parsing
    if (!data.includes(0x0a)) return;
    const request = parseFeedRequest(decoder.decode(concat(parts, size)));
    if (request === null) return;
    finish();
    parts.length = 0;
    switch (request.kind) {
      case "fullinfo":
        socket.end(host.fullinfo);
        return;
      case "shortinfo":
        // the client reads to EOF; no match is told by an empty answer
        if (host.matches(request.query)) socket.end(host.shortinfo);
        else socket.end();
        return;
      case "legacy-feed":
        refuse(socket, host, refuseLegacy());
        return;
      case "unknown":
        // liblsl answers nothing to a method it does not know and lets the connection go
        host.figures.refused++;
        socket.destroy();
        return;
      case "streamfeed": {
        const outcome = negotiate(request, { format: host.format, uid: host.uid });
        if (!outcome.ok) return refuse(socket, host, outcome);
        socket.write(outcome.head);
        socket.write(host.testPatterns);
        // Max-Buffer-Length 0: the header and test patterns only (§4)
        if (outcome.maxBufferLength !== 0) host.addConsumer(socket, outcome.maxBufferLength);
      }
    }
  };
}

function refuse(socket: net.Socket, host: SessionHost, outcome: Refusal): void {
  host.figures.refused++;
  host.log.noise(
    `refused:${outcome.reason}`,
    "INFO",
    `LSL: refused a stream feed (${outcome.reason}): ${outcome.status.trim()}`,
  );
  socket.end(outcome.status);
}

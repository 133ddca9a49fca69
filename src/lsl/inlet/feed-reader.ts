/** @module One stream feed over TCP (docs/protocol/lsl-wire.md §4, §5): request, head, test patterns, samples; its end reported once. */
import net from "node:net";
import type { Clock } from "../../core/clock.ts";
import { feedRequest, headEnd, MAX_HEAD_BYTES, parseFeedHead } from "../wire/feed-client.ts";
import { FeedDecoder, FeedError, type FeedSample } from "../wire/feed-decode.ts";
import type { StreamInfo } from "../wire/stream-info.ts";

/** Give up a connection attempt (or a head) that has not completed in this long. */
export const CONNECT_TIMEOUT_MS = 5000;

/** How a feed ended: stream gone (404 / other uid), lost (3xx), refused (protocol error), or closed. */
export type FeedEnd =
  | { readonly kind: "gone" | "lost" | "refused" | "closed"; readonly detail: string }
  | { readonly kind: "stopped"; readonly detail: "" };

export interface FeedOptions {
  readonly info: StreamInfo;
  readonly hostname: string;
  readonly sessionId: string;
  readonly clock: Clock;
  /** The head was accepted and both test patterns matched: the feed is live. */
  readonly onOpen: () => void;
  readonly onSamples: (samples: readonly FeedSample[]) => void;
  /** Called once, also after `close()` (kind "stopped"). */
  readonly onEnd: (end: FeedEnd) => void;
}

/** An open feed; `close()` ends it and resolves when the socket is closed. */
export interface Feed {
  close(): Promise<void>;
}

/** Connects to `info.v4address:v4dataPort` and reads its feed. */
export function openFeed(o: FeedOptions): Feed {
  const { info } = o;
  const socket = net.createConnection({ host: info.v4address, port: info.v4dataPort });
  let head = new Uint8Array(0);
  let decoder: FeedDecoder | null = null;
  let open = false;
  let ended: FeedEnd | null = null;
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const timer = o.clock.setTimeout(
    () => end({ kind: "closed", detail: "no feed head within 5 s" }),
    CONNECT_TIMEOUT_MS,
  );

  function end(why: FeedEnd): void {
    if (ended !== null) return;
    ended = why;
    o.clock.clearTimeout(timer);
    socket.destroy();
    o.onEnd(why);
  }

  function body(bytes: Uint8Array): void {
    const samples = decoder!.push(bytes);
    if (!open) {
      // both test patterns have passed once the decoder holds no pattern to check and asked for none
      if (!decoder!.checkingPatterns) {
        open = true;
        o.clock.clearTimeout(timer);
        o.onOpen();
      }
    }
    if (samples.length > 0) o.onSamples(samples);
  }

  socket.on("connect", () => socket.write(feedRequest(info, o.hostname, o.sessionId)));
  socket.on("data", (chunk: Uint8Array) => {
    if (ended !== null) return;
    try {
      if (decoder !== null) return body(chunk);
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      const at = headEnd(joined);
      if (at < 0) {
        if (joined.length > MAX_HEAD_BYTES) {
          end({ kind: "refused", detail: "feed head longer than 16 KiB" });
        }
        head = joined;
        return;
      }
      const parsed = parseFeedHead(new TextDecoder().decode(joined.subarray(0, at - 4)), info.uid);
      if (parsed.kind !== "ok") {
        return end({
          kind: parsed.kind === "error" ? "refused" : parsed.kind,
          detail: parsed.status,
        });
      }
      decoder = new FeedDecoder(
        info.channelFormat,
        info.channelCount,
        info.nominalSrate,
        parsed.byteOrder,
      );
      body(joined.subarray(at));
    } catch (e) {
      // a FeedError is the expected refusal; anything else is a decoder bug, still not worth a crash
      end({
        kind: "refused",
        detail: e instanceof FeedError ? e.message : `feed decoding failed: ${e}`,
      });
    }
  });
  socket.on(
    "error",
    (e) => end({ kind: "closed", detail: (e as { code?: string }).code ?? e.message }),
  );
  socket.on("close", () => end({ kind: "closed", detail: "connection closed by the outlet" }));

  return {
    close(): Promise<void> {
      end({ kind: "stopped", detail: "" });
      return closed;
    },
  };
}

/**
 * @module The push socket port per runtime: Bun's and Deno's global WebSocket (which take
 * `{headers}`), and on Node the `ws` package's (Node 20 has no global WebSocket, and a later Node's
 * global one cannot send headers). Loaded only with `--ws-push`.
 */
import type { OpenPushSocket, PushSocket, PushSocketHandlers } from "../ports/push-socket.ts";

/** The part of a WHATWG WebSocket (which `ws` implements too) a push socket uses. */
interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code?: number; reason?: string }) => void) | null;
  onerror: ((event: { message?: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate?: () => void;
}

// deno-lint-ignore no-explicit-any -- the three constructors' signatures differ (see below)
type WebSocketClass = new (url: string, ...rest: any[]) => WebSocketLike;
type Construct = (url: string, headers: Readonly<Record<string, string>>) => WebSocketLike;

const OPEN = 1;

/** The opener of `runtime`. */
export async function pushSocketOpener(runtime: "bun" | "deno" | "node"): Promise<OpenPushSocket> {
  if (runtime === "node") {
    const name = "ws"; // a variable: ws ships no types
    const { WebSocket } = (await import(name)) as { WebSocket: WebSocketClass };
    // ws: (url, protocols, options); no redirects, so the headers go nowhere else
    return opener((url, headers) => new WebSocket(url, undefined, { headers }));
  }
  const global = (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (global === undefined) throw new Error(`${runtime} has no global WebSocket`);
  return opener((url, headers) => new global(url, { headers }));
}

function opener(construct: Construct): OpenPushSocket {
  return (url, headers, handlers) => {
    const ended = once(handlers);
    let ws: WebSocketLike;
    try {
      ws = construct(url, headers);
    } catch (e) {
      queueMicrotask(() => ended(describe(e)));
      return { bufferedAmount: () => 0, send: notOpen, close: () => {} };
    }
    let error = "";
    ws.onopen = () => handlers.onOpen();
    ws.onerror = (event) => {
      if (typeof event?.message === "string" && event.message !== "") error = event.message;
    };
    ws.onclose = (event) => {
      const code = event?.code ?? 1006;
      ended(error !== "" ? scrub(error) : `closed, code ${code}${reason(event?.reason)}`);
    };
    return socketOf(ws);
  };
}

function socketOf(ws: WebSocketLike): PushSocket {
  // Deno's socket and ws read 0 once closing or closed (Bun's keeps its value): what was still
  // buffered then is known only from the last reading while open (push/in-flight.ts)
  let lastOpen = 0;
  return {
    bufferedAmount: () => (ws.readyState === OPEN ? (lastOpen = ws.bufferedAmount) : lastOpen),
    send(text) {
      // a closing WebSocket discards what it is given: the message must stay queued instead
      if (ws.readyState !== OPEN) notOpen();
      ws.send(text);
    },
    close(drop = false) {
      if (ws.readyState === OPEN && !drop) ws.close(1000, "bridge closing");
      else if (ws.terminate !== undefined) ws.terminate();
      else ws.close();
    },
  };
}

function once(handlers: PushSocketHandlers): (detail: string) => void {
  let done = false;
  return (detail) => {
    if (done) return;
    done = true;
    handlers.onClose(detail);
  };
}

function notOpen(): never {
  throw new Error("the push socket is not open");
}

function reason(text: string | undefined): string {
  return text === undefined || text === "" ? "" : ` (${scrub(text).slice(0, 120)})`;
}

/** A library's message without any URL in it (a query may carry a token). */
function scrub(text: string): string {
  return text.replace(/wss?:\/\/\S+/gi, "<url>");
}

function describe(e: unknown): string {
  return scrub(e instanceof Error ? e.message : String(e));
}

/**
 * @module The push socket of the runtime running this file (src/adapters/push-socket.ts) against a
 * server that completes the upgrade, then reads nothing and cuts the connection: what the socket
 * still buffered must stay readable after the loss (Deno's socket and `ws` read 0 once closed),
 * or `/health` `unflushed` would miss it (docs/push-mode.md).
 */
import { createHash } from "node:crypto";
import { createServer } from "node:net";
import type { Socket } from "node:net";
import { describe, expect, test } from "bun:test";
import { pushSocketOpener } from "../../src/adapters/push-socket.ts";
import type { PushSocket } from "../../src/ports/push-socket.ts";
import { currentRuntime } from "../_support/client/live-server.ts";

const runtime = currentRuntime();
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455's

/** Polls `check` every 10 ms until it holds; fails naming `what` after `ms`. */
async function until(check: () => boolean, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe(`the push socket (${runtime})`, () => {
  test("still reports its buffered bytes after the connection is cut", async () => {
    let peer: Socket | null = null;
    const server = createServer((s) => {
      s.once("data", (request) => {
        const key = /sec-websocket-key: *(\S+)/i.exec(request.toString())![1]!;
        const accept = createHash("sha1").update(key + GUID).digest("base64");
        s.write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        s.pause(); // reads nothing more: the bridge's side fills up
        peer = s;
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    const open = await pushSocketOpener(runtime);
    let opened = false;
    let closed = false;
    const socket: PushSocket = open(`ws://127.0.0.1:${port}/`, {}, {
      onOpen: () => void (opened = true),
      onClose: () => void (closed = true),
    });
    try {
      await until(() => opened && peer !== null, 5000, "the upgrade");
      // 6 MB: far more than the kernels' buffers on loopback take, so the socket keeps some
      const message = "x".repeat(300);
      for (let i = 0; i < 20_000; i++) socket.send(message);
      await until(() => socket.bufferedAmount() > 64 * 1024, 5000, "a full buffer");
      const before = socket.bufferedAmount();
      peer!.destroy();
      await until(() => closed, 5000, "the loss");
      // the last reading while open: never 0, never more than before
      const after = socket.bufferedAmount();
      expect(after).toBeGreaterThan(0);
      expect(after).toBeLessThanOrEqual(before);
    } finally {
      socket.close(true);
      server.close();
    }
  }, 20_000);
});

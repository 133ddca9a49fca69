/**
 * @module `--ws-push` end to end under the runtime running this file (docs/push-mode.md): a real
 * WebSocket server (the `ws` package) in the test process receives the default device's
 * `eeg_data`, the very strings a `/` client gets, with contiguous seq and counter and the URL's
 * credentials as Basic auth; the server closes the connection and stops listening, comes back on
 * the same port, and the bridge reconnects with the outage's messages queued (`/health` shows
 * `connected` false, then true), every seq received or counted (`dropped`, `unflushed`); credentials never reach `/health` or the logs; a shutdown closes
 * the push socket normally; a removed device's target closes with it; bad values exit 2.
 */
import { describe, expect, test } from "bun:test";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { currentRuntime } from "../_support/client/live-server.ts";
import { runServeCli, startServer } from "../_support/server-process.ts";
import type { ServerProcess } from "../_support/server-process.ts";
import { connectWs } from "../_support/ws-client.ts";
import { waitUntil } from "../_support/conformance/helpers.ts";

const runtime = currentRuntime();
const SECRETS = ["pushuser", "pushpass", "qtok123"];

/** One connection the test server accepted: its request and every message, parsed. */
interface Accepted {
  authorization: string | undefined;
  path: string | undefined;
  raw: string[];
  socket: WebSocket;
  closeCode: Promise<number>;
}

/** A WebSocket server on 127.0.0.1 (`port` 0 picks one) recording its connections. */
async function listen(port: number, accepted: Accepted[]) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", () => resolve());
    wss.once("error", reject);
  });
  wss.on("connection", (socket, request) => {
    const raw: string[] = [];
    const closeCode = new Promise<number>((r) => socket.once("close", (code: number) => r(code)));
    socket.on("message", (data: { toString(): string }) => void raw.push(data.toString()));
    accepted.push({
      authorization: request.headers.authorization,
      path: request.url,
      raw,
      socket,
      closeCode,
    });
  });
  return { wss, port: (wss.address() as { port: number }).port };
}

/** Polls `check` every 20 ms until it holds; fails naming `what` after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `p`'s value, or -99 after `ms` (the timer cleared either way). */
async function within(p: Promise<number>, ms: number): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<number>((r) => (timer = setTimeout(() => r(-99), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

type Eeg = { type: string; data: { seq: number; counter: number } & Record<string, unknown> };
const parse = (raw: string) => JSON.parse(raw) as Eeg;

/** Every step of seq is +1 and of counter +1 modulo 256 (the headset's 8-bit counter). */
function contiguous(messages: Eeg[]): boolean {
  return messages.every((m, i) =>
    i === 0 || (m.data.seq === messages[i - 1]!.data.seq + 1 &&
      m.data.counter === (messages[i - 1]!.data.counter + 1) % 256)
  );
}

async function pushHealth(srv: ServerProcess): Promise<Record<string, unknown>[]> {
  const body = await (await fetch(`${srv.http}/health`)).text();
  for (const secret of SECRETS) expect(body).not.toContain(secret);
  return JSON.parse(body)["ws_push"];
}

describe(`--ws-push (${runtime})`, () => {
  test(
    "pushes a / client's eeg_data, survives the server going away and coming back, hides credentials",
    async () => {
      const accepted: Accepted[] = [];
      let server = await listen(0, accepted);
      const url = `ws://pushuser:pushpass@127.0.0.1:${server.port}/ingest?token=qtok123`;
      const srv = await startServer(runtime, ["--ws-push", url]);
      try {
        await until(() => (accepted[0]?.raw.length ?? 0) >= 300, 8000, "300 pushed messages");
        const first = accepted[0]!;
        expect(first.authorization).toBe(`Basic ${btoa("pushuser:pushpass")}`);
        expect(first.path).toBe("/ingest?token=qtok123");
        const pushed = first.raw.map(parse);
        expect(pushed.every((m) => m.type === "eeg_data")).toBe(true);
        expect(contiguous(pushed)).toBe(true);

        // a / client gets the very same strings (one shared encoding, ids included)
        const client = await connectWs(`${srv.ws}/`);
        const seen = await client.next((m) => m.type === "eeg_data", 5000, "eeg_data on /");
        await until(
          () => first.raw.some((r) => parse(r).data.seq === seen.data["seq"]),
          3000,
          "it",
        );
        expect(first.raw.find((r) => parse(r).data.seq === seen.data["seq"])).toBe(seen.raw);
        client.close();

        const [entry] = await pushHealth(srv);
        expect(entry).toMatchObject({
          url: `ws://127.0.0.1:${server.port}/ingest?token=***`,
          device_id: "sim-1",
          connected: true,
          dropped: 0,
        });
        expect(entry!["sent"]).toBeGreaterThanOrEqual(300);

        // the outage: the server goes away (closing with 1001, as a restarting relay does), nothing
        // listens, then it is back on the same port. A close handshake, not a cut: the server then
        // reads all the bridge wrote before its close reply, so the accounting below is exact (a
        // cut also loses what the kernels held, which no sender can see, docs/push-mode.md).
        first.socket.close(1001, "restarting");
        await new Promise<void>((r) => server.wss.close(() => r()));
        let down: Record<string, unknown> = {};
        await until(
          async () => (down = (await pushHealth(srv))[0]!)["connected"] === false,
          3000,
          "loss",
        );
        const before = first.raw.map(parse);
        server = await listen(server.port, accepted);
        // retries come 1 s, then 3 s, 7 s after the loss: 8 s covers two of them
        await until(async () => (await pushHealth(srv))[0]!["connected"] === true, 8000, "back");
        const backAt = Date.now() / 1000;
        await until(() => (accepted[1]?.raw.length ?? 0) >= 600, 5000, "the queue and more");
        const after = accepted[1]!.raw.map(parse);
        expect(contiguous(after)).toBe(true);
        // Nothing the bridge held back is lost: the new connection starts right after the last
        // message the old socket took (`sent` stays put while disconnected). What that socket
        // had taken but never got out of its buffer is gone, counted as unflushed (below).
        expect(after[0]!.data.seq).toBe(pushed[0]!.data.seq + (down["sent"] as number));
        expect(after[0]!.data.seq).toBeGreaterThan(before[before.length - 1]!.data.seq);
        // ...and the queue really held the outage: the first sample after it is from before the
        // reconnect, which came ≥ 1 s (the first retry) after the loss; 0.5 s is the margin
        const firstAfter = after[0]!.data["timestamp"] as number;
        expect(backAt - firstAfter).toBeGreaterThan(0.5);
        const now = (await pushHealth(srv))[0]!;
        expect(now).toMatchObject({ connected: true, dropped: 0 });
        // The accounting: every seq from the first pushed to the last received either reached
        // the server or is counted, as dropped (never sent) or as unflushed (handed to the lost
        // socket but maybe still in its buffer): missing ≤ dropped + unflushed. Each connection's
        // messages are contiguous, so the missing ones are the first connection's last.
        const span = after[after.length - 1]!.data.seq - pushed[0]!.data.seq + 1;
        const missing = span - before.length - after.length;
        expect(missing).toBeGreaterThanOrEqual(0);
        expect(missing).toBeLessThanOrEqual(
          (now["dropped"] as number) + (now["unflushed"] as number),
        );

        // shutdown: the push socket gets a normal close, and the process ends
        process.kill(srv.child.pid!, "SIGINT");
        // shutdown takes well under a second; 5 s only bounds a loaded machine
        expect(await within(srv.exited, 5000)).toBe(0);
        // the exit can be seen before the last of the stdout pipe is read
        await waitUntil(
          () => srv.stdout().includes("Server shutdown complete"),
          3000,
          "the shutdown line",
        );
        expect(await within(accepted[1]!.closeCode, 5000)).toBe(1000);
        const logs = srv.stdout() + srv.stderr();
        expect(logs).toContain(`ws://127.0.0.1:${server.port}/ingest?token=***`);
        for (const secret of SECRETS) expect(logs).not.toContain(secret);
      } finally {
        srv.kill();
        server.wss.close();
        for (const a of accepted) a.socket.terminate();
      }
    },
    20_000,
  );

  test(
    "remove_device of a pushed device closes its push socket normally and drops it from /health",
    async () => {
      const accepted: Accepted[] = [];
      const server = await listen(0, accepted);
      const url = `ws://127.0.0.1:${server.port}/sim2`;
      const srv = await startServer(runtime, ["--sim-devices", "2", "--ws-push", `sim-2=${url}`]);
      const client = await connectWs(`${srv.ws}/`);
      try {
        await until(() => (accepted[0]?.raw.length ?? 0) >= 50, 8000, "50 pushed messages");
        expect((await pushHealth(srv)).map((t) => t["device_id"])).toEqual(["sim-2"]);
        const ack = await client.request("remove_device", { device_id: "sim-2" }, 15_000);
        expect(ack.type).toBe("command_ack");
        // the target ends with the device: a normal close, no retry, gone from /health
        expect(await within(accepted[0]!.closeCode, 5000)).toBe(1000);
        await until(async () => (await pushHealth(srv)).length === 0, 3000, "ws_push emptied");
        // no reconnect: the first retry would come 1 s after a loss; 1.5 s with none is the check
        const quietUntil = Date.now() + 1500;
        await until(() => Date.now() > quietUntil || accepted.length > 1, 2000, "quiet");
        expect(accepted.length).toBe(1);
      } finally {
        client.close();
        srv.kill();
        server.wss.close();
        for (const a of accepted) a.socket.terminate();
      }
    },
    20_000,
  );

  test("a bad --ws-push value exits 2 naming what is wrong", async () => {
    const bad = await runServeCli(runtime, ["--ws-push", "http://u:secretpw@h/"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ws-push expects a ws:// or wss:// URL, got "http://"');
    expect(bad.stderr).not.toContain("secretpw");
    const unknown = await runServeCli(runtime, ["--ws-push", "sim-4=ws://127.0.0.1:1/"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--ws-push names the device sim-4");
  }, 20_000);
});

/**
 * @module `--mqtt ws://…` (MQTT over WebSocket) under Bun, Deno and Node. Debian's mosquitto cannot
 * open a WebSocket listener here, so a small relay (the `ws` package) carries the MQTT bytes
 * between WebSocket messages and mosquitto's TCP port; the broker is still the real one.
 */
import { describe, expect, test } from "bun:test";
import { connect as tcpConnect } from "node:net";
import { WebSocketServer } from "ws";
import { RUNTIMES, startServer } from "../_support/server-process.ts";
import { startBroker } from "../_support/mqtt/broker.ts";
import { json, subscribe } from "../_support/mqtt/subscriber.ts";
import { cleanupsAfterAll } from "../_support/mqtt/test-kit.ts";

const cleanups = cleanupsAfterAll();

/** A WebSocket server on a free port that pipes each connection to mosquitto's TCP listener. */
async function relayTo(brokerPort: number): Promise<{ port: number; close(): void }> {
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false),
  });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  wss.on("connection", (ws) => {
    const tcp = tcpConnect(brokerPort, "127.0.0.1");
    ws.on("message", (data: Buffer) => tcp.write(data));
    tcp.on("data", (data) => ws.send(data));
    ws.on("close", () => tcp.destroy());
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close());
  });
  return { port: (wss.address() as { port: number }).port, close: () => wss.close() };
}

describe("--mqtt ws://", () => {
  test(
    "publishes the online status and eeg frames over MQTT-over-WebSocket under every runtime",
    async () => {
      const broker = await startBroker();
      cleanups.push(() => broker.dispose());
      const relay = await relayTo(broker.port);
      cleanups.push(() => relay.close());
      const sub = await subscribe(broker.url, "mw75/#");
      cleanups.push(() => sub.close());
      const servers = await Promise.all(RUNTIMES.map((r) =>
        startServer(r, [
          "--autoconnect",
          "--mqtt",
          `ws://127.0.0.1:${relay.port}`,
          "--bridge-id",
          `ws-${r}`,
        ])
      ));
      for (const srv of servers) {
        cleanups.push(() => srv.kill());
      }
      for (const runtime of RUNTIMES) {
        const status = await sub.next(
          (m) => m.topic === `mw75/ws-${runtime}/status`,
          15_000,
          `${runtime} online over ws://`,
        );
        expect(json(status)).toMatchObject({ online: true, runtime });
        await sub.next(
          (m) => m.topic === `mw75/ws-${runtime}/sim-1/eeg`,
          10_000,
          `${runtime} frames over ws://`,
        );
      }
    },
    40_000,
  );
});

/** @module ServedDevice in-process with fake sockets: policies and the slow-client limits, without a network. */
import { describe, expect, test } from "bun:test";
import { readDecoderWasm } from "../../src/adapters/wasm-file.ts";
import { createLogHub } from "../../src/core/log-hub.ts";
import { createDecoder } from "../../src/decoder/decoder.ts";
import { AccessGate } from "../../src/server/access/gate.ts";
import { TokenTable } from "../../src/server/access/tokens.ts";
import { ServedDevice } from "../../src/server/served-device.ts";
import type { ClientSocket } from "../../src/ports/client-socket.ts";
import { flush, ManualClock, scriptedSource } from "../_support/fakes.ts";

function socket() {
  // deno-lint-ignore no-explicit-any -- parsed JSON that the test walks field by field
  const s = { sent: [] as any[], buffered: 0, closed: null as number | null };
  const sock: ClientSocket = {
    send: (text) => {
      s.sent.push(JSON.parse(text));
      return true;
    },
    sendBinary: () => true,
    bufferedAmount: () => s.buffered,
    close: (code) => void (s.closed = code ?? 1000),
  };
  return { s, sock };
}

async function bridge(maxClients: number) {
  const clock = new ManualClock();
  const source = scriptedSource([{ ok: true }]);
  const b = new ServedDevice({
    source,
    clock,
    maxClients,
    runtime: "test",
    heartbeatMs: 1000,
    decoder: await createDecoder(await readDecoderWasm()),
    logs: createLogHub(clock.now),
    limits: {
      highWaterBytes: 100,
      maxQueuedData: 4,
      maxQueuedControl: 8,
      maxQueuedControlChars: 100_000,
    },
  });
  return { b, clock, source };
}

describe("ServedDevice", () => {
  test("welcome, heartbeat per client, and a rejected extra socket", async () => {
    const { b, clock } = await bridge(1);
    const one = socket();
    const c1 = b.open(one.sock, "1.1.1.1:1")!;
    expect(one.s.sent[0]).toMatchObject({
      type: "status",
      data: { state: "idle", message: "Client connected to MW75 server" },
    });
    const two = socket();
    expect(b.open(two.sock, "2.2.2.2:2")).toBeNull();
    expect(two.s.sent[0]).toMatchObject({
      type: "error",
      data: { code: "CLIENT_ALREADY_CONNECTED" },
    });
    expect(two.s.closed).toBe(1013);
    await clock.advance(2500);
    expect(one.s.sent.filter((m) => m.type === "heartbeat")).toHaveLength(2);
    b.close(c1);
    expect(b.health()["clients"]).toBe(0);
  });

  test("a stalled client sheds eeg_data, is closed when its control backlog overflows; others unaffected", async () => {
    const { b, source } = await bridge(2);
    const fast = socket();
    const slow = socket();
    const cf = b.open(fast.sock, "1.1.1.1:1")!;
    const cs = b.open(slow.sock, "2.2.2.2:2")!;
    b.message(cf, JSON.stringify({ id: 1, type: "connect", data: { log_level: "ERROR" } }));
    await flush();
    slow.s.buffered = 1_000_000;
    source.links[0]!.packets(0, 40);
    await flush();
    expect(fast.s.sent.filter((m) => m.type === "eeg_data")).toHaveLength(40);
    expect(cs.outbox.shed).toBe(36);
    for (let i = 0; i < 10; i++) {
      b.message(cf, JSON.stringify({ id: `b${i}`, type: "broadcast", data: i }));
    }
    expect(slow.s.closed).toBe(1013);
    expect(b.clientCount).toBe(1);
    expect(fast.s.sent.filter((m) => m.type === "command_ack").length).toBe(11);
    expect(b.health()["shed"]).toBe(36);
  });

  test("handler never throws: any frame gets an answer or an error", async () => {
    const { b } = await bridge(1);
    const one = socket();
    const c = b.open(one.sock, "1.1.1.1:1")!;
    for (
      const frame of [
        "",
        "{",
        "[]",
        "{}",
        '{"type":7}',
        '{"type":"connect","data":[1]}',
        new Uint8Array([0xc3]),
        new ArrayBuffer(3),
      ]
    ) {
      expect(() => b.message(c, frame)).not.toThrow();
    }
    const codes = one.s.sent.filter((m) => m.type === "error").map((m) => m.data.code);
    expect(codes).toEqual([
      "INVALID_JSON",
      "INVALID_JSON",
      "INVALID_MESSAGE",
      "MISSING_TYPE",
      "UNKNOWN_COMMAND",
      "MESSAGE_PROCESSING_ERROR",
      "MESSAGE_PROCESSING_ERROR",
      "INVALID_JSON",
    ]);
  });

  test("with tokens required, a token holder takes the place of an anonymous client when the server is full", async () => {
    const clock = new ManualClock();
    const gate = new AccessGate(
      new TokenTable([{ token: "control-token", role: "control", name: "c" }]),
    );
    const b = new ServedDevice({
      source: scriptedSource([{ ok: true }]),
      clock,
      maxClients: 1,
      runtime: "test",
      gate,
      decoder: await createDecoder(await readDecoderWasm()),
      logs: createLogHub(clock.now),
    });
    const anon = socket();
    expect(
      b.open(
        anon.sock,
        "1.1.1.1:1",
        gate.admit({ authorization: undefined, protocols: undefined }),
      ),
    ).not.toBeNull();
    const holder = socket();
    const c = b.open(
      holder.sock,
      "2.2.2.2:2",
      gate.admit({ authorization: "Bearer control-token", protocols: undefined }),
    );
    expect(c).not.toBeNull();
    expect(anon.s.closed).toBe(1013);
    expect(anon.s.sent.at(-1)).toMatchObject({
      type: "error",
      data: { code: "CLIENT_ALREADY_CONNECTED" },
    });
    expect(holder.s.sent[0]).toMatchObject({
      type: "status",
      data: { message: "Client connected to MW75 server" },
    });
    // the slot is now a token holder's: another anonymous client is refused, as is a second token holder
    const late = socket();
    expect(
      b.open(
        late.sock,
        "3.3.3.3:3",
        gate.admit({ authorization: undefined, protocols: undefined }),
      ),
    ).toBeNull();
    expect(late.s.closed).toBe(1013);
    expect(b.clientCount).toBe(1);
  });
});

/** @module Conformance scenarios for the client policies (§3.7) and slow clients. */
import { expect } from "bun:test";
import type { Runtime } from "../server-process.ts";
import {
  counters,
  delay,
  expectError,
  health,
  healthUntil,
  isEeg,
  isError,
  isStatus,
  isStatusMessage,
  openWelcomed,
  since,
  withServer,
} from "./helpers.ts";
import { untilCount } from "./stream-helpers.ts";

/** Default policy: a second socket gets CLIENT_ALREADY_CONNECTED and is closed; the first is unaffected. */
export async function singleClientPolicy(runtime: Runtime): Promise<void> {
  await withServer(runtime, [], async (srv, open) => {
    const { c: first } = await openWelcomed(open);
    await first.request("connect", {});
    await first.next(isEeg);
    const second = await open("/ws");
    const rejected = await second.next((m) => m.type === "error");
    expectError(rejected, "CLIENT_ALREADY_CONNECTED");
    expect(rejected.data["message"]).toBe("Server already has a connected client");
    await Promise.race([
      second.closed,
      // closed right after the error; 3 s only bounds a loaded machine
      delay(3000).then(() => Promise.reject(new Error("second socket not closed"))),
    ]);
    expect(second.messages.some((m) => m.type === "status")).toBe(false);
    // the first client streams on: 100 more eeg_data (0.2 s at 500 Hz); the 3-s bound only leaves
    // room for a loaded machine (the rate itself is checked over a long window in streamingLifecycle)
    await untilCount(first, first.messages.length, isEeg, 100, 3000, "eeg_data after the refusal");
    expect((await first.request("status")).data["total_clients"]).toBe(1);
    // the last client leaving tears the device down
    first.close();
    await first.closed;
    // teardown takes a few ms; 5 s is only a bound for a loaded machine
    await healthUntil(
      srv,
      (h) => h["clients"] === 0 && h["device_state"] === "idle",
      5000,
      "no client and an idle device",
    );
    const { welcome } = await openWelcomed(open);
    expect(welcome.data["state"]).toBe("idle");
  });
}

/** --max-clients: controller/observer rules, broadcast, control release, capacity, teardown on last leave. */
export async function multiClientRules(runtime: Runtime): Promise<void> {
  await withServer(runtime, ["--max-clients", "3"], async (srv, open) => {
    const { c: a } = await openWelcomed(open);
    const { c: b } = await openWelcomed(open, "/ws");
    const { c: o } = await openWelcomed(open);
    const d = await open();
    expectError(await d.next((m) => m.type === "error"), "CLIENT_ALREADY_CONNECTED");
    await d.closed;

    await a.request("connect", { log_level: "INFO" });
    await b.next(isStatus("connected"));
    for (const cmd of ["connect", "disconnect"]) {
      const r = await b.request(cmd, {});
      expectError(r, "DEVICE_CONTROL_TAKEN", r.id);
    }
    const sb = await b.request("status");
    expect(sb.data).toMatchObject({
      has_control: false,
      total_clients: 3,
      device_state: "connected",
    });
    expect((await a.request("status")).data["has_control"]).toBe(true);
    // observers get eeg_data and logs too
    await o.next(isEeg);
    expect(o.messages.some((m) => m.type === "log" && m.data["level"] === "INFO")).toBe(true);

    b.send({ id: "bc1", type: "broadcast", data: { note: [1, "two"] } });
    const ack = await b.next((m) => m.type === "command_ack" && m.id === "bc1");
    expect(ack.data).toEqual({
      command: "broadcast",
      message: "Message broadcast to 2 other client(s)",
      recipients: 2,
    });
    for (const peer of [a, o]) {
      const got = await peer.next((m) => m.type === "broadcast");
      expect(got.id).toBe("bc1");
      expect(got.data["data"]).toEqual({ note: [1, "two"] });
      expect(String(got.data["from"])).toMatch(/^[\d.:a-f]+:\d+$/);
    }
    expect(b.messages.some((m) => m.type === "broadcast")).toBe(false);

    // controller leaves: control released, device keeps streaming
    a.close();
    await b.next(isStatusMessage("Device control released - available for new controller"), 3000);
    // the device keeps streaming to the observer (100 eeg_data = 0.2 s at 500 Hz; 3 s leaves room for load)
    await untilCount(o, o.messages.length, isEeg, 100, 3000, "eeg_data after the controller left");
    const busy = await b.request("connect", {});
    expectError(busy, "ALREADY_CONNECTED", busy.id);
    expect((await b.request("status")).data["has_control"]).toBe(false);
    // nobody controls: anyone may disconnect (without gaining control), then connect takes control
    await o.request("disconnect");
    await b.next(isStatus("idle"));
    expect((await o.request("status")).data["has_control"]).toBe(false);
    await b.request("connect", {});
    await o.next(isStatus("connected"));
    expect((await b.request("status")).data["has_control"]).toBe(true);
    const taken = await o.request("disconnect");
    expectError(taken, "DEVICE_CONTROL_TAKEN", taken.id);

    b.close();
    o.close();
    await Promise.all([b.closed, o.closed]);
    // the last leave tears the device down within ms; 5 s is only a bound for a loaded machine
    await healthUntil(
      srv,
      (h) => h["clients"] === 0 && h["device_state"] === "idle",
      5000,
      "no client and an idle device",
    );
  });
}

/**
 * A client that stops reading for 10 s: the other client keeps its full stream, the stalled one
 * sheds eeg_data (counted in its status reply and /health) but gets every control message, in order.
 * The simulator runs at 3 kHz (~1.7 MB/s of JSON; whole ADC counts print shorter than the
 * fractional ones of before issue 24, so 2 kHz left only ~11 MB, too near what the buffers hold):
 * over the pause the backlog (~17 MB) outgrows the kernel's socket buffers (up to ~10 MB on
 * loopback) and a 4-MiB server backlog together. The backlog
 * is that large for the fast client's sake: this test process reads for it, and on a loaded
 * machine it stalls for a few hundred ms at a time; with the default 256 KiB (0.2 s at 2 kHz) the
 * fast client was shed for too.
 */
export async function slowClient(runtime: Runtime): Promise<void> {
  await withServer(runtime, [
    "--max-clients",
    "2",
    "--sim-rate-hz",
    "2000",
    "--client-buffer-bytes",
    String(4 * 1024 * 1024),
  ], async (srv, open) => {
    const { c: fast } = await openWelcomed(open);
    const { c: slow } = await openWelcomed(open);
    await fast.request("connect", {});
    await slow.next(isEeg);
    slow.pause();
    const mark = fast.messages.length;
    const t0 = Date.now();
    // the 10-s stall is the scenario; the notes are sent 3 s into it, behind a deep backlog
    await delay(3000);
    for (let i = 0; i < 5; i++) fast.send({ id: `note-${i}`, type: "broadcast", data: { i } });
    await delay(7000);
    const got = since(fast, mark).filter(isEeg);
    const seconds = (Date.now() - t0) / 1000;
    // 3,000/s simulated (the simulator catches up on late ticks). A fast client held up by the
    // stalled one would get next to nothing for 10 s; a third of the rate (1,000/s) tells the two
    // apart and leaves the rest for a loaded machine. Every message it did get is checked below.
    expect(got.length / seconds).toBeGreaterThan(1000);
    const cs = counters(got);
    let gaps = 0;
    for (let i = 1; i < cs.length; i++) if (cs[i] !== (cs[i - 1]! + 1) % 256) gaps++;
    expect(gaps).toBe(0);
    const h = await health(srv);
    expect(h["shed"]).toBeGreaterThan(1000);
    expect(h["clients"]).toBe(2);

    slow.resume();
    const st = await slow.request("status", undefined, 15_000);
    expect(st.data["shed_messages"] as number).toBeGreaterThan(1000);
    const notes = slow.messages.filter((m) => m.type === "broadcast").map((m) => m.id);
    expect(notes).toEqual([0, 1, 2, 3, 4].map((i) => `note-${i}`));
    expect(slow.messages.some(isError("CLIENT_ALREADY_CONNECTED"))).toBe(false);
    expect(slow.isClosed).toBe(false);
    // after catching up the slow client streams normally again
    // 1,000 eeg_data = 0.5 s at 2 kHz; 5 s only bounds a loaded machine
    await untilCount(slow, slow.messages.length, isEeg, 1000, 5000, "eeg_data after catching up");
    expect((await fast.request("status")).data["shed_messages"]).toBe(0);
  });
}

/** @module The resolver on loopback: wave timing on a manual clock, multicast reach, send errors, replies by uid. */
import dgram from "node:dgram";
import { describe, expect, test } from "bun:test";
import { systemClock } from "../../src/core/clock.ts";
import { Resolver } from "../../src/lsl/inlet/resolver.ts";
import { queryIdOf } from "../../src/lsl/wire/resolve-datagrams.ts";
import { bindUdp, closeUdp } from "../../src/lsl/inlet/udp.ts";
import { capturedShortinfoReply } from "../_support/lsl-captures-inlet.ts";
import { ManualClock } from "../_support/fakes.ts";
import { requireLoopbackOnly } from "../_support/netns.ts";
import { FakeOutlet } from "./inlet-fake-outlet.ts";

/** Polls `probe` every 10 ms until true; fails naming `what` after `ms`. */
async function until(what: string, probe: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A socket on 0.0.0.0:16571 joined to the site group, as an outlet's responder binds it. */
async function listener(): Promise<{ socket: dgram.Socket; got: string[] }> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  const got: string[] = [];
  socket.on("error", () => {});
  socket.on("message", (d) => got.push(new TextDecoder().decode(d)));
  await new Promise<void>((resolve) => socket.bind(16571, "0.0.0.0", () => resolve()));
  socket.addMembership("239.255.172.215");
  return { socket, got };
}

describe("resolver", () => {
  test("site scope: waves every 0.5 s; multicast reaches every 16571 socket; broadcast failures counted and logged once", async () => {
    requireLoopbackOnly();
    const name = `Rs-${Math.random().toString(36).slice(2, 8)}`;
    const a = await listener();
    const b = await listener();
    const clock = new ManualClock();
    const logs: string[] = [];
    const resolver = await Resolver.start({
      query: `name='${name}'`,
      scope: "site",
      sessionId: "lab",
      knownPeers: [],
      clock,
      log: { log: (level, message) => logs.push(`${level} ${message}`) },
    });
    try {
      const mine = (got: string[]) => got.filter((t) => t.includes(name));
      expect(resolver.sent).toBe(5); // 127.0.0.1, 255.255.255.255, 224.0.0.1, 224.0.0.183, 239.255.172.215
      await clock.advance(499);
      expect(resolver.sent).toBe(5);
      await clock.advance(1);
      expect(resolver.sent).toBe(10);
      // a unicast reaches one of two SO_REUSEADDR sockets; both getting the query proves a multicast copy
      await until(
        "the query at both sockets",
        () => mine(a.got).length > 0 && mine(b.got).length > 0,
      );
      const port = resolver.socket.address().port;
      expect(mine(a.got)[0]).toMatch(
        new RegExp(
          `^LSL:shortinfo\\r\\nsession_id='lab' and \\(name='${name}'\\)\\r\\n${port} \\d+\\r\\n$`,
        ),
      );
      await until("a failed broadcast send", () => resolver.sendErrors > 0);
      await clock.advance(1000);
      await until("more failed sends", () => resolver.sendErrors >= 3);
      expect(logs.filter((l) => l.includes("255.255.255.255")).length).toBe(1);
    } finally {
      await resolver.close();
      await closeUdp(a.socket);
      await closeUdp(b.socket);
    }
  });

  test("known peers: the port sweep 0.5 s after each wave start, waves 1.25 s apart; replies kept by uid", async () => {
    const clock = new ManualClock();
    const logs: string[] = [];
    const resolver = await Resolver.start({
      query: "",
      scope: "machine",
      sessionId: "default",
      knownPeers: ["127.0.0.1"],
      clock,
      log: { log: (level, message) => logs.push(`${level} ${message}`) },
    });
    const outlet = await bindUdp(false);
    const port = resolver.socket.address().port;
    try {
      expect(resolver.sent).toBe(1);
      await clock.advance(500);
      expect(resolver.sent).toBe(1 + 32);
      await clock.advance(749);
      expect(resolver.sent).toBe(33);
      await clock.advance(1);
      expect(resolver.sent).toBe(34);
      const { text } = capturedShortinfoReply();
      const reply = (id: string, body = text.split("\r\n").slice(1).join("\r\n")) =>
        outlet.send(`${id}\r\n${body}`, port, "127.0.0.1");
      const id = queryIdOf("session_id='default'");
      reply("123"); // another query's reply: dropped quietly
      reply(id, "<info><name>x</name></info>"); // invalid: dropped, logged once
      reply(id, "<info><name>x</name></info>");
      reply(id, "<info><name>"); // malformed in another way: the same sender's problem, not logged again
      reply(id);
      // by its uid: the sweep also reaches the outlets of other tests running in this namespace
      await until(
        "the stream",
        () => resolver.streams().has("bec0f3e9-ee17-4d8e-8896-02eb69103fcc"),
      );
      const found = resolver.streams().get("bec0f3e9-ee17-4d8e-8896-02eb69103fcc");
      expect(found?.info.v4address).toBe("127.0.0.1");
      expect(found?.lastSeenMs).toBe(clock.now());
      await until("the log line", () => logs.some((l) => l.includes("channel_count")));
      expect(logs.filter((l) => l.includes("channel_count")).length).toBe(1);
      expect(logs.filter((l) => l.includes("bad reply")).length).toBe(1);
    } finally {
      await resolver.close();
      await closeUdp(outlet);
    }
    // closed means its port is free again (a bind without SO_REUSEADDR fails while it is held)
    const again = dgram.createSocket({ type: "udp4" });
    await new Promise<void>((resolve, reject) => {
      again.once("error", reject);
      again.bind(port, "0.0.0.0", () => resolve());
    });
    await closeUdp(again);
  });

  test("machine scope sweeps 127.0.0.1's service ports on the known-peers schedule, also without known peers", async () => {
    const clock = new ManualClock();
    const resolver = await Resolver.start({
      query: "",
      scope: "machine",
      sessionId: "default",
      knownPeers: [],
      clock,
      log: { log: () => {} },
    });
    try {
      expect(resolver.sent).toBe(1); // 127.0.0.1:16571
      await clock.advance(500);
      expect(resolver.sent).toBe(1 + 32); // 127.0.0.1:16572…16603
      await clock.advance(750);
      expect(resolver.sent).toBe(34);
    } finally {
      await resolver.close();
    }
  });

  test("machine scope finds an outlet whose 16571 responder is shadowed by a newer, silent one", async () => {
    const name = `Rs-shadow-${Math.random().toString(36).slice(2, 8)}`;
    const now = () => performance.now() / 1000;
    const fake = await FakeOutlet.start({ name, sourceId: name, offsetS: 0, responder: true, now });
    // bound after the fake's responder: Linux hands unicasts to 127.0.0.1:16571 to this one only
    const silent = await listener();
    const resolver = await Resolver.start({
      query: `name='${name}'`,
      scope: "machine",
      sessionId: "default",
      knownPeers: [],
      clock: systemClock,
      log: { log: () => {} },
    });
    try {
      // the sweep starts 0.5 s after the first wave; 3 s leaves room for a loaded machine
      await until("the shadowed outlet", () => resolver.streams().has(fake.uid), 3000);
      expect(silent.got.some((t) => t.includes(name))).toBe(true); // the unicast did go to the newer socket
    } finally {
      await resolver.close();
      await closeUdp(silent.socket);
      await fake.close();
    }
  });
});

/** @module The MQTT pieces without a broker: the flags (exit-2 errors), topic names, the bounded queue. */
import { describe, expect, test } from "bun:test";
import { parseServeArgs, USAGE, UsageError } from "../../src/app/config.ts";
import { PublishQueue } from "../../src/mqtt/queue.ts";
import { bridgeIdFromHost, bridgeTopics } from "../../src/mqtt/topics.ts";
import { safeUrl } from "../../src/mqtt/connection.ts";
import { runServeCli } from "../_support/server-process.ts";

describe("parseServeArgs (MQTT flags)", () => {
  test("defaults to no broker, prefix mw75 and the host name as bridge id", () => {
    expect(parseServeArgs([]).mqtt).toEqual({
      url: null,
      username: null,
      password: null,
      prefix: "mw75",
      bridgeId: null,
    });
  });

  test("takes every flag, and the credentials from the environment when the flags do not give them", () => {
    const c = parseServeArgs([
      "--mqtt",
      "mqtts://broker.lab:8883",
      "--mqtt-prefix",
      "lab/eeg",
      "--bridge-id",
      "room-3",
    ], {
      MW75_MQTT_USERNAME: "u1",
      MW75_MQTT_PASSWORD: "p1",
    });
    expect(c.mqtt).toEqual({
      url: "mqtts://broker.lab:8883",
      username: "u1",
      password: "p1",
      prefix: "lab/eeg",
      bridgeId: "room-3",
    });
    const flags = parseServeArgs([
      "--mqtt=ws://127.0.0.1:9001",
      "--mqtt-username",
      "u2",
      "--mqtt-password",
      "p2",
    ], { MW75_MQTT_PASSWORD: "env" });
    expect([flags.mqtt.username, flags.mqtt.password]).toEqual(["u2", "p2"]);
  });

  test("bad input throws UsageError naming the flag, never the password", () => {
    const cases: [string[], RegExp][] = [
      [["--mqtt", "http://broker:1883"], /--mqtt expects a URL starting with mqtt:\/\//],
      [["--mqtt", "not a url"], /--mqtt expects a broker URL/],
      [
        ["--mqtt", "mqtt://127.0.0.1", "--mqtt-prefix", "a/+/b"],
        /--mqtt-prefix must not contain the MQTT wildcards/,
      ],
      [["--mqtt", "mqtt://127.0.0.1", "--mqtt-prefix", "lab#"], /wildcards/],
      [["--mqtt", "mqtt://127.0.0.1", "--mqtt-prefix", "a//b"], /empty topic level/],
      [["--mqtt", "mqtt://127.0.0.1", "--mqtt-prefix", "$SYS"], /must not start with "\$"/],
      [["--mqtt", "mqtt://127.0.0.1", "--bridge-id", "a/b"], /--bridge-id is one topic level/],
      [["--bridge-id", "lab1"], /--bridge-id only applies with --mqtt URL/],
      [
        ["--mqtt", "mqtt://127.0.0.1", "--mqtt-password", ""],
        /--mqtt-password needs a non-empty value/,
      ],
    ];
    for (const [args, message] of cases) {
      let error: unknown;
      try {
        parseServeArgs(args);
      } catch (e) {
        error = e;
      }
      expect({ args, usage: error instanceof UsageError, message: String(error) }).toMatchObject({
        args,
        usage: true,
        message: expect.stringMatching(message),
      });
    }
  });

  test("the usage text lists every MQTT flag", () => {
    for (
      const flag of [
        "--mqtt URL",
        "--mqtt-username",
        "--mqtt-password",
        "--mqtt-prefix",
        "--bridge-id",
        "MW75_MQTT_PASSWORD",
      ]
    ) expect(USAGE).toContain(flag);
  });

  test("serve exits 2 with the message and the usage on a bad broker URL", async () => {
    const r = await runServeCli("bun", ["--mqtt", "tcp://127.0.0.1:1883"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error: --mqtt expects a URL starting with mqtt://, mqtts://, ws:// or wss://, got "tcp://"',
    );
    expect(r.stderr).toContain("--mqtt-prefix P");
  }, 20_000);
});

describe("bridgeTopics", () => {
  test("names the topics of BRIDGE-API §7", () => {
    const t = bridgeTopics("lab/mw75", "room-3");
    expect([t.status, t.state("sim-1"), t.eeg("sim-1"), t.events("sim-1")]).toEqual([
      "lab/mw75/room-3/status",
      "lab/mw75/room-3/sim-1/state",
      "lab/mw75/room-3/sim-1/eeg",
      "lab/mw75/room-3/sim-1/events",
    ]);
  });

  test("makes a host name one safe topic level", () => {
    expect(bridgeIdFromHost("lab-pc.local")).toBe("lab-pc.local");
    expect(bridgeIdFromHost("a/b+c#d e")).toBe("a-b-c-d-e");
    expect(bridgeIdFromHost("  ")).toBe("bridge");
  });

  test("safeUrl strips credentials from the broker URL and masks secret query values", () => {
    expect(safeUrl("mqtt://user:secret@broker:1883")).toBe("mqtt://broker:1883");
    // the same helper as push mode's (core/shown-url.ts): a token in the query is hidden too
    expect(safeUrl("wss://u:p@broker:443/mqtt?room=a&access_token=abc")).toBe(
      "wss://broker/mqtt?room=a&access_token=***",
    );
  });
});

describe("PublishQueue", () => {
  const frame = (seq: number) => ({
    topic: "t/eeg",
    payload: String(seq),
    qos: 0 as const,
    retain: false,
    samples: 50,
  });

  test("keeps at most maxSamples of frames, dropping and counting the oldest", () => {
    const q = new PublishQueue(5000);
    for (let i = 0; i < 130; i++) q.push(frame(i));
    expect([q.size, q.dropped, q.droppedSamples]).toEqual([100, 30, 1500]);
    expect(q.shift()?.payload).toBe("30");
  });

  test("bounds events too, and a message put back after a failed publish returns to its place", () => {
    const q = new PublishQueue(5000);
    for (let i = 0; i < 1005; i++) {
      q.push({ topic: "t/events", payload: `e${i}`, qos: 1, retain: false, samples: 0 });
    }
    expect([q.size, q.dropped]).toEqual([1000, 5]);
    const a = q.shift()!;
    const b = q.shift()!;
    q.putBack(b);
    q.putBack(a);
    expect([q.shift()?.payload, q.shift()?.payload, q.shift()?.payload]).toEqual([
      "e5",
      "e6",
      "e7",
    ]);
  });
});

/** @module `--ws-push` and `--ws-push-token` on the command line: targets per device, and the refusals (exit 2) that name what is wrong but never the credentials. */
import { describe, expect, test } from "bun:test";
import { parseServeArgs, UsageError } from "../../src/app/config.ts";

function refusal(args: string[]): string {
  try {
    parseServeArgs(args);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`accepted: ${args.join(" ")}`);
}

describe("--ws-push", () => {
  test("without it nothing is pushed", () => {
    expect(parseServeArgs([]).wsPush.targets).toEqual([]);
  });

  test("a URL goes to the default device, ID=URL to that device, repeatable", () => {
    const c = parseServeArgs([
      "--sim-devices",
      "2",
      "--ws-push",
      "ws://127.0.0.1:9000/a?room=x=y",
      "--ws-push=sim-2=wss://relay.test/b",
      "--ws-push",
      "wss://relay.test/b",
    ]);
    expect(c.wsPush.targets.map((t) => [t.deviceId, t.socketUrl])).toEqual([
      ["sim-1", "ws://127.0.0.1:9000/a?room=x=y"],
      ["sim-2", "wss://relay.test/b"],
      ["sim-1", "wss://relay.test/b"],
    ]);
  });

  test("--ws-push-token (or MW75_WS_PUSH_TOKEN) becomes a Bearer header", () => {
    const c = parseServeArgs(["--ws-push", "ws://h/"], { MW75_WS_PUSH_TOKEN: "abc.def" });
    expect(c.wsPush.targets[0]!.headers).toEqual({ Authorization: "Bearer abc.def" });
  });

  test("bad values are refused with a message that names the problem, not the secret", () => {
    const cases: [string[], RegExp][] = [
      [["--ws-push", "not a url"], /--ws-push expects a WebSocket URL/],
      [["--ws-push", "http://u:hunter2@h/"], /ws:\/\/ or wss:\/\/ URL, got "http:\/\/"/],
      [["--ws-push", "ws://h/#frag"], /no #fragment/],
      // `new URL` accepts a stray % in userinfo; decoding it for Basic would throw a URIError
      [["--ws-push", "ws://u:hunter2%zz@h/"], /valid percent-encoding in user:pass@/],
      [["--ws-push", "sim-9=ws://h/"], /names the device sim-9, but the devices are sim-1/],
      [["--ws-push", "ws://h/", "--ws-push", "ws://h/"], /twice for the device sim-1/],
      [["--ws-push-token", "abc"], /only applies with --ws-push/],
      [["--ws-push", "ws://h/", "--ws-push-token", "a b"], /printable ASCII/],
      [
        ["--ws-push", "ws://u:hunter2@h/", "--ws-push-token", "abc"],
        /give the server's credentials one way/,
      ],
      [["--ws-push"], /--ws-push/],
    ];
    for (const [args, expected] of cases) {
      const message = refusal(args);
      expect({ args, message }).toEqual({ args, message: expect.stringMatching(expected) });
      expect(message).not.toContain("hunter2");
    }
  });
});

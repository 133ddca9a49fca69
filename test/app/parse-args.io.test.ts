/**
 * @module What `node:util` `parseArgs` hands over is judged as the hand-written parser judged it,
 * under Bun, Deno and Node alike (each runtime ships its own parseArgs).
 */
import { describe, expect, test } from "bun:test";
import { parseServeArgs, UsageError } from "../../src/app/config.ts";

describe("what parseArgs hands over is judged as before", () => {
  const message = (args: string[]): string | null => {
    try {
      parseServeArgs(args);
      return null;
    } catch (e) {
      if (e instanceof UsageError) return e.message;
      throw e;
    }
  };

  test("short groups, positionals, -- and switches with a value are unknown options", () => {
    for (
      const arg of ["-vh", "-v=1", "-hx", "foo", "-", "--", "--=x", "--verbose=1", "--no-auth=1"]
    ) {
      expect({ arg, message: message([arg]) }).toEqual({ arg, message: `unknown option "${arg}"` });
    }
    expect(message(["--", "--port", "1"])).toBe('unknown option "--"');
  });

  test("a valued flag takes the next argument whatever it looks like", () => {
    expect(message(["--port", "-1"])).toBe(
      '--port expects an integer between 0 and 65535, got "-1"',
    );
    expect(message(["--port", "--host", "x"])).toBe(
      '--port expects an integer between 0 and 65535, got "--host"',
    );
    expect(message(["--port"])).toBe("--port needs a value");
    expect(message(["--port="])).toBe('--port expects an integer between 0 and 65535, got ""');
    expect(parseServeArgs(["--port", "1", "--port=2"]).port).toBe(2);
    expect(parseServeArgs(["--rfcomm-tty=AA:BB:CC:DD:EE:01=/dev/x=y"]).rfcommTtys).toEqual({
      "AA:BB:CC:DD:EE:01": "/dev/x=y",
    });
  });

  test("a variable stands only for a flag not given, an empty one for none", () => {
    expect(parseServeArgs(["--token", "flag-token"], { MW75_TOKEN: "short" }).access.token).toBe(
      "flag-token",
    );
    expect(parseServeArgs([], { MW75_TOKEN: "" }).access.token).toBe(null);
    expect(message([] /* env */)).toBe(null);
    expect(() => parseServeArgs([], { MW75_TOKEN: "short" })).toThrow(/^MW75_TOKEN must be/);
    // the table's default prefix may be repeated without a broker; another is refused
    expect(message(["--mqtt-prefix", "mw75"])).toBe(null);
    expect(message(["--mqtt-prefix", "lab"])).toBe("--mqtt-prefix only applies with --mqtt URL");
  });
});

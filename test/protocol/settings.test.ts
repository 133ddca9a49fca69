/** @module `get` / `set` validation (docs/protocol/bridge-api.md §5.1): every key's rule, the codes and messages, all-or-nothing. */
import { describe, expect, test } from "bun:test";
import {
  firstSetKey,
  parseGet,
  parseSet,
  pickSettings,
  SETTING_KEYS,
} from "../../src/protocol/settings.ts";
import type { SettingsProblem, SettingsWrite, SettingValues } from "../../src/protocol/settings.ts";

const ok = (data: unknown): SettingsWrite => {
  const r = parseSet(data);
  if (!r.ok) throw new Error(`expected a valid set, got ${r.code}: ${r.message}`);
  return r.value;
};
const problem = (data: unknown): SettingsProblem => {
  const r = parseSet(data);
  if (r.ok) throw new Error(`expected a problem, got ${JSON.stringify(r)}`);
  return r;
};
const one = (key: string, value: unknown) => parseSet({ values: { [key]: value } });

describe("parseSet", () => {
  test("accepts a valid value of every key and normalises them", () => {
    const w = ok({
      values: {
        auto_reconnect: 1,
        log_level: "info",
        subject: "S-01",
        session_label: "",
        heartbeat_s: 300,
        notch_hz: 60,
      },
    });
    expect(w.values).toEqual({
      auto_reconnect: true,
      log_level: "INFO",
      subject: "S-01",
      session_label: "",
      heartbeat_s: 300,
      notch_hz: 60,
    });
    expect(w.keys).toEqual([
      "auto_reconnect",
      "log_level",
      "subject",
      "session_label",
      "heartbeat_s",
      "notch_hz",
    ]);
    expect(ok({ values: { auto_reconnect: false } }).values).toEqual({ auto_reconnect: false });
    expect(ok({ values: { auto_reconnect: 0 } }).values).toEqual({ auto_reconnect: false });
    expect(ok({ values: { notch_hz: null } }).values).toEqual({ notch_hz: null });
    expect(ok({ values: { notch_hz: 50 } }).values).toEqual({ notch_hz: 50 });
    expect(ok({ values: { heartbeat_s: 5 } }).values).toEqual({ heartbeat_s: 5 });
    expect(ok({ values: { log_level: "Warning" } }).values).toEqual({ log_level: "WARNING" });
    expect(ok({ values: { subject: "é".repeat(64) } }).values).toEqual({ subject: "é".repeat(64) });
    expect(ok({ values: { session_label: "🧠".repeat(64) } }).keys).toEqual(["session_label"]); // characters, not UTF-16 units
  });

  test("refuses a bad value of each key with INVALID_VALUE naming the key and what is allowed", () => {
    const cases: [string, unknown, string][] = [
      ["auto_reconnect", "false", "Value must be a boolean (true, false, 0 or 1)"],
      ["auto_reconnect", null, "Value must be a boolean (true, false, 0 or 1)"],
      ["auto_reconnect", 2, "Value must be a boolean (true, false, 0 or 1)"],
      ["log_level", "verbose", "Value must be one of DEBUG, INFO, WARNING, ERROR (any case)"],
      ["log_level", "CRITICAL", "Value must be one of DEBUG, INFO, WARNING, ERROR (any case)"],
      ["log_level", 20, "Value must be one of DEBUG, INFO, WARNING, ERROR (any case)"],
      ["subject", "x".repeat(65), "Value must be a string of at most 64 characters"],
      ["subject", 42, "Value must be a string of at most 64 characters"],
      ["session_label", null, "Value must be a string of at most 64 characters"],
      ["heartbeat_s", 4, "Value must be between 5 and 300"],
      ["heartbeat_s", 301, "Value must be between 5 and 300"],
      ["heartbeat_s", 0, "Value must be between 5 and 300"],
      ["heartbeat_s", 7.5, "Value must be an integer between 5 and 300"],
      ["heartbeat_s", "30", "Value must be an integer between 5 and 300"],
      ["heartbeat_s", null, "Value must be an integer between 5 and 300"],
      ["notch_hz", 55, "Value must be null, 50 or 60"],
      ["notch_hz", "50", "Value must be null, 50 or 60"],
      ["notch_hz", false, "Value must be null, 50 or 60"],
    ];
    for (const [key, value, message] of cases) {
      expect({ key, value, r: one(key, value) }).toEqual({
        key,
        value,
        r: { ok: false, code: "INVALID_VALUE", message, key },
      });
    }
  });

  test("refuses an unknown key with UNKNOWN_KEY naming it", () => {
    expect(problem({ values: { heartbeat: 10 } })).toEqual({
      ok: false,
      code: "UNKNOWN_KEY",
      key: "heartbeat",
      message:
        "Unknown setting: heartbeat. Settings are auto_reconnect, log_level, subject, session_label, heartbeat_s, notch_hz",
    });
    expect(problem({ values: { code: 1 } })).toMatchObject({ code: "UNKNOWN_KEY", key: "code" });
    expect(problem({ values: { ["__proto__"]: 1 } })).toMatchObject({
      code: "UNKNOWN_KEY",
      key: "__proto__",
    });
    expect(problem({ values: JSON.parse('{"__proto__": {"heartbeat_s": 5}}') })).toMatchObject({
      code: "UNKNOWN_KEY",
      key: "__proto__",
    });
  });

  test("is all-or-nothing: one bad key anywhere makes the whole set a problem, the first one answers", () => {
    expect(problem({ values: { subject: "ok", heartbeat_s: 1, notch_hz: 50 } })).toEqual({
      ok: false,
      code: "INVALID_VALUE",
      key: "heartbeat_s",
      message: "Value must be between 5 and 300",
    });
    expect(problem({ values: { notch_hz: 50, nope: 1, heartbeat_s: 1 } })).toMatchObject({
      code: "UNKNOWN_KEY",
      key: "nope",
    });
    expect(problem({ values: { heartbeat_s: 1, nope: 1 } })).toMatchObject({
      code: "INVALID_VALUE",
      key: "heartbeat_s",
    });
  });

  test("refuses a bad request shape with INVALID_PARAMETERS (no key)", () => {
    for (
      const data of [
        undefined,
        null,
        {},
        { values: {} },
        { values: null },
        { values: [] },
        { values: [["heartbeat_s", 5]] },
        { values: "x" },
        "x",
        [1],
        3,
      ]
    ) {
      const p = problem(data);
      expect({ data, code: p.code, key: p.key }).toEqual({
        data,
        code: "INVALID_PARAMETERS",
        key: undefined,
      });
    }
    expect(problem({ values: { heartbeat_s: 10 }, extra: 1 })).toEqual({
      ok: false,
      code: "INVALID_PARAMETERS",
      message:
        'Unknown field extra for set; its only field is values, e.g. {"values": {"heartbeat_s": 10, …}}',
    });
    expect(problem({ values: {} }).message).toBe(
      'Invalid values: must be a non-empty object of setting names and values, e.g. {"values": {"heartbeat_s": 10, …}}',
    );
  });
});

describe("parseGet", () => {
  test("returns every key when keys is absent", () => {
    for (const data of [undefined, null, {}, { keys: null }]) {
      expect(parseGet(data)).toEqual({ ok: true, value: { keys: [...SETTING_KEYS] } });
    }
  });

  test("returns the asked keys in order without duplicates", () => {
    expect(parseGet({ keys: ["notch_hz", "heartbeat_s", "notch_hz"] })).toEqual({
      ok: true,
      value: { keys: ["notch_hz", "heartbeat_s"] },
    });
  });

  test("refuses unknown keys with UNKNOWN_KEY and bad shapes with INVALID_PARAMETERS", () => {
    expect(parseGet({ keys: ["heartbeat_s", "volume"] })).toMatchObject({
      ok: false,
      code: "UNKNOWN_KEY",
      key: "volume",
    });
    for (
      const data of [{ keys: [] }, { keys: "heartbeat_s" }, { keys: [1] }, { key: "x" }, "x", [1]]
    ) {
      expect(parseGet(data)).toMatchObject({ ok: false, code: "INVALID_PARAMETERS" });
    }
  });
});

describe("firstSetKey", () => {
  test("names the request's first key, or null when there is none", () => {
    expect(firstSetKey({ values: { subject: "a", heartbeat_s: 5 } })).toBe("subject");
    expect(firstSetKey({ values: { nope: 1 } })).toBe("nope");
    for (const data of [undefined, {}, { values: {} }, { values: [] }, "x"]) {
      expect(firstSetKey(data)).toBeNull();
    }
  });
});

describe("pickSettings", () => {
  test("keeps only the asked keys, in their order", () => {
    const all: SettingValues = {
      auto_reconnect: true,
      log_level: "INFO",
      subject: "s",
      session_label: "l",
      heartbeat_s: 30,
      notch_hz: null,
    };
    expect(Object.entries(pickSettings(all, ["notch_hz", "subject"]))).toEqual([
      ["notch_hz", null],
      ["subject", "s"],
    ]);
  });
});

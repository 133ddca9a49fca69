/** @module The resolve-query evaluator: every query of lsl-wire.md §2, XPath comparison rules, unsupported syntax. */
import { describe, expect, test } from "bun:test";
import { compileQuery, QueryError } from "../../src/lsl/wire/query.ts";
import { infoTree } from "../../src/lsl/wire/xml-write.ts";
import type { StreamInfo, XmlElement } from "../../src/lsl/wire/stream-info.ts";
import { CAPTURED_INFO } from "../_support/lsl-captures.ts";

const el = (name: string, text: string, children: XmlElement[] = []): XmlElement => ({
  name,
  text,
  children,
});
const info: StreamInfo = {
  ...CAPTURED_INFO,
  sourceId: "mw75-ts-001",
  desc: [
    el("channels", "", [
      el("channel", "", [el("label", "REF")]),
      el("channel", "", [el("label", "Ch1")]),
    ]),
    el("acquisition", "", [el("manufacturer", "Master & Dynamic")]),
  ],
};
const tree = infoTree(info, true);
const run = (q: string): boolean => compileQuery(q)(tree);

describe("compileQuery", () => {
  const table: [string, boolean][] = [
    ["", true],
    ["   ", true],
    ["session_id='default' and type='EEG'", true],
    ["session_id='default'", true],
    ["session_id='other'", false],
    [
      "channel_count='14' and name='MW75_EEG' and type='EEG' and source_id='mw75-ts-001' and channel_format='float32'",
      true,
    ],
    ["starts-with(name,'MW')", true],
    ["starts-with(name, 'EEG')", false],
    ['type="EEG"', true],
    ["channel_count=14", true],
    ["channel_count='14'", true],
    ["channel_count=14.0", true],
    ["channel_count='14.0'", false], // string against string: "14" is not "14.0"
    ["nominal_srate>100", true],
    ["nominal_srate > 500", false],
    ["nominal_srate>=500 and nominal_srate<=500", true],
    ["nominal_srate='500'", false], // its text is "500.0000000000000"
    ["nominal_srate=500", true],
    ["type!='EEG'", false],
    ["not(type='Markers')", true],
    ["type='Markers' or name='MW75_EEG'", true],
    ["(type='Markers' or type='EEG') and not(session_id!='default')", true],
    ["desc/channels/channel/label='Ch1'", true], // any node of the set matches
    ["desc/channels/channel/label!='Ch1'", true], // REF differs
    ["desc/channels/channel/label='Ch9'", false],
    ["count(desc/channels/channel)=2", true],
    ["contains(desc/acquisition/manufacturer,'&')", true],
    ["string-length(name)=8", true],
    ["string(channel_count)='14'", true],
    ["number(channel_count)>13", true],
    ["missing='x'", false],
    ["missing!='x'", false], // an empty node-set compares false either way
    ["nominal_srate > -1", true],
    ["/info/name='MW75_EEG'", true],
    ["name", true],
    ["v4address", true], // exists, though empty
    ["string(v4address)", false],
    ["name = 'MW75_EEG'\t and \r\n type = 'EEG'", true],
  ];
  for (const [q, expected] of table) {
    test(`${JSON.stringify(q)} → ${expected}`, () => expect(run(q)).toBe(expected));
  }

  const unsupported: [string, string][] = [
    ["//name='x'", "'//'"],
    ["name[1]='x'", "'['"],
    ["@id='x'", "'@'"],
    ["concat(name,'x')='y'", "concat()"],
    ["name='x' | type='y'", "'|'"],
    ["name='unterminated", "unterminated"],
    ["channel_count + 1 = 15", "'+'"],
    ["(name='x'", "')'"],
    ["name=", "ends early"],
    ["not()", "not() with 0 arguments"],
    ["name='x' type='y'", "'type'"],
  ];
  for (const [q, construct] of unsupported) {
    test(`${JSON.stringify(q)} is refused naming ${construct}`, () => {
      let error: unknown;
      try {
        compileQuery(q);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(QueryError);
      expect((error as QueryError).construct).toContain(construct);
    });
  }
});

describe("hostile queries end in QueryError, never a RangeError (stack overflow)", () => {
  const refused = (q: string): string => {
    try {
      compileQuery(q)(tree);
    } catch (e) {
      expect(e).toBeInstanceOf(QueryError);
      return (e as QueryError).construct;
    }
    throw new Error("accepted");
  };
  test("a query over 4 KB is refused before it is parsed (real ones are < 200 B)", () => {
    expect(refused(`name='${"x".repeat(4100)}'`)).toContain("too long");
    expect(run(`name='${"x".repeat(4000)}'`)).toBe(false); // just under the cap still runs
  });
  test("deep nesting: parentheses, calls, negations", () => {
    expect(refused("(".repeat(2000) + "1" + ")".repeat(2000))).toContain("nesting too deep");
    expect(refused("(".repeat(65) + "1" + ")".repeat(65))).toContain("nesting too deep");
    expect(run("(".repeat(60) + "name='MW75_EEG'" + ")".repeat(60))).toBe(true);
    expect(refused("not(".repeat(600) + "1" + ")".repeat(600))).toContain("nesting too deep");
    expect(refused("-".repeat(4000) + "1")).toContain("nesting too deep");
  });
  test("long and/or/comparison chains", () => {
    expect(refused("b or ".repeat(800) + "b")).toContain("too many terms");
    expect(refused("1=".repeat(1500) + "1")).toContain("too many terms");
    expect(run("missing or ".repeat(200) + "name")).toBe(true);
  });
  test("fuzz: random deep mixes of ( not( - and or stay QueryError or a boolean", () => {
    let seed = 21;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const open = ["(", "not(", "-", "boolean(", "string("];
    for (let k = 0; k < 200; k++) {
      const depth = 40 + rnd(1000);
      let q = "";
      const close: string[] = [];
      for (let d = 0; d < depth; d++) {
        const o = open[rnd(open.length)]!;
        q += o + (rnd(4) === 0 ? "name or " : "");
        if (o !== "-") close.push(")");
      }
      q += "1" + close.reverse().join("");
      if (q.length > 4096) q = q.slice(0, 4096);
      try {
        expect(typeof compileQuery(q)(tree)).toBe("boolean");
      } catch (e) {
        expect(e).toBeInstanceOf(QueryError);
      }
    }
  });
});

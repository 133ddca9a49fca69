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

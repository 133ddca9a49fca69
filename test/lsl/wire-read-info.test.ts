/** @module The info reader: liblsl's read_xml validity rules (docs/protocol/lsl-wire.md §3) and an XML reader that survives garbage. */
import { describe, expect, test } from "bun:test";
import {
  InfoError,
  MAX_XML_CHARS,
  readStreamInfo,
  readXml,
  XmlError,
} from "../../src/lsl/wire/info-read.ts";
import { capturedShortinfoReply } from "../_support/lsl-captures-inlet.ts";
import { prng } from "../_support/streams.ts";

const xml = capturedShortinfoReply().text.split("\r\n").slice(1).join("\r\n");
const withField = (field: string, value: string) =>
  xml.replace(new RegExp(`<${field}>[^<]*</${field}>`), `<${field}>${value}</${field}>`);

function fieldOf(doc: string): string {
  try {
    readStreamInfo(doc);
  } catch (e) {
    if (e instanceof InfoError) return e.field;
    throw e;
  }
  return "(valid)";
}

describe("read_xml rules", () => {
  test("the captured shortinfo is valid", () => {
    expect(fieldOf(xml)).toBe("(valid)");
  });

  const cases: [string, string][] = [
    ["name", ""],
    ["channel_count", "-1"],
    ["channel_count", "1.5"],
    ["nominal_srate", "-500"],
    ["nominal_srate", "fast"],
    ["channel_format", "float16"],
    ["version", "0.001"],
    ["version", "x"],
    ["created_at", ""],
    ["uid", ""],
    ["v4data_port", ""],
    ["v4service_port", "65536"],
    ["v6data_port", "x"],
    ["v6service_port", "-1"],
  ];
  for (const [field, value] of cases) {
    test(`${field} = "${value}" is rejected naming ${field}`, () => {
      expect(fieldOf(withField(field, value))).toBe(field);
    });
  }

  test("a missing port element is rejected", () => {
    expect(fieldOf(xml.replace(/<v6service_port>.*<\/v6service_port>/, ""))).toBe("v6service_port");
  });

  test("entities are decoded and desc children kept", () => {
    const doc = withField("name", "a &amp; b &lt;&#65;&#x42;&gt;").replace(
      "<desc />",
      "<desc><channels><channel><label>Fp1</label></channel></channels></desc>",
    );
    const info = readStreamInfo(doc);
    expect(info.name).toBe("a & b <AB>");
    expect(info.desc[0]?.children[0]?.children[0]).toMatchObject({ name: "label", text: "Fp1" });
  });
});

describe("xml reader", () => {
  test("prolog, comments, attributes, self-closing elements", () => {
    const root = readXml('<?xml version="1.0"?>\n<!-- c --><a x="1"><b/><c>t</c></a>\n');
    expect(root.name).toBe("a");
    expect(root.children.map((c) => c.name)).toEqual(["b", "c"]);
  });

  test("broken documents are XmlErrors", () => {
    for (
      const bad of ["", "<a>", "<a></b>", "text", "<a/><b/>", "<a><!-- x</a>", "<>", "<a", "</a>"]
    ) {
      expect(() => readXml(bad)).toThrow(XmlError);
    }
    expect(() => readXml("<a>".repeat(100) + "</a>".repeat(100))).toThrow(/deeper/);
    expect(() => readXml(" ".repeat(MAX_XML_CHARS + 1))).toThrow(/longer/);
  });

  test("fuzz: garbage and mutated infos throw only XmlError/InfoError, never anything else", () => {
    const random = prng(21);
    const alphabet = "<>/?!-&;#x=\"' abcinfo\n\t0123456789";
    for (let round = 0; round < 3000; round++) {
      let doc: string;
      if (round % 2 === 0) {
        doc = Array.from(
          { length: Math.floor(random() * 80) },
          () => alphabet[Math.floor(random() * alphabet.length)],
        ).join("");
      } else {
        const chars = [...xml];
        for (let k = 0; k < 4; k++) {
          chars[Math.floor(random() * chars.length)] =
            alphabet[Math.floor(random() * alphabet.length)] ?? "";
        }
        doc = chars.join("");
      }
      try {
        readStreamInfo(doc);
      } catch (e) {
        if (!(e instanceof XmlError || e instanceof InfoError)) throw e;
      }
    }
  });
});

/** @module infoXml against liblsl's own shortinfo (captured), doubles in pugixml's format, escaping, desc. */
import { describe, expect, test } from "bun:test";
import { escapeXml, formatDouble, infoTree, infoXml } from "../../src/lsl/wire/xml-write.ts";
import type { StreamInfo } from "../../src/lsl/wire/stream-info.ts";
import { CAPTURED_INFO, readCapture, udpDatagrams } from "../_support/lsl-captures.ts";

describe("infoXml", () => {
  test("is byte-exact with the shortinfo liblsl sent in its discovery reply", () => {
    const reply = udpDatagrams(readCapture("liblsl-outlet-inlet.udp.txt")).find((d) =>
      d.text.includes("<info>")
    );
    expect(reply).toBeDefined();
    const xml = reply!.text.slice(reply!.text.indexOf("\r\n") + 2);
    expect(infoXml(CAPTURED_INFO, false)).toBe(xml);
    expect(xml.length).toBeGreaterThan(600);
  });

  test("doubles carry 16 significant digits and a decimal point", () => {
    expect(formatDouble(500)).toBe("500.0000000000000");
    expect(formatDouble(1.1)).toBe("1.100000000000000");
    expect(formatDouble(546.460481537)).toBe("546.4604815370000");
    expect(formatDouble(0)).toBe("0.000000000000000");
    expect(formatDouble(1e21)).toBe("1.000000000000000e+21");
  });

  test("text is escaped and fullinfo writes the desc subtree with tabs; shortinfo leaves it empty", () => {
    expect(escapeXml("a&b<c>d\"e'\u0001")).toBe("a&amp;b&lt;c&gt;d\"e'&#1;");
    const info: StreamInfo = {
      ...CAPTURED_INFO,
      name: "R&D <1>",
      desc: [{
        name: "channels",
        text: "",
        children: [{
          name: "channel",
          text: "",
          children: [{ name: "label", text: "Ch1", children: [] }, {
            name: "unit",
            text: "",
            children: [],
          }],
        }],
      }],
    };
    const full = infoXml(info, true);
    expect(full).toContain("\t<name>R&amp;D &lt;1&gt;</name>\n");
    expect(full).toContain(
      "\t<desc>\n\t\t<channels>\n\t\t\t<channel>\n\t\t\t\t<label>Ch1</label>\n\t\t\t\t<unit />\n\t\t\t</channel>\n\t\t</channels>\n\t</desc>\n</info>\n",
    );
    expect(infoXml(info, false)).toContain("\t<desc />\n</info>\n");
    expect(infoXml(info, false)).toContain("\t<v4address></v4address>\n");
  });

  test("infoTree holds the same texts the XML shows", () => {
    const tree = infoTree(CAPTURED_INFO, true);
    expect(tree.name).toBe("info");
    expect(tree.children.map((c) => c.name).slice(0, 3)).toEqual(["name", "type", "channel_count"]);
    expect(tree.children.find((c) => c.name === "nominal_srate")?.text).toBe("500.0000000000000");
  });
});

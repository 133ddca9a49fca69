/** @module A stream's `<info>` document as pugixml writes it (docs/protocol/lsl-wire.md §3), and as a tree for queries. */
import type { StreamInfo, XmlElement } from "./stream-info.ts";

/** C's `%#.16g`: 16 significant digits, trailing zeros kept (500 → `500.0000000000000`). */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const text = x.toPrecision(16);
  // JS writes `1.000000000000000e+21`; C pads the exponent to two digits, which JS already does for ≥ 10
  return text.replace(/e([+-])(\d)$/, "e$10$2");
}

/** Text content escaped as pugixml does: the three markup characters and control characters. */
export function escapeXml(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => {
    if (c === "&") return "&amp;";
    if (c === "<") return "&lt;";
    if (c === ">") return "&gt;";
    return `&#${c.charCodeAt(0)};`;
  });
}

const leaf = (name: string, text: string): XmlElement => ({ name, text, children: [] });

/**
 * The `<info>` element. Every field carries a text node, even an empty one (so `<v4address></v4address>`);
 * only `desc` may be empty (`<desc />`), and shortinfo always leaves it so.
 */
export function infoTree(info: StreamInfo, full: boolean): XmlElement {
  const children: XmlElement[] = [
    leaf("name", info.name),
    leaf("type", info.type),
    leaf("channel_count", String(Math.trunc(info.channelCount))),
    leaf("channel_format", info.channelFormat),
    leaf("source_id", info.sourceId),
    leaf("nominal_srate", formatDouble(info.nominalSrate)),
    leaf("version", formatDouble(info.version)),
    leaf("created_at", formatDouble(info.createdAt)),
    leaf("uid", info.uid),
    leaf("session_id", info.sessionId),
    leaf("hostname", info.hostname),
    leaf("v4address", info.v4address),
    leaf("v4data_port", String(info.v4dataPort)),
    leaf("v4service_port", String(info.v4servicePort)),
    leaf("v6address", info.v6address),
    leaf("v6data_port", String(info.v6dataPort)),
    leaf("v6service_port", String(info.v6servicePort)),
    { name: "desc", text: "", children: full ? info.desc : [] },
  ];
  return { name: "info", text: "", children };
}

/** The fields that are always written with a text node, even when empty. */
const FIELDS = new Set([
  "name",
  "type",
  "channel_count",
  "channel_format",
  "source_id",
  "nominal_srate",
  "version",
  "created_at",
  "uid",
  "session_id",
  "hostname",
  "v4address",
  "v4data_port",
  "v4service_port",
  "v6address",
  "v6data_port",
  "v6service_port",
]);

function writeElement(out: string[], e: XmlElement, depth: number, field: boolean): void {
  const indent = "\t".repeat(depth);
  if (e.children.length === 0) {
    // liblsl's fields always hold a text node; a desc element without text has none, so it self-closes
    if (e.text === "" && !field) out.push(`${indent}<${e.name} />\n`);
    else out.push(`${indent}<${e.name}>${escapeXml(e.text)}</${e.name}>\n`);
    return;
  }
  out.push(`${indent}<${e.name}>\n`);
  if (e.text !== "") out.push(`${indent}\t${escapeXml(e.text)}\n`);
  for (const child of e.children) {
    writeElement(out, child, depth + 1, depth === 0 && FIELDS.has(child.name));
  }
  out.push(`${indent}</${e.name}>\n`);
}

/** The document: `<?xml version="1.0"?>`, LF line ends, TAB indentation; `full` keeps the desc subtree. */
export function infoXml(info: StreamInfo, full: boolean): string {
  const out = ['<?xml version="1.0"?>\n'];
  writeElement(out, infoTree(info, full), 0, false);
  return out.join("");
}

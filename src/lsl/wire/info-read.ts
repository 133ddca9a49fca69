/** @module A stream's `<info>` XML → StreamInfo with liblsl's read_xml rules (lsl-wire.md §3), via a small bounded XML reader. */
import {
  CHANNEL_FORMATS,
  type ChannelFormat,
  type StreamInfo,
  type XmlElement,
} from "./stream-info.ts";

/** Largest document read: a fullinfo with a few hundred channels is far below it. */
export const MAX_XML_CHARS = 1 << 20;
/** Deepest nesting accepted, so a hostile document cannot recurse the reader to death. */
const MAX_DEPTH = 64;

/** The document is not XML this reader accepts. */
export class XmlError extends Error {
  override name = "XmlError";
}

/** The document is XML but liblsl would reject it as a stream info; `field` names the culprit. */
export class InfoError extends Error {
  override name = "InfoError";
  constructor(readonly field: string, why: string) {
    super(`invalid stream info: ${field} ${why}`);
  }
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body[0] !== "#") return ENTITIES[body] ?? whole;
    const code = body[1] === "x" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

interface Building {
  name: string;
  text: string;
  children: XmlElement[];
}

/** Parses one XML document into its root element (prolog, comments and attributes are skipped). */
export function readXml(source: string): XmlElement {
  if (source.length > MAX_XML_CHARS) {
    throw new XmlError(`document longer than ${MAX_XML_CHARS} chars`);
  }
  const stack: Building[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (stack.length > 0) stack[stack.length - 1]!.text += decodeEntities(text);
    else if (text.trim() !== "") throw new XmlError("text outside the root element");
    if (lt < 0) break;
    if (source.startsWith("<?", lt)) i = skipPast(source, lt, "?>");
    else if (source.startsWith("<!--", lt)) i = skipPast(source, lt, "-->");
    else if (source.startsWith("<![CDATA[", lt)) {
      const end = skipPast(source, lt, "]]>");
      if (stack.length === 0) throw new XmlError("CDATA outside the root element");
      stack[stack.length - 1]!.text += source.slice(lt + 9, end - 3);
      i = end;
    } else if (source.startsWith("<!", lt)) i = skipPast(source, lt, ">");
    else {
      const gt = source.indexOf(">", lt);
      if (gt < 0) throw new XmlError("unterminated tag");
      const tag = source.slice(lt + 1, gt);
      i = gt + 1;
      if (tag.startsWith("/")) {
        const open = stack.pop();
        if (open === undefined || open.name !== tag.slice(1).trim()) {
          throw new XmlError(`unexpected closing tag </${tag.slice(1).trim()}>`);
        }
        const done: XmlElement = open;
        if (stack.length > 0) stack[stack.length - 1]!.children.push(done);
        else root = done;
        continue;
      }
      const selfClosing = tag.endsWith("/");
      const name = /^[A-Za-z_:][\w:.-]*/.exec(tag)?.[0];
      if (name === undefined) throw new XmlError("malformed tag");
      if (stack.length === 0 && root !== null) throw new XmlError("second root element");
      if (stack.length >= MAX_DEPTH) throw new XmlError(`nesting deeper than ${MAX_DEPTH}`);
      const element: Building = { name, text: "", children: [] };
      if (!selfClosing) stack.push(element);
      else if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else root = element;
    }
  }
  if (stack.length > 0) throw new XmlError(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (root === null) throw new XmlError("no root element");
  return root;
}

function skipPast(source: string, from: number, end: string): number {
  const at = source.indexOf(end, from);
  if (at < 0) throw new XmlError(`unterminated ${source.slice(from, from + 4)}`);
  return at + end.length;
}

function child(info: XmlElement, name: string): string | undefined {
  return info.children.find((c) => c.name === name)?.text.trim();
}

function integer(info: XmlElement, field: string, max: number): number {
  const text = child(info, field);
  if (text === undefined) throw new InfoError(field, "is missing");
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) {
    throw new InfoError(field, `is not an integer in 0…${max}: "${text.slice(0, 40)}"`);
  }
  return Number(text);
}

function double(info: XmlElement, field: string, pattern: RegExp): number {
  const text = child(info, field) ?? "";
  const value = Number(text);
  if (!pattern.test(text) || !Number.isFinite(value)) {
    throw new InfoError(field, `is not a number: "${text.slice(0, 40)}"`);
  }
  return value;
}

const DOUBLE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const NON_NEGATIVE = /^\+?\d+\.?\d*([eE][-+]?\d+)?$/;

/** An `<info>` document → StreamInfo; `v4address` is the replying host's address (the XML leaves it empty). */
export function readStreamInfo(xml: string, v4address = ""): StreamInfo {
  const info = readXml(xml);
  if (info.name !== "info") throw new InfoError("info", `root element is <${info.name}>`);
  const name = child(info, "name") ?? "";
  if (name === "") throw new InfoError("name", "is empty");
  const channelCount = integer(info, "channel_count", 2 ** 31 - 1);
  const nominalSrate = double(info, "nominal_srate", NON_NEGATIVE);
  const format = child(info, "channel_format") ?? "";
  if (!CHANNEL_FORMATS.includes(format as ChannelFormat)) {
    throw new InfoError("channel_format", `is not a known format: "${format.slice(0, 40)}"`);
  }
  const version = double(info, "version", DOUBLE);
  if (Math.trunc(version * 100) <= 0) throw new InfoError("version", `is not positive: ${version}`);
  const createdAt = double(info, "created_at", DOUBLE);
  const uid = child(info, "uid") ?? "";
  if (uid === "") throw new InfoError("uid", "is empty");
  return {
    name,
    type: child(info, "type") ?? "",
    channelCount,
    channelFormat: format as ChannelFormat,
    sourceId: child(info, "source_id") ?? "",
    nominalSrate,
    version,
    createdAt,
    uid,
    sessionId: child(info, "session_id") ?? "",
    hostname: child(info, "hostname") ?? "",
    v4address: v4address !== "" ? v4address : child(info, "v4address") ?? "",
    v4dataPort: integer(info, "v4data_port", 65535),
    v4servicePort: integer(info, "v4service_port", 65535),
    v6address: child(info, "v6address") ?? "",
    v6dataPort: integer(info, "v6data_port", 65535),
    v6servicePort: integer(info, "v6service_port", 65535),
    desc: info.children.find((c) => c.name === "desc")?.children ?? [],
  };
}

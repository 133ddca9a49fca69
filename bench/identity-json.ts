/**
 * @module JSON read with every number kept as the exact text the server wrote, for the identity
 * check: `JSON.parse` would turn `1e-7` and `1.0e-7` into one value, and a change of number text
 * is a change of the stream.
 */

/** A parsed JSON value; numbers stay as their source text. */
export type Json =
  | { readonly num: string }
  | string
  | boolean
  | null
  | Json[]
  | JsonObject;

/** An object with its members in source order (a reordering is a change of the stream too). */
export interface JsonObject {
  readonly entries: Array<[string, Json]>;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;

/** Parses `text`; throws SyntaxError naming the offset on anything that is not JSON. */
export function parseRaw(text: string): Json {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${at} of ${text.slice(0, 80)}…`);
  };
  const skip = (): void => {
    while (at < text.length && " \t\r\n".includes(text[at]!)) at++;
  };
  const match = (re: RegExp): string | null => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) return null;
    at += m[0].length;
    return m[0];
  };
  const value = (): Json => {
    skip();
    const c = text[at];
    if (c === "{") {
      at++;
      const entries: Array<[string, Json]> = [];
      skip();
      if (text[at] === "}") {
        at++;
        return { entries };
      }
      for (;;) {
        skip();
        const key = match(STRING) ?? fail("expected a key");
        skip();
        if (text[at++] !== ":") fail("expected ':'");
        entries.push([JSON.parse(key) as string, value()]);
        skip();
        const sep = text[at++];
        if (sep === "}") return { entries };
        if (sep !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      at++;
      const items: Json[] = [];
      skip();
      if (text[at] === "]") {
        at++;
        return items;
      }
      for (;;) {
        items.push(value());
        skip();
        const sep = text[at++];
        if (sep === "]") return items;
        if (sep !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return JSON.parse(match(STRING) ?? fail("bad string")) as string;
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return v;
      }
    }
    const num = match(NUMBER);
    return num === null ? fail("unexpected character") : { num };
  };
  const result = value();
  skip();
  if (at !== text.length) fail("trailing text");
  return result;
}

/** Whether `v` is an object (not an array, a number or null). */
export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "entries" in v;
}

/** The member `key` of an object (undefined for anything else). */
export function member(v: Json | undefined, key: string): Json | undefined {
  return isObject(v) ? v.entries.find(([k]) => k === key)?.[1] : undefined;
}

/** The text of a number member, or undefined. */
export function numText(v: Json | undefined): string | undefined {
  return typeof v === "object" && v !== null && "num" in v ? v.num : undefined;
}

/**
 * Canonical text: no whitespace, members in source order, numbers as written. Members whose
 * path (keys from the top, e.g. `data.timestamp`) is in `drop` are left out.
 */
export function canonical(v: Json, drop: ReadonlySet<string> = new Set(), path = ""): string {
  if (v === null || typeof v === "boolean") return String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, drop, path)).join(",")}]`;
  if ("num" in v) return v.num;
  const parts: string[] = [];
  for (const [k, x] of v.entries) {
    const p = path === "" ? k : `${path}.${k}`;
    if (!drop.has(p)) parts.push(`${JSON.stringify(k)}:${canonical(x, drop, p)}`);
  }
  return `{${parts.join(",")}}`;
}

/** @module Evaluates an LSL resolve query (an XPath 1.0 subset, docs/protocol/lsl-wire.md §2) against `<info>`. */
import type { XmlElement } from "./stream-info.ts";
import { type CompareOp, type Expr, parseQuery } from "./query-parse.ts";

export { MAX_QUERY_LENGTH, QueryError } from "./query-parse.ts";

/** A compiled query: true when the stream whose `<info>` tree is given matches. */
export type CompiledQuery = (info: XmlElement) => boolean;

type NodeSet = { readonly nodes: readonly XmlElement[] };
type Value = string | number | boolean | NodeSet;

const isNodeSet = (v: Value): v is NodeSet => typeof v === "object";

/** The XPath string-value of an element: its text and all its descendants' text, in document order. */
function stringValue(e: XmlElement): string {
  return e.children.length === 0 ? e.text : e.text + e.children.map(stringValue).join("");
}

/** XPath number(): a plain decimal after trimming, else NaN (no exponents, no leading '+'). */
function toNumberFromString(s: string): number {
  const t = s.trim();
  return /^-?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
}

function toStringValue(v: Value): string {
  if (isNodeSet(v)) return v.nodes[0] === undefined ? "" : stringValue(v.nodes[0]);
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    return Object.is(v, -0) ? "0" : String(v);
  }
  return typeof v === "boolean" ? String(v) : v;
}

const toNumber = (v: Value): number =>
  typeof v === "number"
    ? v
    : typeof v === "boolean"
    ? (v ? 1 : 0)
    : toNumberFromString(toStringValue(v));

const toBoolean = (v: Value): boolean =>
  isNodeSet(v)
    ? v.nodes.length > 0
    : typeof v === "number"
    ? v !== 0 && !Number.isNaN(v)
    : typeof v === "string"
    ? v !== ""
    : v;

function compareAtoms(
  op: CompareOp,
  a: string | number | boolean,
  b: string | number | boolean,
): boolean {
  if (op === "=" || op === "!=") {
    let equal: boolean;
    if (typeof a === "boolean" || typeof b === "boolean") equal = toBoolean(a) === toBoolean(b);
    else if (typeof a === "number" || typeof b === "number") equal = toNumber(a) === toNumber(b);
    else equal = a === b;
    return op === "=" ? equal : !equal;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  return op === "<" ? x < y : op === ">" ? x > y : op === "<=" ? x <= y : x >= y;
}

/** XPath 1.0 §3.4: a node-set compares true when any of its nodes does (booleans compare as a whole). */
function compare(op: CompareOp, a: Value, b: Value): boolean {
  if (isNodeSet(a) && typeof b === "boolean") return compareAtoms(op, toBoolean(a), b);
  if (isNodeSet(b) && typeof a === "boolean") return compareAtoms(op, a, toBoolean(b));
  if (isNodeSet(a)) {
    return a.nodes.some((n) => compare(op, stringValue(n), b));
  }
  if (isNodeSet(b)) {
    return b.nodes.some((n) => compare(op, a, stringValue(n)));
  }
  return compareAtoms(op, a, b);
}

function select(from: XmlElement, steps: readonly string[]): XmlElement[] {
  let current: XmlElement[] = [from];
  for (const step of steps) {
    if (step === ".") continue;
    const next: XmlElement[] = [];
    for (const e of current) {
      for (const c of e.children) if (step === "*" || c.name === step) next.push(c);
    }
    current = next;
  }
  return current;
}

function evaluate(e: Expr, info: XmlElement, root: XmlElement): Value {
  switch (e.kind) {
    case "or":
      return toBoolean(evaluate(e.left, info, root)) || toBoolean(evaluate(e.right, info, root));
    case "and":
      return toBoolean(evaluate(e.left, info, root)) && toBoolean(evaluate(e.right, info, root));
    case "compare":
      return compare(e.op, evaluate(e.left, info, root), evaluate(e.right, info, root));
    case "negate":
      return -toNumber(evaluate(e.operand, info, root));
    case "string":
    case "number":
      return e.value;
    case "path":
      return { nodes: select(e.absolute ? root : info, e.steps) };
    case "call":
      return call(e.name, e.args.map((a) => evaluate(a, info, root)), info);
  }
}

function call(name: string, args: Value[], info: XmlElement): Value {
  const arg = (k: number): Value => args[k] ?? { nodes: [info] };
  switch (name) {
    case "not":
      return !toBoolean(arg(0));
    case "true":
      return true;
    case "false":
      return false;
    case "boolean":
      return toBoolean(arg(0));
    case "starts-with":
      return toStringValue(arg(0)).startsWith(toStringValue(arg(1)));
    case "contains":
      return toStringValue(arg(0)).includes(toStringValue(arg(1)));
    case "string":
      return toStringValue(arg(0));
    case "number":
      return toNumber(arg(0));
    case "string-length":
      return [...toStringValue(arg(0))].length;
    default: {
      // count(): the parser admits only the functions above
      const v = arg(0);
      return isNodeSet(v) ? v.nodes.length : NaN;
    }
  }
}

/**
 * Compiles `text` once; throws QueryError for syntax outside the subset (the caller treats that as no
 * match). The empty query matches every stream.
 */
export function compileQuery(text: string): CompiledQuery {
  const trimmed = text.trim();
  if (trimmed === "") return () => true;
  const expr = parseQuery(trimmed);
  return (info) => {
    // `/info/...` starts at a document node whose one child is `<info>`
    const root: XmlElement = { name: "", text: "", children: [info] };
    return toBoolean(evaluate(expr, info, root));
  };
}

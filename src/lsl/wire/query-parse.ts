/** @module The XPath 1.0 subset LSL resolvers send (docs/protocol/lsl-wire.md §2), parsed into a small tree. */

/** A query that uses XPath this evaluator does not implement; `construct` names it. */
export class QueryError extends Error {
  constructor(readonly construct: string, readonly query: string) {
    super(`unsupported LSL query construct ${construct} in "${query}"`);
    this.name = "QueryError";
  }
}

/** Real resolve queries are under 200 characters; longer text is refused before any parsing. */
export const MAX_QUERY_LENGTH = 4096;
/** Nested parentheses, calls and negations; the parser and evaluator recurse once per level. */
export const MAX_DEPTH = 64;
/** and/or/comparison operators in one query; each is one more level for the evaluator. */
export const MAX_TERMS = 256;

export type CompareOp = "=" | "!=" | "<" | ">" | "<=" | ">=";

/** The parsed expression; paths are relative to `<info>` unless `absolute`. */
export type Expr =
  | { readonly kind: "or" | "and"; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "compare"; readonly op: CompareOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "negate"; readonly operand: Expr }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: "path"; readonly absolute: boolean; readonly steps: readonly string[] };

type Token =
  | { t: "name"; v: string }
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "op"; v: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const NUMBER = /^(\d+(\.\d*)?|\.\d+)/;
const OPS = [
  "!=",
  "<=",
  ">=",
  "//",
  "::",
  "=",
  "<",
  ">",
  "(",
  ")",
  ",",
  "/",
  "-",
  "*",
  "+",
  "[",
  "]",
  "@",
  "|",
  "$",
  "..",
];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let rest = text;
  while (true) {
    rest = rest.replace(/^[ \t\r\n]+/, "");
    if (rest === "") return tokens;
    const c = rest[0]!;
    if (c === "'" || c === '"') {
      const end = rest.indexOf(c, 1);
      if (end < 0) throw new QueryError("an unterminated string literal", text);
      tokens.push({ t: "string", v: rest.slice(1, end) });
      rest = rest.slice(end + 1);
      continue;
    }
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ t: "number", v: Number(num[0]) });
      rest = rest.slice(num[0].length);
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      tokens.push({ t: "name", v: name[0] });
      rest = rest.slice(name[0].length);
      continue;
    }
    const op = OPS.find((o) => rest.startsWith(o)) ?? (c === "." ? "." : undefined);
    if (op === undefined) throw new QueryError(`the character '${c}'`, text);
    tokens.push({ t: "op", v: op });
    rest = rest.slice(op.length);
  }
}

/** Functions the evaluator knows, with their allowed argument counts. */
export const FUNCTIONS: Readonly<Record<string, readonly [number, number]>> = {
  "not": [1, 1],
  "true": [0, 0],
  "false": [0, 0],
  "boolean": [1, 1],
  "starts-with": [2, 2],
  "contains": [2, 2],
  "string": [0, 1],
  "number": [0, 1],
  "count": [1, 1],
  "string-length": [0, 1],
};

/** Parses `text` (which is not empty) or throws QueryError. */
export function parseQuery(text: string): Expr {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QueryError(`a query over ${MAX_QUERY_LENGTH} characters (too long)`, text);
  }
  const tokens = tokenize(text);
  let i = 0;
  // hostile input must end in a QueryError, not in a stack overflow (a RangeError nobody expects)
  let depth = 0;
  let terms = 0;
  const nest = <T>(inner: () => T): T => {
    if (++depth > MAX_DEPTH) throw new QueryError("nesting too deep", text);
    const result = inner();
    depth--;
    return result;
  };
  const term = (): void => {
    if (++terms > MAX_TERMS) throw new QueryError("too many terms", text);
  };
  const peek = (): Token | undefined => tokens[i];
  const isOp = (v: string): boolean => peek()?.t === "op" && peek()?.v === v;
  const isWord = (v: string): boolean => peek()?.t === "name" && peek()?.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new QueryError(describe(peek(), `where '${v}' belongs`), text);
    i++;
  };
  const describe = (tok: Token | undefined, where = ""): string =>
    (tok === undefined ? "the end of the query" : `'${tok.v}'`) + (where ? ` ${where}` : "");

  const binary = (kind: "or" | "and", next: () => Expr) => (): Expr => {
    let left = next();
    while (isWord(kind)) {
      i++;
      term();
      left = { kind, left, right: next() };
    }
    return left;
  };
  const comparison = (ops: readonly CompareOp[], next: () => Expr) => (): Expr => {
    let left = next();
    for (let tok = peek(); tok?.t === "op" && ops.includes(tok.v as CompareOp); tok = peek()) {
      i++;
      term();
      left = { kind: "compare", op: tok.v as CompareOp, left, right: next() };
    }
    return left;
  };
  const unary = (): Expr => {
    if (isOp("-")) {
      i++;
      return { kind: "negate", operand: nest(unary) };
    }
    return primary();
  };
  const relational = comparison(["<", ">", "<=", ">="], unary);
  const equality = comparison(["=", "!="], relational);
  const and = binary("and", equality);
  const or = binary("or", and);

  function primary(): Expr {
    const tok = peek();
    if (tok === undefined) throw new QueryError("an expression that ends early", text);
    if (tok.t === "string" || tok.t === "number") {
      i++;
      return tok.t === "string"
        ? { kind: "string", value: tok.v }
        : { kind: "number", value: tok.v };
    }
    if (isOp("(")) {
      i++;
      const inner = nest(or);
      expect(")");
      return inner;
    }
    if (tok.t === "name" && tokens[i + 1]?.t === "op" && tokens[i + 1]?.v === "(") {
      return nest(() => call(tok.v));
    }
    return path();
  }
  function call(name: string): Expr {
    const arity = FUNCTIONS[name];
    if (arity === undefined) throw new QueryError(`the function ${name}()`, text);
    i += 2;
    const args: Expr[] = [];
    if (!isOp(")")) {
      args.push(or());
      while (isOp(",")) {
        i++;
        args.push(or());
      }
    }
    expect(")");
    if (args.length < arity[0] || args.length > arity[1]) {
      throw new QueryError(`${name}() with ${args.length} arguments`, text);
    }
    return { kind: "call", name, args };
  }
  function path(): Expr {
    let absolute = false;
    if (isOp("/")) {
      absolute = true;
      i++;
    }
    const steps: string[] = [step()];
    while (isOp("/")) {
      i++;
      steps.push(step());
    }
    return { kind: "path", absolute, steps };
  }
  function step(): string {
    const tok = peek();
    if (tok?.t === "name" || (tok?.t === "op" && (tok.v === "*" || tok.v === "."))) {
      i++;
      if (isOp("::") || isOp("[")) {
        throw new QueryError(describe(peek(), "(axes and predicates)"), text);
      }
      return tok.v as string;
    }
    throw new QueryError(describe(tok), text);
  }

  const expr = or();
  if (i < tokens.length) throw new QueryError(describe(peek()), text);
  return expr;
}

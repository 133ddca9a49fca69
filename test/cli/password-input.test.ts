/** @module hash-password's input: one streaming decoder keeps a UTF-8 character split across chunks whole; a password over the login limit is refused. */
import { describe, expect, test } from "bun:test";
import { FirstLine, passwordProblem, TypedLine } from "../../src/cli/password-input.ts";
import { MAX_PASSWORD_LENGTH } from "../../src/protocol/auth-request.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("FirstLine", () => {
  test("a character split across two chunks comes out whole", () => {
    const all = bytes("mot de passe: été 🔑\nsecond line");
    // every split point, including those inside "é" (2 bytes) and "🔑" (4 bytes)
    for (let cut = 1; cut < all.length; cut++) {
      const input = new FirstLine();
      const done = input.push(all.subarray(0, cut)) || input.push(all.subarray(cut));
      expect({ cut, done, line: input.line() }).toEqual({
        cut,
        done: true,
        line: "mot de passe: été 🔑",
      });
    }
  });

  test("the line end may be \\r\\n or missing; an over-long line stops the read early", () => {
    const crlf = new FirstLine();
    crlf.push(bytes("pw\r\n"));
    expect(crlf.line()).toBe("pw");
    const unended = new FirstLine();
    expect(unended.push(bytes("pw"))).toBe(false);
    expect(unended.line()).toBe("pw");
    const long = new FirstLine();
    expect(long.push(bytes("x".repeat(MAX_PASSWORD_LENGTH + 3)))).toBe(true);
  });
});

describe("TypedLine", () => {
  test("keys split inside a character, backspace erasing a whole character, Enter ending", () => {
    const keys = new TypedLine();
    const typed = bytes("a🔑b\u007f\u007fc\r");
    const states = [keys.push(typed.subarray(0, 3)), keys.push(typed.subarray(3))];
    expect({ states, typed: keys.typed }).toEqual({ states: ["more", "done"], typed: "ac" });
    expect(new TypedLine().push("x\u0003")).toBe("cancelled");
  });
});

describe("passwordProblem", () => {
  test("empty and over the login limit are refused; the limit itself is hashed", () => {
    expect(passwordProblem("")).toContain("empty");
    expect(passwordProblem("p".repeat(MAX_PASSWORD_LENGTH))).toBeNull();
    expect(passwordProblem("p".repeat(MAX_PASSWORD_LENGTH + 1))).toContain(
      `logins refuse passwords over ${MAX_PASSWORD_LENGTH}`,
    );
  });
});

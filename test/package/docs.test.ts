/** @module docs/embedding.md shows each file of docs/examples/embedding verbatim, and every example file is one the package tests run. */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../_support/packed.ts";

// what tarball.test.ts runs under each runtime and browser.test.ts loads in Chromium
const RUN_BY_TESTS = ["bun.ts", "deno.ts", "node.mjs", "web-serial.html", "web-serial.js"];

describe("embedding docs", () => {
  test("every file in docs/examples/embedding is run by a package test", () => {
    expect(readdirSync(join(ROOT, "docs/examples/embedding")).sort()).toEqual(RUN_BY_TESTS);
  });

  test("docs/embedding.md quotes each example file whole, inside a code block", () => {
    const doc = readFileSync(join(ROOT, "docs/embedding.md"), "utf8");
    const stale = RUN_BY_TESTS.filter((file) => {
      const body = readFileSync(join(ROOT, "docs/examples/embedding", file), "utf8").trimEnd();
      return !/```(js|ts|html)\n$/.test(doc.slice(0, doc.indexOf(`${body}\n\`\`\``))) ||
        !doc.includes(`${body}\n\`\`\``);
    });
    expect(stale).toEqual([]);
  });
});

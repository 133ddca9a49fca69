/**
 * @module A 413 sent on the headers alone reaches a client that is still sending its body and reads
 * the answer late: the node:http servers (Node, Deno) drain before they close (lingering close).
 * Bun.serve closes at once and the kernel's reset can discard the answer: a known limit there
 * (docs/security.md), so Bun is not in this test.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { withServer } from "../_support/conformance/helpers.ts";
import { MB } from "../_support/http-hardening.ts";

// the client reads 300 ms after it sent 1 MiB of a 64-MB body: long after the 413 and the close,
// well inside the 2-s linger
const READ_AFTER_MS = 300;

/** What a client that sends 1 MiB of a 64-MB marker body and only then reads gets back. */
function lateReader(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    // bounded: the server closes within its 2-s linger; 10 s allows for a loaded machine
    const timer = setTimeout(() => (socket.destroy(), resolve(`no end: ${text}`)), 10_000);
    const done = (how: string) => (clearTimeout(timer), resolve(`${how}: ${text}`));
    socket.on("error", (e) => done(`error ${e.message}`));
    socket.on("close", () => done("closed"));
    socket.once("connect", () => {
      socket.write(
        `POST /markers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${
          64 * MB
        }\r\n\r\n`,
      );
      socket.write(Buffer.alloc(MB, "z"));
      socket.pause();
      setTimeout(() => {
        socket.on("data", (d: Buffer) => (text += d.toString("latin1")));
        socket.resume();
      }, READ_AFTER_MS);
    });
  });
}

describe("lingering close after a 413", () => {
  for (const runtime of ["node", "deno"] as const) {
    test(`${runtime}: a client that reads late still gets its 413 (3 times)`, async () => {
      await withServer(runtime, [], async (srv) => {
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push(await lateReader(srv.port));
        for (const a of answers) expect(a).toMatch(/^closed: HTTP\/1\.1 413 /);
      });
    }, 40_000);
  }
});

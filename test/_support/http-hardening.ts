/** @module Pieces of the HTTP hardening tests (issue 18): a streaming bystander and a raw HTTP request. */
import { connect } from "node:net";
import { seqJumps } from "./conformance/access-helpers.ts";
import { isEeg, openWelcomed } from "./conformance/helpers.ts";
import type { WsClient } from "./ws-client.ts";

export const MB = 1 << 20;

/** A client that holds the headset and streams; `jumps()` lists every hole in what it received. */
export async function bystander(
  open: (path?: string) => Promise<WsClient>,
): Promise<{ c: WsClient; jumps(): [number, number][] }> {
  const { c } = await openWelcomed(open);
  await c.request("connect", {});
  // the simulator streams within ~20 ms of connect: 5 s is a 250× margin for a loaded machine
  await c.next(isEeg, 5000, "the bystander's first eeg_data");
  return { c, jumps: () => seqJumps(c.messages) };
}

/** Raised when the connection ended before a byte of the answer arrived. */
class NoAnswer extends Error {}

/**
 * One raw HTTP request; resolves with the status and headers of the answer, bounded by `timeoutMs`
 * per attempt. A server that answers early and closes while the body still arrives resets the
 * connection (its kernel holds unread bytes), and the reset may overtake the answer in the client's
 * kernel, which then drops it: a CI run saw "closed without an answer" once in many. Such an attempt,
 * with nothing received, is repeated, at most 3 times in all; any answer counts as it is.
 */
export async function rawRequest(
  port: number,
  head: string,
  body: (write: (b: Buffer | string) => boolean) => Promise<void> | void,
  // an answer decided on headers or on 2 MB comes in milliseconds; 5 s allows for a loaded machine
  timeoutMs = 5000,
): Promise<{ status: number; head: string }> {
  for (let attempt = 1;; attempt++) {
    try {
      return await rawRequestOnce(port, head, body, timeoutMs);
    } catch (error) {
      if (!(error instanceof NoAnswer) || attempt >= 3) throw error;
    }
  }
}

function rawRequestOnce(
  port: number,
  head: string,
  body: (write: (b: Buffer | string) => boolean) => Promise<void> | void,
  timeoutMs: number,
): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    const timer = setTimeout(
      () => (socket.destroy(), reject(new Error(`no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.on("data", (d: Buffer) => {
      text += d.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0),
        head: text.slice(0, end),
      });
    });
    // the server may close while the body is still going out: only the answer matters
    socket.on("error", () => {});
    socket.on(
      "close",
      () => (clearTimeout(timer),
        reject(
          text === ""
            ? new NoAnswer("closed without an answer")
            : new Error(`closed without an answer: ${JSON.stringify(text.slice(0, 200))}`),
        )),
    );
    socket.once("connect", () => {
      socket.write(head);
      void Promise.resolve(body((b) => !socket.destroyed && socket.write(b)));
    });
  });
}

/**
 * @module What `hash-password` makes of standard input: the first line of piped bytes, or the keys
 * typed on a terminal with echo off. One streaming TextDecoder per input, because a chunk boundary
 * may fall inside a multi-byte UTF-8 character (a decoder per chunk would turn its halves into U+FFFD).
 */
import { MAX_PASSWORD_LENGTH } from "../ports/password-hasher.ts";

/** Why a password read was refused, or null when it may be hashed. */
export function passwordProblem(password: string): string | null {
  if (password === "") return "the password is empty; nothing was hashed";
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `the password is ${password.length} characters long; logins refuse passwords over ` +
      `${MAX_PASSWORD_LENGTH}, so it was not hashed`;
  }
  return null;
}

/** The first line of piped input (without `\n` or `\r\n`), fed chunk by chunk. */
export class FirstLine {
  #decoder = new TextDecoder();
  #text = "";

  /** Adds a chunk; true once the line is complete, or already too long to be a password. */
  push(chunk: Uint8Array | string): boolean {
    this.#text += typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    // past the limit plus a line end the answer is a refusal: reading on would only use memory
    return this.#text.includes("\n") || this.#text.length > MAX_PASSWORD_LENGTH + 2;
  }

  /** The line read (the input ended, or `push` said it is complete). */
  line(): string {
    const text = this.#text + this.#decoder.decode();
    return text.split("\n")[0]!.replace(/\r$/, "");
  }
}

/** Keys typed with echo off: Enter ends, Backspace/Delete erase, Ctrl-C or Ctrl-D give up. */
export class TypedLine {
  #decoder = new TextDecoder();
  #typed = "";

  /** Adds a chunk of keys: "done" (Enter), "cancelled" or "more". */
  push(chunk: Uint8Array | string): "done" | "cancelled" | "more" {
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    for (const ch of text) {
      if (ch === "\r" || ch === "\n") return "done";
      if (ch === "\u0003" || ch === "\u0004") return "cancelled";
      if (ch === "\u007f" || ch === "\b") this.#typed = [...this.#typed].slice(0, -1).join("");
      else this.#typed += ch;
    }
    return "more";
  }

  /** What was typed before Enter. */
  get typed(): string {
    return this.#typed;
  }
}

/** @module `decode [FILE]`: raw MW75 bytes or a capture (file or stdin) → one JSON line per packet, then a stats line. */
import { createReadStream } from "node:fs";
import process from "node:process";
import { readDecoderWasm } from "../adapters/wasm-file.ts";
import type { LinkChunk } from "../ports/device-source.ts";
import { createDecoder } from "../decoder/decoder.ts";
import type { Decoder } from "../decoder/types.ts";
import { createCaptureSplitter } from "../recording/capture-format.ts";
import { boundaryLine, packetLine, statsLine } from "./decode-format.ts";

const USAGE = `Usage: decode [FILE]
Reads raw MW75 RFCOMM bytes from FILE (or standard input when no FILE is given) and writes one
JSON line per decoded packet in stream order, then a final {"type":"stats",...} line.
A --capture file of several connections is split at its boundary records: each one drops the
unfinished packet of the previous connection and prints
{"type":"boundary","connection":N,"unix_ms":T,"dropped_bytes":K} in stream order.`;

const READ_ERRORS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory",
};

/** Decodes data pieces and turns boundary markers into their line, in stream order. */
function linesOf(decoder: Decoder, pieces: LinkChunk[]): string[] {
  const lines: string[] = [];
  for (const piece of pieces) {
    if (piece instanceof Uint8Array) {
      for (const packet of decoder.push(piece)) lines.push(packetLine(packet));
    } else {
      lines.push(boundaryLine(piece, decoder.discardTail()));
    }
  }
  return lines;
}

/** Thrown by `write` once the reader of our output has gone (`decode FILE | head -1`). */
class OutputClosed extends Error {}

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(
      text,
      (error) => (error ? reject(isBrokenPipe(error) ? new OutputClosed() : error) : resolve()),
    );
  });
}

function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "EPIPE";
}

// a closed pipe is also reported as an 'error' event on stdout; without a listener it would crash
process.stdout.on("error", (error) => {
  if (!isBrokenPipe(error)) throw error;
});

async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    await write(`${USAGE}\n`);
    return 0;
  }
  const unknown = args.find((a) => a.startsWith("-") && a !== "-");
  if (unknown !== undefined || args.length > 1) {
    process.stderr.write(
      `decode: unexpected argument ${JSON.stringify(unknown ?? args[1])}\n${USAGE}\n`,
    );
    return 2;
  }
  const path = args[0];
  const decoder = await createDecoder(await readDecoderWasm());
  // opened only now: a read stream reports a missing file at once, and the loop below must be listening
  const input = path === undefined || path === "-" ? process.stdin : createReadStream(path);
  const splitter = createCaptureSplitter();
  try {
    for await (const chunk of input as AsyncIterable<Uint8Array>) {
      const lines = linesOf(decoder, splitter.push(chunk));
      if (lines.length > 0) await write(`${lines.join("\n")}\n`);
    }
  } catch (error) {
    if (error instanceof OutputClosed) return 0; // the reader has what it wanted: stop quietly, as Unix tools do
    const code = (error as { code?: string }).code ?? "";
    const reason = READ_ERRORS[code] ?? (error as Error).message;
    process.stderr.write(`decode: cannot read ${JSON.stringify(path ?? "stdin")}: ${reason}\n`);
    return 1;
  }
  const last = linesOf(decoder, splitter.end());
  if (last.length > 0) await write(`${last.join("\n")}\n`);
  await write(`${statsLine(decoder.stats(), decoder.residual().length)}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof OutputClosed) return 0;
  throw error;
});

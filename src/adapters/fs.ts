/**
 * @module File helpers on node:fs/promises for replay, capture and the TLS certificate and key
 * (works the same under Bun, Deno and Node).
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import type { CaptureSink } from "../ports/capture-sink.ts";

/** Reads a whole file as a plain Uint8Array (not a Node Buffer, whose slice() does not copy). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Reads `--tls-cert` and `--tls-key` as PEM text and checks that the key belongs to the (first)
 * certificate. Every failure names the file: the runtimes' own TLS errors name none, and Deno's
 * node:https even accepts a mismatched pair, then fails every handshake.
 */
export async function readTlsFiles(
  certPath: string,
  keyPath: string,
): Promise<{ cert: string; key: string }> {
  const cert = await readPemFile(certPath, "TLS certificate");
  const key = await readPemFile(keyPath, "TLS key");
  let x509: X509Certificate;
  let privateKey: KeyObject;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw unusable("TLS certificate", certPath, err);
  }
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw unusable("TLS key", keyPath, err);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new Error(
      `Cannot use TLS key file ${keyPath}: it does not belong to the certificate in ${certPath}`,
    );
  }
  return { cert, key };
}

async function readPemFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`Cannot read ${what} file ${path}: ${reasonOf(err)}`, { cause: err });
  }
  // a DER or empty file: say so rather than pass on an ASN.1 decoder's message
  if (!text.includes("-----BEGIN ")) {
    throw new Error(`Cannot use ${what} file ${path}: it holds no PEM block ("-----BEGIN …")`);
  }
  return text;
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const unusable = (what: string, path: string, err: unknown) =>
  new Error(`Cannot use ${what} file ${path}: ${reasonOf(err)}`, { cause: err });

/** A capture sink on a file; `ready` settles once the file is open and its size known (or it failed to open). */
export interface FileSink extends CaptureSink {
  readonly path: string;
  /** Rejects with a message naming the path when the file cannot be opened for appending. */
  readonly ready: Promise<void>;
  /** Size of the file when it was opened (0 for a new file); rejects as `ready` does. */
  readonly bytesAtOpen: Promise<number>;
}

/**
 * Opens `path` for appending (created when missing) right away. Await `ready` at start-up so a
 * bad --capture path fails before any device work; writes go straight to the OS (no user-space
 * buffer), so a crash loses nothing already written.
 */
export function createFileSink(path: string): FileSink {
  // the size tells the capture whether this run appends to an earlier one (boundary records)
  const opened = open(path, "a").then(async (handle) => ({
    handle,
    size: (await handle.stat()).size,
  })).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot open capture file ${path} for writing: ${reason}`, { cause: err });
  });
  const opening = opened.then((o) => o.handle);
  const bytesAtOpen = opened.then((o) => o.size);
  const ready = opened.then(() => undefined);
  // the failure is reported through `ready` and write(); keep it from counting as unhandled
  for (const p of [opening, bytesAtOpen, ready]) p.catch(() => {});
  let closing: Promise<void> | undefined;

  return {
    path,
    ready,
    bytesAtOpen,
    async write(chunk) {
      if (closing) throw new Error(`Capture file ${path} is already closed`);
      const handle = await opening;
      let done = 0;
      while (done < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done);
        done += bytesWritten;
      }
    },
    close() {
      closing ??= opening.then(
        (handle) => handle.close(),
        () => undefined,
      );
      return closing;
    },
  };
}

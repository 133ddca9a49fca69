/** @module The capture sink port: where `--capture FILE` writes a link's raw bytes (src/adapters/fs.ts createFileSink appends to a file). */

/** Where captured bytes go. */
export interface CaptureSink {
  write(chunk: Uint8Array): void | Promise<void>;
  close(): Promise<void>;
  /**
   * How many bytes the sink already held when it was opened (a file being appended to). Absent
   * means empty. Decides whether the first connection needs a boundary record.
   */
  readonly bytesAtOpen?: Promise<number>;
}

/** @module The tty port: opening a serial device (the RFCOMM data channel) as a byte stream; src/adapters/serial/ implements it per runtime. */

/** A readable byte stream plus the way to stop it. */
export interface ByteStreamHandle {
  /** Raw chunks in arrival order, of any size; ends (or errors) when the other side goes away. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** Opens a tty (already in raw mode or put into raw mode by the adapter) for reading. */
export type OpenTty = (path: string) => Promise<ByteStreamHandle>;

/**
 * Stands for the headset's address in an opener's error messages: the opener knows only the path,
 * the device that asked for it knows the address and fills it in.
 */
export const ADDRESS_PLACEHOLDER = "<HEADSET-ADDRESS>";

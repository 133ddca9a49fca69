/** @module The SDK's one error type: a server `error` reply (its code and message) or a failure on the client's side. */
import type { ErrorCode } from "../protocol/errors.ts";
import type { ErrorData } from "../protocol/messages.ts";

/** Codes the SDK itself produces; no server sends them. */
export type ClientErrorCode =
  /** No reply within the request's timeout. */
  | "TIMEOUT"
  /** The socket closed after the request was sent (the command may or may not have run). */
  | "CONNECTION_LOST"
  /** `client.close()` was called. */
  | "CLIENT_CLOSED";

/** What a command promise rejects with, and what a subscription's iterator throws. */
export class BridgeClientError extends Error {
  /**
   * The server's code (docs/protocol/mw75.md §3.5, docs/protocol/bridge-api.md §9), or one of the SDK's own. Typed so that
   * editors offer the known codes while a code added by a later bridge still fits.
   */
  readonly code: ErrorCode | ClientErrorCode | (string & Record<never, never>);
  /** The server's whole `error` data (e.g. `key` of a settings error); undefined for the SDK's own errors. */
  readonly data: ErrorData | undefined;
  /** The command that failed, when the error answers one. */
  readonly command: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { data?: ErrorData; command?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BridgeClientError";
    this.code = code;
    this.data = options.data;
    this.command = options.command;
  }

  /** The error a server `error` message stands for. */
  static fromServer(data: ErrorData, command?: string): BridgeClientError {
    const code = typeof data.code === "string" ? data.code : "UNKNOWN_ERROR";
    const message = typeof data.message === "string" ? data.message : `The bridge answered ${code}`;
    return new BridgeClientError(
      code,
      message,
      command === undefined ? { data } : { data, command },
    );
  }
}

/** @module Time bounds and cancellation for the BLE control plane's D-Bus calls. Runtime-neutral. */

/** Raised when a bounded step runs out of time; `what` names the step for the user. */
export class StepTimeout extends Error {
  constructor(readonly what: string, readonly ms: number) {
    super(`timed out after ${ms} ms while ${what}`);
    this.name = "StepTimeout";
  }
}

/** Raised when the caller's AbortSignal fired. */
export class StepAborted extends Error {
  constructor() {
    super("cancelled");
    this.name = "StepAborted";
  }
}

/**
 * Settles like `work`, or rejects with StepTimeout after `ms` or StepAborted when `signal` fires.
 * The underlying call cannot be cancelled; its late result is ignored (and its rejection swallowed).
 */
export function bounded<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  work.catch(() => {});
  if (signal?.aborted) return Promise.reject(new StepAborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => finish(() => reject(new StepAborted()));
    const timer = setTimeout(() => finish(() => reject(new StepTimeout(what, ms))), ms);
    let settled = false;
    function finish(action: () => void) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      action();
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => finish(() => resolve(value)),
      (error) => finish(() => reject(error)),
    );
  });
}

/** A sleep that ends early (rejecting with StepAborted) when `signal` fires. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new StepAborted());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new StepAborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

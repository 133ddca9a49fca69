/** @module A small typed event emitter: `on(type, listener)` returns the function that removes the listener. */

/** Maps an event name to the arguments its listeners receive. */
export type EventMap = { [type: string]: unknown[] };

export type Listener<A extends unknown[]> = (...args: A) => void;

export class Emitter<M extends EventMap> {
  #listeners = new Map<keyof M, Set<unknown>>();

  /** Adds a listener; call the returned function to remove it again. */
  on<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    let set = this.#listeners.get(type);
    if (set === undefined) this.#listeners.set(type, set = new Set());
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Adds a listener that is removed after its first call. */
  once<K extends keyof M>(type: K, listener: Listener<M[K]>): () => void {
    const off = this.on(type, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  off<K extends keyof M>(type: K, listener: Listener<M[K]>): void {
    this.#listeners.get(type)?.delete(listener);
  }

  /** True when anyone listens to `type` (lets the caller skip building an event nobody reads). */
  has(type: keyof M): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof M>(type: K, ...args: M[K]): void {
    const set = this.#listeners.get(type);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<M[K]>)(...args);
      } catch (e) {
        // a throwing listener must not break message dispatch; report it the way EventTarget does
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}

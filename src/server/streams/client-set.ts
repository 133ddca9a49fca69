/** @module The subscribers of one stream of one device, in subscription order. */
import type { Client } from "../hub.ts";

/** A set of clients; streams iterate it to deliver one encoding to all. */
export class ClientSet {
  #clients = new Set<Client>();

  add(client: Client): void {
    this.#clients.add(client);
  }

  remove(client: Client): void {
    this.#clients.delete(client);
  }

  get size(): number {
    return this.#clients.size;
  }

  [Symbol.iterator](): Iterator<Client> {
    return this.#clients.values();
  }
}

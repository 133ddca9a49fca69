/**
 * @module A TCP proxy over node:net (Bun, Deno and Node alike) for simulating network faults under
 * a client: `cut()` drops every current connection at once (both sides see the TCP close), `stall()`
 * black-holes them (bytes are swallowed, nothing closes). New connections are forwarded normally.
 */
import { connect as tcpConnect, createServer } from "node:net";
import type { Socket } from "node:net";

export interface TcpProxy {
  readonly port: number;
  /** `ws://127.0.0.1:PORT` + path. */
  url(path?: string): string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Destroys every current connection, both halves. */
  cut(): void;
  /** Stops forwarding on every current connection, in both directions, without closing anything. */
  stall(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
}

/** Listens on an ephemeral loopback port and forwards each connection to 127.0.0.1:`targetPort`. */
export function startProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = tcpConnect(targetPort, "127.0.0.1");
    const pair: Pair = { client, upstream, stalled: false };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // forwarded by hand rather than pipe(): a stalled pair must swallow bytes, not buffer them
    client.on("data", (d) => void (pair.stalled || upstream.write(d)));
    upstream.on("data", (d) => void (pair.stalled || client.write(d)));
    for (const s of [client, upstream]) {
      s.on("error", drop);
      s.on("close", drop);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        return reject(new Error("proxy has no port"));
      }
      resolve({
        port: address.port,
        url: (path = "/") => `ws://127.0.0.1:${address.port}${path}`,
        get accepted() {
          return accepted;
        },
        cut: () => {
          for (const p of [...pairs]) {
            pairs.delete(p);
            p.client.destroy();
            p.upstream.destroy();
          }
        },
        stall: () => {
          for (const p of pairs) p.stalled = true;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const p of [...pairs]) {
              p.client.destroy();
              p.upstream.destroy();
            }
            server.close(() => done());
          }),
      });
    });
  });
}

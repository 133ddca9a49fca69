/**
 * @module Conformance scenario for TLS (docs/protocol/bridge-api.md §5): `--tls-cert FILE --tls-key FILE` serves https and
 * wss, clients that do not trust the certificate are refused, plain-text clients fail without harm.
 */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { runServeCli, startServer } from "../server-process.ts";
import type { Runtime } from "../server-process.ts";
import { makeSelfSignedCert } from "../tls-cert.ts";
import type { TestCert } from "../tls-cert.ts";
import { connectWs } from "../ws-client.ts";
import type { WsClient } from "../ws-client.ts";
import { counters, isEeg, isStatus, isStatusMessage, since } from "./helpers.ts";
import { untilCount } from "./stream-helpers.ts";

/** How node:tls (and Bun's and Deno's node:tls) reports a self-signed certificate nobody trusts. */
const UNTRUSTED = /self[- ]signed|DEPTH_ZERO_SELF_SIGNED_CERT|unable to verify|UnknownIssuer/i;

/** GET over https with node:https (the same call in every runtime), bounded; `ca` is the trusted PEM. */
function httpsGet(
  url: string,
  ca: string | undefined,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // agent: false, so no pooled connection outlives the request or is shared between trust settings
    const req = httpsRequest(url, {
      agent: false,
      timeout: timeoutMs,
      ...(ca !== undefined ? { ca } : {}),
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Rejection reason as text (node:tls errors carry the verification result in `code`). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof Error ? `${(e as { code?: string }).code ?? ""} ${e.message}` : String(e);
  }
  throw new Error("expected a failure, but it succeeded");
}

/**
 * Flags that refuse to start: half a pair is a usage error (2); a missing or non-PEM file, or a key
 * of another certificate (which Deno's node:https would accept, then fail every handshake), exit 1.
 */
async function startFailures(runtime: Runtime, cert: TestCert, other: TestCert): Promise<void> {
  for (const args of [["--tls-cert", cert.certFile], ["--tls-key", cert.keyFile]]) {
    const r = await runServeCli(runtime, ["--port", "0", ...args], 15_000);
    expect({ args, code: r.code }).toEqual({ args, code: 2 });
    expect(r.stderr).toContain("--tls-cert and --tls-key go together");
  }
  const missing = join(cert.dir, "missing-cert.pem");
  const notPem = join(cert.dir, "not-a-key.txt");
  writeFileSync(notPem, "this is not a key\n");
  for (
    const [args, file] of [
      [["--tls-cert", missing, "--tls-key", cert.keyFile], missing],
      [["--tls-cert", cert.certFile, "--tls-key", notPem], notPem],
      [["--tls-cert", cert.certFile, "--tls-key", other.keyFile], other.keyFile],
    ] as const
  ) {
    const r = await runServeCli(runtime, ["--port", "0", ...args], 15_000);
    expect({ file, code: r.code }).toEqual({ file, code: 1 });
    expect(r.stderr).toContain("error: cannot start: ");
    expect(r.stderr).toContain(file);
    expect(r.stdout).not.toContain("listening on");
  }
}

/** https + wss with the CA trusted; untrusted and plain-text clients refused; the server keeps serving. */
export async function tlsServes(runtime: Runtime): Promise<void> {
  const cert = makeSelfSignedCert();
  const other = makeSelfSignedCert();
  const clients: WsClient[] = [];
  try {
    await startFailures(runtime, cert, other);
    const srv = await startServer(runtime, [
      "--tls-cert",
      cert.certFile,
      "--tls-key",
      cert.keyFile,
      "--max-clients",
      "3",
    ]);
    try {
      expect(srv.stdout()).toContain(`listening on https://127.0.0.1:${srv.port}`);
      expect(srv.stdout()).toContain(`WebSocket: wss://127.0.0.1:${srv.port}/`);
      const { https, wss } = srv;
      if (https === null || wss === null) {
        throw new Error("startServer did not see an https banner");
      }

      const h = await httpsGet(`${https}/health`, cert.cert);
      expect(h.status).toBe(200);
      expect(JSON.parse(h.body)).toMatchObject({ status: "ok", runtime });
      expect(await failure(httpsGet(`${https}/health`, undefined))).toMatch(UNTRUSTED);

      const open = async (path: string) => {
        const c = await connectWs(`${wss}${path}`, 5000, { ca: cert.cert });
        clients.push(c);
        await c.next(
          isStatusMessage("Client connected to MW75 server"),
          5000,
          "the welcome status",
        );
        return c;
      };
      const c = await open("/");
      await c.request("connect", { auto_reconnect: 0, log_level: "error" });
      await c.next(isStatus("connected"), 5000);
      await c.next(isEeg, 5000, "eeg_data over wss");
      const from = c.messages.length;
      // 350 consecutive eeg_data over wss (0.7 s at 500 Hz); 5 s only bounds a loaded machine
      await untilCount(c, from, isEeg, 350, 5000, "eeg_data over wss");
      const window = since(c, from).filter(isEeg);
      expect(window.length).toBeGreaterThanOrEqual(350);
      const cs = counters(window);
      for (let i = 1; i < cs.length; i++) expect(cs[i]).toBe((cs[i - 1]! + 1) % 256);

      expect(await failure(connectWs(`${wss}/`, 5000))).toMatch(UNTRUSTED);
      // plain text on the TLS port: the connection is dropped (or answered 400), never upgraded, never hangs
      for (let i = 0; i < 5; i++) {
        expect(await failure(connectWs(`${srv.ws}/`, 4000))).toMatch(
          /closed before an upgrade response|upgrade refused: HTTP\/1\.1 400/,
        );
      }
      expect(await failure(fetch(`${srv.http}/health`, { signal: AbortSignal.timeout(4000) }))).not
        .toMatch(/timed? ?out|abort/i);

      const fromAfter = c.messages.length;
      const c2 = await open("/ws");
      expect((await c2.request("status")).data["total_clients"]).toBe(2);
      c.skipAll();
      await c.next(isEeg, 2000, "eeg_data after the refused clients");
      expect(counters(since(c, fromAfter)).length).toBeGreaterThan(0);
      const all = counters(since(c, from));
      for (let i = 1; i < all.length; i++) expect(all[i]).toBe((all[i - 1]! + 1) % 256);
      expect(srv.child.exitCode).toBeNull();
      expect(srv.stderr()).not.toMatch(/^\s+at \S|uncaught|unhandled/im);
    } finally {
      for (const c of clients) c.close();
      srv.kill();
    }
  } finally {
    cert.remove();
    other.remove();
  }
}

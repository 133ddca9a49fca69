/**
 * @module A throw-away self-signed TLS certificate for tests, made with the `openssl` command (Debian
 * package `openssl`, installed by .ci/run) in a temporary directory; valid for 127.0.0.1 and localhost.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its key, as files (for --tls-cert/--tls-key) and as PEM text (for a client's `ca`). */
export interface TestCert {
  readonly dir: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
  /** Deletes the directory; safe to call twice. */
  remove(): void;
}

const OPENSSL_TIMEOUT_MS = 20_000;

/**
 * Makes a self-signed certificate (RSA 2048, 2 days) for CN 127.0.0.1 with SANs IP:127.0.0.1 and
 * DNS:localhost: clients check the SAN, not the CN. It is marked CA:FALSE (openssl's default is
 * CA:TRUE), because rustls-based clients such as Deno's fetch and WebSocket refuse a CA
 * certificate as the server's own (CaUsedAsEndEntity), as docs/tls.md explains.
 */
export function makeSelfSignedCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "mw75-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const r = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-addext",
    "extendedKeyUsage=serverAuth",
    "-keyout",
    keyFile,
    "-out",
    certFile,
  ], { encoding: "utf8", timeout: OPENSSL_TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    remove();
    const why = r.error
      ? r.error.message
      : `exit ${r.status}: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`;
    throw new Error(
      `Cannot make a test certificate with openssl (apt-get install openssl): ${why}`,
    );
  }
  return {
    dir,
    certFile,
    keyFile,
    cert: readFileSync(certFile, "utf8"),
    key: readFileSync(keyFile, "utf8"),
    remove,
  };
}

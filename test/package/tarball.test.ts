/** @module The package as npm ships it: the tarball's contents, then `npm install <tarball>` in a fresh project and the decoder entry under plain node, Bun and Deno. */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  copyInto,
  PACKAGE_NAME,
  type Packed,
  packedProject,
  ROOT,
  runIn,
  type Runtime,
} from "../_support/packed.ts";
import { hexToBytes, loadVectorFiles, type VectorCase } from "../_support/vectors.ts";
import { exampleMismatches, parseExample, type ProbeCase, vectorMismatches } from "./expected.ts";

const TIMEOUT = 120_000;
const RUNTIMES: Runtime[] = ["node", "bun", "deno"];
const EXAMPLES: Record<Runtime, string> = { node: "node.mjs", bun: "bun.ts", deno: "deno.ts" };
const vectors = loadVectorFiles().flatMap(({ file, cases }) =>
  cases.map((vector) => ({ file, vector }))
);
// the stream example reads a real file: the soak case with the most event packets and checksum failures
const STREAM_CASE: VectorCase = vectors.map((v) => v.vector).find((v) =>
  v.name === "soak_seed_1202"
)!;

let packed: Packed;
let project: string;

beforeAll(async () => {
  ({ packed, project } = await packedProject());
  copyInto(project, [
    "test/package/vectors-probe.mjs",
    "test/package/types-probe.ts",
    ...Object.values(EXAMPLES).map((f) => `docs/examples/embedding/${f}`),
  ]);
  writeFileSync(join(project, "stream.bin"), hexToBytes(STREAM_CASE.input_hex));
}, TIMEOUT);

describe("npm tarball contents", () => {
  test("holds no test fixtures, no Rust sources, no node_modules and no TypeScript sources", () => {
    const bad = packed.files.filter((f) =>
      /(^|\/)(test|fixtures|node_modules|decoder-rs)\//.test(f) || f.endsWith(".rs") ||
      f === "Cargo.toml" || (f.endsWith(".ts") && !f.endsWith(".d.ts"))
    );
    expect(bad).toEqual([]);
    expect(packed.files).toContain("wasm/decoder.wasm");
    console.log(
      `tarball: ${packed.entryCount} files, ${packed.size} bytes (${packed.unpackedSize} unpacked)`,
    );
  });

  test("every exports target, and every types condition, is a file in the tarball", () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      exports: Record<string, string | Record<string, string>>;
    };
    const targets = Object.values(manifest.exports).flatMap((
      t,
    ) => (typeof t === "string" ? [t] : Object.values(t)));
    expect(targets.length).toBeGreaterThan(5);
    const missing = targets.map((t) => t.replace(/^\.\//, "")).filter((t) =>
      !packed.files.includes(t)
    );
    expect(missing).toEqual([]);
    expect(manifest.exports["./decoder"]).toMatchObject({
      types: expect.stringMatching(/\.d\.ts$/),
      browser: expect.any(String),
    });
  });
});

describe("installed tarball", () => {
  for (const runtime of RUNTIMES) {
    test(
      `${runtime}: createDecoder() from ${PACKAGE_NAME}/decoder reproduces all 353 reference vectors`,
      async () => {
        const out = join(project, `vectors-${runtime}.json`);
        await runIn(project, runtime, "vectors-probe.mjs", [
          join(ROOT, "test/fixtures/vectors"),
          out,
        ]);
        const report = JSON.parse(readFileSync(out, "utf8")) as {
          runtime: string;
          cases: ProbeCase[];
        };
        expect(report.runtime).toBe(runtime);
        expect(report.cases.length).toBe(353);
        const problems = report.cases.flatMap((got, i) =>
          vectorMismatches(vectors[i]!.vector, got)
        );
        expect(problems.slice(0, 5)).toEqual([]);
      },
      TIMEOUT,
    );

    test(
      `${runtime}: the docs/examples/embedding/${
        EXAMPLES[runtime]
      } stream example decodes a file to the expected packets`,
      async () => {
        const { packets, stats } = parseExample(
          await runIn(project, runtime, EXAMPLES[runtime], ["stream.bin"]),
        );
        expect(packets.length).toBeGreaterThan(250);
        expect(exampleMismatches(STREAM_CASE, packets).slice(0, 5)).toEqual([]);
        expect(stats).toMatchObject({
          eegPackets: STREAM_CASE.expected.stats.valid_packets,
          checksumFailures: STREAM_CASE.expected.stats.invalid_packets,
        });
      },
      TIMEOUT,
    );
  }

  test(
    "node: the package root and ./client import as compiled JavaScript (no TypeScript loader)",
    async () => {
      const script =
        `const root = await import("${PACKAGE_NAME}"); const client = await import("${PACKAGE_NAME}/client");` +
        `console.log(JSON.stringify([typeof root.createDecoder, typeof root.createDecodeStream, typeof root.ServedDevice, typeof client.connect]));`;
      writeFileSync(join(project, "root-probe.mjs"), script);
      expect(JSON.parse(await runIn(project, "node", "root-probe.mjs"))).toEqual([
        "function",
        "function",
        "function",
        "function",
      ]);
    },
    TIMEOUT,
  );

  test(
    "a browser bundle (bun build --target browser) takes the browser build: no node: specifier, unlike a node bundle",
    async () => {
      writeFileSync(
        join(project, "bundle-probe.mjs"),
        `import { createDecoder } from "${PACKAGE_NAME}/decoder";\nconsole.log(await createDecoder());\n`,
      );
      for (const target of ["browser", "node"]) {
        await runIn(project, "bun", "build", [
          "--target",
          target,
          "bundle-probe.mjs",
          "--outfile",
          `bundle-${target}.js`,
        ]);
      }
      const uses = (target: string) =>
        readFileSync(join(project, `bundle-${target}.js`), "utf8").includes("node:fs/promises");
      expect({ browser: uses("browser"), node: uses("node") }).toEqual({
        browser: false,
        node: true,
      });
    },
    TIMEOUT,
  );

  test(
    "TypeScript resolves the decoder entry's types through the exports map (and rejects misuse)",
    async () => {
      const config = {
        compilerOptions: {
          target: "ES2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          lib: ["ES2023", "DOM", "DOM.AsyncIterable"],
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ["types-probe.ts"],
      };
      writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config));
      expect(existsSync(join(project, "node_modules", PACKAGE_NAME, "dist/decoder/mod.d.ts"))).toBe(
        true,
      );
      await runIn(project, "node", join(ROOT, "node_modules/typescript/bin/tsc"), ["-p", "."]);
    },
    TIMEOUT,
  );
});

/** @module Bun entry: `bun src/bun.ts [options]` (also `bun run serve`). */
import { bunRuntime } from "./adapters/runtime/bun.ts";
import type { OpenTty } from "./ports/tty.ts";
import { serve } from "./app/serve.ts";

// the tty reader (and its runtime modules) is loaded when a real headset's tty is first opened
const openTty: OpenTty = async (path) => (await import("./adapters/serial/bun.ts")).openTty(path);

await serve(bunRuntime, { openTty });

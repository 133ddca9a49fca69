/** @module Deno entry: `deno task serve [options]`. */
import { denoRuntime } from "./adapters/runtime/deno.ts";
import type { OpenTty } from "./ports/tty.ts";
import { serve } from "./app/serve.ts";

// the tty reader (and its runtime modules) is loaded when a real headset's tty is first opened
const openTty: OpenTty = async (path) => (await import("./adapters/serial/deno.ts")).openTty(path);

await serve(denoRuntime, { openTty });

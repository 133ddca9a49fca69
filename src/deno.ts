/** @module Deno entry: `deno task serve [options]`. */
import { denoRuntime } from "./adapters/runtime/deno.ts";
import { openTty } from "./adapters/serial/deno.ts";
import { main } from "./main.ts";

await main(denoRuntime, { openTty });

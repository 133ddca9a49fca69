/** @module Deno entry: `deno task serve [options]`. */
import { denoRuntime } from "./adapters/runtime/deno.ts";
import { openTty } from "./adapters/serial/deno.ts";
import { serve } from "./app/serve.ts";

await serve(denoRuntime, { openTty });

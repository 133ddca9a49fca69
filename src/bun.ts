/** @module Bun entry: `bun src/bun.ts [options]` (also `bun run serve`). */
import { bunRuntime } from "./adapters/runtime/bun.ts";
import { openTty } from "./adapters/serial/bun.ts";
import { serve } from "./app/serve.ts";

await serve(bunRuntime, { openTty });

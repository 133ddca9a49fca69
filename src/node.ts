/** @module Node entry: `npm run serve:node` (tsx src/node.ts) or `node --import tsx src/node.ts`. */
import { nodeRuntime } from "./adapters/runtime/node.ts";
import type { OpenTty } from "./ports/tty.ts";
import { serve } from "./app/serve.ts";

// the tty reader (and its runtime modules) is loaded when a real headset's tty is first opened
const openTty: OpenTty = async (path) => (await import("./adapters/serial/node.ts")).openTty(path);

await serve(nodeRuntime, { openTty });

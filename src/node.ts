/** @module Node entry: `npm run serve:node` (tsx src/node.ts) or `node --import tsx src/node.ts`. */
import { nodeRuntime } from "./adapters/runtime/node.ts";
import { openTty } from "./adapters/serial/node.ts";
import { serve } from "./app/serve.ts";

await serve(nodeRuntime, { openTty });

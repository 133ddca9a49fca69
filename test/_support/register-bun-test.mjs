// Lets Node run our bun:test files: resolves the "bun:test" specifier to the node:test shim.
import { register } from "node:module";

const shim = new URL("./node-bun-test.ts", import.meta.url).href;
const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === "bun:test") return { url: ${JSON.stringify(shim)}, shortCircuit: true };
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

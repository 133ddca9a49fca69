/**
 * @module Field-by-field checks of a command's `data` object with valibot: an unknown field or a
 * wrong value is INVALID_PARAMETERS naming the field and what is allowed.
 */
import * as v from "valibot";

/** A refusal of a request's data. */
export interface RequestProblem {
  code: "INVALID_PARAMETERS";
  message: string;
}

/** A field's schema and the words that say what it allows. */
export type Rule = [v.GenericSchema, string];

/** True for a problem rather than a request. */
export function isRequestProblem<T extends object>(
  value: T | RequestProblem,
): value is RequestProblem {
  return "code" in value && (value as RequestProblem).code === "INVALID_PARAMETERS";
}

/** Checks every field present against `rules`; absent/null data counts as `{}`. */
export function checkFields(
  data: unknown,
  rules: Record<string, Rule>,
  command: string,
): { fields: Record<string, unknown> } | RequestProblem {
  if (data === undefined || data === null) return { fields: {} };
  if (typeof data !== "object" || Array.isArray(data)) {
    return invalid(`'data' of ${command} must be an object`);
  }
  const fields = data as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    const rule = rules[key];
    if (rule === undefined) {
      return invalid(
        `Unknown field ${key} for ${command}; its fields are ${Object.keys(rules).join(", ")}`,
      );
    }
    if (!v.is(rule[0], value)) {
      return invalid(`Invalid ${key}: must be ${rule[1]}, got ${describe(value)}`);
    }
  }
  return { fields };
}

/** An INVALID_PARAMETERS problem with `message`. */
export function invalid(message: string): RequestProblem {
  return { code: "INVALID_PARAMETERS", message };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

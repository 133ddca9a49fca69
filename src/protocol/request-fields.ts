/**
 * @module Field-by-field checks of a command's `data` object with valibot: an unknown field or a
 * wrong value is INVALID_PARAMETERS naming the field and what is allowed.
 */
import * as v from "valibot";
import { accept, invalid, shown } from "./result.ts";
import type { Checked, Refused } from "./result.ts";

/** A field's schema and the words that say what it allows. */
export type Rule<T> = readonly [v.GenericSchema<unknown, T>, string];

/** A rule for every field of `T`, in the order an unknown-field error lists them. */
export type Rules<T> = { readonly [K in keyof T]-?: Rule<T[K]> };

/**
 * Checks every field present against `rules`, in the order sent (the first problem answers);
 * absent/null data counts as `{}`. `unknown` words the refusal of a field without a rule.
 */
export function checkFields<T extends object>(
  data: unknown,
  rules: Rules<T>,
  command: string,
  unknown: (field: string) => string = (field) =>
    `Unknown field ${field} for ${command}; its fields are ${Object.keys(rules).join(", ")}`,
): Checked<Partial<T>, "INVALID_PARAMETERS"> {
  if (data === undefined || data === null) return accept({});
  if (typeof data !== "object" || Array.isArray(data)) {
    return invalid(`'data' of ${command} must be an object`);
  }
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!Object.hasOwn(rules, key)) return invalid(unknown(key));
    const field = key as keyof T; // an own key of the rules, so a field of T
    const [schema, allowed] = rules[field];
    const parsed = v.safeParse(schema, value);
    if (!parsed.success) {
      return invalid(`Invalid ${key}: must be ${allowed}, got ${shown(value, 60)}`);
    }
    out[field] = parsed.output;
  }
  return accept(out);
}

/** The refusal of a required field that is absent. */
export function missing<T>(
  rules: Rules<T>,
  field: keyof T & string,
): Refused<"INVALID_PARAMETERS"> {
  return invalid(`Invalid ${field}: must be ${rules[field][1]}, got nothing`);
}

/**
 * The values replicated stores hold.
 * @module
 */

/**
 * A JSON-serializable value: what keys map to and what travels in messages.
 *
 * @example
 * ```ts
 * import type { JsonValue } from "@distkit/replication";
 * const v: JsonValue = { name: "ada", tags: ["x"], visits: 3 };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };
